//! The policy simulator over stored principals through aws-sdk-iam: SimulatePrincipalPolicy and
//! GetContextKeysForPrincipalPolicy for users (their groups' policies included), groups and roles.

use aws_sdk_iam::types::{
    AttachmentType, EvaluationResult, InlinePolicyIdentifierType, PolicyEvaluationDecisionType as D, PolicyIdentifier,
    PolicyIdentifierPolicyType as Type,
};

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    a_users_policies_and_its_groups,
    a_boundary_caps_and_can_be_replaced,
    input_policies_add_to_the_stored_ones,
    exclusions_drop_stored_policies,
    a_role_with_an_aws_managed_boundary,
    a_group_simulates_its_own_policies,
    the_caller_defaults_to_the_source,
    missing_and_invalid_sources,
    callers_need_permission,
    context_keys_of_stored_and_input_policies
);

/// aws-sdk-iam (1.133) writes a union of the query protocol as `member` instead of the member's name
/// (`PolicyExclusionList.member.1.member=inline`, `...member.1.member.PolicyName=p`), where the model, botocore and
/// the AWS CLI write `PolicyExclusionList.member.1.PolicyType=inline` and `...InlinePolicyIdentifier.PolicyName=p`.
/// The server decodes by the model, so these tests put the member's name back before the request is signed.
#[derive(Debug)]
struct UnionMemberNames;

impl aws_sdk_iam::config::Intercept for UnionMemberNames {
    fn name(&self) -> &'static str {
        "UnionMemberNames"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _: &aws_sdk_iam::config::RuntimeComponents,
        _: &mut aws_sdk_iam::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request_mut();
        let body = String::from_utf8(request.body().bytes().unwrap_or_default().to_vec())?;
        let pairs: Vec<String> = body
            .split('&')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let Some(rest) = key.strip_prefix("PolicyExclusionList.member.") else { return pair.to_string() };
                // The SDK's form: `member.N.member=VALUE`, or `member.N.member.FIELD=VALUE` for the structure.
                let Some((n, field)) = rest.split_once(".member") else { return pair.to_string() };
                let name = match field.strip_prefix('.') {
                    Some(field) => format!("InlinePolicyIdentifier.{field}"),
                    None if value.starts_with("arn") => "PolicyArn".to_string(),
                    None => "PolicyType".to_string(),
                };
                format!("PolicyExclusionList.member.{n}.{name}={value}")
            })
            .collect();
        let body = pairs.join("&");
        request.headers_mut().insert("content-length", body.len().to_string());
        *request.body_mut() = body.into();
        Ok(())
    }
}

/// A root client that sends `PolicyExclusionList` in the model's form.
fn with_unions(s: &TestServer) -> aws_sdk_iam::Client {
    let conf = s.root_iam().config().to_builder().interceptor(UnionMemberNames).build();
    aws_sdk_iam::Client::from_conf(conf)
}

const ALICE: &str = "arn:aws:iam::000000000000:user/team/alice";
const SQS_READ: &str = "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess";

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

const GROUP_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"*"}]}"#;

/// A matched statement as the simulator reports it: source id, source type, start and end (line, column).
type Matched = (String, String, (i32, i32), (i32, i32));

/// The statement of a one-line, one-statement document as IAM positions it: the line and the column after the
/// statement's `{`, and after its `}`.
fn matched(id: &str, doc: &str) -> Matched {
    assert!(!doc.contains('\n'), "{doc}");
    let open = i32::try_from(doc.find("[{").unwrap()).unwrap() + 1;
    let close = i32::try_from(doc.rfind("}]").unwrap()).unwrap();
    (id.to_string(), "IAM Policy".to_string(), (1, open + 2), (1, close + 2))
}

fn statements(r: &EvaluationResult) -> Vec<Matched> {
    r.matched_statements()
        .iter()
        .map(|m| {
            let at = |p: Option<&aws_sdk_iam::types::Position>| p.map(|p| (p.line(), p.column())).unwrap();
            (
                m.source_policy_id().unwrap().to_string(),
                m.source_policy_type().unwrap().as_str().to_string(),
                at(m.start_position()),
                at(m.end_position()),
            )
        })
        .collect()
}

/// An action's decision and the ids of the statements behind it.
type Outcome = (String, D, Vec<String>);

fn outcomes(results: &[EvaluationResult]) -> Vec<Outcome> {
    results
        .iter()
        .map(|r| {
            let ids = r.matched_statements().iter().map(|m| m.source_policy_id().unwrap().to_string()).collect();
            (r.eval_action_name().to_string(), r.eval_decision().clone(), ids)
        })
        .collect()
}

fn outcome(action: &str, decision: D, ids: &[&str]) -> Outcome {
    (action.to_string(), decision, ids.iter().map(|i| i.to_string()).collect())
}

/// The document of an AWS managed policy as the server returns it.
async fn aws_document(iam: &aws_sdk_iam::Client, arn: &str) -> String {
    let policy = iam.get_policy().policy_arn(arn).send().await.unwrap();
    let version = policy.policy().unwrap().default_version_id().unwrap().to_string();
    let got = iam.get_policy_version().policy_arn(arn).version_id(version).send().await.unwrap();
    crate::policies::decoded(got.policy_version().unwrap().document().unwrap())
}

async fn create_policy(iam: &aws_sdk_iam::Client, name: &str, doc: &str) -> String {
    let out = iam.create_policy().policy_name(name).policy_document(doc).send().await.unwrap();
    out.policy().unwrap().arn().unwrap().to_string()
}

/// alice, at path /team/: an inline policy, a customer managed and an AWS managed policy attached, and the group
/// devs with an inline and an attached policy of its own. A group she is not in grants more.
async fn alice(s: &TestServer) {
    let iam = s.root_iam();
    iam.create_user().user_name("alice").path("/team/").send().await.unwrap();
    let read = allow("s3:GetObject", "*");
    iam.put_user_policy().user_name("alice").policy_name("read-objects").policy_document(read).send().await.unwrap();
    let queue = create_policy(&iam, "queue-send", &allow("sqs:SendMessage", "*")).await;
    iam.attach_user_policy().user_name("alice").policy_arn(queue).send().await.unwrap();
    iam.attach_user_policy().user_name("alice").policy_arn(SQS_READ).send().await.unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.put_group_policy()
        .group_name("devs")
        .policy_name("list-and-read")
        .policy_document(GROUP_DOC)
        .send()
        .await
        .unwrap();
    let sns = create_policy(&iam, "group-sns", &allow("sns:Publish", "*")).await;
    iam.attach_group_policy().group_name("devs").policy_arn(sns).send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("alice").send().await.unwrap();
    iam.create_group().group_name("others").send().await.unwrap();
    let all = allow("iam:*", "*");
    iam.put_group_policy().group_name("others").policy_name("iam").policy_document(all).send().await.unwrap();
}

const ALICE_ACTIONS: [&str; 6] =
    ["s3:GetObject", "s3:ListBucket", "sqs:SendMessage", "sqs:ListQueues", "sns:Publish", "iam:CreateUser"];

async fn simulate_alice(s: &TestServer, exclusions: Vec<PolicyIdentifier>) -> Vec<Outcome> {
    let mut req = with_unions(s).simulate_principal_policy().policy_source_arn(ALICE);
    for a in ALICE_ACTIONS {
        req = req.action_names(a);
    }
    let out = req.set_policy_exclusion_list(Some(exclusions)).send().await.unwrap();
    outcomes(out.evaluation_results())
}

async fn a_users_policies_and_its_groups(backend: Backend) {
    let s = TestServer::start(backend).await;
    alice(&s).await;
    let iam = s.root_iam();
    let mut req = iam.simulate_principal_policy().policy_source_arn(ALICE);
    for a in ALICE_ACTIONS {
        req = req.action_names(a);
    }
    let out = req.send().await.unwrap();
    assert!(!out.is_truncated());
    let results = out.evaluation_results();
    let sqs_doc = aws_document(&iam, SQS_READ).await;
    let expected: [(&str, D, Vec<Matched>); 6] = [
        (
            "s3:GetObject",
            D::Allowed,
            vec![
                matched("user_alice_read-objects", &allow("s3:GetObject", "*")),
                matched("group_devs_list-and-read", GROUP_DOC),
            ],
        ),
        ("s3:ListBucket", D::Allowed, vec![matched("group_devs_list-and-read", GROUP_DOC)]),
        ("sqs:SendMessage", D::Allowed, vec![matched("queue-send", &allow("sqs:SendMessage", "*"))]),
        ("sqs:ListQueues", D::Allowed, vec![matched("AmazonSQSReadOnlyAccess", &sqs_doc)]),
        ("sns:Publish", D::Allowed, vec![matched("group-sns", &allow("sns:Publish", "*"))]),
        ("iam:CreateUser", D::ImplicitDeny, vec![]),
    ];
    assert_eq!(results.len(), expected.len());
    for (r, (action, decision, statements_expected)) in results.iter().zip(expected) {
        assert_eq!(r.eval_action_name(), action);
        assert_eq!(r.eval_decision(), &decision, "{action}");
        assert_eq!(statements(r), statements_expected, "{action}");
        assert_eq!(r.eval_resource_name(), Some("*"));
        assert!(r.missing_context_values().is_empty());
        // No resources named, no boundary, no organizations: none of their details.
        assert!(r.resource_specific_results().is_empty());
        assert!(r.eval_decision_details().is_none());
        assert!(r.permissions_boundary_decision_detail().is_none());
        assert!(r.organizations_decision_detail().is_none());
    }
    s.stop().await;
}

async fn a_boundary_caps_and_can_be_replaced(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = with_unions(&s);
    iam.create_user().user_name("bob").send().await.unwrap();
    let admin = allow("*", "*");
    iam.put_user_policy().user_name("bob").policy_name("admin").policy_document(&admin).send().await.unwrap();
    let s3_only = allow("s3:*", "*");
    let boundary = create_policy(&iam, "s3-only", &s3_only).await;
    iam.put_user_permissions_boundary().user_name("bob").permissions_boundary(&boundary).send().await.unwrap();
    let bob = "arn:aws:iam::000000000000:user/bob";
    let run = |given: Option<&str>, exclusion: Option<PolicyIdentifier>| {
        iam.simulate_principal_policy()
            .policy_source_arn(bob)
            .action_names("s3:GetObject")
            .action_names("iam:CreateUser")
            .set_permissions_boundary_policy_input_list(given.map(|b| vec![b.to_string()]))
            .set_policy_exclusion_list(exclusion.map(|e| vec![e]))
            .send()
    };
    let bounded =
        |r: &EvaluationResult| r.permissions_boundary_decision_detail().map(|d| d.allowed_by_permissions_boundary());

    // The stored boundary caps the admin policy; its statements are listed by the boundary policy's name.
    let out = run(None, None).await.unwrap();
    let [get, create] = out.evaluation_results() else { panic!("two results") };
    assert_eq!(get.eval_decision(), &D::Allowed);
    assert_eq!(statements(get), [matched("user_bob_admin", &admin), matched("s3-only", &s3_only)]);
    assert_eq!(bounded(get), Some(true));
    assert_eq!(create.eval_decision(), &D::ImplicitDeny);
    assert!(create.matched_statements().is_empty());
    assert_eq!(bounded(create), Some(false));

    // A boundary passed in is simulated instead of the stored one.
    let iam_only = allow("iam:*", "*");
    let out = run(Some(&iam_only), None).await.unwrap();
    let [get, create] = out.evaluation_results() else { panic!("two results") };
    assert_eq!((get.eval_decision(), bounded(get)), (&D::ImplicitDeny, Some(false)));
    assert_eq!(create.eval_decision(), &D::Allowed);
    assert_eq!(
        statements(create),
        [matched("user_bob_admin", &admin), matched("PermissionsBoundaryPolicyInputList.1", &iam_only)]
    );

    // Excluding the permission-boundary type simulates without one.
    let out = run(None, Some(PolicyIdentifier::PolicyType(Type::PermissionBoundary))).await.unwrap();
    for r in out.evaluation_results() {
        assert_eq!(r.eval_decision(), &D::Allowed);
        assert_eq!(statements(r), [matched("user_bob_admin", &admin)]);
        assert_eq!(bounded(r), None);
    }

    let e = aws_err(
        iam.simulate_principal_policy()
            .policy_source_arn(bob)
            .action_names("s3:GetObject")
            .permissions_boundary_policy_input_list(&iam_only)
            .permissions_boundary_policy_input_list(&s3_only)
            .send()
            .await,
    );
    assert_eq!(
        e,
        AwsErr {
            code: "InvalidInput".into(),
            message: "Only one permissions boundary policy can be included in a simulation.".into(),
            status: 400
        }
    );
    s.stop().await;
}

async fn input_policies_add_to_the_stored_ones(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("carol").send().await.unwrap();
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;
    iam.put_user_policy().user_name("carol").policy_name("no-deletes").policy_document(deny).send().await.unwrap();
    let carol = "arn:aws:iam::000000000000:user/carol";
    let everything = allow("s3:*", "*");
    let run = |inputs: Vec<String>| {
        iam.simulate_principal_policy()
            .policy_source_arn(carol)
            .action_names("s3:GetObject")
            .action_names("s3:DeleteObject")
            .set_policy_input_list(Some(inputs))
            .send()
    };
    let out = run(vec![]).await.unwrap();
    assert_eq!(
        outcomes(out.evaluation_results()),
        [
            outcome("s3:GetObject", D::ImplicitDeny, &[]),
            outcome("s3:DeleteObject", D::ExplicitDeny, &["user_carol_no-deletes"])
        ]
    );
    let out = run(vec![everything.clone()]).await.unwrap();
    let [get, delete] = out.evaluation_results() else { panic!("two results") };
    assert_eq!(get.eval_decision(), &D::Allowed);
    assert_eq!(statements(get), [matched("PolicyInputList.1", &everything)]);
    // The stored deny still wins over the added allow.
    assert_eq!(delete.eval_decision(), &D::ExplicitDeny);
    assert_eq!(statements(delete), [matched("user_carol_no-deletes", deny)]);

    let e = aws_err(run(vec![everything, "{not json".to_string()]).await);
    assert_eq!(
        e,
        AwsErr { code: "MalformedPolicyDocument".into(), message: "Syntax errors in policy.".into(), status: 400 }
    );
    s.stop().await;
}

async fn exclusions_drop_stored_policies(backend: Backend) {
    let s = TestServer::start(backend).await;
    alice(&s).await;
    let all_allowed = [
        outcome("s3:GetObject", D::Allowed, &["user_alice_read-objects", "group_devs_list-and-read"]),
        outcome("s3:ListBucket", D::Allowed, &["group_devs_list-and-read"]),
        outcome("sqs:SendMessage", D::Allowed, &["queue-send"]),
        outcome("sqs:ListQueues", D::Allowed, &["AmazonSQSReadOnlyAccess"]),
        outcome("sns:Publish", D::Allowed, &["group-sns"]),
        outcome("iam:CreateUser", D::ImplicitDeny, &[]),
    ];
    // The outcomes with the given actions denied.
    let without = |denied: &[&str]| -> Vec<Outcome> {
        all_allowed
            .iter()
            .map(|o| if denied.contains(&o.0.as_str()) { outcome(&o.0, D::ImplicitDeny, &[]) } else { o.clone() })
            .collect()
    };
    let arn = |a: &str| PolicyIdentifier::PolicyArn(a.to_string());
    let inline = |policy: &str, kind: AttachmentType, holder: &str| {
        PolicyIdentifier::InlinePolicyIdentifier(
            InlinePolicyIdentifierType::builder()
                .policy_name(policy)
                .attachment_type(kind)
                .attachment_name(holder)
                .build()
                .unwrap(),
        )
    };
    let cases: Vec<(Vec<PolicyIdentifier>, Vec<Outcome>)> = vec![
        (vec![], without(&[])),
        (vec![PolicyIdentifier::PolicyType(Type::Inline)], without(&["s3:GetObject", "s3:ListBucket"])),
        (vec![PolicyIdentifier::PolicyType(Type::AwsManaged)], without(&["sqs:ListQueues"])),
        (vec![PolicyIdentifier::PolicyType(Type::UserManaged)], without(&["sqs:SendMessage", "sns:Publish"])),
        // SCPs and RCPs are no part of a principal's simulation here; identifiers of them change nothing.
        (vec![PolicyIdentifier::PolicyType(Type::Scp), PolicyIdentifier::PolicyType(Type::Rcp)], without(&[])),
        (vec![arn("arn:aws:iam::000000000000:policy/queue-send")], without(&["sqs:SendMessage"])),
        (vec![arn("arn:aws:iam::aws:policy/AmazonSQS*Access")], without(&["sqs:ListQueues"])),
        (vec![arn("arn:aws:iam::000000000000:policy/group-?ns")], without(&["sns:Publish"])),
        (vec![arn("arn:aws:iam::000000000000:policy/*")], without(&["sqs:SendMessage", "sns:Publish"])),
        // Valid identifiers that match nothing are ignored (ARNs compare case-sensitively).
        (
            vec![arn("arn:aws:iam::000000000000:policy/nothing-*"), arn("arn:aws:iam::000000000000:policy/QUEUE-SEND")],
            without(&[]),
        ),
        (
            vec![arn("arn:aws:iam::000000000000:policy/group-sns"), arn(SQS_READ)],
            without(&["sns:Publish", "sqs:ListQueues"]),
        ),
        (vec![inline("LIST-AND-READ", AttachmentType::Group, "Devs")], {
            let mut o = without(&["s3:ListBucket"]);
            o[0] = outcome("s3:GetObject", D::Allowed, &["user_alice_read-objects"]);
            o
        }),
        (vec![inline("read-objects", AttachmentType::User, "alice")], {
            let mut o = without(&[]);
            o[0] = outcome("s3:GetObject", D::Allowed, &["group_devs_list-and-read"]);
            o
        }),
        // The holder's kind must match too.
        (vec![inline("read-objects", AttachmentType::Group, "alice")], without(&[])),
    ];
    for (exclusions, expected) in cases {
        let label = format!("{exclusions:?}");
        assert_eq!(simulate_alice(&s, exclusions).await, expected, "{label}");
    }

    // Malformed identifiers: AWS answers InvalidInput.
    let iam = with_unions(&s);
    for bad in [
        "arn:but-not-an-arn-really",
        "arn:aws:iam::000000000000:policy/a*b*",
        "arn:aws:iam::000000000000:role/queue-send",
        "arn:aws:iam::*:policy/queue-send",
        "arn:aws:iam::000000000000:policy/",
    ] {
        let e = aws_err(
            iam.simulate_principal_policy()
                .policy_source_arn(ALICE)
                .action_names("s3:GetObject")
                .policy_exclusion_list(arn(bad))
                .send()
                .await,
        );
        assert_eq!(
            e,
            AwsErr { code: "InvalidInput".into(), message: format!("ARN {bad} is not valid."), status: 400 },
            "{bad}"
        );
    }
    // The model's pattern for AttachmentName allows no wildcards: the request fails its validation.
    let e = aws_err(
        iam.simulate_principal_policy()
            .policy_source_arn(ALICE)
            .action_names("s3:GetObject")
            .policy_exclusion_list(inline("read-objects", AttachmentType::User, "ali*"))
            .send()
            .await,
    );
    assert_eq!((e.code.as_str(), e.status), ("ValidationError", 400));
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'policyExclusionList.1.member.inlinePolicyIdentifier.attachmentName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    );
    s.stop().await;
}

async fn a_role_with_an_aws_managed_boundary(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role().role_name("deployer").path("/svc/").assume_role_policy_document(trust).send().await.unwrap();
    let all_s3 = allow("s3:*", "*");
    iam.put_role_policy().role_name("deployer").policy_name("s3-access").policy_document(&all_s3).send().await.unwrap();
    let read_only = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    iam.put_role_permissions_boundary().role_name("deployer").permissions_boundary(read_only).send().await.unwrap();
    let boundary_doc = aws_document(&iam, read_only).await;
    let role = "arn:aws:iam::000000000000:role/svc/deployer";
    let object = "arn:aws:s3:::bucket/key";
    let run = |max: Option<i32>, marker: Option<String>| {
        iam.simulate_principal_policy()
            .policy_source_arn(role)
            .action_names("s3:GetObject")
            .action_names("s3:PutObject")
            .resource_arns(object)
            .set_max_items(max)
            .set_marker(marker)
            .send()
    };
    let out = run(None, None).await.unwrap();
    let [get, put] = out.evaluation_results() else { panic!("two results") };
    let expected = [matched("role_deployer_s3-access", &all_s3), matched("AmazonS3ReadOnlyAccess", &boundary_doc)];
    assert_eq!(get.eval_decision(), &D::Allowed);
    assert_eq!(get.eval_resource_name(), Some(object));
    assert_eq!(statements(get), expected);
    // Same account, a named resource: the details map is there and empty, as AWS recorded.
    assert_eq!(get.eval_decision_details().map(|d| d.len()), Some(0));
    assert!(get.permissions_boundary_decision_detail().unwrap().allowed_by_permissions_boundary());
    let [rs] = get.resource_specific_results() else { panic!("one resource") };
    assert_eq!((rs.eval_resource_name(), rs.eval_resource_decision()), (object, &D::Allowed));
    assert_eq!(rs.matched_statements().len(), 2);
    assert!(rs.missing_context_values().is_empty());
    assert_eq!(put.eval_decision(), &D::ImplicitDeny);
    assert!(put.matched_statements().is_empty());
    assert!(!put.permissions_boundary_decision_detail().unwrap().allowed_by_permissions_boundary());

    // Paged over actions like the custom simulator.
    let first = run(Some(1), None).await.unwrap();
    assert_eq!(
        outcomes(first.evaluation_results()),
        [outcome("s3:GetObject", D::Allowed, &["role_deployer_s3-access", "AmazonS3ReadOnlyAccess"])]
    );
    assert!(first.is_truncated());
    let rest = run(Some(1), first.marker().map(str::to_string)).await.unwrap();
    assert_eq!(outcomes(rest.evaluation_results()), [outcome("s3:PutObject", D::ImplicitDeny, &[])]);
    assert!(!rest.is_truncated() && rest.marker().is_none());
    s.stop().await;
}

async fn a_group_simulates_its_own_policies(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("ops").path("/teams/").send().await.unwrap();
    let describe = allow("ec2:DescribeInstances", "*");
    iam.put_group_policy().group_name("ops").policy_name("describe").policy_document(&describe).send().await.unwrap();
    iam.attach_group_policy().group_name("ops").policy_arn(SQS_READ).send().await.unwrap();
    iam.create_user().user_name("frank").send().await.unwrap();
    let publish = allow("sns:Publish", "*");
    iam.put_user_policy().user_name("frank").policy_name("publish").policy_document(&publish).send().await.unwrap();
    iam.add_user_to_group().group_name("ops").user_name("frank").send().await.unwrap();
    let run = |arn: &'static str| {
        iam.simulate_principal_policy()
            .policy_source_arn(arn)
            .action_names("ec2:DescribeInstances")
            .action_names("sqs:ListQueues")
            .action_names("sns:Publish")
            .send()
    };
    // The group's own policies only, not those of its members.
    let out = run("arn:aws:iam::000000000000:group/teams/ops").await.unwrap();
    let sqs_doc = aws_document(&iam, SQS_READ).await;
    let [ec2, sqs, sns] = out.evaluation_results() else { panic!("three results") };
    assert_eq!(statements(ec2), [matched("group_ops_describe", &describe)]);
    assert_eq!(statements(sqs), [matched("AmazonSQSReadOnlyAccess", &sqs_doc)]);
    assert_eq!((sns.eval_decision(), sns.matched_statements().len()), (&D::ImplicitDeny, 0));
    // A member has both.
    let out = run("arn:aws:iam::000000000000:user/frank").await.unwrap();
    assert_eq!(
        outcomes(out.evaluation_results()),
        [
            outcome("ec2:DescribeInstances", D::Allowed, &["group_ops_describe"]),
            outcome("sqs:ListQueues", D::Allowed, &["AmazonSQSReadOnlyAccess"]),
            outcome("sns:Publish", D::Allowed, &["user_frank_publish"]),
        ]
    );
    s.stop().await;
}

async fn the_caller_defaults_to_the_source(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    for name in ["dave", "erin"] {
        iam.create_user().user_name(name).send().await.unwrap();
    }
    let grant = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/dave"},"Action":"sqs:SendMessage","Resource":"*"}]}"#;
    let queue = "arn:aws:sqs:us-east-1:000000000000:jobs";
    let run = |caller: Option<&str>| {
        iam.simulate_principal_policy()
            .policy_source_arn("arn:aws:iam::000000000000:user/dave")
            .action_names("sqs:SendMessage")
            .resource_arns(queue)
            .resource_policy(grant)
            .set_caller_arn(caller.map(str::to_string))
            .send()
    };
    // Without CallerArn dave calls, whom the queue's policy names: no CallerArn needed for a resource policy.
    let out = run(None).await.unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_decision(), &D::Allowed);
    let m = &r.matched_statements()[0];
    assert_eq!(
        (m.source_policy_id(), m.source_policy_type().map(|t| t.as_str())),
        (Some("ResourcePolicy"), Some("Resource Policy"))
    );
    // erin calling with dave's (no) policies is not named by the queue's policy.
    let out = run(Some("arn:aws:iam::000000000000:user/erin")).await.unwrap();
    assert_eq!(out.evaluation_results()[0].eval_decision(), &D::ImplicitDeny);
    let e = aws_err(run(Some("arn:aws:sts::000000000000:assumed-role/r/s")).await);
    assert_eq!(
        e,
        AwsErr {
            code: "InvalidInput".into(),
            message: "ARN arn:aws:sts::000000000000:assumed-role/r/s is not valid.".into(),
            status: 400
        }
    );
    s.stop().await;
}

async fn missing_and_invalid_sources(backend: Backend) {
    let s = TestServer::start(backend).await;
    alice(&s).await;
    let iam = s.root_iam();
    let simulate =
        |arn: &str| iam.simulate_principal_policy().policy_source_arn(arn).action_names("s3:GetObject").send();
    let keys = |arn: &str| iam.get_context_keys_for_principal_policy().policy_source_arn(arn).send();
    let no_such = |message: &str| AwsErr { code: "NoSuchEntity".into(), message: message.into(), status: 404 };
    for (arn, message) in [
        ("arn:aws:iam::000000000000:user/ghost", "The user with name ghost cannot be found."),
        // alice is at /team/: the ARN's path must be hers.
        ("arn:aws:iam::000000000000:user/alice", "The user with name alice cannot be found."),
        ("arn:aws:iam::000000000000:group/ghost", "The group with name ghost cannot be found."),
        ("arn:aws:iam::000000000000:role/svc/ghost", "The role with name ghost cannot be found."),
    ] {
        assert_eq!(aws_err(simulate(arn).await), no_such(message), "{arn}");
        assert_eq!(aws_err(keys(arn).await), no_such(message), "{arn}");
    }
    for arn in [
        "this-is-not-an-arn-at-all",
        "arn:aws:iam::000000000000:policy/queue-send",
        "arn:aws:iam::111111111111:user/team/alice",
        "arn:aws:sts::000000000000:assumed-role/r/s",
        "arn:aws:iam::000000000000:user/",
        "arn:aws:iam::000000000000:root",
    ] {
        let invalid = AwsErr { code: "InvalidInput".into(), message: format!("ARN {arn} is not valid."), status: 400 };
        assert_eq!(aws_err(simulate(arn).await), invalid, "{arn}");
        assert_eq!(aws_err(keys(arn).await), invalid, "{arn}");
    }
    s.stop().await;
}

async fn callers_need_permission(backend: Backend) {
    let s = TestServer::start(backend).await;
    alice(&s).await;
    let sam = s.iam(&s.user_with_key("sam").await);
    let denied = |action: &str, arn: &str| {
        AwsErr {
        code: "AccessDenied".into(),
        message: format!(
            "User: arn:aws:iam::000000000000:user/sam is not authorized to perform: {action} on resource: {arn} because no identity-based policy allows the {action} action"
        ),
        status: 403,
    }
    };
    let simulate =
        |arn: &str| sam.simulate_principal_policy().policy_source_arn(arn).action_names("s3:GetObject").send();
    let keys = |arn: &str| sam.get_context_keys_for_principal_policy().policy_source_arn(arn).send();
    let ghost = "arn:aws:iam::000000000000:user/team/ghost";
    // Decided before existence is revealed: a missing user is as denied as an existing one.
    for arn in [ALICE, ghost] {
        assert_eq!(aws_err(simulate(arn).await), denied("iam:SimulatePrincipalPolicy", arn));
        assert_eq!(aws_err(keys(arn).await), denied("iam:GetContextKeysForPrincipalPolicy", arn));
    }

    let may = allow("iam:SimulatePrincipalPolicy", "arn:aws:iam::000000000000:user/team/*");
    s.root_iam().put_user_policy().user_name("sam").policy_name("simulate").policy_document(may).send().await.unwrap();
    let out = simulate(ALICE).await.unwrap();
    assert_eq!(
        outcomes(out.evaluation_results()),
        [outcome("s3:GetObject", D::Allowed, &["user_alice_read-objects", "group_devs_list-and-read"])]
    );
    let e = aws_err(simulate(ghost).await);
    assert_eq!((e.code.as_str(), e.message.as_str()), ("NoSuchEntity", "The user with name ghost cannot be found."));
    let other = "arn:aws:iam::000000000000:group/devs";
    assert_eq!(aws_err(simulate(other).await), denied("iam:SimulatePrincipalPolicy", other));
    assert_eq!(aws_err(keys(ALICE).await), denied("iam:GetContextKeysForPrincipalPolicy", ALICE));
    s.stop().await;
}

async fn context_keys_of_stored_and_input_policies(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let with = |condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{condition}}}]}}"#
        )
    };
    iam.create_user().user_name("gina").send().await.unwrap();
    let ip = with(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#);
    iam.put_user_policy().user_name("gina").policy_name("ip").policy_document(ip).send().await.unwrap();
    let prefix = create_policy(&iam, "prefix", &with(r#"{"StringLike":{"s3:prefix":"home/*"}}"#)).await;
    iam.attach_user_policy().user_name("gina").policy_arn(prefix).send().await.unwrap();
    let region = create_policy(&iam, "region", &with(r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#)).await;
    iam.put_user_permissions_boundary().user_name("gina").permissions_boundary(region).send().await.unwrap();
    iam.create_group().group_name("mfa").send().await.unwrap();
    // Keys compare regardless of case: a second spelling of aws:SourceIp is not listed again.
    let mfa = with(r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}"#);
    iam.put_group_policy().group_name("mfa").policy_name("mfa").policy_document(mfa).send().await.unwrap();
    iam.add_user_to_group().group_name("mfa").user_name("gina").send().await.unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role().role_name("bare").assume_role_policy_document(trust).send().await.unwrap();

    let input = with(r#"{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}"#);
    let keys = |arn: &'static str, inputs: Vec<String>| {
        iam.get_context_keys_for_principal_policy().policy_source_arn(arn).set_policy_input_list(Some(inputs)).send()
    };
    let gina = "arn:aws:iam::000000000000:user/gina";
    // The user's own policies, then its groups', then the documents passed in; the boundary is not listed.
    let out = keys(gina, vec![input.clone()]).await.unwrap();
    assert_eq!(out.context_key_names(), ["aws:SourceIp", "s3:prefix", "aws:MultiFactorAuthPresent", "aws:CurrentTime"]);
    let out = keys(gina, vec![]).await.unwrap();
    assert_eq!(out.context_key_names(), ["aws:SourceIp", "s3:prefix", "aws:MultiFactorAuthPresent"]);
    let out = keys("arn:aws:iam::000000000000:group/mfa", vec![]).await.unwrap();
    assert_eq!(out.context_key_names(), ["aws:MultiFactorAuthPresent", "AWS:SOURCEIP"]);
    let out = keys("arn:aws:iam::000000000000:role/bare", vec![input]).await.unwrap();
    assert_eq!(out.context_key_names(), ["aws:CurrentTime"]);
    let out = keys("arn:aws:iam::000000000000:role/bare", vec![]).await.unwrap();
    assert!(out.context_key_names().is_empty());
    let e = aws_err(keys(gina, vec!["[]".to_string()]).await);
    assert_eq!((e.code.as_str(), e.status), ("MalformedPolicyDocument", 400));
    s.stop().await;
}
