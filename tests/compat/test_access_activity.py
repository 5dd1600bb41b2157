"""Service last accessed data through boto3 and the AWS CLI: a user's requests recorded by the server, the report
GenerateServiceLastAccessedDetails makes of them (service and action level), and the entities behind a service."""

import json

from conftest import cli_ok as ok, client, client_error as error

ACCOUNT = "000000000000"


def test_a_users_report(server):
    iam = client(server, "iam")
    iam.create_user(UserName="lastacc")
    key = iam.create_access_key(UserName="lastacc")["AccessKey"]
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:GetUser", "sts:GetCallerIdentity", "dynamodb:GetItem"], "Resource": "*"}]}
    iam.put_user_policy(UserName="lastacc", PolicyName="p", PolicyDocument=json.dumps(doc))
    client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"]).get_user()
    client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    arn = f"arn:aws:iam::{ACCOUNT}:user/lastacc"

    job = ok(server, "iam", "generate-service-last-accessed-details", "--arn", arn, "--granularity", "ACTION_LEVEL")["JobId"]
    report = ok(server, "iam", "get-service-last-accessed-details", "--job-id", job)
    assert report["JobStatus"] == "COMPLETED" and report["JobType"] == "ACTION_LEVEL"
    by_ns = {s["ServiceNamespace"]: s for s in report["ServicesLastAccessed"]}
    assert sorted(by_ns) == ["dynamodb", "iam", "sts"]
    assert by_ns["iam"]["LastAuthenticatedEntity"] == arn
    assert [a["ActionName"] for a in by_ns["iam"]["TrackedActionsLastAccessed"]] == ["GetUser"]
    assert by_ns["sts"]["ServiceName"] == "AWS Security Token Service"
    assert "LastAuthenticated" not in by_ns["dynamodb"]

    entities = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")
    assert [d["EntityInfo"]["Arn"] for d in entities["EntityDetailsList"]] == [arn]
    assert error(lambda: iam.get_service_last_accessed_details(JobId="00000000-0000-0000-0000-000000000000"))[0] == "NoSuchEntity"
