//! The accept loop and the connection limits that apply before a request reaches the router: how many
//! connections are served at once, how long a request's head may take, how long an idle keep-alive connection is
//! kept, and graceful shutdown.
//!
//! hyper's own `header_read_timeout` is not used: it starts whenever hyper waits for a head, idle time between
//! keep-alive requests included (hyper 1.12, `proto/h1/conn.rs` `poll_read_head`), so it would close pooled
//! connections after the header timeout, where SDK clients reuse them for about 90 s. Here each connection has
//! a [`Phase`], shared by its IO ([`TimedIo`]) and its service: a head's clock starts at its first byte, an idle
//! connection has the (longer) idle timeout, and a request being handled has neither (the router's request
//! timeout covers it).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

/// What the accept loop enforces.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// From a head's first byte (or from the accept, for a connection's first request) to its end.
    pub header_timeout: Duration,
    /// Between the end of one answer and the first byte of the next request.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long [`serve`] waits, once told to stop, for requests in flight before it drops their connections.
    pub shutdown_grace: Duration,
}

/// Where a connection is in its request cycle, and the deadline that goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a request's head, which must be complete by the deadline.
    ReadingHead(Instant),
    /// The router has the request (and reads its body); its own timeout applies.
    InRequest,
    /// Between requests; the connection is closed at the deadline.
    Idle(Instant),
}

/// A connection's [`State`], shared by its IO and its service.
#[derive(Debug)]
struct Phase {
    state: Mutex<State>,
    limits: ConnLimits,
}

impl Phase {
    fn new(limits: ConnLimits) -> Self {
        Self { state: Mutex::new(State::ReadingHead(Instant::now() + limits.header_timeout)), limits }
    }

    fn get(&self) -> State {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, state: State) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    /// Bytes arrived: an idle connection is now reading a head, whose clock starts now.
    fn bytes_arrived(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let State::Idle(_) = *state {
            *state = State::ReadingHead(Instant::now() + self.limits.header_timeout);
        }
    }

    /// The service has the request; when the returned guard drops (the response is ready, or the connection went
    /// away) the connection is idle.
    fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.set(State::InRequest);
        RequestGuard(self.clone())
    }
}

struct RequestGuard(Arc<Phase>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        // Bytes of a pipelined next request already in hyper's buffer are not seen here: such a head is bounded by
        // the idle timeout instead of the header timeout, still bounded.
        self.0.set(State::Idle(Instant::now() + self.0.limits.idle_timeout));
    }
}

/// A TCP stream whose reads and writes fail (or, when idle, end) once the connection's deadline has passed. The
/// deadline's timer is polled from `poll_read` (hyper always has a read pending while it waits for a head), so it
/// wakes the connection's task by itself.
struct TimedIo {
    inner: TcpStream,
    phase: Arc<Phase>,
    timer: Pin<Box<Sleep>>,
    armed: Option<Instant>,
}

impl TimedIo {
    fn new(inner: TcpStream, phase: Arc<Phase>) -> Self {
        let timer = Box::pin(tokio::time::sleep(Duration::ZERO));
        Self { inner, phase, timer, armed: None }
    }

    /// `Ready(state)` when the current deadline has passed; otherwise the timer is set to it and registered.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<State> {
        let state = self.phase.get();
        let deadline = match state {
            State::ReadingHead(d) | State::Idle(d) => d,
            State::InRequest => return Poll::Pending,
        };
        if self.armed != Some(deadline) {
            self.timer.as_mut().reset(deadline);
            self.armed = Some(deadline);
        }
        self.timer.as_mut().poll(cx).map(|()| state)
    }

    /// A write (the answer) that cannot proceed past the deadline fails: a client that does not read its
    /// answers cannot hold the connection either.
    fn check_write<T>(&mut self, cx: &mut Context<'_>, pending: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match pending {
            Poll::Pending if self.poll_deadline(cx).is_ready() => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection deadline passed")
}

impl AsyncRead for TimedIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_deadline(cx) {
            // A head not complete in time: the connection is dropped, without an answer (as hyper's own timeout).
            Poll::Ready(State::ReadingHead(_)) => return Poll::Ready(Err(timed_out())),
            // Idle for too long: end of stream, which hyper takes as the client's clean close.
            Poll::Ready(_) => return Poll::Ready(Ok(())),
            Poll::Pending => {}
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.phase.bytes_arrived();
        }
        result
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.check_write(cx, result)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        this.check_write(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.check_write(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Serves `app` on `listener` until `shutdown` fires (or its sender is dropped), then stops accepting, lets the
/// connections finish their requests in flight (idle ones close at once) for at most `limits.shutdown_grace`, and
/// returns. At most `limits.max_connections` connections are served at once: past that, `accept` is not called,
/// and new connections wait in the kernel's backlog.
pub async fn serve(listener: TcpListener, app: Router, limits: ConnLimits, shutdown: oneshot::Receiver<()>) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::select! {
                        _ = &mut shutdown => break,
                        _ = tokio::time::sleep(Duration::from_millis(100)) => continue,
                    }
                }
            },
        };
        let app = app.clone();
        let stop = stop_rx.clone();
        connections.spawn(async move {
            serve_connection(stream, app, limits, stop).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained =
        tokio::time::timeout(limits.shutdown_grace, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(open = connections.len(), "closing connections still busy after the shutdown grace period");
        connections.shutdown().await;
    }
}

async fn serve_connection(stream: TcpStream, app: Router, limits: ConnLimits, mut stop: watch::Receiver<bool>) {
    // Answers are small and written whole; Nagle's algorithm would only delay them.
    let _ = stream.set_nodelay(true);
    // The peer's address reaches the handler as a request extension (the request's origin starts there). A
    // socket that cannot name its peer has already failed; its requests simply carry no address.
    let peer = stream.peer_addr().ok().map(crate::origin::PeerAddr);
    let phase = Arc::new(Phase::new(limits));
    let io = TokioIo::new(TimedIo::new(stream, phase.clone()));
    let router = TowerToHyperService::new(app);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        if let Some(peer) = peer {
            req.extensions_mut().insert(peer);
        }
        let guard = phase.begin_request();
        let answer = hyper::service::Service::call(&router, req);
        async move {
            let response = answer.await;
            drop(guard);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Keep-alive is on (hyper's default); hyper's header timer is off, as explained at the top of the module.
    builder.keep_alive(true).header_read_timeout(None);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let stopping = async move {
        // An error means the accept loop is gone: stop as well.
        let _ = stop.wait_for(|stopping| *stopping).await;
    };
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stopping => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        // Clients that go away, or are timed out, are routine.
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
