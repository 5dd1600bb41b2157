//! Compile and decision times (criterion). Run with
//! `cargo bench -p gatehouse-policy --bench policy`; figures go to BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gatehouse_policy::*;

const ACCOUNT: &str = "123456789012";
const USER_ARN: &str = "arn:aws:iam::123456789012:user/alice";

/// `n` statements, each with a variable in its resource and three conditions (one with a
/// variable); only the last one matches the benchmark request, so every statement is visited.
fn synthetic(n: usize) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"arn:aws:s3:::bucket-{i}/home/${{aws:username}}/*","Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"${{aws:PrincipalTag/project, 'core'}}"}},"IpAddress":{{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}},"Bool":{{"aws:SecureTransport":"true"}}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
}

fn context() -> RequestContext {
    RequestContext::new()
        .with("aws:username", ContextValue::string("alice"))
        .with("aws:userid", ContextValue::string("AIDAEXAMPLE000000001"))
        .with("aws:PrincipalArn", ContextValue::arn(USER_ARN))
        .with("aws:PrincipalAccount", ContextValue::string(ACCOUNT))
        .with("aws:PrincipalType", ContextValue::string("User"))
        .with("aws:PrincipalTag/team", ContextValue::string("core"))
        .with("aws:SourceIp", ContextValue::ip("10.20.30.40".parse().unwrap()))
        .with("aws:SecureTransport", ContextValue::bool(true))
        .with("aws:RequestedRegion", ContextValue::string("eu-west-1"))
        .with("aws:MultiFactorAuthPresent", ContextValue::bool(true))
        .with("s3:prefix", ContextValue::string("home/alice/"))
        .with_time(Timestamp::parse("2026-11-23T10:00:00Z").unwrap())
}

/// Ten managed policies, two groups' inline policies and a boundary: about 60 statements, in
/// the shapes real accounts use (wildcard reads, tag and MFA conditions, region guards,
/// home folders with variables, a deny with NotAction).
fn realistic() -> (Vec<CompiledPolicy>, CompiledPolicy) {
    let docs = [
        // 1. A read-only style policy with many Describe/List/Get wildcards.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"Ec2Read","Effect":"Allow","Action":["ec2:Describe*","ec2:Get*"],"Resource":"*"},
          {"Sid":"CwRead","Effect":"Allow","Action":["cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*","logs:Describe*","logs:Get*","logs:FilterLogEvents"],"Resource":"*"},
          {"Sid":"IamRead","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},
          {"Sid":"RdsRead","Effect":"Allow","Action":["rds:Describe*","rds:ListTagsForResource"],"Resource":"*"},
          {"Sid":"LambdaRead","Effect":"Allow","Action":["lambda:Get*","lambda:List*"],"Resource":"*"},
          {"Sid":"EcsRead","Effect":"Allow","Action":["ecs:Describe*","ecs:List*","eks:Describe*","eks:List*"],"Resource":"*"},
          {"Sid":"S3Meta","Effect":"Allow","Action":["s3:GetBucketPolicy","s3:GetBucketTagging","s3:GetLifecycleConfiguration"],"Resource":"arn:aws:s3:::*"},
          {"Sid":"SqsRead","Effect":"Allow","Action":["sqs:GetQueueAttributes","sqs:ListQueues","sns:ListTopics","sns:GetTopicAttributes"],"Resource":"*"}]}"#,
        // 2. Self-service credentials with variables.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"ViewAccount","Effect":"Allow","Action":["iam:GetAccountPasswordPolicy","iam:GetAccountSummary","iam:ListVirtualMFADevices"],"Resource":"*"},
          {"Sid":"OwnPassword","Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
          {"Sid":"OwnKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
          {"Sid":"OwnSsh","Effect":"Allow","Action":["iam:DeleteSSHPublicKey","iam:GetSSHPublicKey","iam:ListSSHPublicKeys","iam:UpdateSSHPublicKey","iam:UploadSSHPublicKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
          {"Sid":"OwnMfa","Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice","iam:EnableMFADevice","iam:ResyncMFADevice"],"Resource":["arn:aws:iam::*:mfa/${aws:username}","arn:aws:iam::*:user/${aws:username}"]},
          {"Sid":"DenyWithoutMfa","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
        // 3. Region guard.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"DenyOtherRegions","Effect":"Deny","NotAction":["iam:*","sts:*","s3:*","cloudfront:*","route53:*","support:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}},
          {"Sid":"DenyUnencryptedTransport","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        // 4. Tag-based EC2 control.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"StartStopOwnTeam","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances","ec2:RebootInstances"],"Resource":"arn:aws:ec2:*:*:instance/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
          {"Sid":"CreateTagged","Effect":"Allow","Action":["ec2:RunInstances","ec2:CreateTags"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"${aws:PrincipalTag/team}"},"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost-center","Name"]}}},
          {"Sid":"NoUntag","Effect":"Deny","Action":"ec2:DeleteTags","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["team","cost-center"]}}},
          {"Sid":"Volumes","Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":["arn:aws:ec2:*:*:volume/*","arn:aws:ec2:*:*:instance/*"],"Condition":{"ArnLike":{"ec2:SourceInstanceARN":"arn:aws:ec2:*:123456789012:instance/*"}}}]}"#,
        // 5. DynamoDB fine-grained access.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"OwnItems","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:BatchGetItem","dynamodb:Query","dynamodb:PutItem","dynamodb:UpdateItem","dynamodb:DeleteItem"],"Resource":"arn:aws:dynamodb:*:*:table/Users","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:userid}"]}}},
          {"Sid":"Describe","Effect":"Allow","Action":["dynamodb:Describe*","dynamodb:List*"],"Resource":"*"},
          {"Sid":"NoDeleteTable","Effect":"Deny","Action":["dynamodb:DeleteTable","dynamodb:DeleteBackup"],"Resource":"*"}]}"#,
        // 6. Working hours and network.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"OfficeNetwork","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","2001:db8::/32"]},"Bool":{"aws:ViaAWSService":"false"}}},
          {"Sid":"Until2030","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"arn:aws:sqs:*:123456789012:app-*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}},
          {"Sid":"SnsPublish","Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:*:123456789012:alerts-*"},
          {"Sid":"EventsPut","Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:*:123456789012:event-bus/app-*","Condition":{"StringEquals":{"events:source":["app.orders","app.billing"]}}},
          {"Sid":"NoQueueDelete","Effect":"Deny","Action":["sqs:DeleteQueue","sns:DeleteTopic"],"Resource":"*"}]}"#,
        // 7. KMS and secrets with conditions.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"KmsUse","Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:*:123456789012:key/*","Condition":{"StringLike":{"kms:ViaService":["s3.*.amazonaws.com","secretsmanager.*.amazonaws.com"]}}},
          {"Sid":"Secrets","Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"arn:aws:secretsmanager:*:123456789012:secret:app/${aws:PrincipalTag/team}/*"},
          {"Sid":"SsmParams","Effect":"Allow","Action":["ssm:GetParameter","ssm:GetParameters","ssm:GetParametersByPath"],"Resource":"arn:aws:ssm:*:123456789012:parameter/app/*"}]}"#,
        // 8. CI deployment permissions.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"PassRole","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app-*","Condition":{"StringEquals":{"iam:PassedToService":["lambda.amazonaws.com","ecs-tasks.amazonaws.com"]}}},
          {"Sid":"Lambda","Effect":"Allow","Action":["lambda:UpdateFunctionCode","lambda:UpdateFunctionConfiguration","lambda:PublishVersion"],"Resource":"arn:aws:lambda:*:123456789012:function:app-*"},
          {"Sid":"Ecr","Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:PutImage","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload"],"Resource":"*"},
          {"Sid":"Ecs","Effect":"Allow","Action":["ecs:UpdateService","ecs:DescribeServices","ecs:RegisterTaskDefinition"],"Resource":"*","Condition":{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:*:123456789012:cluster/app"}}}]}"#,
        // 9. Billing and support.
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"Billing","Effect":"Allow","Action":["aws-portal:View*","ce:Get*","budgets:View*"],"Resource":"*"},
          {"Sid":"Support","Effect":"Allow","Action":"support:*","Resource":"*"},
          {"Sid":"NoClose","Effect":"Deny","Action":["account:CloseAccount","organizations:LeaveOrganization"],"Resource":"*"},
          {"Sid":"Health","Effect":"Allow","Action":["health:Describe*","trustedadvisor:Describe*"],"Resource":"*"},
          {"Sid":"Tagging","Effect":"Allow","Action":["tag:GetResources","tag:GetTagKeys","tag:GetTagValues"],"Resource":"*"}]}"#,
        // 10. S3 home folders (the statement the request needs).
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"Buckets","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"*"},
          {"Sid":"ListHome","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::company-data","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}},
          {"Sid":"NoPublicAcl","Effect":"Deny","Action":["s3:PutObjectAcl","s3:PutBucketAcl"],"Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acl":["public-read","public-read-write"]}}},
          {"Sid":"Home","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":["arn:aws:s3:::company-data/home/${aws:username}","arn:aws:s3:::company-data/home/${aws:username}/*"]}]}"#,
        // Group "developers" (inline).
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"CodeCommit","Effect":"Allow","Action":["codecommit:GitPull","codecommit:GitPush","codecommit:Get*","codecommit:List*"],"Resource":"arn:aws:codecommit:*:123456789012:*"},
          {"Sid":"NoMainPush","Effect":"Deny","Action":"codecommit:GitPush","Resource":"*","Condition":{"StringEqualsIfExists":{"codecommit:References":"refs/heads/main"}}},
          {"Sid":"Builds","Effect":"Allow","Action":["codebuild:StartBuild","codebuild:BatchGet*"],"Resource":"arn:aws:codebuild:*:123456789012:project/${aws:PrincipalTag/team}-*"},
          {"Sid":"Athena","Effect":"Allow","Action":["athena:StartQueryExecution","athena:GetQuery*"],"Resource":"*","Condition":{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}},
          {"Sid":"Glue","Effect":"Allow","Action":["glue:GetTable*","glue:GetDatabase*","glue:GetPartition*"],"Resource":"*"},
          {"Sid":"TeamBucket","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::team-${aws:PrincipalTag/team}/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}"#,
        // Group "everyone" (inline).
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"WhoAmI","Effect":"Allow","Action":["sts:GetCallerIdentity","iam:GetAccountAuthorizationDetails"],"Resource":"*"},
          {"Sid":"ProtectAdmins","Effect":"Deny","Action":["iam:*"],"Resource":["arn:aws:iam::*:role/admin-*","arn:aws:iam::*:user/admin-*"]},
          {"Sid":"ReadOwnTags","Effect":"Allow","Action":["iam:ListUserTags","iam:TagUser"],"Resource":"arn:aws:iam::123456789012:user/${aws:username}","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["pref-*"]}}},
          {"Sid":"NoRootLike","Effect":"Deny","Action":["iam:CreateAccessKey","iam:UpdateLoginProfile"],"Resource":"*","Condition":{"Null":{"aws:MultiFactorAuthAge":"true"},"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}}]}"#,
    ];
    let identity = docs
        .iter()
        .enumerate()
        .map(|(i, d)| CompiledPolicy::compile(d, PolicyKind::Identity, format!("policy-{i}")).unwrap())
        .collect();
    let boundary = CompiledPolicy::compile(
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"Services","Effect":"Allow","NotAction":["organizations:*","account:*"],"Resource":"*"},
          {"Sid":"NoBoundaryChange","Effect":"Deny","Action":["iam:DeleteUserPermissionsBoundary","iam:PutUserPermissionsBoundary"],"Resource":"*"},
          {"Sid":"NoPolicyEdit","Effect":"Deny","Action":["iam:CreatePolicyVersion","iam:SetDefaultPolicyVersion"],"Resource":"arn:aws:iam::123456789012:policy/boundary"},
          {"Sid":"NoLogTamper","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail","logs:DeleteLogGroup"],"Resource":"*"},
          {"Sid":"NoGuardDutyOff","Effect":"Deny","Action":["guardduty:Delete*","guardduty:Disassociate*","config:Stop*"],"Resource":"*"},
          {"Sid":"OnlyTagged","Effect":"Deny","Action":["iam:CreateUser","iam:CreateRole"],"Resource":"*","Condition":{"StringNotEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/boundary"}}}]}"#,
        PolicyKind::PermissionsBoundary,
        "boundary",
    )
    .unwrap();
    (identity, boundary)
}

fn benches(c: &mut Criterion) {
    let ctx = context();
    let principal = Principal::user(ACCOUNT, USER_ARN);

    let ten = synthetic(10);
    c.bench_function("compile/10 statements", |b| {
        b.iter(|| CompiledPolicy::compile(black_box(&ten), PolicyKind::Identity, "p").unwrap())
    });
    let (realistic_policies, boundary) = realistic();
    let self_service = realistic_policies[1].document().to_string();
    c.bench_function("compile/self-service policy (6 statements)", |b| {
        b.iter(|| CompiledPolicy::compile(black_box(&self_service), PolicyKind::Identity, "p").unwrap())
    });

    for n in [1usize, 10, 100] {
        let policy = CompiledPolicy::compile(&synthetic(n), PolicyKind::Identity, "p").unwrap();
        let resource = format!("arn:aws:s3:::bucket-{}/home/alice/notes.txt", n - 1);
        let set = [&policy];
        let policies = PolicySet::new(&set);
        let req =
            Request { principal, action: "s3:GetObject", resource: &resource, resource_account: None, context: &ctx };
        assert!(authorize(&req, &policies).is_allowed());
        c.bench_function(&format!("decide/{n} statements"), |b| b.iter(|| authorize(black_box(&req), &policies)));
    }

    let statements: usize =
        realistic_policies.iter().map(CompiledPolicy::statement_count).sum::<usize>() + boundary.statement_count();
    let policies = PolicySet::new(&realistic_policies).with_boundary(&boundary);
    let req = Request {
        principal,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::company-data/home/alice/report.pdf",
        resource_account: None,
        context: &ctx,
    };
    assert!(authorize(&req, &policies).is_allowed());
    c.bench_function(&format!("decide/realistic principal ({statements} statements, allowed)"), |b| {
        b.iter(|| authorize(black_box(&req), &policies))
    });
    let denied = Request { action: "iam:DeleteUserPermissionsBoundary", resource: USER_ARN, ..req };
    assert_eq!(authorize(&denied, &policies).decision, EvalDecision::ExplicitDeny);
    c.bench_function(&format!("decide/realistic principal ({statements} statements, explicit deny)"), |b| {
        b.iter(|| authorize(black_box(&denied), &policies))
    });
    let implicit = Request { action: "redshift:CreateCluster", resource: "*", ..req };
    assert_eq!(authorize(&implicit, &policies).decision, EvalDecision::ImplicitDeny);
    c.bench_function(&format!("decide/realistic principal ({statements} statements, implicit deny)"), |b| {
        b.iter(|| authorize(black_box(&implicit), &policies))
    });
}

criterion_group! {
    name = policy;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
    targets = benches
}
criterion_main!(policy);
