//! The faults that misbehave below the API: a written response, silence, a connection reset
//! after the headers or mid-body, a trickling body, a body without end and a huge length. Each
//! is read off the wire of 127.0.0.1 (raw TCP where the bytes matter, reqwest elsewhere), and
//! every read is bounded by count and time.

mod common;

use std::time::Duration;

use common::{content_type, paused_clock_http, start, token};
use moneykit_sandbox::{Config, Delivery, Fault, FaultError, Operation, Outcome, Sandbox, links};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

/// Every wait of these tests on the real clock ends within this.
const BOUND: Duration = Duration::from_secs(10);
/// The sandbox's bound on a never-ending body.
const LIMIT: usize = 64 * 1024 * 1024;

/// What one connection received, read until it ended (or `cap` bytes): the response head and
/// the body bytes after it.
struct Wire {
    head: String,
    body: Vec<u8>,
}

impl Wire {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn content_length(&self) -> usize {
        self.header("content-length").unwrap().parse().unwrap()
    }
}

/// Sends `GET path` with `bearer` on a new connection (`Connection: close`, so that even a
/// whole answer ends it) and reads until the connection ends, at most `cap` bytes, each read
/// within [`BOUND`].
async fn raw_get(sandbox: &Sandbox, bearer: &str, path: &str, cap: usize) -> Wire {
    let mut stream = TcpStream::connect(sandbox.local_addr()).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer {bearer}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    while received.len() < cap {
        match timeout(BOUND, stream.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
            Err(_) => panic!(
                "no end within {BOUND:?}: {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    let end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head")
        + 4;
    Wire {
        head: String::from_utf8_lossy(&received[..end]).into_owned(),
        body: received[end..].to_vec(),
    }
}

fn link_path() -> String {
    format!("/links/{}", links::US)
}

#[tokio::test]
async fn respond_sends_exactly_what_the_test_wrote_on_any_operation() {
    let sandbox = start(Config::new()).await;
    let http = reqwest::Client::new();
    let html = "<html><body>Bad Gateway</body></html>";
    sandbox
        .fail(
            Fault::respond(502, "text/html", html)
                .retry_after_raw("soon")
                .on(Operation::GetLink),
        )
        .unwrap();
    // The token endpoint documents 201: a 200 is what only a written response can send.
    sandbox
        .fail(Fault::respond(200, "text/html", "<p>hi</p>").on(Operation::CreateAccessToken))
        .unwrap();
    let answer = common::request_token(&http, &sandbox).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(content_type(&answer), "text/html");
    assert_eq!(answer.text().await.unwrap(), "<p>hi</p>");
    // Faults come before credentials: no token is needed.
    let url = format!("{}{}", sandbox.base_url(), link_path());
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(content_type(&answer), "text/html");
    assert_eq!(answer.headers()["retry-after"], "soon");
    assert_eq!(answer.text().await.unwrap(), html);
    sandbox
        .fail(
            Fault::respond(429, "application/json", "{}").retry_after(Duration::from_millis(1500)),
        )
        .unwrap();
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers()["retry-after"], "2");
    // And then the sandbox's own answer again.
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sandbox.pending_faults(), 0);
}

#[tokio::test]
async fn what_http_cannot_carry_is_refused() {
    let sandbox = start(Config::new()).await;
    let refused = [
        (
            Fault::respond(99, "text/plain", ""),
            FaultError::InvalidStatus { status: 99 },
        ),
        (
            Fault::respond(600, "text/plain", ""),
            FaultError::InvalidStatus { status: 600 },
        ),
        (
            Fault::respond(200, "text/plain\r\nX-Injected: 1", ""),
            FaultError::InvalidHeader {
                header: "content-type",
            },
        ),
        (
            Fault::status(503).retry_after_raw("1\nX-Injected: 1"),
            FaultError::InvalidHeader {
                header: "retry-after",
            },
        ),
        (
            Fault::status(404).retry_after_raw("1"),
            FaultError::RetryAfterNotAllowed { status: Some(404) },
        ),
        (
            Fault::silence().retry_after(Duration::from_secs(1)),
            FaultError::RetryAfterNotAllowed { status: None },
        ),
        (
            Fault::drop_connection().delivered(Delivery::ResetMidBody),
            FaultError::DeliveryNotAllowed,
        ),
        (
            Fault::endless_body().delivered(Delivery::ResetAfterHeaders),
            FaultError::DeliveryNotAllowed,
        ),
        (
            Fault::huge_length().delivered(Delivery::Trickle(Duration::ZERO)),
            FaultError::DeliveryNotAllowed,
        ),
        (Fault::silence().times(0), FaultError::ZeroTimes),
    ];
    for (fault, expected) in refused {
        assert_eq!(
            sandbox.fail(fault.clone()),
            Err(expected.clone()),
            "{fault:?}"
        );
        assert!(!expected.to_string().is_empty());
    }
    assert_eq!(sandbox.pending_faults(), 0);
    // A written response may carry a `Retry-After` on any status, and a body delivered any way.
    let allowed = [
        Fault::respond(200, "application/json", "{}").retry_after(Duration::from_secs(1)),
        Fault::respond(201, "application/json", "{}").delivered(Delivery::ResetMidBody),
        Fault::status(503).retry_after_raw("Wed, 21 Oct 2015 07:28:00 GMT"),
        Fault::error(moneykit_sandbox::ApiError::NotFound).delivered(Delivery::ResetAfterHeaders),
    ];
    for fault in allowed {
        assert_eq!(sandbox.fail(fault.clone()), Ok(()), "{fault:?}");
    }
}

#[tokio::test]
async fn a_reset_after_the_headers_sends_the_normal_answers_head_and_no_body() {
    let sandbox = start(Config::new()).await;
    let bearer = token(&reqwest::Client::new(), &sandbox).await;
    let whole = raw_get(&sandbox, &bearer, &link_path(), 1 << 20).await;
    assert!(whole.head.starts_with("HTTP/1.1 200 "), "{}", whole.head);
    sandbox.clear_requests();
    sandbox
        .fail(Fault::reset_after_headers().on(Operation::GetLink))
        .unwrap();
    let cut = raw_get(&sandbox, &bearer, &link_path(), 1 << 20).await;
    assert!(cut.head.starts_with("HTTP/1.1 200 "), "{}", cut.head);
    assert_eq!(cut.content_length(), whole.body.len());
    assert_eq!(cut.header("content-type"), Some("application/json"));
    assert!(cut.body.is_empty(), "{} bytes of body", cut.body.len());
    let outcomes: Vec<Outcome> = sandbox.requests().iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::Answered(200)]);
}

#[tokio::test]
async fn a_reset_mid_body_sends_the_first_half_of_the_body() {
    let sandbox = start(Config::new()).await;
    let bearer = token(&reqwest::Client::new(), &sandbox).await;
    let path = format!("/links/{}/accounts", links::US);
    let whole = raw_get(&sandbox, &bearer, &path, 1 << 20).await;
    sandbox.fail(Fault::reset_mid_body()).unwrap();
    let cut = raw_get(&sandbox, &bearer, &path, 1 << 20).await;
    assert!(cut.head.starts_with("HTTP/1.1 200 "), "{}", cut.head);
    assert_eq!(cut.content_length(), whole.body.len());
    assert_eq!(cut.body, whole.body[..whole.body.len() / 2]);
    // reqwest sees the cut as an error reading the body, after a 200.
    sandbox.fail(Fault::reset_mid_body()).unwrap();
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.base_url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.bytes().await.is_err());
}

#[tokio::test(start_paused = true)]
async fn a_trickle_sends_one_byte_per_interval_on_the_paused_clock() {
    let sandbox = start(Config::new()).await;
    let http = paused_clock_http();
    let body = "0123456789";
    sandbox
        .fail(
            Fault::respond(200, "application/json", body)
                .delivered(Delivery::Trickle(Duration::from_secs(3))),
        )
        .unwrap();
    let started = Instant::now();
    let answer = http
        .get(format!("{}{}", sandbox.base_url(), link_path()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.content_length(), Some(10));
    assert_eq!(answer.text().await.unwrap(), body);
    // Virtual time: one wait before each byte, exactly.
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn a_trickle_of_the_normal_answer_keeps_it_whole() {
    let sandbox = start(Config::new()).await;
    let http = paused_clock_http();
    let bearer = token(&http, &sandbox).await;
    let url = format!("{}{}", sandbox.base_url(), link_path());
    let get = || async {
        let response = http.get(&url).bearer_auth(&bearer).send().await.unwrap();
        response.text().await.unwrap()
    };
    let whole = get().await;
    sandbox
        .fail(Fault::trickle(Duration::from_millis(10)))
        .unwrap();
    let started = Instant::now();
    let trickled = get().await;
    assert_eq!(trickled, whole);
    let expected = Duration::from_millis(10) * u32::try_from(whole.len()).unwrap();
    assert_eq!(started.elapsed(), expected);
}

#[tokio::test]
async fn silence_answers_nothing_until_the_sandbox_stops() {
    let sandbox = start(Config::new()).await;
    sandbox.fail(Fault::silence()).unwrap();
    let mut stream = TcpStream::connect(sandbox.local_addr()).await.unwrap();
    let request = format!("GET {} HTTP/1.1\r\nHost: sandbox\r\n\r\n", link_path());
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut byte = [0u8; 1];
    let waited = timeout(Duration::from_millis(300), stream.read(&mut byte)).await;
    assert!(waited.is_err(), "something came: {waited:?}");
    assert_eq!(sandbox.requests()[0].outcome, Outcome::Pending);
    // Stopping the sandbox closes the connection, without a byte.
    drop(sandbox);
    let read = timeout(BOUND, stream.read(&mut byte))
        .await
        .expect("closed within the bound");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn an_endless_body_is_json_without_end_up_to_64_mib() {
    let sandbox = start(Config::new()).await;
    let http = reqwest::Client::new();
    sandbox
        .fail(Fault::endless_body().on(Operation::CreateAccessToken))
        .unwrap();
    sandbox
        .fail(Fault::endless_body().on(Operation::GetLink))
        .unwrap();
    // On the token endpoint, its success status.
    let mut answer = common::request_token(&http, &sandbox).await;
    assert_eq!(answer.status(), StatusCode::CREATED);
    assert_eq!(content_type(&answer), "application/json");
    assert_eq!(answer.content_length(), None);
    let first = answer.chunk().await.unwrap().unwrap();
    assert!(
        b"[0,0,".starts_with(&first[..first.len().min(5)]),
        "{first:?}"
    );
    drop(answer);
    // Read to its bound, it is a complete JSON array.
    let url = format!("{}{}", sandbox.base_url(), link_path());
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body = timeout(BOUND, answer.bytes()).await.unwrap().unwrap();
    assert_eq!(body.len(), 1 + LIMIT + 2);
    assert!(body.starts_with(b"[0,0,") && body.ends_with(b",0,0]"));
}

#[tokio::test]
async fn a_huge_length_announces_1_gib_and_falls_short_at_64_mib() {
    let sandbox = start(Config::new()).await;
    sandbox.fail(Fault::huge_length()).unwrap();
    let url = format!("{}{}", sandbox.base_url(), link_path());
    let mut answer = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(content_type(&answer), "application/json");
    assert_eq!(answer.content_length(), Some(1 << 30));
    let mut read = 0;
    let ended = loop {
        match timeout(BOUND, answer.chunk()).await.unwrap() {
            Ok(Some(chunk)) => {
                assert!(chunk.iter().all(|&b| b == b' '));
                read += chunk.len();
                assert!(read <= LIMIT, "more than the bound");
            }
            Ok(None) => break Ok(()),
            Err(error) => break Err(error),
        }
    };
    assert!(ended.is_err(), "the body ended as if whole");
    // A reset may discard the last bytes in flight: all that is sure is the bound, and that
    // the body was streamed.
    assert!(read > LIMIT / 2, "{read} bytes");
}

#[tokio::test]
async fn stopping_the_sandbox_cuts_a_streamed_body() {
    let sandbox = start(Config::new()).await;
    sandbox.fail(Fault::endless_body()).unwrap();
    let url = format!("{}{}", sandbox.base_url(), link_path());
    let mut answer = reqwest::Client::new().get(&url).send().await.unwrap();
    assert!(answer.chunk().await.unwrap().is_some());
    drop(sandbox);
    // Unread, the body would run to 64 MiB; the stop cuts it well before.
    let mut read = 0;
    let ended = loop {
        match timeout(BOUND, answer.chunk())
            .await
            .expect("cut within the bound")
        {
            Ok(Some(chunk)) => read += chunk.len(),
            Ok(None) => break Ok(()),
            Err(error) => break Err(error),
        }
    };
    assert!(ended.is_err(), "the body ended cleanly");
    assert!(read < LIMIT, "{read} bytes");
}
