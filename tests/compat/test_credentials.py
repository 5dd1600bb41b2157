"""A user's other credentials through boto3 and the AWS CLI: SSH public keys (OpenSSH and PEM, the MD5
fingerprint, conversion between the encodings, refusals), signing certificates (upload, list, status, delete,
refusals), service-specific credentials (passwords and Bedrock API keys, quota, reset), server certificates (RSA and
ECDSA keys, KeyPairMismatch, the private key never returned, rename, tags), DeleteUser while one remains, and
denial. Keys and certificates are made with Python's `cryptography`,
independently of the server's Rust code."""

import base64
import datetime
import hashlib

import botocore.exceptions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from conftest import aws_cli, client


def error(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    r = e.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def ok(server, *args):
    rc, out, err = aws_cli(server, *args)
    assert rc == 0, f"{args}: {err}"
    return out


@pytest.fixture
def iam(server):
    return client(server, "iam")


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def openssh(key):
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def spki_pem(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def md5_fingerprint(line):
    digest = hashlib.md5(base64.b64decode(line.split()[1])).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def certificate(key, name, not_before=None, not_after=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_after or now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_ssh_public_keys(server, iam):
    iam.create_user(UserName="ssh-dev")
    key = rsa_key()
    line = openssh(key) + " dev@laptop"
    up = iam.upload_ssh_public_key(UserName="ssh-dev", SSHPublicKeyBody=line)["SSHPublicKey"]
    assert up["SSHPublicKeyId"].startswith("APKA") and len(up["SSHPublicKeyId"]) == 20
    assert up["Fingerprint"] == md5_fingerprint(line)
    assert (up["UserName"], up["Status"], up["SSHPublicKeyBody"]) == ("ssh-dev", "Active", line)
    key_id = up["SSHPublicKeyId"]
    pem = iam.get_ssh_public_key(UserName="ssh-dev", SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert pem["SSHPublicKeyBody"].strip() == spki_pem(key).strip()
    # The CLI reads it back in SSH's encoding.
    got = ok(server, "iam", "get-ssh-public-key", "--user-name", "ssh-dev", "--ssh-public-key-id", key_id, "--encoding", "SSH")
    assert got["SSHPublicKey"]["SSHPublicKeyBody"] == line

    # A PEM upload converts to SSH's encoding with the same fingerprint ssh-keygen would show.
    other = rsa_key(3072)
    up2 = iam.upload_ssh_public_key(UserName="ssh-dev", SSHPublicKeyBody=spki_pem(other))["SSHPublicKey"]
    assert up2["SSHPublicKeyBody"] == openssh(other)
    assert up2["Fingerprint"] == md5_fingerprint(openssh(other))

    listed = iam.list_ssh_public_keys(UserName="ssh-dev")
    assert [k["SSHPublicKeyId"] for k in listed["SSHPublicKeys"]] == [key_id, up2["SSHPublicKeyId"]]
    assert listed["IsTruncated"] is False
    page = iam.list_ssh_public_keys(UserName="ssh-dev", MaxItems=1)
    assert page["IsTruncated"] is True and len(page["SSHPublicKeys"]) == 1

    ok(server, "iam", "update-ssh-public-key", "--user-name", "ssh-dev", "--ssh-public-key-id", key_id, "--status", "Inactive")
    got = iam.get_ssh_public_key(UserName="ssh-dev", SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    assert got["Status"] == "Inactive"

    assert error(lambda: iam.upload_ssh_public_key(UserName="ssh-dev", SSHPublicKeyBody=spki_pem(key))) == (
        "DuplicateSSHPublicKey",
        "The SSH public key is already associated with the specified IAM user.",
        400,
    )
    assert error(lambda: iam.upload_ssh_public_key(UserName="ssh-dev", SSHPublicKeyBody=openssh(rsa_key(1024)))) == (
        "InvalidPublicKey",
        "The public key is malformed or otherwise invalid.",
        400,
    )
    ed = ec.generate_private_key(ec.SECP256R1())
    assert error(lambda: iam.upload_ssh_public_key(UserName="ssh-dev", SSHPublicKeyBody=openssh(ed))) == (
        "UnrecognizedPublicKeyEncoding",
        "The public key encoding format is unsupported or unrecognized.",
        400,
    )

    assert error(lambda: iam.delete_user(UserName="ssh-dev")) == (
        "DeleteConflict",
        "Cannot delete entity, must delete SSH public keys first.",
        409,
    )
    for k in iam.list_ssh_public_keys(UserName="ssh-dev")["SSHPublicKeys"]:
        iam.delete_ssh_public_key(UserName="ssh-dev", SSHPublicKeyId=k["SSHPublicKeyId"])
    assert error(lambda: iam.get_ssh_public_key(UserName="ssh-dev", SSHPublicKeyId=key_id, Encoding="SSH")) == (
        "NoSuchEntity",
        f"The Public Key with id {key_id} cannot be found.",
        404,
    )
    iam.delete_user(UserName="ssh-dev")


def test_signing_certificates(server, iam):
    iam.create_user(UserName="signer")
    body = certificate(rsa_key(), "signer.example")
    up = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    assert (up["UserName"], up["Status"], up["CertificateBody"]) == ("signer", "Active", body)
    cert_id = up["CertificateId"]
    assert len(cert_id) == 32
    listed = ok(server, "iam", "list-signing-certificates", "--user-name", "signer")
    assert [c["CertificateId"] for c in listed["Certificates"]] == [cert_id]
    ok(server, "iam", "update-signing-certificate", "--user-name", "signer", "--certificate-id", cert_id, "--status", "Inactive")
    assert iam.list_signing_certificates(UserName="signer")["Certificates"][0]["Status"] == "Inactive"

    assert error(lambda: iam.upload_signing_certificate(UserName="signer", CertificateBody="invalid-certificate-body")) == (
        "MalformedCertificate",
        "Certificate invalid-certificate-body is malformed.",
        400,
    )
    assert error(lambda: iam.upload_signing_certificate(UserName="signer", CertificateBody=body))[0] == "DuplicateCertificate"
    now = datetime.datetime.now(datetime.timezone.utc)
    expired = certificate(rsa_key(), "old", now - datetime.timedelta(days=30), now - datetime.timedelta(days=1))
    assert error(lambda: iam.upload_signing_certificate(UserName="signer", CertificateBody=expired)) == (
        "InvalidCertificate",
        "The certificate is expired.",
        400,
    )
    iam.upload_signing_certificate(UserName="signer", CertificateBody=certificate(ec.generate_private_key(ec.SECP256R1()), "two"))
    assert error(
        lambda: iam.upload_signing_certificate(UserName="signer", CertificateBody=certificate(rsa_key(), "three"))
    ) == ("LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2", 409)

    assert error(lambda: iam.delete_user(UserName="signer")) == (
        "DeleteConflict",
        "Cannot delete entity, must delete signing certificates first.",
        409,
    )
    for c in iam.list_signing_certificates(UserName="signer")["Certificates"]:
        iam.delete_signing_certificate(UserName="signer", CertificateId=c["CertificateId"])
    assert error(lambda: iam.delete_signing_certificate(UserName="signer", CertificateId=cert_id)) == (
        "NoSuchEntity",
        f"The Certificate with id {cert_id} cannot be found.",
        404,
    )
    iam.delete_user(UserName="signer")


def test_a_user_without_permission_is_denied(server, iam):
    iam.create_user(UserName="nobody-allowed")
    key = iam.create_access_key(UserName="nobody-allowed")["AccessKey"]
    denied = client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    code, message, status = error(lambda: denied.upload_ssh_public_key(UserName="nobody-allowed", SSHPublicKeyBody="x"))
    assert (code, status) == ("AccessDenied", 403) and "iam:UploadSSHPublicKey" in message
    code, _, status = error(lambda: denied.list_signing_certificates())
    assert (code, status) == ("AccessDenied", 403)
    code, message, status = error(
        lambda: denied.create_service_specific_credential(UserName="nobody-allowed", ServiceName="lambda.amazonaws.com")
    )
    assert (code, status) == ("AccessDenied", 403) and "iam:CreateServiceSpecificCredential" in message
    code, message, status = error(lambda: denied.list_server_certificates())
    assert (code, status) == ("AccessDenied", 403) and "iam:ListServerCertificates" in message


def test_service_specific_credentials(server, iam):
    iam.create_user(UserName="git-user")
    c = iam.create_service_specific_credential(UserName="git-user", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]
    assert c["ServiceUserName"] == "git-user-at-000000000000"
    assert (c["Status"], c["ServiceName"], len(c["ServicePassword"])) == ("Active", "codecommit.amazonaws.com", 44)
    cred_id = c["ServiceSpecificCredentialId"]
    assert cred_id.startswith("ACCA") and len(cred_id) == 21
    listed = ok(server, "iam", "list-service-specific-credentials", "--user-name", "git-user")
    entry = listed["ServiceSpecificCredentials"][0]
    assert "ServicePassword" not in entry and entry["ServiceSpecificCredentialId"] == cred_id
    iam.create_service_specific_credential(UserName="git-user", ServiceName="codecommit.amazonaws.com")
    assert error(
        lambda: iam.create_service_specific_credential(UserName="git-user", ServiceName="codecommit.amazonaws.com")
    ) == ("LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2", 409)
    assert error(
        lambda: iam.create_service_specific_credential(UserName="git-user", ServiceName="lambda.amazonaws.com")
    ) == ("NoSuchEntity", "No such service lambda.amazonaws.com is supported for Service Specific Credentials", 404)

    ok(server, "iam", "update-service-specific-credential", "--user-name", "git-user",
       "--service-specific-credential-id", cred_id, "--status", "Inactive")
    reset = iam.reset_service_specific_credential(UserName="git-user", ServiceSpecificCredentialId=cred_id)[
        "ServiceSpecificCredential"
    ]
    assert reset["Status"] == "Inactive" and reset["ServicePassword"] != c["ServicePassword"]
    assert error(
        lambda: iam.reset_service_specific_credential(
            UserName="git-user", ServiceSpecificCredentialId="satisfiesregexbutstillinvalid"
        )
    ) == ("NoSuchEntity", "No such credential satisfiesregexbutstillinvalid exists", 404)

    bedrock = iam.create_service_specific_credential(
        UserName="git-user", ServiceName="bedrock.amazonaws.com", CredentialAgeDays=7
    )["ServiceSpecificCredential"]
    assert "ServicePassword" not in bedrock and bedrock["ServiceCredentialSecret"]
    assert bedrock["ServiceCredentialAlias"].startswith("git-user-at-000000000000-")
    assert (bedrock["ExpirationDate"] - bedrock["CreateDate"]).days == 7
    only = iam.list_service_specific_credentials(UserName="git-user", ServiceName="bedrock.amazonaws.com")
    assert [x["ServiceSpecificCredentialId"] for x in only["ServiceSpecificCredentials"]] == [
        bedrock["ServiceSpecificCredentialId"]
    ]

    assert error(lambda: iam.delete_user(UserName="git-user")) == (
        "DeleteConflict",
        "Cannot delete entity, must remove referenced objects first.",
        409,
    )
    for x in iam.list_service_specific_credentials(UserName="git-user")["ServiceSpecificCredentials"]:
        iam.delete_service_specific_credential(UserName="git-user", ServiceSpecificCredentialId=x["ServiceSpecificCredentialId"])
    iam.delete_user(UserName="git-user")


def private_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_server_certificates(server, iam):
    key = rsa_key()
    body = certificate(key, "www.example.com")
    chain = certificate(rsa_key(), "ca.example.com")
    up = iam.upload_server_certificate(
        ServerCertificateName="compat-web",
        Path="/cloudfront/",
        CertificateBody=body,
        PrivateKey=private_pem(key),
        CertificateChain=chain,
        Tags=[{"Key": "team", "Value": "edge"}],
    )
    meta = up["ServerCertificateMetadata"]
    assert meta["Arn"] == "arn:aws:iam::000000000000:server-certificate/cloudfront/compat-web"
    assert meta["ServerCertificateId"].startswith("ASCA") and "Expiration" in meta
    assert up["Tags"] == [{"Key": "team", "Value": "edge"}]

    rc, raw, err = aws_cli(server, "iam", "get-server-certificate", "--server-certificate-name", "compat-web")
    assert rc == 0, err
    got = raw["ServerCertificate"]
    assert got["CertificateBody"] == body and got["CertificateChain"] == chain
    assert got["Tags"] == [{"Key": "team", "Value": "edge"}]
    secret_line = private_pem(key).splitlines()[1]
    assert secret_line not in str(raw) and secret_line not in str(iam.list_server_certificates())

    # An ECDSA key with its certificate; the other key does not match.
    ec_key = ec.generate_private_key(ec.SECP384R1())
    ec_body = certificate(ec_key, "api.example.com")
    assert error(
        lambda: iam.upload_server_certificate(ServerCertificateName="compat-api", CertificateBody=ec_body, PrivateKey=private_pem(key))
    ) == ("KeyPairMismatch", "The public key certificate and the private key do not match.", 400)
    iam.upload_server_certificate(ServerCertificateName="compat-api", CertificateBody=ec_body, PrivateKey=private_pem(ec_key))
    names = [m["ServerCertificateName"] for m in iam.list_server_certificates(PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]]
    assert names == ["compat-web"]
    assert error(
        lambda: iam.upload_server_certificate(ServerCertificateName="COMPAT-API", CertificateBody=ec_body, PrivateKey=private_pem(ec_key))
    ) == ("EntityAlreadyExists", "The Server Certificate with name COMPAT-API already exists.", 409)

    ok(server, "iam", "update-server-certificate", "--server-certificate-name", "compat-web",
       "--new-server-certificate-name", "compat-www", "--new-path", "/elb/")
    assert error(lambda: iam.get_server_certificate(ServerCertificateName="compat-web")) == (
        "NoSuchEntity",
        "The Server Certificate with name compat-web cannot be found.",
        404,
    )
    iam.tag_server_certificate(ServerCertificateName="compat-www", Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_server_certificate(ServerCertificateName="compat-www", TagKeys=["team"])
    assert iam.list_server_certificate_tags(ServerCertificateName="compat-www")["Tags"] == [{"Key": "env", "Value": "prod"}]
    for name in ["compat-www", "compat-api"]:
        iam.delete_server_certificate(ServerCertificateName=name)
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
