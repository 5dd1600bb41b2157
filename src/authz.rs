//! Authorisation. Every operation asks here before it reads or changes anything, and the domain functions
//! that touch the store take the `Authorized` proof this module alone can make, so no code path can skip it.
//!
//! Until the policy evaluator is wired in, the decision fails closed: the root user may do everything in its
//! own account, and every other principal is denied, as AWS denies a principal that no policy allows.

use gatehouse_wire::AwsError;

use crate::identity::Caller;

/// Proof that the caller may perform `action` on `resource`. It has no public constructor.
#[derive(Debug)]
pub struct Authorized {
    action: &'static str,
    resource: String,
}

impl Authorized {
    pub fn action(&self) -> &'static str {
        self.action
    }
    pub fn resource(&self) -> &str {
        &self.resource
    }
}

/// Decides whether `caller` may perform `action` (`iam:CreateUser`) on the resource `resource` (an ARN).
pub fn authorize(caller: &Caller, action: &'static str, resource: &str) -> Result<Authorized, AwsError> {
    // AWS managed policies (`arn:aws:iam::aws:policy/...`) belong to no customer account: every account sees them
    // as its own.
    let own = |a: &str| a == caller.account_id || a == "aws";
    if caller.is_root() && crate::arn::account_of(resource).is_none_or(own) {
        return Ok(Authorized { action, resource: resource.to_string() });
    }
    Err(denied(caller, action, resource))
}

/// AWS's wording when no identity-based policy allows the action.
pub fn denied(caller: &Caller, action: &str, resource: &str) -> AwsError {
    gatehouse_wire::AwsError::access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        caller.arn()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Principal;

    fn root() -> Caller {
        Caller { account_id: "000000000000".into(), principal: Principal::Root, access_key_id: "AKIA".into() }
    }

    #[test]
    fn root_may_act_in_its_own_account_only() {
        assert!(authorize(&root(), "iam:CreateUser", "arn:aws:iam::000000000000:user/bob").is_ok());
        assert!(authorize(&root(), "iam:CreateUser", "arn:aws:iam::111111111111:user/bob").is_err());
    }

    #[test]
    fn users_are_denied_with_aws_wording() {
        let alice = Caller {
            account_id: "000000000000".into(),
            principal: Principal::User { user_id: "AIDA1".into(), name: "alice".into(), path: "/".into() },
            access_key_id: "AKIA".into(),
        };
        let e = authorize(&alice, "iam:CreateUser", "arn:aws:iam::000000000000:user/bob").unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(e.code, "AccessDenied");
        assert_eq!(
            e.message,
            "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/bob because no identity-based policy allows the iam:CreateUser action"
        );
    }
}
