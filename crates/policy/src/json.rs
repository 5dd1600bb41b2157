//! A small JSON reader for policy documents.
//!
//! Written by hand rather than taken from serde_json for three reasons: every value must carry
//! its line and column in the document *as submitted* (SimulateCustomPolicy reports
//! `StartPosition`/`EndPosition` of the matched statements), duplicate object keys must be
//! refused instead of silently keeping the last one (a duplicated `Condition` or `Statement`
//! key would otherwise drop half of what the author wrote), and it must never panic or recurse
//! without bound on hostile input.
//!
//! Positions follow what IAM reports (its parser is Jackson): lines count from 1 (`\n`, `\r`
//! and `\r\n` each end one), and the column of a token is the 1-based column of the character
//! *after* it, counted in UTF-16 units. The AWS CLI example for `simulate-custom-policy`
//! (statement `{` at offset 36 of a one-line document reported as column 38, its `}` at
//! offset 165 as column 167) and a recorded `SimulatePrincipalPolicy` answer (columns 41 and
//! 113 for a `json.dumps` document) both fit this rule.

use std::fmt;

/// A place in a policy document, as IAM reports it in `StartPosition` / `EndPosition`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column of the character after the token, in UTF-16 units (IAM's convention).
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A parsed JSON value with the positions of its first and last character.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    /// Position after the first character (for objects: after `{`).
    pub start: Position,
    /// Position after the last character (for objects: after `}`).
    pub end: Position,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written (validated against the JSON grammar).
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order; keys are unique (duplicates are a parse error).
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Member {
    pub key: String,
    pub key_pos: Position,
    pub value: Node,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON at all (bad token, unterminated string, trailing data, ...).
    Syntax,
    /// An object names the same key twice.
    DuplicateKey,
    /// Nesting deeper than any policy needs.
    TooDeep,
}

/// Policies nest six levels at most (document, Statement list, statement, Condition,
/// operator, value list); 32 leaves room and still bounds the recursion.
const MAX_DEPTH: usize = 32;

pub(crate) fn parse(text: &str) -> Result<Node, JsonError> {
    let mut reader = Reader { text, pos: 0, line: 1, col: 0 };
    // A leading byte-order mark is not content (Jackson skips it as well).
    if reader.peek() == Some('\u{feff}') {
        reader.pos = '\u{feff}'.len_utf8();
    }
    reader.skip_ws();
    let node = reader.value(0)?;
    reader.skip_ws();
    if reader.peek().is_some() {
        return Err(JsonError::Syntax);
    }
    Ok(node)
}

struct Reader<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    line: u32,
    /// UTF-16 units consumed on the current line.
    col: u32,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|rest| rest.chars().next())
    }

    fn here(&self) -> Position {
        Position { line: self.line, column: self.col.saturating_add(1) }
    }

    /// Consumes one character, keeping line and column up to date.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        match c {
            '\n' => self.new_line(),
            '\r' => {
                // `\r\n` ends one line, like a lone `\r` or `\n`.
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
                self.new_line();
            }
            _ => {
                let units = u32::try_from(c.len_utf16()).unwrap_or(1);
                self.col = self.col.saturating_add(units);
            }
        }
        Some(c)
    }

    fn new_line(&mut self) {
        self.line = self.line.saturating_add(1);
        self.col = 0;
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn expect(&mut self, want: char) -> Result<(), JsonError> {
        if self.bump() == Some(want) {
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
            Some('"') => {
                let (s, start, end) = self.string()?;
                Ok(Node { value: Value::String(s), start, end })
            }
            Some('t') => self.literal("true", Value::Bool(true)),
            Some('f') => self.literal("false", Value::Bool(false)),
            Some('n') => self.literal("null", Value::Null),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            _ => Err(JsonError::Syntax),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, JsonError> {
        let mut start = None;
        for want in word.chars() {
            self.expect(want)?;
            if start.is_none() {
                start = Some(self.here());
            }
        }
        let end = self.here();
        Ok(Node { value, start: start.unwrap_or(end), end })
    }

    fn number(&mut self) -> Result<Node, JsonError> {
        let from = self.pos;
        let mut start = None;
        let mut mark = |r: &Reader<'_>| {
            if start.is_none() {
                start = Some(r.here());
            }
        };
        if self.peek() == Some('-') {
            self.bump();
            mark(self);
        }
        match self.peek() {
            Some('0') => {
                self.bump();
                mark(self);
            }
            Some(c) if c.is_ascii_digit() => self.digits(&mut mark),
            _ => return Err(JsonError::Syntax),
        }
        if self.peek() == Some('.') {
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(JsonError::Syntax);
            }
            self.digits(&mut mark);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(JsonError::Syntax);
            }
            self.digits(&mut mark);
        }
        let raw = self.text.get(from..self.pos).ok_or(JsonError::Syntax)?;
        let end = self.here();
        Ok(Node { value: Value::Number(raw.to_owned()), start: start.unwrap_or(end), end })
    }

    fn digits(&mut self, mark: &mut impl FnMut(&Reader<'_>)) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            mark(self);
        }
    }

    fn string(&mut self) -> Result<(String, Position, Position), JsonError> {
        self.expect('"')?;
        let start = self.here();
        let mut out = String::new();
        loop {
            let c = self.bump().ok_or(JsonError::Syntax)?;
            match c {
                '"' => return Ok((out, start, self.here())),
                '\\' => {
                    let e = self.bump().ok_or(JsonError::Syntax)?;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let unit = self.hex4()?;
                            out.push(self.code_point(unit)?);
                        }
                        _ => return Err(JsonError::Syntax),
                    }
                }
                // Raw control characters are not allowed inside JSON strings.
                c if (c as u32) < 0x20 => return Err(JsonError::Syntax),
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v: u32 = 0;
        for _ in 0..4 {
            let d = self.bump().and_then(|c| c.to_digit(16)).ok_or(JsonError::Syntax)?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// Turns a `\u` escape (and, for a high surrogate, the `\u` escape that must follow it)
    /// into a character. Lone surrogates cannot be represented and are refused.
    fn code_point(&mut self, unit: u32) -> Result<char, JsonError> {
        if (0xD800..0xDC00).contains(&unit) {
            self.expect('\\')?;
            self.expect('u')?;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(JsonError::Syntax);
            }
            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            char::from_u32(c).ok_or(JsonError::Syntax)
        } else {
            char::from_u32(unit).ok_or(JsonError::Syntax)
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, JsonError> {
        self.expect('[')?;
        let start = self.here();
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Node { value: Value::Array(items), start, end: self.here() });
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some(']') => return Ok(Node { value: Value::Array(items), start, end: self.here() }),
                _ => return Err(JsonError::Syntax),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, JsonError> {
        self.expect('{')?;
        let start = self.here();
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Node { value: Value::Object(members), start, end: self.here() });
        }
        loop {
            self.skip_ws();
            if self.peek() != Some('"') {
                return Err(JsonError::Syntax);
            }
            let (key, key_pos, _) = self.string()?;
            self.skip_ws();
            self.expect(':')?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_pos, value });
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some('}') => break,
                _ => return Err(JsonError::Syntax),
            }
        }
        if has_duplicate_key(&members) {
            return Err(JsonError::DuplicateKey);
        }
        Ok(Node { value: Value::Object(members), start, end: self.here() })
    }
}

/// Sorting keeps the check O(n log n) however large a hostile object is.
fn has_duplicate_key(members: &[Member]) -> bool {
    if members.len() < 2 {
        return false;
    }
    let mut keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| matches!(w, [a, b] if a == b))
}

/// Writes `s` as a JSON string literal (used by the document printer).
pub(crate) fn write_string(out: &mut impl fmt::Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32)?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(node: &Node) -> &[Member] {
        match &node.value {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn positions_follow_the_column_after_the_token() {
        // The AWS CLI example for simulate-custom-policy reports 38 and 167 for this document.
        let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;
        let root = parse(doc).unwrap();
        let stmt = &obj(&root)[1].value;
        assert_eq!(stmt.start, Position { line: 1, column: 38 });
        assert_eq!(stmt.end, Position { line: 1, column: 167 });
    }

    #[test]
    fn lines_count_lf_cr_and_crlf_once_each() {
        let root = parse("{\n\"a\":\r\n{\r}\n}").unwrap();
        let inner = &obj(&root)[0].value;
        assert_eq!(inner.start, Position { line: 3, column: 2 });
        assert_eq!(inner.end, Position { line: 4, column: 2 });
    }

    #[test]
    fn columns_count_utf16_units() {
        let root = parse("[\"\u{1F600}\",{}]").unwrap();
        let Value::Array(items) = &root.value else { panic!() };
        // [ " 😀(2 units) " , { -> the { is the 7th unit, so the column after it is 8
        assert_eq!(items[1].start.column, 8);
    }

    #[test]
    fn rejects_what_json_rejects() {
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"a\nb\"",
            "{} {}",
            "tru",
            "nul",
            "[1 2]",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "{\"a\":1 \"b\":2}",
            "/*c*/{}",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn accepts_escapes_numbers_and_bom() {
        let root = parse("\u{feff} {\"k\\u00e9\\ud83d\\ude00\": [-0.5e+3, 10, true, false, null]} ").unwrap();
        let m = obj(&root);
        assert_eq!(m[0].key, "k\u{e9}\u{1F600}");
        let Value::Array(items) = &m[0].value.value else { panic!() };
        assert_eq!(items[0].value, Value::Number("-0.5e+3".into()));
        assert_eq!(items[4].value, Value::Null);
    }

    #[test]
    fn duplicate_keys_and_deep_nesting_are_refused() {
        assert_eq!(parse("{\"a\":1,\"b\":2,\"a\":3}"), Err(JsonError::DuplicateKey));
        assert!(parse("{\"a\":1,\"A\":2}").is_ok());
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&deep), Err(JsonError::TooDeep));
    }

    #[test]
    fn printer_round_trips_strings() {
        let s = "a\"b\\c\n\u{1}\u{e9}";
        let mut out = String::new();
        write_string(&mut out, s).unwrap();
        let root = parse(&out).unwrap();
        assert_eq!(root.value, Value::String(s.into()));
    }
}
