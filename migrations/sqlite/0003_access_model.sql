-- The access model (groups, roles, managed and inline policies, attachments, instance profiles). Every entity keeps
-- its name's case in `name` and is unique per account and kind through `name_key` (lowercased), as IAM compares
-- names without regard to case. (`iam_groups`, because GROUPS is a keyword of window frames in both dialects.)
CREATE TABLE iam_groups (
    group_id    TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (account_id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE group_members (
    group_id    TEXT NOT NULL REFERENCES iam_groups (group_id),
    user_id     TEXT NOT NULL REFERENCES users (user_id),
    account_id  TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);

-- Roles. service_name is set for service-linked roles only (the service principal that owns the role); such roles
-- refuse the changes AWS refuses for them.
CREATE TABLE roles (
    role_id               TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts (account_id),
    name                  TEXT NOT NULL,
    name_key              TEXT NOT NULL,
    path                  TEXT NOT NULL,
    trust_policy          TEXT NOT NULL,
    description           TEXT,
    max_session_duration  BIGINT NOT NULL,
    permissions_boundary  TEXT,
    service_name          TEXT,
    created_at            BIGINT NOT NULL,
    last_used_at          BIGINT,
    last_used_region      TEXT,
    UNIQUE (account_id, name_key)
);

-- Customer managed policies. Their names are unique per account whatever the path. Versions are numbered
-- v1, v2, ... from next_version, never reused.
CREATE TABLE managed_policies (
    policy_id           TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL,
    path                TEXT NOT NULL,
    arn                 TEXT NOT NULL,
    description         TEXT,
    default_version     BIGINT NOT NULL,
    next_version        BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (account_id, name_key),
    UNIQUE (arn)
);

CREATE TABLE policy_versions (
    policy_id   TEXT NOT NULL REFERENCES managed_policies (policy_id),
    version     BIGINT NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version)
);

-- Managed policies attached to users, groups and roles (entity_kind 'user', 'group', 'role'), keyed by the entity's
-- unique id and the policy's ARN: AWS managed policies live in the built-in catalogue, not in managed_policies, so
-- the ARN is the one key both kinds share.
CREATE TABLE policy_attachments (
    entity_id    TEXT NOT NULL,
    entity_kind  TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (account_id),
    policy_arn   TEXT NOT NULL,
    policy_name  TEXT NOT NULL,
    attached_at  BIGINT NOT NULL,
    PRIMARY KEY (entity_id, policy_arn)
);
CREATE INDEX policy_attachments_by_policy ON policy_attachments (account_id, policy_arn);

-- Inline policies of users, groups and roles, keyed by the entity's unique id and the policy name.
CREATE TABLE inline_policies (
    entity_id    TEXT NOT NULL,
    entity_kind  TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (account_id),
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (entity_id, name_key)
);

CREATE TABLE instance_profiles (
    instance_profile_id  TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts (account_id),
    name                 TEXT NOT NULL,
    name_key             TEXT NOT NULL,
    path                 TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE instance_profile_roles (
    instance_profile_id  TEXT NOT NULL REFERENCES instance_profiles (instance_profile_id),
    role_id              TEXT NOT NULL REFERENCES roles (role_id),
    PRIMARY KEY (instance_profile_id, role_id)
);
CREATE INDEX instance_profile_roles_by_role ON instance_profile_roles (role_id);

-- DeleteServiceLinkedRole's tasks, for GetServiceLinkedRoleDeletionStatus.
CREATE TABLE role_deletion_tasks (
    deletion_task_id  TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (account_id),
    role_name         TEXT NOT NULL,
    status            TEXT NOT NULL,
    reason            TEXT,
    created_at        BIGINT NOT NULL
);
