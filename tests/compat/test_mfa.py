"""Virtual MFA as a new user meets it: the AWS CLI creates a device and writes its seed and QR code to files
(--bootstrap-method), pyotp (an authenticator's algorithm, independent of Gatehouse) computes the codes, the CLI
enables the device with two consecutive codes, and a session from GetSessionToken with MFA passes an
`aws:MultiFactorAuthPresent` condition that the plain key fails. A code is accepted once."""

import json
import time

import boto3
import pyotp

from conftest import aws_cli, cli_ok as ok, client, client_error as error

ACCOUNT = "000000000000"




def test_a_virtual_device_from_the_cli_and_an_mfa_session(server, tmp_path):
    iam = client(server, "iam")
    name = "dana-phone"
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{name}"
    seed_file, qr_file = tmp_path / "seed.txt", tmp_path / "qr.png"
    out = ok(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
             "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")
    assert out["VirtualMFADevice"]["SerialNumber"] == serial
    seed = seed_file.read_text().strip()
    assert len(seed) == 64
    other = "dana-tablet"
    ok(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", other,
       "--outfile", str(qr_file), "--bootstrap-method", "QRCodePNG")
    assert qr_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    iam.create_user(UserName="dana")
    key = iam.create_access_key(UserName="dana")["AccessKey"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    iam.put_user_policy(UserName="dana", PolicyName="mfa", PolicyDocument=json.dumps(policy))

    totp = pyotp.TOTP(seed)
    now = time.time()
    # Wrong codes first: AWS's words.
    rc, _, err = aws_cli(server, "iam", "enable-mfa-device", "--user-name", "dana", "--serial-number", serial,
                         "--authentication-code1", "123456", "--authentication-code2", "654321")
    assert rc != 0 and "InvalidAuthenticationCode" in err and "Authentication code for device is not valid." in err
    ok(server, "iam", "enable-mfa-device", "--user-name", "dana", "--serial-number", serial,
       "--authentication-code1", totp.at(now - 60), "--authentication-code2", totp.at(now - 30))
    listed = ok(server, "iam", "list-mfa-devices", "--user-name", "dana")["MFADevices"]
    assert [d["SerialNumber"] for d in listed] == [serial]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["UserName"]) for d in assigned] == [(serial, "dana")]
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in unassigned] == [f"arn:aws:iam::{ACCOUNT}:mfa/{other}"]

    plain_iam = client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert error(lambda: plain_iam.list_users())[0] == "AccessDenied"
    sts = client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    code = totp.now()
    creds = sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    session = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    assert "Users" in session.list_users()
    assert error(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=code)) == (
        "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)

    # Clean up in AWS's order: the device before the user.
    assert error(lambda: iam.delete_user(UserName="dana")) == (
        "DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName="dana", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="dana", PolicyName="mfa")
    assert error(lambda: iam.delete_user(UserName="dana")) == (
        "DeleteConflict", "Cannot delete entity, must delete MFA device first.", 409)
    ok(server, "iam", "deactivate-mfa-device", "--user-name", "dana", "--serial-number", serial)
    ok(server, "iam", "delete-virtual-mfa-device", "--serial-number", serial)
    ok(server, "iam", "delete-virtual-mfa-device", "--serial-number", f"arn:aws:iam::{ACCOUNT}:mfa/{other}")
    iam.delete_user(UserName="dana")
