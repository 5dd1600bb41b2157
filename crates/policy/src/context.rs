//! The request context: typed values of condition keys, looked up without regard to case.
//!
//! `[COND]` elements_condition: key names ignore case, including the tag-key part of
//! `aws:PrincipalTag/K`; values compare by the operator's own rules. A key holds one value or
//! a list (multivalued keys such as `aws:TagKeys`); which it is depends on the request, not on
//! the policy (`[MULTI]`). Every interpretation an operator family needs (number, instant, bool,
//! IP, bytes) is worked out when a value is added, so evaluation only compares.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use crate::encoding::{base64_decode, base64_encode};
use crate::matching::VarSource;
use crate::time::Timestamp;
use crate::variables::VarRef;

/// The value types of SimulateCustomPolicy's `ContextKeyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextKeyType {
    String,
    StringList,
    Numeric,
    NumericList,
    Boolean,
    BooleanList,
    Ip,
    IpList,
    Binary,
    BinaryList,
    Date,
    DateList,
}

impl ContextKeyType {
    /// Parses the API's spelling (`string`, `stringList`, `numeric`, ..., `dateList`).
    pub fn parse(s: &str) -> Option<ContextKeyType> {
        use ContextKeyType::*;
        Some(match s {
            "string" => String,
            "stringList" => StringList,
            "numeric" => Numeric,
            "numericList" => NumericList,
            "boolean" => Boolean,
            "booleanList" => BooleanList,
            "ip" => Ip,
            "ipList" => IpList,
            "binary" => Binary,
            "binaryList" => BinaryList,
            "date" => Date,
            "dateList" => DateList,
            _ => return None,
        })
    }

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        use ContextKeyType::*;
        match self {
            String => "string",
            StringList => "stringList",
            Numeric => "numeric",
            NumericList => "numericList",
            Boolean => "boolean",
            BooleanList => "booleanList",
            Ip => "ip",
            IpList => "ipList",
            Binary => "binary",
            BinaryList => "binaryList",
            Date => "date",
            DateList => "dateList",
        }
    }

    /// The `...List` types make a multivalued key.
    pub fn is_list(self) -> bool {
        use ContextKeyType::*;
        matches!(self, StringList | NumericList | BooleanList | IpList | BinaryList | DateList)
    }
}

/// A context value that does not fit its declared type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextError {
    pub key: String,
    pub value: String,
    pub expected: ContextKeyType,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "value {:?} of context key {} is not a valid {}", self.value, self.key, self.expected.as_str())
    }
}

impl std::error::Error for ContextError {}

/// One value of a context key, with every reading an operator family can make of it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextValue {
    /// String operators, Arn operators and policy variables see this.
    text: Box<str>,
    number: Option<f64>,
    date: Option<Timestamp>,
    boolean: Option<bool>,
    ip: Option<IpAddr>,
    binary: Option<Box<[u8]>>,
}

impl ContextValue {
    /// A string; it also reads as a number, date, bool or IP address when it is one, the way
    /// AWS's own context values (all strings on the wire) work with every operator.
    pub fn string(s: impl Into<String>) -> ContextValue {
        let text: String = s.into();
        ContextValue {
            number: parse_number(&text),
            date: Timestamp::parse(&text),
            boolean: parse_bool(&text),
            ip: text.parse().ok(),
            binary: None,
            text: text.into_boxed_str(),
        }
    }

    /// An ARN (compared as text by the Arn and String operators).
    pub fn arn(s: impl Into<String>) -> ContextValue {
        ContextValue::string(s)
    }

    pub fn number(n: f64) -> ContextValue {
        let text = if n.fract() == 0.0 && n.abs() < 1e15 { format!("{n:.0}") } else { n.to_string() };
        // Epoch seconds read as an instant too ([KEYS] aws:EpochTime is Date or Numeric).
        let date = (n.fract() == 0.0 && n.abs() < 9.2e18).then(|| Timestamp::from_unix(n as i64, 0));
        ContextValue { text: text.into(), number: Some(n), date, boolean: None, ip: None, binary: None }
    }

    pub fn date(t: Timestamp) -> ContextValue {
        let number = Some(t.unix_seconds() as f64);
        ContextValue { text: t.to_string().into(), number, date: Some(t), boolean: None, ip: None, binary: None }
    }

    pub fn bool(b: bool) -> ContextValue {
        let text = if b { "true" } else { "false" };
        ContextValue { text: text.into(), number: None, date: None, boolean: Some(b), ip: None, binary: None }
    }

    pub fn ip(ip: IpAddr) -> ContextValue {
        ContextValue {
            text: ip.to_string().into(),
            number: None,
            date: None,
            boolean: None,
            ip: Some(ip),
            binary: None,
        }
    }

    pub fn binary(bytes: impl Into<Vec<u8>>) -> ContextValue {
        let bytes: Vec<u8> = bytes.into();
        ContextValue {
            text: base64_encode(&bytes).into(),
            number: None,
            date: None,
            boolean: None,
            ip: None,
            binary: Some(bytes.into_boxed_slice()),
        }
    }

    /// Parses one value of a declared type, as SimulateCustomPolicy's `ContextEntries` give
    /// them (binary values are base64, dates ISO 8601 or epoch seconds).
    pub fn parse(ty: ContextKeyType, raw: &str) -> Option<ContextValue> {
        use ContextKeyType::*;
        match ty {
            String | StringList => Some(ContextValue::string(raw)),
            Numeric | NumericList => {
                let n = parse_number(raw)?;
                let mut v = ContextValue::number(n);
                v.text = raw.into();
                Some(v)
            }
            Boolean | BooleanList => parse_bool(raw).map(ContextValue::bool),
            Ip | IpList => raw.parse().ok().map(ContextValue::ip),
            Binary | BinaryList => {
                let mut v = ContextValue::binary(base64_decode(raw)?);
                v.text = raw.into();
                Some(v)
            }
            Date | DateList => {
                let t = Timestamp::parse(raw)?;
                let mut v = ContextValue::date(t);
                v.text = raw.into();
                Some(v)
            }
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn as_number(&self) -> Option<f64> {
        self.number
    }
    pub fn as_date(&self) -> Option<Timestamp> {
        self.date
    }
    pub fn as_bool(&self) -> Option<bool> {
        self.boolean
    }
    pub fn as_ip(&self) -> Option<IpAddr> {
        self.ip
    }
    pub fn as_binary(&self) -> Option<&[u8]> {
        self.binary.as_deref()
    }
}

/// Integers and decimals (`10`, `-2.5`), as the Numeric operators accept them.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    s.parse().ok()
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// FNV-1a over the lower-case key: compiled policies keep the hash of every key they read,
/// so a lookup is a binary search over integers and one string comparison.
pub(crate) fn key_hash(lower: &str) -> u64 {
    lower.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// Lower-case key, the lookup key.
    pub key: Box<str>,
    pub hash: u64,
    /// The key as it was added.
    pub name: Box<str>,
    pub values: Box<[ContextValue]>,
    /// Added as a list: a multivalued key, even with one value (cannot be a variable).
    pub list: bool,
}

/// The keys and values of one request. Build it once per request; evaluation only reads it.
///
/// A context may sit on a shared parent ([`RequestContext::layered`]): a key is looked up in the context itself,
/// then in the parent. A server keeps what is the same for every request of a principal (its ARN, tags, ...) in
/// one parent and adds only the request's own keys per request, and an operation adds its action's keys over the
/// request's context without copying it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestContext {
    /// Sorted by (hash, lower-case key).
    entries: Vec<Entry>,
    /// `entries[i].hash`, kept apart so the search touches one small array.
    hashes: Vec<u64>,
    parent: Option<Arc<RequestContext>>,
}

impl RequestContext {
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    /// An empty context over `parent`: its keys are the parent's, until set here (a key set here hides the
    /// parent's value of that key).
    pub fn layered(parent: Arc<RequestContext>) -> RequestContext {
        RequestContext { entries: Vec::new(), hashes: Vec::new(), parent: Some(parent) }
    }

    /// Sets a single-valued key, replacing any value it had (keys ignore case).
    pub fn insert(&mut self, key: &str, value: ContextValue) -> &mut RequestContext {
        self.put(key, vec![value], false)
    }

    /// Sets a multivalued key (such as `aws:TagKeys`), replacing any value it had.
    pub fn insert_list(&mut self, key: &str, values: impl IntoIterator<Item = ContextValue>) -> &mut RequestContext {
        self.put(key, values.into_iter().collect(), true)
    }

    /// Builder form of [`RequestContext::insert`].
    pub fn with(mut self, key: &str, value: ContextValue) -> RequestContext {
        self.insert(key, value);
        self
    }

    /// Builder form of [`RequestContext::insert_list`].
    pub fn with_list(mut self, key: &str, values: impl IntoIterator<Item = ContextValue>) -> RequestContext {
        self.insert_list(key, values);
        self
    }

    /// Sets `aws:CurrentTime` and `aws:EpochTime`, the request's time: the evaluator has no
    /// clock of its own.
    pub fn with_time(mut self, now: Timestamp) -> RequestContext {
        self.insert("aws:CurrentTime", ContextValue::date(now));
        self.insert("aws:EpochTime", ContextValue::number(now.unix_seconds() as f64));
        self
    }

    /// Adds a key from text values of a declared type (SimulateCustomPolicy's
    /// `ContextEntries`): a list type makes a multivalued key.
    pub fn insert_typed<S: AsRef<str>>(
        &mut self,
        key: &str,
        ty: ContextKeyType,
        values: &[S],
    ) -> Result<&mut RequestContext, ContextError> {
        let mut parsed = Vec::with_capacity(values.len());
        for v in values {
            let v = v.as_ref();
            parsed.push(ContextValue::parse(ty, v).ok_or_else(|| ContextError {
                key: key.to_owned(),
                value: v.to_owned(),
                expected: ty,
            })?);
        }
        Ok(self.put(key, parsed, ty.is_list()))
    }

    /// Removes the key from this context (a parent's value of it, if any, shows again).
    pub fn remove(&mut self, key: &str) -> &mut RequestContext {
        let lower = key.to_lowercase();
        self.entries.retain(|e| *e.key != *lower);
        self.hashes = self.entries.iter().map(|e| e.hash).collect();
        self
    }

    /// The values of `key` (any case), and whether it is multivalued.
    pub fn get(&self, key: &str) -> Option<(&[ContextValue], bool)> {
        self.lookup(&key.to_lowercase()).map(|e| (&*e.values, e.list))
    }

    /// The keys present, as they were added: this context's, then the parent's that it does not hide.
    pub fn keys(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        let own = self.entries.iter().map(|e| &*e.name);
        match &self.parent {
            None => Box::new(own),
            Some(p) => Box::new(own.chain(p.keys().filter(|k| self.own_entry(&k.to_lowercase()).is_none()))),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.parent.as_ref().is_none_or(|p| p.is_empty())
    }

    fn put(&mut self, key: &str, values: Vec<ContextValue>, list: bool) -> &mut RequestContext {
        let lower = key.to_lowercase();
        let hash = key_hash(&lower);
        let entry = Entry { key: lower.into(), hash, name: key.into(), values: values.into(), list };
        match self.entries.binary_search_by(|e| (e.hash, &*e.key).cmp(&(entry.hash, &*entry.key))) {
            Ok(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    *slot = entry;
                }
            }
            Err(i) => {
                self.entries.insert(i, entry);
                self.hashes.insert(i, hash);
            }
        }
        self
    }

    /// Lookup by a key already in lower case.
    pub(crate) fn lookup(&self, lower_key: &str) -> Option<&Entry> {
        self.lookup_hashed(key_hash(lower_key), lower_key)
    }

    /// Lookup by a lower-case key and its [`key_hash`] (compiled policies keep both): here, then in the parent.
    pub(crate) fn lookup_hashed(&self, hash: u64, lower_key: &str) -> Option<&Entry> {
        let first = self.hashes.partition_point(|h| *h < hash);
        let own = self
            .entries
            .get(first..)
            .and_then(|rest| rest.iter().take_while(|e| e.hash == hash).find(|e| *e.key == *lower_key));
        match (own, &self.parent) {
            (Some(e), _) => Some(e),
            (None, Some(p)) => p.lookup_hashed(hash, lower_key),
            (None, None) => None,
        }
    }

    fn own_entry(&self, lower_key: &str) -> Option<&Entry> {
        let hash = key_hash(lower_key);
        let first = self.hashes.partition_point(|h| *h < hash);
        self.entries.get(first..)?.iter().take_while(|e| e.hash == hash).find(|e| *e.key == *lower_key)
    }
}

impl VarSource for RequestContext {
    /// Only a single-valued key can stand in for a variable (`[VARS]`).
    fn var(&self, v: &VarRef) -> Option<&str> {
        let e = self.lookup_hashed(v.hash, &v.key)?;
        match &*e.values {
            [one] if !e.list => Some(one.text()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_look_up_through_and_hide() {
        let parent = Arc::new(
            RequestContext::new()
                .with("aws:username", ContextValue::string("alice"))
                .with("a", ContextValue::string("1")),
        );
        let mut ctx = RequestContext::layered(parent.clone());
        ctx.insert("A", ContextValue::string("2"));
        ctx.insert("b", ContextValue::string("3"));
        assert_eq!(ctx.get("aws:UserName").unwrap().0[0].text(), "alice");
        assert_eq!(ctx.get("a").unwrap().0[0].text(), "2");
        assert_eq!(parent.get("a").unwrap().0[0].text(), "1");
        let mut keys: Vec<&str> = ctx.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["A", "aws:username", "b"]);
        ctx.remove("a");
        assert_eq!(ctx.get("a").unwrap().0[0].text(), "1");
        assert!(!ctx.is_empty() && RequestContext::layered(Arc::new(RequestContext::new())).is_empty());
    }

    #[test]
    fn keys_ignore_case_and_replace() {
        let mut ctx = RequestContext::new();
        ctx.insert("aws:SourceIp", ContextValue::string("10.0.0.1"));
        ctx.insert("AWS:SOURCEIP", ContextValue::string("10.0.0.2"));
        let (vals, list) = ctx.get("aws:sourceip").unwrap();
        assert_eq!((vals.len(), vals[0].text(), list), (1, "10.0.0.2", false));
        assert_eq!(vals[0].as_ip(), Some("10.0.0.2".parse().unwrap()));
        ctx.remove("Aws:SourceIP");
        assert!(ctx.get("aws:SourceIp").is_none());
    }

    #[test]
    fn typed_values() {
        let mut ctx = RequestContext::new();
        ctx.insert_typed("n", ContextKeyType::Numeric, &["10.50"]).unwrap();
        assert_eq!(ctx.get("n").unwrap().0[0].as_number(), Some(10.5));
        assert!(ctx.insert_typed("n", ContextKeyType::Numeric, &["ten"]).is_err());
        assert!(ctx.insert_typed("b", ContextKeyType::Boolean, &["yes"]).is_err());
        ctx.insert_typed("d", ContextKeyType::Date, &["2019-04-25T11:00:00Z"]).unwrap();
        assert_eq!(ctx.get("d").unwrap().0[0].as_date().unwrap().unix_seconds(), 1_556_190_000);
        ctx.insert_typed("x", ContextKeyType::Binary, &["aGVsbG8="]).unwrap();
        assert_eq!(ctx.get("x").unwrap().0[0].as_binary(), Some(&b"hello"[..]));
        ctx.insert_typed("tags", ContextKeyType::StringList, &["a"]).unwrap();
        assert!(ctx.get("TAGS").unwrap().1);
        assert_eq!(ContextKeyType::parse("ipList"), Some(ContextKeyType::IpList));
    }

    #[test]
    fn numbers_are_strict() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-0.5"), Some(-0.5));
        for bad in ["", "1e5", "inf", "NaN", ".5", "5.", "+1", " 1"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
