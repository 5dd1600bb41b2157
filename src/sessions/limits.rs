//! What temporary credentials may never call, whatever their policies say (AWS's fixed rules, STS API reference
//! for GetSessionToken and GetFederationToken):
//! - no temporary credentials may call GetSessionToken or GetFederationToken;
//! - GetSessionToken's may call no IAM operation unless the session was made with MFA, and of STS only
//!   AssumeRole and GetCallerIdentity;
//! - GetFederationToken's may call no IAM operation, and of STS only GetCallerIdentity.
//!
//! IAM refuses them as a token it does not accept (`InvalidClientTokenId`, as AWS answers it); STS with
//! `Cannot call GetSessionToken with session credentials` (recorded for GetSessionToken; the same words for the
//! other operations, our reading).

use gatehouse_wire::AwsError;

use super::SessionKind;
use crate::identity::Caller;

pub fn check(caller: &Caller, service: &str, action: &str) -> Result<(), AwsError> {
    let Some(session) = &caller.session else { return Ok(()) };
    let refused = || AwsError::access_denied(format!("Cannot call {action} with session credentials"));
    let sts_allowed: &[&str] = match session.kind {
        SessionKind::Role => &["*"],
        SessionKind::SessionToken => &["AssumeRole", "GetCallerIdentity"],
        SessionKind::Federated => &["GetCallerIdentity"],
    };
    let iam_allowed = match session.kind {
        SessionKind::Role => true,
        SessionKind::SessionToken => session.mfa_at.is_some(),
        SessionKind::Federated => false,
    };
    match service {
        "sts" if matches!(action, "GetSessionToken" | "GetFederationToken") => Err(refused()),
        "sts" if !sts_allowed.iter().any(|a| *a == "*" || *a == action) => Err(refused()),
        "iam" if !iam_allowed => Err(AwsError::invalid_client_token_id()),
        _ => Ok(()),
    }
}
