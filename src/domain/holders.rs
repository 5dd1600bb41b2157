//! Users, groups and roles hold policies: inline ones (Put/Get/List/Delete{User,Group,Role}Policy) and attached
//! managed ones (Attach/Detach/ListAttached{User,Group,Role}Policies). The rules are written once, in
//! `inline_policies` and `attachments`, over this trait; each kind only says how to find one of its entities.

use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::users::UserRow;
use crate::store::{attachments, inline_policies, EntityKind};

/// One user, group or role as the policy rules see it.
#[derive(Debug, Clone)]
pub struct Holder {
    pub kind: EntityKind,
    /// The unique id (AIDA..., AGPA..., AROA...) that its policies are stored under.
    pub id: String,
    pub name: String,
    pub arn: String,
    /// Service-linked roles: only their service may change their policies (`UnmodifiableEntity`).
    pub protected: bool,
}

/// A kind of entity that holds policies: how to find one by name (in the operation's transaction) and decide an
/// action on it (authorised on its ARN before its existence is revealed), requiring then that it exists.
pub trait PolicyHolder {
    const KIND: EntityKind;

    fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> impl std::future::Future<Output = Result<(Authorized, Holder), AwsError>> + Send;
}

/// DeleteUser, DeleteGroup and DeleteRole wait while the entity holds policies: inline ones (`must delete policies
/// first`), then attached ones (`must detach all policies first`), as AWS checks them.
pub async fn refuse_while_holding_policies(conn: &mut AnyConnection, entity_id: &str) -> Result<(), AwsError> {
    if inline_policies::any_for(&mut *conn, entity_id).await? {
        return Err(errors::delete_conflict("delete policies"));
    }
    if attachments::any_for(conn, entity_id).await? {
        return Err(errors::delete_conflict("detach all policies"));
    }
    Ok(())
}

/// Users hold policies under their user id.
pub struct Users;

impl PolicyHolder for Users {
    const KIND: EntityKind = EntityKind::User;

    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, Holder), AwsError> {
        let (proof, user) = super::named::authorized_with::<UserRow, C>(ctx, op, action, name, facts).await?;
        let arn = user.arn();
        Ok((proof, Holder { kind: EntityKind::User, id: user.user_id, name: user.name, arn, protected: false }))
    }
}
