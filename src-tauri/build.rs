fn main() {
    // The window's files are embedded at compile time; without them
    // tauri's codegen fails with a message that does not say what to do.
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    println!("cargo:rerun-if-changed={}", ui.display());
    if !ui.exists() {
        panic!(
            "ui/dist is missing: build the UI first (cd ui && npm ci && npm run build), or run scripts/test-all"
        );
    }
    tauri_build::build()
}
