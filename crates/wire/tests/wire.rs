//! Tests of the generated IAM/STS wire code against what real AWS answered (shared/reference/aws-errors.md) and
//! against the Query protocol's layout rules.
#![cfg(test)]

use std::collections::BTreeMap;

use gatehouse_wire::{iam, response, sts, AwsError, Params, Secret, Timestamp, XmlWriter};

fn params(pairs: &[(&str, &str)]) -> Params {
    Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn params_owned(pairs: Vec<(String, String)>) -> Params {
    Params::from_pairs(pairs)
}

/// Asserts `result` is the ValidationError AWS returned, message exact.
#[track_caller]
fn assert_validation<T: std::fmt::Debug>(result: Result<T, AwsError>, message: &str) {
    let err = result.expect_err("expected a ValidationError");
    assert_eq!(err.code, "ValidationError");
    assert_eq!(err.status, 400);
    assert!(err.sender_fault);
    assert_eq!(err.message, message);
}

fn tags(n: usize) -> Vec<(String, String)> {
    (1..=n)
        .flat_map(|i| {
            [(format!("Tags.member.{i}.Key"), format!("key{i}")), (format!("Tags.member.{i}.Value"), format!("v{i}"))]
        })
        .collect()
}

const POLICY_ARN: &str = "arn:aws:iam::111111111111:policy/p1";
const POLICY_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
const TRUST_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

// ---- aws-errors.md rows with "validation error", reproduced exactly -------------------------------------------

const CRED_ID_PATTERN: &str = "1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy \
    constraint: Member must satisfy regular expression pattern: [\\w]+";

#[test]
fn service_specific_credential_id_pattern() {
    let bad = "totally-wrong-credential-id-with-hyphens";
    assert_validation(
        iam::UpdateServiceSpecificCredentialRequest::decode(&params(&[
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", bad),
            ("Status", "Active"),
        ])),
        CRED_ID_PATTERN,
    );
    assert_validation(
        iam::ResetServiceSpecificCredentialRequest::decode(&params(&[
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", bad),
        ])),
        CRED_ID_PATTERN,
    );
    assert_validation(
        iam::DeleteServiceSpecificCredentialRequest::decode(&params(&[
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", bad),
        ])),
        CRED_ID_PATTERN,
    );
    // The valid-looking id passes validation (AWS then answers NoSuchEntity).
    let ok = iam::DeleteServiceSpecificCredentialRequest::decode(&params(&[
        ("UserName", "alice"),
        ("ServiceSpecificCredentialId", "satisfiesregexbutstillinvalid"),
    ]))
    .unwrap();
    assert_eq!(ok.service_specific_credential_id, "satisfiesregexbutstillinvalid");
    assert_eq!(ok.user_name.as_deref(), Some("alice"));
}

#[test]
fn enum_value_set() {
    assert_validation(
        iam::UpdateServiceSpecificCredentialRequest::decode(&params(&[
            ("ServiceSpecificCredentialId", "ACCAEXAMPLE123EXAMPLE"),
            ("Status", "Invalid"),
        ])),
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set",
    );
    let ok = iam::UpdateServiceSpecificCredentialRequest::decode(&params(&[
        ("ServiceSpecificCredentialId", "ACCAEXAMPLE123EXAMPLE"),
        ("Status", "Inactive"),
    ]))
    .unwrap();
    assert_eq!(ok.status, iam::StatusType::Inactive);
}

#[test]
fn password_policy_three_numbers_in_aws_order() {
    assert_validation(
        iam::UpdateAccountPasswordPolicyRequest::decode(&params(&[
            ("MaxPasswordAge", "1096"),
            ("MinimumPasswordLength", "129"),
            ("PasswordReusePrevention", "25"),
        ])),
        "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must \
         have value less than or equal to 128; Value at 'passwordReusePrevention' failed to satisfy constraint: \
         Member must have value less than or equal to 24; Value at 'maxPasswordAge' failed to satisfy constraint: \
         Member must have value less than or equal to 1095",
    );
}

const VERSION_ID_PATTERN: &str = "1 validation error detected: Value at 'versionId' failed to satisfy constraint: \
    Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?";

#[test]
fn policy_version_id_pattern() {
    assert_validation(
        iam::GetPolicyVersionRequest::decode(&params(&[("PolicyArn", POLICY_ARN), ("VersionId", "v2-does-not-exist")])),
        VERSION_ID_PATTERN,
    );
    assert_validation(
        iam::SetDefaultPolicyVersionRequest::decode(&params(&[
            ("PolicyArn", POLICY_ARN),
            ("VersionId", "wrong_version_id"),
        ])),
        VERSION_ID_PATTERN,
    );
    assert!(iam::GetPolicyVersionRequest::decode(&params(&[("PolicyArn", POLICY_ARN), ("VersionId", "v9")])).is_ok());
}

#[test]
fn virtual_mfa_path_too_long() {
    let long_path = format!("/{}/", "a".repeat(600));
    assert_validation(
        iam::CreateVirtualMFADeviceRequest::decode(&params(&[
            ("VirtualMFADeviceName", "mfa-abc"),
            ("Path", &long_path),
        ])),
        "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less \
         than or equal to 512",
    );
}

#[test]
fn oidc_provider_three_failures() {
    let url = format!("https://{}.example.com", "a".repeat(260));
    assert_validation(
        iam::CreateOpenIDConnectProviderRequest::decode(&params(&[
            ("Url", &url),
            ("ThumbprintList.member.1", &"a".repeat(41)),
            ("ClientIDList.member.1", &"c".repeat(256)),
        ])),
        "3 validation errors detected: Value at 'clientIDList' failed to satisfy constraint: Member must satisfy \
         constraint: [Member must have length less than or equal to 255, Member must have length greater than or \
         equal to 1]; Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: \
         [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]; \
         Value at 'url' failed to satisfy constraint: Member must have length less than or equal to 255",
    );
}

const TOO_MANY_TAGS: &str = "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must \
    have length less than or equal to 50";
const TAG_KEY_TOO_LONG: &str = "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy \
    constraint: Member must have length less than or equal to 128";
const TAG_VALUE_TOO_LONG: &str = "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy \
    constraint: Member must have length less than or equal to 256";
const TAG_KEY_PATTERN: &str = "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy \
    constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
const TAG_KEYS_TOO_MANY: &str = "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: \
    Member must have length less than or equal to 50";
const TAG_KEYS_ELEMENT: &str = "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: \
    Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length \
    greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, \
    Member must not be null]";

/// The four tag failures AWS recorded, as (extra parameters, expected message).
fn tag_cases() -> Vec<(Vec<(String, String)>, &'static str)> {
    let one = |k: String, v: String| vec![("Tags.member.1.Key".to_string(), k), ("Tags.member.1.Value".to_string(), v)];
    vec![
        (tags(51), TOO_MANY_TAGS),
        (one("0".repeat(129), String::new()), TAG_KEY_TOO_LONG),
        (one("0".into(), "0".repeat(257)), TAG_VALUE_TOO_LONG),
        (one("NOWAY!".into(), String::new()), TAG_KEY_PATTERN),
        (one("invalid!key".into(), "value".into()), TAG_KEY_PATTERN),
    ]
}

fn with(base: &[(&str, &str)], extra: Vec<(String, String)>) -> Params {
    let mut all: Vec<(String, String)> = base.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    all.extend(extra);
    params_owned(all)
}

#[test]
fn tag_validation_create_and_tag_policy_and_role() {
    for (extra, msg) in tag_cases() {
        assert_validation(
            iam::CreatePolicyRequest::decode(&with(
                &[("PolicyName", "test-policy-1"), ("PolicyDocument", POLICY_DOC)],
                extra.clone(),
            )),
            msg,
        );
        assert_validation(iam::TagPolicyRequest::decode(&with(&[("PolicyArn", POLICY_ARN)], extra.clone())), msg);
        assert_validation(
            iam::CreateRoleRequest::decode(&with(
                &[("RoleName", "role-1"), ("AssumeRolePolicyDocument", TRUST_DOC)],
                extra.clone(),
            )),
            msg,
        );
        assert_validation(iam::TagRoleRequest::decode(&with(&[("RoleName", "role-1")], extra)), msg);
    }
}

#[test]
fn tag_keys_validation_untag() {
    let many: Vec<(String, String)> = (0..51).map(|i| (format!("TagKeys.member.{}", i + 1), i.to_string())).collect();
    let long = vec![("TagKeys.member.1".to_string(), "0".repeat(129))];
    for (extra, msg) in [(many, TAG_KEYS_TOO_MANY), (long, TAG_KEYS_ELEMENT)] {
        assert_validation(iam::UntagPolicyRequest::decode(&with(&[("PolicyArn", POLICY_ARN)], extra.clone())), msg);
        assert_validation(iam::UntagRoleRequest::decode(&with(&[("RoleName", "role-1")], extra)), msg);
    }
}

#[test]
fn sts_echoes_values() {
    let role = "arn:aws:iam::111111111111:role/test-role";
    assert_validation(
        sts::AssumeRoleRequest::decode(&params(&[("RoleArn", role), ("RoleSessionName", "Session1:2")])),
        "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member \
         must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
    let long = "s".repeat(65);
    assert_validation(
        sts::AssumeRoleRequest::decode(&params(&[("RoleArn", role), ("RoleSessionName", &long)])),
        &format!(
            "1 validation error detected: Value '{long}' at 'roleSessionName' failed to satisfy constraint: Member \
             must have length less than or equal to 64"
        ),
    );
}

#[test]
fn sts_federation_policy_too_long() {
    // The policy of the recording: json.dumps of 30 statements.
    let statements: Vec<String> = (0..30)
        .map(|i| {
            format!(
                r#"{{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::my-example-bucket-with-long-name/folder-name-{i}/*"}}"#
            )
        })
        .collect();
    let policy = format!(r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#, statements.join(", "));
    assert_validation(
        sts::GetFederationTokenRequest::decode(&params(&[
            ("Name", "TestUser"),
            ("DurationSeconds", "900"),
            ("Policy", &policy),
        ])),
        &format!(
            "1 validation error detected: Value '{policy}' at 'policy' failed to satisfy constraint: Member must have \
             length less than or equal to 2048"
        ),
    );
}

// ---- other validation behaviour ------------------------------------------------------------------------------

#[test]
fn missing_required_members() {
    assert_validation(
        iam::CreateUserRequest::decode(&Params::default()),
        "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null",
    );
    // STS quotes `null`; the order is AWS's member iteration order (see tools/generate.py, java_hash_order).
    assert_validation(
        sts::AssumeRoleRequest::decode(&Params::default()),
        "2 validation errors detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not \
         be null; Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
    // A tag without its value.
    assert_validation(
        iam::TagUserRequest::decode(&params(&[("UserName", "alice"), ("Tags.member.1.Key", "k")])),
        "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must not be \
         null",
    );
}

#[test]
fn several_failures_are_counted() {
    let err = iam::CreateUserRequest::decode(&params(&[("UserName", "bad name!"), ("Path", "nope")])).unwrap_err();
    assert!(err.message.starts_with("2 validation errors detected: "), "{}", err.message);
    assert!(err.message.contains("Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"));
    assert!(err.message.contains("Value at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"));
}

#[test]
fn numbers_and_booleans_that_do_not_parse_are_400() {
    for v in ["abc", "", "1.5", "99999999999999999999", "4294967296", "-", " 5"] {
        let err = iam::ListUsersRequest::decode(&params(&[("MaxItems", v)])).unwrap_err();
        assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400), "{v}");
        assert_eq!(
            err.message,
            "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must be a number"
        );
    }
    assert_validation(
        iam::ListUsersRequest::decode(&params(&[("MaxItems", "0")])),
        "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value \
         greater than or equal to 1",
    );
    assert_validation(
        iam::ListUsersRequest::decode(&params(&[("MaxItems", "1001")])),
        "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less \
         than or equal to 1000",
    );
    let err = iam::UpdateAccountPasswordPolicyRequest::decode(&params(&[("RequireSymbols", "yes")])).unwrap_err();
    assert_eq!(err.status, 400);
    let ok = iam::UpdateAccountPasswordPolicyRequest::decode(&params(&[
        ("RequireSymbols", "true"),
        ("HardExpiry", "false"),
    ]))
    .unwrap();
    assert_eq!((ok.require_symbols, ok.hard_expiry), (Some(true), Some(false)));
}

#[test]
fn lengths_count_characters_not_bytes() {
    // 64 two-byte characters: 128 bytes, but within the 64-character limit of userNameType... which also has a
    // pattern that is ASCII-only (\w is ASCII in Java), so use a tag value, whose pattern allows letters.
    let value = "é".repeat(256);
    let ok = iam::TagUserRequest::decode(&params(&[
        ("UserName", "alice"),
        ("Tags.member.1.Key", "k"),
        ("Tags.member.1.Value", &value),
    ]))
    .unwrap();
    assert_eq!(ok.tags[0].value.chars().count(), 256);
    assert_validation(
        iam::CreateUserRequest::decode(&params(&[("UserName", "é")])),
        "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular \
         expression pattern: [\\w+=,.@-]+",
    );
}

// ---- decoding layout ------------------------------------------------------------------------------------------

#[test]
fn decodes_lists_nested_structures_and_gaps() {
    let p = params(&[
        ("Action", "CreateUser"),
        ("Version", "2010-05-08"),
        ("UserName", "alice"),
        ("Path", "/eng/"),
        ("Tags.member.1.Key", "team"),
        ("Tags.member.1.Value", "core"),
        ("Tags.member.2.Key", "env"),
        ("Tags.member.2.Value", ""),
        // A gap: element 4 is never reached.
        ("Tags.member.4.Key", "ignored"),
        ("Tags.member.4.Value", "ignored"),
    ]);
    let r = iam::CreateUserRequest::decode(&p).unwrap();
    assert_eq!(r.user_name, "alice");
    assert_eq!(r.path.as_deref(), Some("/eng/"));
    assert_eq!(r.permissions_boundary, None);
    assert_eq!(
        r.tags,
        Some(vec![
            iam::Tag { key: "team".into(), value: "core".into() },
            iam::Tag { key: "env".into(), value: String::new() },
        ])
    );
}

#[test]
fn empty_list_is_a_bare_name() {
    // botocore sends an empty list as `Name=`.
    let r = iam::CreateUserRequest::decode(&params(&[("UserName", "a"), ("Tags", "")])).unwrap();
    assert_eq!(r.tags, Some(vec![]));
    let r = iam::CreateUserRequest::decode(&params(&[("UserName", "a")])).unwrap();
    assert_eq!(r.tags, None);
}

#[test]
fn decodes_scalar_lists_and_nested_structure_lists() {
    let p = params(&[
        ("PolicyInputList.member.1", POLICY_DOC),
        ("ActionNames.member.1", "s3:GetObject"),
        ("ActionNames.member.2", "s3:PutObject"),
        ("ContextEntries.member.1.ContextKeyName", "aws:username"),
        ("ContextEntries.member.1.ContextKeyType", "string"),
        ("ContextEntries.member.1.ContextKeyValues.member.1", "alice"),
        ("ContextEntries.member.1.ContextKeyValues.member.2", "bob"),
        ("MaxItems", "10"),
    ]);
    let r = iam::SimulateCustomPolicyRequest::decode(&p).unwrap();
    assert_eq!(r.policy_input_list, vec![POLICY_DOC.to_string()]);
    assert_eq!(r.action_names, vec!["s3:GetObject".to_string(), "s3:PutObject".to_string()]);
    assert_eq!(r.max_items, Some(10));
    let entries = r.context_entries.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].context_key_type, Some(iam::ContextKeyTypeEnum::String));
    assert_eq!(entries[0].context_key_values, Some(vec!["alice".to_string(), "bob".to_string()]));
}

#[test]
fn decodes_maps() {
    let p = params(&[
        ("Properties.entry.1.key", "a"),
        ("Properties.entry.1.value", "1"),
        ("Properties.entry.2.key", "b"),
        ("Properties.entry.2.value", "2"),
        // A gap ends the map.
        ("Properties.entry.4.key", "d"),
        ("Properties.entry.4.value", "4"),
    ]);
    let r = iam::PutAccountPropertiesRequest::decode(&p).unwrap();
    let expected: BTreeMap<String, String> =
        [("a", "1"), ("b", "2")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(r.properties, expected);
    // An entry without its value.
    let err = iam::PutAccountPropertiesRequest::decode(&params(&[("Properties.entry.1.key", "a")])).unwrap_err();
    assert_eq!(err.code, "ValidationError");
    assert!(err.message.contains("Member must not be null"), "{}", err.message);
}

#[test]
fn secrets_never_print() {
    let r = iam::CreateLoginProfileRequest::decode(&params(&[("UserName", "alice"), ("Password", "hunter2-Secret!")]))
        .unwrap();
    assert_eq!(r.password.as_ref().map(|p| p.expose().as_str()), Some("hunter2-Secret!"));
    let dbg = format!("{r:?}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
    let creds = sts::Credentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG".into()),
        session_token: Secret::new("FwoGZXIvYXdzEBYaD".into()),
        expiration: Timestamp(0),
    };
    let dbg = format!("{creds:?}");
    assert!(!dbg.contains("wJalr") && !dbg.contains("FwoG"), "{dbg}");
    // ...but the XML carries them, since that is the point of the response.
    let mut w = XmlWriter::new();
    creds.write_xml(&mut w);
    assert!(w.as_str().contains("<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey>"));
    // A bad secret is not echoed even by STS.
    let err = sts::AssumeRoleWithWebIdentityRequest::decode(&params(&[
        ("RoleArn", "arn:aws:iam::111111111111:role/r"),
        ("RoleSessionName", "s1"),
        ("WebIdentityToken", "x"),
    ]))
    .unwrap_err();
    assert!(!err.message.contains("'x'"), "{}", err.message);
}

// ---- XML output -----------------------------------------------------------------------------------------------

#[test]
fn writes_user_in_model_order() {
    let out = iam::GetUserResponse {
        user: iam::User {
            path: Some("/".into()),
            user_name: Some("alice".into()),
            user_id: "AIDAEXAMPLEEXAMPLE123".into(),
            arn: "arn:aws:iam::111111111111:user/alice".into(),
            create_date: Timestamp(1_767_225_600),
            tags: Some(vec![iam::Tag { key: "team".into(), value: "a&b".into() }]),
            ..Default::default()
        },
    };
    let xml = response("GetUser", iam::NAMESPACE, "req-1", Some(|w: &mut XmlWriter| out.write_xml(w)));
    assert_eq!(
        xml,
        "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult><User><Path>/</Path>\
         <UserName>alice</UserName><UserId>AIDAEXAMPLEEXAMPLE123</UserId>\
         <Arn>arn:aws:iam::111111111111:user/alice</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>\
         <Tags><member><Key>team</Key><Value>a&amp;b</Value></member></Tags></User></GetUserResult>\
         <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>"
    );
}

#[test]
fn writes_lists_booleans_and_empty_lists() {
    let out = iam::ListUsersResponse { users: vec![], is_truncated: Some(false), marker: None };
    let mut w = XmlWriter::new();
    out.write_xml(&mut w);
    assert_eq!(w.into_string(), "<Users/><IsTruncated>false</IsTruncated>");

    let out = iam::ListAccessKeysResponse {
        access_key_metadata: vec![iam::AccessKeyMetadata {
            user_name: Some("alice".into()),
            access_key_id: Some("AKIAEXAMPLE".into()),
            status: Some(iam::StatusType::Active),
            create_date: Some(Timestamp(0)),
        }],
        is_truncated: Some(true),
        marker: Some("m1".into()),
    };
    let mut w = XmlWriter::new();
    out.write_xml(&mut w);
    assert_eq!(
        w.into_string(),
        "<AccessKeyMetadata><member><UserName>alice</UserName><AccessKeyId>AKIAEXAMPLE</AccessKeyId>\
         <Status>Active</Status><CreateDate>1970-01-01T00:00:00Z</CreateDate></member></AccessKeyMetadata>\
         <IsTruncated>true</IsTruncated><Marker>m1</Marker>"
    );
}

#[test]
fn writes_maps() {
    let mut summary = BTreeMap::new();
    summary.insert(iam::SummaryKeyType::Users, 3);
    summary.insert(iam::SummaryKeyType::UsersQuota, 5000);
    let out = iam::GetAccountSummaryResponse { summary_map: Some(summary) };
    let mut w = XmlWriter::new();
    out.write_xml(&mut w);
    assert_eq!(
        w.into_string(),
        "<SummaryMap><entry><key>Users</key><value>3</value></entry>\
         <entry><key>UsersQuota</key><value>5000</value></entry></SummaryMap>"
    );
}

#[test]
fn shared_output_shapes_take_the_operation_name() {
    let out = iam::SimulatePolicyResponse { evaluation_results: Some(vec![]), is_truncated: Some(false), marker: None };
    let a = response("SimulateCustomPolicy", iam::NAMESPACE, "r", Some(|w: &mut XmlWriter| out.write_xml(w)));
    assert!(a.starts_with("<SimulateCustomPolicyResponse xmlns=") && a.contains("<SimulateCustomPolicyResult>"));
    let b = response("SimulatePrincipalPolicy", iam::NAMESPACE, "r", Some(|w: &mut XmlWriter| out.write_xml(w)));
    assert!(b.contains("<SimulatePrincipalPolicyResult><EvaluationResults/><IsTruncated>false</IsTruncated>"));
}

#[test]
fn writes_sts_credentials() {
    let out = sts::GetSessionTokenResponse {
        credentials: Some(sts::Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("secret".into()),
            session_token: Secret::new("token".into()),
            expiration: Timestamp(1_767_225_600),
        }),
        ..Default::default()
    };
    let xml = response("GetSessionToken", sts::NAMESPACE, "r", Some(|w: &mut XmlWriter| out.write_xml(w)));
    assert_eq!(
        xml,
        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult>\
         <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
         <SessionToken>token</SessionToken><Expiration>2026-01-01T00:00:00Z</Expiration></Credentials>\
         </GetSessionTokenResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\
         </GetSessionTokenResponse>"
    );
}

// ---- actions, errors, patterns --------------------------------------------------------------------------------

#[test]
fn actions_round_trip() {
    assert_eq!(iam::Action::ALL.len(), 180);
    assert_eq!(sts::Action::ALL.len(), 11);
    for a in iam::Action::ALL {
        assert_eq!(iam::Action::from_name(a.name()), Some(*a));
        assert_eq!(a.to_string(), a.name());
    }
    for a in sts::Action::ALL {
        assert_eq!(sts::Action::from_name(a.name()), Some(*a));
    }
    assert_eq!(iam::Action::from_name("createuser"), None);
    assert_eq!(iam::Action::from_name("CreateUser "), None);
    assert_eq!(sts::Action::from_name("CreateUser"), None);
    assert!(sts::Action::AssumeRoleWithWebIdentity.unsigned() && sts::Action::AssumeRoleWithSAML.unsigned());
    assert!(!sts::Action::AssumeRole.unsigned() && !iam::Action::CreateUser.unsigned());
    assert_eq!((iam::VERSION, sts::VERSION), ("2010-05-08", "2011-06-15"));
}

#[test]
fn modelled_errors() {
    let e = iam::errors::no_such_entity("The user with name bob cannot be found.");
    assert_eq!((e.code.as_ref(), e.status, e.sender_fault), ("NoSuchEntity", 404, true));
    let e = iam::errors::entity_already_exists("x");
    assert_eq!((e.code.as_ref(), e.status), ("EntityAlreadyExists", 409));
    let e = iam::errors::service_failure("x");
    assert_eq!((e.code.as_ref(), e.status, e.sender_fault), ("ServiceFailure", 500, false));
    assert_eq!(iam::errors::credential_report_not_present("").code, "ReportNotPresent");
    assert_eq!(iam::errors::status_of("DeleteConflict"), Some(409));
    assert_eq!(iam::errors::status_of("MalformedPolicyDocument"), Some(400));
    assert_eq!(iam::errors::status_of("Nope"), None);
    let e = sts::errors::expired_token("x");
    assert_eq!((e.code.as_ref(), e.status), ("ExpiredTokenException", 400));
    assert_eq!(sts::errors::status_of("IDPRejectedClaim"), Some(403));
}

#[test]
fn every_pattern_compiles() {
    assert!(!iam::PATTERNS.is_empty() && !sts::PATTERNS.is_empty());
    for p in iam::PATTERNS.iter().chain(sts::PATTERNS) {
        assert!(p.compiles(), "pattern {} does not compile", p.java());
    }
}

/// A pattern that cannot compile refuses every value (fail closed) with the pattern's own ValidationError, rather
/// than letting every value through. The generated patterns all compile (above); this guards the run-time path.
#[test]
fn a_pattern_that_does_not_compile_refuses_every_value() {
    use gatehouse_wire::decode::{At, Pattern, Rule};
    static BROKEN: Pattern = Pattern::new("[\\w+=,.@-", "^(?:[\\w+=,.@-)$");
    static BROKEN_DENY: Pattern = Pattern::with_deny("[a-z]+", "^(?:[a-z]+)$", "(?!-)");
    static RULE: Rule = Rule { pattern: Some(&BROKEN), ..Rule::NONE };
    for p in [&BROKEN, &BROKEN_DENY] {
        assert!(!p.compiles());
        for value in ["", "alice", "a_b+c=d,e.f@g-h", "[\\w+=,.@-"] {
            assert!(!p.is_match(value), "{} matched {value:?}", p.java());
        }
    }
    let form = params(&[("UserName", "alice")]);
    let mut d = gatehouse_wire::Decoder::new(&form, false);
    let name = d.string(&At::root().child("UserName", "userName"), &RULE);
    assert_validation(
        d.finish(name),
        "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular \
         expression pattern: [\\w+=,.@-",
    );
}

#[test]
fn java_pattern_semantics() {
    // \w is ASCII in Java.
    assert!(iam::GetUserRequest::decode(&params(&[("UserName", "ÄÖ")])).is_err());
    assert!(iam::GetUserRequest::decode(&params(&[("UserName", "a_b+c=d,e.f@g-h")])).is_ok());
    // Whole-string match: a valid prefix is not enough.
    assert!(iam::GetPolicyVersionRequest::decode(&params(&[("PolicyArn", POLICY_ARN), ("VersionId", "v1 ")])).is_err());
    // The look-ahead pattern (no two hyphens in a row) of delegation/organisation ids.
    let p = iam::PATTERNS.iter().find(|p| p.java().contains("(?!-)")).expect("look-ahead pattern");
    assert!(p.is_match("abc-def"));
    assert!(!p.is_match("abc--def"));
    assert!(!p.is_match("-abc"));
    // `-` after a range inside a class is a literal in Java, and `\/` an escaped slash.
    let p = iam::PATTERNS.iter().find(|p| p.java().starts_with("^o-[0-9a-z]{10,32}")).expect("organisation path");
    assert!(p.is_match("o-abcdefghij/r-abcd/ou-ab12-x/"));
    assert!(!p.is_match("o-abcdefghij/r-abcd/OU/"));
    // \u escapes become the same characters; \d is ASCII only.
    let p = iam::PATTERNS.iter().find(|p| p.java() == "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+").expect("policy text");
    assert!(p.is_match("{\"a\": \"\u{e9}\"}\n\t"));
    assert!(!p.is_match("\u{100}") && !p.is_match("\u{1}"));
    let p = iam::PATTERNS.iter().find(|p| p.java() == "[\\d]+").expect("digits");
    assert!(p.is_match("0123") && !p.is_match("\u{663}"));
}

// ---- garbage in, errors out, never a panic ---------------------------------------------------------------------

#[test]
fn garbage_never_panics() {
    let raw: &[&[u8]] = &[
        b"%",
        b"%zz",
        b"%ff%fe",
        b"a=%",
        b"Tags.member.99999999999999999999.Key=x",
        b"Tags.member.0.Key=x&Tags.member.-1.Key=y",
        b"Tags.member.1=x&Tags.member.1.Key=&Tags=1",
        b"UserName=&MaxItems=-99999999999&MaxItems=1e3",
        b"Tags.member.1.Key.member.1=x&TagKeys.member.1.x=1",
        b"PolicyArn=%00%01%02&VersionId=%E2%80%8B",
        b"AccountProperties.entry.1.key=&AccountProperties.entry.1=",
        b"RequireSymbols=TRUE&HardExpiry=1&DurationSeconds=4294967296",
        b"=&&==&===",
    ];
    for bytes in raw {
        let Ok(p) = Params::parse(bytes) else {
            continue;
        };
        for a in iam::Action::ALL {
            let _ = iam::validate_input(*a, &p);
        }
        for a in sts::Action::ALL {
            let _ = sts::validate_input(*a, &p);
        }
    }
    // Every operation with no parameters at all: either fine or a ValidationError.
    for a in iam::Action::ALL {
        if let Err(e) = iam::validate_input(*a, &Params::default()) {
            assert_eq!(e.code, "ValidationError", "{a}");
        }
    }
    for a in sts::Action::ALL {
        if let Err(e) = sts::validate_input(*a, &Params::default()) {
            assert_eq!(e.code, "ValidationError", "{a}");
        }
    }
}
