//! Proof that a decision allocates nothing: a counting global allocator around `authorize`.
//!
//! A global allocator is process-wide, so this target holds one test only, and it is the one
//! place in the crate where `unsafe` is allowed (implementing `GlobalAlloc` requires it; see
//! the note in Cargo.toml on why the crate's lint is `deny` rather than the workspace's `forbid`).
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use gatehouse_policy::*;

struct Counting;

thread_local! {
    // Only the thread making the decision counts: the test harness's own threads (its output capture, its
    // slow-test reporter) allocate when they like, and under load that used to be counted as the decision's.
    // A const-initialised Cell needs no allocation and no destructor, so reading it inside the allocator is safe.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn counting() -> bool {
    COUNTING.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::SeqCst)
}

fn compile(kind: PolicyKind, json: &str) -> CompiledPolicy {
    CompiledPolicy::compile(json, kind, "p").unwrap()
}

#[test]
fn decisions_do_not_allocate() {
    // Every operator family, variables in resources and conditions, set operators, a
    // boundary, a session policy, a resource policy with principals, SCP levels.
    let identity = compile(
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"Home","Effect":"Allow","Action":["s3:Get*","s3:Put*"],"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*",
           "Condition":{"StringEquals":{"aws:PrincipalTag/team":"${aws:username}"},"StringLike":{"s3:prefix":"home/*"},
             "StringEqualsIgnoreCase":{"aws:RequestedRegion":"${aws:PrincipalTag/region, 'EU-WEST-1'}"},
             "NumericLessThan":{"s3:max-keys":"100"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
             "Bool":{"aws:SecureTransport":"true"},"BinaryEquals":{"k:bin":"aGVsbG8="},
             "IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"},
             "Null":{"aws:TokenIssueTime":"true"},"ForAllValues:StringLike":{"aws:TagKeys":["team*","cost*"]},
             "ForAnyValue:StringEquals":{"aws:TagKeys":"team"},"StringNotEqualsIfExists":{"k:missing":"x"}}},
          {"Effect":"Deny","NotAction":"s3:*","Resource":"*"},
          {"Effect":"Deny","Action":"s3:DeleteBucket","NotResource":"arn:aws:s3:::bucket/${aws:username}"}]}"#,
    );
    let boundary = compile(
        PolicyKind::PermissionsBoundary,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    );
    let session = compile(
        PolicyKind::Session,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let resource = compile(
        PolicyKind::Resource,
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::111111111111:user/alice"]},"Action":"s3:GetObject","Resource":"*"},
          {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"s3:DeleteObject","Resource":"*"}]}"#,
    );
    let scp = compile(
        PolicyKind::ServiceControl,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let ctx = RequestContext::new()
        .with("aws:username", ContextValue::string("alice"))
        .with("aws:PrincipalTag/team", ContextValue::string("alice"))
        .with("s3:prefix", ContextValue::string("home/alice"))
        .with("aws:RequestedRegion", ContextValue::string("eu-west-1"))
        .with("s3:max-keys", ContextValue::number(10.0))
        .with("aws:SecureTransport", ContextValue::bool(true))
        .with("k:bin", ContextValue::binary(b"hello".to_vec()))
        .with("aws:SourceIp", ContextValue::ip("10.1.2.3".parse().unwrap()))
        .with("aws:PrincipalArn", ContextValue::arn("arn:aws:iam::111111111111:user/alice"))
        .with_list("aws:TagKeys", [ContextValue::string("team"), ContextValue::string("cost-center")])
        .with_time(Timestamp::parse("2024-06-01T12:00:00Z").unwrap());

    let identity_set = [&identity];
    let session_set = [&session];
    let level: [&CompiledPolicy; 1] = [&scp];
    let levels: [&[&CompiledPolicy]; 2] = [&level, &level];
    let set = PolicySet::new(&identity_set)
        .with_boundary(&boundary)
        .with_session(&session_set)
        .with_resource(&resource)
        .with_service_control(&levels);
    let principal = Principal::assumed_role(
        "111111111111",
        "arn:aws:sts::111111111111:assumed-role/r/s",
        "arn:aws:iam::111111111111:role/r",
    );
    let requests = [
        ("s3:GetObject", "arn:aws:s3:::bucket/home/alice/file", EvalDecision::Allowed),
        ("s3:GetObject", "arn:aws:s3:::bucket/home/bob/file", EvalDecision::ImplicitDeny),
        ("ec2:RunInstances", "*", EvalDecision::ExplicitDeny),
        ("s3:DeleteObject", "arn:aws:s3:::bucket/home/alice/file", EvalDecision::ExplicitDeny),
        ("sts:GetCallerIdentity", "*", EvalDecision::Allowed),
    ];
    // Warm up (lazy statics in std, if any, are not the evaluator's allocations).
    for (action, resource, _) in requests {
        let req = Request { principal, action, resource, resource_account: None, context: &ctx };
        let _ = authorize(&req, &set);
    }
    for (action, resource, want) in requests {
        let req = Request { principal, action, resource, resource_account: Some("111111111111"), context: &ctx };
        let mut got = None;
        let n = allocations_during(|| got = Some(authorize(&req, &set).decision));
        assert_eq!(got, Some(want), "{action} on {resource}");
        assert_eq!(n, 0, "{action} on {resource} allocated {n} times");
    }
    // The counter does count: building a context allocates.
    assert!(allocations_during(|| drop(RequestContext::new().with("k", ContextValue::string("v")))) > 0);
}
