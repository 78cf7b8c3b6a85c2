//! The uniffi layer over `sotay-core` for the Android and iOS apps: a later issue builds it.
