//! The policy simulator through aws-sdk-iam: SimulateCustomPolicy and GetContextKeysForCustomPolicy.

use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, EvaluationResult, PolicyEvaluationDecisionType as D};

use crate::both_stores;
use crate::harness::{aws_err, Backend, TestServer};

both_stores!(
    allow_and_statement_positions,
    explicit_deny_wins,
    context_entries_and_missing_values,
    context_entries_of_every_type,
    permissions_boundary,
    service_control_policies,
    resource_policy_across_accounts,
    pages_of_actions,
    bad_input,
    context_keys,
    users_need_permission
);

/// Formatted as Python's `json.dumps` writes it, like the documents of AWS's recorded responses.
const READ_BUCKET: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]}]}"#;

async fn simulate(
    iam: &aws_sdk_iam::Client,
    policies: &[&str],
    actions: &[&str],
    resources: &[&str],
) -> Vec<EvaluationResult> {
    let mut req = iam.simulate_custom_policy();
    for p in policies {
        req = req.policy_input_list(*p);
    }
    for a in actions {
        req = req.action_names(*a);
    }
    for r in resources {
        req = req.resource_arns(*r);
    }
    req.send().await.unwrap().evaluation_results().to_vec()
}

async fn allow_and_statement_positions(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = simulate(&iam, &[READ_BUCKET], &["s3:GetObject", "s3:PutObject"], &["arn:aws:s3:::bucket/key"]).await;
    assert_eq!(out.len(), 2);
    let get = &out[0];
    assert_eq!(get.eval_action_name(), "s3:GetObject");
    assert_eq!(get.eval_decision(), &D::Allowed);
    assert_eq!(get.eval_resource_name(), Some("arn:aws:s3:::bucket/key"));
    let m = &get.matched_statements()[0];
    assert_eq!(m.source_policy_id(), Some("PolicyInputList.1"));
    assert_eq!(m.source_policy_type().map(|t| t.as_str()), Some("IAM Policy"));
    let start = m.start_position().unwrap();
    // IAM counts a statement from the character after its opening brace (LocalStack's recorded 1:41 for a
    // document whose `{` is the 40th character).
    assert_eq!((start.line(), start.column()), (1, 42));
    let end = m.end_position().unwrap();
    assert_eq!((end.line(), end.column()), (1, i32::try_from(READ_BUCKET.len()).unwrap() - 1));
    assert!(get.missing_context_values().is_empty());
    // Same account, a named resource: the details map is there and empty; no organizations detail.
    assert_eq!(get.eval_decision_details().map(|d| d.len()), Some(0));
    assert!(get.organizations_decision_detail().is_none());
    let rs = get.resource_specific_results();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].eval_resource_name(), "arn:aws:s3:::bucket/key");
    assert_eq!(rs[0].eval_resource_decision(), &D::Allowed);
    assert_eq!(rs[0].matched_statements().len(), 1);

    let put = &out[1];
    assert_eq!(put.eval_decision(), &D::ImplicitDeny);
    assert!(put.matched_statements().is_empty());

    // Without ResourceArns the resource is the literal "*", which a statement on named buckets does not
    // cover; the result has no per-resource results and no details map.
    let star = simulate(&iam, &[READ_BUCKET], &["s3:ListBucket"], &[]).await;
    assert_eq!(star[0].eval_resource_name(), Some("*"));
    assert_eq!(star[0].eval_decision(), &D::ImplicitDeny);
    assert!(star[0].resource_specific_results().is_empty());
    assert!(star[0].eval_decision_details().is_none());
    s.stop().await;
}

async fn explicit_deny_wins(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoSecrets","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bucket/secret/*"}]}"#;
    let out = simulate(
        &iam,
        &[READ_BUCKET, deny],
        &["s3:GetObject"],
        &["arn:aws:s3:::bucket/public/a", "arn:aws:s3:::bucket/secret/b"],
    )
    .await;
    let r = &out[0];
    // The top level reports the most restrictive outcome, and only the statement behind it.
    assert_eq!(r.eval_decision(), &D::ExplicitDeny);
    assert_eq!(r.eval_resource_name(), Some("*"));
    assert_eq!(r.matched_statements().len(), 1);
    assert_eq!(r.matched_statements()[0].source_policy_id(), Some("PolicyInputList.2"));
    let rs = r.resource_specific_results();
    assert_eq!(rs[0].eval_resource_decision(), &D::Allowed);
    assert_eq!(rs[0].matched_statements()[0].source_policy_id(), Some("PolicyInputList.1"));
    assert_eq!(rs[1].eval_resource_decision(), &D::ExplicitDeny);
    s.stop().await;
}

async fn context_entries_and_missing_values(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringLike":{"s3:prefix":"${aws:username}/*"}}}]}"#;
    // The simulator's default resource is the literal "*", which this statement's Resource does not match.
    let out = simulate(&iam, &[policy], &["s3:ListBucket"], &[]).await;
    assert_eq!(out[0].eval_decision(), &D::ImplicitDeny);
    assert!(out[0].missing_context_values().is_empty());
    let out = simulate(&iam, &[policy], &["s3:ListBucket"], &["arn:aws:s3:::home"]).await;
    assert_eq!(out[0].eval_decision(), &D::ImplicitDeny);
    let mut missing = out[0].missing_context_values().to_vec();
    missing.sort();
    assert_eq!(missing, ["aws:SourceIp", "aws:username", "s3:prefix"]);
    assert_eq!(out[0].resource_specific_results()[0].missing_context_values().len(), 3);

    let entry = |name: &str, ty: ContextKeyTypeEnum, value: &str| {
        ContextEntry::builder().context_key_name(name).context_key_type(ty).context_key_values(value).build()
    };
    let run = |ip: &'static str| {
        iam.simulate_custom_policy()
            .policy_input_list(policy)
            .action_names("s3:ListBucket")
            .resource_arns("arn:aws:s3:::home")
            .context_entries(entry("aws:SourceIp", ContextKeyTypeEnum::Ip, ip))
            .context_entries(entry("aws:username", ContextKeyTypeEnum::String, "alice"))
            .context_entries(entry("s3:prefix", ContextKeyTypeEnum::String, "alice/docs"))
            .send()
    };
    let inside = run("10.1.2.3").await.unwrap();
    assert_eq!(inside.evaluation_results()[0].eval_decision(), &D::Allowed);
    assert!(inside.evaluation_results()[0].missing_context_values().is_empty());
    let outside = run("192.168.0.1").await.unwrap();
    assert_eq!(outside.evaluation_results()[0].eval_decision(), &D::ImplicitDeny);

    let e = aws_err(run("not-an-ip").await);
    assert_eq!((e.code.as_str(), e.status), ("InvalidInput", 400));
    assert_eq!(e.message, "Context key aws:SourceIp has a value not-an-ip that is not a valid ip.");
    s.stop().await;
}

async fn context_entries_of_every_type(backend: Backend) {
    use ContextKeyTypeEnum as T;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{
        "StringEquals":{"ec2:InstanceType":"t3.micro"},
        "ForAllValues:StringLike":{"aws:TagKeys":["team","env*"]},
        "NumericLessThan":{"aws:MultiFactorAuthAge":"3600"},
        "ForAnyValue:NumericEquals":{"test:Sizes":"8"},
        "Bool":{"aws:SecureTransport":"true"},
        "ForAnyValue:Bool":{"test:Flags":"false"},
        "IpAddress":{"aws:SourceIp":"2001:db8::/32"},
        "ForAnyValue:IpAddress":{"test:Hops":"192.0.2.0/24"},
        "BinaryEquals":{"test:Blob":"aGVsbG8="},
        "DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
        "ForAnyValue:DateGreaterThan":{"test:Dates":"2020-01-01T00:00:00Z"},
        "ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:*"}}}]}"#;
    let entries = [
        ("ec2:InstanceType", T::String, vec!["t3.micro"]),
        ("aws:TagKeys", T::StringList, vec!["team", "environment"]),
        ("aws:MultiFactorAuthAge", T::Numeric, vec!["120"]),
        ("test:Sizes", T::NumericList, vec!["4", "8"]),
        ("aws:SecureTransport", T::Boolean, vec!["true"]),
        ("test:Flags", T::BooleanList, vec!["true", "false"]),
        ("aws:SourceIp", T::Ip, vec!["2001:db8::1"]),
        ("test:Hops", T::IpList, vec!["10.0.0.1", "192.0.2.7"]),
        ("test:Blob", T::Binary, vec!["aGVsbG8="]),
        ("aws:CurrentTime", T::Date, vec!["2026-11-23T12:00:00Z"]),
        ("test:Dates", T::DateList, vec!["2019-05-01T00:00:00Z", "2021-05-01T00:00:00Z"]),
        ("aws:SourceArn", T::String, vec!["arn:aws:sns:us-east-1:111111111111:topic"]),
    ];
    let run = |skip: Option<&str>, replace: Option<(&str, &str)>| {
        let mut req = iam.simulate_custom_policy().policy_input_list(policy).action_names("ec2:RunInstances");
        for (name, ty, values) in &entries {
            if skip == Some(*name) {
                continue;
            }
            let mut e = ContextEntry::builder().context_key_name(*name).context_key_type(ty.clone());
            for v in values {
                let v = match replace {
                    Some((key, other)) if key == *name => other,
                    _ => v,
                };
                e = e.context_key_values(v);
            }
            req = req.context_entries(e.build());
        }
        req.send()
    };
    let all = run(None, None).await.unwrap();
    assert_eq!(all.evaluation_results()[0].eval_decision(), &D::Allowed);
    // Leaving a key out names it as missing and denies, except under ForAllValues, which an absent key
    // satisfies.
    for (name, _, _) in &entries {
        let out = run(Some(name), None).await.unwrap();
        let r = &out.evaluation_results()[0];
        let expected = if *name == "aws:TagKeys" { D::Allowed } else { D::ImplicitDeny };
        assert_eq!(r.eval_decision(), &expected, "{name}");
        assert_eq!(r.missing_context_values(), [name.to_string()], "{name}");
    }
    let out = run(None, Some(("test:Blob", "d29ybGQ="))).await.unwrap();
    assert_eq!(out.evaluation_results()[0].eval_decision(), &D::ImplicitDeny);
    // A value that is not of the declared type is refused.
    for (name, bad) in [("aws:MultiFactorAuthAge", "soon"), ("aws:SecureTransport", "yes"), ("test:Dates", "tomorrow")]
    {
        let e = aws_err(run(None, Some((name, bad))).await);
        assert_eq!(e.code, "InvalidInput", "{name}");
        assert!(e.message.contains(bad), "{}", e.message);
    }
    s.stop().await;
}

async fn permissions_boundary(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let boundary =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(READ_BUCKET)
        .permissions_boundary_policy_input_list(boundary)
        .action_names("s3:ListBucket")
        .action_names("s3:GetObject")
        .resource_arns("arn:aws:s3:::bucket")
        .send()
        .await
        .unwrap();
    let [list, get] = out.evaluation_results() else { panic!("two results") };
    assert_eq!(list.eval_decision(), &D::Allowed);
    assert!(list.permissions_boundary_decision_detail().unwrap().allowed_by_permissions_boundary());
    assert_eq!(get.eval_decision(), &D::ImplicitDeny);
    assert!(!get.permissions_boundary_decision_detail().unwrap().allowed_by_permissions_boundary());

    let e = aws_err(
        iam.simulate_custom_policy()
            .policy_input_list(READ_BUCKET)
            .permissions_boundary_policy_input_list(boundary)
            .permissions_boundary_policy_input_list(boundary)
            .action_names("s3:ListBucket")
            .send()
            .await,
    );
    assert_eq!(e.code, "InvalidInput");
    s.stop().await;
}

async fn service_control_policies(backend: Backend) {
    use aws_sdk_iam::types::OrderedOrganizationPolicyType as Level;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let everything = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let full = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let s3_in_eu = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#;
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(everything)
        .ordered_organization_policy_input_list(Level::builder().service_control_policy_input_list(full).build())
        .ordered_organization_policy_input_list(Level::builder().service_control_policy_input_list(s3_in_eu).build())
        .action_names("s3:GetObject")
        .action_names("iam:CreateUser")
        .context_entries(
            ContextEntry::builder()
                .context_key_name("aws:RequestedRegion")
                .context_key_type(ContextKeyTypeEnum::String)
                .context_key_values("eu-west-1")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let [s3, iam_result] = out.evaluation_results() else { panic!("two results") };
    assert_eq!(s3.eval_decision(), &D::Allowed);
    assert!(s3.organizations_decision_detail().unwrap().allowed_by_organizations());
    // Only identity statements are listed, never the SCPs'.
    assert_eq!(s3.matched_statements().len(), 1);
    assert_eq!(s3.matched_statements()[0].source_policy_id(), Some("PolicyInputList.1"));
    assert_eq!(iam_result.eval_decision(), &D::ImplicitDeny);
    assert!(!iam_result.organizations_decision_detail().unwrap().allowed_by_organizations());

    // An SCP's condition keys are not reported missing (AWS leaves them out too).
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(everything)
        .ordered_organization_policy_input_list(Level::builder().service_control_policy_input_list(s3_in_eu).build())
        .action_names("s3:GetObject")
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_decision(), &D::ImplicitDeny);
    assert!(r.missing_context_values().is_empty());
    s.stop().await;
}

async fn resource_policy_across_accounts(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let caller = "arn:aws:iam::111111111111:user/alice";
    let identity =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}"#;
    let grant = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sqs:SendMessage","Resource":"*"}]}"#;
    let queue = "arn:aws:sqs:us-east-1:222222222222:jobs";
    let run = |resource_policy: &'static str| {
        iam.simulate_custom_policy()
            .policy_input_list(identity)
            .resource_policy(resource_policy)
            .caller_arn(caller)
            .action_names("sqs:SendMessage")
            .resource_arns(queue)
            .send()
    };
    let out = run(grant).await.unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_decision(), &D::Allowed);
    let details = r.eval_decision_details().unwrap();
    assert_eq!(details.get("IAM Policy"), Some(&D::Allowed));
    assert_eq!(details.get("Resource Policy"), Some(&D::Allowed));

    // Across accounts the queue's policy must allow the caller too.
    let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sqs:SendMessage","Resource":"*"}]}"#;
    let out = run(other).await.unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_decision(), &D::ImplicitDeny);
    assert_eq!(r.eval_decision_details().unwrap().get("Resource Policy"), Some(&D::ImplicitDeny));

    // A resource policy needs a caller to match its Principal against.
    let e = aws_err(
        iam.simulate_custom_policy()
            .policy_input_list(identity)
            .resource_policy(grant)
            .action_names("sqs:SendMessage")
            .send()
            .await,
    );
    assert_eq!(e.code, "InvalidInput");
    s.stop().await;
}

async fn pages_of_actions(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let actions = ["s3:GetObject", "s3:ListBucket", "s3:PutObject"];
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut req = iam.simulate_custom_policy().policy_input_list(READ_BUCKET).max_items(2);
        for a in actions {
            req = req.action_names(a);
        }
        let out = req.set_marker(marker.clone()).send().await.unwrap();
        seen.extend(out.evaluation_results().iter().map(|r| r.eval_action_name().to_string()));
        if !out.is_truncated() {
            assert!(out.marker().is_none());
            break;
        }
        marker = out.marker().map(str::to_string);
    }
    assert_eq!(seen, actions);
    let e = aws_err(
        iam.simulate_custom_policy()
            .policy_input_list(READ_BUCKET)
            .action_names("s3:GetObject")
            .marker("bogus")
            .send()
            .await,
    );
    assert_eq!(e.message, "Invalid Marker.");
    s.stop().await;
}

async fn bad_input(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let e =
        aws_err(iam.simulate_custom_policy().policy_input_list("{not json").action_names("s3:GetObject").send().await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    );
    let old = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let e = aws_err(iam.simulate_custom_policy().policy_input_list(old).action_names("s3:GetObject").send().await);
    assert_eq!(e.message, "Policy document must be version 2012-10-17 or greater.");
    let e = aws_err(iam.simulate_custom_policy().policy_input_list(READ_BUCKET).action_names("s3:Get*").send().await);
    assert_eq!(e.code, "InvalidInput");
    let e = aws_err(
        iam.simulate_custom_policy()
            .policy_input_list(READ_BUCKET)
            .action_names("s3:GetObject")
            .caller_arn("arn:aws:sts::000000000000:assumed-role/r/s")
            .send()
            .await,
    );
    assert_eq!(e.message, "ARN arn:aws:sts::000000000000:assumed-role/r/s is not valid.");
    // A ResourceHandlingOption needs the resources of its EC2 scenario.
    let ec2 = ["instance", "image", "security-group", "network-interface"]
        .map(|kind| format!("arn:aws:ec2:us-east-1:000000000000:{kind}/x"));
    let run = |resources: &[String]| {
        iam.simulate_custom_policy()
            .policy_input_list(READ_BUCKET)
            .action_names("ec2:RunInstances")
            .set_resource_arns(Some(resources.to_vec()))
            .resource_handling_option("EC2-VPC-InstanceStore")
            .send()
    };
    let out = run(&ec2).await.unwrap();
    assert_eq!(out.evaluation_results()[0].resource_specific_results().len(), 4);
    let e = aws_err(run(&ec2[..3]).await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "InvalidInput",
            "ResourceHandlingOption EC2-VPC-InstanceStore requires resources of these types: network-interface."
        )
    );
    // The model's own constraints: ActionNames is required.
    let e = aws_err(iam.simulate_custom_policy().policy_input_list(READ_BUCKET).send().await);
    assert_eq!(e.status, 400);
    s.stop().await;
}

async fn context_keys(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home/${aws:username}","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
    let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"},"IpAddress":{"AWS:SOURCEIP":"192.0.2.0/24"}}}]}"#;
    let out = iam
        .get_context_keys_for_custom_policy()
        .policy_input_list(policy)
        .policy_input_list(other)
        .send()
        .await
        .unwrap();
    let mut keys = out.context_key_names().to_vec();
    keys.sort();
    assert_eq!(keys, ["aws:MultiFactorAuthPresent", "aws:SourceIp", "aws:username"]);
    let e = aws_err(iam.get_context_keys_for_custom_policy().policy_input_list("[]").send().await);
    assert_eq!(e.code, "MalformedPolicyDocument");
    s.stop().await;
}

async fn users_need_permission(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.iam(&s.user_with_key("alice").await);
    let e = aws_err(
        alice.simulate_custom_policy().policy_input_list(READ_BUCKET).action_names("s3:GetObject").send().await,
    );
    assert_eq!(e.code, "AccessDenied");
    assert_eq!(
        e.message,
        "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:SimulateCustomPolicy on resource: * because no identity-based policy allows the iam:SimulateCustomPolicy action"
    );
    s.stop().await;
}
