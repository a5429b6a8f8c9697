//! `declare_program!(backstop)` reads the committed IDL at compile time: rebuild when it changes.
fn main() {
    println!("cargo:rerun-if-changed=idls/backstop.json");
    println!("cargo:rerun-if-changed=../../idl/backstop.json");
}
