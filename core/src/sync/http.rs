//! The HTTP transport of sync: a thin layer that carries the engine's bodies with reqwest
//! (rustls with the ring provider; no OpenSSL), and the loop that syncs a store until nothing is
//! left to send or receive.

use std::time::Duration;

use serde::Serialize;

use super::engine::Enrollment;
use super::protocol::{self, CONTENT_TYPE, DEFAULT_PAGE_BYTES, RepairResponse, SyncResponse, WireError};
use crate::error::CoreError;
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

    /// Exchanges a one-time code for this device's token.
    pub async fn enroll(&self, code: &str, device_name: &str) -> Result<Enrollment, SyncError> {
        let response = self
            .client
            .post(format!("{}/v1/enroll", self.base))
            .json(&serde_json::json!({"code": code, "device_name": device_name}))
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

/// A bound on round trips, against a server that keeps saying "more".
const MAX_ROUNDS: u32 = 100_000;
const MAX_REPAIR_ROUNDS: u32 = 50;

/// Syncs the store with its server until nothing is left to send or receive. Each response is
/// applied durably before the next request; an interruption loses nothing and repeats little.
pub async fn sync_store(store: &mut Store, transport: &Transport) -> Result<SyncReport, SyncError> {
    let result = sync_rounds(store, transport).await;
    if let Err(e) = &result {
        let _ = store.record_sync_error(&e.to_string());
    }
    result
}

async fn sync_rounds(store: &mut Store, transport: &Transport) -> Result<SyncReport, SyncError> {
    let (_, _, token) = store.enrollment()?.ok_or(CoreError::NotEnrolled)?;
    let mut report = SyncReport::default();
    if store.sync_status()?.repair_needed {
        repair(store, transport, &token, &mut report).await?;
    }
    for _ in 0..MAX_ROUNDS {
        let prepared = store.prepare_sync(DEFAULT_PAGE_BYTES)?;
        let body = prepared.body();
        report.bytes_sent += body.len() as u64;
        report.round_trips += 1;
        let bytes = match transport.post("/v1/sync", &token, body).await {
            Ok(b) => b,
            Err(SyncError::Refused { doc: Some(doc), message, .. }) if prepared.pushed_ids().any(|p| p == doc) => {
                // One document is refused; set it aside and sync the rest.
                store.reject_document(&doc, &message)?;
                report.rejected.push(doc);
                continue;
            }
            Err(e) => return Err(e),
        };
        report.bytes_received += bytes.len() as u64;
        let response: SyncResponse = protocol::decode(&bytes)?;
        let progress = store.complete_sync(&prepared, &response)?;
        report.pushed_changes += progress.pushed_changes as u64;
        report.received_changes += progress.received_changes as u64;
        report.received_docs += progress.received_docs as u64;
        if progress.repair {
            repair(store, transport, &token, &mut report).await?;
            continue;
        }
        if !progress.more {
            return Ok(report);
        }
    }
    Ok(report)
}

async fn repair(
    store: &mut Store,
    transport: &Transport,
    token: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    report.repaired = true;
    let (mut session, mut request) = store.start_repair()?;
    for _ in 0..MAX_REPAIR_ROUNDS {
        let body = protocol::encode(&request);
        report.bytes_sent += body.len() as u64;
        report.round_trips += 1;
        let bytes = transport.post("/v1/repair", token, body).await?;
        report.bytes_received += bytes.len() as u64;
        let response: RepairResponse = protocol::decode(&bytes)?;
        match store.continue_repair(&mut session, &response)? {
            Some(next) => request = next,
            None => return Ok(()),
        }
    }
    Ok(())
}
