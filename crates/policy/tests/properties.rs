//! Property tests over the public API: parse → print → parse gives the same document, and no
//! input makes the parser or the evaluator panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_policy::*;
use proptest::prelude::*;

fn action() -> impl Strategy<Value = String> + Clone {
    ("[a-z][a-z0-9-]{0,5}", "[A-Za-z*?]{1,8}").prop_map(|(v, n)| format!("{v}:{n}"))
}

fn resource() -> impl Strategy<Value = String> + Clone {
    prop_oneof![Just("*".to_owned()), "[a-z0-9/*?._-]{1,12}".prop_map(|n| format!("arn:aws:s3:::{n}"))]
}

fn list<S: Strategy<Value = String> + Clone>(s: S) -> impl Strategy<Value = ValueList> {
    prop_oneof![s.clone().prop_map(ValueList::One), proptest::collection::vec(s, 1..4).prop_map(ValueList::Many)]
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        any::<String>().prop_map(Scalar::String),
        (-1000i64..1000).prop_map(|n| Scalar::Number(n.to_string())),
        any::<bool>().prop_map(Scalar::Bool),
    ]
}

fn condition() -> impl Strategy<Value = Vec<ConditionBlock>> {
    let op = prop_oneof![
        Just("StringEquals"),
        Just("StringNotLike"),
        Just("ForAllValues:StringEqualsIgnoreCase"),
        Just("NumericLessThanIfExists"),
        Just("Bool"),
        Just("IpAddress"),
        Just("ArnLike"),
        Just("Null"),
    ];
    let entry = (
        "[a-z]{1,4}:[A-Za-z/]{1,8}",
        prop_oneof![
            scalar().prop_map(ConditionValues::One),
            proptest::collection::vec(scalar(), 0..3).prop_map(ConditionValues::Many),
        ],
    );
    proptest::collection::vec((op, proptest::collection::vec(entry, 0..3)), 0..3).prop_map(|blocks| {
        let mut seen = Vec::new();
        blocks
            .into_iter()
            .filter(|(op, _)| {
                let fresh = !seen.contains(op);
                seen.push(*op);
                fresh
            })
            .map(|(op, entries)| {
                let mut keys = Vec::new();
                let entries = entries
                    .into_iter()
                    .filter(|(k, _)| {
                        let fresh = !keys.contains(k);
                        keys.push(k.clone());
                        fresh
                    })
                    .map(|(key, values)| ConditionEntry { key, key_pos: Position::default(), values })
                    .collect();
                ConditionBlock { operator: op.to_owned(), entries }
            })
            .collect()
    })
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        prop_oneof![Just("Allow"), Just("Deny")],
        any::<bool>(),
        list(action()),
        any::<bool>(),
        list(resource()),
        proptest::option::of(condition()),
    )
        .prop_map(|(effect, not_action, actions, not_resource, resources, condition)| Statement {
            sid: None,
            effect: effect.to_owned(),
            principal: None,
            action: Some(Element { negated: not_action, values: actions, pos: Position::default() }),
            resource: Some(Element { negated: not_resource, values: resources, pos: Position::default() }),
            condition,
            start: Position::default(),
            end: Position::default(),
        })
}

fn document() -> impl Strategy<Value = PolicyDocument> {
    (proptest::option::of("[ -~]{0,12}"), proptest::collection::vec(statement(), 1..4), any::<bool>(), any::<bool>())
        .prop_map(|(id, mut statements, list, sids)| {
            if sids {
                for (i, s) in statements.iter_mut().enumerate() {
                    s.sid = Some(format!("S{i}"));
                }
            }
            PolicyDocument {
                version: Some("2012-10-17".into()),
                id,
                statement_list: list || statements.len() > 1,
                statements,
            }
        })
}

/// Positions depend on layout; everything else must survive printing.
fn without_positions(mut d: PolicyDocument) -> PolicyDocument {
    for s in &mut d.statements {
        s.start = Position::default();
        s.end = Position::default();
        for el in [&mut s.action, &mut s.resource].into_iter().flatten() {
            el.pos = Position::default();
        }
        for b in s.condition.iter_mut().flatten() {
            for e in &mut b.entries {
                e.key_pos = Position::default();
            }
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn parse_print_parse(doc in document()) {
        let text = doc.to_string();
        let parsed = parse_document(&text, PolicyKind::Identity).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(without_positions(parsed.clone()), without_positions(doc));
        // And once more from the printed form of the parsed document.
        let again = parse_document(&parsed.to_string(), PolicyKind::Identity).unwrap();
        prop_assert_eq!(without_positions(again), without_positions(parsed));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        for kind in [PolicyKind::Identity, PolicyKind::Trust, PolicyKind::Resource] {
            let _ = CompiledPolicy::compile(&text, kind, "p");
        }
    }

    /// Valid documents evaluate without panicking against arbitrary requests.
    #[test]
    fn evaluation_never_panics(doc in document(), action in "[a-z0-9:*]{0,12}", resource in "[a-z0-9:/*]{0,20}", v in any::<String>()) {
        let policy = CompiledPolicy::compile(&doc.to_string(), PolicyKind::Identity, "p").unwrap();
        let mut ctx = RequestContext::new();
        for key in context_keys([&policy]) {
            ctx.insert(key, ContextValue::string(v.clone()));
        }
        let req = Request {
            principal: Principal::user("1", "arn:aws:iam::1:user/u"),
            action: &action,
            resource: &resource,
            resource_account: None,
            context: &ctx,
        };
        let set = [&policy];
        let _ = authorize(&req, &PolicySet::new(&set));
        let _ = explain(&req, &PolicySet::new(&set));
    }
}
