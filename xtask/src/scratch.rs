//! Scratch copies of the checkout (tracked and untracked-but-not-ignored files, no `target/`),
//! for the tasks that edit the workspace without touching it: `evolve` and `bench build`.

use std::path::Path;
use std::process::Command;

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
