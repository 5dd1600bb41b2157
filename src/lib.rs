//! Gatehouse: a self-hosted AWS IAM and STS server.
//!
//! Layers, each depending only on those before it: `gatehouse_wire` (Query form decoding, generated shapes,
//! XML), `gatehouse_sigv4` (signature verification), `gatehouse_policy` (policy evaluation), then in this crate
//! `store` (SQLite and Postgres), the domain rules in `domain`, authentication and authorisation (`authn`,
//! `authz`), the operations in `api`, `http` (the axum router), `net` (the accept loop and connection limits) and `server` (wiring and start-up).

pub mod api;
pub mod arn;
pub mod authn;
pub mod authz;
pub mod bootstrap;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod errors;
pub mod federation;
pub mod health;
pub mod http;
pub mod identity;
pub mod ids;
pub mod net;
pub mod origin;
pub mod quotas;
pub mod request;
pub mod secret;
pub mod seed;
pub mod server;
pub mod sessions;
pub mod state;
pub mod store;
pub mod test_idp;
