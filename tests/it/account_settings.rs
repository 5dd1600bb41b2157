//! Account-level settings through aws-sdk-iam: the account alias (one per account, unique across the server's
//! accounts, replaced by a second create), SetSecurityTokenServicePreferences as GetAccountSummary reports it, and
//! the credential report (AWS's states, the four-hour reuse rule, the CSV's columns and rows).

use aws_sdk_iam::types::{GlobalEndpointTokenVersion, ReportStateType, SummaryKeyType};

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(account_aliases, sts_preferences, credential_reports);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn account_aliases(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    assert!(iam.list_account_aliases().send().await.unwrap().account_aliases().is_empty());
    iam.create_account_alias().account_alias("acme-dev").send().await.unwrap();
    let e = aws_err(iam.create_account_alias().account_alias("acme-dev").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "The account alias acme-dev already exists.", 409));
    // A second alias replaces the first.
    iam.create_account_alias().account_alias("acme-prod").send().await.unwrap();
    let listed = iam.list_account_aliases().send().await.unwrap();
    assert_eq!(listed.account_aliases(), ["acme-prod"]);
    assert!(!listed.is_truncated());
    // The model's pattern: lower case, no leading, trailing or double hyphen.
    for bad in ["Acme", "-acme", "ac--me"] {
        let e = aws_err(iam.create_account_alias().account_alias(bad).send().await);
        assert_eq!(e.code, "ValidationError", "{bad}");
    }
    let e = aws_err(iam.delete_account_alias().account_alias("acme-dev").send().await);
    assert_eq!(e, err("NoSuchEntity", "The account alias acme-dev cannot be found.", 404));
    iam.delete_account_alias().account_alias("acme-prod").send().await.unwrap();
    assert!(iam.list_account_aliases().send().await.unwrap().account_aliases().is_empty());
    // A user without permission may not read it.
    let alice = s.user_with_key("alice").await;
    assert_eq!(aws_err(s.iam(&alice).list_account_aliases().send().await).code, "AccessDenied");
    s.stop().await;
}

async fn sts_preferences(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let version = || async {
        let out = iam.get_account_summary().send().await.unwrap();
        *out.summary_map().unwrap().get(&SummaryKeyType::GlobalEndpointTokenVersion).unwrap()
    };
    assert_eq!(version().await, 1);
    let set = |v| iam.set_security_token_service_preferences().global_endpoint_token_version(v).send();
    set(GlobalEndpointTokenVersion::V2Token).await.unwrap();
    assert_eq!(version().await, 2);
    set(GlobalEndpointTokenVersion::V1Token).await.unwrap();
    assert_eq!(version().await, 1);
    s.stop().await;
}

async fn credential_reports(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    // Before any report: AWS's ReportNotPresent, which carries no message.
    let e = aws_err(iam.get_credential_report().send().await);
    assert_eq!((e.code.as_str(), e.message.as_str(), e.status), ("ReportNotPresent", "", 410));

    let alice = s.user_with_key("alice").await;
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.create_login_profile().user_name("bob").password("Correct-Horse-9").send().await.unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["alice.example".to_string()]).unwrap().cert.pem();
    iam.upload_signing_certificate().user_name("alice").certificate_body(cert).send().await.unwrap();
    // alice's key has been used (the report shows when, where and for what).
    let _ = s.iam(&alice).get_user().send().await;

    let first = iam.generate_credential_report().send().await.unwrap();
    assert_eq!(first.state(), Some(&ReportStateType::Started));
    // Within four hours the report is reused.
    let again = iam.generate_credential_report().send().await.unwrap();
    assert_eq!(again.state(), Some(&ReportStateType::Complete));

    let report = iam.get_credential_report().send().await.unwrap();
    assert_eq!(report.report_format().map(|f| f.as_str()), Some("text/csv"));
    assert!(report.generated_time().is_some());
    let csv = String::from_utf8(report.content().unwrap().as_ref().to_vec()).unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines[0], gatehouse::domain::credential_report::COLUMNS);
    assert_eq!(lines.len(), 4, "{csv}");
    let row = |name: &str| lines.iter().find(|l| l[0] == name).unwrap_or_else(|| panic!("{name}: {csv}")).clone();
    let root = row("<root_account>");
    assert_eq!(root[1], "arn:aws:iam::000000000000:root");
    assert_eq!(&root[3..8], ["not_supported", "no_information", "not_supported", "not_supported", "false"]);
    let a = row("alice");
    assert_eq!(a[1], "arn:aws:iam::000000000000:user/alice");
    assert!(a[2].ends_with("+00:00"), "{}", a[2]);
    assert_eq!(&a[3..8], ["false", "N/A", "N/A", "N/A", "false"]);
    assert_eq!(a[8], "true");
    assert_ne!(a[9], "N/A");
    assert_eq!(&a[13..18], ["false", "N/A", "N/A", "N/A", "N/A"]);
    assert_eq!(a[18], "true");
    assert!(a[19].ends_with("+00:00"));
    assert_eq!(&a[20..], ["false", "N/A"]);
    let b = row("bob");
    assert_eq!(&b[3..5], ["true", "no_information"]);
    assert!(b[5].ends_with("+00:00"));
    assert_eq!(b[6], "N/A");
    assert_eq!(b[8], "false");
    s.stop().await;
}
