//! The `PathPrefix` of the List operations as SQL: "path starts with P" written as the range `P <= path < succ(P)`,
//! where `succ(P)` is P with its last character replaced by the next one. With bytewise order (SQLite's BINARY,
//! Postgres's "C", migration 0012) the two are the same set: a path that starts with P sorts from P up to, not
//! including, succ(P), and a path that does not differs from P at some character, where it is either smaller
//! (before P) or larger (at or after succ(P)).
//!
//! Why not `substr(path, 1, length(P)) = P`: no planner can estimate an expression's selectivity, so Postgres guessed
//! 0.5% of the account's rows for PathPrefix "/" (which matches every row) and sorted 100,000 users for a page of
//! 100 instead of walking the name index. A range it estimates from the column's statistics, and "/", the default
//! and most common prefix, is no condition at all.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::Result;

/// One page of a List over entities with paths: the account's rows whose path starts with `path_prefix`, in the
/// order of `key` (their lowercased name), after the key `after` (or from it, when `inclusive`), at most `limit`.
pub struct Page<'a> {
    pub account_id: &'a str,
    pub path_prefix: &'a str,
    pub after: &'a str,
    pub inclusive: bool,
    pub limit: i64,
}

/// Reads `page` with `select_from` ("SELECT columns FROM table [alias]"), whose columns are qualified by `q` (the
/// alias and a dot, or nothing): the one query every path-prefixed List shares.
pub async fn list<R>(conn: &mut AnyConnection, select_from: &str, q: &str, key: &str, page: Page<'_>) -> Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    let path = PathFilter::new(&format!("{q}path"), page.path_prefix, 4);
    let cmp = if page.inclusive { ">=" } else { ">" };
    let sql =
        format!("{select_from} WHERE {q}account_id = $1 AND {q}{key} {cmp} $2{} ORDER BY {q}{key} LIMIT $3", path.sql);
    let mut query = sqlx::query_as(&sql).bind(page.account_id).bind(page.after).bind(page.limit);
    for value in path.binds {
        query = query.bind(value);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The condition on `column` for the prefix (empty when every path matches) and the values to bind, in order, to
/// its parameters, numbered from `first_param`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathFilter {
    pub sql: String,
    pub binds: Vec<String>,
}

impl PathFilter {
    pub fn new(column: &str, prefix: &str, first_param: usize) -> PathFilter {
        // Every IAM path starts and ends with "/" (the model's pattern), so "/" (and the empty prefix) match all.
        if prefix.is_empty() || prefix == "/" {
            return PathFilter { sql: String::new(), binds: Vec::new() };
        }
        match successor(prefix) {
            Some(upper) => PathFilter {
                sql: format!(" AND {column} >= ${first_param} AND {column} < ${}", first_param + 1),
                binds: vec![prefix.to_owned(), upper],
            },
            // Only a prefix of nothing but U+10FFFF has no successor: every path from it on starts with it.
            None => PathFilter { sql: format!(" AND {column} >= ${first_param}"), binds: vec![prefix.to_owned()] },
        }
    }
}

/// The least string after every string that starts with `prefix`: the last character that has a next one,
/// incremented, with what followed it dropped (a trailing U+10FFFF has no next character). Code point order is
/// UTF-8 byte order, so this is the successor in bytewise order too.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '\u{D7FF}' => Some('\u{E000}'), // the surrogates are not characters
            c => char::from_u32(c as u32 + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(filter: &PathFilter, path: &str) -> bool {
        match filter.binds.as_slice() {
            [] => true,
            [lower] => path >= lower.as_str(),
            [lower, upper] => path >= lower.as_str() && path < upper.as_str(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_path_needs_no_condition() {
        for prefix in ["/", ""] {
            let filter = PathFilter::new("path", prefix, 4);
            assert_eq!(filter, PathFilter { sql: String::new(), binds: vec![] });
        }
    }

    #[test]
    fn a_prefix_is_a_range_to_its_successor() {
        let filter = PathFilter::new("g.path", "/team/", 5);
        assert_eq!(filter.sql, " AND g.path >= $5 AND g.path < $6");
        assert_eq!(filter.binds, ["/team/", "/team0"]);
        assert_eq!(successor("/a~"), Some("/a\u{7f}".to_owned()));
        assert_eq!(successor("/a\u{7f}"), Some("/a\u{80}".to_owned()));
        assert_eq!(successor("/\u{D7FF}"), Some("/\u{E000}".to_owned()));
        assert_eq!(successor("/a\u{10FFFF}\u{10FFFF}"), Some("/b".to_owned()));
        assert_eq!(successor("\u{10FFFF}"), None);
        assert_eq!(PathFilter::new("path", "\u{10FFFF}", 2).sql, " AND path >= $2");
    }

    #[test]
    fn the_range_is_exactly_the_paths_with_the_prefix() {
        // Every prefix and path over a small alphabet that includes the characters around "/" and the ends of ASCII.
        let alphabet = ['!', '.', '/', '0', 'A', 'a', '~', '\u{7f}', '\u{80}', '\u{10FFFF}'];
        let mut strings = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> =
                strings.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            strings.extend(longer);
        }
        strings.sort();
        strings.dedup();
        let prefixes: Vec<String> = strings.iter().filter(|s| s.len() > 1 && s.starts_with('/')).cloned().collect();
        for prefix in &prefixes {
            let filter = PathFilter::new("path", prefix, 1);
            for path in &strings {
                let path = format!("/{path}");
                assert_eq!(matches(&filter, &path), path.starts_with(prefix.as_str()), "{prefix:?} {path:?}");
            }
        }
    }
}
