//! ListPoliciesGrantingServiceAccess: which of the policies an identity holds name actions of each service.

use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use super::policies::{self, Managed};
use crate::errors;
use crate::request::Ctx;
use crate::store::{attachments, groups, inline_policies, roles, users, EntityKind};

/// One policy that grants access, as the operation reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Granting {
    /// An inline policy, with the kind and name of the entity holding it.
    Inline {
        name: String,
        kind: EntityKind,
        entity: String,
    },
    Managed {
        name: String,
        arn: String,
    },
}

/// A policy an identity holds, with its document.
struct Held {
    granting: Granting,
    document: String,
}

async fn held_by(
    conn: &mut AnyConnection,
    account: &str,
    kind: EntityKind,
    id: &str,
    entity: &str,
) -> Result<Vec<Held>, AwsError> {
    let mut out = Vec::new();
    for p in inline_policies::of_entity(&mut *conn, id).await? {
        out.push(Held {
            granting: Granting::Inline { name: p.name, kind, entity: entity.to_string() },
            document: p.document,
        });
    }
    for a in attachments::of_entity(&mut *conn, id).await? {
        let document = match policies::resolve(&mut *conn, account, &a.policy_arn).await? {
            Some(Managed::Aws(p)) => p.document().to_string(),
            Some(Managed::Customer(row)) => {
                match crate::store::policies::version(&mut *conn, &row.policy_id, row.default_version).await? {
                    Some(v) => v.document,
                    None => continue,
                }
            }
            None => continue,
        };
        out.push(Held { granting: Granting::Managed { name: a.policy_name, arn: a.policy_arn }, document });
    }
    Ok(out)
}

/// For each namespace, the policies of the identity `arn` (a user, with its groups' policies, a group or a role) that name
/// one of the service's actions, in the order held: inline before attached, the identity's own before its groups'.
pub async fn granting_service_access(
    ctx: &Ctx,
    arn: &str,
    namespaces: &[String],
) -> Result<Vec<(String, Vec<Granting>)>, AwsError> {
    let parsed = crate::arn::Arn::parse_iam(arn).ok_or_else(|| errors::invalid_arn(arn))?;
    let (kind, rest) = parsed.resource.split_once('/').ok_or_else(|| errors::invalid_arn(arn))?;
    let name = rest.rsplit('/').next().unwrap_or(rest);
    if parsed.account != ctx.account() {
        return Err(errors::invalid_arn(arn));
    }
    let mut op = ctx.begin_read().await?;
    let account = ctx.account().to_string();
    let held = match kind {
        "user" => {
            let user = users::by_name(op.lookup(), &account, name).await?;
            let proof = ctx.authorize("iam:ListPoliciesGrantingServiceAccess", arn)?;
            let user = user.filter(|u| u.arn() == arn).ok_or_else(|| errors::no_such_user(name))?;
            let conn = op.conn(&proof);
            let mut held = held_by(&mut *conn, &account, EntityKind::User, &user.user_id, &user.name).await?;
            for g in groups::of_user(&mut *conn, &user.user_id, "", i64::MAX).await? {
                held.extend(held_by(&mut *conn, &account, EntityKind::Group, &g.group_id, &g.name).await?);
            }
            held
        }
        "group" => {
            let group = groups::by_name(op.lookup(), &account, name).await?;
            let proof = ctx.authorize("iam:ListPoliciesGrantingServiceAccess", arn)?;
            let group = group.filter(|g| g.arn() == arn).ok_or_else(|| errors::no_such_group(name))?;
            held_by(op.conn(&proof), &account, EntityKind::Group, &group.group_id, &group.name).await?
        }
        "role" => {
            let role = roles::by_name(op.lookup(), &account, name).await?;
            let proof = ctx.authorize("iam:ListPoliciesGrantingServiceAccess", arn)?;
            let role = role.filter(|r| r.arn() == arn).ok_or_else(|| errors::no_such_role(name))?;
            held_by(op.conn(&proof), &account, EntityKind::Role, &role.role_id, &role.name).await?
        }
        _ => return Err(errors::invalid_arn(arn)),
    };
    let parsed: Vec<(Granting, Option<gatehouse_policy::PolicyDocument>)> = held
        .into_iter()
        .map(|h| {
            let doc = gatehouse_policy::parse_document(&h.document, gatehouse_policy::PolicyKind::Identity).ok();
            (h.granting, doc)
        })
        .collect();
    Ok(namespaces
        .iter()
        .map(|ns| {
            let mut granting: Vec<Granting> = Vec::new();
            for (g, doc) in &parsed {
                if doc.as_ref().is_some_and(|d| gatehouse_policy::grants_service(d, ns)) && !granting.contains(g) {
                    granting.push(g.clone());
                }
            }
            (ns.clone(), granting)
        })
        .collect())
}
