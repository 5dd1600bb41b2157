//! IAM's pagination: `Marker` / `MaxItems` in, `IsTruncated` / `Marker` out. Markers are opaque to clients;
//! ours carry the sort key of the last item returned, so a page is stable while items are added or removed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use gatehouse_wire::AwsError;

/// AWS's default page size.
pub const DEFAULT_MAX_ITEMS: i32 = 100;

pub struct Page<T> {
    pub items: Vec<T>,
    /// The marker of the next page, when the listing is truncated.
    pub next_marker: Option<String>,
}

impl<T> Page<T> {
    pub fn is_truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

/// The sort key after which the page starts (empty for the first page).
pub fn decode_marker(marker: Option<&str>) -> Result<String, AwsError> {
    match marker {
        None => Ok(String::new()),
        Some(m) => URL_SAFE_NO_PAD
            .decode(m)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|s| !s.is_empty())
            .ok_or_else(crate::errors::invalid_marker),
    }
}

pub fn encode_marker(sort_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(sort_key)
}

/// How many rows to ask the store for: one more than the page, to learn whether there is another.
pub fn fetch_limit(max_items: Option<i32>) -> (usize, i64) {
    let page = usize::try_from(max_items.unwrap_or(DEFAULT_MAX_ITEMS).clamp(1, 1000)).unwrap_or(100);
    (page, i64::try_from(page).unwrap_or(100) + 1)
}

/// Cuts the fetched rows to the page and names the next marker from the last row kept.
pub fn paginate<T>(mut rows: Vec<T>, page: usize, sort_key: impl Fn(&T) -> String) -> Page<T> {
    if rows.len() > page {
        rows.truncate(page);
        let next_marker = rows.last().map(|r| encode_marker(&sort_key(r)));
        Page { items: rows, next_marker }
    } else {
        Page { items: rows, next_marker: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_reject_garbage() {
        assert_eq!(decode_marker(Some(&encode_marker("bob"))).unwrap(), "bob");
        assert_eq!(decode_marker(None).unwrap(), "");
        assert_eq!(decode_marker(Some("invalid-marker-value!")).unwrap_err().message, "Invalid Marker.");
    }

    #[test]
    fn pages() {
        let p = paginate(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_marker.as_deref(), Some(encode_marker("2").as_str()));
        assert!(!paginate(vec![1], 2, |n: &i32| n.to_string()).is_truncated());
    }
}
