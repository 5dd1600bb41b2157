"""The AWS CLI against Gatehouse: the new user's walk-through of the foundation."""

import json

from conftest import aws_cli


def test_user_key_identity_walkthrough(server):
    rc, out, err = aws_cli(server, "iam", "create-user", "--user-name", "alice")
    assert rc == 0, err
    user = out["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/alice"
    assert user["UserId"].startswith("AIDA")

    rc, out, err = aws_cli(server, "iam", "create-access-key", "--user-name", "alice")
    assert rc == 0, err
    key = out["AccessKey"]
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40

    rc, out, err = aws_cli(server, "sts", "get-caller-identity", key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert rc == 0, err
    assert out == {"UserId": user["UserId"], "Account": "000000000000", "Arn": user["Arn"]}

    rc, out, err = aws_cli(server, "sts", "get-caller-identity", key_id=key["AccessKeyId"], secret="x" * 40)
    assert rc != 0
    assert "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided." in err

    rc, out, err = aws_cli(server, "iam", "delete-user", "--user-name", "alice")
    assert rc != 0
    assert "An error occurred (DeleteConflict) when calling the DeleteUser operation: Cannot delete entity, must delete access keys first." in err

    rc, out, err = aws_cli(server, "iam", "create-user", "--user-name", "alice")
    assert "An error occurred (EntityAlreadyExists) when calling the CreateUser operation: User with name alice already exists." in err

    assert aws_cli(server, "iam", "delete-access-key", "--user-name", "alice", "--access-key-id", key["AccessKeyId"])[0] == 0
    assert aws_cli(server, "iam", "delete-user", "--user-name", "alice")[0] == 0


def test_list_users_paginates(server):
    for n in ["pg-a", "pg-b", "pg-c"]:
        assert aws_cli(server, "iam", "create-user", "--user-name", n, "--path", "/paging/")[0] == 0
    # --page-size makes the CLI fetch one user per request, following Marker/IsTruncated to the end.
    rc, out, err = aws_cli(server, "iam", "list-users", "--path-prefix", "/paging/", "--page-size", "1")
    assert rc == 0, err
    assert [u["UserName"] for u in out["Users"]] == ["pg-a", "pg-b", "pg-c"]
    # --max-items stops early and hands back a NextToken to resume from.
    rc, out, err = aws_cli(server, "iam", "list-users", "--path-prefix", "/paging/", "--max-items", "2")
    assert rc == 0, err
    assert [u["UserName"] for u in out["Users"]] == ["pg-a", "pg-b"]
    rc, rest, err = aws_cli(server, "iam", "list-users", "--path-prefix", "/paging/", "--starting-token", out["NextToken"])
    assert rc == 0, err
    assert [u["UserName"] for u in rest["Users"]] == ["pg-c"]


def test_validation_and_missing_entities(server):
    rc, _, err = aws_cli(server, "iam", "get-user", "--user-name", "nobody-here")
    assert "An error occurred (NoSuchEntity) when calling the GetUser operation: The user with name nobody-here cannot be found." in err
    rc, _, err = aws_cli(server, "iam", "create-user", "--user-name", "bad:name")
    assert (
        "An error occurred (ValidationError) when calling the CreateUser operation: 1 validation error detected: "
        "Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    ) in err


def test_simulate_custom_policy(server, tmp_path):
    # The walk-through of the AWS CLI's own example: a policy allowing DynamoDB after a date, simulated
    # with aws:CurrentTime supplied as a context entry.
    policy = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
    )
    # AWS CLI v1 reads a file:// list argument as JSON, so the file holds a JSON list of policy texts.
    (tmp_path / "policy.json").write_text(json.dumps([policy]))
    args = ["iam", "simulate-custom-policy", "--policy-input-list", f"file://{tmp_path / 'policy.json'}",
            "--action-names", "dynamodb:CreateBackup"]
    later = "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date"
    rc, out, err = aws_cli(server, *args, "--context-entries", later)
    assert rc == 0, err
    assert out["EvaluationResults"] == [{
        "EvalActionName": "dynamodb:CreateBackup",
        "EvalResourceName": "*",
        "EvalDecision": "allowed",
        "MatchedStatements": [{
            "SourcePolicyId": "PolicyInputList.1",
            "SourcePolicyType": "IAM Policy",
            "StartPosition": {"Line": 1, "Column": 38},
            "EndPosition": {"Line": 1, "Column": 167},
        }],
        "MissingContextValues": [],
    }]
    earlier = "ContextKeyName='aws:CurrentTime',ContextKeyValues='2014-04-25T11:00:00Z',ContextKeyType=date"
    rc, out, err = aws_cli(server, *args, "--context-entries", earlier)
    assert rc == 0, err
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert out["EvaluationResults"][0]["MatchedStatements"] == []

    rc, out, err = aws_cli(server, "iam", "get-context-keys-for-custom-policy", "--policy-input-list", f"file://{tmp_path / 'policy.json'}")
    assert rc == 0, err
    assert out == {"ContextKeyNames": ["aws:CurrentTime"]}


def test_group_membership_walkthrough(server):
    rc, out, err = aws_cli(server, "iam", "create-group", "--group-name", "cli-devs")
    assert rc == 0, err
    group = out["Group"]
    assert group["Arn"] == "arn:aws:iam::000000000000:group/cli-devs"
    assert group["GroupId"].startswith("AGPA") and group["Path"] == "/"
    for u in ["cli-zed", "cli-amy"]:
        assert aws_cli(server, "iam", "create-user", "--user-name", u)[0] == 0
        rc, _, err = aws_cli(server, "iam", "add-user-to-group", "--group-name", "cli-devs", "--user-name", u)
        assert rc == 0, err
    rc, out, err = aws_cli(server, "iam", "get-group", "--group-name", "cli-devs")
    assert rc == 0, err
    assert out["Group"]["GroupId"] == group["GroupId"]
    assert [u["UserName"] for u in out["Users"]] == ["cli-amy", "cli-zed"]

    rc, _, err = aws_cli(server, "iam", "delete-group", "--group-name", "cli-devs")
    assert rc != 0
    assert "An error occurred (DeleteConflict) when calling the DeleteGroup operation: Cannot delete entity, must remove users from group first." in err

    for u in ["cli-zed", "cli-amy"]:
        assert aws_cli(server, "iam", "remove-user-from-group", "--group-name", "cli-devs", "--user-name", u)[0] == 0
        assert aws_cli(server, "iam", "delete-user", "--user-name", u)[0] == 0
    assert aws_cli(server, "iam", "delete-group", "--group-name", "cli-devs")[0] == 0
    rc, _, err = aws_cli(server, "iam", "get-group", "--group-name", "cli-devs")
    assert "An error occurred (NoSuchEntity) when calling the GetGroup operation: The group with name cli-devs cannot be found." in err


TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def test_role_and_instance_profile_walkthrough(server, tmp_path):
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(TRUST, indent=2))
    rc, out, err = aws_cli(
        server, "iam", "create-role", "--role-name", "cli-web", "--assume-role-policy-document", f"file://{trust}"
    )
    assert rc == 0, err
    role = out["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/cli-web" and role["RoleId"].startswith("AROA")
    # The CLI decodes the URL-encoded document and shows it as JSON.
    assert role["AssumeRolePolicyDocument"] == TRUST

    rc, out, err = aws_cli(server, "iam", "get-role", "--role-name", "CLI-WEB")
    assert rc == 0, err
    assert out["Role"]["AssumeRolePolicyDocument"] == TRUST
    assert out["Role"]["MaxSessionDuration"] == 3600 and out["Role"]["RoleLastUsed"] == {}

    rc, out, err = aws_cli(server, "iam", "create-instance-profile", "--instance-profile-name", "cli-web-profile")
    assert rc == 0, err
    assert out["InstanceProfile"]["Roles"] == []
    args = ["--instance-profile-name", "cli-web-profile", "--role-name", "cli-web"]
    assert aws_cli(server, "iam", "add-role-to-instance-profile", *args)[0] == 0
    rc, out, err = aws_cli(server, "iam", "get-instance-profile", "--instance-profile-name", "cli-web-profile")
    assert rc == 0, err
    assert [r["RoleName"] for r in out["InstanceProfile"]["Roles"]] == ["cli-web"]
    assert out["InstanceProfile"]["Roles"][0]["AssumeRolePolicyDocument"] == TRUST

    rc, _, err = aws_cli(server, "iam", "delete-role", "--role-name", "cli-web")
    assert rc != 0
    assert (
        "An error occurred (DeleteConflict) when calling the DeleteRole operation: "
        "Cannot delete entity, must remove roles from instance profile first." in err
    )
    assert aws_cli(server, "iam", "remove-role-from-instance-profile", *args)[0] == 0
    assert aws_cli(server, "iam", "delete-instance-profile", "--instance-profile-name", "cli-web-profile")[0] == 0
    assert aws_cli(server, "iam", "delete-role", "--role-name", "cli-web")[0] == 0
    rc, _, err = aws_cli(server, "iam", "get-role", "--role-name", "cli-web")
    assert "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name cli-web cannot be found." in err
