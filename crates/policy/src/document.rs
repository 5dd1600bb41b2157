//! The policy document as written: a typed tree built from the JSON, before any semantic
//! check beyond the grammar, with the source position of each statement.
//!
//! It keeps what validation needs to reproduce IAM's messages (the `Effect` as written, raw
//! condition values, whether an element was a list) and prints back to JSON, so that
//! parse → print → parse gives the same document.

use std::fmt::{self, Write as _};

use crate::json::{self, Member, Node, Position, Value};

/// A policy document as written.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument {
    /// `Version` as written (one of `2012-10-17`, `2008-10-17`), if present.
    pub version: Option<String>,
    /// `Id` as written, if present.
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// Whether `Statement` was a list (`[...]`) rather than a single object.
    pub statement_list: bool,
}

/// One statement as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    /// `Effect` exactly as written: `Allow`/`Deny` in any case passes the grammar; the exact
    /// case is checked later, as IAM does ("The policy failed legacy parsing").
    pub effect: String,
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`.
    pub action: Option<Element>,
    /// `Resource` or `NotResource`.
    pub resource: Option<Element>,
    /// `Condition` blocks in document order; `None` when the statement has no `Condition`.
    pub condition: Option<Vec<ConditionBlock>>,
    /// Position after the statement's `{`, as IAM reports `StartPosition`.
    pub start: Position,
    /// Position after the statement's `}`, as IAM reports `EndPosition`.
    pub end: Position,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    /// `NotAction` / `NotResource`.
    pub negated: bool,
    pub values: ValueList,
    /// Where the value starts in the document (orders context keys as written).
    pub pos: Position,
}

/// A string or a list of strings.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueList {
    One(String),
    Many(Vec<String>),
}

impl ValueList {
    pub fn as_slice(&self) -> &[String] {
        match self {
            ValueList::One(s) => std::slice::from_ref(s),
            ValueList::Many(v) => v,
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalElement {
    pub negated: bool,
    pub value: PrincipalValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PrincipalValue {
    /// `"*"`.
    Wildcard,
    /// `{"AWS": ..., "Service": ..., "Federated": ..., "CanonicalUser": ...}` in document order.
    Map(Vec<(PrincipalKey, ValueList)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKey {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalKey {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKey::Aws => "AWS",
            PrincipalKey::Service => "Service",
            PrincipalKey::Federated => "Federated",
            PrincipalKey::CanonicalUser => "CanonicalUser",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "AWS" => Some(PrincipalKey::Aws),
            "Service" => Some(PrincipalKey::Service),
            "Federated" => Some(PrincipalKey::Federated),
            "CanonicalUser" => Some(PrincipalKey::CanonicalUser),
            _ => None,
        }
    }
}

/// One operator of a `Condition` (`"StringEquals": {...}`).
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionBlock {
    /// The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    pub entries: Vec<ConditionEntry>,
}

/// One key of a condition operator with its values.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry {
    /// The context key as written (matching ignores case).
    pub key: String,
    pub key_pos: Position,
    pub values: ConditionValues,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConditionValues {
    One(Scalar),
    Many(Vec<Scalar>),
}

impl ConditionValues {
    pub fn as_slice(&self) -> &[Scalar] {
        match self {
            ConditionValues::One(s) => std::slice::from_ref(s),
            ConditionValues::Many(v) => v,
        }
    }
}

/// A condition value: JSON strings, numbers and booleans are all accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    String(String),
    /// The number as written, e.g. `10` or `2.5`.
    Number(String),
    Bool(bool),
}

impl Scalar {
    /// The value as text, the form every operator starts from.
    pub fn text(&self) -> &str {
        match self {
            Scalar::String(s) | Scalar::Number(s) => s,
            Scalar::Bool(true) => "true",
            Scalar::Bool(false) => "false",
        }
    }
}

/// The grammar failed: IAM answers `Syntax errors in policy.`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GrammarError;

type Grammar<T> = Result<T, GrammarError>;

const STATEMENT_KEYS: [&str; 9] =
    ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// The condition operators IAM knows, without `ForAllValues:`/`ForAnyValue:` and `IfExists`
/// (`[OPS]` condition_operators). An unknown operator is only accepted with an empty body.
pub(crate) const OPERATORS: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Splits `ForAnyValue:StringEqualsIfExists` into its qualifier, base operator and `IfExists`.
pub(crate) fn split_operator(op: &str) -> (Option<&'static str>, &str, bool) {
    let (qualifier, rest) = if let Some(rest) = op.strip_prefix("ForAnyValue:") {
        (Some("ForAnyValue"), rest)
    } else if let Some(rest) = op.strip_prefix("ForAllValues:") {
        (Some("ForAllValues"), rest)
    } else {
        (None, op)
    };
    match rest.strip_suffix("IfExists") {
        Some(base) => (qualifier, base, true),
        None => (qualifier, rest, false),
    }
}

pub(crate) fn is_known_operator(op: &str) -> bool {
    let (_, base, _) = split_operator(op);
    OPERATORS.contains(&base)
}

impl PolicyDocument {
    /// Builds the document from parsed JSON, checking only the grammar: element names and
    /// types, the Action/NotAction and Resource/NotResource pairs, `Effect` in any case,
    /// `Version` one of the two dates, condition operators (an unknown one must be empty).
    pub(crate) fn from_json(root: &Node) -> Grammar<PolicyDocument> {
        let members = object(root)?;
        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for m in members {
            match m.key.as_str() {
                "Version" => {
                    let v = string(&m.value)?;
                    if v != "2012-10-17" && v != "2008-10-17" {
                        return Err(GrammarError);
                    }
                    version = Some(v.to_owned());
                }
                "Id" => id = Some(string(&m.value)?.to_owned()),
                "Statement" => statement = Some(&m.value),
                _ => return Err(GrammarError),
            }
        }
        let statement = statement.ok_or(GrammarError)?;
        let (statements, statement_list) = match &statement.value {
            Value::Object(_) => (vec![Statement::from_json(statement)?], false),
            Value::Array(items) if !items.is_empty() => {
                (items.iter().map(Statement::from_json).collect::<Grammar<Vec<_>>>()?, true)
            }
            _ => return Err(GrammarError),
        };
        Ok(PolicyDocument { version, id, statements, statement_list })
    }
}

impl Statement {
    fn from_json(node: &Node) -> Grammar<Statement> {
        let members = object(node)?;
        if members.iter().any(|m| !STATEMENT_KEYS.contains(&m.key.as_str())) {
            return Err(GrammarError);
        }
        let get = |k: &str| members.iter().find(|m| m.key == k).map(|m| &m.value);
        let effect = string(get("Effect").ok_or(GrammarError)?)?;
        if !effect.eq_ignore_ascii_case("allow") && !effect.eq_ignore_ascii_case("deny") {
            return Err(GrammarError);
        }
        let sid = get("Sid").map(string).transpose()?.map(str::to_owned);
        let action = pair(get("Action"), get("NotAction"))?;
        let resource = pair(get("Resource"), get("NotResource"))?;
        let principal = match (get("Principal"), get("NotPrincipal")) {
            (Some(_), Some(_)) => return Err(GrammarError),
            (Some(p), None) => Some(PrincipalElement { negated: false, value: principal(p)? }),
            (None, Some(p)) => Some(PrincipalElement { negated: true, value: principal(p)? }),
            (None, None) => None,
        };
        let condition = get("Condition").map(condition).transpose()?;
        Ok(Statement {
            sid,
            effect: effect.to_owned(),
            principal,
            action,
            resource,
            condition,
            start: node.start,
            end: node.end,
        })
    }

    /// `true` for `Allow` (in any case: the exact case is a later check).
    pub fn is_allow(&self) -> bool {
        self.effect.eq_ignore_ascii_case("allow")
    }
}

fn object(node: &Node) -> Grammar<&[Member]> {
    match &node.value {
        Value::Object(m) => Ok(m),
        _ => Err(GrammarError),
    }
}

fn string(node: &Node) -> Grammar<&str> {
    match &node.value {
        Value::String(s) => Ok(s),
        _ => Err(GrammarError),
    }
}

fn value_list(node: &Node) -> Grammar<ValueList> {
    match &node.value {
        Value::String(s) => Ok(ValueList::One(s.clone())),
        Value::Array(items) => {
            Ok(ValueList::Many(items.iter().map(|i| string(i).map(str::to_owned)).collect::<Grammar<Vec<_>>>()?))
        }
        _ => Err(GrammarError),
    }
}

fn pair(plain: Option<&Node>, negated: Option<&Node>) -> Grammar<Option<Element>> {
    match (plain, negated) {
        (Some(_), Some(_)) => Err(GrammarError),
        (Some(n), None) => Ok(Some(Element { negated: false, values: value_list(n)?, pos: n.start })),
        (None, Some(n)) => Ok(Some(Element { negated: true, values: value_list(n)?, pos: n.start })),
        (None, None) => Ok(None),
    }
}

fn principal(node: &Node) -> Grammar<PrincipalValue> {
    match &node.value {
        Value::String(s) if s == "*" => Ok(PrincipalValue::Wildcard),
        Value::Object(members) => {
            let mut out = Vec::with_capacity(members.len());
            for m in members {
                let key = PrincipalKey::parse(&m.key).ok_or(GrammarError)?;
                out.push((key, value_list(&m.value)?));
            }
            Ok(PrincipalValue::Map(out))
        }
        _ => Err(GrammarError),
    }
}

fn scalar(node: &Node) -> Grammar<Scalar> {
    match &node.value {
        Value::String(s) => Ok(Scalar::String(s.clone())),
        Value::Number(n) => Ok(Scalar::Number(n.clone())),
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        _ => Err(GrammarError),
    }
}

fn condition(node: &Node) -> Grammar<Vec<ConditionBlock>> {
    let mut blocks = Vec::new();
    for op in object(node)? {
        let body = object(&op.value)?;
        // IAM accepts an operator it does not know only when nothing is under it
        // (LocalStack's AWS-validated cases: `{"a": {}}` valid, `{"x": {"a": "1"}}` not).
        if !body.is_empty() && !is_known_operator(&op.key) {
            return Err(GrammarError);
        }
        let mut entries = Vec::with_capacity(body.len());
        for e in body {
            let values = match &e.value.value {
                Value::Array(items) => ConditionValues::Many(items.iter().map(scalar).collect::<Grammar<Vec<_>>>()?),
                _ => ConditionValues::One(scalar(&e.value)?),
            };
            entries.push(ConditionEntry { key: e.key.clone(), key_pos: e.key_pos, values });
        }
        blocks.push(ConditionBlock { operator: op.key.clone(), entries });
    }
    Ok(blocks)
}

// ---- printing -------------------------------------------------------------------------------

impl fmt::Display for PolicyDocument {
    /// Compact JSON with the elements in IAM's canonical order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('{')?;
        let mut first = true;
        let mut key = |f: &mut fmt::Formatter<'_>, k: &str| -> fmt::Result {
            if !std::mem::take(&mut first) {
                f.write_char(',')?;
            }
            json::write_string(f, k)?;
            f.write_char(':')
        };
        if let Some(v) = &self.version {
            key(f, "Version")?;
            json::write_string(f, v)?;
        }
        if let Some(id) = &self.id {
            key(f, "Id")?;
            json::write_string(f, id)?;
        }
        key(f, "Statement")?;
        if self.statement_list {
            f.write_char('[')?;
            for (i, s) in self.statements.iter().enumerate() {
                if i > 0 {
                    f.write_char(',')?;
                }
                write!(f, "{s}")?;
            }
            f.write_char(']')?;
        } else {
            for s in &self.statements {
                write!(f, "{s}")?;
            }
        }
        f.write_char('}')
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('{')?;
        let mut first = true;
        let mut key = |f: &mut fmt::Formatter<'_>, k: &str| -> fmt::Result {
            if !std::mem::take(&mut first) {
                f.write_char(',')?;
            }
            json::write_string(f, k)?;
            f.write_char(':')
        };
        if let Some(sid) = &self.sid {
            key(f, "Sid")?;
            json::write_string(f, sid)?;
        }
        key(f, "Effect")?;
        json::write_string(f, &self.effect)?;
        if let Some(p) = &self.principal {
            key(f, if p.negated { "NotPrincipal" } else { "Principal" })?;
            match &p.value {
                PrincipalValue::Wildcard => json::write_string(f, "*")?,
                PrincipalValue::Map(entries) => {
                    f.write_char('{')?;
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 {
                            f.write_char(',')?;
                        }
                        json::write_string(f, k.as_str())?;
                        f.write_char(':')?;
                        write_list(f, v)?;
                    }
                    f.write_char('}')?;
                }
            }
        }
        if let Some(a) = &self.action {
            key(f, if a.negated { "NotAction" } else { "Action" })?;
            write_list(f, &a.values)?;
        }
        if let Some(r) = &self.resource {
            key(f, if r.negated { "NotResource" } else { "Resource" })?;
            write_list(f, &r.values)?;
        }
        if let Some(blocks) = &self.condition {
            key(f, "Condition")?;
            f.write_char('{')?;
            for (i, b) in blocks.iter().enumerate() {
                if i > 0 {
                    f.write_char(',')?;
                }
                json::write_string(f, &b.operator)?;
                f.write_str(":{")?;
                for (j, e) in b.entries.iter().enumerate() {
                    if j > 0 {
                        f.write_char(',')?;
                    }
                    json::write_string(f, &e.key)?;
                    f.write_char(':')?;
                    match &e.values {
                        ConditionValues::One(s) => write_scalar(f, s)?,
                        ConditionValues::Many(v) => {
                            f.write_char('[')?;
                            for (k, s) in v.iter().enumerate() {
                                if k > 0 {
                                    f.write_char(',')?;
                                }
                                write_scalar(f, s)?;
                            }
                            f.write_char(']')?;
                        }
                    }
                }
                f.write_char('}')?;
            }
            f.write_char('}')?;
        }
        f.write_char('}')
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, v: &ValueList) -> fmt::Result {
    match v {
        ValueList::One(s) => json::write_string(f, s),
        ValueList::Many(items) => {
            f.write_char('[')?;
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    f.write_char(',')?;
                }
                json::write_string(f, s)?;
            }
            f.write_char(']')
        }
    }
}

fn write_scalar(f: &mut fmt::Formatter<'_>, s: &Scalar) -> fmt::Result {
    match s {
        Scalar::String(s) => json::write_string(f, s),
        Scalar::Number(n) => f.write_str(n),
        Scalar::Bool(b) => write!(f, "{b}"),
    }
}
