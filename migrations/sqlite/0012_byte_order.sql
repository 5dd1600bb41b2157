-- A PathPrefix other than "/" is the range [prefix, the prefix's successor) of paths (`store::prefix`): with these
-- indexes a narrow prefix reads only its paths (then orders them by name) instead of walking the account's names.
-- PathPrefix "/" (every path) has no path condition at all and walks the (account_id, name_key) index. (Postgres's
-- 0012 also makes the ordered columns compare bytewise, as SQLite's BINARY does already.)
CREATE INDEX users_by_path ON users (account_id, path);
CREATE INDEX iam_groups_by_path ON iam_groups (account_id, path);
CREATE INDEX roles_by_path ON roles (account_id, path);
CREATE INDEX managed_policies_by_path ON managed_policies (account_id, path);
CREATE INDEX instance_profiles_by_path ON instance_profiles (account_id, path);
CREATE INDEX server_certificates_by_path ON server_certificates (account_id, path);
