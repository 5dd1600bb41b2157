-- Outbound web identity federation (EnableOutboundWebIdentityFederation, GetWebIdentityToken): per account, whether
-- JWT vending is on and the account's issuer id (the last segment of its issuer URL, kept when the feature is
-- disabled and enabled again), and the account's signing keys, sealed under the master key named by master_key_id
-- (bound to account, key id and algorithm). A key signs for a rotation period and is published in the issuer's
-- JWKS for a while after, so tokens it signed still verify.
CREATE TABLE outbound_federation (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (account_id),
    issuer_id   TEXT NOT NULL UNIQUE,
    enabled     BIGINT NOT NULL,
    changed_at  BIGINT NOT NULL
);

CREATE TABLE outbound_signing_keys (
    key_id         TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (account_id),
    algorithm      TEXT NOT NULL,
    key_sealed     BYTEA NOT NULL,
    master_key_id  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX outbound_signing_keys_by_account ON outbound_signing_keys (account_id, algorithm, created_at);
