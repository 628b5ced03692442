//! The four operations of `openapi.yaml` the sandbox serves, named as the spec names them.

use std::fmt;

use moneykit_api::errors::{
    CreateAccessTokenError, DocumentedError, GetAccountNumbersError, GetAccountsError, GetLinkError,
};

/// An operation of the API, by its `operationId`. New operations may be added, so match with a
/// `_` arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /auth/token` (`create_access_token`).
    CreateAccessToken,
    /// `GET /links/{id}` (`get_link`).
    GetLink,
    /// `GET /links/{id}/accounts` (`get_accounts`).
    GetAccounts,
    /// `GET /links/{id}/accounts/numbers` (`get_account_numbers`).
    GetAccountNumbers,
}

impl Operation {
    /// Every operation, in the spec's order of paths.
    pub const ALL: &'static [Operation] = &[
        Operation::GetLink,
        Operation::GetAccounts,
        Operation::GetAccountNumbers,
        Operation::CreateAccessToken,
    ];

    /// The spec's `operationId`, e.g. `get_accounts`.
    pub fn as_str(self) -> &'static str {
        self.statuses_and_id().1
    }

    /// The error statuses `openapi.yaml` documents for the operation (from the generated
    /// `moneykit_api::errors`, so they follow the spec).
    pub fn documented_statuses(self) -> &'static [u16] {
        self.statuses_and_id().0
    }

    fn statuses_and_id(self) -> (&'static [u16], &'static str) {
        fn of<E: DocumentedError>() -> (&'static [u16], &'static str) {
            (E::STATUSES, E::OPERATION_ID)
        }
        match self {
            Operation::CreateAccessToken => of::<CreateAccessTokenError>(),
            Operation::GetLink => of::<GetLinkError>(),
            Operation::GetAccounts => of::<GetAccountsError>(),
            Operation::GetAccountNumbers => of::<GetAccountNumbersError>(),
        }
    }

    /// Whether the operation is one of the three that take a link id.
    pub(crate) fn takes_link(self) -> bool {
        self != Operation::CreateAccessToken
    }

    /// The operation the router sends `method` and `path` (as received, before percent-decoding)
    /// to, if any: the same segments and methods as the routes in `lib.rs`.
    pub(crate) fn route(method: &str, path: &str) -> Option<Operation> {
        let mut segments = path.strip_prefix('/')?.split('/');
        let operation = match (segments.next(), segments.next(), segments.next()) {
            (Some("auth"), Some("token"), None) => Operation::CreateAccessToken,
            (Some("links"), Some(id), rest) if !id.is_empty() => match (rest, segments.next()) {
                (None, _) => Operation::GetLink,
                (Some("accounts"), None) => Operation::GetAccounts,
                (Some("accounts"), Some("numbers")) if segments.next().is_none() => {
                    Operation::GetAccountNumbers
                }
                _ => return None,
            },
            _ => return None,
        };
        // axum answers HEAD with the GET handler.
        let routed = if operation.takes_link() {
            method == "GET" || method == "HEAD"
        } else {
            method == "POST"
        };
        routed.then_some(operation)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_as_the_router_does() {
        for (method, path, expected) in [
            ("POST", "/auth/token", Some(Operation::CreateAccessToken)),
            ("GET", "/auth/token", None),
            ("GET", "/links/mk_1", Some(Operation::GetLink)),
            ("GET", "/links/mk_1/accounts", Some(Operation::GetAccounts)),
            (
                "GET",
                "/links/mk_1/accounts/numbers",
                Some(Operation::GetAccountNumbers),
            ),
            ("GET", "/links/mk_1/accounts/numbers/x", None),
            ("GET", "/links/", None),
            ("GET", "/links/mk_1/other", None),
            ("POST", "/links/mk_1", None),
            ("HEAD", "/links/mk_1", Some(Operation::GetLink)),
            ("GET", "links/mk_1", None),
        ] {
            assert_eq!(Operation::route(method, path), expected, "{method} {path}");
        }
    }

    #[test]
    fn names_and_statuses_come_from_the_spec() {
        assert_eq!(Operation::GetAccounts.as_str(), "get_accounts");
        assert!(
            Operation::CreateAccessToken
                .documented_statuses()
                .contains(&400)
        );
        assert!(!Operation::GetLink.documented_statuses().contains(&400));
    }
}
