-- Lists page in name order and resume after a marker, and ListX's PathPrefix is a range of paths: both are
-- comparisons of text, which Postgres makes in the database's collation. The postgres image's default, en_US.utf8,
-- orders linguistically ("ab" before "a-b", "/" ignored at the first level), so the same store would list in another
-- order than SQLite (bytewise), and a path range would not be a prefix. Every text column the server orders or
-- ranges over compares bytewise ("C") whatever the database's default. SQLite compares bytewise already (BINARY):
-- its 0012 has only the indexes.
ALTER TABLE users ALTER COLUMN name_key TYPE TEXT COLLATE "C", ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE iam_groups ALTER COLUMN name_key TYPE TEXT COLLATE "C", ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE roles ALTER COLUMN name_key TYPE TEXT COLLATE "C", ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE managed_policies ALTER COLUMN name_key TYPE TEXT COLLATE "C", ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE instance_profiles ALTER COLUMN name_key TYPE TEXT COLLATE "C", ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE server_certificates ALTER COLUMN name_lower TYPE TEXT COLLATE "C", ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE mfa_devices ALTER COLUMN serial_number TYPE TEXT COLLATE "C", ALTER COLUMN name_key TYPE TEXT COLLATE "C";
ALTER TABLE inline_policies ALTER COLUMN name_key TYPE TEXT COLLATE "C";
ALTER TABLE saml_providers ALTER COLUMN name_key TYPE TEXT COLLATE "C";
ALTER TABLE policy_attachments ALTER COLUMN policy_arn TYPE TEXT COLLATE "C";
ALTER TABLE oidc_providers ALTER COLUMN url TYPE TEXT COLLATE "C";

-- A PathPrefix other than "/" is the range [prefix, the prefix's successor) of paths (`store::prefix`): with these
-- indexes a narrow prefix reads only its paths (then orders them by name) instead of walking the account's names.
-- PathPrefix "/" (every path) has no path condition at all and walks the (account_id, name_key) index.
CREATE INDEX users_by_path ON users (account_id, path);
CREATE INDEX iam_groups_by_path ON iam_groups (account_id, path);
CREATE INDEX roles_by_path ON roles (account_id, path);
CREATE INDEX managed_policies_by_path ON managed_policies (account_id, path);
CREATE INDEX instance_profiles_by_path ON instance_profiles (account_id, path);
CREATE INDEX server_certificates_by_path ON server_certificates (account_id, path);
