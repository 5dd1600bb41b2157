-- ListPolicies reads every boundary in use in the account (`policies::boundary_usage_all`: PermissionsBoundaryUsageCount
-- and the PolicyUsageFilter), and GetPolicy counts the users and roles with its policy as boundary
-- (`policies::boundary_usage`). Without these indexes both walk every user and role of the account (100,000 users:
-- 15-40 ms per ListPolicies page on SQLite, a sequential scan on Postgres); with them they read only the users and
-- roles that have a boundary.
CREATE INDEX users_by_boundary ON users (account_id, permissions_boundary);
CREATE INDEX roles_by_boundary ON roles (account_id, permissions_boundary);
