//! Condition operators: compiled once per policy, evaluated against the request context.
//!
//! `[MULTI]` multi-value-conditions and `[OPS]` condition_operators fix how the parts combine:
//! - operators AND, keys under one operator AND, values for one key OR;
//! - a negated operator (`StringNotEquals`, `NotIpAddress`, ...) is the negation of its positive
//!   form, so with several values it is a NOR;
//! - a missing key makes a positive operator false and a negated one true; `...IfExists` makes
//!   it true; `Null` tests presence;
//! - `ForAllValues:` is true when every request value matches (and when the key is missing or
//!   empty), `ForAnyValue:` when at least one does (false when missing, unless `IfExists`);
//! - without a qualifier a multivalued key matches when any of its values does *(derived)*.
//!
//! Each operator family lives in its own module and answers one question: does this request
//! value match at least one of the policy's values?

mod arn;
mod binary;
mod boolean;
mod date;
mod ip;
mod null;
mod numeric;
mod string;

use crate::context::{ContextValue, RequestContext};
use crate::document::{split_operator, ConditionEntry};
use crate::json::Position;
use crate::variables::VarRef;

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// Numeric and date comparisons: the request value on the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// One compiled `"Operator": {"key": values}` entry.
#[derive(Clone, Debug)]
pub(crate) struct Condition {
    /// Lower-case key and its hash, for lookup.
    key: Box<str>,
    hash: u64,
    /// The key as written (missing-key reports, context-key listing).
    pub name: Box<str>,
    pub key_pos: Position,
    negated: bool,
    if_exists: bool,
    set: Option<SetQualifier>,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
    String(string::StringTest),
    Numeric(numeric::NumericTest),
    Date(date::DateTest),
    Bool(boolean::BoolTest),
    Binary(binary::BinaryTest),
    Ip(ip::IpTest),
    Arn(arn::ArnTest),
    Null(null::NullTest),
}

impl Condition {
    /// Compiles one entry of a known operator (unknown operators carry no entries: the
    /// grammar refuses them otherwise). `variables` is false for Version 2008-10-17.
    pub(crate) fn compile(operator: &str, entry: &ConditionEntry, variables: bool) -> Option<Condition> {
        let (qualifier, base, if_exists) = split_operator(operator);
        let set = match qualifier {
            Some("ForAllValues") => Some(SetQualifier::ForAllValues),
            Some("ForAnyValue") => Some(SetQualifier::ForAnyValue),
            _ => None,
        };
        let values = entry.values.as_slice();
        let (negated, test) = match base {
            "StringEquals" => (false, Test::String(string::StringTest::equals(values, false, variables))),
            "StringNotEquals" => (true, Test::String(string::StringTest::equals(values, false, variables))),
            "StringEqualsIgnoreCase" => (false, Test::String(string::StringTest::equals(values, true, variables))),
            "StringNotEqualsIgnoreCase" => (true, Test::String(string::StringTest::equals(values, true, variables))),
            "StringLike" => (false, Test::String(string::StringTest::like(values, variables))),
            "StringNotLike" => (true, Test::String(string::StringTest::like(values, variables))),
            "NumericEquals" => (false, Test::Numeric(numeric::NumericTest::new(values, Cmp::Eq))),
            "NumericNotEquals" => (true, Test::Numeric(numeric::NumericTest::new(values, Cmp::Eq))),
            "NumericLessThan" => (false, Test::Numeric(numeric::NumericTest::new(values, Cmp::Lt))),
            "NumericLessThanEquals" => (false, Test::Numeric(numeric::NumericTest::new(values, Cmp::Le))),
            "NumericGreaterThan" => (false, Test::Numeric(numeric::NumericTest::new(values, Cmp::Gt))),
            "NumericGreaterThanEquals" => (false, Test::Numeric(numeric::NumericTest::new(values, Cmp::Ge))),
            "DateEquals" => (false, Test::Date(date::DateTest::new(values, Cmp::Eq))),
            "DateNotEquals" => (true, Test::Date(date::DateTest::new(values, Cmp::Eq))),
            "DateLessThan" => (false, Test::Date(date::DateTest::new(values, Cmp::Lt))),
            "DateLessThanEquals" => (false, Test::Date(date::DateTest::new(values, Cmp::Le))),
            "DateGreaterThan" => (false, Test::Date(date::DateTest::new(values, Cmp::Gt))),
            "DateGreaterThanEquals" => (false, Test::Date(date::DateTest::new(values, Cmp::Ge))),
            "Bool" => (false, Test::Bool(boolean::BoolTest::new(values, variables))),
            "BinaryEquals" => (false, Test::Binary(binary::BinaryTest::new(values))),
            "IpAddress" => (false, Test::Ip(ip::IpTest::new(values))),
            "NotIpAddress" => (true, Test::Ip(ip::IpTest::new(values))),
            // ArnEquals and ArnLike behave identically, as do their negations ([OPS]).
            "ArnEquals" | "ArnLike" => (false, Test::Arn(arn::ArnTest::new(values, variables))),
            "ArnNotEquals" | "ArnNotLike" => (true, Test::Arn(arn::ArnTest::new(values, variables))),
            "Null" => (false, Test::Null(null::NullTest::new(values))),
            _ => return None,
        };
        let key = entry.key.to_lowercase();
        Some(Condition {
            hash: crate::context::key_hash(&key),
            key: key.into(),
            name: entry.key.as_str().into(),
            key_pos: entry.key_pos,
            negated,
            if_exists,
            set,
            test,
        })
    }

    /// The condition's truth for this request.
    pub(crate) fn eval(&self, ctx: &RequestContext) -> bool {
        let values: &[ContextValue] = ctx.lookup_hashed(self.hash, &self.key).map_or(&[], |e| &e.values);
        if let Test::Null(t) = &self.test {
            return t.eval(!values.is_empty());
        }
        let matches = |v: &ContextValue| self.test_one(v, ctx) != self.negated;
        match self.set {
            None if values.is_empty() => self.if_exists || self.negated,
            None => values.iter().any(|v| self.test_one(v, ctx)) != self.negated,
            Some(SetQualifier::ForAllValues) => values.iter().all(matches),
            Some(SetQualifier::ForAnyValue) if values.is_empty() => self.if_exists,
            Some(SetQualifier::ForAnyValue) => values.iter().any(matches),
        }
    }

    /// Does `v` match at least one of the policy's values?
    fn test_one(&self, v: &ContextValue, ctx: &RequestContext) -> bool {
        match &self.test {
            Test::String(t) => t.matches(v, ctx),
            Test::Numeric(t) => t.matches(v),
            Test::Date(t) => t.matches(v),
            Test::Bool(t) => t.matches(v, ctx),
            Test::Binary(t) => t.matches(v),
            Test::Ip(t) => t.matches(v),
            Test::Arn(t) => t.matches(v, ctx),
            Test::Null(_) => false,
        }
    }

    /// The key is absent from the request (what SimulateCustomPolicy reports as a missing
    /// context value); `Null` asks about absence and so never misses its key.
    pub(crate) fn key_missing(&self, ctx: &RequestContext) -> bool {
        !matches!(self.test, Test::Null(_))
            && ctx.lookup_hashed(self.hash, &self.key).is_none_or(|e| e.values.is_empty())
    }

    /// Variables used in the policy values.
    pub(crate) fn vars(&self) -> Box<dyn Iterator<Item = &VarRef> + '_> {
        match &self.test {
            Test::String(t) => Box::new(t.vars()),
            Test::Bool(t) => Box::new(t.vars()),
            Test::Arn(t) => Box::new(t.vars()),
            _ => Box::new(std::iter::empty()),
        }
    }
}
