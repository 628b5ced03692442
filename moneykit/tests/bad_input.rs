//! Hostile and malformed input, table-driven: every link id and account id is either refused as
//! `InvalidInput` before any request, or arrives as exactly one correctly encoded path segment
//! (or `account_ids` value), checked on the wire of a 127.0.0.1 server; malformed base URLs,
//! credentials and versions are clear `BuildError`s that never quote a secret.

mod common;

use common::*;
use moneykit::{BuildError, Client, ErrorKind};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What must happen to an id.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// `InvalidInput`, and no request at all.
    Refused,
    /// Exactly one request, carrying the id intact.
    Sent,
}
use Expect::{Refused, Sent};

/// Each hostile id, what must happen to it as a link id, and as an account id.
fn hostile_ids() -> Vec<(String, Expect, Expect)> {
    let mut ids: Vec<(String, Expect, Expect)> = [
        ("", Refused, Refused),
        (".", Refused, Sent),
        ("..", Refused, Sent),
        ("a/b", Sent, Sent),
        ("../../auth/token", Sent, Sent),
        ("a?b=c&d", Sent, Sent),
        ("a#frag", Sent, Sent),
        ("%2F", Sent, Sent),
        ("..%2F..", Sent, Sent),
        ("%2e%2E", Sent, Sent),
        ("100%", Sent, Sent),
        ("a b", Sent, Sent),
        (" ", Sent, Sent),
        ("a+b", Sent, Sent),
        ("tab\there", Sent, Sent),
        ("new\nline\r", Sent, Sent),
        ("nul\0", Sent, Sent),
        ("del\x7f", Sent, Sent),
        ("ünïcødé-🏦", Sent, Sent),
        ("\u{202e}rtl", Sent, Sent),
    ]
    .into_iter()
    .map(|(id, link, account)| (id.to_owned(), link, account))
    .collect();
    ids.push(("x".repeat(moneykit::MAX_LINK_ID_LEN), Sent, Sent));
    ids.push(("x".repeat(10 * 1024), Refused, Sent));
    ids
}

/// Answers each `GET` by its number of path segments: the link, its accounts, its numbers.
struct ByShape;

impl Respond for ByShape {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match request.url.path_segments().map(Iterator::count) {
            Some(2) => json(200, LINK),
            Some(3) => json(200, ACCOUNTS),
            Some(4) => json(200, NUMBERS),
            _ => ResponseTemplate::new(599),
        }
    }
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(ByShape)
        .mount(&server)
        .await;
    server
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

fn decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test]
async fn link_ids_are_refused_or_sent_as_one_segment_by_every_operation() {
    let server = server().await;
    let client = token_client(&server);
    for (id, expect, _) in hostile_ids() {
        let shown = format!("{:?}", id.chars().take(40).collect::<String>());
        let link = client.link(&id);
        let before = received(&server).await.len();
        let results = [
            link.get().await.map(drop),
            link.accounts().send().await.map(drop),
            link.account_numbers().await.map(drop),
        ];
        let requests = received(&server).await.split_off(before);
        if expect == Refused {
            for result in results {
                let error = result.unwrap_err();
                assert_eq!(*error.kind(), ErrorKind::InvalidInput, "{shown}: {error}");
                assert_eq!(error.attempts(), 0, "{shown}");
            }
            assert!(requests.is_empty(), "{shown}: sent");
            continue;
        }
        for result in results {
            result.unwrap_or_else(|e| panic!("{shown}: {e}"));
        }
        assert_eq!(requests.len(), 3, "{shown}: one request per operation");
        for (request, tail) in
            requests
                .iter()
                .zip([&[][..], &["accounts"], &["accounts", "numbers"]])
        {
            let segments: Vec<&str> = request.url.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 2 + tail.len(), "{shown} → {}", request.url);
            assert_eq!(segments[0], "links", "{shown}");
            assert_eq!(decoded(segments[1]), id, "{shown} → {}", request.url);
            assert_eq!(&segments[2..], tail, "{shown}");
            assert_eq!(request.url.query(), None, "{shown} → {}", request.url);
            assert_eq!(request.url.fragment(), None, "{shown}");
        }
    }
}

#[tokio::test]
async fn account_ids_are_refused_or_sent_as_one_account_ids_value() {
    let server = server().await;
    let client = token_client(&server);
    for (id, _, expect) in hostile_ids() {
        let shown = format!("{:?}", id.chars().take(40).collect::<String>());
        let before = received(&server).await.len();
        let result = client
            .link(LINK_ID)
            .accounts()
            .ids([id.as_str()])
            .send()
            .await;
        let requests = received(&server).await.split_off(before);
        if expect == Refused {
            let error = result.unwrap_err();
            assert_eq!(*error.kind(), ErrorKind::InvalidInput, "{shown}: {error}");
            assert!(requests.is_empty(), "{shown}: sent");
            continue;
        }
        result.unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert_eq!(requests.len(), 1, "{shown}");
        let url = &requests[0].url;
        assert_eq!(url.path(), format!("{}/accounts", link_path()), "{shown}");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [("account_ids".to_owned(), id.clone())],
            "{shown} → {url}"
        );
    }
}

#[test]
fn malformed_base_urls_are_build_errors() {
    let invalid = [
        "",
        "   ",
        "not a url",
        "api.moneykit.com",
        "ftp://api.moneykit.com",
        "file:///etc/passwd",
        "https://",
        "https://exa mple.com",
        "https://api.moneykit.com?x=1",
        "https://api.moneykit.com/#frag",
        "https://user:pw@api.moneykit.com",
        "https://api.moneykit.com:99999",
        "https://api.moneykit.com\n/x",
    ];
    for url in invalid {
        let built = Client::builder().access_token("t").base_url(url).build();
        assert!(
            matches!(built, Err(BuildError::InvalidBaseUrl(_))),
            "{url:?}: {:?}",
            built.map(drop)
        );
    }
    let built = Client::builder()
        .access_token("t")
        .base_url("http://api.moneykit.com")
        .build();
    assert!(matches!(built, Err(BuildError::InsecureBaseUrl(_))));
}

/// Values no credential or version may be: empty, blank, or unusable in an HTTP header.
const UNSAFE: [&str; 8] = [
    "",
    " ",
    "\t",
    "a\nb",
    "a\r\nX-Injected: 1",
    "nul\0",
    "del\x7f",
    "sécret",
];

#[test]
fn empty_or_header_unsafe_credentials_are_build_errors_that_quote_nothing() {
    for bad in UNSAFE {
        let builders = [
            Client::builder().access_token(bad),
            Client::builder().client_credentials(bad, CLIENT_SECRET),
            Client::builder().client_credentials(CLIENT_ID, bad),
            Client::builder().client_headers(bad, CLIENT_SECRET),
            Client::builder().client_headers(CLIENT_ID, bad),
        ];
        for builder in builders {
            let error = builder.build().map(drop).unwrap_err();
            assert!(
                matches!(error, BuildError::InvalidCredentials(_)),
                "{bad:?}: {error:?}"
            );
            let text = format!("{error} {error:?}");
            assert!(
                !text.contains(CLIENT_SECRET) && !text.contains(CLIENT_ID),
                "{text}"
            );
            if !bad.trim().is_empty() {
                assert!(!text.contains(bad), "{text}");
            }
        }
    }
}

#[test]
fn empty_or_header_unsafe_versions_are_build_errors() {
    for bad in UNSAFE {
        let error = Client::builder()
            .access_token("t")
            .api_version(bad)
            .build()
            .map(drop)
            .unwrap_err();
        assert_eq!(error, BuildError::InvalidApiVersion, "{bad:?}");
    }
}
