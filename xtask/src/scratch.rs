//! Scratch copies of the checkout (tracked and untracked-but-not-ignored files, no `target/`),
//! for the tasks that edit the workspace without touching it: `evolve` and `bench build`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The checkout's own target directory: `CARGO_TARGET_DIR`, else `target/` under `root`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// Gives an empty scratch target directory `to` the debug artefacts of `from`, so a copy's
/// build compiles only its own crates, not every registry dependency again.
///
/// Modification times are kept (`cp -a`): the copy's sources are newer than every copied
/// artefact of a workspace crate, so cargo rebuilds those rather than trust a stale output.
/// Registry crates are fresh by package id and reuse. Nothing is linked: cargo rewrites
/// fingerprint files in place, which would reach through a hard link into `from`.
pub fn seed_target(from: &Path, to: &Path) -> Result<(), String> {
    let debug = to.join("debug");
    if debug.exists() || !from.join("debug").exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&debug).map_err(|e| format!("cannot create {debug:?}: {e}"))?;
    for part in ["deps", "build", ".fingerprint"] {
        let source = from.join("debug").join(part);
        if !source.exists() {
            continue;
        }
        let copied = Command::new("cp")
            .arg("-a")
            .arg(&source)
            .arg(&debug)
            .status()
            .map_err(|e| format!("cannot run cp: {e}"))?;
        if !copied.success() {
            return Err(format!("cannot copy {source:?} into {debug:?}"));
        }
    }
    Ok(())
}

/// Copies the checkout at `root` into `dir`, replacing whatever `dir` held.
pub fn copy_checkout(root: &Path, dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {dir:?}: {e}"))?;
    }
    let listed = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !listed.status.success() {
        return Err("git ls-files failed".to_owned());
    }
    let listed = String::from_utf8_lossy(&listed.stdout);
    for file in listed.split('\0').filter(|f| !f.is_empty()) {
        let (from, to) = (root.join(file), dir.join(file));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().expect("a file has a folder"))
                .and_then(|()| std::fs::copy(&from, &to).map(drop))
                .map_err(|e| format!("cannot copy {file}: {e}"))?;
        }
    }
    Ok(())
}
