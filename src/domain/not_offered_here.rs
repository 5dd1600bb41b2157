//! The IAM operations whose features exist only inside AWS's own organisation of accounts and partners, answered
//! as AWS answers an account that has none of them (the IAM twin of `not_issued_here.rs`):
//!
//! - AWS Organizations (centralized root access: List/Enable/Disable OrganizationsFeatures, RootSessions,
//!   RootCredentialsManagement; the Organizations access report): no account hosted here belongs to an
//!   organization, so each is the model's `OrganizationNotFoundException`, in the model's words.
//! - Role templates (GetRoleTemplateVersion, AcquireRole) name templates that AWS publishes under
//!   `arn:aws:iam::aws:role-template/...`; none is published here, so any template is `NoSuchEntity`.
//! - Delegation requests (Create/Get/List/Accept/Reject/Associate/Update, SendDelegationToken) and
//!   GetHumanReadableSummary (an LLM summary of one) are for partners AWS has onboarded: no account here is, so no
//!   request can be created or exist; listings are empty.
//! - Account properties (Role Manager settings): the model names no property, so none is known; GetAccountProperties
//!   answers none and PutAccountProperties refuses each key.
//!
//! Each is decided first, as AWS authorises it. The words are the model's where it has them, ours otherwise (the
//! README lists them).

use std::collections::BTreeMap;

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::request::Ctx;

/// Decides the operation's action on its default resource (the ARN template with what the request names).
fn decide(ctx: &Ctx, resource: &str) -> Result<(), AwsError> {
    ctx.authorize(ctx.op.action, resource).map(drop)
}

/// Every Organizations feature: the account is in no organization.
pub fn organizations(ctx: &Ctx) -> AwsError {
    if let Err(denied) = decide(ctx, &ctx.default_resource()) {
        return denied;
    }
    iam::errors::organization_not_found(
        "The request was rejected because no organization is associated with your account.",
    )
}

/// GetOrganizationsAccessReport: no report was ever generated (GenerateOrganizationsAccessReport is refused).
pub fn organizations_access_report(ctx: &Ctx, job_id: &str) -> AwsError {
    if let Err(denied) = decide(ctx, "*") {
        return denied;
    }
    iam::errors::no_such_entity(format!("The report with job ID {job_id} cannot be found."))
}

pub fn role_template(ctx: &Ctx, template_arn: &str) -> AwsError {
    if let Err(denied) = decide(ctx, template_arn) {
        return denied;
    }
    iam::errors::no_such_entity(format!("The role template {template_arn} cannot be found."))
}

fn delegation_arn(ctx: &Ctx, id: &str) -> String {
    format!("arn:aws:iam::{}:delegation-request/{id}", ctx.account())
}

/// Any operation on one delegation request: none exists.
pub fn delegation_request(ctx: &Ctx, id: &str) -> AwsError {
    if let Err(denied) = decide(ctx, &delegation_arn(ctx, id)) {
        return denied;
    }
    iam::errors::no_such_entity(format!("The delegation request with ID {id} cannot be found."))
}

pub fn create_delegation_request(ctx: &Ctx) -> AwsError {
    if let Err(denied) = decide(ctx, &ctx.default_resource()) {
        return denied;
    }
    iam::errors::invalid_input("This account is not onboarded for delegation requests.")
}

pub fn list_delegation_requests(ctx: &Ctx) -> Result<(), AwsError> {
    decide(ctx, "*")
}

/// GetHumanReadableSummary: the only entity type it summarises is a delegation request, and none exists.
pub fn human_readable_summary(ctx: &Ctx, entity_arn: &str) -> AwsError {
    if let Err(denied) = decide(ctx, entity_arn) {
        return denied;
    }
    if !entity_arn.contains(":delegation-request/") {
        return iam::errors::invalid_input("Only delegation-request entities can be summarized.");
    }
    iam::errors::no_such_entity(format!("The entity {entity_arn} cannot be found."))
}

pub fn account_properties(ctx: &Ctx) -> Result<BTreeMap<String, String>, AwsError> {
    decide(ctx, "*")?;
    Ok(BTreeMap::new())
}

pub fn put_account_properties(ctx: &Ctx, properties: &BTreeMap<String, String>) -> Result<(), AwsError> {
    decide(ctx, "*")?;
    match properties.keys().next() {
        Some(key) => Err(iam::errors::invalid_input(format!("The account property {key} is not supported."))),
        None => Ok(()),
    }
}
