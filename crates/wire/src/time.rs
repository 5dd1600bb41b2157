//! Timestamps of `timestamp` shapes: whole seconds since the Unix epoch, written as IAM writes them
//! (`2026-01-01T00:00:00Z`). The civil-date conversion is Howard Hinnant's `days_from_civil` / `civil_from_days`,
//! exact over the whole `i64` day range we accept.

use std::fmt;

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

    pub fn now() -> Self {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Timestamp(secs)
    }

    /// Year, month, day, hour, minute, second (UTC), with the value clamped to years 0000..=9999.
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let secs = self.0.clamp(MIN_SECS, MAX_SECS);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32)
    }

    pub fn from_civil(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> Self {
        Timestamp(days_from_civil(y, m, d) * 86_400 + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss))
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
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(i64::from(y), mo) || h > 23 || mi > 59 || s > 60 {
            return None;
        }
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
        Some(Timestamp(Self::from_civil(i64::from(y), mo, d, h, mi, s.min(59)).0 - offset))
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
        let mut day = days_from_civil(1600, 1, 1);
        while day < days_from_civil(2400, 1, 1) {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            day += 1;
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
