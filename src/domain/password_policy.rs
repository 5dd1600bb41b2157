//! The account password policy (UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
//! DeleteAccountPasswordPolicy) and the rules every new password is checked against.

use gatehouse_wire::AwsError;

use crate::errors;
use crate::request::Ctx;
use crate::store::passwords::{self, PolicyRow};

/// An account's password policy, with AWS's defaults filled in for what UpdateAccountPasswordPolicy left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub minimum_password_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change: bool,
    /// Days a password is valid; `None` (AWS's default, 0) never expires.
    pub max_password_age: Option<u32>,
    /// How many of the user's latest passwords cannot be set again; `None` (AWS's default, 0) allows reuse.
    pub password_reuse_prevention: Option<u32>,
    /// `None` when the request left HardExpiry out: AWS then omits it from GetAccountPasswordPolicy (recorded in
    /// aws-responses.json), and it means `false`.
    pub hard_expiry: Option<bool>,
}

/// UpdateAccountPasswordPolicy's defaults (AWS API reference, each parameter: "If you do not specify a value for
/// this parameter, then the operation uses the default value of ..."): length 6, nothing required, users may not
/// change their own passwords, no expiry, no reuse prevention. The recorded GetAccountPasswordPolicy after an
/// UpdateAccountPasswordPolicy with no parameters shows exactly these.
impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            minimum_password_length: 6,
            require_symbols: false,
            require_numbers: false,
            require_uppercase: false,
            require_lowercase: false,
            allow_users_to_change: false,
            max_password_age: None,
            password_reuse_prevention: None,
            hard_expiry: None,
        }
    }
}

/// The characters AWS counts as symbols ("Require at least one nonalphanumeric character from the following
/// characters: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '", IAM User Guide, password policy).
const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

fn flag(v: bool) -> i64 {
    i64::from(v)
}

/// A stored count that cannot be one (negative or past u32) is treated as absent rather than trusted.
fn count(v: Option<i64>) -> Option<u32> {
    v.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
}

impl PasswordPolicy {
    fn from_row(r: &PolicyRow) -> Self {
        PasswordPolicy {
            minimum_password_length: u32::try_from(r.minimum_password_length).unwrap_or(6),
            require_symbols: r.require_symbols != 0,
            require_numbers: r.require_numbers != 0,
            require_uppercase: r.require_uppercase != 0,
            require_lowercase: r.require_lowercase != 0,
            allow_users_to_change: r.allow_users_to_change != 0,
            max_password_age: count(r.max_password_age),
            password_reuse_prevention: count(r.password_reuse_prevention),
            hard_expiry: r.hard_expiry.map(|h| h != 0),
        }
    }

    fn to_row(&self, account_id: &str) -> PolicyRow {
        PolicyRow {
            account_id: account_id.to_string(),
            minimum_password_length: i64::from(self.minimum_password_length),
            require_symbols: flag(self.require_symbols),
            require_numbers: flag(self.require_numbers),
            require_uppercase: flag(self.require_uppercase),
            require_lowercase: flag(self.require_lowercase),
            allow_users_to_change: flag(self.allow_users_to_change),
            max_password_age: self.max_password_age.map(i64::from),
            password_reuse_prevention: self.password_reuse_prevention.map(i64::from),
            hard_expiry: self.hard_expiry.map(flag),
        }
    }

    /// GetAccountPasswordPolicy's ExpirePasswords: "true if MaxPasswordAge contains a value greater than 0".
    pub fn expire_passwords(&self) -> bool {
        self.max_password_age.is_some()
    }

    pub fn hard_expiry(&self) -> bool {
        self.hard_expiry.unwrap_or(false)
    }

    /// How many hashes of a user's latest passwords to keep and compare against.
    pub fn reuse_window(&self) -> u32 {
        self.password_reuse_prevention.unwrap_or(0)
    }

    /// Whether a password set at `set_at` (ms) has expired at `now` (ms).
    pub fn expired(&self, set_at: i64, now: i64) -> bool {
        const DAY_MS: i64 = 86_400_000;
        self.max_password_age.is_some_and(|days| now.saturating_sub(set_at) >= i64::from(days) * DAY_MS)
    }
}

/// The rule a new password must meet: the account's policy, or when the account has none AWS's default password
/// policy (IAM User Guide: "If you do not set a custom password policy, IAM user passwords must meet the default
/// AWS password policy": at least 8 characters and at least three of uppercase letters, lowercase letters,
/// numbers and the symbols above).
#[derive(Debug, Clone)]
pub enum Rule {
    Account(PasswordPolicy),
    AwsDefault,
}

impl Rule {
    pub fn policy(&self) -> Option<&PasswordPolicy> {
        match self {
            Rule::Account(p) => Some(p),
            Rule::AwsDefault => None,
        }
    }

    /// Whether `password` meets the rule's composition requirements (reuse is checked against stored hashes
    /// elsewhere). Lengths count characters, as the model's length constraint on the password does.
    pub fn allows(&self, password: &str) -> bool {
        let len = password.chars().count();
        let upper = password.chars().any(|c| c.is_ascii_uppercase());
        let lower = password.chars().any(|c| c.is_ascii_lowercase());
        let digit = password.chars().any(|c| c.is_ascii_digit());
        let symbol = password.chars().any(|c| SYMBOLS.contains(c));
        match self {
            Rule::Account(p) => {
                len >= p.minimum_password_length as usize
                    && (!p.require_uppercase || upper)
                    && (!p.require_lowercase || lower)
                    && (!p.require_numbers || digit)
                    && (!p.require_symbols || symbol)
            }
            Rule::AwsDefault => len >= 8 && [upper, lower, digit, symbol].iter().filter(|b| **b).count() >= 3,
        }
    }
}

/// The account's password policy, if it has one.
pub async fn load(conn: &mut sqlx::AnyConnection, account_id: &str) -> Result<Option<PasswordPolicy>, AwsError> {
    Ok(passwords::policy(conn, account_id).await?.as_ref().map(PasswordPolicy::from_row))
}

/// The rule new passwords of the account must meet.
pub async fn rule(conn: &mut sqlx::AnyConnection, account_id: &str) -> Result<Rule, AwsError> {
    Ok(load(conn, account_id).await?.map_or(Rule::AwsDefault, Rule::Account))
}

/// UpdateAccountPasswordPolicy: replaces the whole policy; what the request leaves out takes AWS's default. The
/// bounds (length 6..=128, age 1..=1095, reuse 1..=24) are the model's and were checked when the request was
/// decoded, with AWS's messages.
pub async fn update(ctx: &Ctx, policy: PasswordPolicy) -> Result<(), AwsError> {
    let proof = ctx.authorize("iam:UpdateAccountPasswordPolicy", "*")?;
    let mut tx = ctx.begin_write().await?;
    passwords::put_policy(tx.conn(&proof), &policy.to_row(ctx.account())).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// GetAccountPasswordPolicy. With AllowUsersToChangePassword, AWS lets every IAM user read the policy as well
/// ("IAM automatically allows them to view the password policy", IAM User Guide), so that the user can choose a
/// password that meets it: that grant is part of the decision here.
pub async fn get(ctx: &Ctx) -> Result<PasswordPolicy, AwsError> {
    let mut op = ctx.begin_read().await?;
    let found = load(op.lookup(), ctx.account()).await?;
    let users_may_change = found.as_ref().is_some_and(|p| p.allow_users_to_change);
    let _proof = super::self_service::authorize(ctx, "iam:GetAccountPasswordPolicy", "*", users_may_change)?;
    found.ok_or_else(|| errors::no_password_policy(ctx.account()))
}

/// DeleteAccountPasswordPolicy: the account returns to AWS's default password policy.
pub async fn delete(ctx: &Ctx) -> Result<(), AwsError> {
    let proof = ctx.authorize("iam:DeleteAccountPasswordPolicy", "*")?;
    let mut tx = ctx.begin_write().await?;
    if !passwords::delete_policy(tx.conn(&proof), ctx.account()).await? {
        return Err(errors::no_password_policy_to_delete());
    }
    tx.commit(&proof).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Rule {
        Rule::Account(PasswordPolicy {
            minimum_password_length: 10,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            ..PasswordPolicy::default()
        })
    }

    #[test]
    fn each_requirement_is_enforced() {
        assert!(strict().allows("Abcdefgh1!"));
        assert!(!strict().allows("Abcdefg1!"), "too short");
        assert!(!strict().allows("abcdefgh1!"), "no uppercase");
        assert!(!strict().allows("ABCDEFGH1!"), "no lowercase");
        assert!(!strict().allows("Abcdefghi!"), "no number");
        assert!(!strict().allows("Abcdefghi1"), "no symbol");
        // Only AWS's listed symbols count as symbols.
        assert!(!strict().allows("Abcdefgh1~"));
        assert!(Rule::Account(PasswordPolicy::default()).allows("abcdef"));
        assert!(!Rule::Account(PasswordPolicy::default()).allows("abcde"));
    }

    #[test]
    fn the_aws_default_wants_eight_characters_of_three_kinds() {
        assert!(Rule::AwsDefault.allows("abcdEF12"));
        assert!(Rule::AwsDefault.allows("abcdef1!"));
        assert!(!Rule::AwsDefault.allows("abcdefgh12"), "two kinds");
        assert!(!Rule::AwsDefault.allows("abcD12!"), "seven characters");
    }

    #[test]
    fn expiry_counts_days_from_the_time_set() {
        let p = PasswordPolicy { max_password_age: Some(2), ..PasswordPolicy::default() };
        let day = 86_400_000;
        assert!(!p.expired(0, 2 * day - 1));
        assert!(p.expired(0, 2 * day));
        assert!(!PasswordPolicy::default().expired(0, i64::MAX));
        assert!(p.expire_passwords() && !PasswordPolicy::default().expire_passwords());
    }
}
