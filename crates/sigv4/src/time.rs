//! By hand only SigV4's exact shapes (16-char `X-Amz-Date`, 29-char IMF-fixdate); fields and calendar are `time`'s.
//!
//! Timestamps: SigV4's ISO-8601 basic format (`20150830T123600Z`) and HTTP's `Date` format, to and from unix
//! seconds.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// `YYYYMMDD'T'HHMMSS'Z'`, the only form SigV4 accepts in `X-Amz-Date`.
const ISO_BASIC: &[BorrowedFormatItem<'_>] = format_description!("[year][month][day]T[hour][minute][second]Z");

/// IMF-fixdate after its `Sun, ` (the weekday is not checked against the date).
const IMF_FIXDATE_AFTER_WEEKDAY: &[BorrowedFormatItem<'_>] =
    format_description!("[day] [month repr:short] [year] [hour]:[minute]:[second] GMT");

/// Seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range a four-digit year can show.
const MIN_SECS: i64 = -62_167_219_200;
const MAX_SECS: i64 = 253_402_300_799;

/// Unix seconds of a UTC date and time in `format` (no leap seconds: AWS has none either).
fn parse_utc(s: &str, format: &[BorrowedFormatItem<'_>]) -> Option<i64> {
    PrimitiveDateTime::parse(s, format).ok().map(|t| t.assume_utc().unix_timestamp())
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'`, the only form SigV4 accepts in `X-Amz-Date` (header or query parameter): exactly
/// 16 characters, so a signed year (which the `time` crate's `[year]` would take) never fits.
pub(crate) fn parse_iso_basic(s: &str) -> Option<i64> {
    if s.len() != 16 {
        return None;
    }
    parse_utc(s, ISO_BASIC)
}

/// Parses the HTTP `Date` header's IMF-fixdate (`Sun, 30 Aug 2015 12:36:00 GMT`, RFC 9110 section 5.6.7). AWS falls
/// back to `Date` when there is no `X-Amz-Date` ("Handling dates in Signature Version 4"); the obsolete RFC 850 and
/// asctime forms are not accepted. The weekday is any three letters, not checked against the date.
fn parse_imf_fixdate(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let weekday_ok = b.len() == 29
        && b.get(0..3).is_some_and(|w| w.iter().all(u8::is_ascii_alphabetic))
        && b.get(3..5) == Some(b", ");
    if !weekday_ok {
        return None;
    }
    parse_utc(s.get(5..)?, IMF_FIXDATE_AFTER_WEEKDAY)
}

/// Parses a `Date` header: IMF-fixdate, or the ISO-8601 basic form that AWS's own example puts in `Date`.
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    parse_iso_basic(s).or_else(|| parse_imf_fixdate(s))
}

/// Formats unix seconds as `YYYYMMDD'T'HHMMSS'Z'`. Any i64 formats (clamped to years 0000..=9999, the range the
/// form can show), so a hostile `now` or request time cannot make an error message panic.
pub(crate) fn format_iso_basic(ts: i64) -> String {
    // Within the clamped range `from_unix_timestamp` cannot fail; the epoch stands in should it ever.
    let t = OffsetDateTime::from_unix_timestamp(ts.clamp(MIN_SECS, MAX_SECS)).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_TIME: i64 = 1_440_938_160; // 2015-08-30T12:36:00Z, the test suite's timestamp

    #[test]
    fn iso_basic_round_trips() {
        assert_eq!(parse_iso_basic("20150830T123600Z"), Some(VECTOR_TIME));
        assert_eq!(format_iso_basic(VECTOR_TIME), "20150830T123600Z");
        assert_eq!(parse_iso_basic("19700101T000000Z"), Some(0));
        assert_eq!(parse_iso_basic("20000229T235959Z"), Some(951_868_799));
        assert_eq!(format_iso_basic(951_868_799), "20000229T235959Z");
        for ts in [-86_401, -1, 0, 59, 951_868_800, 4_102_444_799, 253_402_300_799] {
            assert_eq!(parse_iso_basic(&format_iso_basic(ts)), Some(ts), "{ts}");
        }
    }

    #[test]
    fn iso_basic_rejects_bad_shapes_and_ranges() {
        for s in [
            "",
            "20150830T123600",
            "20150830T123600z",
            "2015-08-30T12:36:00Z",
            "20150830 123600Z",
            "20151330T123600Z",
            "20150230T123600Z",
            "20190229T000000Z",
            "20150800T123600Z",
            "20150830T243600Z",
            "20150830T126000Z",
            "20150830T123660Z",
            "2015083OT123600Z",
            "+0150830T123600Z",
            "20150830T12360\u{e9}",
        ] {
            assert_eq!(parse_iso_basic(s), None, "{s:?}");
        }
    }

    #[test]
    fn http_date_forms() {
        assert_eq!(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), Some(VECTOR_TIME));
        assert_eq!(parse_http_date("20150830T123600Z"), Some(VECTOR_TIME));
        assert_eq!(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"), None);
        assert_eq!(parse_http_date("Sunday, 30-Aug-15 12:36:00 GMT"), None);
        assert_eq!(parse_http_date("Sun Aug 30 12:36:00 2015"), None);
        assert_eq!(parse_http_date("Sun, 31 Sep 2015 12:36:00 GMT"), None);
    }

    #[test]
    fn extreme_values_format_without_panicking() {
        for ts in [i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 900] {
            assert!(!format_iso_basic(ts).is_empty());
        }
        assert_eq!(format_iso_basic(i64::MIN), "00000101T000000Z");
        assert_eq!(format_iso_basic(i64::MAX), "99991231T235959Z");
    }
}
