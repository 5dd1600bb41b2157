-- A user's other credentials (issue 15): SSH public keys (CodeCommit), X.509 signing certificates,
-- service-specific credentials, and the account's server certificates.

-- SSH public keys. The key is kept in both encodings GetSSHPublicKey can return (the OpenSSH line and the PEM of
-- its SubjectPublicKeyInfo); the MD5 fingerprint of the key blob identifies a duplicate for the same user.
CREATE TABLE ssh_public_keys (
    ssh_public_key_id  TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (account_id),
    user_id            TEXT NOT NULL REFERENCES users (user_id),
    fingerprint        TEXT NOT NULL,
    body_ssh           TEXT NOT NULL,
    body_pem           TEXT NOT NULL,
    status             TEXT NOT NULL,
    uploaded_at        BIGINT NOT NULL,
    UNIQUE (user_id, fingerprint)
);
CREATE INDEX ssh_public_keys_by_user ON ssh_public_keys (user_id, uploaded_at);

-- Signing certificates. der_sha256 (hex) makes one certificate unique in its account, as AWS's
-- DuplicateCertificate is an account-wide refusal.
CREATE TABLE signing_certificates (
    certificate_id  TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (account_id),
    user_id         TEXT NOT NULL REFERENCES users (user_id),
    der_sha256      TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    uploaded_at     BIGINT NOT NULL,
    UNIQUE (account_id, der_sha256)
);
CREATE INDEX signing_certificates_by_user ON signing_certificates (user_id, uploaded_at);

-- Service-specific credentials. The password (or a Bedrock API key's secret) is sealed under the master key, bound
-- to the row; expires_at is set only for credentials created with CredentialAgeDays.
CREATE TABLE service_specific_credentials (
    credential_id      TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (account_id),
    user_id            TEXT NOT NULL REFERENCES users (user_id),
    service_name       TEXT NOT NULL,
    service_user_name  TEXT,
    credential_alias   TEXT,
    secret_sealed      BYTEA NOT NULL,
    master_key_id      TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT
);
CREATE INDEX service_specific_credentials_by_user ON service_specific_credentials (user_id, created_at);

-- Server certificates. Names are unique in an account regardless of case; the private key is sealed under the
-- master key, bound to the row, and never returned.
CREATE TABLE server_certificates (
    server_certificate_id  TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL REFERENCES accounts (account_id),
    name                   TEXT NOT NULL,
    name_lower             TEXT NOT NULL,
    path                   TEXT NOT NULL,
    body                   TEXT NOT NULL,
    chain                  TEXT,
    key_sealed             BYTEA NOT NULL,
    master_key_id          TEXT NOT NULL,
    expires_at             BIGINT NOT NULL,
    uploaded_at            BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);
