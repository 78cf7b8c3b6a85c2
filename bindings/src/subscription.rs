//! Store changes delivered to the app: the observer queues ids and a thread of the subscription's
//! own calls the app's listener, so that the listener never runs while the store is locked (it
//! may read the store at once). Ending the subscription, or dropping its handle, stops it
//! (after matrix-rust-sdk's `TaskHandle`).

use std::sync::{Arc, Mutex, mpsc};

use sotay_core::store::Observers;

/// What the app implements to hear of changes.
#[uniffi::export(with_foreign)]
pub trait StoreListener: Send + Sync {
    /// `ids`: the documents that changed.
    fn on_change(&self, ids: Vec<String>);
}

#[derive(uniffi::Object)]
pub struct Subscription {
    observers: Arc<Observers>,
    id: Mutex<Option<u64>>,
}

impl Subscription {
    pub(crate) fn start(observers: Arc<Observers>, listener: Arc<dyn StoreListener>) -> Arc<Subscription> {
        let (tx, rx) = mpsc::channel::<Vec<String>>();
        let tx = Mutex::new(tx);
        let id = observers.subscribe(Box::new(move |ids| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(ids.to_vec());
            }
        }));
        // The thread ends when the observer (and with it the sender) is gone.
        let _ = std::thread::Builder::new().name("sotay-store-listener".into()).spawn(move || {
            while let Ok(ids) = rx.recv() {
                crate::listener::call(|| listener.on_change(ids));
            }
        });
        Arc::new(Subscription { observers, id: Mutex::new(Some(id)) })
    }
}

#[uniffi::export]
impl Subscription {
    /// Stops the notifications (dropping the handle does the same).
    pub fn cancel(&self) {
        if let Some(id) = self.id.lock().ok().and_then(|mut id| id.take()) {
            self.observers.unsubscribe(id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}
