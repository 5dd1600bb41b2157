//! SigV4 verification as the server does it (criterion). Run with
//! `cargo bench -p gatehouse-sigv4 --bench sigv4`; figures go to BENCHMARKS.md.

// Bench code: a request that fails to sign or verify is a broken benchmark, not an input to handle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gatehouse_sigv4::{parse, signature, signing_key, verify, QueryToken, Request};

const KEY_ID: &str = "AKIAGATEHOUSEBENCH01";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "127.0.0.1:4590";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const AMZ_DATE: &str = "20261202T120000Z";
const DAY: &str = "20261202";
/// `AMZ_DATE` in unix seconds: the server's `now` (inside the 15-minute window).
const NOW: i64 = 1_796_212_800;
const BODY: &[u8] = b"Action=GetUser&Version=2010-05-08";
const PLACEHOLDER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `Authorization` header of a POST of `BODY` with `headers` (which must hold a placeholder authorization
/// last) signed by `SECRET`, computed with the crate's own canonicalisation, as the SDKs' signers compute it.
fn authorization(headers: &mut [(&str, String)], signed: &str) -> String {
    let prefix = format!(
        "AWS4-HMAC-SHA256 Credential={KEY_ID}/{DAY}/us-east-1/iam/aws4_request, SignedHeaders={signed}, Signature="
    );
    let last = headers.len() - 1;
    headers[last].1 = format!("{prefix}{PLACEHOLDER}");
    let borrowed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let req = Request::new("POST", "/", "", &borrowed, BODY);
    let auth = parse(&req).expect("parse the placeholder");
    let sig = signature(&auth, &req, &signing_key(SECRET, DAY, "us-east-1", "iam"), QueryToken::Signed);
    format!("{prefix}{sig}")
}

/// The headers of a signed GetUser POST as an SDK sends them (signed: content-type, host, x-amz-date; plus the
/// unsigned ones a real client adds), with `token` as a signed `x-amz-security-token` when given.
fn signed_headers(token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers: Vec<(&'static str, String)> = vec![
        ("content-type", CONTENT_TYPE.into()),
        ("host", HOST.into()),
        ("user-agent", "aws-sdk-rust/1.3.9 os/linux lang/rust/1.95.0".into()),
        ("content-length", BODY.len().to_string()),
        ("x-amz-date", AMZ_DATE.into()),
    ];
    let signed = match token {
        Some(t) => {
            headers.push(("x-amz-security-token", t.into()));
            "content-type;host;x-amz-date;x-amz-security-token"
        }
        None => "content-type;host;x-amz-date",
    };
    headers.push(("authorization", String::new()));
    let auth = authorization(&mut headers, signed);
    let last = headers.len() - 1;
    headers[last].1 = auth;
    headers
}

/// What the server does per request once the signing key is known: parse, check the window and scope, verify.
fn parse_and_verify(headers: &[(&str, &str)], key: &[u8; 32]) {
    let req = Request::new("POST", "/", "", headers, black_box(BODY));
    let auth = parse(&req).expect("parse");
    auth.check(NOW).expect("window and scope");
    auth.require_service("iam").expect("service");
    black_box(auth.session_token());
    verify(&auth, &req, key, NOW).expect("verifies");
}

fn bench(c: &mut Criterion) {
    let plain = signed_headers(None);
    let plain: Vec<(&str, &str)> = plain.iter().map(|(n, v)| (*n, v.as_str())).collect();
    // The server's cache holds the key per access key, day, region and service: a hit costs no HMAC chain.
    let cached = signing_key(SECRET, DAY, "us-east-1", "iam");
    c.bench_function("verify GetUser POST, signing key cached", |b| {
        b.iter(|| parse_and_verify(black_box(&plain), &cached))
    });

    c.bench_function("derive signing key", |b| {
        b.iter(|| signing_key(black_box(SECRET), black_box(DAY), black_box("us-east-1"), black_box("iam")))
    });

    // A session token about the size of the server's sealed ones (deflated claims, AEAD, base64): 700 characters.
    let token: String = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ".chars().cycle().take(700).collect();
    let with_token = signed_headers(Some(&token));
    let with_token: Vec<(&str, &str)> = with_token.iter().map(|(n, v)| (*n, v.as_str())).collect();
    c.bench_function("verify GetUser POST with x-amz-security-token, signing key cached", |b| {
        b.iter(|| parse_and_verify(black_box(&with_token), &cached))
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
