//! Percent-encoding as SigV4 defines it (`UriEncode` in "Create a canonical request"): every byte except the
//! RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex, a space is `%20` (never
//! `+`), and non-ASCII text is encoded byte by byte from its UTF-8.

use std::borrow::Cow;

use crate::sink::Sink;

pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `UriEncode`'s upper-case digits, one at a time into the sink: part of the percent-encoding, not a hex codec.
fn hex_upper(nibble: u8) -> u8 {
    let n = nibble & 0x0f;
    if n < 10 {
        b'0' + n
    } else {
        b'A' + (n - 10)
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn put_escape<S: Sink>(sink: &mut S, b: u8) {
    sink.put_ascii(b'%');
    sink.put_ascii(hex_upper(b >> 4));
    sink.put_ascii(hex_upper(b));
}

/// Writes `s` percent-encoded, leaving `/` alone when `keep_slash` (paths). Runs of unreserved characters go out as
/// one slice, so the common all-ASCII path costs one call per segment.
pub(crate) fn put_encoded<S: Sink>(sink: &mut S, s: &str, keep_slash: bool) {
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        // A run is empty or pure ASCII, so both ends are char boundaries whenever it is non-empty; `get` returns
        // None only for an empty run that starts inside a multi-byte character, which has nothing to write anyway.
        if let Some(run) = s.get(run_start..i) {
            sink.put(run);
        }
        put_escape(sink, b);
        run_start = i + 1;
    }
    if let Some(run) = s.get(run_start..) {
        sink.put(run);
    }
}

fn encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            put_escape(&mut out, b);
        }
    }
    out
}

/// Decodes one query-string key or value: `%XX` to its byte, and `+` to a space, as AWS reads a query string
/// (form encoding; scratchstack's rendering of the AWS rules turns `+` into `%20`). A `%` that is not followed by two
/// hex digits is kept as a literal `%`: the request then fails as `SignatureDoesNotMatch` rather than with an error
/// code this crate does not model (AWS would answer `MalformedQueryString`).
pub(crate) fn decode(raw: &str) -> Cow<'_, [u8]> {
    if !raw.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(raw.as_bytes());
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let high = bytes.get(i + 1).copied().and_then(hex_value);
                let low = bytes.get(i + 2).copied().and_then(hex_value);
                if let (Some(high), Some(low)) = (high, low) {
                    out.push(high << 4 | low);
                    i += 3;
                } else {
                    out.push(b'%');
                    i += 1;
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// [`decode`] as text; invalid UTF-8 becomes U+FFFD (such a value can only be compared, never trusted).
pub(crate) fn decode_str(raw: &str) -> Cow<'_, str> {
    match decode(raw) {
        Cow::Borrowed(_) => Cow::Borrowed(raw),
        Cow::Owned(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Cow::Owned(s),
            Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        },
    }
}

/// A query-string key or value in canonical form: decoded, then encoded again with [`put_encoded`]'s rules, so
/// `%e1%88%b4`, `%E1%88%B4` and raw UTF-8 all become `%E1%88%B4`. Borrows when the input is already canonical.
pub(crate) fn canonical_query_component(raw: &str) -> Cow<'_, str> {
    if raw.bytes().all(is_unreserved) {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(encode_bytes(&decode(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(s: &str, keep_slash: bool) -> String {
        let mut out = String::new();
        put_encoded(&mut out, s, keep_slash);
        out
    }

    #[test]
    fn encodes_like_sigv4() {
        assert_eq!(encoded("-._~AZaz09", false), "-._~AZaz09");
        assert_eq!(encoded("a b/c+d*e%", false), "a%20b%2Fc%2Bd%2Ae%25");
        assert_eq!(encoded("/a b/", true), "/a%20b/");
        assert_eq!(encoded("\u{1234}", true), "%E1%88%B4");
        assert_eq!(encoded("x\u{e9}y\u{1f600}", false), "x%C3%A9y%F0%9F%98%80");
        assert_eq!(encoded("", false), "");
    }

    #[test]
    fn query_components_are_decoded_then_reencoded() {
        assert_eq!(canonical_query_component("Param1"), "Param1");
        assert!(matches!(canonical_query_component("Param1"), Cow::Borrowed(_)));
        assert_eq!(canonical_query_component("%e1%88%b4"), "%E1%88%B4");
        assert_eq!(canonical_query_component("\u{1234}"), "%E1%88%B4");
        assert_eq!(canonical_query_component("a+b"), "a%20b");
        assert_eq!(canonical_query_component("a%2Bb"), "a%2Bb");
        assert_eq!(canonical_query_component("%41%7e"), "A~");
        assert_eq!(canonical_query_component("host%3Bx"), "host%3Bx");
        assert_eq!(canonical_query_component("100%"), "100%25");
        assert_eq!(canonical_query_component("%zz%4"), "%25zz%254");
        assert_eq!(canonical_query_component("%ff"), "%FF");
    }

    #[test]
    fn decode_str_handles_bad_utf8() {
        assert_eq!(decode_str("AKID%2F2015"), "AKID/2015");
        assert_eq!(decode_str("%ff"), "\u{fffd}");
        assert!(matches!(decode_str("plain"), Cow::Borrowed("plain")));
    }
}
