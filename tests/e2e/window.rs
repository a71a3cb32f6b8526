//! The app's window as a test drives it: elements by their `data-testid`
//! (the contract for outside test tools), waits instead of sleeps, and a
//! screenshot of every test under `target/e2e/`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

const PATIENCE: Duration = Duration::from_secs(20);

pub struct Window {
    client: Client,
    test: &'static str,
}

fn css(testid: &str) -> String {
    format!(r#"[data-testid="{testid}"]"#)
}

impl Window {
    pub fn new(client: Client, test: &'static str) -> Window {
        Window { client, test }
    }

    pub async fn find(&self, testid: &str) -> Element {
        let selector = css(testid);
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self
                .client
                .wait()
                .at_most(deadline.saturating_duration_since(Instant::now()))
                .for_element(Locator::Css(&selector))
                .await;
            match found {
                Ok(element) => return element,
                // The screen re-rendered the element while it was being
                // found (seen on a loaded machine): look again.
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {}
                Err(e) => {
                    self.screenshot("FAILED").await;
                    panic!(
                        "{}: no `{testid}` on screen (see target/e2e/{0}-FAILED.png): {e}",
                        self.test
                    )
                }
            }
        }
    }

    pub async fn is_shown(&self, testid: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(&css(testid)))
            .await
            .unwrap()
            .is_empty()
    }

    pub async fn type_into(&self, testid: &str, text: &str) {
        self.find(testid).await.send_keys(text).await.unwrap();
    }

    /// Sets the window's outer size, as a monitor of that size would hold it.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Types `text` wherever the keyboard is, as a clerk does.
    pub async fn keys(&self, text: &str) {
        let active = self.client.active_element().await.unwrap();
        active.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, testid: &str) {
        let element = self.find(testid).await;
        let deadline = Instant::now() + PATIENCE;
        // A button may still be disabled while the shell answers.
        while !element.is_enabled().await.unwrap() {
            assert!(
                Instant::now() < deadline,
                "{}: `{testid}` stays disabled",
                self.test
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        element.click().await.unwrap();
    }

    pub async fn text(&self, testid: &str) -> String {
        self.find(testid).await.text().await.unwrap()
    }

    /// Waits until `testid` shows text containing `part`, and returns that text.
    pub async fn wait_for_text(&self, testid: &str, part: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text(testid).await;
            if text.contains(part) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{}: `{testid}` shows {text:?}, never {part:?}",
                self.test
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The `data-testid` of the focused element: where the keyboard is.
    pub async fn focused(&self) -> String {
        let active = self.client.active_element().await.unwrap();
        active
            .attr("data-testid")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Waits until the keyboard is on `testid`: focus moves after a render.
    pub async fn wait_for_focus(&self, testid: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let focused = self.focused().await;
            if focused == testid {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: the keyboard never reached `{testid}` (it is on `{focused}`)",
                self.test
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn sign_in(&self, employee_id: &str, pin: &str) {
        self.type_into("login-id", employee_id).await;
        self.type_into("login-pin", pin).await;
        self.click("login-submit").await;
        self.find("session").await;
        // The first supervisor in on a new terminal is shown its recovery
        // code once, and writes it down before going on.
        if self.is_shown("recovery-code").await {
            // A narrow window may wrap the code at its dashes.
            let shown: String = self
                .text("recovery-code-value")
                .await
                .split_whitespace()
                .collect();
            assert!(
                shown.len() == 39 && shown.matches('-').count() == 7,
                "{}: the recovery code is shown whole ({} characters)",
                self.test,
                shown.len()
            );
            self.click("recovery-code-done").await;
            assert!(!self.is_shown("recovery-code").await);
        }
    }

    pub async fn sign_out(&self) {
        self.click("sign-out").await;
        self.find("login-id").await;
    }

    /// Saves the window as `target/e2e/<test>-<step>.png`.
    pub async fn screenshot(&self, step: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{}-{step}.png", self.test)), png).unwrap();
    }

    /// Runs `script` in the page, which calls its last argument with the answer.
    pub async fn execute_async(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> serde_json::Value {
        self.client.execute_async(script, args).await.unwrap()
    }

    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}
