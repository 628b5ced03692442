//! The response size cap from the command line: a server on 127.0.0.1 answers 200 with a
//! 256 MiB body (chunked, or with a `Content-Length`); the binary fails at once with one
//! `response_too_large` line and exit 7, the server gets to send only a little of the body, and
//! the binary's peak RSS stays under 64 MiB. `--max-response-bytes` sets the cap.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{BAD_TOKEN, moneykit, run_command, sandbox, without_moneykit_env};
use moneykit_sandbox::links;

const MIB: u64 = 1024 * 1024;
const BODY: u64 = 256 * MIB;
const MAX_RSS_KIB: u64 = 64 * 1024;
/// GNU time, which reports a child's peak RSS (`%M`, KiB) from the kernel's own accounting.
const GNU_TIME: &str = "/usr/bin/time";

/// Answers every connection `200` with [`BODY`] bytes, counting connections and bytes sent,
/// until stopped (each socket write gives up after 10 s).
struct BigBodyServer {
    url: String,
    connections: Arc<AtomicUsize>,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BigBodyServer {
    fn start(chunked: bool) -> BigBodyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, total, stopped) = (connections.clone(), sent.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        counted.fetch_add(1, Ordering::SeqCst);
                        serve(socket, chunked, &total);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        BigBodyServer {
            url,
            connections,
            sent,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops accepting; returns (connections, body bytes sent).
    fn finish(mut self) -> (usize, u64) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        (
            self.connections.load(Ordering::SeqCst),
            self.sent.load(Ordering::SeqCst),
        )
    }
}

/// Reads the request head, then writes the body until it is all sent or the client is gone.
fn serve(mut socket: TcpStream, chunked: bool, sent: &AtomicU64) {
    socket.set_nonblocking(false).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    socket
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match socket.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {BODY}")
    };
    let status = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n");
    if socket.write_all(status.as_bytes()).is_err() {
        return;
    }
    let piece = vec![b' '; 64 * 1024];
    let mut frame = Vec::with_capacity(piece.len() + 16);
    let mut left = BODY;
    while left > 0 {
        let n = left.min(piece.len() as u64) as usize;
        frame.clear();
        if chunked {
            frame.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        }
        frame.extend_from_slice(&piece[..n]);
        if chunked {
            frame.extend_from_slice(b"\r\n");
        }
        if socket.write_all(&frame).is_err() {
            return;
        }
        sent.fetch_add(n as u64, Ordering::SeqCst);
        left -= n as u64;
    }
}

/// How a run against the big body ended.
struct Measured {
    code: i32,
    stderr: String,
    peak_rss_kib: u64,
}

/// `moneykit link get` against `url` (with the default cap), measuring the binary's peak RSS.
fn link_get_measured(url: &str) -> Measured {
    let binary = env!("CARGO_BIN_EXE_moneykit");
    let args = [
        "--base-url",
        url,
        "--access-token",
        BAD_TOKEN,
        "link",
        "get",
        links::US,
    ];
    if Path::new(GNU_TIME).exists() {
        let mut command = Command::new(GNU_TIME);
        command.args(["-f", "peak_rss_kib=%M", binary]).args(args);
        let output = clean(&mut command).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let peak = stderr
            .lines()
            .find_map(|line| line.strip_prefix("peak_rss_kib="))
            .and_then(|kib| kib.trim().parse().ok())
            .unwrap_or_else(|| panic!("no peak RSS from {GNU_TIME}: {stderr}"));
        // Without time's own two lines (the status, the RSS), the binary's stderr.
        let own: Vec<&str> = stderr
            .lines()
            .filter(|line| {
                !line.starts_with("peak_rss_kib=") && !line.starts_with("Command exited with")
            })
            .collect();
        return Measured {
            code: output.status.code().unwrap(),
            stderr: own.join("\n"),
            peak_rss_kib: peak,
        };
    }
    polled(Command::new(binary).args(args))
}

/// Without GNU time: polls the child's `VmHWM` (its peak RSS so far) until it exits, a lower
/// bound that misses at most the last few milliseconds.
fn polled(command: &mut Command) -> Measured {
    let mut child = clean(command)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "still running");
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Measured {
        code: status.code().unwrap(),
        stderr: stderr.trim_end().to_owned(),
        peak_rss_kib: peak,
    }
}

/// No `MONEYKIT_*` variable from the developer's environment, and no stdin.
fn clean(command: &mut Command) -> &mut Command {
    without_moneykit_env(command).stdin(Stdio::null())
}

fn assert_a_256_mib_body_is_refused_in_bounded_memory(chunked: bool) {
    let server = BigBodyServer::start(chunked);
    let started = Instant::now();
    let run = link_get_measured(&server.url);
    let elapsed = started.elapsed();
    let (connections, sent) = server.finish();
    println!(
        "256 MiB body ({}): exit {}, peak RSS {} KiB, {} bytes sent, {elapsed:?}",
        if chunked { "chunked" } else { "Content-Length" },
        run.code,
        run.peak_rss_kib,
        sent
    );
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: response_too_large: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("10485760-byte cap"), "{}", run.stderr);
    assert!(
        run.peak_rss_kib > 0 && run.peak_rss_kib < MAX_RSS_KIB,
        "{} KiB",
        run.peak_rss_kib
    );
    assert_eq!(connections, 1, "not retried");
    // At once: the cap trips after ~10 MiB, not after the 256 MiB (loose for a debug build).
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    // The cap (10 MiB) plus what the sockets buffer: far from the whole body.
    assert!(sent < 64 * MIB, "{sent} bytes sent");
}

#[test]
fn a_chunked_256_mib_body_fails_at_once_in_bounded_memory() {
    assert_a_256_mib_body_is_refused_in_bounded_memory(true);
}

#[test]
fn a_declared_256_mib_body_fails_at_once_in_bounded_memory() {
    assert_a_256_mib_body_is_refused_in_bounded_memory(false);
}

#[test]
fn max_response_bytes_sets_the_cap() {
    let outcome = sandbox(&["--max-response-bytes", "100", "link", "get", links::US]);
    let line = outcome.fails_with(7, "error: response_too_large: ");
    assert!(line.contains("100-byte cap"), "{line}");

    let outcome = sandbox(&["--max-response-bytes", "1000000", "link", "get", links::US]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);

    let outcome = run_command(
        moneykit().args([
            "--max-response-bytes",
            "0",
            "--sandbox",
            "link",
            "get",
            links::US,
        ]),
        &[],
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
}
