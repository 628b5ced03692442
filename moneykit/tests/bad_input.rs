//! Hostile and malformed input, table-driven: every link id and account id is either refused as
//! `InvalidInput` before any request, or arrives as exactly one correctly encoded path segment
//! (or `account_ids` value), checked on the wire of a 127.0.0.1 server; malformed base URLs,
//! credentials and versions are clear `BuildError`s that never quote a secret. The tables are
//! `common/bad_input_cases.rs`, which RELIABILITY.md also lists.

mod common;

use common::bad_input_cases::{
    Expect::Refused, HostileId, INSECURE_BASE_URLS, INVALID_BASE_URLS, UNSAFE, hostile_ids,
};
use common::*;
use moneykit::{BuildError, Client, ErrorKind};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

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
    for HostileId {
        id,
        as_link: expect,
        ..
    } in hostile_ids()
    {
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
    for HostileId {
        id,
        as_account: expect,
        ..
    } in hostile_ids()
    {
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
    for url in INVALID_BASE_URLS {
        let built = Client::builder().access_token("t").base_url(url).build();
        assert!(
            matches!(built, Err(BuildError::InvalidBaseUrl(_))),
            "{url:?}: {:?}",
            built.map(drop)
        );
    }
    for url in INSECURE_BASE_URLS {
        let built = Client::builder().access_token("t").base_url(url).build();
        assert!(
            matches!(built, Err(BuildError::InsecureBaseUrl(_))),
            "{url:?}: {:?}",
            built.map(drop)
        );
    }
}

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
