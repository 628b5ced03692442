//! The low-level client (`moneykit-api`) on its own, against the sandbox: it authenticates with
//! a `RequestHook` of the caller's, names every type of its signatures through its own
//! re-exports (no `reqwest` dependency of the test's), and decodes a documented error body in
//! one expression (`ErrorResponse`).

mod common;

use moneykit_api::errors::GetLinkError;
use moneykit_api::reqwest::header::{AUTHORIZATION, HeaderValue};
use moneykit_api::types::BodyCreateAccessTokenAuthTokenPost;
use moneykit_api::{Client, ErrorResponse, Hooks, RequestHook, reqwest};
use moneykit_sandbox::{Config, links};

/// Sends `Authorization: Bearer <token>` with every request.
struct Bearer(HeaderValue);

impl RequestHook for Bearer {
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        _operation_id: &'static str,
    ) -> Result<(), String> {
        request.headers_mut().insert(AUTHORIZATION, self.0.clone());
        Ok(())
    }
}

#[tokio::test]
async fn the_low_level_client_authenticates_and_decodes_documented_errors() {
    let sandbox = common::start(Config::new()).await;
    let anonymous = Client::new(sandbox.base_url(), Hooks::default());
    let form = BodyCreateAccessTokenAuthTokenPost {
        grant_type: Some("client_credentials".to_owned()),
        client_id: Some(sandbox.client_id().to_owned()),
        client_secret: Some(sandbox.client_secret().into()),
        scope: None,
    };
    let token = anonymous
        .create_access_token(None, &form)
        .await
        .unwrap()
        .into_inner();
    let access_token = token.access_token.reveal().expect("a token, not a mask");
    let bearer = HeaderValue::from_str(&format!("Bearer {access_token}")).unwrap();
    let client = Client::new(sandbox.base_url(), Hooks::new(Bearer(bearer)));

    let link = client.get_link(links::US, None).await.unwrap();
    assert_eq!(link.link_id, links::US);

    let error = client.get_link("mk_no_such_link", None).await.unwrap_err();
    let response = ErrorResponse::read(error).await.unwrap();
    assert_eq!(response.status, 404);
    match response.documented::<GetLinkError>() {
        Some(GetLinkError::NotFound(body)) => assert!(!body.error_message.is_empty()),
        other => panic!("not the documented 404 body: {other:?}"),
    }

    // Without the hook the API's documented 401 comes back, decoded the same way.
    let error = anonymous.get_link(links::US, None).await.unwrap_err();
    let response = ErrorResponse::read(error).await.unwrap();
    assert!(matches!(
        response.documented::<GetLinkError>(),
        Some(GetLinkError::Unauthorized(_))
    ));
}
