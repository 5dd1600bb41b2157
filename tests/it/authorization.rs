//! Authorisation by construction: the no-policy sweep. A user with no policies calls every operation of both
//! models with valid parameters (the generated samples) and is refused with AccessDenied by each, implemented or
//! not, except the four operations AWS never authorises.

use crate::auth::{now, send_raw, signed_post};
use crate::both_stores;
use crate::harness::{Backend, TestServer};

both_stores!(a_user_without_policies_may_call_nothing);

/// The operations AWS answers without an authorisation decision.
const NOT_AUTHORISED: [&str; 4] =
    ["GetCallerIdentity", "GetSessionToken", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"];

async fn a_user_without_policies_may_call_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let iam = gatehouse_wire::iam::Action::ALL.iter().map(|a| ("iam", "2010-05-08", a.name(), a.sample_params()));
    let sts = gatehouse_wire::sts::Action::ALL.iter().map(|a| ("sts", "2011-06-15", a.name(), a.sample_params()));
    let mut failures = Vec::new();
    let mut refused = 0;
    for (service, version, action, params) in iam.chain(sts) {
        let body = format!("Action={action}&Version={version}{params}");
        let r = send_raw(&ep, "POST", "/", &signed_post(&host, &alice, service, &body, now()), body.as_bytes()).await;
        if NOT_AUTHORISED.contains(&action) {
            if r.status == 403 {
                failures.push(format!("{action}: AWS does not authorise it, yet {} {}", r.status, r.body));
            }
            continue;
        }
        // GetAccessKeyLastUsed words its denial without the colon after "perform", as AWS does.
        let prefix = "User: arn:aws:iam::000000000000:user/alice is not authorized to perform";
        let names = r.message().contains(&format!(" {service}:{action} on resource: "));
        if r.status != 403 || r.code() != "AccessDenied" || !r.message().starts_with(prefix) || !names {
            failures.push(format!("{action}: {} {}", r.status, r.body));
        } else {
            refused += 1;
        }
    }
    assert!(failures.is_empty(), "{} operations answered otherwise:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(refused, 191 - NOT_AUTHORISED.len());
    s.stop().await;
}
