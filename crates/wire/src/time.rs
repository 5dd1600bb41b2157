//! By hand only the grammar clients may send (zone optional, `:60` any day, `T`/`t`/space); the calendar is `time`'s.
//!
//! Timestamps of `timestamp` shapes: whole seconds since the Unix epoch, written as IAM writes them
//! (`2026-01-01T00:00:00Z`). The `time` crate's RFC 3339 parser would refuse a missing zone and a leap second that
//! does not end a month, and take any byte between date and time, so the grammar below stays as it was.

use std::fmt;

use time::{Date, Month, OffsetDateTime};

use crate::xml::{XmlValue, XmlWriter};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range ISO-8601 with four-digit years can show.
const MIN_SECS: i64 = -62_167_219_200;
const MAX_SECS: i64 = 253_402_300_799;

impl Timestamp {
    pub fn from_unix(secs: i64) -> Self {
        Timestamp(secs)
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    /// Year, month, day, hour, minute, second (UTC), with the value clamped to years 0000..=9999.
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        // Within the clamped range `from_unix_timestamp` cannot fail; the epoch stands in should it ever.
        let t =
            OffsetDateTime::from_unix_timestamp(self.0.clamp(MIN_SECS, MAX_SECS)).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let field = u32::from;
        (
            i64::from(t.year()),
            field(u8::from(t.month())),
            field(t.day()),
            field(t.hour()),
            field(t.minute()),
            field(t.second()),
        )
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`
    pub fn to_iso8601(self) -> String {
        let (y, mo, d, h, mi, s) = self.to_civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// `YYYYMMDDTHHMMSSZ`, the SigV4 form.
    pub fn to_amz_date(self) -> String {
        let (y, mo, d, h, mi, s) = self.to_civil();
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
    }

    /// Parses ISO-8601 as clients send it: `YYYY-MM-DDTHH:MM:SS`, optional fraction (dropped), then `Z` or an
    /// offset `+HH:MM` / `-HH:MM` (a missing zone means UTC). Also accepts integral epoch seconds, the other
    /// timestamp form the Query protocol allows.
    pub fn parse(text: &str) -> Option<Self> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse::<i64>().ok().filter(|s| *s <= MAX_SECS).map(Timestamp);
        }
        let b = text.as_bytes();
        let num = |from: usize, len: usize| -> Option<u32> {
            let s = text.get(from..from + len)?;
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        if b.len() < 19
            || b.get(4) != Some(&b'-')
            || b.get(7) != Some(&b'-')
            || !matches!(b.get(10), Some(b'T' | b't' | b' '))
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
        {
            return None;
        }
        let (y, mo, d, h, mi, s) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?, num(17, 2)?);
        let small = |v: u32| u8::try_from(v).ok();
        let date =
            Date::from_calendar_date(i32::try_from(y).ok()?, Month::try_from(small(mo)?).ok()?, small(d)?).ok()?;
        // A leap second (`:60`, on any day) reads as `:59`.
        let s = if s == 60 { 59 } else { s };
        let at = date.with_hms(small(h)?, small(mi)?, small(s)?).ok()?.assume_utc().unix_timestamp();
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        let offset = match b.get(i) {
            None => 0,
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
                let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let o = i64::from(oh * 3600 + om * 60);
                if *sign == b'+' {
                    o
                } else {
                    -o
                }
            }
            _ => return None,
        };
        Some(Timestamp(at - offset))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso8601())
    }
}

impl XmlValue for Timestamp {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.open(name);
        w.raw(&self.to_iso8601());
        w.close(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(Timestamp(0).to_iso8601(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(1_767_225_600).to_iso8601(), "2026-01-01T00:00:00Z");
        assert_eq!(Timestamp(951_782_400).to_iso8601(), "2000-02-29T00:00:00Z");
        assert_eq!(Timestamp(-1).to_iso8601(), "1969-12-31T23:59:59Z");
        assert_eq!(Timestamp(1_767_227_400).to_amz_date(), "20260101T003000Z");
        assert_eq!(Timestamp(i64::MAX).to_iso8601(), "9999-12-31T23:59:59Z");
        assert_eq!(Timestamp(i64::MIN).to_iso8601(), "0000-01-01T00:00:00Z");
    }

    #[test]
    fn round_trips_every_day_for_centuries() {
        let start = Timestamp::parse("1600-01-01T00:00:00Z").unwrap().unix();
        let end = Timestamp::parse("2400-01-01T00:00:00Z").unwrap().unix();
        for secs in (start..end).step_by(86_400) {
            let t = Timestamp(secs + 3_723);
            assert_eq!(Timestamp::parse(&t.to_iso8601()), Some(t));
        }
    }

    #[test]
    fn parses() {
        assert_eq!(Timestamp::parse("2026-01-01T00:00:00Z"), Some(Timestamp(1_767_225_600)));
        assert_eq!(Timestamp::parse("2026-01-01T00:00:00.123Z"), Some(Timestamp(1_767_225_600)));
        assert_eq!(Timestamp::parse("2026-01-01T01:00:00+01:00"), Some(Timestamp(1_767_225_600)));
        assert_eq!(Timestamp::parse("2026-01-01T00:00:00"), Some(Timestamp(1_767_225_600)));
        assert_eq!(Timestamp::parse("1767225600"), Some(Timestamp(1_767_225_600)));
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01",
            "2026-01-01T00:00:00Q",
            "99999999999999999999999",
            "2026-01-01T00:00:00.Z",
            "２０２６-01-01T00:00:00Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
