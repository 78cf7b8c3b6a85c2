//! The hash, media type and bytes of a file upload, checked as the server checks them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sotay_server::fuzzing::attachment_headers(data);
});
