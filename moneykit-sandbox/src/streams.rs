//! The bodies of the faults that misbehave after the headers: a body cut short by a reset, one
//! that trickles, one without end and one far shorter than announced. Each is written by a task
//! of its own into a channel of one frame, so it goes no faster than the client reads, ends
//! when the client hangs up (the body, and so the channel, is dropped), stops at
//! [`STREAM_LIMIT`], and is cut when the sandbox stops. A body that fails makes hyper abort the
//! connection; before failing, the body lets hyper flush what it has, so the client does get
//! the headers (and the half body) first.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use hyper::body::Frame;
use tokio::sync::{mpsc, watch};

use crate::faults::Delivery;

/// The most a never-ending body streams before the sandbox gives up: far above any sensible
/// response-size cap of a client.
pub(crate) const STREAM_LIMIT: usize = 64 * 1024 * 1024;
/// The `Content-Length` [`Fault::huge_length`](crate::Fault::huge_length) announces: 1 GiB.
pub(crate) const HUGE_LENGTH: u64 = 1 << 30;
/// The size of each frame of the never-ending bodies.
const CHUNK: usize = 64 * 1024;

/// What a streamed body sends.
pub(crate) enum Plan {
    /// A known body, cut or slowed down as `Delivery` says.
    Delivered(Bytes, Delivery),
    /// `[0,0,0,…` up to the limit, then `0]`.
    Endless,
    /// Spaces up to the limit, then a failure (short of the length announced).
    HugeLength,
}

/// The error of a body cut on purpose: hyper aborts the connection.
#[derive(Debug)]
pub(crate) struct Cut;

impl fmt::Display for Cut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("body cut by a programmed fault")
    }
}

impl std::error::Error for Cut {}

/// A body streamed as `plan` says, cut when `stopping` turns true (or its sender is gone).
pub(crate) fn body(plan: Plan, mut stopping: watch::Receiver<bool>) -> Body {
    let (frames, received) = mpsc::channel(1);
    tokio::spawn(write(plan, frames));
    Body::new(Streamed {
        frames: received,
        stopped: Box::pin(async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        }),
        failure: None,
    })
}

type Frames = mpsc::Sender<Result<Bytes, Cut>>;

/// Sends the frames of `plan`; returns early when the body is gone.
async fn write(plan: Plan, frames: Frames) {
    match plan {
        Plan::Delivered(_, Delivery::ResetAfterHeaders) => {
            let _ = frames.send(Err(Cut)).await;
        }
        Plan::Delivered(body, Delivery::ResetMidBody) => {
            let half = body.slice(..body.len() / 2);
            if half.is_empty() || frames.send(Ok(half)).await.is_ok() {
                let _ = frames.send(Err(Cut)).await;
            }
        }
        Plan::Delivered(body, Delivery::Trickle(every)) => {
            for at in 0..body.len() {
                if !pause(&frames, every).await {
                    return;
                }
                if frames.send(Ok(body.slice(at..=at))).await.is_err() {
                    return;
                }
            }
        }
        Plan::Delivered(body, _) => {
            let _ = frames.send(Ok(body)).await;
        }
        Plan::Endless => {
            let zeros = Bytes::from("0,".repeat(CHUNK / 2));
            if frames.send(Ok(Bytes::from_static(b"["))).await.is_err() {
                return;
            }
            if fill(&frames, &zeros).await {
                let _ = frames.send(Ok(Bytes::from_static(b"0]"))).await;
            }
        }
        Plan::HugeLength => {
            let spaces = Bytes::from(vec![b' '; CHUNK]);
            if fill(&frames, &spaces).await {
                let _ = frames.send(Err(Cut)).await;
            }
        }
    }
}

/// Sends `chunk` until [`STREAM_LIMIT`]; false when the body went away first.
async fn fill(frames: &Frames, chunk: &Bytes) -> bool {
    let mut sent = 0;
    while sent < STREAM_LIMIT {
        if frames.send(Ok(chunk.clone())).await.is_err() {
            return false;
        }
        sent += chunk.len();
    }
    true
}

/// Waits `every` on tokio's clock; false when the body went away meanwhile.
async fn pause(frames: &Frames, every: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(every) => true,
        () = frames.closed() => false,
    }
}

struct Streamed {
    frames: mpsc::Receiver<Result<Bytes, Cut>>,
    stopped: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// A failure held back for one poll, so that hyper flushes what came before it.
    failure: Option<Cut>,
}

impl hyper::body::Body for Streamed {
    type Data = Bytes;
    type Error = Cut;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Cut>>> {
        let this = &mut *self;
        if let Some(failure) = this.failure.take() {
            return Poll::Ready(Some(Err(failure)));
        }
        if this.stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Cut)));
        }
        match this.frames.poll_recv(cx) {
            Poll::Ready(Some(Ok(data))) => Poll::Ready(Some(Ok(Frame::data(data)))),
            Poll::Ready(Some(Err(failure))) => {
                // Give hyper one turn to write out what it holds, then fail.
                this.failure = Some(failure);
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
