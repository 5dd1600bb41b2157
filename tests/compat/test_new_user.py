"""Issue 15's "tried as a new user would", end to end in one account through boto3 and the AWS CLI: a password
policy; a user whose first password violates it (AWS's words) and whose second passes; a virtual MFA device enabled
with two codes from pyotp; a session from GetSessionToken with MFA that passes an aws:MultiFactorAuthPresent
condition the plain key fails; an SSH key and a server certificate uploaded and listed; a credential report whose
CSV rows match the users."""

import csv
import io
import json
import time

import boto3
import pyotp

from conftest import cli_ok as ok, client, client_error as error
from test_credentials import certificate, openssh, private_pem, rsa_key

ACCOUNT = "000000000000"


def test_a_new_users_day(server, tmp_path):
    iam = client(server, "iam")
    ok(server, "iam", "update-account-password-policy", "--minimum-password-length", "12",
       "--require-symbols", "--require-numbers")
    iam.create_user(UserName="newbie")
    assert error(lambda: iam.create_login_profile(UserName="newbie", Password="short1!")) == (
        "PasswordPolicyViolation", "Password does not conform to the account password policy.", 400)
    iam.create_login_profile(UserName="newbie", Password="A-much-longer-passw0rd!")

    # Virtual MFA, codes from pyotp.
    seed_file = tmp_path / "seed.txt"
    serial = ok(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "newbie-phone",
                "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")["VirtualMFADevice"]["SerialNumber"]
    totp = pyotp.TOTP(seed_file.read_text().strip())
    now = time.time()
    iam.enable_mfa_device(UserName="newbie", SerialNumber=serial,
                          AuthenticationCode1=totp.at(now - 60), AuthenticationCode2=totp.at(now - 30))

    # A policy that wants MFA: the plain key fails it, the MFA session passes.
    key = iam.create_access_key(UserName="newbie")["AccessKey"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListSSHPublicKeys",
              "iam:ListServerCertificates"], "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    iam.put_user_policy(UserName="newbie", PolicyName="mfa-only", PolicyDocument=json.dumps(policy))
    plain = client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert error(lambda: plain.list_ssh_public_keys(UserName="newbie"))[0] == "AccessDenied"
    sts = client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    creds = sts.get_session_token(SerialNumber=serial, TokenCode=totp.now())["Credentials"]
    session = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    assert session.list_ssh_public_keys(UserName="newbie")["SSHPublicKeys"] == []

    # An SSH key and a server certificate, uploaded and listed.
    ssh = iam.upload_ssh_public_key(UserName="newbie", SSHPublicKeyBody=openssh(rsa_key()))["SSHPublicKey"]
    listed = session.list_ssh_public_keys(UserName="newbie")["SSHPublicKeys"]
    assert [k["SSHPublicKeyId"] for k in listed] == [ssh["SSHPublicKeyId"]]
    tls = rsa_key()
    iam.upload_server_certificate(ServerCertificateName="newbie-site", CertificateBody=certificate(tls, "site.example"),
                                  PrivateKey=private_pem(tls))
    names = [c["ServerCertificateName"] for c in session.list_server_certificates()["ServerCertificateMetadataList"]]
    assert "newbie-site" in names

    # The credential report: one row per user, newbie's as it now stands.
    # This module's server has made no report yet: the first call makes it (STARTED), the next reuses it.
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
    users = {u["UserName"] for u in iam.list_users()["Users"]}
    assert rows[0]["user"] == "<root_account>"
    assert {r["user"] for r in rows[1:]} == users
    newbie = next(r for r in rows if r["user"] == "newbie")
    assert (newbie["password_enabled"], newbie["mfa_active"], newbie["access_key_1_active"]) == ("true", "true", "true")
    ok(server, "iam", "delete-account-password-policy")
