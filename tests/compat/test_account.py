"""The account family through the AWS CLI and boto3: the account alias, SetSecurityTokenServicePreferences as
GetAccountSummary reports it, the credential report (its CSV read with Python's csv module, one row per user), and
the features only AWS has (Organizations, role templates, delegation requests, account properties)."""

import csv
import io
import json


from conftest import aws_cli, cli_ok as ok, client, client_error as error

ACCOUNT = "000000000000"




def test_account_alias_with_the_cli(server):
    assert ok(server, "iam", "list-account-aliases")["AccountAliases"] == []
    ok(server, "iam", "create-account-alias", "--account-alias", "compat-dev")
    rc, _, err = aws_cli(server, "iam", "create-account-alias", "--account-alias", "compat-dev")
    assert rc != 0 and "EntityAlreadyExists" in err and "The account alias compat-dev already exists." in err
    ok(server, "iam", "create-account-alias", "--account-alias", "compat-prod")
    assert ok(server, "iam", "list-account-aliases")["AccountAliases"] == ["compat-prod"]
    ok(server, "iam", "delete-account-alias", "--account-alias", "compat-prod")
    assert ok(server, "iam", "list-account-aliases")["AccountAliases"] == []


def test_sts_preferences(server):
    iam = client(server, "iam")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1


def test_credential_report_rows_match_the_users(server):
    iam = client(server, "iam")
    # Before any report: AWS's ReportNotPresent, whose error has no Message element.
    code, message, status = error(lambda: iam.get_credential_report())
    assert (code, status) == ("ReportNotPresent", 410) and not message
    for name in ["report-ann", "report-ben"]:
        iam.create_user(UserName=name)
    iam.create_access_key(UserName="report-ann")
    iam.create_login_profile(UserName="report-ben", Password="Sturdy-Passw0rd")
    # The report is reused for four hours: a module that generated one earlier would see it, so the users made
    # here are looked for only if this call made the report.
    state = iam.generate_credential_report()["State"]
    assert state in ("STARTED", "COMPLETE")
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert rows[0]["user"] == "<root_account>" and rows[0]["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    listed = {u["UserName"] for u in iam.list_users()["Users"]}
    if state == "STARTED":
        assert {r["user"] for r in rows[1:]} == listed
        ann = next(r for r in rows if r["user"] == "report-ann")
        assert ann["access_key_1_active"] == "true" and ann["password_enabled"] == "false"
        ben = next(r for r in rows if r["user"] == "report-ben")
        assert ben["password_enabled"] == "true" and ben["access_key_1_active"] == "false"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    # The CLI writes the same report.
    out = ok(server, "iam", "get-credential-report")
    assert out["ReportFormat"] == "text/csv"


def test_what_only_aws_has(server):
    iam = client(server, "iam")
    none = ("OrganizationNotFoundException",
            "The request was rejected because no organization is associated with your account.", 400)
    assert error(lambda: iam.list_organizations_features()) == none
    assert error(lambda: iam.enable_organizations_root_sessions()) == none
    assert iam.list_delegation_requests()["DelegationRequests"] == []
    template = "arn:aws:iam::aws:role-template/ec2.amazonaws.com/Example:1"
    assert error(lambda: iam.get_role_template_version(TemplateArn=template)) == (
        "NoSuchEntity", f"The role template {template} cannot be found.", 404)
    assert iam.get_account_properties().get("Properties", {}) == {}
    rc, _, err = aws_cli(server, "iam", "list-organizations-features")
    assert rc != 0 and "OrganizationNotFoundException" in err
