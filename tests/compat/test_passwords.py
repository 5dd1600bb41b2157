"""Console passwords through boto3 and the AWS CLI: the account password policy (defaults, a full policy, bounds),
login profiles held to it, reuse prevention, ChangePassword signed by the user itself, DeleteUser while a login
profile remains, and denials. The server is shared by the module, so each test removes the policy it set."""

import json

import botocore.exceptions
import pytest

from conftest import aws_cli, cli_ok as ok, client, client_error as error

ACCOUNT = "000000000000"
VIOLATION = ("PasswordPolicyViolation", "Password does not conform to the account password policy.", 400)




@pytest.fixture
def iam(server):
    c = client(server, "iam")
    yield c
    try:
        c.delete_account_password_policy()
    except botocore.exceptions.ClientError:
        pass


def user_with_key(iam, server, name, actions=()):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    if actions:
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
        iam.put_user_policy(UserName=name, PolicyName="passwords", PolicyDocument=json.dumps(doc))
    return client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])


def test_password_policy_with_the_cli(server, iam):
    rc, _, err = aws_cli(server, "iam", "get-account-password-policy")
    assert rc != 0 and "NoSuchEntity" in err and f"The Password Policy with domain name {ACCOUNT} cannot be found." in err
    ok(server, "iam", "update-account-password-policy")
    policy = ok(server, "iam", "get-account-password-policy")["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": False,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }
    ok(
        server, "iam", "update-account-password-policy", "--minimum-password-length", "10", "--require-symbols",
        "--require-numbers", "--require-uppercase-characters", "--require-lowercase-characters",
        "--allow-users-to-change-password", "--max-password-age", "60", "--password-reuse-prevention", "3",
        "--hard-expiry",
    )
    policy = ok(server, "iam", "get-account-password-policy")["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 10,
        "RequireSymbols": True,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True,
        "ExpirePasswords": True,
        "MaxPasswordAge": 60,
        "PasswordReusePrevention": 3,
        "HardExpiry": True,
    }
    ok(server, "iam", "delete-account-password-policy")
    rc, _, err = aws_cli(server, "iam", "delete-account-password-policy")
    assert rc != 0 and "The account policy with name PasswordPolicy cannot be found." in err


def test_bounds_in_aws_words(server, iam):
    assert error(
        lambda: iam.update_account_password_policy(MaxPasswordAge=1096, MinimumPasswordLength=129, PasswordReusePrevention=25)
    ) == (
        "ValidationError",
        "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have "
        "value less than or equal to 128; Value at 'passwordReusePrevention' failed to satisfy constraint: Member must "
        "have value less than or equal to 24; Value at 'maxPasswordAge' failed to satisfy constraint: Member must have "
        "value less than or equal to 1095",
        400,
    )


def test_login_profiles_are_held_to_the_policy(server, iam):
    iam.create_user(UserName="pw-alice")
    assert error(lambda: iam.get_login_profile(UserName="pw-alice")) == (
        "NoSuchEntity", "Login Profile for User pw-alice cannot be found.", 404)
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=True)
    assert error(lambda: iam.create_login_profile(UserName="pw-alice", Password="NoSymbolsHere123")) == VIOLATION
    profile = iam.create_login_profile(UserName="pw-alice", Password="Long-enough-123", PasswordResetRequired=True)
    assert profile["LoginProfile"]["UserName"] == "pw-alice"
    assert profile["LoginProfile"]["PasswordResetRequired"] is True
    assert "Password" not in profile["LoginProfile"]
    assert error(lambda: iam.create_login_profile(UserName="pw-alice", Password="Another-Password-1")) == (
        "EntityAlreadyExists", "Login Profile for user pw-alice already exists.", 409)

    ok(server, "iam", "update-login-profile", "--user-name", "pw-alice", "--no-password-reset-required")
    got = ok(server, "iam", "get-login-profile", "--user-name", "pw-alice")["LoginProfile"]
    assert got["UserName"] == "pw-alice" and got["PasswordResetRequired"] is False and "CreateDate" in got
    assert error(lambda: iam.update_login_profile(UserName="pw-alice", Password="weak")) == VIOLATION
    assert "PasswordLastUsed" not in iam.get_user(UserName="pw-alice")["User"]

    assert error(lambda: iam.delete_user(UserName="pw-alice")) == (
        "DeleteConflict", "Cannot delete entity, must delete login profile first.", 409)
    ok(server, "iam", "delete-login-profile", "--user-name", "pw-alice")
    assert error(lambda: iam.delete_login_profile(UserName="pw-alice")) == (
        "NoSuchEntity", "Login Profile for User pw-alice cannot be found.", 404)
    iam.delete_user(UserName="pw-alice")


def test_reuse_is_refused(server, iam):
    iam.create_user(UserName="pw-bob")
    iam.update_account_password_policy(PasswordReusePrevention=2)
    iam.create_login_profile(UserName="pw-bob", Password="first-Pass-1")
    assert error(lambda: iam.update_login_profile(UserName="pw-bob", Password="first-Pass-1")) == VIOLATION
    iam.update_login_profile(UserName="pw-bob", Password="second-Pass-2")
    assert error(lambda: iam.update_login_profile(UserName="pw-bob", Password="first-Pass-1")) == VIOLATION
    iam.update_login_profile(UserName="pw-bob", Password="third-Pass-3")
    iam.update_login_profile(UserName="pw-bob", Password="first-Pass-1")


def test_change_password_as_the_user(server, iam):
    carol = user_with_key(iam, server, "pw-carol", ["iam:ChangePassword", "iam:GetLoginProfile"])
    iam.create_login_profile(UserName="pw-carol", Password="Initial-Pass-1", PasswordResetRequired=True)
    assert error(lambda: carol.change_password(OldPassword="Wrong-Pass-1", NewPassword="New-Password-1")) == (
        "AccessDenied", "The old password is incorrect.", 403)
    carol.change_password(OldPassword="Initial-Pass-1", NewPassword="New-Password-1")
    assert carol.get_login_profile()["LoginProfile"]["PasswordResetRequired"] is False
    assert error(lambda: iam.change_password(OldPassword="a", NewPassword="b")) == (
        "InvalidUserType", "Only IAM users can change their own password.", 400)


def test_allow_users_to_change_password(server, iam):
    dave = user_with_key(iam, server, "pw-dave")
    iam.create_login_profile(UserName="pw-dave", Password="Initial-Pass-1")
    code, message, status = error(lambda: dave.change_password(OldPassword="Initial-Pass-1", NewPassword="New-Password-1"))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/pw-dave is not authorized to perform: iam:ChangePassword on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/pw-dave because no identity-based policy allows the iam:ChangePassword action"
    )
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    assert dave.get_account_password_policy()["PasswordPolicy"]["AllowUsersToChangePassword"] is True
    dave.change_password(OldPassword="Initial-Pass-1", NewPassword="New-Password-1")
    assert error(lambda: dave.get_login_profile())[0] == "AccessDenied"


def test_users_without_permission_are_denied(server, iam):
    iam.create_user(UserName="pw-target")
    frank = user_with_key(iam, server, "pw-frank")
    arn = f"arn:aws:iam::{ACCOUNT}:user/pw-target"
    for call, action, resource in [
        (lambda: frank.create_login_profile(UserName="pw-target", Password="TestPassword123!"), "iam:CreateLoginProfile", arn),
        (lambda: frank.get_login_profile(UserName="pw-target"), "iam:GetLoginProfile", arn),
        (lambda: frank.update_account_password_policy(MinimumPasswordLength=8), "iam:UpdateAccountPasswordPolicy", "*"),
        (lambda: frank.get_account_password_policy(), "iam:GetAccountPasswordPolicy", "*"),
    ]:
        code, message, status = error(call)
        assert (code, status) == ("AccessDenied", 403)
        assert f"is not authorized to perform: {action} on resource: {resource} " in message
