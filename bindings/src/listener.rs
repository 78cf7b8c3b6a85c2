//! Calls into the app's listeners. A listener that throws (uniffi turns a Kotlin or Swift
//! exception in a callback without a declared error into a panic on our side) must not end the
//! thread that delivers later notifications: one bad refresh should not silence the UI for good.

use std::panic::{AssertUnwindSafe, catch_unwind};

pub(crate) fn call(notify: impl FnOnce()) {
    // The listener's own state is the app's; nothing of ours is left half-updated by its failure.
    let _ = catch_unwind(AssertUnwindSafe(notify));
}
