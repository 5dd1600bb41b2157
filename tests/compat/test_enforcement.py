"""Enforcement as a new user meets it with boto3 and the AWS CLI: a user with only iam:ListUsers lists users and gets
AWS's AccessDenied for everything else; a ${aws:username} self-service policy lets a user manage only its own keys; an
explicit deny in a group beats an allow; a boundary caps AdministratorAccess; a revoked policy is enforced on the
next request."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_cli, client

ACCOUNT = "000000000000"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def user_with_key(iam, name):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def denied(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err["Error"]["Code"] == "AccessDenied"
    return err["Error"]["Message"]


def test_only_list_users(server):
    root = client(server, "iam")
    key_id, secret = user_with_key(root, "en-lister")
    root.put_user_policy(UserName="en-lister", PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    iam = client(server, "iam", key_id, secret)
    names = [u["UserName"] for u in iam.list_users()["Users"]]
    assert "en-lister" in names
    me = f"arn:aws:iam::{ACCOUNT}:user/en-lister"
    assert denied(iam.get_user, UserName="en-lister") == (
        f"User: {me} is not authorized to perform: iam:GetUser on resource: {me} "
        "because no identity-based policy allows the iam:GetUser action"
    )
    assert denied(iam.create_group, GroupName="en-nope") == (
        f"User: {me} is not authorized to perform: iam:CreateGroup on resource: arn:aws:iam::{ACCOUNT}:group/en-nope "
        "because no identity-based policy allows the iam:CreateGroup action"
    )
    # The CLI shows the same error.
    rc, _, err = aws_cli(server, "iam", "list-roles", key_id=key_id, secret=secret)
    assert rc != 0
    assert "(AccessDenied)" in err and "because no identity-based policy allows the iam:ListRoles action" in err


def test_self_service_keys_group_deny_and_boundary(server):
    root = client(server, "iam")
    key_id, secret = user_with_key(root, "en-self")
    root.create_user(UserName="en-other")
    own = allow(["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey"], "arn:aws:iam::*:user/${aws:username}")
    root.put_user_policy(UserName="en-self", PolicyName="own-keys", PolicyDocument=doc(own))
    iam = client(server, "iam", key_id, secret)
    second = iam.create_access_key()["AccessKey"]["AccessKeyId"]
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 2
    iam.delete_access_key(AccessKeyId=second)
    assert denied(iam.create_access_key, UserName="en-other").endswith(
        "because no identity-based policy allows the iam:CreateAccessKey action"
    )

    # An explicit deny in a group beats the allow of an attached managed policy.
    arn = root.create_policy(PolicyName="en-all-iam", PolicyDocument=doc(allow("iam:*")))["Policy"]["Arn"]
    root.attach_user_policy(UserName="en-self", PolicyArn=arn)
    iam.get_user(UserName="en-other")
    root.create_group(GroupName="en-deny")
    deny = {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"}
    root.put_group_policy(GroupName="en-deny", PolicyName="deny", PolicyDocument=doc(deny))
    root.add_user_to_group(GroupName="en-deny", UserName="en-self")
    assert denied(iam.get_user, UserName="en-other").endswith("with an explicit deny in an identity-based policy")

    # A boundary caps even AdministratorAccess.
    root.attach_user_policy(UserName="en-self", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    bound = root.create_policy(PolicyName="en-lists-only", PolicyDocument=doc(allow("iam:List*")))["Policy"]["Arn"]
    root.put_user_permissions_boundary(UserName="en-self", PermissionsBoundary=bound)
    iam.list_groups()
    assert denied(iam.create_role, RoleName="en-r", AssumeRolePolicyDocument=doc()).endswith(
        "because no permissions boundary allows the iam:CreateRole action"
    )

    # Taken away, and enforced on the very next request.
    root.delete_user_permissions_boundary(UserName="en-self")
    root.remove_user_from_group(GroupName="en-deny", UserName="en-self")
    iam.get_user(UserName="en-other")
    root.detach_user_policy(UserName="en-self", PolicyArn=arn)
    root.detach_user_policy(UserName="en-self", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert denied(iam.get_user, UserName="en-other").endswith(
        "because no identity-based policy allows the iam:GetUser action"
    )
