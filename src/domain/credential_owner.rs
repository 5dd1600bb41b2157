//! Whose SSH keys, signing certificates or service-specific credentials an operation acts on: the named user, or
//! when the optional UserName is left out, the calling IAM user (AWS: "the user name is determined implicitly
//! based on the Amazon Web Services access key ID used to sign the request").

use gatehouse_wire::AwsError;

use super::users::authorized_user;
use crate::authz::Authorized;
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::users::UserRow;

/// Authorises `action` on the user first (so that a caller without permission learns nothing), then requires that
/// the user exists. A caller that is no IAM user (the root user, a role session) must name one: Gatehouse keeps
/// these credentials for IAM users only.
pub async fn owning_user<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    user_name: Option<&str>,
) -> Result<(Authorized, UserRow), AwsError> {
    let name = match (user_name, ctx.caller.user_name()) {
        (Some(n), _) | (None, Some(n)) => n.to_string(),
        (None, None) => {
            if ctx.caller.is_root() {
                ctx.authorize(action, &crate::arn::root(ctx.account()))?;
            }
            return Err(errors::must_specify_user_name());
        }
    };
    authorized_user(ctx, op, action, &name).await
}
