//! A bounded HTTP/1.1 load generator (hyper): N keep-alive connections send the same `GET` as
//! fast as the server answers, after a warm-up, until a request count or a time limit is reached.
//! A fresh clone needs nothing installed to measure the sandbox.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One load run.
#[derive(Clone, Debug)]
pub struct Load {
    /// The server, on loopback.
    pub addr: SocketAddr,
    /// The path (and query) every request asks for.
    pub path: String,
    /// Headers sent with every request besides `Host`.
    pub headers: HeaderMap,
    /// The status every answer must have.
    pub expect: StatusCode,
    /// Keep-alive connections, each with one request in flight.
    pub connections: usize,
    /// Time spent sending before counting starts.
    pub warmup: Duration,
    /// Longest measured time.
    pub duration: Duration,
    /// Most measured requests.
    pub max_requests: u64,
}

/// What a load run measured.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    /// Answers received while measuring.
    pub requests: u64,
    /// Body bytes received while measuring.
    pub body_bytes: u64,
    /// Measured time.
    pub seconds: f64,
}

#[derive(Default)]
struct State {
    measuring: AtomicBool,
    stop: AtomicBool,
    requests: AtomicU64,
    body_bytes: AtomicU64,
}

/// The address of a `http://127.0.0.1:PORT` base URL; anything but loopback is refused.
pub fn loopback(base_url: &str) -> Result<SocketAddr, String> {
    let authority = base_url.strip_prefix("http://").unwrap_or(base_url);
    let addr: SocketAddr = authority
        .trim_end_matches('/')
        .parse()
        .map_err(|e| format!("{base_url} is not http://IP:PORT: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address"));
    }
    Ok(addr)
}

/// Runs `load` and returns what was measured, or the first failure.
pub async fn run(load: Load) -> Result<Measured, String> {
    let (load, state) = (Arc::new(load), Arc::new(State::default()));
    let tasks: Vec<_> = (0..load.connections)
        .map(|_| tokio::spawn(connection(Arc::clone(&load), Arc::clone(&state))))
        .collect();
    let poll = Duration::from_millis(5);
    let warm_until = Instant::now() + load.warmup;
    while Instant::now() < warm_until && !tasks.iter().any(|t| t.is_finished()) {
        tokio::time::sleep(poll).await;
    }
    state.measuring.store(true, Ordering::SeqCst);
    let started = Instant::now();
    while !state.stop.load(Ordering::SeqCst)
        && started.elapsed() < load.duration
        && !tasks.iter().any(|t| t.is_finished())
    {
        tokio::time::sleep(poll).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let requests = state.requests.load(Ordering::SeqCst);
    let body_bytes = state.body_bytes.load(Ordering::SeqCst);
    state.stop.store(true, Ordering::SeqCst);
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .map_err(|_| "a connection did not stop within 10 s".to_owned())?
            .map_err(|e| format!("connection task: {e}"))??;
    }
    Ok(Measured {
        requests,
        body_bytes,
        seconds,
    })
}

async fn connection(load: Arc<Load>, state: Arc<State>) -> Result<(), String> {
    let mut sender = handshake(load.addr).await?;
    let host = HeaderValue::from_str(&load.addr.to_string()).map_err(|e| e.to_string())?;
    while !state.stop.load(Ordering::Relaxed) {
        let mut request = Request::new(Empty::<Bytes>::new());
        *request.uri_mut() = load.path.parse().map_err(|e| format!("path: {e}"))?;
        *request.headers_mut() = load.headers.clone();
        request.headers_mut().insert(HOST, host.clone());
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let status = response.status();
        let body = response.into_body().collect().await;
        let body = body.map_err(|e| format!("body: {e}"))?.to_bytes();
        if status != load.expect {
            return Err(format!(
                "{} answered {status}, not {}",
                load.path, load.expect
            ));
        }
        if state.measuring.load(Ordering::Relaxed) {
            state
                .body_bytes
                .fetch_add(body.len() as u64, Ordering::Relaxed);
            if state.requests.fetch_add(1, Ordering::Relaxed) + 1 >= load.max_requests {
                state.stop.store(true, Ordering::Relaxed);
            }
        }
    }
    Ok(())
}

type Sender<B> = hyper::client::conn::http1::SendRequest<B>;

async fn handshake<B>(addr: SocketAddr) -> Result<Sender<B>, String>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    // Ends when the sender is dropped.
    tokio::spawn(connection);
    Ok(sender)
}

/// The headers of an authenticated API request: `Authorization: Bearer`, `moneykit-version`
/// (the spec's default) and `Accept: application/json`.
pub fn api_headers(token: &str) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    let mut bearer =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| "bad token".to_owned())?;
    bearer.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    let version = moneykit_api::types::SupportedVersion::default();
    let version = HeaderValue::from_str(version.as_str()).map_err(|e| e.to_string())?;
    headers.insert("moneykit-version", version);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    Ok(headers)
}

/// An access token from `POST /auth/token` with the client credentials.
pub async fn token(addr: SocketAddr, id: &str, secret: &str) -> Result<String, String> {
    let mut sender = handshake(addr).await?;
    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/auth/token")
        .header(HOST, addr.to_string())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form)))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("token request: {e}"))?;
    let status = response.status();
    let body = response.into_body().collect().await;
    let body = body.map_err(|e| format!("token body: {e}"))?.to_bytes();
    if !status.is_success() {
        return Err(format!("POST /auth/token answered {status}"));
    }
    let body: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "no access_token in the token response".to_owned())
}
