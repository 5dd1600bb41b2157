//! Federation: trusting identities that other systems vouch for. OpenID Connect issuers' keys (`oidc`), fetched
//! over HTTPS with AWS's certificate-thumbprint rule (`https`).

pub mod https;
pub mod oidc;
pub mod outbound;
