//! `uniffi-bindgen`, pinned to the workspace's uniffi: `cargo run -p uniffi-bindgen -- generate
//! --library target/debug/libsotay_ffi.so --language kotlin --out-dir ...`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
