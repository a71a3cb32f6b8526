//! The programs under test as processes: a ledger that can be killed and
//! started again on the same port and file, and the `relief` command line.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct LedgerProcess {
    binary: PathBuf,
    db: PathBuf,
    /// `--db` as given.
    url: String,
    pub addr: SocketAddr,
    child: Option<Child>,
}

impl LedgerProcess {
    /// Starts `relief-ledger serve` on a free port with its SQLite file in `dir`.
    pub fn start(binary: &Path, dir: &Path) -> LedgerProcess {
        let db = dir.join("ledger.sqlite3");
        let url = format!("sqlite:{}", db.display());
        LedgerProcess::start_on(binary, db, url)
    }

    /// Starts `relief-ledger serve` on the database `url` (`postgres://...`).
    pub fn start_on_postgres(binary: &Path, url: &str) -> LedgerProcess {
        LedgerProcess::start_on(binary, PathBuf::new(), url.to_owned())
    }

    fn start_on(binary: &Path, db: PathBuf, url: String) -> LedgerProcess {
        let mut ledger = LedgerProcess {
            binary: binary.to_owned(),
            db,
            url,
            addr: "127.0.0.1:0".parse().unwrap(),
            child: None,
        };
        ledger.spawn();
        ledger
    }

    fn spawn(&mut self) {
        let mut child = Command::new(&self.binary)
            .args(["serve", "--listen", &self.addr.to_string(), "--db"])
            .arg(&self.url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the ledger starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line from the ledger: {line:?}"));
        self.addr = address.parse().unwrap();
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The SQLite file (for a ledger started with [`LedgerProcess::start`]).
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// SIGKILL: no goodbye, as in a power cut.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Starts again on the same port and file.
    pub fn restart(&mut self) {
        self.kill();
        for attempt in 0.. {
            match std::net::TcpListener::bind(self.addr) {
                Ok(probe) => {
                    drop(probe);
                    break;
                }
                Err(_) if attempt < 50 => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => panic!("port {} stays taken: {e}", self.addr),
            }
        }
        self.spawn();
    }

    pub fn admin(&self, args: &[&str]) -> String {
        let output = self.try_admin(args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// An operator command that may be refused: its whole output.
    pub fn try_admin(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.binary)
            .arg("admin")
            .args(args)
            .arg("--db")
            .arg(&self.url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// A one-time code for a site in 수원: (code, key fingerprint).
    pub fn enrollment_code(&self, site_code: &str, site_type: &str) -> (String, String) {
        let out = self.admin(&[
            "enrollment-code",
            "--site-code",
            site_code,
            "--site-name",
            &format!("{site_code} 창구"),
            "--site-type",
            site_type,
            "--sigungu",
            "41110",
            "--json",
        ]);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        let field = |name: &str| value[name].as_str().unwrap().to_owned();
        (field("code"), field("ledger_key_fingerprint"))
    }
}

impl Drop for LedgerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
