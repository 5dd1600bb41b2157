//! What every operation that issues temporary credentials shares: the duration rules, session policies and their
//! packed size, session tags (transitive ones carried through a chain), and the issue of the credentials
//! themselves (an `ASIA...` key id, a secret and the sealed token; no write).

use std::collections::HashMap;
use std::sync::Mutex;

use gatehouse_wire::sts::{self, errors as sts_errors};
use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use crate::authz::grants::boundary_document;
use crate::request::Ctx;
use crate::sessions::token::{self, MAX_TOKEN_LEN};
use crate::sessions::{SessionClaims, SessionTag};
use crate::state::State;

/// AWS's default role session: one hour.
pub const DEFAULT_ROLE_DURATION: i64 = 3600;
/// A session assumed with temporary credentials (role chaining) lasts at most an hour.
pub const CHAINED_MAX_DURATION: i64 = 3600;

/// The deflated size of a session's policies and tags may reach this many bytes (100% of `PackedPolicySize`).
/// AWS does not publish its packed format or limit; this one admits a typical 2,048-character policy with a
/// handful of tags, and refuses the 50 longest tags, as AWS does.
pub const PACKED_LIMIT: usize = 1024;

/// The duration of a role session: DurationSeconds (the model's 900..43200, checked by the decoder) or an
/// hour, within the role's MaxSessionDuration and, for a chained session, within an hour.
pub fn role_duration(requested: Option<i32>, role_max: i64, chained: bool) -> Result<i64, AwsError> {
    let d = requested.map_or(DEFAULT_ROLE_DURATION, i64::from);
    if chained && d > CHAINED_MAX_DURATION {
        return Err(AwsError::validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if d > role_max {
        return Err(AwsError::validation_error(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(d)
}

/// A session's policies, checked: the inline policy's grammar (the evaluator's rules for session policies) and
/// the managed ones' existence in `account` (or AWS's catalogue).
pub async fn check_policies(
    conn: &mut AnyConnection,
    account: &str,
    inline: Option<&str>,
    arns: &[sts::PolicyDescriptorType],
) -> Result<(Option<String>, Vec<String>), AwsError> {
    if let Some(text) = inline {
        gatehouse_policy::parse_document(text, gatehouse_policy::PolicyKind::Session)
            .map_err(|e| sts_errors::malformed_policy_document(e.message()))?;
    }
    let mut out = Vec::with_capacity(arns.len());
    for d in arns {
        let arn = d.arn.as_deref().unwrap_or_default();
        let valid = crate::arn::Arn::parse_iam(arn).is_some_and(|a| a.resource.starts_with("policy/"));
        if !valid {
            return Err(AwsError::invalid_parameter_value(format!("The policy ARN {arn} is not valid.")));
        }
        let in_account = crate::arn::account_of(arn).is_some_and(|a| a == account || a == "aws");
        if !in_account || boundary_document(&mut *conn, arn).await?.is_none() {
            return Err(AwsError::invalid_parameter_value(format!(
                "Policy {arn} does not exist or is not attachable."
            )));
        }
        out.push(arn.to_string());
    }
    Ok((inline.map(str::to_string), out))
}

/// STS's answer to a request naming one tag key twice (keys compare without regard to case), in STS's words
/// (IAM's differ: [`crate::domain::tagging::check_unique_keys`]).
pub fn check_request_tag_keys<'a>(keys: impl Iterator<Item = &'a str>) -> Result<(), AwsError> {
    crate::domain::tagging::check_unique_keys(keys).map_err(|_| {
        AwsError::invalid_parameter_value("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    })
}

/// The session tags of a new session: the requested ones, marked transitive as asked, after the caller's
/// transitive tags (`inherited`, when the caller is itself a session). AWS's rules and words.
pub fn session_tags(
    requested: &[sts::Tag],
    transitive_keys: &[String],
    inherited: Option<&SessionClaims>,
) -> Result<Vec<SessionTag>, AwsError> {
    check_request_tag_keys(requested.iter().map(|t| t.key.as_str()))?;
    let seen: std::collections::HashSet<String> = requested.iter().map(|t| t.key.to_lowercase()).collect();
    if transitive_keys.iter().any(|k| !seen.contains(&k.to_lowercase())) {
        return Err(AwsError::invalid_parameter_value(
            "The specified transitive tag key must be included in the requested tags.",
        ));
    }
    let carried: Vec<&SessionTag> = inherited.map(|s| s.transitive_tags().collect()).unwrap_or_default();
    if carried.iter().any(|t| seen.contains(&t.key.to_lowercase())) {
        return Err(AwsError::invalid_parameter_value(
            "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
        ));
    }
    let mut out: Vec<SessionTag> = carried.into_iter().cloned().collect();
    out.extend(requested.iter().map(|t| SessionTag {
        key: t.key.clone(),
        value: t.value.clone(),
        transitive: transitive_keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)),
    }));
    Ok(out)
}

/// `PackedPolicySize`: the deflated size of the session's policies and tags, as a percentage of
/// [`PACKED_LIMIT`] (rounded up); over 100 the request fails with AWS's PackedPolicyTooLarge.
pub fn packed_size(inline: Option<&str>, arns: &[String], tags: &[SessionTag]) -> Result<i32, AwsError> {
    use std::io::Write;
    if inline.is_none() && arns.is_empty() && tags.is_empty() {
        return Ok(0);
    }
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let write = |enc: &mut flate2::write::DeflateEncoder<Vec<u8>>, s: &str| enc.write_all(s.as_bytes());
    let mut parts = inline.into_iter().chain(arns.iter().map(String::as_str));
    let packed = parts
        .try_for_each(|s| write(&mut enc, s))
        .and_then(|()| tags.iter().try_for_each(|t| write(&mut enc, &t.key).and_then(|()| write(&mut enc, &t.value))))
        .and_then(|()| enc.finish())
        .map_err(|_| AwsError::internal_failure())?;
    let percent = i32::try_from((packed.len() * 100).div_ceil(PACKED_LIMIT)).unwrap_or(i32::MAX);
    if percent > 100 {
        let what =
            if inline.is_none() && arns.is_empty() { "session tags" } else { "session policies and session tags" };
        return Err(sts_errors::packed_policy_too_large(format!(
            "Packed size of {what} consumes {percent}% of allotted space."
        )));
    }
    Ok(percent)
}

/// The MFA check of GetSessionToken and AssumeRole: with both SerialNumber and TokenCode, the code must be the
/// current one of a device the calling IAM user holds ([`super::mfa_devices::verify_code`]); answers when the check
/// was made, or `None` when the request names no MFA. One without the other is AWS's wrong-code denial.
pub async fn checked_mfa(
    ctx: &Ctx,
    serial: Option<&str>,
    code: Option<&gatehouse_wire::Secret<String>>,
) -> Result<Option<i64>, AwsError> {
    match (serial, code) {
        (None, None) => Ok(None),
        (Some(serial), Some(code)) => {
            let user_id = match &ctx.caller.principal {
                crate::identity::Principal::User { user_id, .. } => Some(user_id.as_str()),
                _ => None,
            };
            super::mfa_devices::verify_code(ctx, user_id, serial, code.expose()).await.map(Some)
        }
        _ => Err(AwsError::access_denied("MultiFactorAuthentication failed with invalid MFA one time pass code.")),
    }
}

/// The duration of a GetSessionToken or GetFederationToken session: DurationSeconds (the model's 900..129600,
/// checked by the decoder) or 12 hours; the root user's sessions last at most an hour (AWS's rule; a longer
/// request is held to the hour, our reading of "can range from 900 seconds up to 3,600 seconds").
pub fn user_session_duration(requested: Option<i32>, root: bool) -> i64 {
    const DEFAULT: i64 = 43_200;
    const ROOT_MAX: i64 = 3600;
    match (requested.map(i64::from), root) {
        (Some(d), true) => d.min(ROOT_MAX),
        (None, true) => ROOT_MAX,
        (Some(d), false) => d,
        (None, false) => DEFAULT,
    }
}

/// Issued temporary credentials.
#[derive(Debug)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_at: i64,
}

impl Issued {
    pub fn credentials(self) -> sts::Credentials {
        sts::Credentials {
            access_key_id: self.access_key_id,
            secret_access_key: gatehouse_wire::Secret::new(self.secret_access_key),
            session_token: gatehouse_wire::Secret::new(self.session_token),
            expiration: gatehouse_wire::Timestamp(self.expires_at.div_euclid(1000)),
        }
    }

    /// `SessionTokenSize`, in bytes.
    pub fn token_size(&self) -> i32 {
        i32::try_from(self.session_token.len()).unwrap_or(i32::MAX)
    }

    /// `SessionTokenUtilization`: the token's share of the largest Gatehouse issues, in percent (rounded up).
    pub fn token_utilization(&self) -> i32 {
        i32::try_from((self.session_token.len() * 100).div_ceil(MAX_TOKEN_LEN)).unwrap_or(i32::MAX)
    }
}

/// Makes the credentials of a session: a new key id and secret, sealed with `claims` into the token (at least
/// `min_token_size` characters, MinimumSessionTokenSize).
pub fn issue(state: &State, mut claims: SessionClaims, min_token_size: Option<i32>) -> Result<Issued, AwsError> {
    claims.access_key_id = crate::ids::access_key_id(&*state.rng, "ASIA", &claims.account_id);
    claims.secret = crate::ids::secret_access_key(&*state.rng);
    let min = min_token_size.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let session_token = token::seal(&state.keyring, &*state.rng, &claims, min).map_err(|e| {
        tracing::error!(error = %e, "could not seal a session token");
        AwsError::internal_failure()
    })?;
    Ok(Issued {
        access_key_id: claims.access_key_id,
        secret_access_key: std::mem::take(&mut claims.secret),
        session_token,
        expires_at: claims.expires_at,
    })
}

/// When each entity's last use was recorded, so that a busy role is written at most once an interval
/// (RoleLastUsed is coarse in AWS too): issuing a session stays write-free in the common case.
#[derive(Debug, Default)]
pub struct LastUse(Mutex<HashMap<String, i64>>);

/// A role's use is written at most this often.
pub const LAST_USE_INTERVAL_MS: i64 = 60_000;

impl LastUse {
    /// Whether a use at `now_ms` should be written; if so it counts as written.
    pub fn due(&self, id: &str, now_ms: i64) -> bool {
        self.due_within(id, now_ms, LAST_USE_INTERVAL_MS)
    }

    /// [`LastUse::due`] with another interval.
    pub fn due_within(&self, id: &str, now_ms: i64, interval_ms: i64) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= 100_000 {
            map.clear();
        }
        match map.get(id) {
            Some(t) if now_ms - t < interval_ms => false,
            _ => {
                map.insert(id.to_string(), now_ms);
                true
            }
        }
    }
}
