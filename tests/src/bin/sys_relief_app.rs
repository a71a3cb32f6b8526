//! The counter app, built inside the system-test package so the end-to-end
//! tests can hand its path to tauri-driver.
fn main() {
    relief_app::run();
}
