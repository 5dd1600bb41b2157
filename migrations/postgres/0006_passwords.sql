-- Console passwords (the passwords family). Booleans are BIGINT 0/1, as elsewhere, so that one query serves both
-- stores through sqlx's Any driver.
--
-- The account password policy, at most one per account. max_password_age and password_reuse_prevention are NULL
-- when not set (AWS omits them from GetAccountPasswordPolicy then); hard_expiry is NULL when the request left it
-- out, because AWS shows HardExpiry only when it was given.
CREATE TABLE password_policies (
    account_id                  TEXT PRIMARY KEY REFERENCES accounts (account_id),
    minimum_password_length     BIGINT NOT NULL,
    require_symbols             BIGINT NOT NULL,
    require_numbers             BIGINT NOT NULL,
    require_uppercase           BIGINT NOT NULL,
    require_lowercase           BIGINT NOT NULL,
    allow_users_to_change       BIGINT NOT NULL,
    max_password_age            BIGINT,
    password_reuse_prevention   BIGINT,
    hard_expiry                 BIGINT
);

-- A user's login profile: its current password as an argon2id PHC string (algorithm, parameters and salt recorded
-- in the string, so they can be raised later and old hashes still verify), when the profile was made and when the
-- password was last set (MaxPasswordAge counts from there).
CREATE TABLE login_profiles (
    user_id                  TEXT PRIMARY KEY REFERENCES users (user_id),
    password_hash            TEXT NOT NULL,
    password_reset_required  BIGINT NOT NULL,
    created_at               BIGINT NOT NULL,
    password_set_at          BIGINT NOT NULL
);

-- The hashes of a user's most recent passwords, the current one included, for PasswordReusePrevention: at most as
-- many as the account's policy keeps (seq orders them, newest highest).
CREATE TABLE password_history (
    user_id        TEXT NOT NULL REFERENCES users (user_id),
    seq            BIGINT NOT NULL,
    password_hash  TEXT NOT NULL,
    set_at         BIGINT NOT NULL,
    PRIMARY KEY (user_id, seq)
);
