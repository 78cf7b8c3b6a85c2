//! Who wants to know when documents change: the apps refresh their screens from here. Observers
//! are told the ids of the documents a committed write touched, local or received by sync.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Called with the ids of the documents that changed, after the change is durable.
pub type ChangeObserver = Box<dyn Fn(&[String]) + Send + Sync>;

#[derive(Default)]
pub struct Observers {
    next: AtomicU64,
    list: Mutex<Vec<(u64, ChangeObserver)>>,
}

impl Observers {
    /// Registers an observer; returns the id that `unsubscribe` takes.
    pub fn subscribe(&self, observer: ChangeObserver) -> u64 {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        self.lock().push((id, observer));
        id
    }

    pub fn unsubscribe(&self, id: u64) {
        self.lock().retain(|(i, _)| *i != id);
    }

    pub(crate) fn notify(&self, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        for (_, observer) in self.lock().iter() {
            observer(ids);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, ChangeObserver)>> {
        // An observer that panicked leaves the list as it was.
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }
}
