//! One table of cases per condition operator family, with the traps of policy-semantics.md §3
//! and §5 ([OPS] condition_operators, [MULTI] multi-value-conditions, [VARS] variables).
//!
//! Each case is a `Condition` element, a request context and whether the condition holds;
//! the condition is put in an identity policy's Allow, so "holds" means "allowed".

// Test code: helpers outside #[test] functions may unwrap and panic too (clippy.toml only
// exempts the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;

use gatehouse_policy::*;

/// A context value of a case: single, list, or absent.
enum V {
    S(&'static str),
    N(f64),
    B(bool),
    Ip(&'static str),
    Bin(&'static [u8]),
    D(&'static str),
    L(&'static [&'static str]),
}

fn ctx(entries: &[(&str, V)]) -> RequestContext {
    let mut c = RequestContext::new();
    for (k, v) in entries {
        match v {
            V::S(s) => c.insert(k, ContextValue::string(*s)),
            V::N(n) => c.insert(k, ContextValue::number(*n)),
            V::B(b) => c.insert(k, ContextValue::bool(*b)),
            V::Ip(ip) => c.insert(k, ContextValue::ip(ip.parse::<IpAddr>().unwrap())),
            V::Bin(b) => c.insert(k, ContextValue::binary(b.to_vec())),
            V::D(d) => c.insert(k, ContextValue::date(Timestamp::parse(d).unwrap())),
            V::L(items) => c.insert_list(k, items.iter().map(|s| ContextValue::string(*s))),
        };
    }
    c
}

fn holds_with_version(version: &str, condition: &str, c: &RequestContext) -> bool {
    let doc = format!(
        r#"{{"Version":"{version}","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{condition}}}}}"#
    );
    // IAM refuses 2008-10-17 identity policies; resource policies keep it, so parse as one
    // kind that allows it and evaluate as an identity policy.
    let parsed = parse_document(&doc, PolicyKind::Session).unwrap_or_else(|e| panic!("{e}: {doc}"));
    let policy = CompiledPolicy::from_document(parsed, PolicyKind::Identity, "p");
    let req = Request {
        principal: Principal::user("123456789012", "arn:aws:iam::123456789012:user/alice"),
        action: "s3:GetObject",
        resource: "arn:aws:s3:::bucket/key",
        resource_account: None,
        context: c,
    };
    authorize(&req, &PolicySet::new(&[&policy])).is_allowed()
}

fn holds(condition: &str, c: &RequestContext) -> bool {
    holds_with_version("2012-10-17", condition, c)
}

/// (condition, context, holds)
type Case<'a> = (&'a str, &'a [(&'a str, V)], bool);

fn run(table: &[Case<'_>]) {
    let mut failures = Vec::new();
    for (i, (condition, entries, want)) in table.iter().enumerate() {
        if holds(condition, &ctx(entries)) != *want {
            failures.push(format!("case {i}: {condition} should be {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn string_operators() {
    use V::*;
    run(&[
        (r#"{"StringEquals":{"k":"abc"}}"#, &[("k", S("abc"))], true),
        (r#"{"StringEquals":{"k":"abc"}}"#, &[("k", S("ABC"))], false),
        // Wildcards are literal in StringEquals.
        (r#"{"StringEquals":{"k":"a*"}}"#, &[("k", S("abc"))], false),
        (r#"{"StringEquals":{"k":"a*"}}"#, &[("k", S("a*"))], true),
        // Values OR, keys AND, operators AND.
        (r#"{"StringEquals":{"k":["x","abc"]}}"#, &[("k", S("abc"))], true),
        (r#"{"StringEquals":{"k":"a","j":"b"}}"#, &[("k", S("a")), ("j", S("b"))], true),
        (r#"{"StringEquals":{"k":"a","j":"b"}}"#, &[("k", S("a")), ("j", S("c"))], false),
        (r#"{"StringEquals":{"k":"a"},"StringLike":{"j":"b*"}}"#, &[("k", S("a")), ("j", S("bx"))], true),
        (r#"{"StringEquals":{"k":"a"},"StringLike":{"j":"b*"}}"#, &[("k", S("a")), ("j", S("x"))], false),
        // Negated operators with several values are a NOR.
        (r#"{"StringNotEquals":{"k":["a","b"]}}"#, &[("k", S("c"))], true),
        (r#"{"StringNotEquals":{"k":["a","b"]}}"#, &[("k", S("b"))], false),
        // Missing key: positive false, negated true, IfExists true.
        (r#"{"StringEquals":{"k":"a"}}"#, &[], false),
        (r#"{"StringNotEquals":{"k":"a"}}"#, &[], true),
        (r#"{"StringEqualsIfExists":{"k":"a"}}"#, &[], true),
        (r#"{"StringEqualsIfExists":{"k":"a"}}"#, &[("k", S("b"))], false),
        (r#"{"StringNotEqualsIfExists":{"k":"a"}}"#, &[], true),
        // Key names ignore case, tag-key part included; values do not.
        (r#"{"StringEquals":{"AWS:PrincipalTag/TEAM":"core"}}"#, &[("aws:principaltag/team", S("core"))], true),
        (r#"{"StringEquals":{"aws:PrincipalTag/team":"core"}}"#, &[("aws:PrincipalTag/team", S("Core"))], false),
        (r#"{"StringEqualsIgnoreCase":{"k":"ABC"}}"#, &[("k", S("aBc"))], true),
        (r#"{"StringEqualsIgnoreCase":{"k":"ÉCOLE"}}"#, &[("k", S("école"))], true),
        (r#"{"StringNotEqualsIgnoreCase":{"k":"ABC"}}"#, &[("k", S("abc"))], false),
        (r#"{"StringNotEqualsIgnoreCase":{"k":"ABC"}}"#, &[("k", S("abd"))], true),
        (r#"{"StringLike":{"k":"home/*"}}"#, &[("k", S("home/alice/x"))], true),
        (r#"{"StringLike":{"k":"a?c"}}"#, &[("k", S("abc"))], true),
        (r#"{"StringLike":{"k":"a?c"}}"#, &[("k", S("ac"))], false),
        (r#"{"StringLike":{"k":"A*"}}"#, &[("k", S("abc"))], false),
        (r#"{"StringNotLike":{"k":["x*","y*"]}}"#, &[("k", S("abc"))], true),
        (r#"{"StringNotLike":{"k":["x*","a*"]}}"#, &[("k", S("abc"))], false),
        (r#"{"StringLike":{"s3:prefix":["","home/"]}}"#, &[("s3:prefix", S(""))], true),
        // Numbers and booleans in JSON are compared as their text.
        (r#"{"StringEquals":{"k":10}}"#, &[("k", S("10"))], true),
        (r#"{"StringEquals":{"k":true}}"#, &[("k", S("true"))], true),
        // Empty operator bodies and unknown operators with empty bodies constrain nothing.
        (r#"{"StringEquals":{}}"#, &[], true),
        (r#"{"Whatever":{}}"#, &[], true),
        // A key with no policy values can never match.
        (r#"{"StringEquals":{"k":[]}}"#, &[("k", S("a"))], false),
    ]);
}

#[test]
fn policy_variables() {
    use V::*;
    let user = [("aws:username", S("alice")), ("aws:PrincipalTag/owner", S("alice"))];
    run(&[
        (r#"{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}"#, &user, true),
        (r#"{"StringEquals":{"aws:PrincipalTag/owner":"${AWS:UserName}"}}"#, &user, true),
        (
            r#"{"StringLike":{"k":"home/${aws:username}/*"}}"#,
            &[("aws:username", S("bob")), ("k", S("home/bob/x"))],
            true,
        ),
        (
            r#"{"StringLike":{"k":"home/${aws:username}/*"}}"#,
            &[("aws:username", S("bob")), ("k", S("home/eve/x"))],
            false,
        ),
        // No value: StringEquals and StringLike do not match, negated operators do.
        (r#"{"StringEquals":{"k":"${aws:username}"}}"#, &[("k", S(""))], false),
        (r#"{"StringLike":{"k":"${aws:username}*"}}"#, &[("k", S("x"))], false),
        (r#"{"StringNotEquals":{"k":"${aws:username}"}}"#, &[("k", S("x"))], true),
        // Defaults.
        (r#"{"StringEquals":{"k":"${aws:PrincipalTag/team, 'company-wide'}"}}"#, &[("k", S("company-wide"))], true),
        (
            r#"{"StringEquals":{"k":"${aws:PrincipalTag/team, 'company-wide'}"}}"#,
            &[("k", S("core")), ("aws:PrincipalTag/team", S("core"))],
            true,
        ),
        // Escapes for literal characters.
        (r#"{"StringLike":{"k":"a${*}b"}}"#, &[("k", S("a*b"))], true),
        (r#"{"StringLike":{"k":"a${*}b"}}"#, &[("k", S("axb"))], false),
        (r#"{"StringEquals":{"k":"${$}{x}"}}"#, &[("k", S("${x}"))], true),
        // Multivalued keys cannot be variables.
        (r#"{"StringEquals":{"k":"${aws:TagKeys}"}}"#, &[("aws:TagKeys", L(&["a"])), ("k", S("a"))], false),
        // Variables in Arn and Bool values.
        (
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}"#,
            &[("aws:username", S("alice")), ("aws:PrincipalArn", S("arn:aws:iam::1:user/alice"))],
            true,
        ),
        (r#"{"Bool":{"k":"${aws:PrincipalTag/flag}"}}"#, &[("aws:PrincipalTag/flag", S("TRUE")), ("k", B(true))], true),
        // Variables are not resolved in Numeric values.
        (r#"{"NumericEquals":{"k":"${n}"}}"#, &[("n", S("5")), ("k", N(5.0))], false),
    ]);
    // Version 2008-10-17: `${...}` is plain text.
    let c = ctx(&[("aws:username", S("alice")), ("k", S("${aws:username}"))]);
    assert!(holds_with_version("2008-10-17", r#"{"StringEquals":{"k":"${aws:username}"}}"#, &c));
    assert!(!holds(r#"{"StringEquals":{"k":"${aws:username}"}}"#, &c));
}

#[test]
fn numeric_operators() {
    use V::*;
    run(&[
        (r#"{"NumericEquals":{"k":"10"}}"#, &[("k", N(10.0))], true),
        (r#"{"NumericEquals":{"k":"10.0"}}"#, &[("k", S("10"))], true),
        (r#"{"NumericEquals":{"k":10}}"#, &[("k", N(10.0))], true),
        (r#"{"NumericNotEquals":{"k":["1","2"]}}"#, &[("k", N(3.0))], true),
        (r#"{"NumericNotEquals":{"k":["1","2"]}}"#, &[("k", N(2.0))], false),
        (r#"{"NumericLessThan":{"k":"10"}}"#, &[("k", N(9.5))], true),
        (r#"{"NumericLessThan":{"k":"10"}}"#, &[("k", N(10.0))], false),
        (r#"{"NumericLessThanEquals":{"k":"10"}}"#, &[("k", N(10.0))], true),
        (r#"{"NumericGreaterThan":{"k":"10"}}"#, &[("k", N(10.0))], false),
        (r#"{"NumericGreaterThan":{"k":"-1.5"}}"#, &[("k", N(-1.0))], true),
        (r#"{"NumericGreaterThanEquals":{"k":"10"}}"#, &[("k", N(10.0))], true),
        (r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#, &[], false),
        (r#"{"NumericNotEquals":{"k":"10"}}"#, &[], true),
        (r#"{"NumericLessThanIfExists":{"k":"10"}}"#, &[], true),
        // A value that is not a number matches nothing.
        (r#"{"NumericEquals":{"k":"10"}}"#, &[("k", S("ten"))], false),
        (r#"{"NumericEquals":{"k":"ten"}}"#, &[("k", N(10.0))], false),
    ]);
}

#[test]
fn date_operators() {
    use V::*;
    let now = [("aws:CurrentTime", D("2019-04-25T11:00:00Z"))];
    run(&[
        (r#"{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}"#, &now, true),
        (r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, &now, false),
        (r#"{"DateLessThan":{"aws:CurrentTime":"2020-01-01"}}"#, &now, true),
        (r#"{"DateEquals":{"aws:CurrentTime":"2019-04-25T13:00:00+02:00"}}"#, &now, true),
        (r#"{"DateNotEquals":{"aws:CurrentTime":"2019-04-25T11:00:00Z"}}"#, &now, false),
        (r#"{"DateLessThanEquals":{"aws:CurrentTime":"1556190000"}}"#, &now, true),
        (r#"{"DateGreaterThanEquals":{"aws:CurrentTime":"1556190001"}}"#, &now, false),
        // Epoch numbers in the request compare as instants too.
        (
            r#"{"DateGreaterThan":{"aws:EpochTime":"2019-01-01T00:00:00Z"}}"#,
            &[("aws:EpochTime", N(1_556_190_000.0))],
            true,
        ),
        (r#"{"DateGreaterThan":{"aws:TokenIssueTime":"2019-01-01T00:00:00Z"}}"#, &[], false),
        (r#"{"DateGreaterThanIfExists":{"aws:TokenIssueTime":"2019-01-01T00:00:00Z"}}"#, &[], true),
        (r#"{"DateEquals":{"k":"2019-04-25T11:00:00Z"}}"#, &[("k", S("not a date"))], false),
    ]);
    // The request carries the time.
    let c = RequestContext::new().with_time(Timestamp::parse("2019-04-25T11:00:00Z").unwrap());
    assert!(holds(r#"{"DateGreaterThan":{"aws:CurrentTime":"2019-01-01T00:00:00Z"}}"#, &c));
    assert!(holds(r#"{"NumericGreaterThan":{"aws:EpochTime":"1556189999"}}"#, &c));
}

#[test]
fn bool_binary_and_null() {
    use V::*;
    run(&[
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, &[("aws:SecureTransport", B(true))], true),
        (r#"{"Bool":{"aws:SecureTransport":"TRUE"}}"#, &[("aws:SecureTransport", B(true))], true),
        (r#"{"Bool":{"aws:SecureTransport":false}}"#, &[("aws:SecureTransport", B(true))], false),
        (r#"{"Bool":{"aws:SecureTransport":"false"}}"#, &[("aws:SecureTransport", S("false"))], true),
        // MFA keys are absent for long-term keys: Bool is false, BoolIfExists true.
        (r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#, &[], false),
        (r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#, &[], true),
        (r#"{"Bool":{"k":"yes"}}"#, &[("k", B(true))], false),
        (r#"{"BinaryEquals":{"k":"aGVsbG8="}}"#, &[("k", Bin(b"hello"))], true),
        (r#"{"BinaryEquals":{"k":"aGVsbG8="}}"#, &[("k", Bin(b"hellO"))], false),
        (r#"{"BinaryEquals":{"k":"not base64!"}}"#, &[("k", Bin(b"x"))], false),
        (r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, &[], true),
        (r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, &[("aws:TokenIssueTime", S("x"))], false),
        (r#"{"Null":{"aws:TokenIssueTime":"false"}}"#, &[("aws:TokenIssueTime", S("x"))], true),
        (r#"{"Null":{"aws:TokenIssueTime":"false"}}"#, &[], false),
        (r#"{"Null":{"k":["true","false"]}}"#, &[], true),
        (r#"{"Null":{"aws:TagKeys":"true"}}"#, &[("aws:TagKeys", L(&[]))], true),
    ]);
}

#[test]
fn ip_operators() {
    use V::*;
    run(&[
        (r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, &[("aws:SourceIp", Ip("203.0.113.77"))], true),
        (r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, &[("aws:SourceIp", Ip("203.0.114.1"))], false),
        (r#"{"IpAddress":{"aws:sourceip":"203.0.113.7"}}"#, &[("AWS:SourceIP", Ip("203.0.113.7"))], true),
        (r#"{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}"#, &[("aws:SourceIp", Ip("203.0.113.8"))], false),
        (r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#, &[("aws:SourceIp", Ip("8.8.8.8"))], true),
        (
            r#"{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}"#,
            &[("aws:SourceIp", Ip("2001:db8:1234:5678:abcd::1"))],
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}"#,
            &[("aws:SourceIp", Ip("2001:db8:1234:5679::1"))],
            false,
        ),
        (r#"{"IpAddress":{"aws:SourceIp":"::/0"}}"#, &[("aws:SourceIp", Ip("10.0.0.1"))], false),
        (
            r#"{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"#,
            &[("aws:SourceIp", Ip("192.0.2.9"))],
            true,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"#,
            &[("aws:SourceIp", Ip("192.0.2.9"))],
            false,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"#,
            &[("aws:SourceIp", Ip("198.51.100.1"))],
            true,
        ),
        (r#"{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#, &[], true),
        (r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#, &[], false),
        (r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/33"}}"#, &[("aws:SourceIp", Ip("192.0.2.1"))], false),
        (r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#, &[("aws:SourceIp", S("192.0.2.1"))], true),
    ]);
}

#[test]
fn arn_operators() {
    use V::*;
    let arn = [("aws:SourceArn", S("arn:aws:sns:us-east-1:123456789012:topic"))];
    let user = [("aws:PrincipalArn", S("arn:aws:iam::123456789012:user/alice"))];
    run(&[
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#, &arn, true),
        (r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#, &arn, true),
        (r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#, &arn, true),
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:TOPIC"}}"#, &arn, false),
        (r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:*:111111111111:*"}}"#, &arn, true),
        (
            r#"{"ArnNotLike":{"aws:SourceArn":["arn:aws:sns:*:111111111111:*","arn:aws:sns:*:123456789012:*"]}}"#,
            &arn,
            false,
        ),
        (r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:*"}}"#, &[], true),
        // Field by field: `*` does not cross a colon, so StringLike can match where ArnLike fails.
        (r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}"#, &user, false),
        (r#"{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}"#, &user, true),
        (r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}"#, &user, true),
        (r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}"#, &user, false),
    ]);
}

#[test]
fn set_operators_and_multivalued_keys() {
    use V::*;
    let tags = |t: &'static [&'static str]| [("aws:TagKeys", L(t))];
    run(&[
        (r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&["a"]), true),
        (r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&["a", "b"]), true),
        (r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&["a", "c"]), false),
        // The trap: true when the key is missing or empty, so pair it with Null.
        (r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &[], true),
        (r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&[]), true),
        (r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]},"Null":{"aws:TagKeys":"false"}}"#, &[], false),
        (r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&["c", "b"]), true),
        (r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&["c"]), false),
        (r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &[], false),
        (r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#, &tags(&[]), false),
        (r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}"#, &[], true),
        (r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team*"]}}"#, &tags(&["team", "teamx"]), true),
        // Negated operators under qualifiers.
        (r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}"#, &tags(&["a", "b"]), true),
        (r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}"#, &tags(&["a", "secret"]), false),
        (r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}"#, &tags(&["a", "b"]), true),
        (r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}"#, &tags(&["a"]), false),
        // Without a qualifier, a multivalued key matches when any value does.
        (r#"{"StringEquals":{"aws:TagKeys":"b"}}"#, &tags(&["a", "b"]), true),
        (r#"{"StringNotEquals":{"aws:TagKeys":"b"}}"#, &tags(&["a", "b"]), false),
        // On a single-valued key a qualifier is harmless but permissive.
        (r#"{"ForAllValues:StringEquals":{"aws:RequestTag/team":"core"}}"#, &[], true),
        (r#"{"ForAnyValue:NumericLessThan":{"k":"5"}}"#, &[("k", S("3"))], true),
        (r#"{"ForAllValues:IpAddress":{"k":"10.0.0.0/8"}}"#, &[("k", Ip("10.1.2.3"))], true),
    ]);
}

#[test]
fn deny_with_negated_if_exists_still_denies_without_the_key() {
    // [OPS]: a Deny with StringNotEqualsIfExists denies when the key is missing.
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}}]}"#;
    let policy = CompiledPolicy::compile(doc, PolicyKind::Identity, "p").unwrap();
    let decide = |c: &RequestContext| {
        let req = Request {
            principal: Principal::user("1", "arn:aws:iam::1:user/u"),
            action: "ec2:RunInstances",
            resource: "*",
            resource_account: None,
            context: c,
        };
        authorize(&req, &PolicySet::new(&[&policy])).decision
    };
    assert_eq!(decide(&RequestContext::new()), EvalDecision::ExplicitDeny);
    assert_eq!(decide(&ctx(&[("aws:RequestedRegion", V::S("us-east-1"))])), EvalDecision::ExplicitDeny);
    assert_eq!(decide(&ctx(&[("aws:RequestedRegion", V::S("eu-west-1"))])), EvalDecision::Allowed);
}
