//! Groups through aws-sdk-iam: create, read with members, list with paging, rename keeping members, membership,
//! delete conflicts, quotas, and AWS's errors.

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    create_get_delete,
    duplicate_names_collide_case_insensitively,
    list_groups_paginates_and_filters_by_path,
    membership,
    membership_errors,
    members_and_groups_of_a_user_paginate,
    rename_and_move_keep_members,
    delete_group_refuses_while_members_remain,
    delete_group_refuses_while_policies_remain,
    delete_user_refuses_while_in_a_group,
    groups_per_user_quota,
    groups_per_account_quota,
    authorised_on_the_group_and_the_user
);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn member_names(iam: &aws_sdk_iam::Client, group: &str) -> Vec<String> {
    let out = iam.get_group().group_name(group).send().await.unwrap();
    out.users().iter().map(|u| u.user_name().to_string()).collect()
}

async fn group_names_of(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    let out = iam.list_groups_for_user().user_name(user).send().await.unwrap();
    out.groups().iter().map(|g| g.group_name().to_string()).collect()
}

async fn create_get_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let g = iam.create_group().group_name("devs").send().await.unwrap().group.unwrap();
    assert_eq!((g.group_name(), g.path()), ("devs", "/"));
    assert_eq!(g.arn(), "arn:aws:iam::000000000000:group/devs");
    assert!(g.group_id().starts_with("AGPA") && g.group_id().len() == 21, "{}", g.group_id());
    let located = iam.create_group().group_name("ops").path("/some/location/").send().await.unwrap().group.unwrap();
    assert_eq!(located.arn(), "arn:aws:iam::000000000000:group/some/location/ops");
    assert_eq!(located.path(), "/some/location/");

    let got = iam.get_group().group_name("DEVS").send().await.unwrap();
    let gg = got.group().unwrap();
    assert_eq!((gg.group_id(), gg.group_name(), gg.arn()), (g.group_id(), "devs", g.arn()));
    assert_eq!(gg.create_date().secs(), g.create_date().secs());
    assert!(got.users().is_empty());
    assert!(!got.is_truncated());
    assert!(got.marker().is_none());

    iam.delete_group().group_name("Devs").send().await.unwrap();
    let e = aws_err(iam.get_group().group_name("devs").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name devs cannot be found.", 404));
    let e = aws_err(iam.get_group().group_name("non-existent-group").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name non-existent-group cannot be found.", 404));
    let e = aws_err(iam.delete_group().group_name("unknown-group").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name unknown-group cannot be found.", 404));
    s.stop().await;
}

async fn duplicate_names_collide_case_insensitively(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("Admins").send().await.unwrap();
    let e = aws_err(iam.create_group().group_name("admins").path("/other/").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Group with name admins already exists.", 409));
    // A user of the same name is another kind of entity: no collision.
    iam.create_user().user_name("admins").send().await.unwrap();
    assert_eq!(iam.list_groups().send().await.unwrap().groups().len(), 1);
    s.stop().await;
}

async fn list_groups_paginates_and_filters_by_path(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    for (name, path) in [("dave", "/eng/"), ("Carol", "/"), ("erin", "/eng/backend/"), ("alice", "/"), ("bob", "/ops/")]
    {
        iam.create_group().group_name(name).path(path).send().await.unwrap();
    }
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = iam.list_groups().max_items(2).set_marker(marker.clone()).send().await.unwrap();
        pages += 1;
        names.extend(out.groups().iter().map(|g| g.group_name().to_string()));
        if !out.is_truncated() {
            assert!(out.marker().is_none());
            break;
        }
        assert_eq!(out.groups().len(), 2);
        marker = out.marker().map(str::to_string);
    }
    assert_eq!(pages, 3);
    // Ordered by name without regard to case.
    assert_eq!(names, ["alice", "bob", "Carol", "dave", "erin"]);
    let all = iam.list_groups().send().await.unwrap();
    assert!(!all.is_truncated());
    assert_eq!(all.groups()[1].arn(), "arn:aws:iam::000000000000:group/ops/bob");

    let eng = iam.list_groups().path_prefix("/eng/").send().await.unwrap();
    let eng: Vec<_> = eng.groups().iter().map(|g| g.group_name()).collect();
    assert_eq!(eng, ["dave", "erin"]);

    let e = aws_err(iam.list_groups().marker("not-a-marker!").send().await);
    assert_eq!(e, err("ValidationError", "Invalid Marker.", 400));
    s.stop().await;
}

async fn membership(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.create_group().group_name("admins").send().await.unwrap();
    for u in ["zoe", "Bob", "amy"] {
        iam.create_user().user_name(u).path("/staff/").send().await.unwrap();
    }
    for u in ["zoe", "bob", "AMY"] {
        iam.add_user_to_group().group_name("DEVS").user_name(u).send().await.unwrap();
    }
    // Adding a member again succeeds and changes nothing.
    iam.add_user_to_group().group_name("devs").user_name("zoe").send().await.unwrap();
    iam.add_user_to_group().group_name("admins").user_name("zoe").send().await.unwrap();

    let got = iam.get_group().group_name("devs").send().await.unwrap();
    let names: Vec<_> = got.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(names, ["amy", "Bob", "zoe"], "ordered by user name");
    let amy = &got.users()[0];
    assert_eq!(amy.arn(), "arn:aws:iam::000000000000:user/staff/amy");
    assert_eq!(amy.path(), "/staff/");
    assert!(amy.user_id().starts_with("AIDA"));
    assert!(amy.tags().is_empty(), "GetGroup's users carry no tags");
    assert!(!got.is_truncated());

    assert_eq!(group_names_of(&iam, "ZOE").await, ["admins", "devs"]);
    assert_eq!(group_names_of(&iam, "amy").await, ["devs"]);
    let out = iam.list_groups_for_user().user_name("amy").send().await.unwrap();
    assert!(!out.is_truncated());
    assert_eq!(out.groups()[0].arn(), "arn:aws:iam::000000000000:group/devs");

    iam.remove_user_from_group().group_name("Devs").user_name("ZOE").send().await.unwrap();
    assert_eq!(member_names(&iam, "devs").await, ["amy", "Bob"]);
    assert_eq!(group_names_of(&iam, "zoe").await, ["admins"]);
    // Removing a user who is not a member succeeds and changes nothing, as AWS answers it.
    iam.remove_user_from_group().group_name("devs").user_name("zoe").send().await.unwrap();
    assert_eq!(member_names(&iam, "devs").await, ["amy", "Bob"]);
    iam.create_user().user_name("loner").send().await.unwrap();
    let out = iam.list_groups_for_user().user_name("loner").send().await.unwrap();
    assert!(out.groups().is_empty() && !out.is_truncated());
    s.stop().await;
}

async fn membership_errors(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.create_user().user_name("amy").send().await.unwrap();
    let e = aws_err(iam.add_user_to_group().group_name("devs").user_name("non-existent-user").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name non-existent-user cannot be found.", 404));
    let e = aws_err(iam.add_user_to_group().group_name("non-existent-group").user_name("amy").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name non-existent-group cannot be found.", 404));
    // AWS names the user when neither exists, the group when only the group is unknown.
    let e = aws_err(iam.remove_user_from_group().group_name("non-existent-group").user_name("any-user").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name any-user cannot be found.", 404));
    let e = aws_err(iam.remove_user_from_group().group_name("nonexistent-group").user_name("amy").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name nonexistent-group cannot be found.", 404));
    let e = aws_err(iam.remove_user_from_group().group_name("devs").user_name("nobody").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name nobody cannot be found.", 404));
    let e = aws_err(iam.list_groups_for_user().user_name("old-user").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name old-user cannot be found.", 404));
    let e = aws_err(iam.get_group().group_name("devs").marker("garbage!").send().await);
    assert_eq!(e, err("ValidationError", "Invalid Marker.", 400));
    let e = aws_err(iam.list_groups_for_user().user_name("amy").marker("garbage!").send().await);
    assert_eq!(e, err("ValidationError", "Invalid Marker.", 400));
    // Nothing changed.
    assert!(member_names(&iam, "devs").await.is_empty());
    s.stop().await;
}

async fn members_and_groups_of_a_user_paginate(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("big").send().await.unwrap();
    let users = ["u3", "U1", "u5", "u2", "u4"];
    for u in users {
        iam.create_user().user_name(u).send().await.unwrap();
        iam.add_user_to_group().group_name("big").user_name(u).send().await.unwrap();
    }
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = iam.get_group().group_name("big").max_items(2).set_marker(marker.clone()).send().await.unwrap();
        pages += 1;
        assert_eq!(out.group().unwrap().group_name(), "big", "every page describes the group");
        names.extend(out.users().iter().map(|u| u.user_name().to_string()));
        if !out.is_truncated() {
            assert!(out.marker().is_none());
            break;
        }
        assert_eq!(out.users().len(), 2);
        marker = out.marker().map(str::to_string);
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["U1", "u2", "u3", "u4", "u5"]);

    for g in ["g-c", "G-A", "g-b"] {
        iam.create_group().group_name(g).send().await.unwrap();
        iam.add_user_to_group().group_name(g).user_name("u2").send().await.unwrap();
    }
    let first = iam.list_groups_for_user().user_name("u2").max_items(3).send().await.unwrap();
    assert!(first.is_truncated());
    let first_names: Vec<_> = first.groups().iter().map(|g| g.group_name()).collect();
    assert_eq!(first_names, ["big", "G-A", "g-b"]);
    let rest = iam.list_groups_for_user().user_name("u2").marker(first.marker().unwrap()).send().await.unwrap();
    assert!(!rest.is_truncated() && rest.marker().is_none());
    let rest_names: Vec<_> = rest.groups().iter().map(|g| g.group_name()).collect();
    assert_eq!(rest_names, ["g-c"]);
    s.stop().await;
}

async fn rename_and_move_keep_members(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let g = iam.create_group().group_name("devs").send().await.unwrap().group.unwrap();
    iam.create_group().group_name("ops").send().await.unwrap();
    iam.create_user().user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("amy").send().await.unwrap();

    let e = aws_err(iam.update_group().group_name("devs").new_group_name("OPS").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Group with name OPS already exists.", 409));
    let e = aws_err(iam.update_group().group_name("nonexisting").new_group_name("new-name").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name nonexisting cannot be found.", 404));

    iam.update_group().group_name("devs").new_group_name("builders").new_path("/eng/").send().await.unwrap();
    let e = aws_err(iam.get_group().group_name("devs").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name devs cannot be found.", 404));
    let got = iam.get_group().group_name("builders").send().await.unwrap();
    let moved = got.group().unwrap();
    assert_eq!(moved.group_id(), g.group_id());
    assert_eq!(moved.arn(), "arn:aws:iam::000000000000:group/eng/builders");
    assert_eq!(moved.path(), "/eng/");
    assert_eq!(got.users().len(), 1);
    assert_eq!(got.users()[0].user_name(), "amy");
    assert_eq!(group_names_of(&iam, "amy").await, ["builders"]);

    // A move alone keeps the name; a change of case alone is a rename of the same group, not a collision.
    iam.update_group().group_name("builders").new_path("/").send().await.unwrap();
    iam.update_group().group_name("builders").new_group_name("Builders").send().await.unwrap();
    let got = iam.get_group().group_name("builders").send().await.unwrap();
    assert_eq!(got.group().unwrap().arn(), "arn:aws:iam::000000000000:group/Builders");
    assert_eq!(member_names(&iam, "Builders").await, ["amy"]);
    s.stop().await;
}

async fn delete_group_refuses_while_members_remain(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.create_user().user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("amy").send().await.unwrap();
    let e = aws_err(iam.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409));
    assert_eq!(member_names(&iam, "devs").await, ["amy"]);
    iam.remove_user_from_group().group_name("devs").user_name("amy").send().await.unwrap();
    iam.delete_group().group_name("devs").send().await.unwrap();
    // A new group of the same name starts empty.
    iam.create_group().group_name("devs").send().await.unwrap();
    assert!(member_names(&iam, "devs").await.is_empty());
    assert!(group_names_of(&iam, "amy").await.is_empty());
    s.stop().await;
}

/// Inline and attached policies of groups are written by another family; their rows are put in the store
/// directly here, beside the running server, to see DeleteGroup's checks and their order.
async fn delete_group_refuses_while_policies_remain(backend: Backend) {
    use sqlx::Connection as _;
    let dir = std::env::temp_dir().join(format!("gatehouse-it-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display());
    let s = TestServer::start_args(backend, |a| {
        if backend == Backend::Sqlite {
            a.database_url = Some(file);
        }
    })
    .await;
    let iam = s.root_iam();
    let id = iam.create_group().group_name("devs").send().await.unwrap().group.unwrap().group_id;
    iam.create_user().user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("amy").send().await.unwrap();
    let mut db = sqlx::AnyConnection::connect(&s.database_url).await.unwrap();
    let run = |sql: &'static str| sqlx::query(sql).bind(id.clone());
    run("INSERT INTO inline_policies (entity_id, entity_kind, account_id, name, name_key, document)
         VALUES ($1, 'group', '000000000000', 'P', 'p', '{}')")
    .execute(&mut db)
    .await
    .unwrap();
    run("INSERT INTO policy_attachments (entity_id, entity_kind, account_id, policy_arn, policy_name, attached_at)
         VALUES ($1, 'group', '000000000000', 'arn:aws:iam::aws:policy/ReadOnlyAccess', 'ReadOnlyAccess', 0)")
    .execute(&mut db)
    .await
    .unwrap();

    // Members first, then inline policies, then attached ones.
    let e = aws_err(iam.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409));
    iam.remove_user_from_group().group_name("devs").user_name("amy").send().await.unwrap();
    let e = aws_err(iam.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete policies first.", 409));
    run("DELETE FROM inline_policies WHERE entity_id = $1").execute(&mut db).await.unwrap();
    let e = aws_err(iam.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409));
    run("DELETE FROM policy_attachments WHERE entity_id = $1").execute(&mut db).await.unwrap();
    iam.delete_group().group_name("devs").send().await.unwrap();
    let _ = db.close().await;
    s.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn delete_user_refuses_while_in_a_group(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.create_group().group_name("ops").send().await.unwrap();
    iam.create_user().user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("ops").user_name("amy").send().await.unwrap();
    let e = aws_err(iam.delete_user().user_name("amy").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409));
    iam.remove_user_from_group().group_name("devs").user_name("amy").send().await.unwrap();
    let e = aws_err(iam.delete_user().user_name("amy").send().await);
    assert_eq!(e.code, "DeleteConflict");
    iam.remove_user_from_group().group_name("ops").user_name("amy").send().await.unwrap();
    iam.delete_user().user_name("amy").send().await.unwrap();
    // A new user of the same name is in no group, and the groups have no member left behind.
    iam.create_user().user_name("amy").send().await.unwrap();
    assert!(group_names_of(&iam, "amy").await.is_empty());
    assert!(member_names(&iam, "devs").await.is_empty());
    iam.delete_group().group_name("devs").send().await.unwrap();
    s.stop().await;
}

async fn groups_per_user_quota(backend: Backend) {
    let s = TestServer::start_args(backend, |a| {
        a.quotas = gatehouse::quotas::Quotas::parse("GroupsPerUser=2").unwrap();
    })
    .await;
    let iam = s.root_iam();
    iam.create_user().user_name("amy").send().await.unwrap();
    for g in ["g1", "g2", "g3"] {
        iam.create_group().group_name(g).send().await.unwrap();
    }
    iam.add_user_to_group().group_name("g1").user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("g2").user_name("amy").send().await.unwrap();
    // Adding again to a group the user is in is no new membership.
    iam.add_user_to_group().group_name("g2").user_name("amy").send().await.unwrap();
    let e = aws_err(iam.add_user_to_group().group_name("g3").user_name("amy").send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 2", 409));
    assert_eq!(group_names_of(&iam, "amy").await, ["g1", "g2"]);
    iam.remove_user_from_group().group_name("g1").user_name("amy").send().await.unwrap();
    iam.add_user_to_group().group_name("g3").user_name("amy").send().await.unwrap();

    // Concurrent additions cannot together pass the quota: counted in the write's transaction.
    iam.create_user().user_name("bob").send().await.unwrap();
    let adds = ["g1", "g2", "g3"].map(|g| {
        let iam = iam.clone();
        tokio::spawn(async move { iam.add_user_to_group().group_name(g).user_name("bob").send().await.is_ok() })
    });
    let mut ok = 0;
    for a in adds {
        ok += usize::from(a.await.unwrap());
    }
    assert_eq!(ok, 2);
    assert_eq!(group_names_of(&iam, "bob").await.len(), 2);
    s.stop().await;
}

async fn groups_per_account_quota(backend: Backend) {
    let s = TestServer::start_args(backend, |a| {
        a.quotas = gatehouse::quotas::Quotas::parse("Groups=2").unwrap();
    })
    .await;
    let iam = s.root_iam();
    iam.create_group().group_name("g1").send().await.unwrap();
    iam.create_group().group_name("g2").send().await.unwrap();
    let e = aws_err(iam.create_group().group_name("g3").send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for GroupsPerAccount: 2", 409));
    // A duplicate is still a duplicate when the account is full.
    let e = aws_err(iam.create_group().group_name("G1").send().await);
    assert_eq!(e.code, "EntityAlreadyExists");
    iam.delete_group().group_name("g1").send().await.unwrap();
    iam.create_group().group_name("g3").send().await.unwrap();
    assert_eq!(iam.list_groups().send().await.unwrap().groups().len(), 2);
    s.stop().await;
}

/// Without policies a user may do nothing; each decision names the resource AWS authorises the action on:
/// the group for membership changes, the user for ListGroupsForUser, the target of a rename.
async fn authorised_on_the_group_and_the_user(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("devs").path("/eng/").send().await.unwrap();
    let alice = s.iam(&s.user_with_key("alice").await);
    let denied = |action: &str, arn: &str| {
        format!(
            "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: {action} on resource: {arn} because no identity-based policy allows the {action} action"
        )
    };
    let e = aws_err(alice.add_user_to_group().group_name("devs").user_name("alice").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:AddUserToGroup", "arn:aws:iam::000000000000:group/eng/devs"), 403));
    let e = aws_err(alice.remove_user_from_group().group_name("nope").user_name("nobody").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:RemoveUserFromGroup", "arn:aws:iam::000000000000:group/nope"), 403));
    let e = aws_err(alice.list_groups_for_user().user_name("alice").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:ListGroupsForUser", "arn:aws:iam::000000000000:user/alice"), 403));
    let e = aws_err(alice.get_group().group_name("devs").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:GetGroup", "arn:aws:iam::000000000000:group/eng/devs"), 403));
    let e = aws_err(alice.list_groups().send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:ListGroups", "arn:aws:iam::000000000000:group/"), 403));
    let e = aws_err(alice.create_group().group_name("mine").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:CreateGroup", "arn:aws:iam::000000000000:group/mine"), 403));
    let e = aws_err(alice.update_group().group_name("devs").new_group_name("x").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:UpdateGroup", "arn:aws:iam::000000000000:group/eng/devs"), 403));
    let e = aws_err(alice.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("AccessDenied", &denied("iam:DeleteGroup", "arn:aws:iam::000000000000:group/eng/devs"), 403));
    assert!(member_names(&iam, "devs").await.is_empty());
    s.stop().await;
}
