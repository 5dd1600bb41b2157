"""The access model as a new user tries it with the AWS CLI: a group with two users and a customer policy, a role with
a trust policy, an inline policy and an AWS managed policy, an instance profile holding it, a boundary on a user, five
versions of a policy and the sixth refused, deletes refused in AWS's words while anything remains, and
GetAccountAuthorizationDetails showing all of it."""

import json

from conftest import aws_cli

ACCOUNT = "000000000000"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def ok(server, *args):
    rc, out, err = aws_cli(server, *args)
    assert rc == 0, f"{args}: {err}"
    return out


def refused(server, *args):
    rc, out, err = aws_cli(server, *args)
    assert rc != 0, f"{args} succeeded: {out}"
    return err


def test_access_model_walkthrough(server, tmp_path):
    policy_file, trust_file = tmp_path / "policy.json", tmp_path / "trust.json"
    policy_file.write_text(json.dumps(POLICY))
    trust_file.write_text(json.dumps(TRUST))
    policy, trust = f"file://{policy_file}", f"file://{trust_file}"

    # A group with two users and an attached customer policy.
    arn = ok(server, "iam", "create-policy", "--policy-name", "wt-read", "--policy-document", policy)["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/wt-read"
    ok(server, "iam", "create-group", "--group-name", "wt-devs")
    for user in ["wt-ann", "wt-bob"]:
        ok(server, "iam", "create-user", "--user-name", user)
        ok(server, "iam", "add-user-to-group", "--group-name", "wt-devs", "--user-name", user)
    ok(server, "iam", "attach-group-policy", "--group-name", "wt-devs", "--policy-arn", arn)
    group = ok(server, "iam", "get-group", "--group-name", "wt-devs")
    assert [u["UserName"] for u in group["Users"]] == ["wt-ann", "wt-bob"]

    # A role with a trust policy, an inline policy and an AWS managed policy, in an instance profile.
    role = ok(server, "iam", "create-role", "--role-name", "wt-app", "--assume-role-policy-document", trust)["Role"]
    assert role["AssumeRolePolicyDocument"] == TRUST
    ok(server, "iam", "put-role-policy", "--role-name", "wt-app", "--policy-name", "wt-inline", "--policy-document", policy)
    ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    ok(server, "iam", "attach-role-policy", "--role-name", "wt-app", "--policy-arn", ssm)
    ok(server, "iam", "create-instance-profile", "--instance-profile-name", "wt-profile")
    ok(server, "iam", "add-role-to-instance-profile", "--instance-profile-name", "wt-profile", "--role-name", "wt-app")
    profile = ok(server, "iam", "get-instance-profile", "--instance-profile-name", "wt-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["wt-app"]

    # A boundary on a user.
    ok(server, "iam", "put-user-permissions-boundary", "--user-name", "wt-ann", "--permissions-boundary", arn)
    assert ok(server, "iam", "get-user", "--user-name", "wt-ann")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn

    # Five versions of a policy, the sixth refused.
    for n in range(2, 6):
        v = ok(server, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", policy)
        assert v["PolicyVersion"]["VersionId"] == f"v{n}"
    err = refused(server, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", policy)
    assert "An error occurred (LimitExceeded) when calling the CreatePolicyVersion operation: A managed policy can have up to 5 versions." in err

    # Deletes refused in AWS's words while anything remains.
    cases = [
        (("delete-policy", "--policy-arn", arn), "DeletePolicy", "DeleteConflict", "Cannot delete a policy attached to entities."),
        (("delete-group", "--group-name", "wt-devs"), "DeleteGroup", "DeleteConflict", "Cannot delete entity, must remove users from group first."),
        (("delete-user", "--user-name", "wt-bob"), "DeleteUser", "DeleteConflict", "Cannot delete entity, must remove users from group first."),
        (("delete-role", "--role-name", "wt-app"), "DeleteRole", "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."),
        (("delete-instance-profile", "--instance-profile-name", "wt-profile"), "DeleteInstanceProfile", "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."),
        (("delete-policy-version", "--policy-arn", arn, "--version-id", "v1"), "DeletePolicyVersion", "DeleteConflict", "Cannot delete the default version of a policy."),
    ]
    for args, op, code, message in cases:
        err = refused(server, "iam", *args)
        assert f"An error occurred ({code}) when calling the {op} operation: {message}" in err, err

    # The account's authorization details show all of it.
    details = ok(server, "iam", "get-account-authorization-details")
    users = {u["UserName"]: u for u in details["UserDetailList"]}
    assert users["wt-ann"]["GroupList"] == ["wt-devs"] and users["wt-ann"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
    assert groups["wt-devs"]["AttachedManagedPolicies"] == [{"PolicyName": "wt-read", "PolicyArn": arn}]
    roles = {r["RoleName"]: r for r in details["RoleDetailList"]}
    app = roles["wt-app"]
    assert app["AssumeRolePolicyDocument"] == TRUST
    assert app["RolePolicyList"] == [{"PolicyName": "wt-inline", "PolicyDocument": POLICY}]
    assert app["AttachedManagedPolicies"] == [{"PolicyName": "AmazonSSMManagedInstanceCore", "PolicyArn": ssm}]
    assert [p["InstanceProfileName"] for p in app["InstanceProfileList"]] == ["wt-profile"]
    policies = {p["Arn"]: p for p in details["Policies"]}
    mine = policies[arn]
    assert [v["VersionId"] for v in mine["PolicyVersionList"]] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in mine["PolicyVersionList"]] == [False, False, False, False, True]
    assert mine["PolicyVersionList"][0]["Document"] == POLICY
    assert (mine["AttachmentCount"], mine["PermissionsBoundaryUsageCount"]) == (1, 1)
    assert ssm in policies

    summary = ok(server, "iam", "get-account-summary")["SummaryMap"]
    assert summary["Groups"] >= 1 and summary["Roles"] >= 1 and summary["InstanceProfiles"] >= 1
    assert summary["VersionsPerPolicyQuota"] == 5

    # Taken apart again, in the order AWS asks for.
    ok(server, "iam", "remove-role-from-instance-profile", "--instance-profile-name", "wt-profile", "--role-name", "wt-app")
    ok(server, "iam", "delete-instance-profile", "--instance-profile-name", "wt-profile")
    ok(server, "iam", "delete-role-policy", "--role-name", "wt-app", "--policy-name", "wt-inline")
    ok(server, "iam", "detach-role-policy", "--role-name", "wt-app", "--policy-arn", ssm)
    ok(server, "iam", "delete-role", "--role-name", "wt-app")
    ok(server, "iam", "delete-user-permissions-boundary", "--user-name", "wt-ann")
    for user in ["wt-ann", "wt-bob"]:
        ok(server, "iam", "remove-user-from-group", "--group-name", "wt-devs", "--user-name", user)
        ok(server, "iam", "delete-user", "--user-name", user)
    ok(server, "iam", "detach-group-policy", "--group-name", "wt-devs", "--policy-arn", arn)
    ok(server, "iam", "delete-group", "--group-name", "wt-devs")
    for n in range(2, 6):
        ok(server, "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", f"v{n}")
    ok(server, "iam", "delete-policy", "--policy-arn", arn)


def test_service_linked_role_cli(server):
    role = ok(server, "iam", "create-service-linked-role", "--aws-service-name", "elasticloadbalancing.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticLoadBalancing"
    assert role["Path"] == "/aws-service-role/elasticloadbalancing.amazonaws.com/"
    attached = ok(server, "iam", "list-attached-role-policies", "--role-name", role["RoleName"])["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSElasticLoadBalancingServiceRolePolicy"]
    err = refused(server, "iam", "delete-role", "--role-name", role["RoleName"])
    assert "(UnmodifiableEntity) when calling the DeleteRole operation: Cannot perform the operation on the protected role 'AWSServiceRoleForElasticLoadBalancing' - this role is only modifiable by AWS" in err
    task = ok(server, "iam", "delete-service-linked-role", "--role-name", role["RoleName"])["DeletionTaskId"]
    status = ok(server, "iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)
    assert status["Status"] == "SUCCEEDED"


def test_policies_granting_service_access_cli(server, tmp_path):
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(POLICY))
    ok(server, "iam", "create-user", "--user-name", "wt-granted")
    ok(server, "iam", "put-user-policy", "--user-name", "wt-granted", "--policy-name", "s3-list", "--policy-document", f"file://{policy_file}")
    out = ok(server, "iam", "list-policies-granting-service-access", "--arn", f"arn:aws:iam::{ACCOUNT}:user/wt-granted", "--service-namespaces", "s3", "ec2")
    entries = {e["ServiceNamespace"]: e["Policies"] for e in out["PoliciesGrantingServiceAccess"]}
    assert entries["s3"] == [{"PolicyName": "s3-list", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": "wt-granted"}]
    assert entries["ec2"] == []
