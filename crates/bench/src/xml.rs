//! The few pieces of AWS Query answers the generator reads: an element's text, every element of one name. Enough
//! for answers whose elements of interest hold text only, which is all it reads (codes, ARNs, names, credentials).

/// The text of the first `<tag>…</tag>` in `body`, entities decoded.
pub fn element(body: &[u8], tag: &str) -> Option<String> {
    elements(body, tag).next()
}

/// The texts of every `<tag>…</tag>` in `body`, in order, entities decoded.
pub fn elements<'a>(body: &'a [u8], tag: &str) -> impl Iterator<Item = String> + 'a {
    let text = std::str::from_utf8(body).unwrap_or_default();
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let after = rest.get(start..)?;
        let len = after.find(&close)?;
        let value = after.get(..len)?;
        rest = after.get(len + close.len()..).unwrap_or_default();
        Some(unescape(value.trim()))
    })
}

/// The five predefined XML entities and numeric references; anything else is kept as it is.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tail = rest.get(at..).unwrap_or_default();
        let Some(end) = tail.find(';') else { break };
        let entity = tail.get(1..end).unwrap_or_default();
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = tail.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_in_order_and_decoded() {
        let body = b"<R><UserName>a</UserName><x/><UserName> b&amp;c&#x2F;&#47;&lt; </UserName><UserName>open";
        assert_eq!(elements(body, "UserName").collect::<Vec<_>>(), ["a", "b&c//<"]);
        assert_eq!(element(body, "UserName").as_deref(), Some("a"));
        assert_eq!(element(body, "Arn"), None);
        assert_eq!(element(b"\xff\xfe", "Arn"), None);
        assert_eq!(unescape("a & b &bogus; &#xZZ;"), "a & b &bogus; &#xZZ;");
    }
}
