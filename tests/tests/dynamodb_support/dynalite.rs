//! A dynalite process of a test's own, with its data on disk so that it can be stopped and
//! restarted with its tables intact.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{dynalite_bin, eventually, free_port};

#[derive(Debug)]
pub struct Dynalite {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Dynalite {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "trace-dynalite-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = Self {
            port: free_port(),
            dir,
            child: None,
        };
        server.restart();
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and data directory.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new(dynalite_bin())
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--path")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", dynalite_bin()));
        self.child = Some(child);
        let port = self.port;
        assert!(
            eventually(Duration::from_secs(20), || {
                TcpStream::connect(("127.0.0.1", port)).is_ok()
            }),
            "dynalite did not start on port {port}"
        );
    }

    /// Kills the server; connections to its port are refused until [`restart`](Self::restart).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Dynalite {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
