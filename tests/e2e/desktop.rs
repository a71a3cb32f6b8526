//! A desktop for the app: a virtual X display (Xvfb) and tauri-driver,
//! which starts the app through WebKitWebDriver and speaks W3C WebDriver.
//! One desktop at a time: the tests take turns, as a clerk would.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub struct Desktop {
    xvfb: Child,
    display: String,
    driver: Option<Child>,
    port: u16,
    _turn: MutexGuard<'static, ()>,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(Path::new(&home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Desktop {
    /// Starts a desktop, or says why the end-to-end tests are skipped here
    /// (and fails instead where every part is required: relief_testkit::skip).
    pub fn start(test: &str) -> Option<Desktop> {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let tools = ["Xvfb", "tauri-driver", "WebKitWebDriver"].map(|t| (t, on_path(t)));
        let missing: Vec<&str> = tools
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(t, _)| *t)
            .collect();
        if !missing.is_empty() {
            relief_testkit::skip(format!(
                "{test}: no {} here (scripts/test-all installs them)",
                missing.join(", ")
            ));
            return None;
        }
        let [(_, Some(xvfb)), (_, Some(driver)), _] = tools else {
            unreachable!()
        };

        // -displayfd picks a free display and tells us which.
        let mut xvfb = Command::new(xvfb)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x900x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let display = format!(":{}", line.trim());

        let port = free_port();
        let driver = Command::new(driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .env("DISPLAY", &display)
            // A blank window under Xvfb, and a session request hanging on
            // the accessibility bus, are both known WebKitGTK troubles.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("NO_AT_BRIDGE", "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver starts");
        let desktop = Desktop {
            xvfb,
            display,
            driver: Some(driver),
            port,
            _turn: turn,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(desktop)
    }

    /// Starts the app with `args` and connects to its window.
    pub async fn launch(&self, args: &[&str]) -> Client {
        let app = env!("CARGO_BIN_EXE_sys-relief-app");
        let capabilities = json!({ "tauri:options": { "application": app, "args": args } });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("no WebDriver session on display {}: {e}", self.display))
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        if let Some(mut driver) = self.driver.take() {
            // SIGTERM, so tauri-driver takes WebKitWebDriver down with it.
            let _ = Command::new("kill")
                .args(["-TERM", &driver.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while driver.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = driver.kill();
            let _ = driver.wait();
        }
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}
