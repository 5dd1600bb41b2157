//! Roles through aws-sdk-iam: create, read, list with paging, update settings and trust policy, tag, delete, the
//! trust-policy rules (grammar, size, principals), service-linked roles' protection, and AWS's errors.

use aws_sdk_iam::types::Tag;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    create_get_delete,
    duplicate_names_collide_case_insensitively,
    list_paginates_and_filters_by_path,
    documents_read_back_as_sent,
    update_role_and_description,
    update_assume_role_policy,
    trust_policy_grammar_and_size,
    trust_policy_principals,
    tags,
    delete_conflicts,
    service_linked_roles_are_protected,
    roles_quota,
    permissions_boundary_is_checked
);

pub const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A trust policy letting `principal` (`"KEY":"VALUE"`) assume the role.
fn trusting(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{{principal}}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// Percent-decoding, as the CLI and boto3 do to the documents IAM returns (aws-sdk-iam hands them over encoded).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

fn no_such_role(name: &str) -> AwsErr {
    err("NoSuchEntity", &format!("The role with name {name} cannot be found."), 404)
}

async fn create_get_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam
        .create_role()
        .role_name("app")
        .path("/svc/")
        .description("testing role")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    let r = out.role().unwrap();
    assert_eq!(r.role_name(), "app");
    assert_eq!(r.path(), "/svc/");
    assert_eq!(r.arn(), "arn:aws:iam::000000000000:role/svc/app");
    assert!(r.role_id().starts_with("AROA") && r.role_id().len() == 21, "{}", r.role_id());
    assert_eq!(decode(r.assume_role_policy_document().unwrap()), TRUST);
    // As AWS answers CreateRole: no Description, MaxSessionDuration or RoleLastUsed.
    assert_eq!((r.description(), r.max_session_duration(), r.role_last_used()), (None, None, None));
    assert!(r.tags().is_empty() && r.permissions_boundary().is_none());

    let got = iam.get_role().role_name("APP").send().await.unwrap();
    let g = got.role().unwrap();
    assert_eq!((g.role_id(), g.role_name(), g.path()), (r.role_id(), "app", "/svc/"));
    assert_eq!(g.create_date().secs(), r.create_date().secs());
    assert_eq!(g.description(), Some("testing role"));
    assert_eq!(g.max_session_duration(), Some(3600));
    let last_used = g.role_last_used().expect("RoleLastUsed, empty when never used");
    assert_eq!((last_used.last_used_date(), last_used.region()), (None, None));
    assert_eq!(decode(g.assume_role_policy_document().unwrap()), TRUST);

    iam.delete_role().role_name("App").send().await.unwrap();
    assert_eq!(aws_err(iam.get_role().role_name("app").send().await), no_such_role("app"));
    assert_eq!(aws_err(iam.delete_role().role_name("app").send().await), no_such_role("app"));
    assert_eq!(aws_err(iam.update_role().role_name("nobody").description("test").send().await), no_such_role("nobody"));
    s.stop().await;
}

async fn duplicate_names_collide_case_insensitively(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_role().role_name("Deploy").assume_role_policy_document(TRUST).send().await.unwrap();
    let e = aws_err(iam.create_role().role_name("deploy").path("/x/").assume_role_policy_document(TRUST).send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Role with name deploy already exists.", 409));
    s.stop().await;
}

async fn list_paginates_and_filters_by_path(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    for (name, path) in [("dave", "/eng/"), ("carol", "/"), ("erin", "/eng/backend/"), ("alice", "/"), ("bob", "/ops/")]
    {
        iam.create_role()
            .role_name(name)
            .path(path)
            .description(format!("role {name}"))
            .assume_role_policy_document(TRUST)
            .tags(Tag::builder().key("team").value("x").build().unwrap())
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = iam.list_roles().max_items(2).set_marker(marker.clone()).send().await.unwrap();
        pages += 1;
        for r in out.roles() {
            names.push(r.role_name().to_string());
            // ListRoles shows Description and MaxSessionDuration, not tags, boundary or RoleLastUsed.
            assert_eq!(r.description(), Some(format!("role {}", r.role_name()).as_str()));
            assert_eq!(r.max_session_duration(), Some(3600));
            assert!(r.tags().is_empty() && r.role_last_used().is_none() && r.permissions_boundary().is_none());
            assert_eq!(decode(r.assume_role_policy_document().unwrap()), TRUST);
        }
        if !out.is_truncated() {
            assert!(out.marker().is_none());
            break;
        }
        marker = out.marker().map(str::to_string);
    }
    assert_eq!(names, ["alice", "bob", "carol", "dave", "erin"]);
    assert_eq!(pages, 3);
    let eng: Vec<String> = iam
        .list_roles()
        .path_prefix("/eng/")
        .send()
        .await
        .unwrap()
        .roles()
        .iter()
        .map(|r| r.role_name().to_string())
        .collect();
    assert_eq!(eng, ["dave", "erin"]);
    assert!(iam.list_roles().path_prefix("/none/").send().await.unwrap().roles().is_empty());
    let e = aws_err(iam.list_roles().marker("invalid-marker-value!").send().await);
    assert_eq!(e, err("ValidationError", "Invalid Marker.", 400));
    s.stop().await;
}

/// The document is kept as submitted (whitespace, order, escapes) and percent-encoded on the way out, so decoding
/// once gives back exactly the text sent, literal `%3A` included (as AWS's recorded `arn%3Aaws%3A...` shows).
async fn documents_read_back_as_sent(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\", \"Condition\": {\"StringEquals\": {\"aws:SourceArn\": \"arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc +é\"}}}]\n}";
    let out = iam.create_role().role_name("lambda").assume_role_policy_document(doc).send().await.unwrap();
    let encoded = out.role().unwrap().assume_role_policy_document().unwrap().to_string();
    assert!(encoded.starts_with("%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22"), "{encoded}");
    assert_eq!(decode(&encoded), doc);
    let got = iam.get_role().role_name("lambda").send().await.unwrap();
    assert_eq!(decode(got.role().unwrap().assume_role_policy_document().unwrap()), doc);
    s.stop().await;
}

async fn update_role_and_description(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_role()
        .role_name("r1")
        .description("first")
        .max_session_duration(7200)
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    let get = || async { iam.get_role().role_name("r1").send().await.unwrap().role().unwrap().clone() };
    assert_eq!(get().await.max_session_duration(), Some(7200));

    iam.update_role()
        .role_name("R1")
        .description("updated description")
        .max_session_duration(43200)
        .send()
        .await
        .unwrap();
    let r = get().await;
    assert_eq!((r.description(), r.max_session_duration()), (Some("updated description"), Some(43200)));
    // What is not given stays as it is.
    iam.update_role().role_name("r1").max_session_duration(3600).send().await.unwrap();
    assert_eq!(get().await.description(), Some("updated description"));
    iam.update_role().role_name("r1").description("again").send().await.unwrap();
    assert_eq!(get().await.max_session_duration(), Some(3600));

    // The model's range, in IAM's ValidationError wording (IAM does not echo the value, as its recorded tag errors show).
    for (value, bound) in [(3599, "greater than or equal to 3600"), (43201, "less than or equal to 43200")] {
        let e = aws_err(iam.update_role().role_name("r1").max_session_duration(value).send().await);
        assert_eq!(
            e,
            err(
                "ValidationError",
                &format!("1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value {bound}"),
                400
            )
        );
    }
    let e = aws_err(
        iam.create_role().role_name("r2").max_session_duration(100).assume_role_policy_document(TRUST).send().await,
    );
    assert_eq!(e.code, "ValidationError");
    assert!(e.message.contains("'maxSessionDuration'"), "{}", e.message);

    let out = iam
        .update_role_description()
        .role_name("r1")
        .description("description via update_role_description")
        .send()
        .await
        .unwrap();
    let r = out.role().unwrap();
    assert_eq!(r.description(), Some("description via update_role_description"));
    assert_eq!((r.role_name(), r.path()), ("r1", "/"));
    assert_eq!(decode(r.assume_role_policy_document().unwrap()), TRUST);
    assert_eq!((r.max_session_duration(), r.role_last_used()), (None, None));
    assert_eq!(get().await.description(), Some("description via update_role_description"));
    let e = aws_err(iam.update_role_description().role_name("nobody").description("x").send().await);
    assert_eq!(e, no_such_role("nobody"));
    s.stop().await;
}

async fn update_assume_role_policy(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_role().role_name("r").assume_role_policy_document(TRUST).send().await.unwrap();
    let new = trusting(r#""AWS":"arn:aws:iam::000000000000:root""#);
    iam.update_assume_role_policy().role_name("R").policy_document(&new).send().await.unwrap();
    let got = iam.get_role().role_name("r").send().await.unwrap();
    assert_eq!(decode(got.role().unwrap().assume_role_policy_document().unwrap()), new);

    let malformed = |m: &str| err("MalformedPolicyDocument", m, 400);
    let e = aws_err(iam.update_assume_role_policy().role_name("r").policy_document("not valid json").send().await);
    assert_eq!(e, malformed("This policy contains invalid Json"));
    let action = TRUST.replace("sts:AssumeRole", "s3:GetObject");
    let e = aws_err(iam.update_assume_role_policy().role_name("r").policy_document(action).send().await);
    assert_eq!(e, malformed("AssumeRole policy may only specify STS AssumeRole actions."));
    let resource = TRUST.replace(r#""Action""#, r#""Resource":"*","Action""#);
    let e = aws_err(iam.update_assume_role_policy().role_name("r").policy_document(resource).send().await);
    assert_eq!(e, malformed("Has prohibited field Resource"));
    let e = aws_err(
        iam.update_assume_role_policy()
            .role_name("r")
            .policy_document(trusting(r#""AWS":"arn:aws:iam::000000000000:role/nobody""#))
            .send()
            .await,
    );
    assert_eq!(e, malformed(r#"Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/nobody""#));
    // The refused documents changed nothing.
    let got = iam.get_role().role_name("r").send().await.unwrap();
    assert_eq!(decode(got.role().unwrap().assume_role_policy_document().unwrap()), new);
    let e = aws_err(iam.update_assume_role_policy().role_name("nobody").policy_document(TRUST).send().await);
    assert_eq!(e, no_such_role("nobody"));
    s.stop().await;
}

async fn trust_policy_grammar_and_size(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let create = |name: &str, doc: String| iam.create_role().role_name(name).assume_role_policy_document(doc).send();
    let malformed = |m: &str| err("MalformedPolicyDocument", m, 400);
    let e = aws_err(create("a", TRUST.replace("]}", ",]}")).await);
    assert_eq!(e, malformed("This policy contains invalid Json"));
    let e = aws_err(create("a", TRUST.replace("sts:AssumeRole", "sts:GetCallerIdentity")).await);
    assert_eq!(e, malformed("AssumeRole policy may only specify STS AssumeRole actions."));
    let e = aws_err(create("a", TRUST.replace(r#""Principal":{"Service":"ec2.amazonaws.com"},"#, "")).await);
    assert_eq!(e, malformed("Missing required field Principal"));
    let all = TRUST.replace(
        r#""sts:AssumeRole""#,
        r#"["sts:AssumeRole","sts:AssumeRoleWithSAML","sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity","sts:SetContext"]"#,
    );
    create("all-actions", all).await.unwrap();

    // AssumeRolePolicySizePerRole: 2,048 characters, whitespace not counted.
    let padded = |n: usize| TRUST.replace(r#""Action""#, &format!(r#""Sid":"{}","Action""#, "x".repeat(n)));
    let base = gatehouse_policy::policy_size(&padded(0));
    let exact = padded(2048 - base);
    assert_eq!(gatehouse_policy::policy_size(&exact), 2048);
    create("at-limit", exact.replace(',', " ,\n   ")).await.unwrap();
    let e = aws_err(create("over-limit", padded(2049 - base)).await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409));
    let names: Vec<String> =
        iam.list_roles().send().await.unwrap().roles().iter().map(|r| r.role_name().to_string()).collect();
    assert_eq!(names, ["all-actions", "at-limit"]);
    s.stop().await;
}

async fn trust_policy_principals(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("alice").path("/eng/").send().await.unwrap();
    iam.create_role().role_name("existing").assume_role_policy_document(TRUST).send().await.unwrap();
    let mut n = 0;
    let mut create = |principal: &str| {
        n += 1;
        iam.create_role().role_name(format!("r{n}")).assume_role_policy_document(trusting(principal)).send()
    };
    for fine in [
        r#""AWS":"*""#,
        r#""AWS":"111122223333""#,
        r#""AWS":"arn:aws:iam::111122223333:root""#,
        r#""AWS":"arn:aws:iam::000000000000:root""#,
        r#""AWS":"arn:aws:iam::000000000000:user/eng/alice""#,
        r#""AWS":"arn:aws:iam::000000000000:role/existing""#,
        // Another account's users and roles are not ours to know.
        r#""AWS":"arn:aws:iam::111122223333:user/someone""#,
        r#""AWS":"arn:aws:sts::000000000000:assumed-role/existing/session""#,
        r#""AWS":["arn:aws:iam::000000000000:root","000000000000"]"#,
        r#""Service":["ec2.amazonaws.com","lambda.amazonaws.com"]"#,
        // Another account's identity providers likewise (this account's must exist: tests/it/identity_providers.rs).
        r#""Federated":"arn:aws:iam::111122223333:saml-provider/okta""#,
        r#""Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com""#,
        r#""Federated":"accounts.google.com""#,
        r#""Federated":"cognito-identity.amazonaws.com""#,
    ] {
        create(fine).await.unwrap_or_else(|e| panic!("{fine}: {e:?}"));
    }
    for (principal, shown) in [
        (r#""AWS":"arn:aws:iam::000000000000:user/nobody""#, r#""AWS":"arn:aws:iam::000000000000:user/nobody""#),
        // The user exists, but not under this path.
        (r#""AWS":"arn:aws:iam::000000000000:user/alice""#, r#""AWS":"arn:aws:iam::000000000000:user/alice""#),
        (
            r#""AWS":["arn:aws:iam::000000000000:root","arn:aws:iam::000000000000:role/nobody"]"#,
            r#""AWS":"arn:aws:iam::000000000000:role/nobody""#,
        ),
        (r#""AWS":"arn:aws:iam::000000000000:group/admins""#, r#""AWS":"arn:aws:iam::000000000000:group/admins""#),
        (r#""AWS":"garbage""#, r#""AWS":"garbage""#),
        (r#""AWS":"arn:aws:iam::*:root""#, r#""AWS":"arn:aws:iam::*:root""#),
        (r#""Service":"ec2""#, r#""Service":"ec2""#),
        (r#""Federated":"example.com""#, r#""Federated":"example.com""#),
        (
            r#""Federated":"arn:aws:iam::000000000000:saml-provider/okta""#,
            r#""Federated":"arn:aws:iam::000000000000:saml-provider/okta""#,
        ),
        (
            r#""CanonicalUser":"79a59df900b949e55d96a1e698fbaced""#,
            r#""CanonicalUser":"79a59df900b949e55d96a1e698fbaced""#,
        ),
    ] {
        let e = aws_err(create(principal).await);
        assert_eq!(
            e,
            err("MalformedPolicyDocument", &format!("Invalid principal in policy: {shown}"), 400),
            "{principal}"
        );
    }
    s.stop().await;
}

async fn tags(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let out = iam
        .create_role()
        .role_name("tagged")
        .assume_role_policy_document(TRUST)
        .tags(tag("team", "core"))
        .tags(tag("emptykey", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(out.role().unwrap().tags().len(), 2);
    iam.tag_role().role_name("TAGGED").tags(tag("Team", "infra")).tags(tag("env", "prod")).send().await.unwrap();
    let listed = iam.list_role_tags().role_name("tagged").send().await.unwrap();
    let kv: Vec<(&str, &str)> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(kv, [("Team", "infra"), ("emptykey", ""), ("env", "prod")]);
    assert!(!listed.is_truncated());
    let got = iam.get_role().role_name("tagged").send().await.unwrap();
    assert_eq!(got.role().unwrap().tags().len(), 3);
    let page = iam.list_role_tags().role_name("tagged").max_items(2).send().await.unwrap();
    assert_eq!(page.tags().len(), 2);
    let rest = iam.list_role_tags().role_name("tagged").marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), ["env"]);

    iam.untag_role().role_name("tagged").tag_keys("TEAM").tag_keys("missing").send().await.unwrap();
    let listed = iam.list_role_tags().role_name("tagged").send().await.unwrap();
    assert_eq!(listed.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), ["emptykey", "env"]);

    let dup = "Duplicate tag keys found. Please note that Tag keys are case insensitive.";
    let e = aws_err(iam.tag_role().role_name("tagged").tags(tag("dupkey", "1")).tags(tag("DUPKEY", "2")).send().await);
    assert_eq!(e, err("InvalidInput", dup, 400));
    let e = aws_err(
        iam.create_role()
            .role_name("dup")
            .assume_role_policy_document(TRUST)
            .tags(tag("dupkey", "1"))
            .tags(tag("dupkey", "2"))
            .send()
            .await,
    );
    assert_eq!(e, err("InvalidInput", dup, 400));
    let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    let e = aws_err(
        iam.create_role().role_name("many").assume_role_policy_document(TRUST).set_tags(Some(many)).send().await,
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
    );
    let e = aws_err(iam.tag_role().role_name("nobody").tags(tag("somekey", "somevalue")).send().await);
    assert_eq!(e, no_such_role("nobody"));
    assert_eq!(aws_err(iam.untag_role().role_name("nobody").tag_keys("somekey").send().await), no_such_role("nobody"));
    assert_eq!(aws_err(iam.list_role_tags().role_name("nobody").send().await), no_such_role("nobody"));

    // The tags go with the role: a new role of the same name starts without them.
    iam.delete_role().role_name("tagged").send().await.unwrap();
    iam.create_role().role_name("tagged").assume_role_policy_document(TRUST).send().await.unwrap();
    assert!(iam.list_role_tags().role_name("tagged").send().await.unwrap().tags().is_empty());
    s.stop().await;
}

async fn exec(s: &TestServer, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let done = q.execute(s.running.state.store_and_keys_for_tests().0.pool()).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

async fn delete_conflicts(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam.create_role().role_name("busy").assume_role_policy_document(TRUST).send().await.unwrap();
    let id = out.role().unwrap().role_id().to_string();
    iam.create_instance_profile().instance_profile_name("web").send().await.unwrap();
    iam.add_role_to_instance_profile().instance_profile_name("web").role_name("busy").send().await.unwrap();
    // The inline and attachment operations arrive separately: their rows are written directly here.
    exec(
        &s,
        "INSERT INTO inline_policies (entity_id, entity_kind, account_id, name, name_key, document)
         VALUES ($1, 'role', '000000000000', 'p', 'p', '{}')",
        &[&id],
    )
    .await;
    exec(
        &s,
        "INSERT INTO policy_attachments (entity_id, entity_kind, account_id, policy_arn, policy_name, attached_at)
         VALUES ($1, 'role', '000000000000', 'arn:aws:iam::aws:policy/ReadOnlyAccess', 'ReadOnlyAccess', 0)",
        &[&id],
    )
    .await;
    let conflict = |what: &str| err("DeleteConflict", &format!("Cannot delete entity, must {what} first."), 409);
    let e = aws_err(iam.delete_role().role_name("busy").send().await);
    assert_eq!(e, conflict("remove roles from instance profile"));
    iam.remove_role_from_instance_profile().instance_profile_name("web").role_name("busy").send().await.unwrap();
    assert_eq!(aws_err(iam.delete_role().role_name("busy").send().await), conflict("delete policies"));
    exec(&s, "DELETE FROM inline_policies WHERE entity_id = $1", &[&id]).await;
    assert_eq!(aws_err(iam.delete_role().role_name("busy").send().await), conflict("detach all policies"));
    exec(&s, "DELETE FROM policy_attachments WHERE entity_id = $1", &[&id]).await;
    iam.delete_role().role_name("busy").send().await.unwrap();
    s.stop().await;
}

/// A service-linked role (service_name set; CreateServiceLinkedRole arrives separately, so the row is written
/// here) refuses a new trust policy, a new session duration and DeleteRole; its description may be edited.
async fn service_linked_roles_are_protected(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let name = "AWSServiceRoleForAmazonSSM_AccountDiscovery";
    exec(
        &s,
        "INSERT INTO roles (role_id, account_id, name, name_key, path, trust_policy, max_session_duration,
                            service_name, created_at)
         VALUES ('AROASERVICELINKED0001', '000000000000', $1, $2, '/aws-service-role/accountdiscovery.ssm.amazonaws.com/',
                 $3, 3600, 'accountdiscovery.ssm.amazonaws.com', 0)",
        &[name, &name.to_ascii_lowercase(), &TRUST.replace("ec2", "accountdiscovery.ssm")],
    )
    .await;
    let protected = err(
        "UnmodifiableEntity",
        &format!("Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"),
        400,
    );
    assert_eq!(aws_err(iam.delete_role().role_name(name).send().await), protected);
    assert_eq!(aws_err(iam.update_assume_role_policy().role_name(name).policy_document(TRUST).send().await), protected);
    assert_eq!(aws_err(iam.update_role().role_name(name).max_session_duration(7200).send().await), protected);
    iam.update_role().role_name(name).description("edited").send().await.unwrap();
    let got = iam.get_role().role_name(name).send().await.unwrap();
    let r = got.role().unwrap();
    assert_eq!(
        r.arn(),
        format!("arn:aws:iam::000000000000:role/aws-service-role/accountdiscovery.ssm.amazonaws.com/{name}")
    );
    assert_eq!((r.description(), r.max_session_duration()), (Some("edited"), Some(3600)));
    s.stop().await;
}

async fn roles_quota(backend: Backend) {
    let s = TestServer::start_args(backend, |a| a.quotas.roles = 2).await;
    let iam = s.root_iam();
    for name in ["a", "b"] {
        iam.create_role().role_name(name).assume_role_policy_document(TRUST).send().await.unwrap();
    }
    let e = aws_err(iam.create_role().role_name("c").assume_role_policy_document(TRUST).send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for RolesPerAccount: 2", 409));
    iam.delete_role().role_name("a").send().await.unwrap();
    iam.create_role().role_name("c").assume_role_policy_document(TRUST).send().await.unwrap();
    s.stop().await;
}

async fn permissions_boundary_is_checked(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let create = |boundary: &str| {
        iam.create_role().role_name("bounded").assume_role_policy_document(TRUST).permissions_boundary(boundary).send()
    };
    let bad = "arn:aws:iam::000000000000:not_a_policy/invalid";
    assert_eq!(aws_err(create(bad).await), err("InvalidInput", &format!("ARN {bad} is not valid."), 400));
    let missing = "arn:aws:iam::000000000000:policy/nonexistent-policy";
    assert_eq!(
        aws_err(create(missing).await),
        err("NoSuchEntity", &format!("Scope ARN: {missing} does not exist or is not attachable."), 404)
    );
    assert!(iam.list_roles().send().await.unwrap().roles().is_empty());
    s.stop().await;
}
