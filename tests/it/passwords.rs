//! Console passwords through aws-sdk-iam: the account password policy (defaults, bounds, per account), login
//! profiles and the policy they are held to, reuse prevention, ChangePassword signed by the user itself, DeleteUser
//! while a login profile remains, and the decisions that guard all of it.

use std::sync::Arc;

use gatehouse::clock::ManualClock;
use gatehouse::secret::Secret;

use crate::auth::{now, send_raw, signed_post};

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(
    password_policy_crud_and_bounds,
    each_account_has_its_own_policy,
    login_profiles_are_held_to_the_policy,
    reuse_is_refused,
    change_password_as_the_user,
    allow_users_to_change_password_grants_the_change,
    delete_user_while_a_login_profile_remains,
    hard_expiry_stops_the_change_of_an_expired_password,
    users_without_permission_are_denied
);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

const OTHER_KEY: &str = "AKIAGATEHOUSEOTHER01";
const OTHER_SECRET: &str = "other/account/root/secret/for/tests/0001";

const VIOLATION: &str = "Password does not conform to the account password policy.";

async fn password_policy_crud_and_bounds(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let e = aws_err(iam.get_account_password_policy().send().await);
    assert_eq!(e, err("NoSuchEntity", "The Password Policy with domain name 000000000000 cannot be found.", 404));
    let e = aws_err(iam.delete_account_password_policy().send().await);
    assert_eq!(e, err("NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.", 404));

    // No parameters: every field takes AWS's default, as recorded.
    iam.update_account_password_policy().send().await.unwrap();
    let p = iam.get_account_password_policy().send().await.unwrap().password_policy.unwrap();
    assert_eq!(p.minimum_password_length(), Some(6));
    assert!(!p.require_symbols());
    assert!(!p.require_numbers());
    assert!(!p.require_uppercase_characters());
    assert!(!p.require_lowercase_characters());
    assert!(!p.allow_users_to_change_password());
    assert!(!p.expire_passwords());
    assert_eq!((p.max_password_age(), p.password_reuse_prevention(), p.hard_expiry()), (None, None, None));

    iam.update_account_password_policy()
        .minimum_password_length(10)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .allow_users_to_change_password(true)
        .max_password_age(60)
        .password_reuse_prevention(3)
        .hard_expiry(true)
        .send()
        .await
        .unwrap();
    let p = iam.get_account_password_policy().send().await.unwrap().password_policy.unwrap();
    assert_eq!(p.minimum_password_length(), Some(10));
    assert!(p.require_symbols() && p.require_numbers());
    assert!(p.require_uppercase_characters() && p.require_lowercase_characters());
    assert!(p.allow_users_to_change_password() && p.expire_passwords());
    assert_eq!((p.max_password_age(), p.password_reuse_prevention(), p.hard_expiry()), (Some(60), Some(3), Some(true)));

    // An update replaces the whole policy: what it leaves out returns to the default.
    iam.update_account_password_policy().minimum_password_length(12).send().await.unwrap();
    let p = iam.get_account_password_policy().send().await.unwrap().password_policy.unwrap();
    assert_eq!(p.minimum_password_length(), Some(12));
    assert!(!p.require_symbols() && !p.allow_users_to_change_password() && !p.expire_passwords());
    assert_eq!((p.max_password_age(), p.password_reuse_prevention(), p.hard_expiry()), (None, None, None));

    // The model's bounds, in AWS's recorded words.
    let e = aws_err(
        iam.update_account_password_policy()
            .max_password_age(1096)
            .minimum_password_length(129)
            .password_reuse_prevention(25)
            .send()
            .await,
    );
    assert_eq!(
        e,
        err(
            "ValidationError",
            "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128; Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24; Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095",
            400
        )
    );
    let e = aws_err(iam.update_account_password_policy().minimum_password_length(5).send().await);
    assert_eq!(e.code, "ValidationError");
    assert!(e.message.contains("Member must have value greater than or equal to 6"), "{}", e.message);

    iam.delete_account_password_policy().send().await.unwrap();
    let e = aws_err(iam.get_account_password_policy().send().await);
    assert_eq!(e.code, "NoSuchEntity");
    s.stop().await;
}

async fn each_account_has_its_own_policy(backend: Backend) {
    let extra = Secret::new(format!("111111111111={OTHER_KEY}:{OTHER_SECRET}"));
    let s = TestServer::start_args(backend, |a| a.extra_accounts = Some(extra)).await;
    let other = s.iam(&Creds::new(OTHER_KEY, OTHER_SECRET));
    s.root_iam().update_account_password_policy().minimum_password_length(20).send().await.unwrap();
    let e = aws_err(other.get_account_password_policy().send().await);
    assert_eq!(e, err("NoSuchEntity", "The Password Policy with domain name 111111111111 cannot be found.", 404));
    other.update_account_password_policy().minimum_password_length(7).send().await.unwrap();
    let mine = s.root_iam().get_account_password_policy().send().await.unwrap().password_policy.unwrap();
    let theirs = other.get_account_password_policy().send().await.unwrap().password_policy.unwrap();
    assert_eq!((mine.minimum_password_length(), theirs.minimum_password_length()), (Some(20), Some(7)));
    // Each account's users are held to their own account's policy.
    other.create_user().user_name("gina").send().await.unwrap();
    other.create_login_profile().user_name("gina").password("seven77").send().await.unwrap();
    s.stop().await;
}

async fn login_profiles_are_held_to_the_policy(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    let e = aws_err(iam.get_login_profile().user_name("alice").send().await);
    assert_eq!(e, err("NoSuchEntity", "Login Profile for User alice cannot be found.", 404));
    let e = aws_err(iam.create_login_profile().user_name("nonexistent-user").password("TestPassword123!").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404));

    iam.update_account_password_policy()
        .minimum_password_length(12)
        .require_symbols(true)
        .require_numbers(true)
        .send()
        .await
        .unwrap();
    // Too short, then no symbol: refused; then one that meets every requirement.
    let e = aws_err(iam.create_login_profile().user_name("alice").password("Short1!").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    let e = aws_err(iam.create_login_profile().user_name("alice").password("NoSymbolsHere123").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    let created = iam
        .create_login_profile()
        .user_name("alice")
        .password("Long-enough-123")
        .password_reset_required(true)
        .send()
        .await
        .unwrap()
        .login_profile
        .unwrap();
    assert_eq!(created.user_name(), "alice");
    assert!(created.password_reset_required());

    let got = iam.get_login_profile().user_name("alice").send().await.unwrap().login_profile.unwrap();
    assert_eq!((got.user_name(), got.password_reset_required()), ("alice", true));
    assert_eq!(got.create_date(), created.create_date());

    let e = aws_err(iam.create_login_profile().user_name("alice").password("Another-Password-1").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Login Profile for user alice already exists.", 409));

    // UpdateLoginProfile: the flag alone, then a password that must meet the policy too.
    iam.update_login_profile().user_name("alice").password_reset_required(false).send().await.unwrap();
    let got = iam.get_login_profile().user_name("alice").send().await.unwrap().login_profile.unwrap();
    assert!(!got.password_reset_required());
    let e = aws_err(iam.update_login_profile().user_name("alice").password("weak").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    iam.update_login_profile().user_name("alice").password("Another-Good-456").send().await.unwrap();

    // Console sign-in does not exist: the password is never "last used".
    let user = iam.get_user().user_name("alice").send().await.unwrap().user.unwrap();
    assert!(user.password_last_used().is_none());

    iam.delete_login_profile().user_name("alice").send().await.unwrap();
    let e = aws_err(iam.delete_login_profile().user_name("alice").send().await);
    assert_eq!(e, err("NoSuchEntity", "Login Profile for User alice cannot be found.", 404));
    let e = aws_err(iam.delete_login_profile().user_name("nonexistent-user").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404));

    // Without an account policy, AWS's default one holds: 8 characters of at least three kinds.
    iam.delete_account_password_policy().send().await.unwrap();
    let e = aws_err(iam.create_login_profile().user_name("alice").password("alllowercase").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    iam.create_login_profile().user_name("alice").password("TestPassword123!").send().await.unwrap();
    let e = aws_err(iam.create_login_profile().user_name("alice").send().await);
    assert_eq!(e.code, "ValidationError");
    s.stop().await;
}

async fn reuse_is_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.update_account_password_policy().password_reuse_prevention(2).send().await.unwrap();
    iam.create_login_profile().user_name("bob").password("first-Pass-1").send().await.unwrap();
    // The current password is one of the last two.
    let e = aws_err(iam.update_login_profile().user_name("bob").password("first-Pass-1").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    iam.update_login_profile().user_name("bob").password("second-Pass-2").send().await.unwrap();
    let e = aws_err(iam.update_login_profile().user_name("bob").password("first-Pass-1").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    iam.update_login_profile().user_name("bob").password("third-Pass-3").send().await.unwrap();
    // Two newer passwords since: the first may come back.
    iam.update_login_profile().user_name("bob").password("first-Pass-1").send().await.unwrap();
    s.stop().await;
}

/// Gives `user` an access key and an inline policy allowing `actions` on everything; returns its client.
async fn user_client(s: &TestServer, user: &str, actions: &[&str]) -> aws_sdk_iam::Client {
    let creds = s.user_with_key(user).await;
    if !actions.is_empty() {
        let doc = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{ "Effect": "Allow", "Action": actions, "Resource": "*" }],
        });
        s.root_iam()
            .put_user_policy()
            .user_name(user)
            .policy_name("passwords")
            .policy_document(doc.to_string())
            .send()
            .await
            .unwrap();
    }
    s.iam(&creds)
}

async fn change_password_as_the_user(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let carol = user_client(&s, "carol", &["iam:ChangePassword", "iam:GetLoginProfile"]).await;
    // No login profile yet.
    let e = aws_err(carol.change_password().old_password("x").new_password("New-Password-1").send().await);
    assert_eq!(e, err("NoSuchEntity", "Login Profile for User carol cannot be found.", 404));

    iam.create_login_profile()
        .user_name("carol")
        .password("Initial-Pass-1")
        .password_reset_required(true)
        .send()
        .await
        .unwrap();
    let e = aws_err(carol.change_password().old_password("Wrong-Pass-1").new_password("New-Password-1").send().await);
    assert_eq!(e, err("AccessDenied", "The old password is incorrect.", 403));
    // The new password is held to the (default) policy.
    let e = aws_err(carol.change_password().old_password("Initial-Pass-1").new_password("short").send().await);
    assert_eq!(e, err("PasswordPolicyViolation", VIOLATION, 400));
    carol.change_password().old_password("Initial-Pass-1").new_password("New-Password-1").send().await.unwrap();
    // The change cleared PasswordResetRequired; the old password no longer matches.
    let own = carol.get_login_profile().send().await.unwrap().login_profile.unwrap();
    assert_eq!((own.user_name(), own.password_reset_required()), ("carol", false));
    let e =
        aws_err(carol.change_password().old_password("Initial-Pass-1").new_password("Newer-Password-2").send().await);
    assert_eq!(e.code, "AccessDenied");
    carol.change_password().old_password("New-Password-1").new_password("Newer-Password-2").send().await.unwrap();

    // The root user is no IAM user.
    let e = aws_err(iam.change_password().old_password("a").new_password("b").send().await);
    assert_eq!(e, err("InvalidUserType", "Only IAM users can change their own password.", 400));
    s.stop().await;
}

async fn allow_users_to_change_password_grants_the_change(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let dave = user_client(&s, "dave", &[]).await;
    iam.create_login_profile().user_name("dave").password("Initial-Pass-1").send().await.unwrap();
    let e = aws_err(dave.change_password().old_password("Initial-Pass-1").new_password("New-Password-1").send().await);
    assert_eq!(
        e,
        err(
            "AccessDenied",
            "User: arn:aws:iam::000000000000:user/dave is not authorized to perform: iam:ChangePassword on resource: arn:aws:iam::000000000000:user/dave because no identity-based policy allows the iam:ChangePassword action",
            403
        )
    );
    let e = aws_err(dave.get_account_password_policy().send().await);
    assert_eq!(e.code, "AccessDenied");

    // With the setting on, every user may change its own password and read the policy, without a policy of its own.
    iam.update_account_password_policy().allow_users_to_change_password(true).send().await.unwrap();
    let p = dave.get_account_password_policy().send().await.unwrap().password_policy.unwrap();
    assert!(p.allow_users_to_change_password());
    dave.change_password().old_password("Initial-Pass-1").new_password("New-Password-1").send().await.unwrap();
    // It grants nothing else.
    let e = aws_err(dave.get_login_profile().send().await);
    assert_eq!(e.code, "AccessDenied");

    // An explicit deny still wins over the setting.
    let deny =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}"#;
    iam.put_user_policy().user_name("dave").policy_name("no").policy_document(deny).send().await.unwrap();
    let e =
        aws_err(dave.change_password().old_password("New-Password-1").new_password("Newer-Password-2").send().await);
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.ends_with("with an explicit deny in an identity-based policy"), "{}", e.message);
    s.stop().await;
}

async fn delete_user_while_a_login_profile_remains(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("erin").send().await.unwrap();
    iam.create_login_profile().user_name("erin").password("TestPassword123!").send().await.unwrap();
    let e = aws_err(iam.delete_user().user_name("erin").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete login profile first.", 409));
    iam.delete_login_profile().user_name("erin").send().await.unwrap();
    iam.delete_user().user_name("erin").send().await.unwrap();
    // A user of the same name starts afresh: no profile, no remembered passwords.
    iam.create_user().user_name("erin").send().await.unwrap();
    let e = aws_err(iam.get_login_profile().user_name("erin").send().await);
    assert_eq!(e.code, "NoSuchEntity");
    s.stop().await;
}

async fn users_without_permission_are_denied(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("target").send().await.unwrap();
    let frank = user_client(&s, "frank", &["iam:GetLoginProfile"]).await;
    let denied = |action: &str, resource: &str| {
        err(
            "AccessDenied",
            &format!("User: arn:aws:iam::000000000000:user/frank is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"),
            403,
        )
    };
    let user_arn = "arn:aws:iam::000000000000:user/target";
    let e = aws_err(frank.create_login_profile().user_name("target").password("TestPassword123!").send().await);
    assert_eq!(e, denied("iam:CreateLoginProfile", user_arn));
    let e = aws_err(frank.update_login_profile().user_name("target").password("TestPassword123!").send().await);
    assert_eq!(e, denied("iam:UpdateLoginProfile", user_arn));
    let e = aws_err(frank.delete_login_profile().user_name("target").send().await);
    assert_eq!(e, denied("iam:DeleteLoginProfile", user_arn));
    // Authorised before the profile's existence is revealed; with the permission, the answer is NoSuchEntity.
    let e = aws_err(frank.get_login_profile().user_name("target").send().await);
    assert_eq!(e.code, "NoSuchEntity");
    let e = aws_err(frank.update_account_password_policy().minimum_password_length(8).send().await);
    assert_eq!(e, denied("iam:UpdateAccountPasswordPolicy", "*"));
    let e = aws_err(frank.delete_account_password_policy().send().await);
    assert_eq!(e, denied("iam:DeleteAccountPasswordPolicy", "*"));
    let e = aws_err(frank.get_account_password_policy().send().await);
    assert_eq!(e, denied("iam:GetAccountPasswordPolicy", "*"));
    s.stop().await;
}

/// MaxPasswordAge counts from the time a password was set; with HardExpiry its user can no longer change it once
/// expired. The server's clock is moved on 61 days, and the requests are signed at that time by hand (the SDK
/// signs with the machine's clock, which the server would then refuse).
async fn hard_expiry_stops_the_change_of_an_expired_password(backend: Backend) {
    let clock = Arc::new(ManualClock::new(now() * 1000));
    let s = TestServer::start_with(backend, clock.clone()).await;
    let iam = s.root_iam();
    let creds = s.user_with_key("hana").await;
    iam.update_account_password_policy()
        .allow_users_to_change_password(true)
        .max_password_age(60)
        .hard_expiry(true)
        .send()
        .await
        .unwrap();
    iam.create_login_profile().user_name("hana").password("Initial-Pass-1").send().await.unwrap();
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let change = |old: &str, new: &str, at: i64| {
        let body = format!("Action=ChangePassword&Version=2010-05-08&OldPassword={old}&NewPassword={new}");
        let headers = signed_post(&host, &creds, "iam", &body, at);
        let ep = ep.clone();
        async move { send_raw(&ep, "POST", "/", &headers, body.as_bytes()).await }
    };
    // Within the 60 days the user may change it.
    let r = change("Initial-Pass-1", "Second-Pass-2", now()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let later = now() + 61 * 86_400;
    clock.set(later * 1000);
    let r = change("Second-Pass-2", "Third-Pass-3", later).await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            400,
            "PasswordPolicyViolation",
            "The password has expired and the account password policy requires an administrator to reset it."
        )
    );
    // An administrator's reset starts the age afresh.
    let reset = "Action=UpdateLoginProfile&Version=2010-05-08&UserName=hana&Password=Admin-Reset-4";
    let r = send_raw(&ep, "POST", "/", &signed_post(&host, &s.root, "iam", reset, later), reset.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = change("Admin-Reset-4", "Fifth-Pass-5", later).await;
    assert_eq!(r.status, 200, "{}", r.body);
    s.stop().await;
}
