//! Accepting connections, with the limits a public server needs and that
//! `axum::serve` does not offer:
//!
//! - a cap on open connections, and on those of one client address: past
//!   it, a connection is answered `503` and closed at once instead of
//!   holding a file descriptor (a trusted proxy's connections count only
//!   towards the first: its clients are told apart by `X-Forwarded-For`);
//! - a deadline for the request head ([`HEADER_READ_TIMEOUT`]), which also
//!   ends idle keep-alive connections, so a slowloris client cannot hold a
//!   slot;
//! - a limit on the request head's size ([`MAX_HEADER_BYTES`]): `431`;
//! - a read deadline for request bodies (`web::body`): a body that stops
//!   arriving is given up;
//! - graceful shutdown: stop accepting, let requests in flight finish.
//!
//! Accepted connections are served on the threads of `web::workers`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

use super::body::{BODY_IDLE_TIMEOUT, TimedBody};
use super::workers::Workers;

/// Time a client gets to send a request's line and headers, and the longest
/// an idle keep-alive connection stays open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Request line plus headers, at most. Browsers send 1–3 kB.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// What a connection over the cap is told before it is closed.
const BUSY_MESSAGE: &str = "Máy chủ đang quá tải. Vui lòng thử lại sau ít giây.\n";

/// How many connections may be open.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_connections: usize,
    /// From one client address (not counting trusted proxies).
    pub per_client: usize,
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// Open connections per client address.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

/// One client's connection, counted while it lives.
struct Counted {
    clients: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Counted> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Counted {
            clients: self.clone(),
            ip,
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.clients.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` (`router::app`) on `listener`, each connection on one of
/// `workers`' threads, until `shutdown` completes; then waits for open
/// connections to finish their current request.
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: Limits,
    workers: &Workers,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let clients = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off
                    // rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let ip = remote.ip().to_canonical();
        let counted = if limits.trusted_proxies.iter().any(|p| p.contains(&ip)) {
            None
        } else {
            match clients.take(ip, limits.per_client) {
                Some(c) => Some(c),
                None => {
                    tokio::spawn(refuse(stream));
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        // The socket moves to the serving thread's reactor.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => {
                tracing::debug!(error = %e, "cannot hand a connection over");
                continue;
            }
        };
        let app = app.clone();
        let http = http.clone();
        let watcher = graceful.watcher();
        workers.spawn(async move {
            let stream = match TcpStream::from_std(stream) {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::debug!(error = %e, "cannot serve a connection");
                    return;
                }
            };
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let mut request =
                    request.map(|body| Body::new(TimedBody::new(body, BODY_IDLE_TIMEOUT)));
                request.extensions_mut().insert(ConnectInfo(remote));
                app.clone().oneshot(request)
            });
            let connection = watcher.watch(http.serve_connection(TokioIo::new(stream), service));
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(counted);
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Answers 503 on a connection over the cap. The request is read first (a
/// little, briefly) so that closing does not reset the connection before the
/// client sees the answer.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut head = [0u8; 2048];
        let _ = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut head)).await;
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             X-Content-Type-Options: nosniff\r\n\
             Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n\
             Retry-After: 5\r\nConnection: close\r\n\
             Content-Length: {}\r\n\r\n{BUSY_MESSAGE}",
            BUSY_MESSAGE.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
