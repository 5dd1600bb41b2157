-- Virtual MFA devices. A device is created unassigned; EnableMFADevice assigns it to one user (user_id) after two
-- consecutive codes verify, DeactivateMFADevice unassigns it. The TOTP seed is sealed under the master key named by
-- master_key_id, bound to account and device id (crypto::MfaSeedBinding). last_step is the last TOTP time step a code
-- was accepted at: a code at that step or an earlier one is never accepted again (replay), and the conditional
-- update that advances it decides between two instances racing with one code. drift_steps is what ResyncMFADevice
-- measured between the device's clock and the server's. The serial number is the device's ARN; names are unique
-- per account without regard to case (name_key).
CREATE TABLE mfa_devices (
    device_id      TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (account_id),
    serial_number  TEXT NOT NULL UNIQUE,
    path           TEXT NOT NULL,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    seed_sealed    BYTEA NOT NULL,
    master_key_id  TEXT NOT NULL,
    user_id        TEXT REFERENCES users (user_id),
    enabled_at     BIGINT,
    last_step      BIGINT,
    drift_steps    BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE INDEX mfa_devices_by_user ON mfa_devices (user_id);
