//! One automerge change, pushed as a new document by the harness's device.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = sotay_server::fuzzing::Harness::new() {
        let _ = h.push_change(*b"\x01\x95\xf3\xa2\x7c\x1d\x70\x00\x80\x00\x00\x00\x00\x00\x0f\x22", data);
    }
});
