//! The account alias (the sign-in URL's friendly name): at most one per account, unique across the server's
//! accounts as AWS's are across its partition. CreateAccountAlias replaces the account's alias, as AWS does; the
//! model's pattern (lower-case letters, digits, single hyphens inside) is checked by the decoder.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::request::Ctx;
use crate::store::account_settings as settings;

pub async fn create(ctx: &Ctx, alias: &str) -> Result<(), AwsError> {
    let proof = ctx.authorize("iam:CreateAccountAlias", "*")?;
    let mut tx = ctx.begin_write().await?;
    // Taken by any account, this one included (AWS's answer for a second create of the same alias).
    if settings::alias_holder(tx.conn(&proof), alias).await?.is_some() {
        return Err(iam::errors::entity_already_exists(format!("The account alias {alias} already exists.")));
    }
    settings::set_alias(tx.conn(&proof), ctx.account(), alias, ctx.now).await?;
    tx.commit(&proof).await
}

/// Deletes the alias, which must be the account's own.
pub async fn delete(ctx: &Ctx, alias: &str) -> Result<(), AwsError> {
    let proof = ctx.authorize("iam:DeleteAccountAlias", "*")?;
    let mut tx = ctx.begin_write().await?;
    if settings::alias(tx.conn(&proof), ctx.account()).await?.as_deref() != Some(alias) {
        return Err(iam::errors::no_such_entity(format!("The account alias {alias} cannot be found.")));
    }
    settings::delete_alias(tx.conn(&proof), ctx.account()).await?;
    tx.commit(&proof).await
}

pub async fn list(ctx: &Ctx) -> Result<Vec<String>, AwsError> {
    let proof = ctx.authorize("iam:ListAccountAliases", "*")?;
    let mut op = ctx.begin_read().await?;
    Ok(settings::alias(op.conn(&proof), ctx.account()).await?.into_iter().collect())
}
