//! The integration tests: one binary, a real server per test, real AWS SDK clients, SQLite and Postgres.
// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

mod access_keys;
mod account_settings;
mod account_views;
mod accounts;
mod assume_role;
mod auth;
mod authorization;
mod certificates;
mod enforcement;
mod groups;
mod health;
mod held_policies;
mod identity_providers;
mod instance_profiles;
mod instances;
mod last_accessed;
mod limits;
mod mfa;
mod not_offered_here;
mod origin;
mod outbound_federation;
mod passwords;
mod policies;
mod roles;
mod root_keys;
mod saml;
mod sdk_providers;
mod seed;
mod service_credentials;
mod service_linked_roles;
mod simulate;
mod simulate_principal;
mod ssh_keys;
mod startup;
mod store;
mod sts;
mod tampering;
mod user_sessions;
mod users;
mod web_identity;
