-- Accounts, users, tags and access keys. Timestamps are unix milliseconds (BIGINT) in both dialects so that
-- one set of queries serves SQLite and Postgres; names keep their case in `name` and are unique per account
-- through `name_key` (lowercased), because IAM names are case-insensitive for uniqueness.
CREATE TABLE accounts (
    account_id  TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL,
    -- Bumped by every write in the account; instances compare it to know when cached state is stale.
    revision    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    user_id               TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts (account_id),
    name                  TEXT NOT NULL,
    name_key              TEXT NOT NULL,
    path                  TEXT NOT NULL,
    permissions_boundary  TEXT,
    created_at            BIGINT NOT NULL,
    password_last_used    BIGINT,
    UNIQUE (account_id, name_key)
);

-- Tags of every taggable entity, keyed by the entity's unique id (AIDA..., AROA..., ...). Tag keys are unique per
-- resource regardless of case, as in IAM; `seq` keeps the order in which keys were first added.
CREATE TABLE tags (
    resource_id  TEXT NOT NULL,
    key_lower    TEXT NOT NULL,
    tag_key      TEXT NOT NULL,
    tag_value    TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (resource_id, key_lower)
);

-- Long-term access keys of users and of each account's root user (user_id NULL). The secret is sealed with
-- AES-256-GCM under the master key named by master_key_id, with the access key id as associated data.
CREATE TABLE access_keys (
    access_key_id      TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (account_id),
    user_id            TEXT REFERENCES users (user_id),
    secret_sealed      BLOB NOT NULL,
    master_key_id      TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    last_used_at       BIGINT,
    last_used_service  TEXT,
    last_used_region   TEXT
);
CREATE INDEX access_keys_by_user ON access_keys (account_id, user_id);
