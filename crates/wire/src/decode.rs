//! Decoding Query-protocol parameters into generated input shapes, with AWS's validation.
//!
//! Generated code describes each shape's members; this module does the work once for all of them:
//! * wire layout: scalars at `Name`, nested structures at `Name.Member`, lists at `Name.member.N` (from 1, up to the
//!   first gap; a bare `Name=` is an empty list, which is how botocore sends one), maps at `Name.entry.N.key` and
//!   `Name.entry.N.value`;
//! * validation with AWS's messages: `Value at 'userName' failed to satisfy constraint: ...` (IAM no longer echoes
//!   values) or `Value 'x' at 'roleSessionName' ...` (STS still does), collected and reported as one
//!   `ValidationError`: `N validation error(s) detected: ` followed by the failures joined with `; `.
//!
//! The order of the failures is AWS's: the generator orders each structure's members the way AWS's (Java) service
//! framework iterates them, and a failing list of scalars is reported once, with the element constraints listed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::error::AwsError;
use crate::form::Params;
use crate::secret::Secret;
use crate::time::Timestamp;

/// A model pattern: the Java source (quoted in messages) and its translation for the `regex` crate, compiled on
/// first use. Java's `matches()` is a whole-string match, so the translation is anchored. A pattern that does not
/// compile fails closed: no value matches it, so the value is refused with the pattern's `ValidationError`, as if it
/// did not match (a test, `every_pattern_compiles`, checks that no generated pattern is broken).
#[derive(Debug)]
pub struct Pattern {
    java: &'static str,
    rust: &'static str,
    /// Some Java patterns use look-ahead, which `regex` lacks; their translation is the pattern without the
    /// look-ahead plus this regex, which must not match anywhere in the value.
    deny: Option<&'static str>,
    re: OnceLock<Option<(Regex, Option<Regex>)>>,
}

impl Pattern {
    pub const fn new(java: &'static str, rust: &'static str) -> Self {
        Pattern { java, rust, deny: None, re: OnceLock::new() }
    }

    pub const fn with_deny(java: &'static str, rust: &'static str, deny: &'static str) -> Self {
        Pattern { java, rust, deny: Some(deny), re: OnceLock::new() }
    }

    /// The model's (Java) pattern, as AWS quotes it in validation messages.
    pub fn java(&self) -> &'static str {
        self.java
    }

    fn compiled(&self) -> Option<&(Regex, Option<Regex>)> {
        self.re
            .get_or_init(|| {
                let re = Regex::new(self.rust).ok()?;
                let deny = match self.deny {
                    Some(d) => Some(Regex::new(d).ok()?),
                    None => None,
                };
                Some((re, deny))
            })
            .as_ref()
    }

    /// Whether the translation compiles (for tests).
    pub fn compiles(&self) -> bool {
        self.compiled().is_some()
    }

    /// Whole-string match; `false` when the pattern (or its deny part) could not be compiled, so that a broken
    /// pattern refuses every value rather than letting every value through.
    pub fn is_match(&self, value: &str) -> bool {
        match self.compiled() {
            Some((re, deny)) => re.is_match(value) && !deny.as_ref().is_some_and(|d| d.is_match(value)),
            None => false,
        }
    }
}

/// The constraints of one shape. For strings and blobs `min`/`max` bound the length (in characters), for numbers
/// the value, for lists and maps the number of elements. `elem` is the rule of a list's elements or a map's keys,
/// `value` that of a map's values. `summary` is the bracketed list AWS reports when an element of a list of scalars
/// fails (`Member must have length less than or equal to 128, ..., Member must not be null`).
#[derive(Debug)]
pub struct Rule {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub pattern: Option<&'static Pattern>,
    pub elem: Option<&'static Rule>,
    pub value: Option<&'static Rule>,
    pub summary: Option<&'static str>,
}

impl Rule {
    pub const NONE: Rule = Rule { min: None, max: None, pattern: None, elem: None, value: None, summary: None };
}

/// Where a value sits: its parameter key (`Tags.member.1.Key`) and its path in messages (`tags.1.member.key`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct At {
    pub key: String,
    pub path: String,
}

impl At {
    pub fn root() -> At {
        At::default()
    }

    /// The member `wire` (its message name `path`) of the structure at `self`.
    pub fn child(&self, wire: &str, path: &str) -> At {
        At { key: join(&self.key, wire), path: join(&self.path, path) }
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        return name.to_owned();
    }
    let mut s = String::with_capacity(base.len() + 1 + name.len());
    s.push_str(base);
    s.push('.');
    s.push_str(name);
    s
}

/// Collects validation failures while a structure is decoded.
#[derive(Debug)]
pub struct Decoder<'p> {
    params: &'p Params,
    /// STS style: failures quote the value (`Value 'x' at ...`, `Value null at ...`).
    echo: bool,
    /// Inside a secret member: never quote the value.
    hide: u32,
    /// Inside the elements of a list of scalars: failures are summarised once for the list.
    quiet: u32,
    elem_failed: bool,
    errors: Vec<String>,
}

impl<'p> Decoder<'p> {
    pub fn new(params: &'p Params, echo: bool) -> Self {
        Decoder { params, echo, hide: 0, quiet: 0, elem_failed: false, errors: Vec::new() }
    }

    pub fn params(&self) -> &'p Params {
        self.params
    }

    /// Records that the value at `at` fails `constraint`. In the echoing style the message quotes `value`
    /// (`None` is an absent value: `Value null at ...`).
    pub fn fail(&mut self, at: &At, value: Option<&str>, constraint: &str) {
        self.record(at, Some(value), constraint);
    }

    /// Like [`Decoder::fail`] for a value that has no short text form (a list of structures, a map, a blob):
    /// never quoted.
    pub fn fail_unquoted(&mut self, at: &At, constraint: &str) {
        self.record(at, None, constraint);
    }

    fn record(&mut self, at: &At, value: Option<Option<&str>>, constraint: &str) {
        if self.quiet > 0 {
            self.elem_failed = true;
            return;
        }
        let msg = match value {
            Some(Some(v)) if self.echo && self.hide == 0 => {
                format!("Value '{v}' at '{}' failed to satisfy constraint: {constraint}", at.path)
            }
            Some(None) if self.echo && self.hide == 0 => {
                format!("Value null at '{}' failed to satisfy constraint: {constraint}", at.path)
            }
            _ => format!("Value at '{}' failed to satisfy constraint: {constraint}", at.path),
        };
        self.errors.push(msg);
    }

    /// Decodes the member `wire` of the structure at `at`. Absent: `None`, and a `Member must not be null` failure
    /// when `required`.
    pub fn field<T: Decode>(&mut self, at: &At, wire: &str, path: &str, required: bool, rule: &Rule) -> Option<T> {
        let at = at.child(wire, path);
        let present = if T::SCALAR { self.params.get(&at.key).is_some() } else { self.params.has_under(&at.key) };
        if !present {
            if required {
                self.fail(&at, None, "Member must not be null");
            }
            return None;
        }
        T::decode_value(self, &at, rule)
    }

    /// The raw parameter at `at`.
    pub fn raw(&self, at: &At) -> Option<&'p str> {
        self.params.get(&at.key)
    }

    /// A string, checked against pattern and length.
    pub fn string(&mut self, at: &At, rule: &Rule) -> Option<String> {
        let v = self.raw(at)?;
        self.check_string(at, v, rule);
        Some(v.to_owned())
    }

    fn check_string(&mut self, at: &At, v: &str, rule: &Rule) {
        if let Some(p) = rule.pattern {
            if !p.is_match(v) {
                self.fail(at, Some(v), &format!("Member must satisfy regular expression pattern: {}", p.java()));
            }
        }
        if rule.min.is_some() || rule.max.is_some() {
            let len = i64::try_from(v.chars().count()).unwrap_or(i64::MAX);
            self.check_len(at, Some(v), len, rule);
        }
    }

    /// Length bounds; `v` is the value's text for the echoing style (`None`: not quoted).
    fn check_len(&mut self, at: &At, v: Option<&str>, len: i64, rule: &Rule) {
        let constraint = if let Some(max) = rule.max.filter(|m| len > *m) {
            format!("Member must have length less than or equal to {max}")
        } else if let Some(min) = rule.min.filter(|m| len < *m) {
            format!("Member must have length greater than or equal to {min}")
        } else {
            return;
        };
        match v {
            Some(v) => self.fail(at, Some(v), &constraint),
            None => self.fail_unquoted(at, &constraint),
        }
    }

    /// An enumeration value: `from_wire` maps the text to the variant.
    pub fn enumeration<E>(&mut self, at: &At, from_wire: fn(&str) -> Option<E>) -> Option<E> {
        let v = self.raw(at)?;
        let e = from_wire(v);
        if e.is_none() {
            self.fail(at, Some(v), "Member must satisfy enum value set");
        }
        e
    }

    /// An integer, checked against its range. Text that is not an integer of the member's width fails once,
    /// without a range message (Java would not have parsed it either).
    pub fn integer<I: TryFrom<i64> + Copy>(&mut self, at: &At, rule: &Rule) -> Option<I> {
        let v = self.raw(at)?;
        let Some((n, out)) = v.parse::<i64>().ok().and_then(|n| Some((n, I::try_from(n).ok()?))) else {
            self.fail(at, Some(v), "Member must be a number");
            return None;
        };
        if let Some(max) = rule.max.filter(|m| n > *m) {
            self.fail(at, Some(v), &format!("Member must have value less than or equal to {max}"));
        } else if let Some(min) = rule.min.filter(|m| n < *m) {
            self.fail(at, Some(v), &format!("Member must have value greater than or equal to {min}"));
        }
        Some(out)
    }

    /// `true` or `false` (any case, as Java's parser takes them).
    pub fn boolean(&mut self, at: &At) -> Option<bool> {
        let v = self.raw(at)?;
        if v.eq_ignore_ascii_case("true") {
            Some(true)
        } else if v.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            self.fail(at, Some(v), "Member must be a boolean");
            None
        }
    }

    pub fn timestamp(&mut self, at: &At) -> Option<Timestamp> {
        let v = self.raw(at)?;
        let t = Timestamp::parse(v);
        if t.is_none() {
            self.fail(at, Some(v), "Member must be a timestamp");
        }
        t
    }

    /// Base64 text, decoded; `min`/`max` bound the decoded length.
    pub fn blob(&mut self, at: &At, rule: &Rule) -> Option<Vec<u8>> {
        let v = self.raw(at)?;
        let Some(bytes) = crate::base64::decode(v) else {
            self.fail_unquoted(at, "Member must be base64-encoded");
            return None;
        };
        self.check_len(at, None, i64::try_from(bytes.len()).unwrap_or(i64::MAX), rule);
        Some(bytes)
    }

    /// A list at `at`: elements `at.member.N` from 1 to the first gap.
    pub fn list<T: Decode>(&mut self, at: &At, rule: &Rule) -> Vec<T> {
        let elem_rule = rule.elem.unwrap_or(&Rule::NONE);
        let mut elems = Vec::new();
        let mut n = 1usize;
        loop {
            let key = format!("{}.member.{n}", at.key);
            let present = if T::SCALAR { self.params.get(&key).is_some() } else { self.params.has_under(&key) };
            if !present {
                break;
            }
            elems.push(At { key, path: format!("{}.{n}.member", at.path) });
            n += 1;
        }
        let echo = if self.echo && T::SCALAR {
            let vals: Vec<&str> = elems.iter().map(|e| self.params.get(&e.key).unwrap_or_default()).collect();
            Some(format!("[{}]", vals.join(", ")))
        } else {
            None
        };
        // The list's own length comes first, then its elements (AWS reports `tags` before `tags.51.member.key`).
        self.check_len(at, echo.as_deref(), i64::try_from(elems.len()).unwrap_or(i64::MAX), rule);
        let mut out = Vec::with_capacity(elems.len());
        if T::SCALAR {
            let (saved_quiet, saved_failed) = (self.quiet, self.elem_failed);
            self.quiet += 1;
            self.elem_failed = false;
            for e in &elems {
                if let Some(v) = T::decode_value(self, e, elem_rule) {
                    out.push(v);
                }
            }
            let failed = self.elem_failed;
            self.quiet = saved_quiet;
            self.elem_failed = saved_failed;
            if failed {
                let summary = rule.summary.unwrap_or("Member must not be null");
                let constraint = format!("Member must satisfy constraint: [{summary}]");
                match echo.as_deref() {
                    Some(v) => self.fail(at, Some(v), &constraint),
                    None => self.fail_unquoted(at, &constraint),
                }
            }
        } else {
            for e in &elems {
                if let Some(v) = T::decode_value(self, e, elem_rule) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// A map at `at`: `at.entry.N.key` / `at.entry.N.value`, from 1 to the first gap. A repeated key keeps its
    /// last value.
    pub fn map<K: Decode + Ord, V: Decode>(&mut self, at: &At, rule: &Rule) -> BTreeMap<K, V> {
        let (krule, vrule) = (rule.elem.unwrap_or(&Rule::NONE), rule.value.unwrap_or(&Rule::NONE));
        let mut out = BTreeMap::new();
        let mut n = 1usize;
        let mut entries = Vec::new();
        while self.params.has_under(&format!("{}.entry.{n}", at.key)) {
            entries.push(At { key: format!("{}.entry.{n}", at.key), path: format!("{}.{n}.entry", at.path) });
            n += 1;
        }
        self.check_len(at, None, i64::try_from(entries.len()).unwrap_or(i64::MAX), rule);
        for e in &entries {
            let k = self.field::<K>(e, "key", "key", true, krule);
            let v = self.field::<V>(e, "value", "value", true, vrule);
            if let (Some(k), Some(v)) = (k, v) {
                out.insert(k, v);
            }
        }
        out
    }

    /// The decoded value if nothing failed, else the `ValidationError` listing every failure.
    pub fn finish<T>(self, value: T) -> Result<T, AwsError> {
        if self.errors.is_empty() {
            return Ok(value);
        }
        let n = self.errors.len();
        let msg = format!("{n} validation error{} detected: {}", if n == 1 { "" } else { "s" }, self.errors.join("; "));
        Err(AwsError::validation_error(msg))
    }
}

/// A model shape that can be read from Query parameters.
pub trait Decode: Sized {
    /// Scalars live at their key; structures, lists and maps at keys below it.
    const SCALAR: bool;

    /// Decodes the value at `at` (known to be present), recording failures in `d`. `None` when the value could not
    /// be read at all (the failure is recorded).
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self>;
}

/// Decodes a whole operation input: the structure sits at the root of the parameters.
pub fn decode_input<T: Decode + Default>(params: &Params, echo: bool) -> Result<T, AwsError> {
    let mut d = Decoder::new(params, echo);
    let v = T::decode_value(&mut d, &At::root(), &Rule::NONE).unwrap_or_default();
    d.finish(v)
}

impl Decode for String {
    const SCALAR: bool = true;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        d.string(at, rule)
    }
}

impl Decode for i32 {
    const SCALAR: bool = true;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        d.integer(at, rule)
    }
}

impl Decode for i64 {
    const SCALAR: bool = true;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        d.integer(at, rule)
    }
}

impl Decode for bool {
    const SCALAR: bool = true;
    fn decode_value(d: &mut Decoder<'_>, at: &At, _rule: &Rule) -> Option<Self> {
        d.boolean(at)
    }
}

impl Decode for Timestamp {
    const SCALAR: bool = true;
    fn decode_value(d: &mut Decoder<'_>, at: &At, _rule: &Rule) -> Option<Self> {
        d.timestamp(at)
    }
}

impl Decode for Vec<u8> {
    const SCALAR: bool = true;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        d.blob(at, rule)
    }
}

/// A secret is decoded like its value, but failures never quote it.
impl<T: Decode + zeroize::Zeroize> Decode for Secret<T> {
    const SCALAR: bool = T::SCALAR;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        d.hide += 1;
        let v = T::decode_value(d, at, rule);
        d.hide -= 1;
        v.map(Secret::new)
    }
}

impl<T: Decode> Decode for Box<T> {
    const SCALAR: bool = T::SCALAR;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        T::decode_value(d, at, rule).map(Box::new)
    }
}

impl<T: Decode> Decode for Vec<T> {
    const SCALAR: bool = false;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        Some(d.list(at, rule))
    }
}

impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    const SCALAR: bool = false;
    fn decode_value(d: &mut Decoder<'_>, at: &At, rule: &Rule) -> Option<Self> {
        Some(d.map(at, rule))
    }
}
