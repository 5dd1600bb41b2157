-- The server's own record of authenticated requests, for the service last accessed reports: when each user and
-- role last made an authenticated request for each action (IAM and STS: the services Gatehouse serves), and in
-- which region; written at most once a minute per entity and action. Rows of deleted entities are never read (the
-- reports start from existing entities) and go with them.
CREATE TABLE action_access (
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    last_at     BIGINT NOT NULL,
    region      TEXT NOT NULL,
    PRIMARY KEY (entity_id, action)
);

-- GenerateServiceLastAccessedDetails' jobs: the report is computed when asked for and kept, as JSON, for
-- GetServiceLastAccessedDetails(WithEntities) to page through.
CREATE TABLE access_reports (
    job_id      TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (account_id),
    created_at  BIGINT NOT NULL,
    content     TEXT NOT NULL
);
