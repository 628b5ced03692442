//! Generates the low-level client from `openapi.yaml` with `moneykit-gen`, the same function
//! `cargo xtask regen|check` and the drift tests call.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = manifest_dir.join("openapi.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed=build.rs");

    let source = match moneykit_gen::generate_from_path(&spec) {
        Ok(source) => source,
        Err(error) => {
            // One readable message instead of a build-script panic with a backtrace.
            for line in error.to_string().lines() {
                println!("cargo:warning={line}");
            }
            println!("cargo:error=moneykit-gen could not generate the client from openapi.yaml");
            std::process::exit(1);
        }
    };
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("moneykit_api.rs");
    if let Err(error) = std::fs::write(&out, source) {
        println!("cargo:error=cannot write {}: {error}", out.display());
        std::process::exit(1);
    }
}
