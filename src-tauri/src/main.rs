// No console window on Windows counter PCs.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    relief_app::run();
}
