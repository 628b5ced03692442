//! `moneykit-sandbox` the program: it serves, and prints the base URL, credentials and link ids.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, links, scenario_links, seeded_links};

/// Kills the server however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args` (and `--port 0`) and reads its banner: the server, its base
/// URL and the banner's text.
async fn run_binary(args: &[&str]) -> (Running, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_moneykit-sandbox"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moneykit-sandbox");
    let mut server = Running(child);
    let stdout = server.0.stdout.take().expect("stdout");
    // The banner ends with the Ctrl-C line; read at most 100 lines of it.
    let banner = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .take(100)
            .take_while(|line| !line.starts_with("Ctrl-C"))
            .collect::<Vec<_>>()
    });
    let banner = tokio::time::timeout(Duration::from_secs(30), banner)
        .await
        .expect("the banner within 30 s")
        .expect("read the banner")
        .join("\n");
    let base_url = banner
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("MoneyKit sandbox listening on "))
        .expect("first line names the URL")
        .to_owned();
    (server, base_url, banner)
}

#[tokio::test]
async fn the_binary_serves_and_prints_what_a_user_needs() {
    let (_server, base_url, banner) = run_binary(&["--token-lifetime", "120"]).await;
    assert!(base_url.starts_with("http://127.0.0.1:"), "{banner}");
    assert!(banner.contains(&format!("MONEYKIT_CLIENT_ID={CLIENT_ID}")));
    assert!(banner.contains(&format!("MONEYKIT_CLIENT_SECRET={CLIENT_SECRET}")));
    for entry in seeded_links().iter().chain(&scenario_links()) {
        assert!(
            banner.contains(entry.id),
            "{} missing from\n{banner}",
            entry.id
        );
    }

    let client = moneykit::Client::builder()
        .base_url(&base_url)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let token = client.authenticate().await.unwrap();
    assert_eq!(token.expires_in, 120);
    let link = client.link(links::UK).get().await.unwrap();
    assert_eq!(link.institution_name, "Thames Bank");
}

/// Finding: `--token-lifetime 18446744073709551615` made every token request panic (an
/// `Instant` overflow). The largest lifetime is taken: `expires_in` saturates at `i64::MAX` and
/// the token works; 0 is announced and enforced as 1 s.
#[tokio::test]
async fn the_binary_takes_the_largest_token_lifetime_without_panicking() {
    for (flag, announced) in [(u64::MAX.to_string(), i64::MAX), ("0".to_owned(), 1)] {
        let (_server, base_url, _) = run_binary(&["--token-lifetime", &flag]).await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let response = http
            .post(format!("{base_url}/auth/token"))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("--token-lifetime {flag}: no answer: {e}"));
        assert_eq!(response.status(), 201, "--token-lifetime {flag}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["expires_in"], announced, "--token-lifetime {flag}");
        let link = http
            .get(format!("{base_url}/links/{}", links::UK))
            .bearer_auth(body["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(link.status(), 200, "--token-lifetime {flag}");
    }
}
