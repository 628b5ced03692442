//! With the `generate` feature (on by default and in this workspace; off for `moneykit`, so for
//! the CLI and every user of `moneykit`), checks that the checked-in `src/generated.rs` is what
//! `moneykit-gen` makes of `openapi.yaml` now, and fails the build naming `cargo xtask regen`
//! when it is not. The comparison is of syntax trees (`stale_code`): a build that resolved
//! another patch release of prettyplease or syn, laying the same code out differently, passes.
//! Without the feature there is nothing to do: the crate compiles the checked-in source.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "generate")]
    check_generated();
}

#[cfg(feature = "generate")]
fn check_generated() {
    let root =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = root.join("openapi.yaml");
    let checked_in = root.join(moneykit_gen::GENERATED_PATH);
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed={}", checked_in.display());
    let problem = match moneykit_gen::generate_from_path(&spec) {
        Ok(source) => moneykit_gen::stale_code(
            moneykit_gen::GENERATED_PATH,
            &source,
            std::fs::read_to_string(&checked_in).ok().as_deref(),
        ),
        Err(error) => Some(format!(
            "moneykit-gen cannot generate from openapi.yaml: {error}"
        )),
    };
    if let Some(problem) = problem {
        // One readable message instead of a build-script panic with a backtrace.
        for line in problem.lines() {
            println!("cargo:warning={line}");
        }
        println!(
            "cargo::error={}",
            problem.lines().next().unwrap_or_default()
        );
        std::process::exit(1);
    }
}
