//! Cross-crate end-to-end tests: several devices and a server over loopback (a later issue).
