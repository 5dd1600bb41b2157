//! The no-work server: every request, whatever it is, gets the same small 200 XML answer over keep-alive HTTP/1.1,
//! so the generator's figures against it are the client's (and the loopback's) own ceiling.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A GetUser-shaped answer of about the size of Gatehouse's.
pub const BODY: &str = "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult><User>\
<Path>/</Path><UserName>nothing</UserName><Arn>arn:aws:iam::000000000000:user/nothing</Arn></User></GetUserResult>\
<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetUserResponse>";

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read the body, as a real server would, so the connection stays reusable whatever the client sent.
    let _ = req.into_body().collect().await;
    let mut resp = Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    Ok(resp)
}

/// Serves on `listener` until `stop` completes or `max_lifetime` has passed, whichever is first.
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>, max_lifetime: Duration) {
    let deadline = tokio::time::sleep(max_lifetime);
    tokio::pin!(stop);
    tokio::pin!(deadline);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            _ = &mut deadline => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of descriptors, or a connection reset before it was accepted: wait a little, go on.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ =
                http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service_fn(answer)).await;
        });
    }
}
