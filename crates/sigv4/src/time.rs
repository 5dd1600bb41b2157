//! Timestamps: SigV4's ISO-8601 basic format (`20150830T123600Z`) and HTTP's `Date` format, to and from unix
//! seconds. Hand-written because the crate has no clock and needs nothing else from a date library.

const SECS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let month = i64::from(month);
    let day = i64::from(day);
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // `days` comes from an i64 of seconds divided by 86400, so this addition cannot overflow.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Unix seconds of a UTC date and time, `None` if a field is out of range (no leap seconds: AWS has none either).
fn unix(year: u32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    let year = i64::from(year);
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then(|| {
        days_from_civil(year, month, day) * SECS_PER_DAY
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second)
    })
}

/// The decimal value of `len` ASCII digits at `start`, `None` if any is not a digit.
fn digits(bytes: &[u8], start: usize, len: usize) -> Option<u32> {
    let field = bytes.get(start..start.checked_add(len)?)?;
    field.iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'`, the only form SigV4 accepts in `X-Amz-Date` (header or query parameter).
pub(crate) fn parse_iso_basic(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    unix(digits(b, 0, 4)?, digits(b, 4, 2)?, digits(b, 6, 2)?, digits(b, 9, 2)?, digits(b, 11, 2)?, digits(b, 13, 2)?)
}

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// Parses the HTTP `Date` header's IMF-fixdate (`Sun, 30 Aug 2015 12:36:00 GMT`, RFC 9110 section 5.6.7). AWS falls
/// back to `Date` when there is no `X-Amz-Date` ("Handling dates in Signature Version 4"); the obsolete RFC 850 and
/// asctime forms are not accepted. The weekday is not checked against the date.
fn parse_imf_fixdate(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 29
        && b.get(0..3).is_some_and(|w| w.iter().all(u8::is_ascii_alphabetic))
        && b.get(3..5) == Some(b", ")
        && b.get(7) == Some(&b' ')
        && b.get(11) == Some(&b' ')
        && b.get(16) == Some(&b' ')
        && b.get(19) == Some(&b':')
        && b.get(22) == Some(&b':')
        && b.get(25..29) == Some(b" GMT");
    if !shape_ok {
        return None;
    }
    let month_name = b.get(8..11)?;
    let month = MONTHS.iter().position(|m| m.as_slice() == month_name)?;
    let month = u32::try_from(month).ok()? + 1;
    unix(digits(b, 12, 4)?, month, digits(b, 5, 2)?, digits(b, 17, 2)?, digits(b, 20, 2)?, digits(b, 23, 2)?)
}

/// Parses a `Date` header: IMF-fixdate, or the ISO-8601 basic form that AWS's own example puts in `Date`.
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    parse_iso_basic(s).or_else(|| parse_imf_fixdate(s))
}

/// Formats unix seconds as `YYYYMMDD'T'HHMMSS'Z'`. Any i64 formats (years past 9999 just get more digits), so a
/// hostile `now` or request time cannot make an error message panic.
pub(crate) fn format_iso_basic(ts: i64) -> String {
    let (year, month, day) = civil_from_days(ts.div_euclid(SECS_PER_DAY));
    let secs = ts.rem_euclid(SECS_PER_DAY);
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
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
    }
}
