//! Instance profiles through aws-sdk-iam: create, read with their role, list (by path, for a role) with paging,
//! add and remove the role, tag, delete, the quotas, and AWS's errors.

use aws_sdk_iam::types::Tag;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};
use crate::roles::{decode, TRUST};

both_stores!(create_get_delete, roles_in_profiles, list_paginates_and_filters_by_path, list_for_role, tags, quotas);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

fn no_such_profile(name: &str) -> AwsErr {
    err("NoSuchEntity", &format!("Instance Profile {name} cannot be found."), 404)
}

fn no_such_role(name: &str) -> AwsErr {
    err("NoSuchEntity", &format!("The role with name {name} cannot be found."), 404)
}

async fn create_get_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam.create_instance_profile().instance_profile_name("web").path("/app/").send().await.unwrap();
    let p = out.instance_profile().unwrap();
    assert_eq!((p.instance_profile_name(), p.path()), ("web", "/app/"));
    assert_eq!(p.arn(), "arn:aws:iam::000000000000:instance-profile/app/web");
    assert!(p.instance_profile_id().starts_with("AIPA") && p.instance_profile_id().len() == 21);
    assert!(p.roles().is_empty() && p.tags().is_empty());

    let got = iam.get_instance_profile().instance_profile_name("WEB").send().await.unwrap();
    let g = got.instance_profile().unwrap();
    assert_eq!((g.instance_profile_id(), g.instance_profile_name()), (p.instance_profile_id(), "web"));
    assert_eq!(g.create_date().secs(), p.create_date().secs());

    let e = aws_err(iam.create_instance_profile().instance_profile_name("Web").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Instance Profile Web already exists.", 409));

    iam.delete_instance_profile().instance_profile_name("web").send().await.unwrap();
    let e = aws_err(iam.get_instance_profile().instance_profile_name("web").send().await);
    assert_eq!(e, no_such_profile("web"));
    let e = aws_err(iam.delete_instance_profile().instance_profile_name("nonexistent-profile").send().await);
    assert_eq!(e, no_such_profile("nonexistent-profile"));
    s.stop().await;
}

async fn roles_in_profiles(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_role().role_name("r1").assume_role_policy_document(TRUST).description("d").send().await.unwrap();
    iam.create_role().role_name("r2").assume_role_policy_document(TRUST).send().await.unwrap();
    iam.create_instance_profile().instance_profile_name("ip").send().await.unwrap();

    let e = aws_err(iam.add_role_to_instance_profile().instance_profile_name("nope").role_name("r1").send().await);
    assert_eq!(e, no_such_profile("nope"));
    let e = aws_err(iam.add_role_to_instance_profile().instance_profile_name("ip").role_name("nope").send().await);
    assert_eq!(e, no_such_role("nope"));

    iam.add_role_to_instance_profile().instance_profile_name("IP").role_name("R1").send().await.unwrap();
    let got = iam.get_instance_profile().instance_profile_name("ip").send().await.unwrap();
    let roles = got.instance_profile().unwrap().roles();
    assert_eq!(roles.len(), 1);
    let r = &roles[0];
    assert_eq!((r.role_name(), r.path(), r.arn()), ("r1", "/", "arn:aws:iam::000000000000:role/r1"));
    assert_eq!(decode(r.assume_role_policy_document().unwrap()), TRUST);
    // Inside instance profiles a role shows the basic members only (as recorded).
    assert_eq!((r.description(), r.max_session_duration(), r.role_last_used()), (None, None, None));

    let quota = err("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409);
    let e = aws_err(iam.add_role_to_instance_profile().instance_profile_name("ip").role_name("r2").send().await);
    assert_eq!(e, quota);
    // The same role again meets the quota first, as in AWS.
    let e = aws_err(iam.add_role_to_instance_profile().instance_profile_name("ip").role_name("r1").send().await);
    assert_eq!(e, quota);

    let e = aws_err(iam.delete_instance_profile().instance_profile_name("ip").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409));

    let remove =
        |p: &str, r: &str| iam.remove_role_from_instance_profile().instance_profile_name(p).role_name(r).send();
    assert_eq!(aws_err(remove("nope", "r1").await), no_such_profile("nope"));
    assert_eq!(aws_err(remove("ip", "nope").await), no_such_role("nope"));
    assert_eq!(
        aws_err(remove("ip", "r2").await),
        err("NoSuchEntity", "Role r2 in Instance Profile ip cannot be found.", 404)
    );
    remove("ip", "r1").await.unwrap();
    let got = iam.get_instance_profile().instance_profile_name("ip").send().await.unwrap();
    assert!(got.instance_profile().unwrap().roles().is_empty());
    iam.add_role_to_instance_profile().instance_profile_name("ip").role_name("r2").send().await.unwrap();
    remove("ip", "r2").await.unwrap();
    iam.delete_instance_profile().instance_profile_name("ip").send().await.unwrap();
    iam.delete_role().role_name("r1").send().await.unwrap();
    s.stop().await;
}

async fn list_paginates_and_filters_by_path(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_role().role_name("r").assume_role_policy_document(TRUST).send().await.unwrap();
    for (name, path) in [("d", "/eng/"), ("c", "/"), ("e", "/eng/x/"), ("a", "/"), ("b", "/ops/")] {
        iam.create_instance_profile()
            .instance_profile_name(name)
            .path(path)
            .tags(Tag::builder().key("k").value("v").build().unwrap())
            .send()
            .await
            .unwrap();
    }
    iam.add_role_to_instance_profile().instance_profile_name("a").role_name("r").send().await.unwrap();
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = iam.list_instance_profiles().max_items(2).set_marker(marker.clone()).send().await.unwrap();
        for p in out.instance_profiles() {
            names.push(p.instance_profile_name().to_string());
            assert!(p.tags().is_empty(), "listings show no tags");
            let roles: Vec<&str> = p.roles().iter().map(|r| r.role_name()).collect();
            assert_eq!(roles, if p.instance_profile_name() == "a" { vec!["r"] } else { vec![] });
        }
        if !out.is_truncated() {
            break;
        }
        marker = out.marker().map(str::to_string);
    }
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    let eng = iam.list_instance_profiles().path_prefix("/eng/").send().await.unwrap();
    let eng: Vec<&str> = eng.instance_profiles().iter().map(|p| p.instance_profile_name()).collect();
    assert_eq!(eng, ["d", "e"]);
    let none = iam.list_instance_profiles().path_prefix("/nonexistent-path/").send().await.unwrap();
    assert!(none.instance_profiles().is_empty() && !none.is_truncated());
    s.stop().await;
}

async fn list_for_role(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    for role in ["r", "lonely"] {
        iam.create_role().role_name(role).assume_role_policy_document(TRUST).send().await.unwrap();
    }
    for p in ["p3", "p1", "p2"] {
        iam.create_instance_profile().instance_profile_name(p).send().await.unwrap();
        iam.add_role_to_instance_profile().instance_profile_name(p).role_name("r").send().await.unwrap();
    }
    let first = iam.list_instance_profiles_for_role().role_name("R").max_items(2).send().await.unwrap();
    let names: Vec<&str> = first.instance_profiles().iter().map(|p| p.instance_profile_name()).collect();
    assert_eq!(names, ["p1", "p2"]);
    assert!(first.is_truncated());
    assert_eq!(first.instance_profiles()[0].roles()[0].role_name(), "r");
    let rest =
        iam.list_instance_profiles_for_role().role_name("r").marker(first.marker().unwrap()).send().await.unwrap();
    let names: Vec<&str> = rest.instance_profiles().iter().map(|p| p.instance_profile_name()).collect();
    assert_eq!(names, ["p3"]);
    assert!(!rest.is_truncated());
    let lonely = iam.list_instance_profiles_for_role().role_name("lonely").send().await.unwrap();
    assert!(lonely.instance_profiles().is_empty() && !lonely.is_truncated());
    let e = aws_err(iam.list_instance_profiles_for_role().role_name("nonexistent-role").send().await);
    assert_eq!(e, no_such_role("nonexistent-role"));
    s.stop().await;
}

async fn tags(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let out = iam
        .create_instance_profile()
        .instance_profile_name("ip")
        .tags(tag("InitialKey", "InitialValue"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.instance_profile().unwrap().tags().len(), 1);
    iam.tag_instance_profile().instance_profile_name("IP").tags(tag("MyKey", "myValue")).send().await.unwrap();
    let listed = iam.list_instance_profile_tags().instance_profile_name("ip").send().await.unwrap();
    let kv: Vec<(&str, &str)> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(kv, [("InitialKey", "InitialValue"), ("MyKey", "myValue")]);
    let got = iam.get_instance_profile().instance_profile_name("ip").send().await.unwrap();
    assert_eq!(got.instance_profile().unwrap().tags().len(), 2);
    iam.untag_instance_profile().instance_profile_name("ip").tag_keys("initialkey").send().await.unwrap();
    let listed = iam.list_instance_profile_tags().instance_profile_name("ip").send().await.unwrap();
    assert_eq!(listed.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), ["MyKey"]);
    let e = aws_err(
        iam.tag_instance_profile().instance_profile_name("ip").tags(tag("a", "1")).tags(tag("A", "2")).send().await,
    );
    assert_eq!(
        e,
        err("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    );
    let missing = no_such_profile("nonexistent-profile");
    let name = "nonexistent-profile";
    assert_eq!(
        aws_err(iam.tag_instance_profile().instance_profile_name(name).tags(tag("Key", "Value")).send().await),
        missing
    );
    assert_eq!(aws_err(iam.untag_instance_profile().instance_profile_name(name).tag_keys("Key").send().await), missing);
    assert_eq!(aws_err(iam.list_instance_profile_tags().instance_profile_name(name).send().await), missing);
    // Tags go with the profile.
    iam.delete_instance_profile().instance_profile_name("ip").send().await.unwrap();
    iam.create_instance_profile().instance_profile_name("ip").send().await.unwrap();
    assert!(iam.list_instance_profile_tags().instance_profile_name("ip").send().await.unwrap().tags().is_empty());
    s.stop().await;
}

async fn quotas(backend: Backend) {
    let s = TestServer::start_args(backend, |a| {
        a.quotas.instance_profiles = 2;
        a.quotas.roles_per_instance_profile = 2;
    })
    .await;
    let iam = s.root_iam();
    for p in ["a", "b"] {
        iam.create_instance_profile().instance_profile_name(p).send().await.unwrap();
    }
    let e = aws_err(iam.create_instance_profile().instance_profile_name("c").send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for InstanceProfilesPerAccount: 2", 409));

    for r in ["r1", "r2", "r3"] {
        iam.create_role().role_name(r).assume_role_policy_document(TRUST).send().await.unwrap();
    }
    iam.add_role_to_instance_profile().instance_profile_name("a").role_name("r1").send().await.unwrap();
    // With room for another role, adding the one it holds is refused as a duplicate.
    let e = aws_err(iam.add_role_to_instance_profile().instance_profile_name("a").role_name("r1").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Role r1 is already in Instance Profile a.", 409));
    iam.add_role_to_instance_profile().instance_profile_name("a").role_name("r2").send().await.unwrap();
    let e = aws_err(iam.add_role_to_instance_profile().instance_profile_name("a").role_name("r3").send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 2", 409));
    let got = iam.get_instance_profile().instance_profile_name("a").send().await.unwrap();
    let roles: Vec<&str> = got.instance_profile().unwrap().roles().iter().map(|r| r.role_name()).collect();
    assert_eq!(roles, ["r1", "r2"]);
    s.stop().await;
}
