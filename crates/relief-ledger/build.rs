// The migrations are embedded at compile time (refinery reads the folder):
// a new file there must rebuild the crate, which cargo cannot tell alone.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/ledger");
}
