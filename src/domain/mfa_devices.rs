//! Virtual MFA devices: created unassigned with a fresh TOTP seed (returned once, as Base32 and as a QR code,
//! sealed at rest), enabled for one user by two consecutive codes, resynchronised, deactivated, deleted, listed,
//! tagged; and the code check that GetSessionToken and AssumeRole make with them ([`verify_code`]).
//!
//! A code is accepted at most once: each accepted code advances the device's last accepted time step, with a
//! conditional update, so the same code (or an older one) fails afterwards on every instance.

use std::collections::HashMap;

use gatehouse_wire::AwsError;
use zeroize::Zeroizing;

use super::paging::{self, Page};
use super::tagging;
use super::totp;
use super::users::authorized_user;
use crate::authz::{Authorized, Facts};
use crate::crypto::MfaSeedBinding;
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::mfa_devices::{self, MfaDeviceRow};
use crate::store::tags::{self, Tag};
use crate::store::users::{self, UserRow};
use crate::store::StoreError;

/// AWS's quota of MFA devices per user.
pub const MAX_DEVICES_PER_USER: usize = 8;
/// How far back the first of EnableMFADevice's two codes may be: 5 minutes of steps (people type them slowly).
const ENABLE_WINDOW_STEPS: i64 = 10;
/// How far either way ResyncMFADevice looks for the device's clock: 20 minutes of steps.
const RESYNC_WINDOW_STEPS: i64 = 40;
/// The clock skew a code in use may have, in steps either way (after the device's measured drift).
const USE_WINDOW_STEPS: i64 = 1;

/// A device just created: its row, seed (Base32 text) and QR code, the last two shown only now.
pub struct Created {
    pub device: MfaDeviceRow,
    pub base32_seed: Zeroizing<String>,
    pub qr_png: Vec<u8>,
    pub tags: Vec<Tag>,
}

fn seed_of(ctx: &Ctx, d: &MfaDeviceRow) -> Result<Zeroizing<Vec<u8>>, AwsError> {
    let binding = MfaSeedBinding { account_id: &d.account_id, device_id: &d.device_id };
    ctx.state.keyring.open_mfa_seed(&d.master_key_id, &d.seed_sealed, &binding).map_err(|e| {
        tracing::error!(serial = %d.serial_number, error = %e, "an MFA seed does not open");
        gatehouse_wire::iam::errors::service_failure("Service failure.")
    })
}

pub async fn create(ctx: &Ctx, path: Option<&str>, name: &str, new_tags: Vec<Tag>) -> Result<Created, AwsError> {
    let path = path.unwrap_or("/");
    let serial = crate::arn::iam(ctx.account(), "mfa", path, name);
    let proof = ctx.authorize_with("iam:CreateVirtualMFADevice", &serial, &Facts::new().request_tags(&new_tags))?;
    tagging::check_unique_keys(new_tags.iter().map(|t| t.key.as_str()))?;
    let mut seed = Zeroizing::new(vec![0u8; totp::SEED_BYTES]);
    ctx.state.rng.fill(&mut seed);
    let device_id = uuid::Uuid::new_v4().to_string();
    let binding = MfaSeedBinding { account_id: ctx.account(), device_id: &device_id };
    let (master_key_id, seed_sealed) =
        ctx.state.keyring.seal_mfa_seed(&*ctx.state.rng, &binding, &seed).map_err(|e| {
            tracing::error!(error = %e, "sealing an MFA seed failed");
            gatehouse_wire::iam::errors::service_failure("Service failure.")
        })?;
    let qr_png = totp::qr_png(&totp::otpauth_uri(name, ctx.account(), &seed)).map_err(|e| {
        tracing::error!(error = %e, "could not draw an MFA QR code");
        gatehouse_wire::iam::errors::service_failure("Service failure.")
    })?;
    let device = MfaDeviceRow {
        device_id,
        account_id: ctx.account().to_string(),
        serial_number: serial,
        path: path.to_string(),
        name: name.to_string(),
        seed_sealed,
        master_key_id,
        user_id: None,
        enabled_at: None,
        last_step: None,
        drift_steps: 0,
        created_at: ctx.now,
    };
    let mut tx = ctx.begin_write().await?;
    if mfa_devices::name_taken(tx.conn(&proof), ctx.account(), name).await? {
        return Err(errors::mfa_device_exists());
    }
    match mfa_devices::insert(tx.conn(&proof), &device).await {
        Err(StoreError::Conflict) => return Err(errors::mfa_device_exists()),
        other => other?,
    }
    tags::put(tx.conn(&proof), &device.device_id, &new_tags).await?;
    tx.commit(&proof).await?;
    Ok(Created { device, base32_seed: Zeroizing::new(totp::base32(&seed)), qr_png, tags: new_tags })
}

/// The device a serial number names in the caller's account.
async fn device<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    proof: &Authorized,
    serial: &str,
) -> Result<MfaDeviceRow, AwsError> {
    mfa_devices::by_serial(op.conn(proof), ctx.account(), serial)
        .await?
        .ok_or_else(|| errors::no_such_mfa_device(serial))
}

/// The named user, or when no name is given the calling IAM user; `None` for the root user calling without one
/// (the root user's devices are enabled in AWS's console, never through this API).
async fn user_or_caller<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    user_name: Option<&str>,
) -> Result<(Authorized, Option<UserRow>), AwsError> {
    let name = match (user_name, ctx.caller.user_name()) {
        (Some(n), _) | (None, Some(n)) => n.to_string(),
        (None, None) if ctx.caller.is_root() => {
            return Ok((ctx.authorize(action, &crate::arn::root(ctx.account()))?, None));
        }
        (None, None) => return Err(errors::must_specify_user_name()),
    };
    let (proof, user) = authorized_user(ctx, op, action, &name).await?;
    Ok((proof, Some(user)))
}

pub async fn enable(ctx: &Ctx, user_name: &str, serial: &str, code1: &str, code2: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:EnableMFADevice", user_name).await?;
    let d = device(ctx, &mut tx, &proof, serial).await?;
    if d.user_id.is_some() {
        return Err(errors::mfa_device_in_use());
    }
    if mfa_devices::of_user(tx.conn(&proof), &user.user_id).await?.len() >= MAX_DEVICES_PER_USER {
        return Err(errors::quota_exceeded("MFADevicesPerUser", MAX_DEVICES_PER_USER));
    }
    let seed = seed_of(ctx, &d)?;
    let now = totp::step_of(ctx.now);
    let Some(step) = totp::find_consecutive(&seed, code1, code2, now - ENABLE_WINDOW_STEPS..=now) else {
        return Err(errors::invalid_authentication_code());
    };
    if !mfa_devices::assign(tx.conn(&proof), &d.device_id, &user.user_id, ctx.now, step).await? {
        return Err(errors::mfa_device_in_use());
    }
    tx.commit(&proof).await
}

pub async fn resync(ctx: &Ctx, user_name: &str, serial: &str, code1: &str, code2: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:ResyncMFADevice", user_name).await?;
    let d = device(ctx, &mut tx, &proof, serial).await?;
    if d.user_id.as_deref() != Some(user.user_id.as_str()) {
        return Err(errors::no_such_mfa_device(serial));
    }
    let seed = seed_of(ctx, &d)?;
    let now = totp::step_of(ctx.now);
    let window = now - RESYNC_WINDOW_STEPS..=now + RESYNC_WINDOW_STEPS;
    let Some(step) = totp::find_consecutive(&seed, code1, code2, window) else {
        return Err(errors::invalid_authentication_code());
    };
    // Codes already accepted stay spent.
    if d.last_step.is_some_and(|last| step <= last) {
        return Err(errors::invalid_authentication_code());
    }
    mfa_devices::resync(tx.conn(&proof), &d.device_id, step - now, step).await?;
    tx.commit(&proof).await
}

pub async fn deactivate(ctx: &Ctx, user_name: Option<&str>, serial: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = user_or_caller(ctx, &mut tx, "iam:DeactivateMFADevice", user_name).await?;
    let d = device(ctx, &mut tx, &proof, serial).await?;
    match (&user, &d.user_id) {
        (Some(u), Some(holder)) if *holder == u.user_id => {}
        _ => return Err(errors::no_such_mfa_device(serial)),
    }
    mfa_devices::unassign(tx.conn(&proof), &d.device_id).await?;
    tx.commit(&proof).await
}

pub async fn delete(ctx: &Ctx, serial: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, d) = authorized_device(ctx, &mut tx, "iam:DeleteVirtualMFADevice", serial, Facts::new()).await?;
    if d.user_id.is_some() {
        return Err(errors::mfa_device_still_assigned());
    }
    tags::remove_all(tx.conn(&proof), &d.device_id).await?;
    mfa_devices::delete(tx.conn(&proof), &d.device_id).await?;
    tx.commit(&proof).await
}

/// A device and the user that holds it, as the listings show them.
pub struct Assigned {
    pub device: MfaDeviceRow,
    pub user: UserRow,
}

/// ListMFADevices: the user's (or the caller's) devices, by serial number.
pub async fn list_for_user(
    ctx: &Ctx,
    user_name: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Assigned>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, user) = user_or_caller(ctx, &mut op, "iam:ListMFADevices", user_name).await?;
    let Some(user) = user else { return Ok(Page { items: Vec::new(), next_marker: None }) };
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let devices = mfa_devices::of_user(op.conn(&proof), &user.user_id).await?;
    let rows: Vec<Assigned> = devices
        .into_iter()
        .filter(|d| d.serial_number.as_str() > after.as_str())
        .map(|device| Assigned { device, user: user.clone() })
        .collect();
    Ok(paging::paginate(rows, page, |a| a.device.serial_number.clone()))
}

/// A device with its holder, if assigned, and its tags, as ListVirtualMFADevices shows it.
pub struct Listed {
    pub device: MfaDeviceRow,
    pub user: Option<UserRow>,
    pub tags: Vec<Tag>,
}

/// ListVirtualMFADevices: the account's virtual devices by serial number, filtered by assignment.
pub async fn list_virtual(
    ctx: &Ctx,
    assigned: Option<bool>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Listed>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let proof = ctx.authorize("iam:ListVirtualMFADevices", &ctx.default_resource())?;
    let after = paging::decode_marker(marker)?;
    let (page, limit) = paging::fetch_limit(max_items);
    let after = (!after.is_empty()).then_some(after.as_str());
    let devices = mfa_devices::page(op.conn(&proof), ctx.account(), assigned, after, limit).await?;
    // The holders and the tags of the page in two queries, not two per device (a page is up to 1,001 devices).
    let holder_ids: Vec<String> = devices.iter().filter_map(|d| d.user_id.clone()).collect();
    let holders: HashMap<String, UserRow> =
        users::by_ids(op.conn(&proof), &holder_ids).await?.into_iter().map(|u| (u.user_id.clone(), u)).collect();
    let device_ids: Vec<String> = devices.iter().map(|d| d.device_id.clone()).collect();
    let mut tags_of = tags::of_each(op.conn(&proof), &device_ids).await?;
    let mut rows = Vec::with_capacity(devices.len());
    for device in devices {
        let user = device.user_id.as_ref().and_then(|id| holders.get(id)).cloned();
        let tags = tags_of.remove(&device.device_id).unwrap_or_default();
        rows.push(Listed { device, user, tags });
    }
    Ok(paging::paginate(rows, page, |l| l.device.serial_number.clone()))
}

/// GetMFADevice: a device the user (or the caller) holds.
pub async fn get(ctx: &Ctx, serial: &str, user_name: Option<&str>) -> Result<Assigned, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, user) = user_or_caller(ctx, &mut op, "iam:GetMFADevice", user_name).await?;
    let d = device(ctx, &mut op, &proof, serial).await?;
    match user {
        Some(user) if d.user_id.as_deref() == Some(user.user_id.as_str()) => Ok(Assigned { device: d, user }),
        _ => Err(errors::no_such_mfa_device(serial)),
    }
}

/// Looks the device up by serial number, decides `action` on it (with its tags when it exists), then requires
/// that it exists.
async fn authorized_device<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    serial: &str,
    facts: Facts<'_>,
) -> Result<(Authorized, MfaDeviceRow), AwsError> {
    let found = mfa_devices::by_serial(op.lookup(), ctx.account(), serial).await?;
    let owner = found.as_ref().map(|d| d.device_id.as_str());
    let proof = super::named::decide_on(ctx, op, action, serial, owner, facts).await?;
    let found = found.ok_or_else(|| errors::no_such_mfa_device(serial))?;
    Ok((proof, found))
}

/// MFA devices carry tags: found by serial number, tagged under their internal id.
pub struct MfaDeviceTags;

impl tagging::Taggable for MfaDeviceTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        serial: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, d) = authorized_device(ctx, op, action, serial, facts).await?;
        Ok((proof, d.device_id))
    }
}

/// Whether `user_id` holds any MFA device (DeleteUser refuses while one does).
pub async fn any_for_user(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<bool, AwsError> {
    Ok(!mfa_devices::of_user(conn, user_id).await?.is_empty())
}

/// GetSessionToken's and AssumeRole's MFA check: `serial` must name a device the calling IAM user (`user_id`)
/// holds, and `code` must be its current code (within a step either way of the device's clock), never accepted
/// before. Answers when the check was made (the session's MFA time), or AWS's denials.
pub async fn verify_code(ctx: &Ctx, user_id: Option<&str>, serial: &str, code: &str) -> Result<i64, AwsError> {
    let unable = || {
        AwsError::access_denied(
            "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
        )
    };
    let wrong = || AwsError::access_denied("MultiFactorAuthentication failed with invalid MFA one time pass code.");
    let Some(user_id) = user_id else { return Err(unable()) };
    // The code is the credential being checked, as the signature is: no policy decides whether a caller may
    // present one, so this reads and writes outside an authorised operation (as RoleLastUsed is recorded). The
    // conditional update alone decides which of two requests with one code wins.
    let mut conn = ctx.state.store.pool().acquire().await.map_err(StoreError::from)?;
    let d = mfa_devices::by_serial(&mut conn, ctx.account(), serial).await?;
    let Some(d) = d.filter(|d| d.user_id.as_deref() == Some(user_id)) else { return Err(unable()) };
    let seed = seed_of(ctx, &d)?;
    let now = totp::step_of(ctx.now) + d.drift_steps;
    let Some(step) = totp::find(&seed, code, now - USE_WINDOW_STEPS..=now + USE_WINDOW_STEPS) else {
        return Err(wrong());
    };
    if !mfa_devices::advance_step(&mut conn, &d.device_id, step).await? {
        return Err(wrong());
    }
    Ok(ctx.now)
}
