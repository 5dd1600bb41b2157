"""boto3 against Gatehouse: exact error codes, messages and statuses; paginators; unsigned and root requests."""

import json
import os
import shutil
import tempfile

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import client, start_server


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    r = info.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_errors_are_aws_errors(server):
    iam = client(server, "iam")
    iam.create_user(UserName="b3-bob")
    assert error_of(iam.create_user, UserName="B3-BOB") == ("EntityAlreadyExists", "User with name B3-BOB already exists.", 409)
    assert error_of(iam.get_user, UserName="b3-nobody") == ("NoSuchEntity", "The user with name b3-nobody cannot be found.", 404)
    iam.create_access_key(UserName="b3-bob")
    iam.create_access_key(UserName="b3-bob")
    assert error_of(iam.create_access_key, UserName="b3-bob") == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    assert error_of(iam.update_access_key, UserName="b3-bob", AccessKeyId="AKIAIOSFODNN7EXAMPLE", Status="Inactive") == (
        "NoSuchEntity",
        "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.",
        404,
    )
    assert error_of(iam.tag_user, UserName="b3-bob", Tags=[{"Key": "NOWAY!", "Value": ""}]) == (
        "ValidationError",
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
        400,
    )


def test_keys_sign_and_fail_closed(server):
    iam = client(server, "iam")
    iam.create_user(UserName="b3-carol", Tags=[{"Key": "team", "Value": "core"}])
    key = iam.create_access_key(UserName="b3-carol")["AccessKey"]
    carol_sts = client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"], region="eu-central-1")
    assert carol_sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/b3-carol"
    last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == "b3-carol"
    assert last["AccessKeyLastUsed"]["ServiceName"] == "sts"
    assert last["AccessKeyLastUsed"]["Region"] == "eu-central-1"

    carol_iam = client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert error_of(carol_iam.list_users) == (
        "AccessDenied",
        "User: arn:aws:iam::000000000000:user/b3-carol is not authorized to perform: iam:ListUsers on resource: "
        "arn:aws:iam::000000000000:user/ because no identity-based policy allows the iam:ListUsers action",
        403,
    )
    iam.update_access_key(UserName="b3-carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert error_of(carol_sts.get_caller_identity) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    assert iam.get_user(UserName="b3-carol")["User"]["Tags"] == [{"Key": "team", "Value": "core"}]


def test_paginator_and_tags(server):
    iam = client(server, "iam")
    for i in range(5):
        iam.create_user(UserName=f"b3-page-{i}", Path="/b3page/")
    pages = list(iam.get_paginator("list_users").paginate(PathPrefix="/b3page/", PaginationConfig={"PageSize": 2}))
    assert [len(p["Users"]) for p in pages] == [2, 2, 1]
    assert [u["UserName"] for p in pages for u in p["Users"]] == [f"b3-page-{i}" for i in range(5)]
    iam.tag_user(UserName="b3-page-0", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_user(UserName="b3-page-0", TagKeys=["A"])
    assert iam.list_user_tags(UserName="b3-page-0")["Tags"] == [{"Key": "b", "Value": "2"}]


def test_group_paginators(server):
    iam = client(server, "iam")
    iam.create_group(GroupName="b3-team", Path="/b3groups/")
    for i in range(5):
        iam.create_group(GroupName=f"b3-group-{i}", Path="/b3groups/")
        iam.create_user(UserName=f"b3-member-{i}")
        iam.add_user_to_group(GroupName="b3-team", UserName=f"b3-member-{i}")
    pages = list(iam.get_paginator("get_group").paginate(GroupName="b3-team", PaginationConfig={"PageSize": 2}))
    assert [len(p["Users"]) for p in pages] == [2, 2, 1]
    assert all(p["Group"]["GroupName"] == "b3-team" for p in pages)
    assert [u["UserName"] for p in pages for u in p["Users"]] == [f"b3-member-{i}" for i in range(5)]
    pages = list(iam.get_paginator("list_groups").paginate(PathPrefix="/b3groups/", PaginationConfig={"PageSize": 4}))
    assert [len(p["Groups"]) for p in pages] == [4, 2]
    assert [g["GroupName"] for p in pages for g in p["Groups"]] == [f"b3-group-{i}" for i in range(5)] + ["b3-team"]
    assert error_of(iam.remove_user_from_group, GroupName="b3-missing", UserName="b3-member-0") == (
        "NoSuchEntity",
        "The group with name b3-missing cannot be found.",
        404,
    )


def test_unsigned_requests_are_refused(server):
    sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED))
    assert error_of(sts.get_caller_identity) == ("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def test_generated_root_credentials_are_shown_once_and_persist():
    """The README's first start: no keys configured, SQLite in a data directory."""
    data_dir = tempfile.mkdtemp(prefix="gatehouse-first-start-")
    env = {"GATEHOUSE_ROOT_ACCESS_KEY_ID": None, "GATEHOUSE_ROOT_SECRET_ACCESS_KEY": None, "GATEHOUSE_MASTER_KEY": None, "GATEHOUSE_DATABASE_URL": None}
    saved = {k: os.environ.pop(k, None) for k in env}
    try:
        first = start_server({}, data_dir)
        printed = []
        for line in first.process.stdout:
            printed.append(line)
            if "Set GATEHOUSE_ROOT_ACCESS_KEY_ID" in line:
                break
        text = "".join(printed)
        key_id = text.split("aws_access_key_id ")[1].split()[0]
        secret = text.split("aws_secret_access_key ")[1].split()[0]
        assert key_id.startswith("AKIA") and len(secret) == 40
        assert client(first, "sts", key_id, secret).get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
        assert first.stop() == 0
        assert os.path.exists(os.path.join(data_dir, "master.key"))

        second = start_server({}, data_dir)
        assert client(second, "sts", key_id, secret).get_caller_identity()["Account"] == "000000000000"
        assert second.stop() == 0
        assert second.process.stdout.read() == "", "credentials are printed only at the first start"
    finally:
        for k, v in saved.items():
            if v is not None:
                os.environ[k] = v
        shutil.rmtree(data_dir, ignore_errors=True)


def test_simulate_custom_policy(server):
    iam = client(server, "iam")
    policy = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::bucket/*"}, {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/private/*"}]}'
    )
    out = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::bucket/a", "arn:aws:s3:::bucket/private/b"],
    )
    [result] = out["EvaluationResults"]
    assert out["IsTruncated"] is False
    assert result["EvalDecision"] == "explicitDeny"
    assert result["EvalDecisionDetails"] == {}
    assert [m["SourcePolicyId"] for m in result["MatchedStatements"]] == ["PolicyInputList.1"]
    assert [(r["EvalResourceName"], r["EvalResourceDecision"]) for r in result["ResourceSpecificResults"]] == [
        ("arn:aws:s3:::bucket/a", "allowed"),
        ("arn:aws:s3:::bucket/private/b", "explicitDeny"),
    ]
    # The paginator follows Marker through the actions.
    pages = iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[policy], ActionNames=["s3:GetObject", "s3:PutObject", "s3:ListBucket"], PaginationConfig={"PageSize": 1}
    )
    assert [r["EvalActionName"] for page in pages for r in page["EvaluationResults"]] == ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    assert error_of(iam.simulate_custom_policy, PolicyInputList=["{"], ActionNames=["s3:GetObject"]) == (
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
        400,
    )


def test_get_user_for_root_names_no_user(server):
    user = client(server, "iam").get_user()["User"]
    assert user["UserId"] == "000000000000"
    assert user["Arn"] == "arn:aws:iam::000000000000:root"
    assert "UserName" not in user and "Path" not in user
    assert user["CreateDate"].year >= 2026


ROLE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def test_roles_paginator_documents_and_errors(server):
    iam = client(server, "iam")
    # A condition value that is itself percent-encoded comes back exactly as sent (IAM encodes the whole document once).
    trust = {**ROLE_TRUST, "Statement": [{**ROLE_TRUST["Statement"][0], "Condition": {"StringEquals": {"aws:SourceArn": "arn%3Aaws%3Aapigateway"}}}]}
    for n in ["b3-role-a", "b3-role-b", "b3-role-c"]:
        iam.create_role(RoleName=n, Path="/b3/", AssumeRolePolicyDocument=json.dumps(trust), Description=n)
    pages = list(iam.get_paginator("list_roles").paginate(PathPrefix="/b3/", PaginationConfig={"PageSize": 1}))
    assert len(pages) == 3
    roles = [r for p in pages for r in p["Roles"]]
    assert [r["RoleName"] for r in roles] == ["b3-role-a", "b3-role-b", "b3-role-c"]
    # boto3 decodes the document into a dict.
    assert roles[0]["AssumeRolePolicyDocument"] == trust
    assert roles[0]["Description"] == "b3-role-a" and "RoleLastUsed" not in roles[0] and "Tags" not in roles[0]

    assert error_of(iam.get_role, RoleName="b3-nobody") == ("NoSuchEntity", "The role with name b3-nobody cannot be found.", 404)
    assert error_of(iam.create_role, RoleName="B3-ROLE-A", AssumeRolePolicyDocument=json.dumps(ROLE_TRUST)) == (
        "EntityAlreadyExists",
        "Role with name B3-ROLE-A already exists.",
        409,
    )
    assert error_of(iam.update_assume_role_policy, RoleName="b3-role-a", PolicyDocument="not valid json") == (
        "MalformedPolicyDocument",
        "This policy contains invalid Json",
        400,
    )
    nobody = {**ROLE_TRUST, "Statement": [{**ROLE_TRUST["Statement"][0], "Principal": {"AWS": "arn:aws:iam::000000000000:user/nobody"}}]}
    assert error_of(iam.create_role, RoleName="b3-x", AssumeRolePolicyDocument=json.dumps(nobody)) == (
        "MalformedPolicyDocument",
        'Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:user/nobody"',
        400,
    )
    iam.create_instance_profile(InstanceProfileName="b3-ip")
    iam.add_role_to_instance_profile(InstanceProfileName="b3-ip", RoleName="b3-role-a")
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName="b3-ip", RoleName="b3-role-b") == (
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        409,
    )
    profiles = iam.list_instance_profiles_for_role(RoleName="b3-role-a")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in profiles] == ["b3-ip"]
    assert profiles[0]["Roles"][0]["AssumeRolePolicyDocument"] == trust
    assert error_of(iam.remove_role_from_instance_profile, InstanceProfileName="b3-ip", RoleName="b3-role-b") == (
        "NoSuchEntity",
        "Role b3-role-b in Instance Profile b3-ip cannot be found.",
        404,
    )
