"""STS as users meet it: boto3's assume_role with an external id, and the credential providers of the AWS CLI and
boto3 themselves (a profile with role_arn + source_profile + external_id, the endpoint given by AWS_ENDPOINT_URL as
the SDKs read it), then the session's credentials used for calls its role allows and denies."""

import json
import os
import subprocess
import sys
import tempfile

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import client

ACCOUNT = "000000000000"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture(scope="module")
def deployer(server):
    """A user allowed to assume roles, and a role trusting the account when the caller brings the external id."""
    iam = client(server, "iam")
    iam.create_user(UserName="sts-alice")
    key = iam.create_access_key(UserName="sts-alice")["AccessKey"]
    iam.put_user_policy(
        UserName="sts-alice",
        PolicyName="assume",
        PolicyDocument=doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "compat-ext"}},
        }
    )
    iam.create_role(RoleName="sts-deployer", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="sts-deployer",
        PolicyName="list",
        PolicyDocument=doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}),
    )
    return key["AccessKeyId"], key["SecretAccessKey"], f"arn:aws:iam::{ACCOUNT}:role/sts-deployer"


def test_boto3_assume_role(server, deployer):
    key_id, secret, role = deployer
    sts = client(server, "sts", key_id, secret)
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=role, RoleSessionName="no-ext")
    assert e.value.response["Error"] == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": f"User: arn:aws:iam::{ACCOUNT}:user/sts-alice is not authorized to perform: sts:AssumeRole on resource: {role}",
    }
    out = sts.assume_role(RoleArn=role, RoleSessionName="compat", ExternalId="compat-ext", DurationSeconds=900)
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and len(c["SecretAccessKey"]) == 40
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-deployer/compat"
    session = boto3.client(
        "iam",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )
    assert any(u["UserName"] == "sts-alice" for u in session.list_users()["Users"])
    with pytest.raises(ClientError) as e:
        session.list_roles()
    assert e.value.response["Error"]["Message"].endswith("because no identity-based policy allows the iam:ListRoles action")
    # A tampered token is no credential.
    bad = boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"][:-8] + "AAAAAAAA",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as e:
        bad.get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"


def profile_files(server, deployer, directory):
    key_id, secret, role = deployer
    config = os.path.join(directory, "config")
    creds = os.path.join(directory, "credentials")
    with open(config, "w") as f:
        f.write(
            "[profile base]\nregion = us-east-1\n\n"
            f"[profile deployer]\nregion = us-east-1\nrole_arn = {role}\nsource_profile = base\n"
            "external_id = compat-ext\nrole_session_name = from-profile\n"
        )
    with open(creds, "w") as f:
        f.write(f"[base]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
    env = dict(os.environ)
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(k, None)
    # The profile providers' own STS client does not see --endpoint-url: the SDKs' endpoint variable reaches it.
    # HOME too: the CLI caches assumed-role credentials under ~/.aws/cli/cache, and a session another server issued
    # (the suite's servers share a master key) must not be reused here.
    env.update(
        {
            "HOME": directory,
            "AWS_CONFIG_FILE": config,
            "AWS_SHARED_CREDENTIALS_FILE": creds,
            "AWS_ENDPOINT_URL": server.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        }
    )
    return env


def test_cli_profile_with_role_arn(server, deployer):
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    with tempfile.TemporaryDirectory() as d:
        env = profile_files(server, deployer, d)
        p = subprocess.run([aws, "sts", "get-caller-identity", "--profile", "deployer"], env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        who = json.loads(p.stdout)
        assert who["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-deployer/from-profile"
        assert who["Account"] == ACCOUNT and who["UserId"].startswith("AROA") and who["UserId"].endswith(":from-profile")
        p = subprocess.run([aws, "iam", "list-users", "--profile", "deployer"], env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        p = subprocess.run([aws, "iam", "list-roles", "--profile", "deployer"], env=env, capture_output=True, text=True)
        assert p.returncode != 0 and "(AccessDenied)" in p.stderr, p.stderr


def test_boto3_profile_with_role_arn(server, deployer, monkeypatch):
    with tempfile.TemporaryDirectory() as d:
        env = profile_files(server, deployer, d)
        for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
            monkeypatch.setenv(k, env[k])
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(k, raising=False)
        session = boto3.Session(profile_name="deployer")
        who = session.client("sts").get_caller_identity()
        assert who["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-deployer/from-profile"
        iam = session.client("iam", config=Config(retries={"max_attempts": 1}))
        iam.list_users()
        with pytest.raises(ClientError) as e:
            iam.create_user(UserName="sts-nope")
        assert e.value.response["Error"]["Code"] == "AccessDenied"


def test_session_and_federation_tokens(server, deployer):
    key_id, secret, _ = deployer
    sts = client(server, "sts", key_id, secret)
    c = sts.get_session_token(DurationSeconds=900)["Credentials"]
    temp = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
    who = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1", **temp).get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/sts-alice"
    iam = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}), **temp)
    with pytest.raises(ClientError) as e:
        iam.list_users()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
    # GetFederationToken needs its permission; the CLI shows AWS's denial.
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    p = subprocess.run([aws, "--endpoint-url", server.endpoint, "sts", "get-federation-token", "--name", "fed"], env=env, capture_output=True, text=True)
    assert p.returncode != 0 and "sts:GetFederationToken on resource: arn:aws:sts::000000000000:federated-user/fed" in p.stderr, p.stderr
    client(server, "iam").put_user_policy(
        UserName="sts-alice",
        PolicyName="federate",
        PolicyDocument=doc({"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "*"}),
    )
    p = subprocess.run([aws, "--endpoint-url", server.endpoint, "sts", "get-federation-token", "--name", "fed"], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:fed", "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/fed"}
    root_sts = client(server, "sts")
    assert root_sts.get_access_key_info(AccessKeyId=out["Credentials"]["AccessKeyId"])["Account"] == ACCOUNT


def test_web_identity_through_the_sdk_providers(server, tmp_path):
    """The test IdP as users run it (`gatehouse test-idp oidc`), registered by its printed thumbprint; then boto3's
    and the AWS CLI's own web-identity providers (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE)."""
    import re
    import socket
    import ssl
    import time
    import urllib.request

    from conftest import gatehouse_bin

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    idp = subprocess.Popen([gatehouse_bin(), "test-idp", "oidc", "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True)
    try:
        lines = [idp.stdout.readline() for _ in range(2)]
        url = re.search(r"(https://\S+)", lines[0]).group(1)
        thumbprint = lines[1].split()[-1]
        iam = client(server, "iam")
        provider = iam.create_open_id_connect_provider(Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[thumbprint])
        host = url.removeprefix("https://")
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider["OpenIDConnectProviderArn"]},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{host}:sub": "repo:acme/app", f"{host}:aud": "sts.amazonaws.com"}},
            }
        )
        iam.create_role(RoleName="wi-ci", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(
            RoleName="wi-ci",
            PolicyName="list",
            PolicyDocument=doc({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}),
        )
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        for _ in range(50):
            try:
                token = urllib.request.urlopen(f"{url}/token?sub=repo:acme/app&aud=sts.amazonaws.com", context=insecure).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        token_file = tmp_path / "token"
        token_file.write_text(token)
        env = {
            "AWS_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/wi-ci",
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
            "AWS_ROLE_SESSION_NAME": "from-token-file",
            "AWS_ENDPOINT_URL": server.endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "HOME": str(tmp_path),
        }
        clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        aws = os.path.join(os.path.dirname(sys.executable), "aws")
        p = subprocess.run([aws, "sts", "get-caller-identity"], env={**clean, **env}, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/wi-ci/from-token-file"
        p = subprocess.run([aws, "iam", "list-roles"], env={**clean, **env}, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        p = subprocess.run([aws, "iam", "list-users"], env={**clean, **env}, capture_output=True, text=True)
        assert p.returncode != 0 and "(AccessDenied)" in p.stderr, p.stderr
        # boto3 directly: a token for another subject is refused by the trust policy.
        other = urllib.request.urlopen(f"{url}/token?sub=repo:evil/app&aud=sts.amazonaws.com", context=insecure).read().decode()
        sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1", config=Config(signature_version=botocore.UNSIGNED))
        with pytest.raises(ClientError) as e:
            sts.assume_role_with_web_identity(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/wi-ci", RoleSessionName="evil", WebIdentityToken=other)
        assert e.value.response["Error"]["Message"] == "Not authorized to perform sts:AssumeRoleWithWebIdentity"
        out = sts.assume_role_with_web_identity(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/wi-ci", RoleSessionName="ok", WebIdentityToken=token)
        assert out["SubjectFromWebIdentityToken"] == "repo:acme/app" and out["Provider"] == host
    finally:
        idp.terminate()
        idp.wait(timeout=10)


def test_outbound_web_identity_tokens(server):
    """The AWS CLI enables outbound federation; boto3 gets a token; the issuer's discovery and JWKS publish its key."""
    import base64
    import urllib.request

    rc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "aws"), "--endpoint-url", server.endpoint, "--output", "json",
         "iam", "enable-outbound-web-identity-federation"],
        env=dict(os.environ, AWS_ACCESS_KEY_ID="AKIACOMPATROOT000001", AWS_SECRET_ACCESS_KEY="compat/root/secret/for/tests/only/000000",
                 AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull),
        capture_output=True, text=True,
    )
    assert rc.returncode == 0, rc.stderr
    issuer = json.loads(rc.stdout)["IssuerIdentifier"]
    out = client(server, "sts").get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="RS256")
    header, payload, _ = out["WebIdentityToken"].split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)
    claims = json.loads(base64.urlsafe_b64decode(pad(payload)))
    assert claims["iss"] == issuer and claims["aud"] == "https://api.example.com"
    assert claims["sub"] == f"arn:aws:iam::{ACCOUNT}:root"
    discovery = json.loads(urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration").read())
    jwks = json.loads(urllib.request.urlopen(discovery["jwks_uri"]).read())
    kid = json.loads(base64.urlsafe_b64decode(pad(header)))["kid"]
    assert any(k["kid"] == kid and k["kty"] == "RSA" for k in jwks["keys"])
