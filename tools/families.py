"""The resource families the IAM operations are grouped into, for tools/generate.py.

Each family becomes a trait of its own (`UsersApi`, `RolesApi`, ...) in src/api/generated/iam.rs, implemented in a
module of its own under src/api/iam/, so that adding an operation touches its family's files only. IAM's `IamApi`
is every family trait together. A new operation of the model that fits no rule fails the generator: give it a
family here.
"""

import re
import sys

# Operations whose names would mislead the rules below.
EXACT = {
    "UpdateAssumeRolePolicy": "roles",
    "GetAccountAuthorizationDetails": "account",
    "ListEntitiesForPolicy": "policy_attachments",
    "ChangePassword": "passwords",
    "GetAccountPasswordPolicy": "passwords",
    "UpdateAccountPasswordPolicy": "passwords",
    "DeleteAccountPasswordPolicy": "passwords",
    "AddUserToGroup": "groups",
    "RemoveUserFromGroup": "groups",
    "ListGroupsForUser": "groups",
    "ListPoliciesGrantingServiceAccess": "access_activity",
    "GetHumanReadableSummary": "delegation",
    "SendDelegationToken": "delegation",
}

# The first rule whose pattern occurs in the operation's name decides.
RULES = [
    ("access_keys", r"AccessKey"),
    ("passwords", r"LoginProfile"),
    ("mfa", r"MFADevice"),
    ("ssh_keys", r"SSHPublicKey"),
    ("signing_certificates", r"SigningCertificate"),
    ("server_certificates", r"ServerCertificate"),
    ("service_credentials", r"ServiceSpecificCredential"),
    ("oidc_providers", r"OpenIDConnectProvider"),
    ("saml_providers", r"SAMLProvider"),
    ("instance_profiles", r"InstanceProfile"),
    ("simulation", r"^Simulate|^GetContextKeys"),
    ("access_activity", r"LastAccessed|OrganizationsAccessReport"),
    ("delegation", r"DelegationRequest|AcquireRole"),
    ("outbound_federation", r"OutboundWebIdentityFederation"),
    ("account", r"AccountAlias|AccountSummary|CredentialReport|SecurityTokenServicePreferences|Organizations|AccountProperties"),
    ("service_linked_roles", r"ServiceLinkedRole"),
    ("permissions_boundaries", r"PermissionsBoundary"),
    ("inline_policies", r"^(Put|Get|Delete|List)(User|Group|Role)Polic"),
    ("policy_attachments", r"^(Attach|Detach|ListAttached)"),
    ("managed_policies", r"Polic"),
    ("groups", r"Group"),
    ("roles", r"Role"),
    ("users", r"User"),
]


def family_of(op):
    if op in EXACT:
        return EXACT[op]
    for name, pattern in RULES:
        if re.search(pattern, op):
            return name
    sys.exit(f"operation {op} belongs to no family: add it to tools/families.py")


def trait_name(family):
    return "".join(w.capitalize() for w in family.split("_")) + "Api"


def families(ops):
    """family -> sorted operations, families sorted by name."""
    out = {}
    for o in sorted(ops):
        out.setdefault(family_of(o), []).append(o)
    return dict(sorted(out.items()))
