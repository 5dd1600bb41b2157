//! The STS operations whose inputs only AWS itself could have made, and GetAccessKeyInfo.
//!
//! - DecodeAuthorizationMessage decodes the encoded messages some AWS services attach to their denials. IAM and STS
//!   never encode theirs (Gatehouse's denials say everything in the message), so no message can be one of ours:
//!   AWS's `InvalidAuthorizationMessageException` for any input.
//! - GetDelegatedAccessToken trades in a token AWS gives its partners: none can have been issued here, so any
//!   token is AWS's `ExpiredTradeInTokenException` (the only answer the model has for a token that cannot be used).
//! - AssumeRoot needs an AWS Organizations management account with centralized root access: no account hosted here
//!   is in an organization, so it is refused in STS's denial form.
//!
//! Each is decided first, as AWS authorises it; the wording of the refusals is ours (AWS's is unrecorded).

use gatehouse_wire::sts::{self, errors as sts_errors};
use gatehouse_wire::AwsError;

use crate::authz::Facts;
use crate::request::Ctx;
use crate::store::keys;

pub fn decode_authorization_message(ctx: &Ctx) -> Result<sts::DecodeAuthorizationMessageResponse, AwsError> {
    ctx.authorize("sts:DecodeAuthorizationMessage", "*")?;
    Err(sts_errors::invalid_authorization_message(
        "The message passed to DecodeAuthorizationMessage is not an encoded authorization message.",
    ))
}

pub fn get_delegated_access_token(ctx: &Ctx) -> Result<sts::GetDelegatedAccessTokenResponse, AwsError> {
    ctx.authorize("sts:GetDelegatedAccessToken", "*")?;
    Err(sts_errors::expired_trade_in_token(
        "The trade-in token provided in the request has expired and can no longer be exchanged for credentials.",
    ))
}

pub fn assume_root(ctx: &Ctx, req: &sts::AssumeRootRequest) -> Result<sts::AssumeRootResponse, AwsError> {
    let target = format!("arn:aws:iam::{}:root", req.target_principal);
    let task = req.task_policy_arn.arn.as_deref().unwrap_or_default();
    // Decided (and logged in audit mode) like any action; refused either way, in STS's form without a reason.
    let _ = ctx.authorize_with("sts:AssumeRoot", &target, &Facts::new().key("sts:TaskPolicyArn", task));
    Err(AwsError::access_denied(format!(
        "User: {} is not authorized to perform: sts:AssumeRoot on resource: {target}",
        ctx.caller.arn()
    )))
}

/// GetAccessKeyInfo: the account of any access key id. A key stored here answers with its account (whatever its
/// state, as AWS's); any other key id in AWS's form answers with the account it encodes, as AWS's does
/// (`ids::account_of_key_id`); anything else is no key id (`InvalidParameterValue`, our words).
pub async fn get_access_key_info(ctx: &Ctx, access_key_id: &str) -> Result<String, AwsError> {
    let proof = ctx.authorize("sts:GetAccessKeyInfo", "*")?;
    let mut op = ctx.begin_read().await?;
    if let Some(k) = keys::by_id(op.conn(&proof), access_key_id).await? {
        return Ok(k.account_id);
    }
    crate::ids::account_of_key_id(access_key_id)
        .ok_or_else(|| AwsError::invalid_parameter_value(format!("The access key ID {access_key_id} is not valid.")))
}
