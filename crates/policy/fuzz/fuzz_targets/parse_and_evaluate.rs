//! Any text through the parser, validator and compiler for every kind of policy; whatever
//! compiles is then evaluated (authorize and explain) against requests built from the rest
//! of the input, with every context key the policy reads set to a value from the input.
//! Nothing may panic, loop forever or overflow.

#![no_main]

use gatehouse_policy::*;
use libfuzzer_sys::fuzz_target;

const KINDS: [PolicyKind; 7] = [
    PolicyKind::Identity,
    PolicyKind::PermissionsBoundary,
    PolicyKind::Session,
    PolicyKind::Trust,
    PolicyKind::Resource,
    PolicyKind::ServiceControl,
    PolicyKind::ResourceControl,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    // The policy, then request fields, separated by 0x1f (unit separator) when present.
    let mut parts = text.split('\u{1f}');
    let doc = parts.next().unwrap_or("");
    let action = parts.next().unwrap_or("s3:GetObject");
    let resource = parts.next().unwrap_or("arn:aws:s3:::bucket/key");
    let value = parts.next().unwrap_or("value");

    let kind = KINDS[usize::from(selector) % KINDS.len()];
    let Ok(policy) = CompiledPolicy::compile(doc, kind, "fuzz") else { return };
    let _ = policy.document().to_string();

    let mut ctx = RequestContext::new().with_time(Timestamp::from_unix(1_700_000_000, 0));
    for (i, key) in context_keys([&policy]).into_iter().enumerate() {
        let v = match (usize::from(selector) + i) % 6 {
            0 => ContextValue::string(value),
            1 => ContextValue::number(f64::from(selector)),
            2 => ContextValue::bool(selector % 2 == 0),
            3 => ContextValue::ip(std::net::IpAddr::from([10, 0, 0, selector])),
            4 => ContextValue::binary(value.as_bytes().to_vec()),
            _ => {
                ctx.insert_list(key, value.split(',').map(ContextValue::string));
                continue;
            }
        };
        ctx.insert(key, v);
    }
    let principals = [
        Principal::user("111111111111", "arn:aws:iam::111111111111:user/u"),
        Principal::assumed_role(
            "111111111111",
            "arn:aws:sts::111111111111:assumed-role/r/s",
            "arn:aws:iam::111111111111:role/r",
        ),
        Principal::federated_user(
            "111111111111",
            "arn:aws:sts::111111111111:federated-user/f",
            "arn:aws:iam::111111111111:user/u",
        ),
        Principal::root("111111111111", "arn:aws:iam::111111111111:root"),
        Principal::service(value),
        Principal::web_identity(value),
        Principal::anonymous(),
    ];
    let one = [&policy];
    let none: [&CompiledPolicy; 0] = [];
    let levels: [&[&CompiledPolicy]; 1] = [&one];
    for principal in principals {
        for resource_account in [None, Some("222222222222")] {
            let req = Request { principal, action, resource, resource_account, context: &ctx };
            let sets = [
                PolicySet::new(&one),
                PolicySet::new(&none).with_resource(&policy).with_boundary(&policy),
                PolicySet::new(&one).with_session(&one).with_service_control(&levels).with_resource_control(&levels),
            ];
            for set in &sets {
                let d = authorize(&req, set);
                let _ = d.reason(action);
                let e = explain(&req, set);
                if let Some(s) = e.decision.statement {
                    let _ = (s.start(), s.end(), s.sid(), s.policy_id());
                }
            }
        }
    }
});
