//! Federation: trusting identities that other systems vouch for. OpenID Connect issuers' keys (`oidc`), fetched
//! over HTTPS with AWS's certificate-thumbprint rule (`https`); XML signatures of SAML assertions (`xmldsig`) and their encryption (`xmlenc`).

pub mod https;
pub mod oidc;
pub mod outbound;
pub mod xmldsig;
pub mod xmlenc;
