//! Hostile and malformed input, table-driven: every link id and account id is either refused as
//! `InvalidInput` before any request, or arrives as exactly one correctly encoded path segment
//! (or `account_ids` value), checked on the wire of a 127.0.0.1 server; malformed base URLs,
//! credentials and versions are clear `BuildError`s that never quote a secret. The tables are
//! `common/bad_input_cases.rs`, which RELIABILITY.md also lists.

mod common;

use base64::Engine as _;
use common::bad_input_cases::{
    CREDENTIAL_VALUES,
    Expect::{Refused, Sent},
    HUGE_DURATIONS, HostileId, INSECURE_BASE_URLS, INVALID_BASE_URLS, hostile_ids,
};
use common::*;
use moneykit::{BuildError, Client, ClientBuilder, ErrorKind, TokenAuthMethod};
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
            .account_ids([id.as_str()])
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

/// The build error of `builder`, checked to quote neither the credentials nor `bad`.
fn refused_quietly(builder: ClientBuilder, bad: &str) -> BuildError {
    let error = builder.build().map(drop).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(
        !text.contains(CLIENT_SECRET) && !text.contains(CLIENT_ID),
        "{text}"
    );
    if !bad.trim().is_empty() {
        assert!(!text.contains(bad), "{text}");
    }
    error
}

#[test]
fn header_credentials_that_are_not_visible_ascii_are_build_errors_that_quote_nothing() {
    for row in CREDENTIAL_VALUES {
        let value = row.value;
        let builders = [
            Client::builder().access_token(value),
            Client::builder().client_headers(value, CLIENT_SECRET),
            Client::builder().client_headers(CLIENT_ID, value),
        ];
        for builder in builders {
            match row.as_header {
                Refused => assert!(
                    matches!(
                        refused_quietly(builder, value),
                        BuildError::InvalidCredentials(_)
                    ),
                    "{value:?}"
                ),
                Sent => assert!(builder.build().is_ok(), "{value:?}"),
            }
        }
    }
}

/// Client credentials travel form-encoded: any value but a blank one reaches the token endpoint
/// intact, in the form body and (form-encoded, then base64) in HTTP Basic.
#[tokio::test]
async fn client_credentials_with_any_character_reach_the_token_endpoint_intact() {
    for row in CREDENTIAL_VALUES {
        let value = row.value;
        for method in [TokenAuthMethod::FormBody, TokenAuthMethod::Basic] {
            for (id, secret) in [(value, CLIENT_SECRET), (CLIENT_ID, value)] {
                let server = MockServer::start().await;
                let builder = builder(&server)
                    .client_credentials(id, secret)
                    .token_auth_method(method);
                if row.as_client_credentials == Refused {
                    let error = refused_quietly(builder, value);
                    assert!(
                        matches!(error, BuildError::InvalidCredentials(_)),
                        "{value:?}"
                    );
                    continue;
                }
                let client = builder.build().unwrap_or_else(|e| panic!("{value:?}: {e}"));
                mount_token(&server, "tok", 3600, 1).await;
                client.authenticate().await.unwrap();
                let sent = &received(&server).await[0];
                assert_eq!(
                    token_credentials(sent),
                    (id.to_owned(), secret.to_owned()),
                    "{value:?} {method:?}"
                );
            }
        }
    }
}

/// The client id and secret of a token request, from its form body or its HTTP Basic header,
/// decoded as RFC 6749 §2.3.1 says a server must.
fn token_credentials(request: &Request) -> (String, String) {
    let form: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let (Some(id), Some(secret)) = (field("client_id"), field("client_secret")) {
        return (id, secret);
    }
    let header = request.headers["authorization"].to_str().unwrap();
    let pair = base64::engine::general_purpose::STANDARD
        .decode(header.strip_prefix("Basic ").unwrap())
        .unwrap();
    let pair = String::from_utf8(pair).unwrap();
    let (id, secret) = pair.split_once(':').unwrap();
    let decode = |part: &str| {
        form_urlencoded::parse(format!("v={part}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    (decode(id), decode(secret))
}

#[test]
fn versions_that_are_neither_known_nor_a_date_are_build_errors() {
    for row in CREDENTIAL_VALUES {
        let built = Client::builder()
            .access_token("t")
            .api_version(row.value)
            .build()
            .map(drop);
        match row.as_version {
            Refused => assert_eq!(
                built.unwrap_err(),
                BuildError::InvalidApiVersion,
                "{:?}",
                row.value
            ),
            Sent => assert!(built.is_ok(), "{:?}", row.value),
        }
    }
}

#[tokio::test]
async fn huge_durations_panic_nothing() {
    let server = server().await;
    let forever =
        wiremock::ResponseTemplate::new(201).set_body_json(token_body("forever", i64::MAX));
    mount_token_always(&server, forever).await;
    for row in HUGE_DURATIONS {
        let credentials = builder(&server).client_credentials(CLIENT_ID, CLIENT_SECRET);
        let client = (row.on_builder)(credentials)
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", row.setting));
        let link = (row.on_call)(client.link(LINK_ID).get())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", row.setting));
        assert_eq!(link.link_id, LINK_ID, "{}", row.setting);
    }
}
