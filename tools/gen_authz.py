"""The action table and the sample requests, for tools/generate.py.

The action table says, per IAM and STS operation, which action it is authorised as, on which resource type (with
that type's ARN template) and with which condition keys: AWS's Service Authorization Reference, from
shared/reference/authorization-iam-sts.json. The server's dispatcher holds it, so no operation can answer without a
decision for its own action.

The sample requests are, per operation, a small set of parameters that passes the model's validation: the
no-policy sweep (tests/it/authorization.rs) sends every operation with them and expects AccessDenied, which only
means something if validation does not refuse the request first. Each sample is checked here against the model's
constraints, so a broken sample fails the generator rather than the test.
"""

import json
import os
import re
import sys

# Operations the pinned model has and the reference does not (yet): authorised as the action of the same name on
# no particular resource. Our choice; stated in the README.
UNREFERENCED = {"AcquireRole", "UpdateDelegationRequest"}

# Operations AWS does not authorise at all: anyone with valid credentials (or, for the web-identity and SAML
# forms, a valid token or assertion instead of credentials) may call them.
NOT_AUTHORISED = {
    ("sts", "GetCallerIdentity"), ("sts", "GetSessionToken"),
    ("sts", "AssumeRoleWithWebIdentity"), ("sts", "AssumeRoleWithSAML"),
}

# List operations the reference lists on no resource type, for which AWS's AccessDenied nevertheless names the path
# prefix of the listed type (`ListUsers ... on resource: arn:aws:iam::ACCT:user/`, recorded); the others by analogy.
LIST_PREFIXES = {
    "ListUsers": "user/", "ListRoles": "role/", "ListGroups": "group/", "ListPolicies": "policy/",
    "ListInstanceProfiles": "instance-profile/", "ListVirtualMFADevices": "mfa/",
    "ListServerCertificates": "server-certificate/",
}

ACCOUNT = "000000000000"
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},'
         '"Action":"sts:AssumeRole"}]}' % ACCOUNT)

# Values by member name, where a member's constraints alone do not make a meaningful value.
BY_MEMBER = {
    "PolicyDocument": ALLOW_ALL,
    "AssumeRolePolicyDocument": TRUST,
    "PolicyInputList": ALLOW_ALL,
    "Policy": ALLOW_ALL,
    "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/gatehouse",
    "PrincipalArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/gatehouse",
    "SAMLProviderArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/gatehouse",
    "OpenIDConnectProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/example.com",
    "PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:user/gatehouse",
    "Arn": f"arn:aws:iam::{ACCOUNT}:user/gatehouse",
    "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/gatehouse",
    "TargetPrincipal": f"arn:aws:iam::{ACCOUNT}:root",
    "Url": "https://example.com",
    "AWSServiceName": "elasticbeanstalk.amazonaws.com",
    "ServiceName": "codecommit.amazonaws.com",
    "AuthenticationCode1": "123456",
    "AuthenticationCode2": "654321",
    "TokenCode": "123456",
    "Path": "/",
    "PathPrefix": "/",
    "EncodedMessage": "gatehouse",
    "RoleSessionName": "gatehouse",
    "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
    "SSHPublicKeyId": "APKAEIBAERJR2EXAMPLE",
    "EntityPath": "o-a1b2c3d4e5/r-ab12",
    "JobId": "00000000-0000-0000-0000-000000000000",
    "DeletionTaskId": "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/"
                      "00000000-0000-0000-0000-000000000000",
    "ThumbprintList": "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    "VersionId": "v1",
    "ContextKeyType": "string",
    "ActionNames": "iam:GetUser",
    "PolicyTemplateArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn": "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
}

# Tried in order for any other string member; the first that meets the member's constraints is used.
CANDIDATES = ["gatehouse", f"arn:aws:iam::{ACCOUNT}:user/gatehouse", "123456", "v1", "/", "gatehouse-1"]


def java_to_python(pattern):
    """Enough of Java's regex dialect for checking the samples: Unicode classes become ASCII ones (the samples are
    ASCII) and the one look-ahead of the models is Python's too."""
    return pattern.replace("\\p{L}", "A-Za-z").replace("\\p{Z}", " ").replace("\\p{N}", "0-9")


def fits(shape, value):
    lo, hi = shape.get("min", 0), shape.get("max")
    if len(value) < lo or (hi is not None and len(value) > hi):
        return False
    if "enum" in shape and value not in shape["enum"]:
        return False
    pattern = shape.get("pattern")
    return pattern is None or re.fullmatch(java_to_python(pattern), value) is not None


def string_value(model, member, shape_name):
    shape = model.shapes[shape_name]
    if "enum" in shape:
        return shape["enum"][0]
    tries = ([BY_MEMBER[member]] if member in BY_MEMBER else []) + CANDIDATES
    for base in tries:
        for value in (base, base + "A" * (shape.get("min", 0) - len(base))):
            if fits(shape, value):
                return value
    sys.exit(f"no sample value fits {member} ({shape_name}: {shape})")


def sample_pairs(model, shape_name, prefix, member=""):
    """The form pairs of one required value of `shape_name` under the key `prefix`."""
    shape = model.shapes[shape_name]
    t = shape["type"]
    if t == "structure":
        pairs = []
        # A required structure whose members are all optional still needs one of them to be present.
        for m in shape.get("required") or list(shape["members"])[:1]:
            pairs += sample_pairs(model, shape["members"][m]["shape"], f"{prefix}.{m}" if prefix else m, m)
        return pairs
    if t == "list":
        count = max(1, shape.get("min", 1))
        pairs = []
        for i in range(1, count + 1):
            pairs += sample_pairs(model, shape["member"]["shape"], f"{prefix}.member.{i}", member)
        return pairs
    if t == "map":
        k = string_value(model, member, shape["key"]["shape"])
        v = string_value(model, member, shape["value"]["shape"])
        return [(f"{prefix}.entry.1.key", k), (f"{prefix}.entry.1.value", v)]
    if t == "string":
        return [(prefix, string_value(model, member, shape_name))]
    if t in ("integer", "long"):
        lo, hi = shape.get("min", 1), shape.get("max")
        value = 3600 if (lo <= 3600 and (hi is None or hi >= 3600)) else lo
        return [(prefix, str(value))]
    if t == "boolean":
        return [(prefix, "false")]
    if t == "timestamp":
        return [(prefix, "2026-01-01T00:00:00Z")]
    if t == "blob":
        return [(prefix, "Z2F0ZWhvdXNl")]
    sys.exit(f"no sample for {shape_name} ({t})")


def form_encode(pairs):
    def enc(s):
        return "".join(c if re.fullmatch(r"[A-Za-z0-9_.~-]", c) else "".join(f"%{b:02X}" for b in c.encode()) for c in s)
    return "".join(f"&{enc(k)}={enc(v)}" for k, v in pairs)


def rust_str(s):
    return json.dumps(s)


def load_reference(root):
    path = os.path.join(os.path.dirname(root), "shared", "reference", "authorization-iam-sts.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)["services"]


def gen_authz(models, root, header):
    ref = load_reference(root)
    out = [
        header.format(src="../shared/reference/authorization-iam-sts.json and model/*.json.gz"),
        "//! How each operation is authorised: its action, the resource type it is authorised on and the",
        "//! condition keys it supplies, from AWS's Service Authorization Reference (see tools/gen_authz.py).",
        "",
        "use super::{iam, sts};",
        "",
        "/// How one operation is authorised.",
        "#[derive(Clone, Copy, Debug, PartialEq, Eq)]",
        "pub struct ActionAuth {",
        "    /// The action a policy names, `iam:CreateUser`.",
        "    pub action: &'static str,",
        "    /// The resource type the action is authorised on (`user`); `None` where the reference names none.",
        "    pub resource_type: Option<&'static str>,",
        "    /// The ARN template of that resource type, `arn:${Partition}:iam::${Account}:user/${UserNameWithPath}`; for",
        "    /// List operations on no resource type, the listed type's prefix AWS names in its denials (`...:user/`).",
        "    pub arn_template: Option<&'static str>,",
        "    /// The condition keys the reference lists for the action (global keys aside).",
        "    pub condition_keys: &'static [&'static str],",
        "    /// `false` for the operations AWS never authorises: GetCallerIdentity, GetSessionToken,",
        "    /// AssumeRoleWithWebIdentity and AssumeRoleWithSAML.",
        "    pub authorised: bool,",
        "}",
        "",
    ]
    for model in models:
        svc = ref[model.module]
        out.append(f"impl {model.module}::Action {{")
        out.append("    /// How the operation is authorised.")
        out.append("    pub const fn auth(self) -> ActionAuth {")
        out.append("        match self {")
        for o in sorted(model.ops):
            entry = svc["actions"].get(o)
            if entry is None and o not in UNREFERENCED:
                sys.exit(f"{model.module}:{o} is in neither the reference nor UNREFERENCED")
            entry = entry or {"resourceTypes": [], "conditionKeys": []}
            required = [r for r in entry["resourceTypes"] if r.get("required")] or entry["resourceTypes"][:1]
            rtype = required[0]["name"] if required else None
            template = svc["resourceTypes"][rtype]["arn"] if rtype else None
            if not rtype and o in LIST_PREFIXES:
                template = "arn:${Partition}:iam::${Account}:" + LIST_PREFIXES[o]
            keys = sorted(set(entry["conditionKeys"]) | {k for r in required for k in r.get("conditionKeys", [])})
            out.append(f"            Self::{o} => ActionAuth {{")
            out.append(f"                action: {rust_str(model.module + ':' + o)},")
            out.append(f"                resource_type: {'Some(' + rust_str(rtype) + ')' if rtype else 'None'},")
            out.append(f"                arn_template: {'Some(' + rust_str(template) + ')' if template else 'None'},")
            out.append("                condition_keys: &[%s]," % ", ".join(rust_str(k) for k in keys))
            out.append(f"                authorised: {'false' if (model.module, o) in NOT_AUTHORISED else 'true'},")
            out.append("            },")
        out.append("        }")
        out.append("    }")
        out.append("}")
        out.append("")
    return "\n".join(out)


def gen_samples(models, header):
    out = [
        header.format(src="model/*.json.gz"),
        "//! Per operation, parameters that pass the model's validation (every required member, with a value that",
        "//! meets its constraints), form-encoded after `Action` and `Version`: what the no-policy sweep sends. See",
        "//! tools/gen_authz.py.",
        "",
        "use super::{iam, sts};",
        "",
    ]
    for model in models:
        out.append(f"impl {model.module}::Action {{")
        out.append("    /// Valid parameters for the operation (`&Name=value...`), for tests.")
        out.append("    pub const fn sample_params(self) -> &'static str {")
        out.append("        match self {")
        for o in sorted(model.ops):
            op = model.ops[o]
            pairs = sample_pairs(model, op["input"]["shape"], "") if "input" in op else []
            out.append(f"            Self::{o} => {rust_str(form_encode(pairs))},")
        out.append("        }")
        out.append("    }")
        out.append("}")
        out.append("")
    return "\n".join(out)
