//! A raw HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose: it answers each request with
//! the next [`Reply`] of a script, at the level of bytes on the socket, so it can reset, truncate,
//! trickle or never answer where an HTTP library would not. It runs on its own thread with its
//! own real-time runtime: a test's paused clock sees it only as I/O, and its trickling sleeps are
//! real.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The most a body is streamed by the never-ending replies before the server gives up: a bound
/// for the server, far above any response-size cap of the client.
pub const ENDLESS_LIMIT: usize = 64 * 1024 * 1024;
/// The `Content-Length` the huge-length reply declares: 1 GiB.
pub const HUGE_LENGTH: u64 = 1 << 30;
/// The longest request head (request line and headers) the server reads.
const MAX_HEAD: usize = 64 * 1024;

/// What the server does with one request, after reading it whole.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    /// Resets the connection (RST) before a byte of the response.
    Reset,
    /// Sends a 200's status line and headers (the link's `Content-Length`), then resets.
    ResetAfterHeaders,
    /// Sends a 200's headers and the first half of the link's body, then resets.
    ResetMidBody,
    /// Keeps the connection open and never answers.
    Silent,
    /// Sends a 200's headers at once, then the link's body one byte every `every_ms`.
    Trickle { every_ms: u64 },
    /// A complete response, then closes the connection.
    Respond(Response),
    /// A 200 `application/json` with a chunked body that never ends (up to [`ENDLESS_LIMIT`]).
    Endless,
    /// A 200 declaring a `Content-Length` of [`HUGE_LENGTH`], then streaming it (up to
    /// [`ENDLESS_LIMIT`]).
    HugeLength,
}

/// A complete, well-formed response.
#[derive(Clone, Copy, Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: &'static str,
    /// What the body is, for the table in RELIABILITY.md.
    pub what: &'static str,
    pub retry_after: Option<RetryAfter>,
}

/// A `Retry-After` header.
#[derive(Clone, Copy, Debug)]
pub enum RetryAfter {
    /// Sent as written.
    Raw(&'static str),
    /// An HTTP-date this many seconds after the reply is sent.
    DateIn(u64),
}

impl RetryAfter {
    fn value(self) -> String {
        match self {
            RetryAfter::Raw(value) => value.to_owned(),
            RetryAfter::DateIn(seconds) => {
                httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(seconds))
            }
        }
    }
}

/// The replies of one route: the n-th request gets the n-th reply, and the last one repeats.
pub type Script = &'static [Reply];

/// A running server; stopped (its connections dropped) when dropped.
pub struct RawServer {
    addr: SocketAddr,
    api_requests: Arc<AtomicUsize>,
    token_requests: Arc<AtomicUsize>,
    streamed: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    /// Serves `POST /auth/token` from `token` and every other request from `api`.
    pub fn start(token: Script, api: Script) -> RawServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let api_requests = Arc::new(AtomicUsize::new(0));
        let token_requests = Arc::new(AtomicUsize::new(0));
        let streamed = Arc::new(AtomicUsize::new(0));
        let routes = Routes {
            token: Route::new(token, &token_requests),
            api: Route::new(api, &api_requests),
            streamed: Arc::clone(&streamed),
        };
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    _ = accept_loop(listener, Arc::new(routes)) => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime drops every connection still open.
        });
        RawServer {
            addr,
            api_requests,
            token_requests,
            streamed,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far: (API requests, token requests).
    pub fn requests(&self) -> (usize, usize) {
        (
            self.api_requests.load(Ordering::SeqCst),
            self.token_requests.load(Ordering::SeqCst),
        )
    }

    /// The requests received once they are `expected`, or after a second of real time: on a
    /// busy machine the server may read a request after the client gave up on it.
    pub fn settled_requests(&self, expected: (usize, usize)) -> (usize, usize) {
        for _ in 0..100 {
            if self.requests() == expected {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.requests()
    }

    /// Body bytes the never-ending replies wrote before the client hung up (or the bound).
    pub fn streamed(&self) -> usize {
        self.streamed.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Route {
    script: Script,
    seen: Arc<AtomicUsize>,
}

impl Route {
    fn new(script: Script, seen: &Arc<AtomicUsize>) -> Route {
        Route {
            script,
            seen: Arc::clone(seen),
        }
    }

    /// Counts a request and picks its reply.
    fn next(&self) -> Option<Reply> {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let last = self.script.len().checked_sub(1)?;
        Some(self.script[n.min(last)])
    }
}

struct Routes {
    token: Route,
    api: Route,
    streamed: Arc<AtomicUsize>,
}

async fn accept_loop(listener: TcpListener, routes: Arc<Routes>) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(serve(socket, Arc::clone(&routes)));
    }
}

/// One connection: one request, one reply (every reply closes the connection).
async fn serve(mut socket: TcpStream, routes: Arc<Routes>) {
    let Some(head) = read_request(&mut socket).await else {
        return;
    };
    let route = if head.starts_with("POST /auth/token ") {
        &routes.token
    } else {
        &routes.api
    };
    // A route without a script resets: a request the case did not expect fails loudly.
    let reply = route.next().unwrap_or(Reply::Reset);
    let _ = act(socket, reply, &routes.streamed).await;
}

/// Reads the request head and its `Content-Length` body (unread bytes would turn a clean close
/// into a reset); returns the head.
async fn read_request(socket: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body_read = buffer.len() - end;
    while body_read < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body_read += n;
    }
    Some(head)
}

fn head(status: u16, content_type: &str, length: Option<u64>, extra: &str) -> String {
    let length = match length {
        Some(length) => format!("content-length: {length}\r\n"),
        None => "transfer-encoding: chunked\r\n".to_owned(),
    };
    format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\n{length}{extra}connection: close\r\n\r\n",
        reason(status)
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Sends an RST rather than a FIN.
fn reset(socket: TcpStream) {
    let _ = socket.set_zero_linger();
    drop(socket);
}

async fn act(mut socket: TcpStream, reply: Reply, streamed: &AtomicUsize) -> std::io::Result<()> {
    let link = crate::common::LINK.as_bytes();
    let link_head = head(200, "application/json", Some(link.len() as u64), "");
    match reply {
        Reply::Reset => {}
        Reply::ResetAfterHeaders => socket.write_all(link_head.as_bytes()).await?,
        Reply::ResetMidBody => {
            socket.write_all(link_head.as_bytes()).await?;
            socket.write_all(&link[..link.len() / 2]).await?;
        }
        Reply::Silent => std::future::pending::<()>().await,
        Reply::Trickle { every_ms } => {
            socket.write_all(link_head.as_bytes()).await?;
            for byte in link {
                tokio::time::sleep(Duration::from_millis(every_ms)).await;
                socket.write_all(std::slice::from_ref(byte)).await?;
            }
        }
        Reply::Respond(response) => return respond(&mut socket, response).await,
        Reply::Endless => return endless(&mut socket, streamed).await,
        Reply::HugeLength => return huge_length(&mut socket, streamed).await,
    }
    reset(socket);
    Ok(())
}

async fn respond(socket: &mut TcpStream, response: Response) -> std::io::Result<()> {
    let extra = response
        .retry_after
        .map(|after| format!("retry-after: {}\r\n", after.value()))
        .unwrap_or_default();
    let head = head(
        response.status,
        response.content_type,
        Some(response.body.len() as u64),
        &extra,
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(response.body.as_bytes()).await?;
    socket.shutdown().await
}

/// `[0,0,0,…` in 64 KiB chunks until the client hangs up or the bound is reached.
async fn endless(socket: &mut TcpStream, streamed: &AtomicUsize) -> std::io::Result<()> {
    socket
        .write_all(head(200, "application/json", None, "").as_bytes())
        .await?;
    socket.write_all(b"1\r\n[\r\n").await?;
    let chunk = "0,".repeat(32 * 1024);
    let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
    let mut sent = 0;
    while sent < ENDLESS_LIMIT {
        socket.write_all(framed.as_bytes()).await?;
        sent += chunk.len();
        streamed.fetch_add(chunk.len(), Ordering::SeqCst);
    }
    socket.write_all(b"2\r\n0]\r\n0\r\n\r\n").await?;
    socket.shutdown().await
}

/// Declares a 1 GiB body and streams spaces until the client hangs up or the bound is reached.
async fn huge_length(socket: &mut TcpStream, streamed: &AtomicUsize) -> std::io::Result<()> {
    socket
        .write_all(head(200, "application/json", Some(HUGE_LENGTH), "").as_bytes())
        .await?;
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < ENDLESS_LIMIT {
        socket.write_all(&chunk).await?;
        sent += chunk.len();
        streamed.fetch_add(chunk.len(), Ordering::SeqCst);
    }
    socket.shutdown().await
}
