-- IAM's identity-provider registry: OpenID Connect and SAML providers. Each has an internal id (`provider_id`, a
-- UUID) under which its tags are stored; a SAML provider shows its id as SAMLProviderUUID.

-- OIDC providers are named by their URL without `https://` (host, optional port, optional path), which is also the
-- resource of their ARN; one URL once per account. Client ids and thumbprints keep the order they were given in.
CREATE TABLE oidc_providers (
    provider_id  TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (account_id),
    url          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (account_id, url)
);

CREATE TABLE oidc_client_ids (
    provider_id  TEXT NOT NULL REFERENCES oidc_providers (provider_id),
    seq          BIGINT NOT NULL,
    client_id    TEXT NOT NULL,
    PRIMARY KEY (provider_id, client_id)
);

CREATE TABLE oidc_thumbprints (
    provider_id  TEXT NOT NULL REFERENCES oidc_providers (provider_id),
    seq          BIGINT NOT NULL,
    thumbprint   TEXT NOT NULL,
    PRIMARY KEY (provider_id, seq)
);

-- SAML providers: the metadata document as uploaded, and what verifying assertions needs from it, parsed once on
-- upload (the IdP's entity id and its signing certificates, DER). valid_until is the metadata's validUntil, or
-- the default chosen when it has none (see the README).
CREATE TABLE saml_providers (
    provider_id      TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (account_id),
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    metadata         TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    valid_until      BIGINT NOT NULL,
    encryption_mode  TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE saml_signing_certificates (
    provider_id  TEXT NOT NULL REFERENCES saml_providers (provider_id),
    seq          BIGINT NOT NULL,
    der          BYTEA NOT NULL,
    PRIMARY KEY (provider_id, seq)
);

-- The private keys that decrypt encrypted assertions: sealed under the master key named by master_key_id, bound
-- to account, provider and key id (crypto::SamlKeyBinding); never returned, only their ids and dates.
CREATE TABLE saml_private_keys (
    provider_id    TEXT NOT NULL REFERENCES saml_providers (provider_id),
    key_id         TEXT NOT NULL,
    key_sealed     BYTEA NOT NULL,
    master_key_id  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (provider_id, key_id)
);
