//! `cargo xtask evolve`: proves, on a scratch copy of the workspace, the promise that an
//! additive change to `openapi.yaml` needs no hand edit, that a new operation gets its
//! `moneykit` method by regeneration alone, and that what still needs hand-written sandbox
//! behaviour (a new documented status, a new operation's answers) is named by a failing test.
//!
//! The copy lives in `target/xtask-evolve/` with a target directory of its own: the copy's
//! crates have the same names as ours, and sharing a target directory would let one build's
//! generated code overwrite the other's. A new one is seeded with our debug artefacts
//! (`scratch::seed_target`), so only the copy's own crates compile.
//!
//! 1. Additive, one after another: optional nullable properties on both account schemas (one of
//!    them sensitive) and an amount on the balances; a `Product` value with its `LinkProducts` property; a number kind whose
//!    items hold a sensitive IBAN. After each: `cargo xtask regen`, `cargo check --workspace
//!    --all-targets`, and nothing but `openapi.yaml`, the generated sources and `tests/snapshots/`
//!    changed.
//! 2. The copy's `moneykit` command, against a local server answering with the new shapes,
//!    prints the new fields and product, masks the new sensitive values, and shows the new
//!    number with `--reveal`.
//! 3. From the original again: a documented 409 on `GET /links/{id}` and two new operations (a
//!    GET with a path and two query parameters (text and an integer), a POST with a JSON body,
//!    each with its `x-moneykit-call`) regenerate with nothing else changed, and the sandbox
//!    then fails to compile naming the two `Behaviour` methods it lacks. With those two methods
//!    written into `behaviour.rs` (the only Rust a new operation costs) the workspace compiles;
//!    code calling the new `moneykit` methods (with the query setters and the body argument)
//!    compiles; the CLI's generated `link evolved` and `link add-evolved-note` reach the
//!    behaviours through `--sandbox` with their flags and `--body`; and the sandbox's spec test
//!    fails naming the status and the two paths it does not exercise yet.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use yaml_serde::{Mapping, Value};

/// The IBAN the new number kind carries; it must never print without `--reveal`.
const IBAN: &str = "DE89370400440532013000";
/// The new sensitive account property's value; it must never print in full.
const REFERENCE: &str = "REF-0000-1234-5678";

/// Runs all three parts; the first failure is the error.
pub fn run(root: &Path) -> Result<(), String> {
    let copy = Copy::of(root)?;
    type Edit = fn(&mut Value) -> Result<(), String>;
    let additive: [(&str, Edit); 3] = [
        (
            "optional nullable property on both account schemas",
            add_account_property,
        ),
        ("Product value with its LinkProducts property", add_product),
        (
            "account-number kind holding a sensitive IBAN",
            add_number_kind,
        ),
    ];
    for (what, edit) in additive {
        println!("xtask evolve: {what}");
        copy.edit_spec(edit)?;
        copy.regen_and_check()?;
        copy.assert_only_generated_changed()?;
    }
    println!("xtask evolve: the CLI shows the additions");
    cli_shows_the_additions(&copy)?;

    copy.reset()?;
    println!("xtask evolve: a new documented status and two new operations");
    copy.edit_spec(add_status_and_operations)?;
    succeed(copy.cargo(&["xtask", "regen"]), "cargo xtask regen")?;
    copy.assert_only_generated_changed()?;
    // The sandbox, regenerated but not given the new operations' behaviour, does not compile,
    // and the error names each operation.
    copy.expect_failure(
        &["check", "--quiet", "-p", "moneykit-sandbox"],
        &["get_evolved_link", "add_evolved_note"],
    )?;
    copy.add_behaviour()?;
    copy.check()?;
    copy.uses_the_new_operations()?;
    cli_sends_the_new_operations(&copy)?;
    copy.expect_failure(
        &[
            "test",
            "--quiet",
            "-p",
            "moneykit-sandbox",
            "--test",
            "spec",
        ],
        &[
            r#"("/links/{id}", "GET", "409")"#,
            "/links/{id}/evolved",
            "/links/{id}/evolved/notes",
        ],
    )?;
    println!("xtask evolve: additive changes need no hand edit; the others are named by tests");
    Ok(())
}

/// A scratch copy of the workspace under git, so what changed can be asked.
struct Copy {
    dir: PathBuf,
    target: PathBuf,
}

impl Copy {
    fn of(root: &Path) -> Result<Copy, String> {
        let base = crate::scratch::target_dir(root).join("xtask-evolve");
        let dir = base.join("workspace");
        crate::scratch::copy_checkout(root, &dir)?;
        let copy = Copy {
            dir,
            target: base.join("target"),
        };
        crate::scratch::seed_target(&crate::scratch::target_dir(root), &copy.target)?;
        copy.git(&["init", "-q"])?;
        copy.git(&["add", "-A"])?;
        copy.git(&["commit", "-q", "-m", "as checked out"])?;
        Ok(copy)
    }

    fn git(&self, args: &[&str]) -> Result<String, String> {
        output(
            Command::new("git")
                .current_dir(&self.dir)
                .args(["-c", "user.name=xtask", "-c", "user.email=xtask@localhost"])
                .args(args),
        )
    }

    fn cargo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command
            .current_dir(&self.dir)
            .args(args)
            .env("CARGO_TARGET_DIR", &self.target)
            // insta would refuse to write snapshots on CI; regen in the copy must.
            .env_remove("CI");
        command
    }

    fn reset(&self) -> Result<(), String> {
        self.git(&["checkout", "-q", "--", "."])?;
        self.git(&["clean", "-qfd"]).map(drop)
    }

    fn edit_spec(&self, edit: fn(&mut Value) -> Result<(), String>) -> Result<(), String> {
        let path = self.dir.join("openapi.yaml");
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let mut spec: Value = yaml_serde::from_str(&text).map_err(|e| e.to_string())?;
        edit(&mut spec)?;
        let text = yaml_serde::to_string(&spec).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| e.to_string())
    }

    fn regen_and_check(&self) -> Result<(), String> {
        succeed(self.cargo(&["xtask", "regen"]), "cargo xtask regen")?;
        self.check()
    }

    fn check(&self) -> Result<(), String> {
        succeed(
            self.cargo(&["check", "--workspace", "--all-targets", "--quiet"]),
            "cargo check --workspace --all-targets",
        )
    }

    /// The copy's `moneykit` command, built.
    fn moneykit_command(&self) -> Result<PathBuf, String> {
        succeed(
            self.cargo(&["build", "--quiet", "-p", "moneykit-cli"]),
            "cargo build -p moneykit-cli",
        )?;
        Ok(self.target.join("debug/moneykit"))
    }

    /// Writes the one piece of Rust a new operation costs: its sandbox behaviour.
    fn add_behaviour(&self) -> Result<(), String> {
        let path = self.dir.join("moneykit-sandbox/src/behaviour.rs");
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let anchor = "impl Behaviour for AppState {\n";
        if !text.contains(anchor) {
            return Err(format!("{} has no `{}`", path.display(), anchor.trim()));
        }
        let text = text.replacen(anchor, &format!("{anchor}{NEW_BEHAVIOUR}"), 1);
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        println!("  wrote the two behaviour methods in moneykit-sandbox/src/behaviour.rs");
        Ok(())
    }

    fn assert_only_generated_changed(&self) -> Result<(), String> {
        let status = self.git(&["status", "--porcelain", "--untracked-files=all"])?;
        let hand_written: Vec<&str> = status
            .lines()
            .map(|line| line[3..].trim())
            .filter(|path| {
                *path != "openapi.yaml"
                    && !moneykit_gen::GENERATED_PATHS.contains(path)
                    && !path.starts_with("tests/snapshots/")
            })
            .collect();
        if hand_written.is_empty() {
            Ok(())
        } else {
            Err(format!("the change needed hand edits: {hand_written:?}"))
        }
    }

    /// Compiles [`USES_THE_NEW_OPERATIONS`] as an example of the copy's `moneykit`.
    fn uses_the_new_operations(&self) -> Result<(), String> {
        let example = self.dir.join("moneykit/examples/evolved_operations.rs");
        std::fs::write(&example, USES_THE_NEW_OPERATIONS).map_err(|e| e.to_string())?;
        succeed(
            self.cargo(&[
                "check",
                "--quiet",
                "-p",
                "moneykit",
                "--example",
                "evolved_operations",
            ]),
            "the new operations' methods (cargo check --example evolved_operations)",
        )?;
        println!("  moneykit has the new operations' methods, setters and body argument");
        Ok(())
    }

    /// Runs `cargo <args>`, which must fail and name every one of `names` in what it prints.
    fn expect_failure(&self, args: &[&str], names: &[&str]) -> Result<(), String> {
        let ran = self
            .cargo(args)
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let said = String::from_utf8_lossy(&ran.stdout).into_owned()
            + &String::from_utf8_lossy(&ran.stderr);
        let unnamed: Vec<&&str> = names.iter().filter(|n| !said.contains(**n)).collect();
        let command = args.join(" ");
        if ran.status.success() || !unnamed.is_empty() {
            return Err(format!(
                "`cargo {command}` should fail naming {names:?}; it {} and did not name \
                 {unnamed:?}:\n{said}",
                if ran.status.success() {
                    "passed"
                } else {
                    "failed"
                }
            ));
        }
        println!("  cargo {command} fails naming {names:?}");
        Ok(())
    }
}

fn output(command: &mut Command) -> Result<String, String> {
    let ran = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !ran.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&ran.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&ran.stdout).into_owned())
}

fn succeed(mut command: Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed in the copy"))
    }
}

/// `components/schemas/<name>` as a mapping.
fn schema<'a>(spec: &'a mut Value, name: &str) -> Result<&'a mut Mapping, String> {
    spec.get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(|s| s.get_mut(name))
        .and_then(Value::as_mapping_mut)
        .ok_or_else(|| format!("openapi.yaml has no schema {name}"))
}

fn insert_property(
    spec: &mut Value,
    name: &str,
    property: &str,
    value: serde_json::Value,
) -> Result<(), String> {
    let properties = schema(spec, name)?
        .get_mut("properties")
        .and_then(Value::as_mapping_mut)
        .ok_or_else(|| format!("{name} has no properties"))?;
    let value = yaml_serde::to_value(value).map_err(|e| e.to_string())?;
    properties.insert(property.into(), value);
    Ok(())
}

fn add_account_property(spec: &mut Value) -> Result<(), String> {
    for name in ["AccountResponse", "AccountWithAccountNumbersLegacy20230218"] {
        let note = json!({
            "type": "string", "nullable": true, "x-moneykit-added": "2099-01-01",
            "description": "A note MoneyKit might add one day."
        });
        insert_property(spec, name, "evolution_note", note)?;
        let reference = json!({
            "type": "string", "nullable": true, "x-moneykit-added": "2099-01-01",
            "x-moneykit-sensitive": true, "description": "A number MoneyKit might add one day."
        });
        insert_property(spec, name, "evolution_reference", reference)?;
        // A Rust type no generated code used before (`i32`): it must not need a hand edit.
        let count = json!({
            "type": "integer", "format": "int32", "nullable": true,
            "x-moneykit-added": "2099-01-01", "description": "A count MoneyKit might add."
        });
        insert_property(spec, name, "evolution_count", count)?;
    }
    // Money: an exact decimal (`crate::Amount`) from the mark alone.
    let pending = json!({
        "type": "number", "nullable": true, "x-moneykit-added": "2099-01-01",
        "x-moneykit-amount": true, "description": "An amount MoneyKit might add."
    });
    insert_property(spec, "AccountBalances", "evolution_pending", pending)
}

fn add_product(spec: &mut Value) -> Result<(), String> {
    schema(spec, "Product")?
        .get_mut("enum")
        .and_then(Value::as_sequence_mut)
        .ok_or("Product has no enum")?
        .push("payments".into());
    let entry = json!({
        "type": "object", "nullable": true, "x-moneykit-added": "2099-01-01",
        "allOf": [{ "$ref": "#/components/schemas/LinkProductResponse" }],
        "description": "The payments product, if granted."
    });
    insert_property(spec, "LinkProducts", "payments", entry)
}

fn add_number_kind(spec: &mut Value) -> Result<(), String> {
    let item = json!({
        "title": "SepaNumber", "type": "object", "required": ["iban"],
        "description": "A SEPA account.",
        "properties": {
            "iban": { "type": "string", "x-moneykit-sensitive": true, "description": "The IBAN." },
            "bic": { "type": "string", "nullable": true, "description": "The BIC." }
        }
    });
    let schemas = spec
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_mapping_mut)
        .ok_or("openapi.yaml has no components/schemas")?;
    schemas.insert(
        "SepaNumber".into(),
        yaml_serde::to_value(item).map_err(|e| e.to_string())?,
    );
    let kind = json!({
        "type": "array", "x-moneykit-added": "2099-01-01",
        "items": { "$ref": "#/components/schemas/SepaNumber" },
        "description": "SEPA numbers (EU)."
    });
    insert_property(spec, "AccountNumbersLegacy20230218", "sepa", kind)
}

fn add_status_and_operations(spec: &mut Value) -> Result<(), String> {
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_mapping_mut)
        .ok_or("openapi.yaml has no paths")?;
    let link = paths.get("/links/{id}").cloned().ok_or("no /links/{id}")?;
    let conflict = json!({
        "description": "Conflict",
        "content": { "application/json": { "schema": {
            "$ref": "#/components/schemas/LinkErrorBadStateResponse" } } }
    });
    let get = paths
        .get_mut("/links/{id}")
        .and_then(|p| p.get_mut("get"))
        .and_then(|g| g.get_mut("responses"))
        .and_then(Value::as_mapping_mut)
        .ok_or("GET /links/{id} has no responses")?;
    get.insert("409".into(), to_yaml(conflict)?);
    // A GET with a path and a query parameter.
    let mut evolved = link.get("get").cloned().ok_or("no get")?;
    let operation = evolved.as_mapping_mut().ok_or("get is not a mapping")?;
    operation.insert("operationId".into(), "get_evolved_link".into());
    operation.insert("x-moneykit-call".into(), "link(id).evolved".into());
    let since = json!({
        "name": "since", "in": "query", "required": false,
        "description": "Only what changed since this date.",
        "schema": { "type": "string" }
    });
    // An integer is taken by value by the generated method, unlike a string.
    let limit = json!({
        "name": "limit", "in": "query", "required": false,
        "description": "At most this many.",
        "schema": { "type": "integer", "format": "int32" }
    });
    let parameters = operation
        .get_mut("parameters")
        .and_then(Value::as_sequence_mut)
        .ok_or("GET /links/{id} has no parameters")?;
    parameters.push(to_yaml(since)?);
    parameters.push(to_yaml(limit)?);
    paths.insert(
        "/links/{id}/evolved".into(),
        to_yaml(json!({ "get": to_json(&evolved)? }))?,
    );
    // A POST with a JSON body.
    let mut note = evolved;
    let operation = note.as_mapping_mut().ok_or("get is not a mapping")?;
    operation.insert("operationId".into(), "add_evolved_note".into());
    operation.insert("x-moneykit-call".into(), "link(id).add_evolved_note".into());
    operation
        .get_mut("parameters")
        .and_then(Value::as_sequence_mut)
        .ok_or("no parameters")?
        .retain(|p| {
            !["since", "limit"]
                .iter()
                .any(|n| p.get("name") == Some(&Value::from(*n)))
        });
    let body = json!({ "required": true, "content": { "application/json": { "schema": {
        "$ref": "#/components/schemas/EvolvedNote" } } } });
    operation.insert("requestBody".into(), to_yaml(body)?);
    paths.insert(
        "/links/{id}/evolved/notes".into(),
        to_yaml(json!({ "post": to_json(&note)? }))?,
    );
    let schemas = spec
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_mapping_mut)
        .ok_or("openapi.yaml has no components/schemas")?;
    let schema = json!({
        "title": "EvolvedNote", "type": "object", "required": ["text"],
        "description": "A note on a link.",
        "properties": { "text": { "type": "string", "description": "The note." } }
    });
    schemas.insert("EvolvedNote".into(), to_yaml(schema)?);
    Ok(())
}

fn to_yaml(value: serde_json::Value) -> Result<Value, String> {
    yaml_serde::to_value(value).map_err(|e| e.to_string())
}

fn to_json(value: &Value) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// Code a user of the copy's `moneykit` writes against the two new operations: it compiles only
/// if regeneration gave each its method, its parameters' setters and its body argument.
const USES_THE_NEW_OPERATIONS: &str = r#"fn main() {
    let client = moneykit::Client::builder().access_token("t").build().unwrap();
    let link = client.link("mk_1");
    let _get: moneykit::Request<moneykit::GetEvolvedLink> =
        link.evolved().since("2024-01-01").limit(10);
    let note = moneykit::types::EvolvedNote { text: "n".to_owned() };
    let _post: moneykit::Request<moneykit::AddEvolvedNote> = link.add_evolved_note(note);
}
"#;

/// The sandbox behaviour of the two new operations. Each answers only the request the drill
/// sends (404 otherwise), so the CLI's success shows its flags and body arrived typed.
const NEW_BEHAVIOUR: &str = r#"    fn get_evolved_link(
        &self,
        _: &Admitted,
        id: String,
        limit: Option<i32>,
        since: Option<String>,
    ) -> Answer {
        let served = self.served_link(&id, Operation::GetEvolvedLink)?;
        if since.as_deref() != Some("2024-01-01") || limit != Some(3) {
            return Err(not_found());
        }
        Ok(cached_json(served.link_body.clone()))
    }

    fn add_evolved_note(
        &self,
        _: &Admitted,
        id: String,
        body: moneykit_api::types::EvolvedNote,
    ) -> Answer {
        let served = self.served_link(&id, Operation::AddEvolvedNote)?;
        if body.text != "n" {
            return Err(not_found());
        }
        Ok(cached_json(served.link_body.clone()))
    }

"#;

/// The copy's CLI sends the new operations to its embedded sandbox: their commands exist, their
/// flags and body reach the behaviour, and a body that is not JSON is a usage error (exit 2).
fn cli_sends_the_new_operations(copy: &Copy) -> Result<(), String> {
    let moneykit = copy.moneykit_command()?;
    let link = "mk_sandbox_us";
    let sent: [&[&str]; 2] = [
        &[
            "link",
            "evolved",
            link,
            "--since",
            "2024-01-01",
            "--limit",
            "3",
        ],
        &[
            "link",
            "add-evolved-note",
            link,
            "--body",
            r#"{"text":"n"}"#,
        ],
    ];
    for args in sent {
        let printed = output(
            Command::new(&moneykit)
                .args(["--sandbox", "--output", "json"])
                .args(args),
        )?;
        if !printed.contains(&format!("\"link_id\": \"{link}\"")) {
            return Err(format!(
                "moneykit {args:?} did not print the link:\n{printed}"
            ));
        }
        println!("  moneykit --sandbox {} answers", args.join(" "));
    }
    let refused = Command::new(&moneykit)
        .args(["--sandbox", "link", "add-evolved-note", link, "--body", "{"])
        .output()
        .map_err(|e| format!("cannot run moneykit: {e}"))?;
    if refused.status.code() != Some(2) {
        return Err(format!(
            "a body that is not JSON should exit 2, not {:?}: {}",
            refused.status.code(),
            String::from_utf8_lossy(&refused.stderr)
        ));
    }
    Ok(())
}

/// The copy's CLI against a local server that answers with the three additions.
fn cli_shows_the_additions(copy: &Copy) -> Result<(), String> {
    let moneykit = copy.moneykit_command()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let server = runtime.block_on(serve_additions());
    let run = |args: &[&str]| -> Result<String, String> {
        output(
            Command::new(&moneykit)
                .args([
                    "--base-url",
                    &server.uri(),
                    "--access-token",
                    "evolve-token",
                ])
                .args(args),
        )
    };
    let checks: [(&[&str], &[&str], &[&str]); 5] = [
        (
            &["--output", "table", "link", "get", "mk_evolve"],
            &["payments", "2099-01-02"],
            &[],
        ),
        (&["link", "get", "mk_evolve"], &["\"payments\""], &[]),
        (
            &["accounts", "list", "mk_evolve"],
            &[
                "\"evolution_note\": \"note-42\"",
                "\"evolution_pending\": 0.3",
                "••••5678",
            ],
            &[REFERENCE],
        ),
        (
            &["accounts", "numbers", "mk_evolve"],
            &["\"sepa\"", "••••3000"],
            &[IBAN, REFERENCE],
        ),
        (
            &["accounts", "numbers", "mk_evolve", "--reveal"],
            &[IBAN],
            &[],
        ),
    ];
    for (args, shown, hidden) in checks {
        let printed = run(args)?;
        let missing: Vec<&&str> = shown.iter().filter(|s| !printed.contains(**s)).collect();
        let leaked: Vec<&&str> = hidden.iter().filter(|s| printed.contains(**s)).collect();
        if !missing.is_empty() || !leaked.is_empty() {
            return Err(format!(
                "moneykit {args:?} lacks {missing:?} or shows {leaked:?}:\n{printed}"
            ));
        }
        println!("  moneykit {} shows {shown:?}", args.join(" "));
    }
    Ok(())
}

/// Answers the three link endpoints with bodies that use the added field, product and kind.
async fn serve_additions() -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let link = json!({
        "link_id": "mk_evolve", "institution_id": "evolve", "institution_name": "Evolve Bank",
        "institution_avatar": "https://example.com/a.png", "state": "connected",
        "provider": "moneykit", "available_products": [],
        "products": { "payments": { "refreshed_at": "2099-01-02T03:04:05Z" } }
    });
    let account = json!({
        "account_id": "acc_evolve", "account_type": "depository.checking", "name": "Evolve",
        "balances": {
            "currency": "EUR", "available": 1.0, "current": 1.0, "evolution_pending": 0.3
        },
        "evolution_note": "note-42", "evolution_reference": REFERENCE
    });
    let mut with_numbers = account.clone();
    with_numbers["numbers"] = json!({
        "ach": [], "eft": [], "bacs": [], "international": [],
        "sepa": [{ "iban": IBAN, "bic": "COBADEFFXXX" }]
    });
    let server = MockServer::start().await;
    for (at, body) in [
        ("/links/mk_evolve", link.clone()),
        (
            "/links/mk_evolve/accounts",
            json!({ "accounts": [account], "link": link }),
        ),
        (
            "/links/mk_evolve/accounts/numbers",
            json!({ "accounts": [with_numbers], "link": link }),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    server
}
