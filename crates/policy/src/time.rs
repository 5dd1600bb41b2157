//! By hand: IAM's lenient date forms (`01T`, `2020-01-01`, epoch seconds) over Java's ±292M years, beyond `time`'s.
//!
//! Instants for the Date operators: the policy's date literals and the request's dates.
//!
//! Date values are ISO 8601 or epoch seconds and compare as instants (`[OPS]` "Date condition
//! operators", `[KEYS]` aws:EpochTime). What IAM accepts as a literal is narrower and odder than
//! ISO 8601; the rules here reproduce the cases LocalStack recorded against real IAM
//! (`01T` and `2016-12-13t2:00:00.593194+23` are valid; `234-13`, a one-digit offset `+1`, ten
//! fraction digits and `9223372036854775808` fail with "The policy failed legacy parsing").

use std::fmt;

/// An instant: seconds and nanoseconds since 1970-01-01T00:00:00Z. Ordered as instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// `nanos` above 999,999,999 is clamped.
    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        Timestamp { secs, nanos: nanos.min(999_999_999) }
    }

    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    pub fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// Parses a date as IAM does: ISO 8601 (in IAM's lenient form) or epoch seconds.
    pub fn parse(s: &str) -> Option<Timestamp> {
        if s.contains(['t', 'T', '-']) {
            iso(s)
        } else {
            let secs: u64 = digits(s)?;
            Some(Timestamp { secs: i64::try_from(secs).ok()?, nanos: 0 })
        }
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 in UTC with `Z`, fractional seconds only when present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)?;
        if self.nanos > 0 {
            write!(f, ".{:09}", self.nanos)?;
        }
        f.write_str("Z")
    }
}

/// Digits only (no sign, no spaces), any length, value must fit `T`.
fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn ranged(s: &str, lo: i64, hi: i64) -> Option<i64> {
    let v: i64 = digits(s)?;
    (lo..=hi).contains(&v).then_some(v)
}

/// `[-]year[-month[-day]][T[h[:m[:s[.frac][zone]]]]]`, case-insensitive `T` and `Z`.
fn iso(s: &str) -> Option<Timestamp> {
    let (date, time) = match s.find(['t', 'T']) {
        Some(i) => (s.get(..i)?, s.get(i + 1..)?),
        None => (s, ""),
    };
    let (negative, body) = match date.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, date),
    };
    let mut parts = body.split('-');
    let year_digits: i64 = digits(parts.next()?)?;
    let year = if negative { -year_digits } else { year_digits };
    // Java's date range, which is what IAM's parser accepts.
    if !(-292_275_054..=292_278_993).contains(&year) {
        return None;
    }
    let month = parts.next().map(|m| ranged(m, 1, 12)).unwrap_or(Some(1))?;
    let day = parts.next().map(|d| ranged(d, 1, 31)).unwrap_or(Some(1))?;
    if parts.next().is_some() {
        return None;
    }

    let mut t = time.split(':');
    let hour = match t.next() {
        Some("") | None => 0,
        Some(h) => ranged(h, 0, 23)?,
    };
    let minute = t.next().map(|m| ranged(m, 0, 59)).unwrap_or(Some(0))?;
    let (second, nanos, offset) = match t.next() {
        None => (0, 0, 0),
        Some(sec) => seconds_and_zone(sec, t.next())?,
    };
    let days = days_from_civil(year, month, day)?;
    let secs = days.checked_mul(86_400)?.checked_add(hour * 3600 + minute * 60 + second)?.checked_sub(offset)?;
    Some(Timestamp { secs, nanos })
}

/// The seconds field with its optional fraction and zone (`z`, `+hh[:mm]`, `-hh[:mm]`);
/// `zone_minutes` is the text after a further `:` (the minutes of an offset).
fn seconds_and_zone(field: &str, zone_minutes: Option<&str>) -> Option<(i64, u32, i64)> {
    let (sec, offset) = if let Some(i) = field.find(['z', 'Z']) {
        if !field.get(i + 1..)?.is_empty() || zone_minutes.is_some() {
            return None;
        }
        (field.get(..i)?, 0)
    } else if let Some(i) = field.find(['+', '-']) {
        let sign = if field.get(i..i + 1)? == "-" { -1 } else { 1 };
        let hours = field.get(i + 1..)?;
        if hours.len() != 2 {
            return None;
        }
        let h = ranged(hours, 0, 23)?;
        let m = match zone_minutes {
            Some(mm) if mm.len() == 2 => ranged(mm, 0, 59)?,
            Some(_) => return None,
            None => 0,
        };
        (field.get(..i)?, sign * (h * 3600 + m * 60))
    } else {
        if zone_minutes.is_some() {
            return None;
        }
        (field, 0)
    };
    let (whole, frac) = match sec.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (sec, None),
    };
    let second = ranged(whole, 0, 59)?;
    let nanos = match frac {
        None => 0,
        Some(f) => {
            // IAM checks the fraction as an integer of at most 999999999.
            ranged(f, 0, 999_999_999)?;
            fraction_nanos(f)
        }
    };
    Some((second, nanos, offset))
}

/// `593194` → 593,194,000 ns: the first nine digits, right-padded.
fn fraction_nanos(f: &str) -> u32 {
    let mut nanos = 0u32;
    let mut scale = 100_000_000u32;
    for b in f.bytes().take(9) {
        nanos += u32::from(b - b'0') * scale;
        scale /= 10;
    }
    nanos
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). Days past
/// the end of the month roll over, as lenient date parsers do.
fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?.checked_add(doe - 719_468)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        Timestamp::parse(s).unwrap().unix_seconds()
    }

    #[test]
    fn iso_and_epoch_forms() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ts("2019-04-25T11:00:00Z"), 1_556_190_000);
        assert_eq!(ts("2019-04-25t11:00:00z"), 1_556_190_000);
        assert_eq!(ts("1556190000"), 1_556_190_000);
        assert_eq!(ts("2019-04-25T13:00:00+02:00"), 1_556_190_000);
        assert_eq!(ts("2019-04-25T06:00:00-05:00"), 1_556_190_000);
        assert_eq!(ts("2019-04-25"), 1_556_150_400);
        assert_eq!(Timestamp::parse("2016-12-13T21:20:37.593194+00:00").unwrap().subsec_nanos(), 593_194_000);
    }

    #[test]
    fn iam_validated_literals() {
        // Accepted by IAM (LocalStack valid-30, 34, 35, 36, 37).
        for ok in [
            "01T",
            "2019-07-01T13:20:15Z",
            "2016-12-13T21:20:37.593194+00:00",
            "2016-12-13t2:00:00.593194+23",
            "-292275054",
        ] {
            assert!(Timestamp::parse(ok).is_some(), "{ok}");
        }
        // Refused with "The policy failed legacy parsing" (invalid-64, 72, 73, 74, 75).
        for bad in [
            "sdfdsf",
            "234-13",
            "2016-12-13t2:00:00.593194+1",
            "2016-12-13t2:00:00.1999999999+10:59",
            "9223372036854775808",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in ["2019-04-25T11:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:34:56.500000000Z"] {
            assert_eq!(Timestamp::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn extremes_do_not_overflow() {
        assert!(Timestamp::parse("292278993-12-31T23:59:59+23:59").is_some());
        assert!(Timestamp::parse("-292275054-01-01T00:00:00-23:59").is_some());
        assert!(Timestamp::parse("9223372036854775807").is_some());
    }
}
