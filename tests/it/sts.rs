//! STS through aws-sdk-sts.

use crate::both_stores;
use crate::harness::{Backend, TestServer};

both_stores!(caller_identity_of_root);

async fn caller_identity_of_root(backend: Backend) {
    let s = TestServer::start(backend).await;
    let who = s.sts(&s.root).get_caller_identity().send().await.unwrap();
    assert_eq!(who.account(), Some("000000000000"));
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:root"));
    assert_eq!(who.user_id(), Some("000000000000"));
    s.stop().await;
}
