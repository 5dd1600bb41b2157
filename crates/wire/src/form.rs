//! By hand: strict form decoding (a bad `%XX` or bad UTF-8 is `MalformedQueryString`; `form_urlencoded` lets both by).
//!
//! `application/x-www-form-urlencoded` parameters of an AWS Query request.
//!
//! Parameters come from the query string (GET, presigned requests) and from the form body (POST); a request may
//! carry both. Keys are kept sorted so that a lookup is a binary search and "is there any key under `Tags.member.3`"
//! (how list and structure presence is detected) is a range check.

use crate::error::AwsError;

/// Decoded request parameters, sorted by key. When a key occurs more than once the first occurrence wins (query
/// string before body), which is what the AWS Query front ends we could observe do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses one form-encoded source. Invalid percent-escapes or invalid UTF-8 give `MalformedQueryString`.
    pub fn parse(input: &[u8]) -> Result<Params, AwsError> {
        Self::parse_all(&[input])
    }

    /// Parses several sources in order (query string, then body); earlier sources win on duplicate keys.
    pub fn parse_all(sources: &[&[u8]]) -> Result<Params, AwsError> {
        // Sized once, exactly: the count is a scan for `&`, with no allocation per parameter.
        let mut pairs = Vec::with_capacity(sources.iter().map(|s| count_params(s)).sum());
        for src in sources {
            parse_into(src, &mut pairs)?;
        }
        Ok(Self::from_pairs(pairs))
    }

    /// Builds parameters from already decoded pairs (tests, and callers that decoded the query string themselves).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Params {
        let mut pairs: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        // Stable sort keeps the first occurrence of a key in front, so dedup keeps it.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, first| later.0 == first.0);
        Params { pairs }
    }

    /// Adds the parameters of `other` that `self` does not have yet.
    pub fn merge(&mut self, other: Params) {
        let mut all = std::mem::take(&mut self.pairs);
        all.extend(other.pairs);
        *self = Self::from_pairs(all);
    }

    /// The value of `key`, if present (an empty value is present).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .and_then(|i| self.pairs.get(i))
            .map(|(_, v)| v.as_str())
    }

    /// Whether `key` itself or any key below it (`key.` followed by anything) is present.
    pub fn has_under(&self, key: &str) -> bool {
        let start = self.pairs.partition_point(|(k, _)| k.as_str() < key);
        self.pairs
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|(k, _)| k.starts_with(key))
            .any(|(k, _)| k.len() == key.len() || k.as_bytes().get(key.len()) == Some(&b'.'))
    }

    /// All pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// How many parameters [`Params::parse`] would find in `input`: its non-empty `&`-separated pieces. A scan of the
/// bytes, allocating nothing, so that a request can be refused for its parameter count before any string is made
/// (empty pieces, as in `&&&`, are skipped by the parser and are not counted).
pub fn count_params(input: &[u8]) -> usize {
    let mut count = 0;
    let mut at_start = true;
    for &b in input {
        if b == b'&' {
            at_start = true;
        } else if at_start {
            count += 1;
            at_start = false;
        }
    }
    count
}

/// The value of the first `key` parameter in `sources` (in order, as [`Params::parse_all`] would choose it),
/// decoding that value only: keys are compared decoded, without allocating. `None` when absent; an error when the
/// value's percent-encoding is invalid.
pub fn find_param(sources: &[&[u8]], key: &str) -> Option<Result<String, AwsError>> {
    sources.iter().flat_map(|src| src.split(|b| *b == b'&')).filter(|part| !part.is_empty()).find_map(|part| {
        let (k, v) = split_pair(part);
        decoded_equals(k, key.as_bytes()).then(|| decode_component(v))
    })
}

/// A piece `k=v` as `(k, v)`; a piece without `=` is a key with an empty value.
fn split_pair(part: &[u8]) -> (&[u8], &[u8]) {
    match part.iter().position(|b| *b == b'=') {
        Some(i) => (part.get(..i).unwrap_or_default(), part.get(i + 1..).unwrap_or_default()),
        None => (part, &[][..]),
    }
}

/// Whether the form-encoded `raw` decodes to exactly `want`; an invalid escape never matches.
fn decoded_equals(raw: &[u8], want: &[u8]) -> bool {
    let mut want = want.iter();
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let byte = match b {
            b'+' => b' ',
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex_val);
                let lo = raw.get(i + 2).copied().and_then(hex_val);
                i += 2;
                match (hi, lo) {
                    (Some(h), Some(l)) => h << 4 | l,
                    _ => return false,
                }
            }
            _ => b,
        };
        if want.next() != Some(&byte) {
            return false;
        }
        i += 1;
    }
    want.next().is_none()
}

fn parse_into(input: &[u8], out: &mut Vec<(String, String)>) -> Result<(), AwsError> {
    for part in input.split(|b| *b == b'&') {
        if part.is_empty() {
            continue;
        }
        let (k, v) = split_pair(part);
        out.push((decode_component(k)?, decode_component(v)?));
    }
    Ok(())
}

/// Form decoding of one key or value: `+` is a space, `%XX` a byte; the result must be UTF-8.
pub fn decode_component(input: &[u8]) -> Result<String, AwsError> {
    let mut bytes = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_val);
                let lo = input.get(i + 2).copied().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => bytes.push(h << 4 | l),
                    _ => {
                        return Err(AwsError::malformed_query_string(
                            "The query string contains an invalid percent-encoding.",
                        ))
                    }
                }
                i += 2;
            }
            _ => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| AwsError::malformed_query_string("The query string is not valid UTF-8."))
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_form() {
        let p = Params::parse(b"Action=CreateUser&UserName=al%C3%A9+x&Empty=&Flag&Tags.member.1.Key=a%2Bb").unwrap();
        assert_eq!(p.get("Action"), Some("CreateUser"));
        assert_eq!(p.get("UserName"), Some("alé x"));
        assert_eq!(p.get("Empty"), Some(""));
        assert_eq!(p.get("Flag"), Some(""));
        assert_eq!(p.get("Tags.member.1.Key"), Some("a+b"));
        assert_eq!(p.get("Missing"), None);
        assert!(p.has_under("Tags"));
        assert!(p.has_under("Tags.member.1"));
        assert!(!p.has_under("Tags.member.2"));
        assert!(!p.has_under("Tag"));
        assert!(p.has_under("UserName"));
    }

    #[test]
    fn first_occurrence_wins() {
        let p = Params::parse_all(&[b"A=1&B=2", b"A=3&C=4"]).unwrap();
        assert_eq!(p.get("A"), Some("1"));
        assert_eq!(p.get("C"), Some("4"));
        let mut q = Params::parse(b"A=9&A=8").unwrap();
        assert_eq!(q.get("A"), Some("9"));
        q.merge(Params::parse(b"A=7&D=1").unwrap());
        assert_eq!(q.get("A"), Some("9"));
        assert_eq!(q.get("D"), Some("1"));
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [&b"%"[..], b"a=%z", b"a=%zz", b"a=%ff%fe", b"%f", b"a=%C3"] {
            let e = Params::parse(bad).unwrap_err();
            assert_eq!(e.code, "MalformedQueryString");
            assert_eq!(e.status, 400);
        }
        assert!(Params::parse(b"&&=&==").is_ok());
    }

    #[test]
    fn counts_what_the_parser_finds() {
        for input in [&b""[..], b"&&&", b"a", b"a&b", b"&a&&b&", b"=&==&a=1&&&", b"%zz&x", b"a=&=b&&"] {
            let expected = input.split(|b| *b == b'&').filter(|p| !p.is_empty()).count();
            assert_eq!(count_params(input), expected, "{:?}", String::from_utf8_lossy(input));
        }
        assert_eq!(count_params(&b"a&".repeat(1000)), 1000);
        assert_eq!(count_params(&b"&".repeat(1000)), 0);
    }

    #[test]
    fn finds_one_parameter_as_the_parser_would() {
        let sources: [&[u8]; 2] = [b"X=1&Act%69on=Get%55ser&Action=Later", b"Action=Body"];
        assert_eq!(find_param(&sources, "Action"), Some(Ok("GetUser".to_string())));
        assert_eq!(find_param(&[b"a=1", b"&&Action=Body"], "Action"), Some(Ok("Body".to_string())));
        assert_eq!(find_param(&[b"Actio=1&Actions=2&%zzAction=3&Action%=4"], "Action"), None);
        assert_eq!(find_param(&[b"Action"], "Action"), Some(Ok(String::new())));
        assert_eq!(find_param(&[b"Version+1=x"], "Version 1"), Some(Ok("x".to_string())));
        let e = find_param(&[b"Action=%zz"], "Action").unwrap().unwrap_err();
        assert_eq!(e.code, "MalformedQueryString");
        for input in [&b"Action=A&Version=2&X=%C3%A9"[..], b"Version=1&Action=B", b"a&Action&b"] {
            let parsed = Params::parse(input).unwrap();
            assert_eq!(find_param(&[input], "Action").map(Result::unwrap).as_deref(), parsed.get("Action"));
        }
    }
}
