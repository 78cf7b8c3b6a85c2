//! A device: the core's store and sync engine, as on a phone.

use std::collections::BTreeMap;
use std::sync::Arc;

use sotay_core::record::RecordBody;
use sotay_core::store::{NewProfile, RecordFilter, Role, Store, StoreKey};
use sotay_core::sync::http::{SyncError, SyncReport, Transport, sync_store};
use sotay_core::time::SystemClock;

pub struct Device {
    pub store: Store,
    pub name: String,
    dir: tempfile::TempDir,
    key: StoreKey,
    pub transport: Option<Transport>,
}

impl Device {
    pub fn new(name: &str) -> Device {
        let dir = tempfile::tempdir().expect("temporary directory");
        let key = StoreKey::Raw([name.len() as u8; 32]);
        let store = Store::create(
            &dir.path().join("store.db"),
            &key,
            NewProfile {
                user_id: name.into(),
                display_name: name.into(),
                role: Role::CommuneOfficial,
                unit: crate::COMMUNE.into(),
            },
            Arc::new(SystemClock),
        )
        .expect("create store");
        Device { store, name: name.into(), dir, key, transport: None }
    }

    pub fn store_path(&self) -> std::path::PathBuf {
        self.dir.path().join("store.db")
    }

    /// Enrolls with `url` (the server, or a proxy in front of it) and syncs through it from then on.
    pub async fn enroll(&mut self, url: &str, code: &str) {
        let transport = Transport::new(url).expect("transport");
        let former = self.store.profile().device_id.clone();
        let enrollment = transport.enroll(code, &self.name, Some(&former)).await.expect("enroll");
        self.store.set_enrollment(&enrollment).expect("save enrollment");
        self.transport = Some(transport);
    }

    pub async fn sync(&mut self) -> Result<SyncReport, SyncError> {
        let transport = self.transport.as_ref().expect("enrolled");
        sync_store(&mut self.store, transport, true).await
    }

    /// Syncs the records only, as a phone on mobile data does: files attached here wait.
    pub async fn sync_holding_attachments(&mut self) -> Result<SyncReport, SyncError> {
        let transport = self.transport.as_ref().expect("enrolled");
        sync_store(&mut self.store, transport, false).await
    }

    /// The id the server gave this device when it enrolled.
    pub fn device_id(&self) -> String {
        self.store.enrollment().expect("enrollment").expect("enrolled").1
    }

    /// This device's token, for requests made by hand.
    pub fn token(&self) -> String {
        self.store.enrollment().expect("enrollment").expect("enrolled").2
    }

    /// Syncs until it succeeds (through faults), at most `tries` times.
    pub async fn sync_until_ok(&mut self, tries: usize) -> SyncReport {
        let mut last = None;
        for _ in 0..tries {
            match self.sync().await {
                Ok(r) => return r,
                Err(e) => last = Some(e),
            }
        }
        panic!("{} could not sync: {last:?}", self.name)
    }

    pub fn create(&mut self, unit: &str, body: RecordBody) -> String {
        self.store.create_record(unit, body).expect("create record")
    }

    /// Closes the store, copies its files to `to`, and opens it again.
    pub fn backup(self, to: &std::path::Path) -> Device {
        let Device { store, name, dir, key, transport } = self;
        drop(store);
        copy_store(dir.path(), to);
        let store = Store::open(&dir.path().join("store.db"), &key, Arc::new(SystemClock)).expect("reopen");
        Device { store, name, dir, key, transport }
    }

    /// Closes the store, replaces its files with those in `from`, and opens it again.
    pub fn restore(self, from: &std::path::Path) -> Device {
        let Device { store, name, dir, key, transport } = self;
        drop(store);
        for suffix in ["store.db", "store.db-wal", "store.db-shm"] {
            let _ = std::fs::remove_file(dir.path().join(suffix));
        }
        copy_store(from, dir.path());
        let store = Store::open(&dir.path().join("store.db"), &key, Arc::new(SystemClock)).expect("reopen");
        Device { store, name, dir, key, transport }
    }

    /// Document ids and heads.
    pub fn doc_heads(&self) -> BTreeMap<String, String> {
        self.store
            .document_ids()
            .expect("ids")
            .into_iter()
            .map(|id| {
                let heads = self.store.heads(&id).expect("heads");
                let mut hs: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
                hs.sort();
                (id, hs.join(","))
            })
            .collect()
    }

    /// Everything the device shows: index rows, conflicts, and each record.
    pub fn state(&self) -> String {
        let mut out = format!(
            "{:#?}\n{:#?}\n",
            self.store.index_rows().expect("index"),
            self.store.conflicts().expect("conflicts")
        );
        for id in self.store.document_ids().expect("ids") {
            if let Ok(v) = self.store.record(&id) {
                out.push_str(&format!("{:#?}\n", (v.body, v.deleted, v.conflicts)));
            }
        }
        let all = RecordFilter { include_deleted: true, limit: 100_000, ..Default::default() };
        out.push_str(&format!("{:#?}", self.store.list(&all).expect("list")));
        out
    }
}

fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("backup dir");
    for name in ["store.db", "store.db-wal", "store.db-shm"] {
        let src = from.join(name);
        if src.exists() {
            std::fs::copy(&src, to.join(name)).expect("copy store");
        }
    }
}

/// Two commune officials of the test commune, can.bo.a and can.bo.b, each with an enrolled
/// phone: the cast of most scenarios.
pub async fn two_commune_officials(server: &crate::TestServer) -> (Device, Device) {
    server.add_user("can.bo.a", "commune-official", crate::COMMUNE);
    server.add_user("can.bo.b", "commune-official", crate::COMMUNE);
    let mut a = Device::new("can.bo.a");
    a.enroll(&server.url, &server.code("can.bo.a")).await;
    let mut b = Device::new("can.bo.b");
    b.enroll(&server.url, &server.code("can.bo.b")).await;
    (a, b)
}
