//! The passwords family: the account password policy, users' login profiles and ChangePassword.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::PasswordsApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::login_profiles::{self, Profile};
use crate::domain::password_policy::{self, PasswordPolicy};

fn profile_shape(p: Profile) -> iam::LoginProfile {
    iam::LoginProfile {
        user_name: p.user_name,
        create_date: timestamp(p.created_at),
        password_reset_required: Some(p.password_reset_required),
    }
}

/// The count members are optional in the response: AWS shows MaxPasswordAge and PasswordReusePrevention only
/// when set, and HardExpiry only when the policy was given one (the recorded responses).
fn policy_shape(p: PasswordPolicy) -> iam::PasswordPolicy {
    iam::PasswordPolicy {
        minimum_password_length: i32::try_from(p.minimum_password_length).ok(),
        require_symbols: Some(p.require_symbols),
        require_numbers: Some(p.require_numbers),
        require_uppercase_characters: Some(p.require_uppercase),
        require_lowercase_characters: Some(p.require_lowercase),
        allow_users_to_change_password: Some(p.allow_users_to_change),
        expire_passwords: Some(p.expire_passwords()),
        max_password_age: p.max_password_age.and_then(|n| i32::try_from(n).ok()),
        password_reuse_prevention: p.password_reuse_prevention.and_then(|n| i32::try_from(n).ok()),
        hard_expiry: p.hard_expiry,
    }
}

/// A count the model bounded at decoding (1 and up) as the domain holds it.
fn positive(n: Option<i32>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
}

impl PasswordsApi for Gatehouse {
    async fn update_account_password_policy(
        &self,
        ctx: &Ctx,
        input: iam::UpdateAccountPasswordPolicyRequest,
    ) -> Result<(), AwsError> {
        let d = PasswordPolicy::default();
        let policy = PasswordPolicy {
            minimum_password_length: positive(input.minimum_password_length).unwrap_or(d.minimum_password_length),
            require_symbols: input.require_symbols.unwrap_or(d.require_symbols),
            require_numbers: input.require_numbers.unwrap_or(d.require_numbers),
            require_uppercase: input.require_uppercase_characters.unwrap_or(d.require_uppercase),
            require_lowercase: input.require_lowercase_characters.unwrap_or(d.require_lowercase),
            allow_users_to_change: input.allow_users_to_change_password.unwrap_or(d.allow_users_to_change),
            max_password_age: positive(input.max_password_age),
            password_reuse_prevention: positive(input.password_reuse_prevention),
            hard_expiry: input.hard_expiry,
        };
        password_policy::update(ctx, policy).await
    }

    async fn get_account_password_policy(&self, ctx: &Ctx) -> Result<iam::GetAccountPasswordPolicyResponse, AwsError> {
        let policy = password_policy::get(ctx).await?;
        Ok(iam::GetAccountPasswordPolicyResponse { password_policy: policy_shape(policy) })
    }

    async fn delete_account_password_policy(&self, ctx: &Ctx) -> Result<(), AwsError> {
        password_policy::delete(ctx).await
    }

    async fn create_login_profile(
        &self,
        ctx: &Ctx,
        input: iam::CreateLoginProfileRequest,
    ) -> Result<iam::CreateLoginProfileResponse, AwsError> {
        let reset = input.password_reset_required.unwrap_or(false);
        let p = login_profiles::create(ctx, input.user_name.as_deref(), input.password.as_ref(), reset).await?;
        Ok(iam::CreateLoginProfileResponse { login_profile: profile_shape(p) })
    }

    async fn get_login_profile(
        &self,
        ctx: &Ctx,
        input: iam::GetLoginProfileRequest,
    ) -> Result<iam::GetLoginProfileResponse, AwsError> {
        let p = login_profiles::get(ctx, input.user_name.as_deref()).await?;
        Ok(iam::GetLoginProfileResponse { login_profile: profile_shape(p) })
    }

    async fn update_login_profile(&self, ctx: &Ctx, input: iam::UpdateLoginProfileRequest) -> Result<(), AwsError> {
        login_profiles::update(ctx, &input.user_name, input.password.as_ref(), input.password_reset_required).await
    }

    async fn delete_login_profile(&self, ctx: &Ctx, input: iam::DeleteLoginProfileRequest) -> Result<(), AwsError> {
        login_profiles::delete(ctx, input.user_name.as_deref()).await
    }

    async fn change_password(&self, ctx: &Ctx, input: iam::ChangePasswordRequest) -> Result<(), AwsError> {
        login_profiles::change_password(ctx, &input.old_password, &input.new_password).await
    }
}
