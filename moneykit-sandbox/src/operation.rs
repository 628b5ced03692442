//! What the sandbox reads of an operation besides its generated description (`generated.rs`):
//! its name and whether it is about one link.

use std::fmt;

use crate::Operation;

impl Operation {
    /// Whether the operation is about one link (its path names it, so a fault can target it).
    pub(crate) fn takes_link(self) -> bool {
        self.spec().link_parameter.is_some()
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
    fn names_and_statuses_come_from_the_spec() {
        assert_eq!(Operation::GetAccounts.as_str(), "get_accounts");
        assert!(
            Operation::CreateAccessToken
                .documented_statuses()
                .contains(&400)
        );
        assert!(!Operation::GetLink.documented_statuses().contains(&400));
    }

    /// Every operation of `openapi.yaml` is served: its variant, route and checks come from the
    /// generated `generated.rs` (and its behaviour must exist, or the crate does not compile);
    /// a stale `generated.rs` fails here naming the operation.
    #[test]
    fn every_operation_of_the_spec_is_served() {
        let served: Vec<&str> = Operation::ALL.iter().map(|op| op.as_str()).collect();
        let missing: Vec<String> = moneykit_api::PATH_TEMPLATES
            .iter()
            .filter(|(operation, _)| !served.contains(operation))
            .map(|(operation, path)| format!("{operation} ({path})"))
            .collect();
        assert!(
            missing.is_empty(),
            "operations the sandbox does not serve (run `cargo xtask regen`): {missing:?}"
        );
        assert_eq!(served.len(), moneykit_api::PATH_TEMPLATES.len());
    }
}
