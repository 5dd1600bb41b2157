//! The identities the ops need, made through the API itself (signed with the endpoint's key) before an
//! endpoint's first round and removed after its last. An identity left by an interrupted run is reused, not an
//! error; removal takes away whatever is there, reused or new.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::load::{self, exchange, iam, sts, Conn, Endpoint, LoadConfig, Needs, Outcome};
use crate::sign::Signer;
use crate::xml;

/// The user the user ops read (`get-user` of it as the role, `list-attached-user-policies`, the simulation).
pub const USER: &str = "gatehouse-bench-user";
/// The customer managed policy attached to [`USER`].
pub const POLICY: &str = "gatehouse-bench-read";
/// The role `assume-role` assumes.
pub const ROLE: &str = "gatehouse-bench-role";
/// The role's inline policy.
pub const ROLE_POLICY: &str = "gatehouse-bench-get-user";
/// The user's inline policy that lets it assume the role.
pub const USER_ASSUME_POLICY: &str = "gatehouse-bench-assume";
/// Every `AssumeRole`'s `RoleSessionName`.
pub const SESSION_NAME: &str = "gatehouse-bench";
/// The path of the users `create-delete-user` makes, so removal finds any an interrupted pair left.
pub const SCRATCH_PATH: &str = "/gatehouse-bench/";
/// The start of their names.
pub const SCRATCH_PREFIX: &str = "gatehouse-bench-cd-";

const READ_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:Simulate*"],"Resource":"*"}]}"#;
const ROLE_INLINE_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;

/// The user's permission to assume the role (the trust policy delegates to the account's own policies).
fn assume_policy(role_arn: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{role_arn}"}}]}}"#
    )
}

/// The role's trust policy: the account's principals (its root, and whoever it allows) may assume it.
fn trust_policy(account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// What the set-up made (or found) at one endpoint; empty fields for what the ops did not need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identities {
    pub account: String,
    pub user_arn: String,
    pub policy_arn: String,
    pub role_arn: String,
    /// The user's access key, which assumes the role.
    pub user_key: Credentials,
}

/// A failed API call: the action and the AWS error code and message, or why there was no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub action: &'static str,
    /// `None` when no answer came.
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} answered HTTP {status} {}: {}", self.action, self.code, self.message),
            None => write!(f, "{} got no answer ({})", self.action, self.code),
        }
    }
}

impl ApiError {
    fn is(&self, code: &str) -> bool {
        self.code == code
    }

    fn from_outcome(action: &'static str, outcome: Outcome) -> Result<Bytes, ApiError> {
        match outcome {
            Outcome::Ok(body) => Ok(body),
            Outcome::Refused { status, code, message } => Err(ApiError { action, status: Some(status), code, message }),
            Outcome::NoAnswer(what) => {
                Err(ApiError { action, status: None, code: what.to_owned(), message: String::new() })
            }
        }
    }
}

/// An access key: the user's (no token), or temporary credentials from an `AssumeRole` answer.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// The credentials of an `AssumeRole` answer (`<Credentials>` holds the only elements of these names).
pub fn parse_credentials(body: &[u8]) -> Option<Credentials> {
    let non_empty = |tag| xml::element(body, tag).filter(|v| !v.is_empty());
    Some(Credentials {
        access_key_id: non_empty("AccessKeyId")?,
        secret_access_key: non_empty("SecretAccessKey")?,
        session_token: non_empty("SessionToken")?,
    })
}

/// `AssumeRole` of `role_arn` as [`SESSION_NAME`].
pub fn assume_role_body(role_arn: &str) -> String {
    sts("AssumeRole", &[("RoleArn", role_arn), ("RoleSessionName", SESSION_NAME)])
}

/// `AssumeRole` on `conn`, signed by `signer` (for sts).
pub(crate) async fn assume_role(
    conn: &mut Conn,
    signer: &mut Signer,
    role_arn: &str,
    timeout: Duration,
) -> Result<Credentials, ApiError> {
    let outcome = exchange(conn, signer, &Bytes::from(assume_role_body(role_arn)), timeout).await;
    let body = ApiError::from_outcome("AssumeRole", outcome)?;
    parse_credentials(&body).ok_or_else(|| ApiError {
        action: "AssumeRole",
        status: Some(200),
        code: "-".into(),
        message: "no AccessKeyId, SecretAccessKey and SessionToken in the answer".into(),
    })
}

/// Calls to one endpoint, signed with its key, one after the other on one connection.
struct Api {
    conn: Conn,
    iam: Signer,
    sts: Signer,
    timeout: Duration,
}

impl Api {
    async fn new(endpoint: &Endpoint, config: &LoadConfig) -> Self {
        Api {
            conn: Conn::open(&endpoint.authority).await,
            iam: endpoint.signer(config, "iam"),
            sts: endpoint.signer(config, "sts"),
            timeout: config.request_timeout,
        }
    }

    async fn iam(&mut self, action: &'static str, params: &[(&str, &str)]) -> Result<Bytes, ApiError> {
        let body = Bytes::from(iam(action, params));
        ApiError::from_outcome(action, exchange(&mut self.conn, &mut self.iam, &body, self.timeout).await)
    }

    async fn sts(&mut self, action: &'static str, params: &[(&str, &str)]) -> Result<Bytes, ApiError> {
        let body = Bytes::from(sts(action, params));
        ApiError::from_outcome(action, exchange(&mut self.conn, &mut self.sts, &body, self.timeout).await)
    }

    /// The `<Arn>` of what `create` made, or if it exists already, of what `get` reads.
    async fn create_or_get(
        &mut self,
        create: (&'static str, &[(&str, &str)]),
        get: (&'static str, &[(&str, &str)]),
    ) -> Result<String, ApiError> {
        let body = match self.iam(create.0, create.1).await {
            Err(e) if e.is("EntityAlreadyExists") => self.iam(get.0, get.1).await?,
            other => other?,
        };
        xml::element(&body, "Arn").ok_or_else(|| ApiError {
            action: create.0,
            status: Some(200),
            code: "-".into(),
            message: "no <Arn> in the answer".into(),
        })
    }

    /// Like [`Api::iam`], with a missing entity as success: what removal wants gone is gone.
    async fn delete(&mut self, action: &'static str, params: &[(&str, &str)]) -> Result<(), ApiError> {
        match self.iam(action, params).await {
            Err(e) if e.is("NoSuchEntity") => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

/// Makes (or finds) what `needs` asks for at `endpoint`, filling `ids` as it goes, so that a failure half-way
/// leaves in `ids` what removal must take away.
pub async fn set_up(
    endpoint: &Endpoint,
    config: &LoadConfig,
    needs: Needs,
    ids: &mut Identities,
) -> Result<(), ApiError> {
    if !needs.any() {
        return Ok(());
    }
    let mut api = Api::new(endpoint, config).await;
    if needs.account || needs.user || needs.policy || needs.role {
        let body = api.sts("GetCallerIdentity", &[]).await?;
        ids.account = xml::element(&body, "Account").filter(|a| !a.is_empty()).ok_or_else(|| ApiError {
            action: "GetCallerIdentity",
            status: Some(200),
            code: "-".into(),
            message: "no <Account> in the answer".into(),
        })?;
    }
    if needs.user || needs.policy {
        let user = [("UserName", USER)];
        ids.user_arn = api.create_or_get(("CreateUser", &user), ("GetUser", &user)).await?;
    }
    if needs.policy {
        let arn = format!("arn:aws:iam::{}:policy/{POLICY}", ids.account);
        let create = [("PolicyName", POLICY), ("PolicyDocument", READ_POLICY)];
        ids.policy_arn = api.create_or_get(("CreatePolicy", &create), ("GetPolicy", &[("PolicyArn", &arn)])).await?;
        api.iam("AttachUserPolicy", &[("UserName", USER), ("PolicyArn", &ids.policy_arn)]).await?;
    }
    if needs.role {
        let trust = trust_policy(&ids.account);
        let create = [("RoleName", ROLE), ("AssumeRolePolicyDocument", &trust)];
        ids.role_arn = api.create_or_get(("CreateRole", &create), ("GetRole", &[("RoleName", ROLE)])).await?;
        let inline = [("RoleName", ROLE), ("PolicyName", ROLE_POLICY), ("PolicyDocument", ROLE_INLINE_POLICY)];
        api.iam("PutRolePolicy", &inline).await?;
        let assume = assume_policy(&ids.role_arn);
        let inline = [("UserName", USER), ("PolicyName", USER_ASSUME_POLICY), ("PolicyDocument", &assume)];
        api.iam("PutUserPolicy", &inline).await?;
        // A user has at most two keys: those of an interrupted run go first (their secrets are lost anyway).
        if let Some(error) = delete_access_keys(&mut api).await.into_iter().next() {
            return Err(error);
        }
        let body = api.iam("CreateAccessKey", &[("UserName", USER)]).await?;
        let key = |tag| xml::element(&body, tag).filter(|v| !v.is_empty());
        ids.user_key = match (key("AccessKeyId"), key("SecretAccessKey")) {
            (Some(access_key_id), Some(secret_access_key)) => {
                Credentials { access_key_id, secret_access_key, session_token: String::new() }
            }
            _ => {
                return Err(ApiError {
                    action: "CreateAccessKey",
                    status: Some(200),
                    code: "-".into(),
                    message: "no AccessKeyId and SecretAccessKey in the answer".into(),
                })
            }
        };
    }
    Ok(())
}

/// Removes what `needs` asked for at `endpoint` (and any scratch user an interrupted pair left). Goes on past a
/// failure, so as much as can be is removed; returns every failure.
pub async fn remove(endpoint: &Endpoint, config: &LoadConfig, needs: Needs, ids: &Identities) -> Vec<ApiError> {
    let mut errors = Vec::new();
    if !needs.any() {
        return errors;
    }
    let mut api = Api::new(endpoint, config).await;
    if needs.scratch_users {
        match scratch_users(&mut api).await {
            Ok(names) => {
                for name in names {
                    errors.extend(api.delete("DeleteUser", &[("UserName", &name)]).await.err());
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let policy_arn = if ids.policy_arn.is_empty() && !ids.account.is_empty() {
        format!("arn:aws:iam::{}:policy/{POLICY}", ids.account)
    } else {
        ids.policy_arn.clone()
    };
    if needs.user || needs.policy {
        errors.extend(delete_access_keys(&mut api).await);
    }
    let mut steps: Vec<(&'static str, Vec<(&str, &str)>)> = Vec::new();
    if needs.role {
        steps.push(("DeleteUserPolicy", vec![("UserName", USER), ("PolicyName", USER_ASSUME_POLICY)]));
    }
    if needs.policy && !policy_arn.is_empty() {
        steps.push(("DetachUserPolicy", vec![("UserName", USER), ("PolicyArn", &policy_arn)]));
    }
    if needs.user || needs.policy {
        steps.push(("DeleteUser", vec![("UserName", USER)]));
    }
    if needs.policy && !policy_arn.is_empty() {
        steps.push(("DeletePolicy", vec![("PolicyArn", &policy_arn)]));
    }
    if needs.role {
        steps.push(("DeleteRolePolicy", vec![("RoleName", ROLE), ("PolicyName", ROLE_POLICY)]));
        steps.push(("DeleteRole", vec![("RoleName", ROLE)]));
    }
    for (action, params) in steps {
        errors.extend(api.delete(action, &params).await.err());
    }
    errors
}

/// Deletes every access key of [`USER`] (none if the user does not exist); the failures.
async fn delete_access_keys(api: &mut Api) -> Vec<ApiError> {
    let body = match api.iam("ListAccessKeys", &[("UserName", USER)]).await {
        Ok(body) => body,
        Err(e) if e.is("NoSuchEntity") => return Vec::new(),
        Err(e) => return vec![e],
    };
    let mut errors = Vec::new();
    for id in xml::elements(&body, "AccessKeyId") {
        errors.extend(api.delete("DeleteAccessKey", &[("UserName", USER), ("AccessKeyId", &id)]).await.err());
    }
    errors
}

/// The names of the users under [`SCRATCH_PATH`], every page.
async fn scratch_users(api: &mut Api) -> Result<Vec<String>, ApiError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    // A bound, so a server that always says "truncated" cannot hold the run forever.
    for _ in 0..1000 {
        let mut params = vec![("PathPrefix", SCRATCH_PATH)];
        if let Some(m) = &marker {
            params.push(("Marker", m));
        }
        let body = api.iam("ListUsers", &params).await?;
        names.extend(xml::elements(&body, "UserName").filter(|n| n.starts_with(SCRATCH_PREFIX)));
        marker = match xml::element(&body, "IsTruncated").as_deref() {
            Some("true") => xml::element(&body, "Marker"),
            _ => None,
        };
        if marker.is_none() {
            break;
        }
    }
    Ok(names)
}

/// One call to `endpoint` signed with its key, on a connection of its own: for scripts and tests that check
/// what the set-up left.
pub async fn call(
    endpoint: &Endpoint,
    config: &LoadConfig,
    action: &'static str,
    params: &[(&str, &str)],
) -> Result<Bytes, ApiError> {
    let mut api = Api::new(endpoint, config).await;
    match action {
        "GetCallerIdentity" | "AssumeRole" | "GetSessionToken" => api.sts(action, params).await,
        _ => api.iam(action, params).await,
    }
}

/// Every op's needs together: what one endpoint must have set up for a run of `ops`.
pub fn needs_of(ops: &[load::Op]) -> Needs {
    ops.iter().fold(Needs::default(), |n, op| n.union(op.info().needs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assume_role_answers_give_the_credentials() {
        let body = br#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>x</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/gatehouse-bench-role/gatehouse-bench</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:gatehouse-bench</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>FQoGZXIvYXdzEJr//////////wEaDM+a&amp;b=</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2026-12-02T18:00:00Z</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;
        let c = parse_credentials(body).expect("credentials");
        assert_eq!(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
        assert_eq!(c.session_token, "FQoGZXIvYXdzEJr//////////wEaDM+a&b=");
        assert!(!format!("{c:?}").contains("wJalr"), "the secret stays out of logs");

        let error = b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>";
        assert_eq!(parse_credentials(error), None);
        let empty_token =
            b"<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken></SessionToken>";
        assert_eq!(parse_credentials(empty_token), None);
    }

    #[test]
    fn the_trust_policy_names_the_accounts_root() {
        let p = trust_policy("123456789012");
        assert!(p.contains(r#""AWS":"arn:aws:iam::123456789012:root""#), "{p}");
        assert!(p.contains(r#""Action":"sts:AssumeRole""#), "{p}");
    }

    #[test]
    fn needs_are_the_union_of_the_ops() {
        use load::Op;
        let n = needs_of(&[Op::GetUser, Op::GetCallerIdentity]);
        assert!(!n.any());
        let n = needs_of(&[Op::ListAttachedUserPolicies, Op::AssumeRole, Op::CreateDeleteUser]);
        assert!(n.account && n.user && n.policy && n.role && n.scratch_users);
    }

    #[test]
    fn api_errors_name_the_action_and_code() {
        let e = ApiError {
            action: "CreatePolicy",
            status: Some(400),
            code: "MalformedPolicyDocument".into(),
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "CreatePolicy answered HTTP 400 MalformedPolicyDocument: bad");
        let e = ApiError { action: "GetCallerIdentity", status: None, code: "connect".into(), message: String::new() };
        assert_eq!(e.to_string(), "GetCallerIdentity got no answer (connect)");
    }
}
