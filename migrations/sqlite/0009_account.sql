-- Account-level settings. An account has at most one alias, and an alias names one account on the server (AWS's
-- aliases are unique across its partition). The STS preference is SetSecurityTokenServicePreferences'
-- GlobalEndpointTokenVersion (absent: AWS's default, v1Token). The credential report is the last one generated:
-- its CSV and when it was made (GetCredentialReport serves it for four hours).
CREATE TABLE account_aliases (
    alias       TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL UNIQUE REFERENCES accounts (account_id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE account_settings (
    account_id                    TEXT PRIMARY KEY REFERENCES accounts (account_id),
    global_endpoint_token_version TEXT NOT NULL
);

CREATE TABLE credential_reports (
    account_id    TEXT PRIMARY KEY REFERENCES accounts (account_id),
    generated_at  BIGINT NOT NULL,
    content       BLOB NOT NULL
);
