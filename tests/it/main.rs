//! The integration tests: one binary, a real server per test, real AWS SDK clients, SQLite and Postgres.

mod harness;

mod access_keys;
mod auth;
mod store;
mod sts;
mod users;
