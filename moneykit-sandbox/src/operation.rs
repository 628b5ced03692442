//! What the sandbox reads of an operation besides its generated description (`generated.rs`):
//! its name, which link it is about, and which operation a request is for.

use std::fmt;

use crate::Operation;

impl Operation {
    /// Whether the operation is about one link (its path names it, so a fault can target it).
    pub(crate) fn takes_link(self) -> bool {
        self.spec().link_parameter.is_some()
    }

    /// The operation the router sends `method` and `path` (as received, before percent-decoding)
    /// to, if any: the route whose template matches segment by segment (a `{parameter}` takes
    /// any non-empty segment) and, where two match, the one with more fixed segments, as axum
    /// prefers. axum answers `HEAD` with the `GET` route.
    pub(crate) fn route(method: &str, path: &str) -> Option<Operation> {
        let method = if method == "HEAD" { "GET" } else { method };
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        let fixed_segments = |template: &str| {
            let template: Vec<&str> = template.trim_start_matches('/').split('/').collect();
            let matches = template.len() == segments.len()
                && template.iter().zip(&segments).all(|(part, segment)| {
                    if part.starts_with('{') {
                        !segment.is_empty()
                    } else {
                        part == segment
                    }
                });
            matches.then(|| template.iter().filter(|p| !p.starts_with('{')).count())
        };
        Operation::ALL
            .iter()
            .filter(|op| op.spec().method == method)
            .filter_map(|&op| Some((fixed_segments(op.spec().path)?, op)))
            .max_by_key(|(fixed, _)| *fixed)
            .map(|(_, op)| op)
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

    /// Every operation of `openapi.yaml` is served: its variant, route and spec come from the
    /// generated `generated.rs` (and its behaviour must exist, or the crate does not compile);
    /// a stale `generated.rs` fails here naming the operation.
    #[test]
    fn every_operation_of_the_spec_is_served() {
        let served: Vec<(&str, &str)> = Operation::ALL
            .iter()
            .map(|op| (op.as_str(), op.spec().path))
            .collect();
        let missing: Vec<String> = moneykit_api::PATH_TEMPLATES
            .iter()
            .filter(|template| !served.contains(template))
            .map(|(operation, path)| format!("{operation} ({path})"))
            .collect();
        assert!(
            missing.is_empty(),
            "operations the sandbox does not serve (run `cargo xtask regen`): {missing:?}"
        );
        assert_eq!(served.len(), moneykit_api::PATH_TEMPLATES.len());
    }
}
