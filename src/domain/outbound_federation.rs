//! Outbound web identity federation: IAM's switch (Enable/Disable/GetOutboundWebIdentityFederationInfo) and STS
//! GetWebIdentityToken, which signs a JWT naming the caller for an outside service to verify through the
//! account's issuer (`federation::outbound`). Messages are the model's documentation of each error, AWS's words.

use gatehouse_wire::iam::errors as iam_errors;
use gatehouse_wire::sts::{self, errors as sts_errors};
use gatehouse_wire::AwsError;
use serde_json::{json, Map, Value};

use crate::authz::Facts;
use crate::federation::outbound::{self as keys, OpenKey, SigningAlg};
use crate::request::Ctx;
use crate::store::outbound::{self, FederationRow};
use crate::store::tags::Tag;

fn already_enabled() -> AwsError {
    iam_errors::feature_enabled(
        "The request failed because outbound identity federation is already enabled for your Amazon Web Services account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.",
    )
}

fn already_disabled() -> AwsError {
    iam_errors::feature_disabled(
        "The request failed because outbound identity federation is already disabled for your Amazon Web Services account. You cannot disable the feature multiple times",
    )
}

fn issuer(ctx: &Ctx, row: &FederationRow) -> String {
    keys::issuer_url(&ctx.state.issuer_base, &row.issuer_id)
}

/// Turns JWT vending on; the account keeps the issuer URL it was first given.
pub async fn enable(ctx: &Ctx) -> Result<String, AwsError> {
    let proof = ctx.authorize("iam:EnableOutboundWebIdentityFederation", "*")?;
    let mut tx = ctx.begin_write().await?;
    let row = match outbound::of_account(tx.conn(&proof), ctx.account()).await? {
        Some(r) if r.is_enabled() => return Err(already_enabled()),
        Some(r) => {
            outbound::set_enabled(tx.conn(&proof), ctx.account(), true, ctx.now).await?;
            r
        }
        None => {
            let mut b = [0u8; 16];
            ctx.state.rng.fill(&mut b);
            let row = FederationRow {
                account_id: ctx.account().to_string(),
                issuer_id: hex::encode(b),
                enabled: 1,
                changed_at: ctx.now,
            };
            outbound::insert(tx.conn(&proof), &row).await?;
            row
        }
    };
    tx.commit(&proof).await?;
    Ok(issuer(ctx, &row))
}

/// Turns JWT vending off; tokens already issued still verify (the issuer keeps publishing its keys).
pub async fn disable(ctx: &Ctx) -> Result<(), AwsError> {
    let proof = ctx.authorize("iam:DisableOutboundWebIdentityFederation", "*")?;
    let mut tx = ctx.begin_write().await?;
    match outbound::of_account(tx.conn(&proof), ctx.account()).await? {
        Some(r) if r.is_enabled() => outbound::set_enabled(tx.conn(&proof), ctx.account(), false, ctx.now).await?,
        _ => return Err(already_disabled()),
    }
    tx.commit(&proof).await
}

/// The issuer URL and whether vending is on; an account that never enabled the feature has neither.
pub async fn info(ctx: &Ctx) -> Result<(String, bool), AwsError> {
    let proof = ctx.authorize("iam:GetOutboundWebIdentityFederationInfo", "*")?;
    let mut op = ctx.begin_read().await?;
    match outbound::of_account(op.conn(&proof), ctx.account()).await? {
        Some(r) => Ok((issuer(ctx, &r), r.is_enabled())),
        None => Err(iam_errors::feature_disabled(
            "Outbound identity federation has never been enabled for your Amazon Web Services account.",
        )),
    }
}

/// The largest token payload (the claims' JSON) GetWebIdentityToken signs. AWS does not publish its limit; 16 KiB
/// keeps a token (base64url of it, plus header and signature) well within what HTTP servers accept in a header. Ten
/// audiences of the model's longest fit; fifty request tags of the longest keys and values (about 19 KiB) do not,
/// which is what AWS's JWTPayloadSizeExceededException ("reduce the number of request tags") implies of its own.
pub const MAX_PAYLOAD_BYTES: usize = 16 * 1024;

/// GetWebIdentityToken: decided with `sts:IdentityTokenAudience`, `sts:DurationSeconds`, `sts:SigningAlgorithm`
/// and the request tags; refused until the account enabled the feature. The token's claims are AWS's: `iss`, `aud`
/// (a string for one audience), `sub` (the caller's identity ARN: a role session's role), `iat`, `exp`, `jti`, and
/// under `https://sts.amazonaws.com/` the account, the region, the caller's principal tags and the request tags.
pub async fn get_web_identity_token(
    ctx: &Ctx,
    req: &sts::GetWebIdentityTokenRequest,
) -> Result<(String, i64), AwsError> {
    let duration = i64::from(req.duration_seconds.unwrap_or(300));
    let request_tags: Vec<Tag> =
        req.tags.iter().flatten().map(|t| Tag { key: t.key.clone(), value: t.value.clone() }).collect();
    let duration_text = duration.to_string();
    let facts = Facts::new()
        .request_tags(&request_tags)
        .key_list("sts:IdentityTokenAudience", req.audience.iter().map(String::as_str).collect())
        .key("sts:DurationSeconds", &duration_text)
        .key("sts:SigningAlgorithm", &req.signing_algorithm);
    let proof = ctx.authorize_with("sts:GetWebIdentityToken", "*", &facts)?;
    crate::domain::sessions::check_request_tag_keys(request_tags.iter().map(|t| t.key.as_str()))?;
    let Some(alg) = SigningAlg::parse(&req.signing_algorithm) else {
        return Err(AwsError::validation_error(format!(
            "1 validation error detected: Value '{}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]",
            req.signing_algorithm
        )));
    };

    // A token may not outlive the temporary credentials that asked for it.
    if let Some(session) = &ctx.caller.session {
        if ctx.now + duration * 1000 > session.expires_at {
            return Err(sts_errors::session_duration_escalation(
                "The requested DurationSeconds exceeds the remaining duration of the calling session.",
            ));
        }
    }
    let mut op = ctx.begin_read().await?;
    let account = ctx.account().to_string();
    let row = match outbound::of_account(op.conn(&proof), &account).await? {
        Some(r) if r.is_enabled() => r,
        _ => {
            return Err(sts_errors::outbound_web_identity_federation_disabled(
                "The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the Amazon Web Services Management Console or API.",
            ))
        }
    };
    let now = ctx.now.div_euclid(1000);
    let exp = now + duration;
    let mut jti = [0u8; 16];
    ctx.state.rng.fill(&mut jti);
    let tags_map = |tags: &[Tag]| Value::Object(tags.iter().map(|t| (t.key.clone(), json!(t.value))).collect());
    let mut aws = Map::new();
    aws.insert("aws_account".into(), json!(account));
    aws.insert("source_region".into(), json!(ctx.region));
    if !ctx.grants.tags.is_empty() {
        aws.insert("principal_tags".into(), tags_map(&ctx.grants.tags));
    }
    if !request_tags.is_empty() {
        aws.insert("request_tags".into(), tags_map(&request_tags));
    }
    let aud = match req.audience.as_slice() {
        [one] => json!(one),
        many => json!(many),
    };
    let claims = json!({
        "iss": keys::issuer_url(&ctx.state.issuer_base, &row.issuer_id),
        "aud": aud,
        "sub": ctx.caller.principal_arn(),
        "iat": now,
        "exp": exp,
        "jti": hex::encode(jti),
        "https://sts.amazonaws.com/": aws,
    });
    // Checked before a key is made or opened: an oversized request costs nothing.
    if claims.to_string().len() > MAX_PAYLOAD_BYTES {
        return Err(sts_errors::jwt_payload_size_exceeded(
            "The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags included in the GetWebIdentityToken API call to reduce the token payload size.",
        ));
    }
    let since = ctx.now - keys::ROTATE_AFTER_MS;
    let current = outbound::keys_since(op.conn(&proof), &account, since).await?;
    drop(op);
    let key = match current.into_iter().find(|k| k.algorithm == alg.as_str()) {
        Some(k) => k,
        None => {
            // Two instances rotating at once each add a key: both are published, either verifies.
            let mut tx = ctx.begin_write().await?;
            // Rotation: a new key, and keys no longer published are forgotten.
            let k = keys::new_key(&ctx.state.keyring, &*ctx.state.rng, &account, alg, ctx.now).map_err(|e| {
                tracing::error!(error = %e, "could not make an outbound signing key");
                AwsError::internal_failure()
            })?;
            outbound::insert_key(tx.conn(&proof), &k).await?;
            outbound::delete_keys_before(tx.conn(&proof), &account, ctx.now - keys::PUBLISHED_FOR_MS).await?;
            tx.commit(&proof).await?;
            k
        }
    };
    let signer = OpenKey::open(&ctx.state.keyring, &key).map_err(|e| {
        tracing::error!(key = %key.key_id, error = %e, "cannot open an outbound signing key");
        AwsError::internal_failure()
    })?;

    let token = signer.sign(&claims).map_err(|e| {
        tracing::error!(error = %e, "could not sign a web identity token");
        AwsError::internal_failure()
    })?;
    Ok((token, exp))
}
