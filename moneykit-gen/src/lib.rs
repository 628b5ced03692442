//! `moneykit-gen` turns the MoneyKit OpenAPI contract (`openapi.yaml`) into the Rust source of
//! the low-level client and, with [`generate_all`], the per-operation code of the crates over
//! it: `moneykit`'s methods (`surface`), the CLI's commands (`cli`) and the sandbox's server
//! side (`server`), all read from one table of the operations.
//!
//! One function, [`generate`], serves `cargo xtask regen|check` (which write and compare the
//! checked-in [`GENERATED_PATH`]), the root crate's `build.rs` (which compares it, with
//! `moneykit-api`'s `generate` feature) and the tests, so all of them see byte-identical code.
//! [`stale`] is the one comparison they report with. It must not do anything else: no I/O
//! besides [`generate_from_path`] reading the spec, no network, no hand-written API types.
//!
//! The pipeline is: parse → `validate` → `prepare` (the few places where
//! progenitor 0.15 needs the spec in another form) → progenitor → lighter request code
//! (`headers`) → request bodies sent in full (`bodies`) → the extra items that progenitor
//! cannot emit (`emit`) → prettyplease.
//!
//! The generated code expects to be `include!`d at the root of a crate that provides
//! `crate::Timestamp` (the lenient timestamp type of `moneykit-api`), `crate::Amount` (an exact
//! decimal for every `x-moneykit-amount` number), and `crate::Sensitive` and `crate::Secret`
//! (strings that mask themselves), and depends on
//! `progenitor-client`, `reqwest`, `serde`, `serde_json`, `chrono`, and `schemars` 1.x under a
//! `schemars` feature (the JSON Schema impls are compiled only with it).
#![forbid(unsafe_code)]

mod bodies;
mod calls;
mod cli;
mod emit;
mod headers;
mod paths;
mod prepare;
mod schema_gate;
mod server;
mod shapes;
mod surface;
mod validate;

use std::path::{Path, PathBuf};

/// Why the spec could not be turned into Rust source.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The spec file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The text is not an OpenAPI 3.0 document.
    #[error("openapi.yaml is not a valid OpenAPI 3.0 document: {0}")]
    Parse(String),
    /// The document parses but breaks a rule the generator relies on; one line per problem.
    #[error("openapi.yaml has {} problem(s):\n  - {}", .0.len(), .0.join("\n  - "))]
    Invalid(Vec<String>),
    /// progenitor refused the prepared document.
    #[error("progenitor could not generate the client: {0}")]
    Progenitor(String),
}

/// Where the generated source is checked in, relative to the root crate (`moneykit-api`): written
/// by `cargo xtask regen`, compared by `cargo xtask check` and by the build script.
pub const GENERATED_PATH: &str = "src/generated.rs";

/// Where the ergonomic client's generated surface ([`generate_all`]) is checked in, relative
/// to the workspace root: written by `cargo xtask regen`, compared by `cargo xtask check` and
/// the root crate's drift test.
pub const SURFACE_PATH: &str = "moneykit/src/generated.rs";

/// Where the CLI's per-operation commands ([`generate_all`]) are checked in, relative to the
/// workspace root.
pub const CLI_PATH: &str = "moneykit-cli/src/generated.rs";

/// Where the sandbox's server side ([`generate_all`]: its operations, routing, request checks
/// and the trait of its behaviour) is checked in, relative to the workspace root.
pub const SANDBOX_PATH: &str = "moneykit-sandbox/src/generated.rs";

/// Every path [`generate_all`] writes, in its order.
pub const GENERATED_PATHS: [&str; 4] = [GENERATED_PATH, SURFACE_PATH, CLI_PATH, SANDBOX_PATH];

/// Why `checked_in` (the text of the file at `path`, such as [`GENERATED_PATH`]; `None` when it
/// is missing) is not `generated`, what the spec gives now: the first line that differs and
/// what to run. `None` when they are the same.
pub fn stale(path: &str, generated: &str, checked_in: Option<&str>) -> Option<String> {
    const FIX: &str = "run `cargo xtask regen` and review the diff";
    let Some(checked_in) = checked_in else {
        return Some(format!("{path} is missing: {FIX}"));
    };
    if generated == checked_in {
        return None;
    }
    let shorten = |line: Option<&str>| match line {
        None => "the end of the file".to_owned(),
        Some(line) if line.chars().count() > 100 => {
            format!("`{}…`", line.chars().take(100).collect::<String>())
        }
        Some(line) => format!("`{line}`"),
    };
    let (mut new, mut old) = (generated.lines(), checked_in.lines());
    let mut number = 1;
    loop {
        match (new.next(), old.next()) {
            (None, None) => {
                return Some(format!(
                    "{path} differs from what openapi.yaml gives only in line endings \
                     or a final newline; {FIX}"
                ));
            }
            (a, b) if a == b => number += 1,
            (a, b) => {
                return Some(format!(
                    "{path} is stale: line {number} is {} where openapi.yaml gives {}; {FIX}",
                    shorten(b),
                    shorten(a)
                ));
            }
        }
    }
}

/// Like [`stale`], but sources that parse to the same syntax tree are the same: what the build
/// script checks, where a downstream build may resolve another patch release of prettyplease or
/// syn that lays the same code out differently.
pub fn stale_code(path: &str, generated: &str, checked_in: Option<&str>) -> Option<String> {
    let problem = stale(path, generated, checked_in)?;
    let parse = |text: &str| syn::parse_file(text).ok();
    match (parse(generated), checked_in.and_then(parse)) {
        (Some(new), Some(old)) if new == old => None,
        _ => Some(problem),
    }
}

/// Reads the spec at `path` and returns the formatted Rust source of the client.
pub fn generate_from_path(path: &Path) -> Result<String, GenError> {
    let text = std::fs::read_to_string(path).map_err(|source| GenError::Read {
        path: path.to_owned(),
        source,
    })?;
    generate(&text)
}

/// Turns the text of `openapi.yaml` into the formatted Rust source of the client.
///
/// The output is deterministic: the same spec and the same crate versions give the same bytes.
pub fn generate(spec_yaml: &str) -> Result<String, GenError> {
    let (file, _) = pipeline(spec_yaml)?;
    Ok(with_header(&file))
}

/// Every file generated from `openapi.yaml`, with where it is checked in (relative to the
/// workspace root), in the order of [`GENERATED_PATHS`]:
/// - the low-level client ([`GENERATED_PATH`], what [`generate`] gives);
/// - the ergonomic client's per-operation surface ([`SURFACE_PATH`]: each operation with an
///   `x-moneykit-call` as data, how it is sent, its optional parameters' setters and the
///   resource handles that start it);
/// - the CLI's commands ([`CLI_PATH`]: one per such operation, its arguments and how it runs);
/// - the sandbox's server side ([`SANDBOX_PATH`]: every operation's route, its checks of
///   credentials, version, parameters and body, and the trait whose one method per operation
///   the sandbox implements).
///
/// All four are read from the same operation table and generated methods.
pub fn generate_all(spec_yaml: &str) -> Result<[(&'static str, String); 4], GenError> {
    let (file, prepared) = pipeline(spec_yaml)?;
    let surfaces = surface::read_all(&file, &prepared.operations)?;
    let surface = surface::generate(&surfaces)?;
    let cli = cli::generate(&surfaces)?;
    let server = server::generate(&surfaces)?;
    Ok([
        (GENERATED_PATH, with_header(&file)),
        (SURFACE_PATH, with_header(&surface)),
        (CLI_PATH, with_header(&cli)),
        (SANDBOX_PATH, with_header(&server)),
    ])
}

fn with_header(file: &syn::File) -> String {
    format!(
        "// Generated by moneykit-gen from openapi.yaml; do not edit. Run `cargo xtask regen`.\n\n{}",
        prettyplease::unparse(file)
    )
}

/// Parses, validates and prepares the spec, runs progenitor and the passes over its output.
fn pipeline(spec_yaml: &str) -> Result<(syn::File, prepare::Prepared), GenError> {
    let raw: serde_json::Value =
        yaml_serde::from_str(spec_yaml).map_err(|e| GenError::Parse(e.to_string()))?;
    validate::document(&raw)?;
    let prepared = prepare::for_progenitor(raw)?;
    let problems = surface::check(&prepared.operations);
    if !problems.is_empty() {
        return Err(GenError::Invalid(problems));
    }
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::Hooks))
        .with_derive("PartialEq")
        .with_derive("schemars::JsonSchema");
    for open in &prepared.open_enums {
        let type_name = emit::rust_type_name(&open.name);
        settings.with_replacement(
            &type_name,
            format!("crate::types::{type_name}"),
            open.type_impls().into_iter(),
        );
    }
    settings.with_conversion(
        prepare::sensitive_schema(),
        "crate::Sensitive",
        [progenitor::TypeImpl::Display].into_iter(),
    );
    settings.with_conversion(
        prepare::secret_schema(),
        "crate::Secret",
        [progenitor::TypeImpl::Display].into_iter(),
    );
    settings.with_conversion(
        prepare::amount_schema(),
        "crate::Amount",
        [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
    );
    settings.with_conversion(
        prepare::timestamp_schema(),
        "crate::Timestamp",
        [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
    );

    // progenitor reports some unsupported constructs with `assert!`/`todo!` instead of `Err`;
    // validation rules most of them out, and this turns any that slip through into an error.
    let tokens = quiet_catch_unwind(|| {
        progenitor::Generator::new(&settings).generate_tokens(&prepared.spec)
    })
    .map_err(GenError::Progenitor)?
    .map_err(|e| GenError::Progenitor(e.to_string()))?;

    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| GenError::Progenitor(e.to_string()))?;
    headers::streamline(&mut file);
    bodies::sent_in_full(&mut file);
    paths::own_encoding(&mut file);
    emit::extend(&mut file, &prepared)?;
    Ok((file, prepared))
}

/// Runs `f`, turning a panic into its message without printing it to stderr.
fn quiet_catch_unwind<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}

/// Follows one local `$ref`; dangling refs are reported by `validate`.
fn resolve<'a>(doc: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    node.get("$ref")
        .and_then(serde_json::Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| doc.pointer(pointer))
        .unwrap_or(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_names_the_first_differing_line_and_the_fix() {
        assert_eq!(stale(GENERATED_PATH, "a\nb\n", Some("a\nb\n")), None);
        let changed = stale(GENERATED_PATH, "a\nb\nc\n", Some("a\nx\nc\n")).unwrap();
        assert!(
            changed.contains("line 2 is `x` where openapi.yaml gives `b`"),
            "{changed}"
        );
        assert!(changed.contains("cargo xtask regen"), "{changed}");
        let shorter = stale(GENERATED_PATH, "a\nb\n", Some("a\n")).unwrap();
        assert!(
            shorter.contains("line 2 is the end of the file"),
            "{shorter}"
        );
        let endings = stale(GENERATED_PATH, "a\n", Some("a\r\n")).unwrap();
        assert!(endings.contains("line endings"), "{endings}");
        let missing = stale(GENERATED_PATH, "a\n", None).unwrap();
        assert!(missing.contains("src/generated.rs is missing"), "{missing}");
    }

    #[test]
    fn stale_code_ignores_layout_but_not_code() {
        let (laid_out, squeezed) = ("fn f() {\n    g();\n}\n", "fn f(){g();}");
        assert!(stale(GENERATED_PATH, laid_out, Some(squeezed)).is_some());
        assert_eq!(stale_code(GENERATED_PATH, laid_out, Some(squeezed)), None);
        assert!(stale_code(GENERATED_PATH, laid_out, Some("fn f() { h(); }")).is_some());
        assert!(stale_code(GENERATED_PATH, laid_out, None).is_some());
    }

    #[test]
    fn stale_shortens_long_lines() {
        let long = "x".repeat(500);
        let said = stale(GENERATED_PATH, "a\n", Some(&long)).unwrap();
        assert!(said.len() < 300, "{said}");
    }
}
