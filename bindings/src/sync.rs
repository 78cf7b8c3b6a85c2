//! Enrollment and sync, asynchronous on tokio. The store is locked only while a request is built
//! or a response applied, so the app keeps working during a long sync on a slow link.

use std::sync::Arc;

use sotay_core::sync::http::{Cancel, SyncObserver, SyncReport, Transport, sync_with};

use crate::error::SotayError;
use crate::store::Store;

/// What the app implements to follow a sync.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// After each round trip: records and bytes sent and received so far.
    fn on_progress(&self, report: SyncReport);
}

/// Hands progress to the app's listener on a thread of its own, so that the listener never runs
/// on the async runtime's threads and may call the store. `finish` waits until every report was
/// delivered: a sync returns only after its listener has heard all of it.
struct Forward {
    tx: std::sync::Mutex<Option<std::sync::mpsc::Sender<SyncReport>>>,
    delivering: Option<std::thread::JoinHandle<()>>,
}

impl Forward {
    fn to(listener: Arc<dyn SyncListener>) -> Forward {
        let (tx, rx) = std::sync::mpsc::channel::<SyncReport>();
        let delivering = std::thread::Builder::new()
            .name("sotay-sync-progress".into())
            .spawn(move || {
                while let Ok(report) = rx.recv() {
                    crate::listener::call(|| listener.on_progress(report));
                }
            })
            .ok();
        Forward { tx: std::sync::Mutex::new(Some(tx)), delivering }
    }

    async fn finish(mut self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = self.delivering.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl SyncObserver for Forward {
    fn progress(&self, report: &SyncReport) {
        if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = tx.send(report.clone());
        }
    }
}

/// Stops a sync in progress; what it applied stays applied.
#[derive(uniffi::Object, Default)]
pub struct SyncCancel(Cancel);

#[uniffi::export]
impl SyncCancel {
    #[uniffi::constructor]
    pub fn new() -> Arc<SyncCancel> {
        Arc::new(SyncCancel::default())
    }

    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// A phone's first run: exchanges a one-time enrollment code for this device's token and
/// creates the encrypted store at `path` for the user the server names (login, role, unit).
#[uniffi::export(async_runtime = "tokio")]
pub async fn enroll_new_store(
    path: String,
    key: crate::views::StoreKey,
    server_url: String,
    code: String,
    device_name: String,
) -> Result<Arc<Store>, SotayError> {
    // Checked before the code is spent: a one-time code used on a store that cannot be created
    // would be lost.
    if std::path::Path::new(&path).exists() {
        return Err(sotay_core::CoreError::StoreExists { path: path.clone() }.into());
    }
    let transport = Transport::new(&server_url)?;
    let enrollment = transport.enroll(&code, &device_name, None).await?;
    let profile = sotay_core::store::NewProfile {
        user_id: enrollment.login.clone(),
        display_name: enrollment.display_name.clone(),
        role: enrollment.role,
        unit: enrollment.unit.clone(),
    };
    let store = Store::create(path, key, profile)?;
    store.lock().set_enrollment(&enrollment)?;
    Ok(store)
}

#[uniffi::export(async_runtime = "tokio")]
impl Store {
    /// Exchanges a one-time enrollment code for this device's token; the user's profile (role,
    /// unit) comes from the server.
    pub async fn enroll(&self, server_url: String, code: String, device_name: String) -> Result<(), SotayError> {
        let transport = Transport::new(&server_url)?;
        let former = self.lock().profile().device_id.clone();
        let enrollment = transport.enroll(&code, &device_name, Some(&former)).await?;
        self.lock().set_enrollment(&enrollment)?;
        Ok(())
    }

    /// Syncs until nothing is left to send or receive. Files attached to records move too when
    /// `with_attachments` (ask `syncDecision`: unmetered network, or the user allowed mobile data).
    #[uniffi::method(default(with_attachments = true))]
    pub async fn sync(
        &self,
        listener: Option<Arc<dyn SyncListener>>,
        cancel: Option<Arc<SyncCancel>>,
        with_attachments: bool,
    ) -> Result<SyncReport, SotayError> {
        let enrollment = self.lock().enrollment()?;
        let url = match enrollment {
            Some((url, _, _)) => url,
            None => return Err(sotay_core::CoreError::NotEnrolled.into()),
        };
        let transport = Transport::new(&url)?;
        let forward = listener.map(Forward::to);
        let observer: &dyn SyncObserver = match &forward {
            Some(f) => f,
            None => &sotay_core::sync::http::Unobserved,
        };
        let cancel = cancel.unwrap_or_default();
        let result = sync_with(|| async { self.lock() }, &transport, observer, &cancel.0, with_attachments).await;
        if let Some(f) = forward {
            f.finish().await;
        }
        Ok(result?)
    }
}
