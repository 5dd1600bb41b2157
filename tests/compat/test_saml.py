"""AssumeRoleWithSAML through boto3 with responses from two signers: Python's signxml (lxml/libxml2 canonicalisation,
independent of Gatehouse's code) and `gatehouse test-idp saml`, whose signatures signxml must verify too; a changed
NameID is refused either way. Encrypted assertions both ways: encrypted by Python's `cryptography` for a provider
whose private key was given with AddPrivateKey, and encrypted by `gatehouse test-idp saml --encrypt-for`, which
`cryptography` decrypts."""

import base64
import datetime
import json
import os
import subprocess
import uuid

import boto3
import botocore.exceptions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, XMLVerifier, methods

from conftest import client, gatehouse_bin

ACCOUNT = "000000000000"
AUDIENCE = "https://signin.aws.amazon.com/saml"
ENTITY = "https://signxml.idp.test/metadata"


def self_signed(key=None):
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "compat SAML IdP")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def metadata(entity, cert):
    b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://signxml.idp.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def t(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def signxml_response(key, cert, subject, role_arn, provider_arn, session_name, algorithm="rsa-sha256"):
    return wrap_response(signxml_assertion(key, cert, subject, role_arn, provider_arn, session_name, algorithm))


def signxml_assertion(key, cert, subject, role_arn, provider_arn, session_name, algorithm="rsa-sha256"):
    """An Assertion signed by signxml (exc-c14n, enveloped), serialised."""
    now = datetime.datetime.now(datetime.timezone.utc)
    until = now + datetime.timedelta(minutes=5)
    aid = "_" + uuid.uuid4().hex
    assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" Version="2.0" IssueInstant="{t(now)}">
  <saml:Issuer>{ENTITY}</saml:Issuer>
  <saml:Subject>
    <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">{subject}</saml:NameID>
    <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
      <saml:SubjectConfirmationData NotOnOrAfter="{t(until)}" Recipient="{AUDIENCE}"/>
    </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="{t(now)}" NotOnOrAfter="{t(until)}">
    <saml:AudienceRestriction><saml:Audience>{AUDIENCE}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AttributeStatement>
    <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>{role_arn},{provider_arn}</saml:AttributeValue></saml:Attribute>
    <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>{session_name}</saml:AttributeValue></saml:Attribute>
  </saml:AttributeStatement>
</saml:Assertion>"""
    signed = XMLSigner(
        method=methods.enveloped, c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
        signature_algorithm=algorithm,
    ).sign(etree.fromstring(assertion), key=key, cert=[cert], reference_uri=aid)
    # SAML's schema puts the signature right after the Issuer.
    sig = signed.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    signed.remove(sig)
    signed.insert(1, sig)
    return etree.tostring(signed).decode()


def wrap_response(body):
    now = datetime.datetime.now(datetime.timezone.utc)
    return f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{t(now)}" Destination="{AUDIENCE}"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{body}</samlp:Response>"""


XENC = "http://www.w3.org/2001/04/xmlenc#"


def encrypt_assertion(assertion_xml, public_key, cipher):
    """An EncryptedAssertion made with Python's `cryptography`, independently of Gatehouse: RSA-OAEP (SHA-1,
    MGF1-SHA1) key transport; AES-256-GCM, or AES-128-CBC with xmlenc's padding (random bytes, the last one the
    count, which a strict PKCS#7 check would refuse)."""
    if cipher == "gcm":
        key, nonce = os.urandom(32), os.urandom(12)
        data = nonce + AESGCM(key).encrypt(nonce, assertion_xml.encode(), None)
        alg = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
    else:
        key, iv = os.urandom(16), os.urandom(16)
        raw = assertion_xml.encode()
        pad = 16 - len(raw) % 16
        raw += os.urandom(pad - 1) + bytes([pad])
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        data = iv + enc.update(raw) + enc.finalize()
        alg = XENC + "aes128-cbc"
    wrapped = public_key.encrypt(key, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
    b64 = lambda b: base64.b64encode(b).decode()
    # The EncryptedKey beside the EncryptedData, as SAML also allows (found through a RetrievalMethod).
    return f"""<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><xenc:EncryptedData xmlns:xenc="{XENC}" Id="_ed" Type="{XENC}Element"><xenc:EncryptionMethod Algorithm="{alg}"/><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:RetrievalMethod Type="{XENC}EncryptedKey" URI="#_ek"/></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{b64(data)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData><xenc:EncryptedKey xmlns:xenc="{XENC}" Id="_ek"><xenc:EncryptionMethod Algorithm="{XENC}rsa-oaep-mgf1p"><ds:DigestMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod><xenc:CipherData><xenc:CipherValue>{b64(wrapped)}</xenc:CipherValue></xenc:CipherData><xenc:ReferenceList><xenc:DataReference URI="#_ed"/></xenc:ReferenceList></xenc:EncryptedKey></saml:EncryptedAssertion>"""


def decrypt_assertion(response_xml, private_key):
    """The assertion of a Gatehouse-encrypted response, decrypted with `cryptography` (the other direction)."""
    ns = {"xenc": XENC, "saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
    doc = etree.fromstring(response_xml.encode())
    data = doc.find("saml:EncryptedAssertion/xenc:EncryptedData", ns)
    assert data.find("xenc:EncryptionMethod", ns).get("Algorithm") == "http://www.w3.org/2009/xmlenc11#aes256-gcm"
    wrapped = base64.b64decode(data.findtext(".//xenc:EncryptedKey/xenc:CipherData/xenc:CipherValue", namespaces=ns))
    key = private_key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
    body = base64.b64decode(data.findtext("xenc:CipherData/xenc:CipherValue", namespaces=ns))
    return AESGCM(key).decrypt(body[:12], body[12:], None).decode()


def register(server, name, doc, role):
    iam = client(server, "iam")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=doc)["SAMLProviderArn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": arn},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"saml:aud": AUDIENCE}},
            }
        ],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    return arn, f"arn:aws:iam::{ACCOUNT}:role/{role}"


def assume(server, role_arn, provider_arn, xml):
    return client(server, "sts").assume_role_with_saml(
        RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=base64.b64encode(xml.encode()).decode()
    )


def refused(server, role_arn, provider_arn, xml):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        assume(server, role_arn, provider_arn, xml)
    return e.value.response["Error"]


def test_a_response_signed_by_signxml(server):
    key, cert = self_signed()
    provider, role = register(server, "signxml", metadata(ENTITY, cert), "saml-signxml")
    xml = signxml_response(key, cert, "user-1234", role, provider, "alice")
    out = assume(server, role, provider, xml)
    assert out["Subject"] == "user-1234"
    assert out["SubjectType"] == "transient"
    assert out["Issuer"] == ENTITY
    assert out["Audience"] == AUDIENCE
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/saml-signxml/alice"
    creds = out["Credentials"]
    session = boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    assert session.get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]
    err = refused(server, role, provider, xml.replace(">user-1234<", ">user-9999<"))
    assert err == {"Code": "InvalidIdentityToken", "Message": "Response signature invalid", "Type": "Sender"}


@pytest.mark.parametrize("curve,algorithm", [(ec.SECP256R1, "ecdsa-sha256"), (ec.SECP384R1, "ecdsa-sha384")])
def test_an_ecdsa_signature_by_signxml(server, curve, algorithm):
    key, cert = self_signed(ec.generate_private_key(curve()))
    name = f"ecdsa{curve.key_size}"
    provider, role = register(server, name, metadata(ENTITY, cert), f"saml-{name}")
    xml = signxml_response(key, cert, "user-ec", role, provider, "eve", algorithm)
    assert f"xmldsig-more#{algorithm}" in xml
    assert assume(server, role, provider, xml)["Subject"] == "user-ec"
    err = refused(server, role, provider, xml.replace(">user-ec<", ">user-ed<"))
    assert err == {"Code": "InvalidIdentityToken", "Message": "Response signature invalid", "Type": "Sender"}


def test_a_response_from_gatehouse_test_idp(server, tmp_path):
    key = tmp_path / "idp.pem"
    meta = tmp_path / "idp.xml"
    entity = "https://cli.idp.test/metadata"
    subprocess.run([gatehouse_bin(), "test-idp", "saml", "--key", str(key), "--entity-id", entity, "--metadata", str(meta)], check=True)
    provider, role = register(server, "cli-idp", meta.read_text(), "saml-cli")
    xml = subprocess.run(
        [gatehouse_bin(), "test-idp", "saml", "--key", str(key), "--entity-id", entity, "--subject", "bob",
         "--role", f"{role},{provider}", "--session-name", "bob", "--sign", "both", "--xml"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # Another implementation verifies Gatehouse's signatures (the assertion's, inside the signed response).
    cert = x509.load_der_x509_certificate(
        base64.b64decode(etree.fromstring(meta.read_bytes()).findtext(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate"))
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    verified = XMLVerifier().verify(xml.encode(), x509_cert=pem, expect_references=1)
    assert verified.signed_xml is not None
    out = assume(server, role, provider, xml)
    assert out["Subject"] == "bob"
    assert out["SubjectType"] == "persistent"
    err = refused(server, role, provider, xml.replace(">bob</saml:NameID>", ">eve</saml:NameID>"))
    assert err["Code"] == "InvalidIdentityToken"


def test_encrypted_assertions_both_ways(server, tmp_path):
    iam = client(server, "iam")
    key, cert = self_signed()
    provider, role = register(server, "encrypted", metadata(ENTITY, cert), "saml-encrypted")
    sp_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sp_pem = sp_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()).decode()
    iam.update_saml_provider(SAMLProviderArn=provider, AddPrivateKey=sp_pem, AssertionEncryptionMode="Required")
    got = iam.get_saml_provider(SAMLProviderArn=provider)
    assert got["AssertionEncryptionMode"] == "Required" and len(got["PrivateKeyList"]) == 1

    # A plain assertion is refused now; encrypted by `cryptography` (either cipher), it is accepted.
    plain = signxml_response(key, cert, "user-1", role, provider, "alice")
    assert refused(server, role, provider, plain) == {
        "Code": "InvalidIdentityToken",
        "Message": "Invalid SAML assertion: the SAML provider accepts only encrypted assertions",
        "Type": "Sender",
    }
    for cipher in ["gcm", "cbc"]:
        assertion = signxml_assertion(key, cert, "user-1", role, provider, "alice")
        xml = wrap_response(encrypt_assertion(assertion, sp_key.public_key(), cipher))
        out = assume(server, role, provider, xml)
        assert out["Subject"] == "user-1"
        assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/saml-encrypted/alice"
        # Encrypted for another key: refused, saying no more than a bad signature would.
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        xml = wrap_response(encrypt_assertion(assertion, stranger, cipher))
        assert refused(server, role, provider, xml) == {
            "Code": "InvalidIdentityToken", "Message": "Response signature invalid", "Type": "Sender"
        }

    # The other way: `gatehouse test-idp saml --encrypt-for` encrypts, `cryptography` decrypts, signxml verifies the
    # assertion inside, and Gatehouse accepts the response.
    idp_key, idp_meta, sp_file = tmp_path / "idp.pem", tmp_path / "idp.xml", tmp_path / "sp.pem"
    sp_file.write_text(sp_pem)
    entity = "https://enc.idp.test/metadata"
    run = lambda *args: subprocess.run(
        [gatehouse_bin(), "test-idp", "saml", "--key", str(idp_key), "--entity-id", entity, *args],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    run("--metadata", str(idp_meta))
    provider2 = iam.create_saml_provider(
        Name="encrypted-cli", SAMLMetadataDocument=idp_meta.read_text(), AssertionEncryptionMode="Required",
        AddPrivateKey=sp_pem,
    )["SAMLProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider2},
                                                     "Action": "sts:AssumeRoleWithSAML"}]}
    iam.update_assume_role_policy(RoleName="saml-encrypted", PolicyDocument=json.dumps(trust))
    xml = run("--subject", "carol", "--role", f"{role},{provider2}", "--session-name", "carol",
              "--encrypt-for", str(sp_file), "--xml")
    inner = decrypt_assertion(xml, sp_key)
    idp_cert = x509.load_der_x509_certificate(base64.b64decode(
        etree.fromstring(idp_meta.read_bytes()).findtext(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")))
    XMLVerifier().verify(inner.encode(), x509_cert=idp_cert.public_bytes(serialization.Encoding.PEM),
                         expect_references=1)
    assert ">carol</saml:NameID>" in inner
    out = assume(server, role, provider2, xml)
    assert out["Subject"] == "carol"
