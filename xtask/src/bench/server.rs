//! The release sandbox as a child process (the server of the client and sandbox benchmarks):
//! started on a free loopback port, its banner read for the URL and the credentials, killed
//! when dropped.

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running sandbox. Dropping it kills it (by its own pid) and waits for it.
pub struct Server {
    child: Child,
    /// Kept open so the sandbox never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The sandbox's client id and secret, passed to the benchmarks through the environment.
    pub credentials: [(String, String); 2],
}

impl Server {
    /// Starts `binary` (the release `moneykit-sandbox`), pinned to `cpu` with taskset if given.
    pub fn start(binary: &Path, cpu: Option<usize>) -> Result<Server, String> {
        let args = ["--port", "0", "--token-lifetime", "86400"];
        let mut command = match cpu {
            Some(cpu) => {
                let mut command = Command::new("taskset");
                command.args(["-c", &cpu.to_string()]).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let (mut base_url, mut id, mut secret) = (None, None, None);
        // The banner is a few dozen lines; the secret comes right after the URL.
        for line in lines.by_ref().take(40) {
            let line = line.map_err(|e| e.to_string())?;
            let line = line.trim();
            if let Some(url) = line.strip_prefix("MoneyKit sandbox listening on ") {
                base_url = Some(url.to_owned());
            } else if let Some(value) = line.strip_prefix("export MONEYKIT_CLIENT_ID=") {
                id = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("export MONEYKIT_CLIENT_SECRET=") {
                secret = value.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        let mut server = Server {
            child,
            _stdout: lines,
            base_url: String::new(),
            credentials: Default::default(),
        };
        match (base_url, id, secret) {
            (Some(url), Some(id), Some(secret)) => {
                server.base_url = url;
                server.credentials = [
                    ("MONEYKIT_CLIENT_ID".to_owned(), id),
                    ("MONEYKIT_CLIENT_SECRET".to_owned(), secret),
                ];
                Ok(server)
            }
            _ => Err("the sandbox did not print its URL and credentials".to_owned()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
