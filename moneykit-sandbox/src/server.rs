//! Serving a sandbox: the accept loop, HTTP/1.1 connections (hyper), and the service around the
//! router that records each request and closes a connection without an answer when a fault
//! says so (hyper closes a connection whose service fails, and sends nothing). An answer to a
//! request whose body was not read to its end says `Connection: close`: the unread bytes would
//! otherwise be taken for the next request, so hyper closes such a connection, and a client
//! must know before it sends another request on it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::CONNECTION;
use axum::response::Response;
use hyper::body::{Body as _, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_service::Service as _;

use crate::requests::Outcome;
use crate::state::AppState;

/// Set on a handler's response: close the connection instead of sending it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

/// The service's error for a dropped connection (hyper logs nothing and closes the socket).
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by a programmed fault")
    }
}

impl std::error::Error for Dropped {}

#[derive(Clone)]
struct KitService {
    router: Router,
    state: Arc<AppState>,
}

impl hyper::service::Service<hyper::Request<Incoming>> for KitService {
    type Response = Response;
    type Error = Dropped;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Dropped>> + Send>>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        let read_to_end = Arc::new(AtomicBool::new(request.body().is_end_stream()));
        let mut request: Request = request.map(|body| {
            axum::body::Body::new(Tracked {
                inner: body,
                read_to_end: Arc::clone(&read_to_end),
            })
        });
        let seq = self.state.log.start(&request);
        if let Some(seq) = seq {
            request.extensions_mut().insert(seq);
        }
        let mut router = self.router.clone();
        let state = Arc::clone(&self.state);
        Box::pin(async move {
            let response = match router.call(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let dropped = response.extensions().get::<DropConnection>().is_some();
            if let Some(seq) = seq {
                let outcome = if dropped {
                    Outcome::Dropped
                } else {
                    Outcome::Answered(response.status().as_u16())
                };
                state.log.finish(seq, outcome);
            }
            if dropped {
                return Err(Dropped);
            }
            let mut response = response;
            if !read_to_end.load(Ordering::Acquire) {
                // A 404 or 405, a 401 before the body, a body past the size limit: hyper will
                // close the connection rather than read what is left, so say so.
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        })
    }
}

/// A request body that notes when it has been read to its end.
struct Tracked {
    inner: Incoming,
    read_to_end: Arc<AtomicBool>,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.read_to_end.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `router` on `listener` until `stop` fires (or its sender is dropped); connections
/// then finish the request they are on and close.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    state: Arc<AppState>,
    mut stop: oneshot::Receiver<()>,
) {
    let service = KitService {
        router,
        state: Arc::clone(&state),
    };
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait for some to be freed, as axum does.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // Answers are one small write each: never hold them back.
        let _ = stream.set_nodelay(true);
        let connection =
            http1::Builder::new().serve_connection(TokioIo::new(stream), service.clone());
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away, or a dropped connection, ends it: nothing to report.
            let _ = connection.await;
        });
    }
    drop(listener);
    // A silent fault or a streamed body would otherwise hold its connection past the stop.
    state.stopping.send_replace(true);
    graceful.shutdown().await;
}
