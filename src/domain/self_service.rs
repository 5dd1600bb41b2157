//! The account password policy's AllowUsersToChangePassword as AWS applies it. The IAM User Guide ("Permit IAM
//! users to change their own passwords") offers two ways: turn the setting on, and every IAM user of the account
//! may change its own password (and, to pick one that complies, read the password policy); or leave it off and
//! grant iam:ChangePassword to chosen users. So with the setting on, an IAM user decides as if it also held a
//! policy allowing iam:ChangePassword on itself and iam:GetAccountPasswordPolicy; its explicit denies still win.

use std::sync::Arc;

use gatehouse_policy::{CompiledPolicy, PolicyKind};
use gatehouse_wire::AwsError;

use crate::authz::Authorized;
use crate::request::Ctx;

/// The policy the setting stands for, for the user `user_arn`.
fn granted_by_setting(user_arn: &str) -> Result<CompiledPolicy, AwsError> {
    let document = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Effect": "Allow", "Action": "iam:ChangePassword", "Resource": user_arn },
            { "Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*" },
        ],
    });
    CompiledPolicy::compile(&document.to_string(), PolicyKind::Identity, "AllowUsersToChangePassword").map_err(|e| {
        tracing::error!(error = %e, "the AllowUsersToChangePassword grant does not compile");
        gatehouse_wire::iam::errors::service_failure("Service failure.")
    })
}

/// Decides `action` on `resource`; when `users_may_change` (the account's policy allows users to change their
/// passwords) and the caller is an IAM user, with the setting's grant as well.
pub fn authorize(
    ctx: &Ctx,
    action: &'static str,
    resource: &str,
    users_may_change: bool,
) -> Result<Authorized, AwsError> {
    let is_user = ctx.caller.user_name().is_some();
    if !(users_may_change && is_user) {
        return ctx.authorize(action, resource);
    }
    let grant = granted_by_setting(&ctx.caller.arn())?;
    ctx.authorize_also_granted(action, resource, Arc::new(grant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grant_compiles_for_any_user_arn() {
        assert!(granted_by_setting("arn:aws:iam::000000000000:user/a/b+c=d,e.f@g-h_i").is_ok());
    }
}
