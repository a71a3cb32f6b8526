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
    driver: Mutex<Option<Driver>>,
    tauri_driver: PathBuf,
    _turn: MutexGuard<'static, ()>,
}

/// tauri-driver, and the WebKitWebDriver it started, both listening.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver on `display`; None when it or the WebKitWebDriver
    /// behind it does not listen in time (a port taken meanwhile, say).
    fn start(program: &Path, display: &str) -> Option<Driver> {
        let (port, native) = (free_port(), free_port());
        let child = Command::new(program)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", display)
            // A blank window under Xvfb, and a session request hanging on
            // the accessibility bus, are both known WebKitGTK troubles.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("NO_AT_BRIDGE", "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver starts");
        let mut driver = Driver { child, port };
        // tauri-driver answers before WebKitWebDriver does, and a session
        // asked for in between is cut: wait for both.
        let deadline = Instant::now() + Duration::from_secs(20);
        let listening = |p: u16| TcpStream::connect(("127.0.0.1", p)).is_ok();
        while !(listening(port) && listening(native)) {
            if Instant::now() > deadline || driver.child.try_wait().ok().flatten().is_some() {
                driver.stop();
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(driver)
    }

    fn stop(&mut self) {
        // SIGTERM, so tauri-driver takes WebKitWebDriver down with it.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How many times a driver is started afresh before a test gives up.
const DRIVER_TRIES: usize = 3;

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
        let [(_, Some(xvfb)), (_, Some(driver_path)), _] = tools else {
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

        let driver = (0..DRIVER_TRIES).find_map(|_| Driver::start(&driver_path, &display));
        assert!(driver.is_some(), "tauri-driver did not listen on {display}");
        Some(Desktop {
            xvfb,
            display,
            driver: Mutex::new(driver),
            tauri_driver: driver_path,
            _turn: turn,
        })
    }

    /// Starts the app with `args` and connects to its window.
    pub async fn launch(&self, args: &[&str]) -> Client {
        let app = env!("CARGO_BIN_EXE_sys-relief-app");
        let capabilities = json!({ "tauri:options": { "application": app, "args": args } });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let mut last = None;
        for _ in 0..DRIVER_TRIES {
            let port = {
                let mut driver = self.driver.lock().unwrap();
                if driver.is_none() {
                    *driver = Driver::start(&self.tauri_driver, &self.display);
                }
                match driver.as_ref() {
                    Some(d) => d.port,
                    None => continue,
                }
            };
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => return client,
                // A driver that cut the request is started afresh.
                Err(e) => {
                    if let Some(mut d) = self.driver.lock().unwrap().take() {
                        d.stop();
                    }
                    last = Some(e);
                }
            }
        }
        panic!(
            "no WebDriver session on display {} after {DRIVER_TRIES} drivers: {last:?}",
            self.display
        )
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        if let Some(mut driver) = self.driver.lock().unwrap().take() {
            driver.stop();
        }
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}
