"""Managed and inline policies through the real AWS CLI and boto3: documents come back decoded, paginators walk the
AWS catalogue, and AWS's errors arrive word for word."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_cli, client

DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    r = info.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_cli_policy_versions_and_attachment(server, tmp_path):
    doc = tmp_path / "policy.json"
    doc.write_text(json.dumps(DOC))
    rc, out, err = aws_cli(server, "iam", "create-policy", "--policy-name", "cli-read", "--policy-document", f"file://{doc}")
    assert rc == 0, err
    arn = out["Policy"]["Arn"]
    assert arn == "arn:aws:iam::000000000000:policy/cli-read" and out["Policy"]["DefaultVersionId"] == "v1"
    for n in range(2, 6):
        rc, out, err = aws_cli(server, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", f"file://{doc}")
        assert rc == 0 and out["PolicyVersion"]["VersionId"] == f"v{n}", err
    rc, out, err = aws_cli(server, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", f"file://{doc}")
    assert rc != 0
    assert (
        "An error occurred (LimitExceeded) when calling the CreatePolicyVersion operation: A managed policy can have up to 5 "
        "versions. Before you create a new version, you must delete an existing version." in err
    )
    rc, out, err = aws_cli(server, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert rc == 0 and out["PolicyVersion"]["Document"] == DOC, err

    assert aws_cli(server, "iam", "create-user", "--user-name", "cli-pol")[0] == 0
    for p in [arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"]:
        rc, _, err = aws_cli(server, "iam", "attach-user-policy", "--user-name", "cli-pol", "--policy-arn", p)
        assert rc == 0, err
    rc, out, err = aws_cli(server, "iam", "list-attached-user-policies", "--user-name", "cli-pol")
    assert [p["PolicyName"] for p in out["AttachedPolicies"]] == ["cli-read", "ReadOnlyAccess"]
    rc, out, err = aws_cli(server, "iam", "delete-policy", "--policy-arn", arn)
    assert "An error occurred (DeleteConflict) when calling the DeletePolicy operation: Cannot delete a policy attached to entities." in err
    rc, out, err = aws_cli(server, "iam", "delete-user", "--user-name", "cli-pol")
    assert "Cannot delete entity, must detach all policies first." in err
    rc, out, err = aws_cli(server, "iam", "put-user-policy", "--user-name", "cli-pol", "--policy-name", "inline", "--policy-document", f"file://{doc}")
    assert rc == 0, err
    rc, out, err = aws_cli(server, "iam", "get-user-policy", "--user-name", "cli-pol", "--policy-name", "inline")
    assert out["PolicyDocument"] == DOC and out["UserName"] == "cli-pol"


def test_boto3_catalogue_paginator_and_versions(server):
    iam = client(server, "iam")
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS", PathPrefix="/service-role/", PaginationConfig={"PageSize": 50})
    policies = [p for page in pages for p in page["Policies"]]
    assert len(policies) > 100
    assert all(p["Path"] == "/service-role/" and p["Arn"].startswith("arn:aws:iam::aws:policy/service-role/") for p in policies)
    assert len({p["Arn"] for p in policies}) == len(policies)
    lambda_basic = next(p for p in policies if p["PolicyName"] == "AWSLambdaBasicExecutionRole")
    version = iam.get_policy_version(PolicyArn=lambda_basic["Arn"], VersionId=lambda_basic["DefaultVersionId"])
    assert version["PolicyVersion"]["Document"]["Version"] == "2012-10-17"
    assert error_of(iam.delete_policy, PolicyArn=lambda_basic["Arn"]) == ("AccessDenied", "Cannot delete policies outside your own account.", 403)

    created = iam.create_policy(PolicyName="b3-pol", PolicyDocument=json.dumps(DOC), Tags=[{"Key": "k", "Value": "v"}])["Policy"]
    assert created["Tags"] == [{"Key": "k", "Value": "v"}]
    assert error_of(iam.create_policy, PolicyName="B3-POL", PolicyDocument=json.dumps(DOC)) == (
        "EntityAlreadyExists",
        "A policy called B3-POL already exists. Duplicate names are not allowed.",
        409,
    )
    assert error_of(iam.create_policy, PolicyName="b3-bad", PolicyDocument="{") == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    assert error_of(iam.get_policy_version, PolicyArn=created["Arn"], VersionId="v9") == (
        "NoSuchEntity",
        f"Policy {created['Arn']} version v9 does not exist or is not attachable.",
        404,
    )
    iam.create_policy_version(PolicyArn=created["Arn"], PolicyDocument=json.dumps(DOC), SetAsDefault=True)
    versions = iam.list_policy_versions(PolicyArn=created["Arn"])["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    assert error_of(iam.delete_policy_version, PolicyArn=created["Arn"], VersionId="v2") == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
        409,
    )
    iam.delete_policy_version(PolicyArn=created["Arn"], VersionId="v1")
    iam.delete_policy(PolicyArn=created["Arn"])


def test_boto3_inline_policy_quota(server):
    iam = client(server, "iam")
    iam.create_user(UserName="b3-inline")
    big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "a" * 2000}]}
    assert error_of(iam.put_user_policy, UserName="b3-inline", PolicyName="big", PolicyDocument=json.dumps(big)) == (
        "LimitExceeded",
        "Maximum policy size of 2048 bytes exceeded for user b3-inline",
        409,
    )
    iam.put_user_policy(UserName="b3-inline", PolicyName="small", PolicyDocument=json.dumps(DOC))
    assert iam.list_user_policies(UserName="b3-inline")["PolicyNames"] == ["small"]
    assert iam.get_user_policy(UserName="b3-inline", PolicyName="small")["PolicyDocument"] == DOC
    assert error_of(iam.delete_user, UserName="b3-inline") == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_user_policy(UserName="b3-inline", PolicyName="small")
    iam.delete_user(UserName="b3-inline")


def test_boto3_simulate_principal_policy(server):
    iam = client(server, "iam")
    iam.create_user(UserName="b3-sim", Path="/sim/")
    read = json.dumps(DOC)
    iam.put_user_policy(UserName="b3-sim", PolicyName="read", PolicyDocument=read)
    queue = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    arn = iam.create_policy(PolicyName="b3-sim-queue", PolicyDocument=json.dumps(queue))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="b3-sim", PolicyArn=arn)
    user = "arn:aws:iam::000000000000:user/sim/b3-sim"

    out = iam.simulate_principal_policy(PolicySourceArn=user, ActionNames=["s3:GetObject", "s3:PutObject"], ResourceArns=["arn:aws:s3:::bucket/key"])
    # IAM positions a statement by the line and the column after its braces, in the document as stored.
    statement = {
        "SourcePolicyId": "user_b3-sim_read",
        "SourcePolicyType": "IAM Policy",
        "StartPosition": {"Line": 1, "Column": read.index("[{") + 3},
        "EndPosition": {"Line": 1, "Column": read.rindex("}]") + 2},
    }
    assert out["IsTruncated"] is False
    assert out["EvaluationResults"] == [
        {
            "EvalActionName": "s3:GetObject",
            "EvalResourceName": "arn:aws:s3:::bucket/key",
            "EvalDecision": "allowed",
            "MatchedStatements": [statement],
            "MissingContextValues": [],
            "EvalDecisionDetails": {},
            "ResourceSpecificResults": [
                {"EvalResourceName": "arn:aws:s3:::bucket/key", "EvalResourceDecision": "allowed", "MatchedStatements": [statement], "MissingContextValues": []}
            ],
        },
        {
            "EvalActionName": "s3:PutObject",
            "EvalResourceName": "arn:aws:s3:::bucket/key",
            "EvalDecision": "implicitDeny",
            "MatchedStatements": [],
            "MissingContextValues": [],
            "EvalDecisionDetails": {},
            "ResourceSpecificResults": [
                {"EvalResourceName": "arn:aws:s3:::bucket/key", "EvalResourceDecision": "implicitDeny", "MatchedStatements": [], "MissingContextValues": []}
            ],
        },
    ]

    # boto3 sends PolicyExclusionList in the model's form; a policy passed in adds to the stored ones.
    def decisions(**kwargs):
        out = iam.simulate_principal_policy(PolicySourceArn=user, ActionNames=["s3:GetObject", "sqs:SendMessage"], **kwargs)
        return [(r["EvalDecision"], [m["SourcePolicyId"] for m in r["MatchedStatements"]]) for r in out["EvaluationResults"]]

    assert decisions() == [("allowed", ["user_b3-sim_read"]), ("allowed", ["b3-sim-queue"])]
    inline = {"InlinePolicyIdentifier": {"PolicyName": "read", "AttachmentType": "user", "AttachmentName": "b3-sim"}}
    assert decisions(PolicyExclusionList=[inline, {"PolicyArn": arn}]) == [("implicitDeny", []), ("implicitDeny", [])]
    assert decisions(PolicyExclusionList=[{"PolicyType": "user-managed"}], PolicyInputList=[read]) == [
        ("allowed", ["user_b3-sim_read", "PolicyInputList.1"]),
        ("implicitDeny", []),
    ]
    assert error_of(iam.simulate_principal_policy, PolicySourceArn=user, ActionNames=["s3:GetObject"], PolicyExclusionList=[{"PolicyArn": "arn:aws:iam::aws:policy/*a*"}]) == (
        "InvalidInput",
        "ARN arn:aws:iam::aws:policy/*a* is not valid.",
        400,
    )

    cond = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=user, PolicyInputList=[json.dumps(cond)])
    assert keys["ContextKeyNames"] == ["aws:SecureTransport"]
    assert error_of(iam.simulate_principal_policy, PolicySourceArn="arn:aws:iam::000000000000:user/b3-sim", ActionNames=["s3:GetObject"]) == (
        "NoSuchEntity",
        "The user with name b3-sim cannot be found.",
        404,
    )
    assert error_of(iam.get_context_keys_for_principal_policy, PolicySourceArn=arn) == ("InvalidInput", f"ARN {arn} is not valid.", 400)
