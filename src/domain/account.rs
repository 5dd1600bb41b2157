//! The account views over the access model: GetAccountSummary (counts and the quotas in force).

use gatehouse_wire::AwsError;

use crate::request::Ctx;
use crate::store::accounts::{self, Counts};

/// GetAccountSummary: authorised on no particular resource (`*`), as the Service Authorization Reference lists it.
pub async fn summary(ctx: &Ctx) -> Result<Counts, AwsError> {
    let proof = ctx.authorize("iam:GetAccountSummary", "*")?;
    let mut op = ctx.begin_read().await?;
    Ok(accounts::counts(op.conn(&proof), ctx.account()).await?)
}
