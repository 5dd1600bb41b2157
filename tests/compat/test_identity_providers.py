"""The identity-provider registry through boto3 and the AWS CLI: an OpenID Connect provider with client ids,
thumbprints and tags; a SAML provider whose metadata carries a real self-signed certificate made here, with a private
key added and rotated; AWS's recorded errors; and a role trusting each provider only once it exists."""

import base64
import datetime
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from conftest import aws_cli, cli_ok as ok, client, client_error as error

ACCOUNT = "000000000000"




def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def certificate_b64(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def metadata(entity_id, valid_until=None):
    valid = f' validUntil="{valid_until}"' if valid_until else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}"{valid}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{certificate_b64(private_key())}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def trusting(arn):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity"}],
        }
    )


def test_oidc_provider_with_boto3(server):
    iam = client(server, "iam")
    url = "https://oidc-compat.example.com"
    arn = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["my-client-id"], ThumbprintList=["b" * 40], Tags=[{"Key": "k1", "Value": "v1"}]
    )["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc-compat.example.com"
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "oidc-compat.example.com"
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["my-client-id"], ["b" * 40])
    assert got["Tags"] == [{"Key": "k1", "Value": "v1"}] and "CreateDate" in got

    assert error(lambda: iam.create_open_id_connect_provider(Url=url, ThumbprintList=["a" * 40])) == (
        "EntityAlreadyExists",
        f"Provider with url {url} already exists.",
        409,
    )
    assert error(lambda: iam.create_open_id_connect_provider(Url="example.org", ThumbprintList=["a" * 40])) == (
        "ValidationError",
        "Invalid Open ID Connect Provider URL",
        400,
    )
    six = [c * 40 for c in "abcdef"]
    assert error(lambda: iam.create_open_id_connect_provider(Url="https://six.example.com", ThumbprintList=six)) == (
        "InvalidInput",
        "Thumbprint list must contain fewer than 5 entries.",
        400,
    )

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="second")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="second")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="my-client-id")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["c" * 40, "d" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["second"], ["c" * 40, "d" * 40])

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "k2", "Value": "v2"}])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)
    assert tags["Tags"] == [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}] and tags["IsTruncated"] is False
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["k1"])
    assert [e["Arn"] for e in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [arn]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)) == (
        "NoSuchEntity",
        f"OpenIDConnect Provider not found for arn {arn}",
        404,
    )
    assert error(lambda: iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)) == (
        "NoSuchEntity",
        f"OpenId connect Provider {arn} cannot be found.",
        404,
    )


def test_saml_provider_with_the_cli(server, tmp_path):
    doc = metadata("https://idp.example.com/metadata", "2040-01-02T03:04:05Z")
    doc_file = tmp_path / "metadata.xml"
    doc_file.write_text(doc)
    out = ok(server, "iam", "create-saml-provider", "--name", "compat-idp", "--saml-metadata-document", f"file://{doc_file}")
    arn = out["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/compat-idp"
    got = ok(server, "iam", "get-saml-provider", "--saml-provider-arn", arn)
    assert got["SAMLMetadataDocument"] == doc
    assert got["AssertionEncryptionMode"] == "Allowed" and got["PrivateKeyList"] == [] and got["Tags"] == []
    assert got["ValidUntil"].startswith("2040-01-02T03:04:05")
    assert len(got["SAMLProviderUUID"]) == 36
    listed = ok(server, "iam", "list-saml-providers")["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn]

    key_file = tmp_path / "key.pem"
    key_file.write_text(pem(private_key()))
    ok(server, "iam", "update-saml-provider", "--saml-provider-arn", arn, "--add-private-key", f"file://{key_file}",
       "--assertion-encryption-mode", "Required")
    got = ok(server, "iam", "get-saml-provider", "--saml-provider-arn", arn)
    assert got["AssertionEncryptionMode"] == "Required"
    [key] = got["PrivateKeyList"]
    assert set(key) == {"KeyId", "Timestamp"}
    assert "PRIVATE KEY" not in json.dumps(got)

    new_doc = tmp_path / "new.xml"
    new_doc.write_text(metadata("https://idp2.example.com/metadata"))
    updated = ok(server, "iam", "update-saml-provider", "--saml-provider-arn", arn, "--saml-metadata-document", f"file://{new_doc}")
    assert updated["SAMLProviderArn"] == arn

    rc, _, err = aws_cli(server, "iam", "create-saml-provider", "--name", "broken", "--saml-metadata-document", "<x/>" * 300)
    assert rc != 0 and "InvalidInput" in err and "Could not parse metadata" in err, err
    ok(server, "iam", "delete-saml-provider", "--saml-provider-arn", arn)
    rc, _, err = aws_cli(server, "iam", "get-saml-provider", "--saml-provider-arn", arn)
    assert rc != 0 and f"Manifest not found for arn {arn}" in err, err


def test_trust_policies_need_the_provider(server):
    iam = client(server, "iam")
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/trust-compat.example.com"
    assert error(lambda: iam.create_role(RoleName="compat-web", AssumeRolePolicyDocument=trusting(arn))) == (
        "MalformedPolicyDocument",
        f'Invalid principal in policy: "Federated":"{arn}"',
        400,
    )
    iam.create_open_id_connect_provider(Url="https://trust-compat.example.com", ClientIDList=["sts.amazonaws.com"])
    iam.create_role(RoleName="compat-web", AssumeRolePolicyDocument=trusting(arn))
    iam.create_role(RoleName="compat-google", AssumeRolePolicyDocument=trusting("accounts.google.com"))
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert iam.get_role(RoleName="compat-web")["Role"]["RoleName"] == "compat-web"
    for role in ["compat-web", "compat-google"]:
        iam.delete_role(RoleName=role)
