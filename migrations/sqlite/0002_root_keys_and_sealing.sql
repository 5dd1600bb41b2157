-- Hardening of access keys (issue: security defects of the foundation).
--
-- owner_kind is the explicit root marker: only 'root' means the account's root user, so a key whose user row is
-- missing (or whose user_id was cleared) can never authenticate as root.
ALTER TABLE access_keys ADD COLUMN owner_kind TEXT NOT NULL DEFAULT 'user';
UPDATE access_keys SET owner_kind = 'root' WHERE user_id IS NULL;

-- The sealing format of secret_sealed: 1 bound the secret to the access key id only; 2 binds it to the account, the
-- owner and the key id. Rows of format 1 still open (with the old rule) and are re-sealed on first use.
ALTER TABLE access_keys ADD COLUMN seal_version BIGINT NOT NULL DEFAULT 1;

-- Which root key the environment (GATEHOUSE_ROOT_ACCESS_KEY_ID) configured last, so that configuring another id
-- deactivates the previous one instead of leaving it active.
ALTER TABLE accounts ADD COLUMN configured_root_key_id TEXT;

-- Access key ids deleted through the API. A start never brings back a configured root key that was deleted, and no
-- id is ever issued twice.
CREATE TABLE deleted_access_keys (
    access_key_id  TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    deleted_at     BIGINT NOT NULL
);
