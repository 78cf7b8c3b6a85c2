//! `Store`: the core's store for the apps. It wraps the core type of the same name; each method is
//! the core's, with its types converted at the boundary.

use std::sync::Arc;

use sotay_core::record::common::AttachmentRef;
use sotay_core::record::{RecordBody, Village};
use sotay_core::store::{NewProfile, Profile, RecordFilter, RecordSummary, VillageRow};
use sotay_core::sync::SyncStatus;
use sotay_core::time::SystemClock;

use crate::error::SotayError;
use crate::subscription::{StoreListener, Subscription};
use crate::views::{FieldValue, HistoryEntry, RecordConflicts, RecordView, StoreKey};

#[derive(uniffi::Object)]
pub struct Store {
    /// Held only for one store operation: a sync takes it to build a request or apply a
    /// response, never while it waits on the network.
    pub(crate) inner: std::sync::Mutex<sotay_core::store::Store>,
    observers: Arc<sotay_core::store::Observers>,
}

impl Store {
    fn wrap(store: sotay_core::store::Store) -> Arc<Store> {
        let observers = store.observers();
        Arc::new(Store { inner: std::sync::Mutex::new(store), observers })
    }

    /// The store, from any thread. SQLite rolls back what a panicking call left half done, so a
    /// poisoned lock is taken over rather than turned into a panic of every later call.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, sotay_core::store::Store> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[uniffi::export]
impl Store {
    /// Opens an existing store with its key.
    #[uniffi::constructor]
    pub fn open(path: String, key: StoreKey) -> Result<Arc<Store>, SotayError> {
        let store = sotay_core::store::Store::open(path.as_ref(), &key.try_into()?, Arc::new(SystemClock))?;
        Ok(Store::wrap(store))
    }

    /// Creates a new store for a user; most apps create it by enrolling instead.
    #[uniffi::constructor]
    pub fn create(path: String, key: StoreKey, profile: NewProfile) -> Result<Arc<Store>, SotayError> {
        let store = sotay_core::store::Store::create(path.as_ref(), &key.try_into()?, profile, Arc::new(SystemClock))?;
        Ok(Store::wrap(store))
    }

    pub fn profile(&self) -> Profile {
        self.lock().profile().clone()
    }

    pub fn create_record(&self, unit: String, body: RecordBody) -> Result<String, SotayError> {
        Ok(self.lock().create_record(&unit, body)?)
    }

    pub fn update_record(&self, id: String, body: RecordBody) -> Result<(), SotayError> {
        Ok(self.lock().update_record(&id, body)?)
    }

    /// Attaches a file (a photo or a scan: JPEG, PNG or PDF, up to 10 MiB) to a mediation case;
    /// returns the reference added to the record. It reaches the server with a sync that may
    /// move files (`sync(..., withAttachments)`).
    pub fn attach(
        &self,
        record_id: String,
        name: String,
        media_type: String,
        data: Vec<u8>,
    ) -> Result<AttachmentRef, SotayError> {
        Ok(self.lock().attach(&record_id, &name, &media_type, &data)?)
    }

    /// A file's bytes, or none when this phone does not have them yet.
    pub fn attachment(&self, sha256: String) -> Result<Option<Vec<u8>>, SotayError> {
        Ok(self.lock().attachment(&sha256)?)
    }

    pub fn record(&self, id: String) -> Result<RecordView, SotayError> {
        Ok(self.lock().record(&id)?.into())
    }

    pub fn list(&self, filter: RecordFilter) -> Result<Vec<RecordSummary>, SotayError> {
        Ok(self.lock().list(&filter)?)
    }

    /// Finds records by every word of `text`, ignoring case and diacritics (đ as d).
    pub fn search(&self, text: String, filter: RecordFilter) -> Result<Vec<RecordSummary>, SotayError> {
        Ok(self.lock().search(&text, &filter)?)
    }

    pub fn history(&self, id: String) -> Result<Vec<HistoryEntry>, SotayError> {
        Ok(self.lock().history(&id)?.into_iter().map(HistoryEntry::from).collect())
    }

    pub fn conflicts(&self) -> Result<Vec<RecordConflicts>, SotayError> {
        Ok(self
            .lock()
            .conflicts()?
            .into_iter()
            .map(|(id, kind, c)| RecordConflicts { id, kind, conflicts: c.into_iter().map(Into::into).collect() })
            .collect())
    }

    /// Settles a conflict with the chosen value (one of the conflict's, or another valid one).
    pub fn resolve_conflict(&self, id: String, path: String, value: FieldValue) -> Result<(), SotayError> {
        Ok(self.lock().resolve_conflict(&id, &path, value.into())?)
    }

    pub fn delete_record(&self, id: String, reason: String) -> Result<(), SotayError> {
        Ok(self.lock().delete_record(&id, &reason)?)
    }

    pub fn villages(&self, commune: Option<String>) -> Result<Vec<VillageRow>, SotayError> {
        Ok(self.lock().villages(commune.as_deref())?)
    }

    pub fn add_village(&self, commune: String, village: Village) -> Result<String, SotayError> {
        Ok(self.lock().add_village(&commune, village)?)
    }

    pub fn update_village(&self, id: String, village: Village) -> Result<(), SotayError> {
        Ok(self.lock().update_village(&id, village)?)
    }

    /// Pending changes, last sync, last error, documents the server refused.
    pub fn sync_status(&self) -> Result<SyncStatus, SotayError> {
        Ok(self.lock().sync_status()?)
    }

    /// Calls `listener` with the ids of documents that changed (saved here or received by sync),
    /// on a thread of its own, until the returned subscription is cancelled or dropped.
    pub fn subscribe(&self, listener: Arc<dyn StoreListener>) -> Arc<Subscription> {
        Subscription::start(self.observers.clone(), listener)
    }
}
