//! IAM's `MalformedPolicyDocument` answers, word for word.
//!
//! The two tables replay the documents LocalStack sent to real IAM's CreatePolicy
//! (tests/aws/services/iam/test_iam_policies.py, `INVALID_POLICY_DOCUMENTS` and
//! `VALID_POLICY_DOCUMENTS`, recorded 2026-02-18) with the messages IAM answered; the
//! numbers are LocalStack's indices. Documents are written compactly (spacing does not matter
//! to validation) and the two longest valid ones (38, 46) keep a few of their statements.
//! Further cases come from `shared/reference/aws-errors.md`.

// Test code: helpers outside #[test] functions may unwrap and panic too (clippy.toml only
// exempts the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_policy::{parse_document, CompiledPolicy, PolicyKind};

const BUCKET: &str = r#""Resource":"arn:aws:s3:::example_bucket""#;

/// `{"Version":"2012-10-17","Statement":<stmt>}`
fn v12(stmt: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":{stmt}}}"#)
}

fn err(doc: &str) -> String {
    match parse_document(doc, PolicyKind::Identity) {
        Ok(_) => "<valid>".to_owned(),
        Err(e) => e.message().to_owned(),
    }
}

const SYNTAX: &str = "Syntax errors in policy.";
const VERSION: &str = "Policy document must be version 2012-10-17 or greater.";
const LEGACY: &str = "The policy failed legacy parsing";
const VENDOR: &str = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
const COLON: &str = "Actions/Condition can contain only one colon.";
const NO_RESOURCES: &str = "Policy statement must contain resources.";
const NO_ACTIONS: &str = "Policy statement must contain actions.";

#[test]
fn invalid_documents_get_iams_messages() {
    let b = BUCKET;
    let list_bucket = |extra: &str| v12(&format!(r#"{{"Effect":"Allow","Action":"s3:ListBucket",{b}{extra}}}"#));
    let cases: Vec<(usize, String, &str)> = vec![
        (0, "This is not a json document".into(), SYNTAX),
        (1, format!(r#"{{"Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}}}"#), VERSION),
        (2, format!(r#"{{"Version":"2008-10-17","Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}}}"#), VERSION),
        (3, format!(r#"{{"Version":"2013-10-17","Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}}}"#), SYNTAX),
        (4, r#"{"Version":"2012-10-17"}"#.into(), SYNTAX),
        (5, r#"{"Version":"2012-10-17","Statement":["afd"]}"#.into(), SYNTAX),
        (6, format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b}}},"Extra field":"value"}}"#), SYNTAX),
        (7, list_bucket(r#","Extra field":"value""#), SYNTAX),
        (8, format!(r#"{{"Version":"2012-10-17","Id":["cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee"],"Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}}}"#), SYNTAX),
        (9, format!(r#"{{"Version":"2012-10-17","Id":{{}},"Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}}}"#), SYNTAX),
        (10, v12(&format!(r#"{{"Effect":"invalid","Action":"s3:ListBucket",{b}}}"#)), SYNTAX),
        (11, v12(&format!(r#"{{"Effect":"Allow","Action":"invalid",{b}}}"#)), VENDOR),
        (12, v12(&format!(r#"{{"Effect":"Allow","NotAction":"",{b}}}"#)), VENDOR),
        (13, v12(&format!(r#"{{"Effect":"Allow","Action":"a a:ListBucket",{b}}}"#)), "Vendor a a is not valid"),
        (14, v12(&format!(r#"{{"Effect":"Allow","Action":"s3:List:Bucket",{b}}}"#)), COLON),
        (15, v12(&format!(r#"[{{"Effect":"Allow","Action":"s3s:ListBucket",{b}}},{{"Effect":"Allow","Action":"s:3s:ListBucket",{b}}}]"#)), COLON),
        (16, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"}"#), "Resource invalid resource must be in ARN format or \"*\"."),
        (17, v12(r#"[{"Sid":"EnableDisableHongKong","Effect":"Allow","Action":["account:EnableRegion","account:DisableRegion"],"Resource":"","Condition":{"StringEquals":{"account:TargetRegion":"ap-east-1"}}},{"Sid":"ViewConsole","Effect":"Allow","Action":["aws-portal:ViewAccount","account:ListRegions"],"Resource":""}]"#), "Resource  must be in ARN format or \"*\"."),
        (18, v12(r#"{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}"#), "Resource sdfsadf must be in ARN format or \"*\"."),
        (19, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":["adf"]}"#), "Resource adf must be in ARN format or \"*\"."),
        (20, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":""}"#), "Resource  must be in ARN format or \"*\"."),
        (21, v12(r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"}"#), "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."),
        (22, v12(r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"}"#), "Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."),
        (23, v12(r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"}"#), "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."),
        (24, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"}"#), "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."),
        (25, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}"#), "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."),
        (26, r#"{"Version":"2012-10-17","Statement":[]}"#.into(), SYNTAX),
        (27, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket"}"#), NO_RESOURCES),
        (28, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}"#), NO_RESOURCES),
        (29, v12(r#"{"Effect":"Allow","Action":"invalid"}"#), NO_RESOURCES),
        (30, v12(&format!(r#"{{"Effect":"Allow",{b}}}"#)), NO_ACTIONS),
        (31, v12(&format!(r#"{{"Action":"s3:ListBucket",{b}}}"#)), SYNTAX),
        (32, v12(r#"{"Effect":"Allow"}"#), NO_ACTIONS),
        (33, v12(&format!(r#"{{"Effect":"Allow","Action":[],{b}}}"#)), NO_ACTIONS),
        (34, v12(&format!(r#"[{{"Effect":"Deny"}},{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}]"#)), NO_ACTIONS),
        (35, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}"#), "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."),
        (36, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}"#), LEGACY),
        (37, v12(r#"{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}"#), LEGACY),
        (38, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}"#), "Resource vendor must be fully qualified and cannot contain regexes."),
        (39, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"arn:aws:s3:::example_bucket"}}"#), SYNTAX),
        (40, v12(r#"{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}"#), SYNTAX),
        (41, v12(&format!(r#"{{"Effect":"Allow","NotAction":"s3:ListBucket",{b},"NotResource":[]}}"#)), SYNTAX),
        (42, v12(&format!(r#"{{"Effect":"Deny","Action":[[]],{b}}}"#)), SYNTAX),
        (43, v12(&format!(r#"{{"Effect":"Allow","NotAction":"s3s:ListBucket","Action":[],{b}}}"#)), SYNTAX),
        (44, v12(&format!(r#"{{"Effect":"Allow","Action":{{}},{b}}}"#)), SYNTAX),
        (45, list_bucket(r#","Condition":[]"#), SYNTAX),
        (46, list_bucket(r#","Condition":"a""#), SYNTAX),
        (47, list_bucket(r#","Condition":{"a":"b"}"#), SYNTAX),
        (48, list_bucket(r#","Condition":{"DateGreaterThan":"b"}"#), SYNTAX),
        (49, list_bucket(r#","Condition":{"DateGreaterThan":[]}"#), SYNTAX),
        (50, list_bucket(r#","Condition":{"DateGreaterThan":{"a":{}}}"#), SYNTAX),
        (51, v12(&format!(r#"{{"Effect":"Allow",{b},"Condition":{{"DateGreaterThan":{{"a":{{}}}}}}}}"#)), SYNTAX),
        (52, list_bucket(r#","Condition":{"x":{"a":"1"}}"#), SYNTAX),
        (53, list_bucket(r#","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}"#), SYNTAX),
        (54, list_bucket(r#","Condition":[{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}]"#), SYNTAX),
        (55, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}"#), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."),
        (56, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}"#), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."),
        (57, v12(&format!(r#"{{"Sid":{{}},"Effect":"Allow","Action":"s3:ListBucket",{b}}}"#)), SYNTAX),
        (58, v12(&format!(r#"{{"Sid":[],"Effect":"Allow","Action":"s3:ListBucket",{b}}}"#)), SYNTAX),
        (59, v12(&format!(r#"[{{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",{b}}},{{"Sid":"sdf","Effect":"Allow"}}]"#)), "Statement IDs (SID) in a single policy must be unique."),
        (60, format!(r#"{{"Statement":[{{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",{b}}},{{"Sid":"sdf","Effect":"Allow"}}]}}"#), VERSION),
        (61, v12(&format!(r#"{{"Effect":"Allow","NotAction":"s3:ListBucket","Action":"iam:dsf",{b}}}"#)), SYNTAX),
        (62, list_bucket(r#","NotResource":"*""#), SYNTAX),
        (63, v12(&format!(r#"{{"Effect":"denY","Action":"s3:ListBucket",{b}}}"#)), LEGACY),
        (64, list_bucket(r#","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}"#), LEGACY),
        (65, format!(r#"{{"Statement":{{"Effect":"Allow","Action":"s3:ListBucket",{b},"Condition":{{"DateGreaterThan":{{"a":"sdfdsf"}}}}}}}}"#), VERSION),
        (66, format!(r#"{{"Statement":{{"Effect":"denY","Action":"s3:ListBucket",{b}}}}}"#), VERSION),
        (67, v12(r#"{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#), LEGACY),
        (68, v12(r#"{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}"#), LEGACY),
        (69, v12(r#"{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"}"#), LEGACY),
        (70, v12(&format!(r#"[{{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket",{b}}},{{"Sid":"sdf","Effect":"Allow"}}]"#)), LEGACY),
        (71, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}"#), LEGACY),
        (72, list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"234-13"}}"#), LEGACY),
        (73, list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}"#), LEGACY),
        (74, list_bucket(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}"#), LEGACY),
        (75, list_bucket(r#","Condition":{"DateLessThan":{"a":"9223372036854775808"}}"#), LEGACY),
        (76, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#), LEGACY),
        (77, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}"#), LEGACY),
    ];
    assert_eq!(cases.len(), 78);
    let mut failures = Vec::new();
    for (i, doc, want) in &cases {
        let got = err(doc);
        if got != *want {
            failures.push(format!("invalid-{i}: got {got:?}, want {want:?}\n  {doc}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_documents_are_accepted() {
    let b = BUCKET;
    let lb = |extra: &str| v12(&format!(r#"{{"Effect":"Allow","Action":"s3:ListBucket",{b}{extra}}}"#));
    let with_action = |action: &str| v12(&format!(r#"{{"Effect":"Allow","Action":"{action}",{b}}}"#));
    let with_resource =
        |res: &str| v12(&format!(r#"{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"{res}"}}"#));
    let docs: Vec<(usize, String)> = vec![
        (0, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket"]}"#)),
        (1, with_action("iam: asdf safdsf af ")),
        (2, v12(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket","*"]}"#)),
        (3, with_action("*")),
        (4, v12(&format!(r#"[{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}]"#))),
        (
            5,
            v12(
                r#"{"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}}"#,
            ),
        ),
        (6, with_action("fsx:ListBucket")),
        (7, with_resource("arn:aws:iam:::user/example_bucket")),
        (8, with_resource("arn:aws:s33:::example_bucket")),
        (9, with_resource("arn:aws:fdsasf")),
        (10, lb(r#","Condition":{}"#)),
        (11, lb(r#","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}"#)),
        (12, with_resource("arn:aws:cloudwatch:us-east-1::example_bucket")),
        (13, with_resource("arn:aws:ec2:us-east-1::example_bucket")),
        (14, with_resource("arn:aws:invalid-service:::example_bucket")),
        (15, with_resource("arn:aws:invalid-service:us-east-1::example_bucket")),
        (
            16,
            lb(
                r#","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}"#,
            ),
        ),
        (17, lb(r#","Condition":{"DateGreaterThan":{}}"#)),
        (18, lb(r#","Condition":{"DateGreaterThan":{"a":[]}}"#)),
        (19, lb(r#","Condition":{"a":{}}"#)),
        (20, v12(&format!(r#"{{"Sid":"dsfsdfsdfsdfsdfsadfsd","Effect":"Allow","Action":"s3:ListBucket",{b}}}"#))),
        (
            21,
            v12(
                r#"[{"Sid":"ConsoleDisplay","Effect":"Allow","Action":["iam:GetRole","iam:GetUser","iam:ListRoles","iam:ListRoleTags","iam:ListUsers","iam:ListUserTags"],"Resource":"*"},{"Sid":"AddTag","Effect":"Allow","Action":["iam:TagUser","iam:TagRole"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/CostCenter":["A-123","B-456"]},"ForAllValues:StringEquals":{"aws:TagKeys":"CostCenter"}}}]"#,
            ),
        ),
        (22, v12(&format!(r#"{{"Effect":"Allow","NotAction":"s3:ListBucket",{b}}}"#))),
        (
            23,
            v12(
                r#"{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}"#,
            ),
        ),
        (
            24,
            format!(
                r#"{{"Version":"2012-10-17","Id":"sdfsdfsdf","Statement":{{"Effect":"Allow","NotAction":"s3:ListBucket",{b}}}}}"#
            ),
        ),
        (25, with_action("aaaaaadsfdsafsadfsadfaaaaa:ListBucket")),
        (26, with_action("s3-s:ListBucket")),
        (27, with_action("s3.s:ListBucket")),
        (28, v12(r#"{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}"#)),
        (
            29,
            v12(&format!(
                r#"[{{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",{b}}},{{"Effect":"Allow","Action":"s3:ListBucket",{b}}}]"#
            )),
        ),
        (30, lb(r#","Condition":{"DateGreaterThan":{"a":"01T"}}"#)),
        (31, lb(r#","Condition":{"x":{},"y":{}}"#)),
        (32, lb(r#","Condition":{"StringEqualsIfExists":{"a":"asf"}}"#)),
        (33, lb(r#","Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}"#)),
        (34, lb(r#","Condition":{"DateLessThanEquals":{"a":"2019-07-01T13:20:15Z"}}"#)),
        (35, lb(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13T21:20:37.593194+00:00"}}"#)),
        (36, lb(r#","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}"#)),
        (37, lb(r#","Condition":{"DateLessThan":{"a":"-292275054"}}"#)),
        (
            38,
            v12(
                r#"[{"Sid":"AllowViewAccountInfo","Effect":"Allow","Action":["iam:GetAccountPasswordPolicy","iam:GetAccountSummary","iam:ListVirtualMFADevices"],"Resource":"*"},{"Sid":"AllowManageOwnPasswords","Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"},{"Sid":"AllowManageOwnVirtualMFADevice","Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},{"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]"#,
            ),
        ),
        (
            39,
            v12(
                r#"[{"Sid":"ListAndDescribe","Effect":"Allow","Action":["dynamodb:List*","dynamodb:DescribeReservedCapacity*","dynamodb:DescribeLimits","dynamodb:DescribeTimeToLive"],"Resource":"*"},{"Sid":"SpecificTable","Effect":"Allow","Action":["dynamodb:BatchGet*","dynamodb:DescribeStream","dynamodb:DescribeTable","dynamodb:Get*","dynamodb:Query","dynamodb:Scan","dynamodb:BatchWrite*","dynamodb:CreateTable","dynamodb:Delete*","dynamodb:Update*","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:*:*:table/MyTable"}]"#,
            ),
        ),
        (
            40,
            v12(
                r#"[{"Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":["arn:aws:ec2:*:*:volume/*","arn:aws:ec2:*:*:instance/*"],"Condition":{"ArnEquals":{"ec2:SourceInstanceARN":"arn:aws:ec2:*:*:instance/instance-id"}}}]"#,
            ),
        ),
        (
            41,
            v12(
                r#"[{"Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":"arn:aws:ec2:*:*:instance/*","Condition":{"StringEquals":{"ec2:ResourceTag/Department":"Development"}}},{"Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":"arn:aws:ec2:*:*:volume/*","Condition":{"StringEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}}]"#,
            ),
        ),
        (
            42,
            v12(
                r#"[{"Sid":"StartStopIfTags","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances","ec2:DescribeTags"],"Resource":"arn:aws:ec2:region:account-id:instance/*","Condition":{"StringEquals":{"ec2:ResourceTag/Project":"DataAnalytics","aws:PrincipalTag/Department":"Data"}}}]"#,
            ),
        ),
        (
            43,
            v12(
                r#"[{"Sid":"ListYourObjects","Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::bucket-name"],"Condition":{"StringLike":{"s3:prefix":["cognito/application-name/${cognito-identity.amazonaws.com:sub}"]}}},{"Sid":"ReadWriteDeleteYourObjects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":["arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}","arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}/*"]}]"#,
            ),
        ),
        (
            44,
            v12(
                r#"[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket-name","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:userid}/*"]}}},{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::bucket-name/home/${aws:userid}","arn:aws:s3:::bucket-name/home/${aws:userid}/*"]}]"#,
            ),
        ),
        (
            45,
            v12(
                r#"[{"Sid":"ConsoleAccess","Effect":"Allow","Action":["s3:GetAccountPublicAccessBlock","s3:GetBucketAcl","s3:GetBucketLocation","s3:GetBucketPolicyStatus","s3:GetBucketPublicAccessBlock","s3:ListAllMyBuckets"],"Resource":"*"},{"Sid":"ListObjectsInBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::bucket-name"]},{"Sid":"AllObjectActions","Effect":"Allow","Action":"s3:*Object","Resource":["arn:aws:s3:::bucket-name/*"]}]"#,
            ),
        ),
        (
            46,
            v12(
                r#"[{"Sid":"AllowViewAccountInfo","Effect":"Allow","Action":["iam:GetAccountPasswordPolicy","iam:GetAccountSummary"],"Resource":"*"},{"Sid":"AllowManageOwnPasswords","Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]"#,
            ),
        ),
        (
            47,
            v12(
                r#"[{"Action":"ec2:*","Resource":"*","Effect":"Allow","Condition":{"StringEquals":{"ec2:Region":"region"}}}]"#,
            ),
        ),
        (
            48,
            v12(
                r#"[{"Effect":"Allow","Action":"rds:*","Resource":["arn:aws:rds:region:*:*"]},{"Effect":"Allow","Action":["rds:Describe*"],"Resource":["*"]}]"#,
            ),
        ),
        (
            49,
            v12(
                r#"[{"Sid":"","Effect":"Allow","Action":"rds:*","Resource":["arn:aws:rds:region:*:*"]},{"Sid":"","Effect":"Allow","Action":["rds:Describe*"],"Resource":["*"]}]"#,
            ),
        ),
        (
            50,
            v12(
                r#"[{"Sid":"","Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point","arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"]}]"#,
            ),
        ),
    ];
    assert_eq!(docs.len(), 51);
    let failures: Vec<String> = docs
        .iter()
        .filter(|(_, d)| err(d) != "<valid>")
        .map(|(i, d)| format!("valid-{i}: {}\n  {d}", err(d)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn recorded_trust_policy_errors() {
    let trust = |doc: &str| match parse_document(doc, PolicyKind::Trust) {
        Ok(_) => "<valid>".to_owned(),
        Err(e) => e.message().to_owned(),
    };
    // aws-errors.md: CreateRole / UpdateAssumeRolePolicy.
    assert_eq!(
        trust(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",}]}"#),
        "This policy contains invalid Json"
    );
    assert_eq!(trust("not valid json"), "This policy contains invalid Json");
    let principal = r#""Principal":{"Service":"ec2.amazonaws.com"}"#;
    assert_eq!(
        trust(&v12(&format!(r#"[{{"Effect":"Allow",{principal},"Action":"s3:GetObject"}}]"#))),
        "AssumeRole policy may only specify STS AssumeRole actions."
    );
    assert_eq!(
        trust(&v12(&format!(r#"[{{"Effect":"Allow",{principal},"Action":"sts:AssumeRole","Resource":"*"}}]"#))),
        "Has prohibited field Resource"
    );
    assert_eq!(trust(&v12(r#"[{"Effect":"Allow","Action":"sts:AssumeRole"}]"#)), "Missing required field Principal");
    for ok in [
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{principal},"Action":"sts:AssumeRole"}}]}}"#),
        // Trust policies may still use the 2008 version, as the default EC2 role does.
        format!(r#"{{"Version":"2008-10-17","Statement":[{{"Effect":"Allow",{principal},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}"#.to_owned(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:*"}]}"#.to_owned(),
    ] {
        assert_eq!(trust(&ok), "<valid>", "{ok}");
    }
}

#[test]
fn principal_rules_per_kind() {
    let with_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#;
    assert_eq!(err(with_principal), "Policy document should not specify a principal.");
    assert!(parse_document(with_principal, PolicyKind::Resource).is_ok());
    let partial = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"*"}}"#;
    assert_eq!(
        parse_document(partial, PolicyKind::Resource).unwrap_err().message(),
        "Invalid principal in policy: \"AWS\":\"arn:aws:iam::*:root\""
    );
    let no_principal =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
    assert_eq!(
        parse_document(no_principal, PolicyKind::Resource).unwrap_err().message(),
        "Missing required field Principal"
    );
    // Resource policies keep accepting Version 2008-10-17 or none [VER].
    let old =
        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"*"}}"#;
    assert!(parse_document(old, PolicyKind::Resource).is_ok());
}

#[test]
fn grammar_details() {
    // Duplicate keys are refused rather than silently keeping the last one.
    let dup = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Resource":"arn:aws:s3:::x"}}"#;
    assert_eq!(err(dup), SYNTAX);
    // Scalars of every JSON type are condition values; null and nesting are not.
    assert_eq!(
        err(&v12(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":[10,20.5]}}}"#
        )),
        "<valid>"
    );
    assert_eq!(
        err(&v12(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":null}}}"#
        )),
        SYNTAX
    );
    assert_eq!(
        err(&v12(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":[["a"]]}}}"#)),
        SYNTAX
    );
    // Both Principal and NotPrincipal: grammar.
    let both = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"s3:*","Resource":"*"}}"#;
    assert_eq!(parse_document(both, PolicyKind::Resource).unwrap_err().message(), SYNTAX);
    // A whole document that is a JSON value but not an object.
    assert_eq!(err("[]"), SYNTAX);
    assert_eq!(err("null"), SYNTAX);
    // CompiledPolicy::compile reports the same errors.
    assert_eq!(CompiledPolicy::compile("{", PolicyKind::Identity, "p").unwrap_err().message(), SYNTAX);
    assert_eq!(CompiledPolicy::compile("{", PolicyKind::Identity, "p").unwrap_err().code(), "MalformedPolicyDocument");
}
