//! Kept-alive connections, byte by byte: after any answer, the connection either serves the
//! next request or the answer said `Connection: close`. A client (Python's `http.client`,
//! a connection pool) trusts exactly that.

mod common;

use std::time::Duration;

use common::start;
use moneykit_sandbox::{Config, Sandbox, links};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Every read and write of these tests finishes within this (real time).
const BOUND: Duration = Duration::from_secs(10);
/// A response head larger than this is a failure, not something to wait for.
const MAX_RESPONSE: usize = 64 * 1024;

/// One response read off the wire: its status, its `Connection` header and its body.
#[derive(Debug)]
struct RawResponse {
    status: u16,
    connection: Option<String>,
    body: Vec<u8>,
}

impl RawResponse {
    fn closes(&self) -> bool {
        self.connection
            .as_deref()
            .is_some_and(|value| value.eq_ignore_ascii_case("close"))
    }
}

/// Reads one response (the sandbox always sends `Content-Length`) from `stream`, leaving
/// whatever follows in `buffer`. `None` when the connection ends first.
async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RawResponse> {
    let mut chunk = [0u8; 4096];
    // At most MAX_RESPONSE / 1 reads of at least one byte each, every one within BOUND.
    for _ in 0..=MAX_RESPONSE {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
            let header = |name: &str| {
                head.split("\r\n").skip(1).find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    key.eq_ignore_ascii_case(name)
                        .then(|| value.trim().to_owned())
                })
            };
            let length: usize = header("content-length")?.parse().ok()?;
            let total = end + 4 + length;
            if buffer.len() >= total {
                let body = buffer[end + 4..total].to_vec();
                let connection = header("connection");
                buffer.drain(..total);
                return Some(RawResponse {
                    status,
                    connection,
                    body,
                });
            }
        }
        assert!(
            buffer.len() <= MAX_RESPONSE,
            "a response larger than expected"
        );
        let read = timeout(BOUND, stream.read(&mut chunk))
            .await
            .expect("the sandbox answers or closes within the bound");
        match read {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    None
}

async fn write(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    timeout(BOUND, stream.write_all(bytes))
        .await
        .expect("the write finishes within the bound")
}

/// A request the sandbox answers without reading its body: the head is sent alone, the
/// answer read, and only then the body, as a client that streams its body does.
struct Case {
    name: &'static str,
    head: String,
    body: &'static [u8],
    status: u16,
}

fn cases(sandbox: &Sandbox) -> Vec<Case> {
    let host = sandbox.local_addr();
    let head = |request_line: &str, extra: &str, body: &[u8]| {
        format!(
            "{request_line}\r\nhost: {host}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             {extra}content-length: {}\r\n\r\n",
            body.len()
        )
    };
    let body: &'static [u8] = b"grant_type=client_credentials&client_id=a&client_secret=b";
    vec![
        Case {
            name: "unknown route (404)",
            head: head("POST /nope HTTP/1.1", "", body),
            body,
            status: 404,
        },
        Case {
            name: "method not allowed (405)",
            head: head(&format!("POST /links/{} HTTP/1.1", links::US), "", body),
            body,
            status: 405,
        },
        Case {
            name: "no credentials (401 before the body)",
            head: head(&format!("GET /links/{} HTTP/1.1", links::US), "", body),
            body,
            status: 401,
        },
    ]
}

/// The next request on the connection: a link read with the X-Client headers.
fn follow_up(sandbox: &Sandbox) -> String {
    format!(
        "GET /links/{} HTTP/1.1\r\nhost: {}\r\nx-client-id: {}\r\nx-client-secret: {}\r\n\r\n",
        links::US,
        sandbox.local_addr(),
        sandbox.client_id(),
        sandbox.client_secret()
    )
}

/// Either the second request on the connection is answered, or the first answer said
/// `Connection: close` (and the connection does close).
async fn check_next_request(
    sandbox: &Sandbox,
    name: &str,
    stream: &mut TcpStream,
    first: RawResponse,
    buffer: &mut Vec<u8>,
) {
    if first.closes() {
        let mut rest = Vec::new();
        let end = timeout(BOUND, stream.read_to_end(&mut rest)).await;
        assert!(
            matches!(end, Ok(Ok(_)) | Ok(Err(_))),
            "{name}: Connection: close, but the connection stayed open"
        );
        return;
    }
    let sent = write(stream, follow_up(sandbox).as_bytes()).await;
    let second = match sent {
        Ok(()) => read_response(stream, buffer).await,
        Err(_) => None,
    };
    let second = second.unwrap_or_else(|| {
        panic!(
            "{name}: the connection was dropped after {} without Connection: close",
            first.status
        )
    });
    assert_eq!(second.status, 200, "{name}: {second:?}");
}

/// Finding: the sandbox dropped kept-alive connections without saying so when it answered a
/// request without reading its body (404, 405, a 401 before the body): the client's next
/// request on that connection failed.
#[tokio::test]
async fn an_answer_without_reading_the_body_keeps_the_connection_or_says_close() {
    let sandbox = start(Config::new()).await;
    for case in cases(&sandbox) {
        let mut stream = TcpStream::connect(sandbox.local_addr()).await.unwrap();
        let mut buffer = Vec::new();
        write(&mut stream, case.head.as_bytes()).await.unwrap();
        // Answered on the head alone: the body has not been sent yet.
        let first = read_response(&mut stream, &mut buffer)
            .await
            .unwrap_or_else(|| panic!("{}: no answer", case.name));
        assert_eq!(first.status, case.status, "{}: {first:?}", case.name);
        if !first.closes() {
            // The body the request announced: a connection that stays open must skip it.
            let _ = write(&mut stream, case.body).await;
        }
        check_next_request(&sandbox, case.name, &mut stream, first, &mut buffer).await;
    }
}

/// The same with each request sent whole (head and body in one write), the token request with
/// wrong credentials among them: its body is read, so the connection stays open.
#[tokio::test]
async fn an_answer_to_a_whole_request_keeps_the_connection_or_says_close() {
    let sandbox = start(Config::new()).await;
    let body: &[u8] = b"grant_type=client_credentials&client_id=a&client_secret=wrong";
    let token = format!(
        "POST /auth/token HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         content-length: {}\r\n\r\n",
        sandbox.local_addr(),
        body.len()
    );
    let mut all = cases(&sandbox);
    all.push(Case {
        name: "token with wrong credentials (401)",
        head: token,
        body,
        status: 401,
    });
    for case in all {
        let mut stream = TcpStream::connect(sandbox.local_addr()).await.unwrap();
        let mut buffer = Vec::new();
        let mut request = case.head.clone().into_bytes();
        request.extend_from_slice(case.body);
        write(&mut stream, &request).await.unwrap();
        let first = read_response(&mut stream, &mut buffer)
            .await
            .unwrap_or_else(|| panic!("{}: no answer", case.name));
        assert_eq!(first.status, case.status, "{}: {first:?}", case.name);
        if case.status == 401 && case.name.starts_with("token") {
            assert!(!first.closes(), "{}: the body was read", case.name);
            assert!(!first.body.is_empty());
        }
        check_next_request(&sandbox, case.name, &mut stream, first, &mut buffer).await;
    }
}
