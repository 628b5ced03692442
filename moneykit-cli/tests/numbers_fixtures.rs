//! Every account-numbers fixture of the spec (`tests/fixtures/GetAccountNumbersResponseLegacy20230218/`
//! at the workspace root), served on 127.0.0.1 and printed by `moneykit accounts numbers`: no
//! full number without `--reveal`, in JSON or in a table, every one with it, and JSON that
//! decodes back to the redacted response.
//!
//! They read the workspace's fixtures, so they are integration tests: the published package
//! carries `src/` only, and its unit tests must run without the repository.

mod common;

use std::path::Path;

use common::{assert_success, moneykit, run_command, sensitive_values};
use moneykit::Redact;
use moneykit::types::GetAccountNumbersResponseLegacy20230218 as Numbers;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The token the CLI is given: the server does not check it, the output must not show it.
const TOKEN: &str = "at_FixturesToken_3e4f5a6b7c";

/// The decodable fixtures, each served as the numbers of link `mk_fixture_<index>`.
struct Served {
    server: MockServer,
    fixtures: Vec<(String, Numbers)>,
    // Serves the mock while the binary runs; dropped last.
    _runtime: tokio::runtime::Runtime,
}

fn serve() -> Served {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/GetAccountNumbersResponseLegacy20230218");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let server = runtime.block_on(MockServer::start());
    let mut fixtures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let Ok(response) = serde_json::from_str::<Numbers>(&text) else {
            continue;
        };
        let route = format!("/links/mk_fixture_{}/accounts/numbers", fixtures.len());
        let mock = Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_raw(text, "application/json"));
        runtime.block_on(mock.mount(&server));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        fixtures.push((name, response));
    }
    Served {
        server,
        fixtures,
        _runtime: runtime,
    }
}

impl Served {
    /// stdout of `accounts numbers` for fixture `index`.
    fn print(&self, index: usize, format: &str, reveal: bool) -> String {
        let link = format!("mk_fixture_{index}");
        let mut command = moneykit();
        command.args(["--base-url", &self.server.uri(), "--access-token", TOKEN]);
        command.args(["--output", format, "accounts", "numbers", &link]);
        if reveal {
            command.arg("--reveal");
        }
        let outcome = run_command(&mut command, &[TOKEN]);
        assert_success(&outcome);
        outcome.stdout
    }
}

#[test]
fn masking_leaves_no_full_number_in_json_or_table() {
    let served = serve();
    assert!(served.fixtures.len() >= 5, "{}", served.fixtures.len());
    let mut kinds_seen = 0;
    for (index, (name, response)) in served.fixtures.iter().enumerate() {
        let sensitive = sensitive_values(response);
        kinds_seen += sensitive.len();
        // Long values must not appear anywhere; a short one (an EFT institution `010`) could
        // match elsewhere by chance, so it is only checked to be shown with --reveal.
        let long: Vec<&String> = sensitive
            .iter()
            .filter(|v| v.chars().count() >= 8)
            .collect();
        for format in ["json", "table"] {
            let masked = served.print(index, format, false);
            for value in &long {
                assert!(
                    !masked.contains(value.as_str()),
                    "{name}: {value} in {masked}"
                );
            }
            let revealed = served.print(index, format, true);
            for value in &sensitive {
                assert!(
                    revealed.contains(value.as_str()),
                    "{name}: {value} not in {revealed}"
                );
            }
            if format == "json" {
                let back: Numbers = serde_json::from_str(&masked).unwrap();
                assert_eq!(back, response.redacted(), "{name}");
            }
        }
    }
    assert!(kinds_seen > 10, "{kinds_seen}");
}

#[test]
fn an_account_without_numbers_says_so() {
    let served = serve();
    let index = served
        .fixtures
        .iter()
        .position(|(name, _)| name == "all_number_lists_empty.json")
        .expect("the fixture is there");
    let table = served.print(index, "table", false);
    assert!(
        table.lines().nth(1).unwrap().ends_with("no numbers"),
        "{table}"
    );
}
