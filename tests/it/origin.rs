//! The request origin's wiring: the accept loop hands each request its TCP peer, from which (with the trusted
//! proxies) the origin is computed. The walk itself is unit-tested in `src/origin.rs`; here a router that
//! answers with the origin it computes shows what a real connection yields.

use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use gatehouse::net::ConnLimits;
use gatehouse::origin::{Origin, PeerAddr, TrustedProxies};

use crate::auth::send_raw;

/// Serves a router whose every answer is the request's origin as `Debug` text, behind `trusted`.
async fn echo_origin(trusted: &str) -> (String, tokio::sync::oneshot::Sender<()>) {
    let trusted = TrustedProxies::parse(trusted).unwrap();
    let app = Router::new().fallback(move |req: Request| {
        let trusted = trusted.clone();
        async move {
            let peer = req.extensions().get::<PeerAddr>().map(|p| p.0);
            format!("{:?}", Origin::of(peer, req.headers(), &trusted))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ConnLimits {
        header_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        max_connections: 8,
        shutdown_grace: Duration::from_secs(1),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(gatehouse::net::serve(listener, app, limits, rx));
    (format!("http://{addr}"), tx)
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_peer_is_the_client_unless_it_is_a_trusted_proxy() {
    let forwarded =
        headers(&[("x-forwarded-for", "203.0.113.9"), ("x-forwarded-proto", "https"), ("user-agent", "aws-cli/2.15")]);

    // Nobody trusted: the forwarded headers change nothing.
    let (ep, stop) = echo_origin("").await;
    let expected = Origin {
        source_ip: Some("127.0.0.1".parse().unwrap()),
        secure_transport: false,
        user_agent: Some("aws-cli/2.15".into()),
    };
    assert_eq!(send_raw(&ep, "GET", "/", &forwarded, b"").await.body, format!("{expected:?}"));
    let _ = stop.send(());

    // The loopback peer trusted as a proxy: the client is the one it names, over HTTPS.
    let (ep, stop) = echo_origin("127.0.0.0/8").await;
    let expected = Origin {
        source_ip: Some("203.0.113.9".parse().unwrap()),
        secure_transport: true,
        user_agent: Some("aws-cli/2.15".into()),
    };
    assert_eq!(send_raw(&ep, "GET", "/", &forwarded, b"").await.body, format!("{expected:?}"));
    let _ = stop.send(());
}
