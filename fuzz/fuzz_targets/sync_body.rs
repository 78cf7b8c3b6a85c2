//! A sync body as the server handles a push: decoded, staged, validated, scoped, committed.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = sotay_server::fuzzing::Harness::new() {
        let _ = h.sync_body(data);
    }
});
