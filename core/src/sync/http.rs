//! The HTTP transport of sync: a thin layer that carries the engine's bodies with reqwest
//! (rustls with the ring provider; no OpenSSL), and the loop that syncs a store until nothing is
//! left to send or receive.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use super::engine::{Enrollment, RepairSession};
use super::protocol::{self, CONTENT_TYPE, DEFAULT_PAGE_BYTES, RepairRequest, RepairResponse, SyncResponse, WireError};
use crate::error::CoreError;
use crate::record::attachment::MAX_ATTACHMENT_BYTES;
use crate::store::{Role, Store};

/// Why a sync did not complete. What was applied before stays applied.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("không kết nối được máy chủ / cannot reach the server: {0}")]
    Network(String),
    #[error(
        "máy chủ từ chối thiết bị (mã thông báo sai hoặc đã bị thu hồi) / the server refused this device (wrong or revoked token)"
    )]
    Unauthorized,
    #[error("mã đăng ký không đúng, đã dùng hoặc hết hạn / the enrollment code is wrong, used or expired")]
    BadCode,
    #[error("máy chủ từ chối ({status}): {message} / the server refused ({status}): {message}")]
    Refused { status: u16, code: String, message: String, doc: Option<String> },
    #[error("máy chủ gặp lỗi ({0}) / server error ({0})")]
    Server(u16),
    #[error("phản hồi của máy chủ không đọc được / unreadable server response: {0}")]
    Protocol(#[from] WireError),
    #[error(transparent)]
    Store(#[from] CoreError),
    #[error("đã hủy đồng bộ / sync cancelled")]
    Cancelled,
}

/// What a sync moved, on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub round_trips: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub pushed_changes: u64,
    pub received_changes: u64,
    pub received_docs: u64,
    pub repaired: bool,
    /// Documents the server refused in this sync (set aside).
    pub rejected: Vec<String>,
    /// Files attached here and sent, and files of others' records received.
    pub attachments_sent: u64,
    pub attachments_received: u64,
}

pub struct Transport {
    client: reqwest::Client,
    base: String,
}

impl Transport {
    pub fn new(base_url: &str) -> Result<Transport, SyncError> {
        Self::build(base_url, None)
    }

    /// Trusts an extra root certificate (PEM): a server with its own certificate authority.
    pub fn with_root_certificate(base_url: &str, pem: &[u8]) -> Result<Transport, SyncError> {
        Self::build(base_url, Some(pem))
    }

    fn build(base_url: &str, pem: Option<&[u8]>) -> Result<Transport, SyncError> {
        // Several transports may race to install it; the first one wins, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("sotay/", env!("CARGO_PKG_VERSION")));
        // Elsewhere the platform's verifier (iOS and macOS Security, the system's roots on Linux);
        // on Android that verifier needs a JVM context handed over at start, so the phone trusts
        // the bundled Mozilla roots, and the server's own authority when one is given.
        #[cfg(any(target_os = "android", feature = "bundled-roots"))]
        {
            let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .filter_map(|c| reqwest::Certificate::from_der(c.as_ref()).ok());
            builder = builder.tls_certs_only(roots);
        }
        if let Some(pem) = pem {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| SyncError::Network(e.to_string()))?;
            builder = builder.add_root_certificate(cert);
        }
        let client = builder.build().map_err(|e| SyncError::Network(e.to_string()))?;
        Ok(Transport { client, base: base_url.trim_end_matches('/').to_string() })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn network(e: reqwest::Error) -> SyncError {
        // The URL is the server's, not personal; the error text carries it and the cause.
        SyncError::Network(e.without_url().to_string())
    }

    async fn refusal(response: reqwest::Response) -> SyncError {
        let status = response.status().as_u16();
        if status == 401 {
            return SyncError::Unauthorized;
        }
        if status >= 500 {
            return SyncError::Server(status);
        }
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let e = &body["error"];
        SyncError::Refused {
            status,
            code: e["code"].as_str().unwrap_or("refused").to_string(),
            message: e["message"].as_str().unwrap_or("").to_string(),
            doc: e["doc"].as_str().map(str::to_string),
        }
    }

    /// Exchanges a one-time code for this device's token. `former_id` is the device id an
    /// existing store wrote its records under before it enrolled: the server then accepts those
    /// changes as this device's.
    pub async fn enroll(
        &self,
        code: &str,
        device_name: &str,
        former_id: Option<&str>,
    ) -> Result<Enrollment, SyncError> {
        let response = self
            .client
            .post(format!("{}/v1/enroll", self.base))
            // The system and this core's version, for the server's list of devices.
            .json(&serde_json::json!({
                "code": code,
                "device_name": device_name,
                "former_id": former_id,
                "platform": std::env::consts::OS,
                "app_version": env!("CARGO_PKG_VERSION"),
            }))
            .send()
            .await
            .map_err(Self::network)?;
        if response.status().as_u16() == 401 {
            return Err(SyncError::BadCode);
        }
        if !response.status().is_success() {
            return Err(Self::refusal(response).await);
        }
        let v: serde_json::Value = response.json().await.map_err(Self::network)?;
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let role = Role::from_code(&text("role")).ok_or(SyncError::Protocol(WireError::Malformed))?;
        Ok(Enrollment {
            server_url: self.base.clone(),
            device_id: text("device_id"),
            token: text("token"),
            login: text("login"),
            display_name: text("display_name"),
            role,
            unit: text("unit"),
        })
    }

    /// Posts a sync body to `path` and returns the response body. A request that could not be
    /// sent at all (a pooled connection the server has closed) is tried once more: the protocol
    /// is idempotent.
    pub async fn post(&self, path: &str, token: &str, body: Vec<u8>) -> Result<Vec<u8>, SyncError> {
        let send = || {
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                .body(body.clone())
                .send()
        };
        let response = match send().await {
            Err(e) if e.is_connect() || e.is_request() => send().await,
            other => other,
        }
        .map_err(Self::network)?;
        if !response.status().is_success() {
            return Err(Self::refusal(response).await);
        }
        Ok(response.bytes().await.map_err(Self::network)?.to_vec())
    }
}

impl Transport {
    /// Sends a file attached here; the server keeps it only if it is the file `sha256` names and a
    /// record this device may write refers to it.
    pub async fn put_attachment(
        &self,
        token: &str,
        sha256: &str,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<(), SyncError> {
        let response = self
            .client
            .put(format!("{}/v1/attachments/{sha256}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, media_type)
            .timeout(ATTACHMENT_TIMEOUT)
            .body(data)
            .send()
            .await
            .map_err(Self::network)?;
        if !response.status().is_success() {
            return Err(Self::refusal(response).await);
        }
        Ok(())
    }

    /// Fetches a file a record here refers to; `None` when the server does not have it yet (the
    /// phone that attached it has not sent it).
    pub async fn get_attachment(&self, token: &str, sha256: &str) -> Result<Option<Vec<u8>>, SyncError> {
        let mut response = self
            .client
            .get(format!("{}/v1/attachments/{sha256}", self.base))
            .bearer_auth(token)
            .timeout(ATTACHMENT_TIMEOUT)
            .send()
            .await
            .map_err(Self::network)?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(Self::refusal(response).await);
        }
        // Read no more than a file may hold, whatever the server says.
        let mut data = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Self::network)? {
            if (data.len() + chunk.len()) as u64 > MAX_ATTACHMENT_BYTES {
                return Err(SyncError::Protocol(WireError::Malformed));
            }
            data.extend_from_slice(&chunk);
        }
        Ok(Some(data))
    }
}

/// A file of 10 MiB takes minutes on a slow link.
const ATTACHMENT_TIMEOUT: Duration = Duration::from_secs(900);

/// A bound on round trips, against a server that keeps saying "more".
const MAX_ROUNDS: u32 = 100_000;
/// Rounds of one repair: each answers what is left to say and sends a page of the documents the
/// device lacks, so a large scope takes a round per page.
const MAX_REPAIR_ROUNDS: u32 = 10_000;

/// Told how a sync advances, after each round trip.
pub trait SyncObserver: Send + Sync {
    fn progress(&self, report: &SyncReport);
}

/// Watches nothing.
pub struct Unobserved;

impl SyncObserver for Unobserved {
    fn progress(&self, _: &SyncReport) {}
}

/// Asks a running sync to stop. A request in flight is abandoned (the protocol is idempotent:
/// what the server already stored, it acknowledges next time); what was applied stays applied.
#[derive(Default)]
pub struct Cancel {
    cancelled: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub fn cancel(&self) {
        self.cancelled.store(true, std::sync::atomic::Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs `work` unless cancelled first.
    async fn or_cancelled<T>(&self, work: impl Future<Output = Result<T, SyncError>>) -> Result<T, SyncError> {
        if self.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        tokio::select! {
            r = work => r,
            _ = self.notify.notified() => Err(SyncError::Cancelled),
        }
    }
}

/// Syncs a store the caller holds exclusively until nothing is left to send or receive; files
/// too when `with_attachments`.
pub async fn sync_store(
    store: &mut Store,
    transport: &Transport,
    with_attachments: bool,
) -> Result<SyncReport, SyncError> {
    let lock = tokio::sync::Mutex::new(store);
    let access = || async { tokio::sync::MutexGuard::map(lock.lock().await, |s| &mut **s) };
    sync_with(access, transport, &Unobserved, &Cancel::default(), with_attachments).await
}

/// Syncs the store that `lock` gives access to, until nothing is left to send or receive. The
/// store is locked only to build a request and to apply a response, never while waiting on the
/// network, so the app keeps reading and writing during a long sync. Each response is applied
/// durably before the next request: an interruption loses nothing and repeats little. Files
/// attached to records move after the records, and only `with_attachments` (the sync policy's
/// answer: unmetered network, or the user allowed mobile data).
pub async fn sync_with<L, F, G>(
    lock: L,
    transport: &Transport,
    observer: &dyn SyncObserver,
    cancel: &Cancel,
    with_attachments: bool,
) -> Result<SyncReport, SyncError>
where
    L: Fn() -> F,
    F: Future<Output = G>,
    G: std::ops::DerefMut<Target = Store>,
{
    let result = async {
        let token = {
            let store = lock().await;
            store.enrollment()?.ok_or(CoreError::NotEnrolled)?.2
        };
        let mut report = sync_rounds(&lock, transport, &token, observer, cancel).await?;
        if with_attachments {
            move_attachments(&lock, transport, &token, &mut report, observer, cancel).await?;
        }
        Ok::<_, SyncError>(report)
    }
    .await;
    if let Err(e) = &result {
        let _ = lock().await.record_sync_error(&e.to_string());
    }
    result
}

async fn sync_rounds<L, F, G>(
    lock: &L,
    transport: &Transport,
    token: &str,
    observer: &dyn SyncObserver,
    cancel: &Cancel,
) -> Result<SyncReport, SyncError>
where
    L: Fn() -> F,
    F: Future<Output = G>,
    G: std::ops::DerefMut<Target = Store>,
{
    let repair_needed = lock().await.sync_status()?.repair_needed;
    let mut report = SyncReport::default();
    if repair_needed {
        repair(lock, transport, token, &mut report, cancel).await?;
    }
    for _ in 0..MAX_ROUNDS {
        let prepared = lock().await.prepare_sync(DEFAULT_PAGE_BYTES)?;
        let body = prepared.body();
        report.bytes_sent += body.len() as u64;
        report.round_trips += 1;
        let bytes = match cancel.or_cancelled(transport.post("/v1/sync", token, body)).await {
            Ok(b) => b,
            Err(SyncError::Refused { doc: Some(doc), message, .. }) if prepared.pushed_ids().any(|p| p == doc) => {
                // One document is refused; set it aside and sync the rest.
                lock().await.reject_document(&doc, &message)?;
                report.rejected.push(doc);
                continue;
            }
            Err(e) => return Err(e),
        };
        report.bytes_received += bytes.len() as u64;
        let response: SyncResponse = protocol::decode(&bytes)?;
        let progress = lock().await.complete_sync(&prepared, &response)?;
        report.pushed_changes += progress.pushed_changes as u64;
        report.received_changes += progress.received_changes as u64;
        report.received_docs += progress.received_docs as u64;
        observer.progress(&report);
        if progress.repair {
            repair(lock, transport, token, &mut report, cancel).await?;
            continue;
        }
        if !progress.more {
            break;
        }
    }
    let awaiting = lock().await.start_awaiting_repair()?;
    if let Some(started) = awaiting {
        repair_rounds(lock, transport, token, &mut report, cancel, started).await?;
    }
    Ok(report)
}

/// Sends the files attached here, then fetches those the records here refer to. A file the
/// server refuses is marked and not sent again unless attached anew; one it does not have yet is
/// fetched next time.
async fn move_attachments<L, F, G>(
    lock: &L,
    transport: &Transport,
    token: &str,
    report: &mut SyncReport,
    observer: &dyn SyncObserver,
    cancel: &Cancel,
) -> Result<(), SyncError>
where
    L: Fn() -> F,
    F: Future<Output = G>,
    G: std::ops::DerefMut<Target = Store>,
{
    let to_send = {
        let mut store = lock().await;
        store.forget_unreferenced_attachments()?;
        store.attachments_to_send()?
    };
    for (sha256, media_type) in to_send {
        let Some(data) = lock().await.attachment(&sha256)? else { continue };
        let size = data.len() as u64;
        match cancel.or_cancelled(transport.put_attachment(token, &sha256, &media_type, data)).await {
            Ok(()) => {
                lock().await.mark_attachment_sent(&sha256)?;
                report.attachments_sent += 1;
                report.bytes_sent += size;
                observer.progress(report);
            }
            // Refused for good (its case set aside, a file the server will not take): not sent
            // again on every sync.
            Err(SyncError::Refused { .. }) => lock().await.mark_attachment_refused(&sha256)?,
            Err(e) => return Err(e),
        }
    }
    let to_fetch = lock().await.attachments_to_fetch()?;
    for reference in to_fetch {
        match cancel.or_cancelled(transport.get_attachment(token, &reference.sha256)).await {
            Ok(Some(data)) => {
                let size = data.len() as u64;
                if lock().await.store_fetched_attachment(&reference, &data)? {
                    report.attachments_received += 1;
                    report.bytes_received += size;
                    observer.progress(report);
                }
            }
            Ok(None) | Err(SyncError::Refused { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn repair<L, F, G>(
    lock: &L,
    transport: &Transport,
    token: &str,
    report: &mut SyncReport,
    cancel: &Cancel,
) -> Result<(), SyncError>
where
    L: Fn() -> F,
    F: Future<Output = G>,
    G: std::ops::DerefMut<Target = Store>,
{
    let started = lock().await.start_repair()?;
    repair_rounds(lock, transport, token, report, cancel, started).await
}

async fn repair_rounds<L, F, G>(
    lock: &L,
    transport: &Transport,
    token: &str,
    report: &mut SyncReport,
    cancel: &Cancel,
    (mut session, mut request): (RepairSession, RepairRequest),
) -> Result<(), SyncError>
where
    L: Fn() -> F,
    F: Future<Output = G>,
    G: std::ops::DerefMut<Target = Store>,
{
    report.repaired = true;
    for _ in 0..MAX_REPAIR_ROUNDS {
        let body = protocol::encode(&request);
        report.bytes_sent += body.len() as u64;
        report.round_trips += 1;
        let bytes = cancel.or_cancelled(transport.post("/v1/repair", token, body)).await?;
        report.bytes_received += bytes.len() as u64;
        let response: RepairResponse = protocol::decode(&bytes)?;
        match lock().await.continue_repair(&mut session, &response)? {
            Some(next) => request = next,
            None => return Ok(()),
        }
    }
    Ok(())
}
