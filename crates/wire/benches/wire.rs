//! Query decoding and XML encoding (criterion). Run with `cargo bench -p gatehouse-wire --bench wire`; figures go
//! to BENCHMARKS.md.

// Bench code: an input that fails to decode is a broken benchmark, not an input to handle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gatehouse_wire::iam::{CreateUserRequest, GetUserRequest, GetUserResponse, ListUsersResponse, Tag, User};
use gatehouse_wire::{iam, response, Params, Timestamp};

const REQUEST_ID: &str = "4f1e3c2a-9b8d-4e7f-a6b5-c4d3e2f1a0b9";

/// CreateUser with 50 tags: 103 parameters, with percent-escapes in the path and in tag values, as the SDKs send.
fn create_user_body() -> String {
    let mut body =
        String::from("Action=CreateUser&Version=2010-05-08&UserName=seed-user-000042&Path=%2Fseed%2Fteam-7%2F");
    for i in 1..=50 {
        body.push_str(&format!("&Tags.member.{i}.Key=cost-center-{i}&Tags.member.{i}.Value=project%3Dgatehouse%20{i}"));
    }
    body
}

fn user(i: usize) -> User {
    let name = format!("seed-user-{i:06}");
    User {
        path: Some("/seed/".into()),
        arn: format!("arn:aws:iam::123456789012:user/seed/{name}"),
        user_name: Some(name),
        user_id: format!("AIDA{:017}", i),
        create_date: Timestamp(1_796_212_800),
        ..User::default()
    }
}

fn bench(c: &mut Criterion) {
    let small: &[u8] = b"Action=GetUser&Version=2010-05-08&UserName=seed-user-000042";
    c.bench_function("decode GetUser form (3 parameters)", |b| {
        b.iter(|| {
            let params = Params::parse_all(&[b"", black_box(small)]).unwrap();
            GetUserRequest::decode(&params).unwrap()
        })
    });
    let large = create_user_body();
    c.bench_function("decode CreateUser form with 50 tags (104 parameters)", |b| {
        b.iter(|| {
            let params = Params::parse_all(&[b"", black_box(large.as_bytes())]).unwrap();
            let req = CreateUserRequest::decode(&params).unwrap();
            assert_eq!(req.tags.as_ref().map(Vec::len), Some(50));
            req
        })
    });

    let mut tagged = user(42);
    tagged.tags = Some(vec![
        Tag { key: "team".into(), value: "platform".into() },
        Tag { key: "cost-center".into(), value: "cc-1234".into() },
    ]);
    let get = GetUserResponse { user: tagged };
    c.bench_function("encode GetUser response (2 tags)", |b| {
        b.iter(|| response("GetUser", iam::NAMESPACE, REQUEST_ID, Some(|w: &mut _| black_box(&get).write_xml(w))))
    });

    let list = ListUsersResponse {
        users: (1..=100).map(user).collect(),
        is_truncated: Some(true),
        marker: Some("c2VlZC11c2VyLTAwMDEwMA".into()),
    };
    c.bench_function("encode ListUsers page of 100 users", |b| {
        b.iter(|| response("ListUsers", iam::NAMESPACE, REQUEST_ID, Some(|w: &mut _| black_box(&list).write_xml(w))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = bench
}
criterion_main!(benches);
