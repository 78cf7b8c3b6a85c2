//! A saved document, loaded, checked for depth and read as a tree.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sotay_server::fuzzing::read_tree(data);
});
