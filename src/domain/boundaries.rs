//! Permissions boundaries of users and roles: which managed policies may serve as one.

use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use crate::errors;

/// Checks that `arn` names a managed policy that can be a boundary in `account` (a customer policy of the
/// account, or an AWS managed one), with AWS's errors for an ARN that names no policy and for one that does not
/// exist. Called in the write's transaction, so the policy cannot vanish before the change commits.
pub async fn check(conn: &mut AnyConnection, account: &str, arn: &str) -> Result<(), AwsError> {
    let _ = (conn, account);
    let is_policy_arn = crate::arn::Arn::parse_iam(arn).is_some_and(|a| a.resource.starts_with("policy/"));
    if !is_policy_arn {
        return Err(errors::invalid_arn(arn));
    }
    // Managed policies arrive with the policies slice; until then none exists to serve as a boundary.
    Err(errors::boundary_not_attachable(arn))
}
