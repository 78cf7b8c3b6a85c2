//! The HTTP routes: `POST /v1/enroll` (JSON), `POST /v1/sync` and `POST /v1/repair` (sync
//! bodies), `PUT` and `GET /v1/attachments/{sha256}` (files attached to records), `GET /healthz`,
//! `GET /metrics`. Errors are JSON with a code and a bilingual message.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::json;
use sotay_core::sync::protocol::{
    self, CONTENT_TYPE, MAX_BODY_BYTES, MAX_PAGE_BYTES, RepairRequest, SyncRequest, SyncResponse, WireError,
};

use crate::accounts::{self, AccountError, DeviceAuth};
use crate::attachments::{self, AttachmentError};
use crate::db::DocCache;
use crate::ingest::{self, IngestError};
use crate::metrics::Metrics;
use crate::worker::{DbWorker, Deliver, Job};
use crate::{feed, now_ms, repair};
use sotay_core::record::attachment::MAX_ATTACHMENT_BYTES;

#[derive(Clone)]
pub struct AppState {
    pub db: DbWorker,
    pub metrics: Arc<Metrics>,
    pub enroll_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Take the client's address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
}

impl AppState {
    pub fn new(conn: Connection, trust_forwarded_for: bool, enrollments_per_minute: u32) -> std::io::Result<AppState> {
        let quota = Quota::per_minute(NonZeroU32::new(enrollments_per_minute).unwrap_or(NonZeroU32::MIN));
        Ok(AppState {
            db: DbWorker::start(conn, 4096)?,
            metrics: Arc::new(Metrics::default()),
            enroll_limiter: Arc::new(RateLimiter::keyed(quota)),
            trust_forwarded_for,
        })
    }
}

/// An error as the client sees it.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub doc: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl ToString) -> Self {
        ApiError { status, code, message: message.to_string(), doc: None }
    }

    fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "thiết bị chưa đăng ký, mã thông báo sai hoặc đã bị thu hồi / unknown, wrong or revoked device token",
        )
    }

    fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "lỗi máy chủ / server error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "doc": self.doc}});
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        let (status, code) = match e {
            WireError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            WireError::UnsupportedVersion { .. } => (StatusCode::BAD_REQUEST, "unsupported_version"),
            WireError::NotSync | WireError::Malformed => (StatusCode::BAD_REQUEST, "malformed"),
        };
        ApiError::new(status, code, e)
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        let (status, code) = match &e {
            IngestError::OutOfScope { .. } | IngestError::ForgedAuthor { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            IngestError::ChangeTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            IngestError::BadId | IngestError::BadChange { .. } => (StatusCode::BAD_REQUEST, "malformed"),
            IngestError::MissingDependencies { .. } => (StatusCode::CONFLICT, "missing_dependencies"),
            IngestError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_document"),
            IngestError::Storage(_) => return ApiError::internal(e),
        };
        ApiError { status, code, doc: e.doc().map(str::to_string), message: e.to_string() }
    }
}

impl From<AttachmentError> for ApiError {
    fn from(e: AttachmentError) -> Self {
        let (status, code) = match &e {
            AttachmentError::BadHash => (StatusCode::BAD_REQUEST, "malformed"),
            AttachmentError::MediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "media_type"),
            AttachmentError::Size => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            AttachmentError::HashMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch"),
            AttachmentError::NotYours => (StatusCode::FORBIDDEN, "forbidden"),
            AttachmentError::Storage(_) => return ApiError::internal(e),
        };
        ApiError::new(status, code, e)
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::BadCode => ApiError::new(StatusCode::UNAUTHORIZED, "bad_code", e),
            AccountError::Sql(_) | AccountError::Random => ApiError::internal(e),
            _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .route("/v1/repair", post(repair))
        .route("/v1/attachments/{sha256}", put(put_attachment).get(get_attachment))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Runs database work on the database worker, inside the group's transaction; answers once
/// the group has committed.
async fn with_db<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Connection, &mut DocCache) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, ApiError>>();
    let job: Job = Box::new(move |conn, cache| {
        let result = work(conn, cache);
        let keep = result.is_ok();
        let deliver: Deliver = Box::new(move |committed| {
            let _ = tx.send(match committed {
                Ok(()) => result,
                Err(e) => Err(ApiError::internal(e)),
            });
        });
        (keep, deliver)
    });
    state.db.submit(job).map_err(ApiError::internal)?;
    rx.await.map_err(ApiError::internal)?
}

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() < 200)
        .ok_or_else(ApiError::unauthorized)
}

fn authenticate(conn: &Connection, token: &str) -> Result<DeviceAuth, ApiError> {
    accounts::authenticate(conn, token)?.ok_or_else(ApiError::unauthorized)
}

fn sync_body(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], bytes).into_response()
}

fn record(state: &AppState, route: &'static str, result: &Result<Response, ApiError>) {
    let status = match result {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.status.as_u16(),
    };
    state.metrics.count(route, status);
}

#[derive(Deserialize)]
struct EnrollBody {
    code: String,
    #[serde(default)]
    device_name: String,
}

/// The client's address: the peer's, or behind a trusted proxy the last entry of
/// `X-Forwarded-For`: the one the proxy appended. Earlier entries are whatever the client sent,
/// and trusting them would let a client pick a fresh address, and a fresh rate limit, per request.
pub(crate) fn client_ip(trust_forwarded_for: bool, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).next_back();
        if let Some(ip) = forwarded.and_then(|v| v.rsplit(',').next()).and_then(|s| s.trim().parse().ok()) {
            return ip;
        }
    }
    peer.ip()
}

async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ip = client_ip(state.trust_forwarded_for, &headers, peer);
    let result: Result<Response, ApiError> = async {
        state.enroll_limiter.retain_recent();
        if state.enroll_limiter.check_key(&ip).is_err() {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "quá nhiều lần thử đăng ký, hãy đợi một phút / too many enrollment attempts, wait a minute",
            ));
        }
        let req: EnrollBody = serde_json::from_slice(&body).map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed", "cần {\"code\": ...} / expected {\"code\": ...}")
        })?;
        let enrolled =
            with_db(&state, move |conn, _| Ok(accounts::enroll(conn, &req.code, &req.device_name, now_ms())?)).await?;
        tracing::info!(route = "enroll", device = %enrolled.device_id, "device enrolled");
        let body = json!({
            "device_id": enrolled.device_id,
            "token": enrolled.token,
            "login": enrolled.user.login,
            "display_name": enrolled.user.display_name,
            "role": enrolled.user.role.code(),
            "unit": enrolled.user.unit,
        });
        Ok(([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response())
    }
    .await;
    record(&state, "enroll", &result);
    result
}

async fn sync(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let started = Instant::now();
    let bytes_in = body.len();
    let metrics = state.metrics.clone();
    let result: Result<Response, ApiError> = async {
        let token = bearer(&headers)?;
        let (response, device, pushed, entries) = with_db(&state, move |conn, cache| {
            let device = authenticate(conn, &token)?;
            let req: SyncRequest = protocol::decode(&body)?;
            let now = now_ms();
            if !feed::knows(conn, req.cursor)? || req.cursor.seq < device.confirmed_cursor {
                // The server was restored from a backup (the cursor is past its feed), or the device
                // was (it went back before a cursor it had confirmed): reconcile document by
                // document first.
                let r =
                    SyncResponse { server_time: now, entries: vec![], cursor: req.cursor, more: false, repair: true };
                return Ok((protocol::encode(&r), device.device_id, 0, 0));
            }
            let staged = ingest::stage_push(conn, cache, &device, &req.pushes)?;
            let pushed: usize = staged.iter().map(|s| s.new_changes.len()).sum();
            // The pushed documents, their feed entries and the device's cursors commit together,
            // with whatever else the worker's group holds.
            ingest::write(conn, cache, &device.device_id, staged, now)?;
            let page = req.max_response_bytes.clamp(16 * 1024, MAX_PAGE_BYTES);
            // Behind the cursor it was last given: the device lost that response, or was restored
            // to just before it. Either way its own changes since are sent back too.
            let echo_own = req.cursor.seq < device.issued_cursor;
            let (entries, cursor, more) = feed::pull(conn, &device, req.cursor, page, echo_own)?;
            accounts::record_cursors(conn, &device.device_id, req.cursor.seq, cursor.seq, now)?;
            let n = entries.len();
            let r = SyncResponse { server_time: now, entries, cursor, more, repair: false };
            Ok((protocol::encode(&r), device.device_id, pushed, n))
        })
        .await?;
        metrics.changes_in.inc_by(pushed as u64);
        metrics.entries_out.inc_by(entries as u64);
        metrics.bytes_in.inc_by(bytes_in as u64);
        metrics.bytes_out.inc_by(response.len() as u64);
        tracing::info!(
            route = "sync", device = %device, changes_in = pushed, entries_out = entries, bytes_in,
            bytes_out = response.len(), ms = started.elapsed().as_secs_f64() * 1000.0, "sync"
        );
        Ok(sync_body(response))
    }
    .await;
    if let Err(e) = &result {
        tracing::info!(route = "sync", status = e.status.as_u16(), code = e.code, "sync refused");
    }
    metrics.sync_seconds.observe(started.elapsed().as_secs_f64());
    record(&state, "sync", &result);
    result
}

async fn repair(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let started = Instant::now();
    let result: Result<Response, ApiError> = async {
        let token = bearer(&headers)?;
        let response = with_db(&state, move |conn, cache| {
            let device = authenticate(conn, &token)?;
            let req: RepairRequest = protocol::decode(&body)?;
            let r = repair::repair(conn, cache, &device, &req, now_ms())?;
            tracing::info!(route = "repair", device = %device.device_id, docs = r.docs.len(), missing = r.missing.len(), "repair round");
            Ok(protocol::encode(&r))
        })
        .await?;
        Ok(sync_body(response))
    }
    .await;
    state.metrics.sync_seconds.observe(started.elapsed().as_secs_f64());
    record(&state, "repair", &result);
    result
}

async fn put_attachment(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let result: Result<Response, ApiError> = async {
        let token = bearer(&headers)?;
        // Refused on what is announced, before a byte of the body is read: a phone on a slow link
        // is not made to send 10 MiB to hear no, nor is anyone without a device token.
        let announced =
            headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_ATTACHMENT_BYTES) {
            return Err(AttachmentError::Size.into());
        }
        let media_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        {
            let (token, sha256, media_type) = (token.clone(), sha256.clone(), media_type.clone());
            with_db(&state, move |conn, _| {
                let device = authenticate(conn, &token)?;
                Ok(attachments::may_send(conn, &device, &sha256, &media_type)?)
            })
            .await?;
        }
        let body = axum::body::to_bytes(body, MAX_ATTACHMENT_BYTES as usize)
            .await
            .map_err(|_| ApiError::from(AttachmentError::Size))?;
        // Hashing up to 10 MiB is kept off the database thread and the async workers.
        let checked = {
            let (sha256, media_type, body) = (sha256.clone(), media_type.clone(), body.clone());
            tokio::task::spawn_blocking(move || attachments::check_upload(&sha256, &media_type, &body))
                .await
                .map_err(ApiError::internal)?
        };
        checked?;
        let size = body.len();
        let (device, added) = with_db(&state, move |conn, _| {
            let device = authenticate(conn, &token)?;
            let added = attachments::store(conn, &device, &sha256, &media_type, &body, now_ms())?;
            Ok((device.device_id, added))
        })
        .await?;
        state.metrics.bytes_in.inc_by(size as u64);
        tracing::info!(route = "attachment_put", device = %device, bytes = size, new = added, "attachment received");
        Ok(StatusCode::NO_CONTENT.into_response())
    }
    .await;
    record(&state, "attachment_put", &result);
    result
}

async fn get_attachment(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let result: Result<Response, ApiError> = async {
        let token = bearer(&headers)?;
        let found = with_db(&state, move |conn, _| {
            let device = authenticate(conn, &token)?;
            Ok(attachments::load(conn, &device, &sha256)?)
        })
        .await?;
        let Some((media_type, data)) = found else {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "không có tệp này / no such file"));
        };
        state.metrics.bytes_out.inc_by(data.len() as u64);
        Ok((
            [
                (header::CONTENT_TYPE, media_type),
                (header::CACHE_CONTROL, "no-store".to_string()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (header::CONTENT_DISPOSITION, "attachment".to_string()),
            ],
            data,
        )
            .into_response())
    }
    .await;
    record(&state, "attachment_get", &result);
    result
}

async fn healthz(State(state): State<AppState>) -> Result<Response, ApiError> {
    let result = with_db(&state, |conn, _| {
        conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map_err(ApiError::internal)?;
        Ok("ok\n".into_response())
    })
    .await;
    record(&state, "healthz", &result);
    result
}

async fn metrics(State(state): State<AppState>) -> Response {
    state.metrics.count("metrics", 200);
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.render())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behind_a_proxy_the_client_is_the_address_the_proxy_appended() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().expect("an address");
        let mut headers = HeaderMap::new();
        // The client wrote the first entry itself; the proxy appended the last.
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.7".parse().expect("a header"));
        assert_eq!(client_ip(true, &headers, peer), "203.0.113.7".parse::<IpAddr>().expect("an address"));
        assert_eq!(client_ip(false, &headers, peer), peer.ip(), "not trusted unless configured");
        headers.insert("x-forwarded-for", "not an address".parse().expect("a header"));
        assert_eq!(client_ip(true, &headers, peer), peer.ip());
    }
}
