//! The HTTP routes: `POST /v1/enroll` (JSON), `POST /v1/sync` and `POST /v1/repair` (sync
//! bodies), `PUT` and `GET /v1/attachments/{sha256}` (files attached to records), `GET /healthz`,
//! `GET /metrics`. Errors are JSON with a code and a bilingual message.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::json;
use sotay_core::sync::protocol::{
    self, CONTENT_TYPE, MAX_BODY_BYTES, MAX_PAGE_BYTES, RepairRequest, RepairResponse, SyncRequest, SyncResponse,
    WireError,
};

use crate::accounts::{self, AccountError, DeviceAuth};
use crate::attachments::{self, AttachmentError};
use crate::db::DocCache;
use crate::ingest::{self, IngestError, Pusher, Staged};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::postgres::{self as pg, PgSession};
use crate::untrusted::{PoolError, UntrustedPool};
use crate::worker::{DbWorker, Deliver, Job};
use crate::{feed, now_ms, repair};
use sotay_core::record::attachment::MAX_ATTACHMENT_BYTES;

/// Where the routes' storage work runs.
#[derive(Clone)]
pub enum Backend {
    /// The embedded database: one writer thread committing in groups, read-only connections on
    /// the untrusted pool.
    Sqlite { db: DbWorker, pool: UntrustedPool<Connection> },
    /// PostgreSQL, shared by several instances: sessions on the untrusted pool, each request's
    /// writes one transaction of its own (`postgres::push`).
    Postgres { pool: UntrustedPool<PgSession> },
}

#[derive(Clone)]
pub struct AppState {
    pub backend: Backend,
    pub cache: Arc<DocCache>,
    pub limits: Arc<Limits>,
    pub metrics: Arc<Metrics>,
    pub enroll_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    device_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
    /// Take the client's address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// `/metrics` answers this bearer token, or else only clients on this machine.
    pub metrics_token: Option<String>,
    code_key: accounts::CodeKey,
}

/// Requests one device may have in flight at once: one device holds at most this many of the
/// pool's threads, whatever it sends.
const PER_DEVICE_IN_FLIGHT: usize = 2;
/// Stagings tried when other requests keep writing the same documents meanwhile.
const STAGE_ATTEMPTS: usize = 3;

/// What every instance is configured with, whatever its database.
pub struct Settings {
    pub limits: Limits,
    pub trust_forwarded_for: bool,
    pub enrollments_per_minute: u32,
    pub metrics_token: Option<String>,
}

impl AppState {
    /// Over the embedded database `db`, whose writer connection is `conn`.
    pub fn new(db: &crate::db::Database, conn: Connection, settings: Settings) -> std::io::Result<AppState> {
        let pool = UntrustedPool::over_sqlite(db.clone(), settings.limits.pool_threads, settings.limits.pool_queue)?;
        let backend = Backend::Sqlite { db: DbWorker::start(conn)?, pool };
        Ok(AppState::with(backend, accounts::CodeKey::load_or_create(db.dir())?, settings))
    }

    /// Over PostgreSQL at `url`, already migrated; the code secret is the database's.
    pub fn on_postgres(url: &str, code_key: accounts::CodeKey, settings: Settings) -> std::io::Result<AppState> {
        let url = url.to_string();
        let open: crate::untrusted::Open<PgSession> = Arc::new(move || Ok(PgSession::new(&url)));
        let pool = UntrustedPool::start(open, settings.limits.postgres_sessions, settings.limits.pool_queue)?;
        Ok(AppState::with(Backend::Postgres { pool }, code_key, settings))
    }

    fn with(backend: Backend, code_key: accounts::CodeKey, settings: Settings) -> AppState {
        let Settings { limits, trust_forwarded_for, enrollments_per_minute, metrics_token } = settings;
        let quota = Quota::per_minute(NonZeroU32::new(enrollments_per_minute).unwrap_or(NonZeroU32::MIN));
        let per_device =
            Quota::per_minute(NonZeroU32::new(limits.device_requests_per_minute).unwrap_or(NonZeroU32::MIN));
        AppState {
            backend,
            cache: Arc::new(DocCache::new(limits.cache_bytes)),
            limits: Arc::new(limits),
            metrics: Arc::new(Metrics::default()),
            enroll_limiter: Arc::new(RateLimiter::keyed(quota)),
            device_limiter: Arc::new(RateLimiter::keyed(per_device)),
            in_flight: Arc::new(Mutex::new(HashMap::new())),
            trust_forwarded_for,
            metrics_token,
            code_key,
        }
    }

    fn panics(&self) -> u64 {
        let pool = match &self.backend {
            Backend::Sqlite { pool, .. } => &pool.panics,
            Backend::Postgres { pool } => &pool.panics,
        };
        pool.load(std::sync::atomic::Ordering::Relaxed)
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

    /// A route the PostgreSQL backend does not serve yet (issue 12).
    fn not_on_postgres() -> Self {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_on_postgres",
            "máy chủ chạy trên PostgreSQL chưa hỗ trợ việc này / a server on PostgreSQL does not do this yet",
        )
    }

    fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "thiết bị gửi quá nhiều yêu cầu, hãy đợi một lát / too many requests from this device, wait a moment",
        )
    }

    fn body_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "thân yêu cầu đến quá chậm / the request body arrived too slowly",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "doc": self.doc}});
        let mut response =
            (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
        if matches!(self.status, StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS) {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
        }
        response
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

impl From<PoolError> for ApiError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Busy => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e),
            PoolError::Panicked => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", e),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        let (status, code) = match &e {
            IngestError::OutOfScope { .. } | IngestError::ForgedAuthor { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            IngestError::IdentityBinding { .. } => (StatusCode::FORBIDDEN, "identity_binding"),
            IngestError::ChangeTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            IngestError::DocumentTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "document_too_large"),
            IngestError::TooMany { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_many"),
            IngestError::QuotaExceeded { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded"),
            IngestError::TooDeep { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "too_deep"),
            IngestError::Unprocessable { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            IngestError::BadId | IngestError::BadChange { .. } | IngestError::Duplicate { .. } => {
                (StatusCode::BAD_REQUEST, "malformed")
            }
            IngestError::MissingDependencies { .. } => (StatusCode::CONFLICT, "missing_dependencies"),
            IngestError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_document"),
            // The server's own trouble: the device keeps its changes and tries again later.
            IngestError::Damaged { .. } => (StatusCode::SERVICE_UNAVAILABLE, "damaged"),
            IngestError::Concurrent { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
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
            AttachmentError::Quota { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded"),
            AttachmentError::Storage(_) => return ApiError::internal(e),
        };
        ApiError::new(status, code, e)
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::BadCode => ApiError::new(StatusCode::UNAUTHORIZED, "bad_code", e),
            AccountError::UnitNotInForce => ApiError::new(StatusCode::FORBIDDEN, "unit_not_in_force", e),
            AccountError::Sql(_) | AccountError::Storage(_) | AccountError::Random => ApiError::internal(e),
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
        .route("/livez", get(livez))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Runs database work on the database worker, inside the group's transaction; answers once
/// the group has committed.
async fn with_db<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, ApiError>>();
    let job: Job = Box::new(move |conn| {
        let result = work(conn);
        let keep = result.is_ok();
        let deliver: Deliver = Box::new(move |committed| {
            let _ = tx.send(match committed {
                Ok(()) => result,
                Err(e) => Err(ApiError::internal(e)),
            });
        });
        (keep, deliver)
    });
    let Backend::Sqlite { db, .. } = &state.backend else { return Err(ApiError::not_on_postgres()) };
    db.submit(job).map_err(ApiError::internal)?;
    rx.await.map_err(ApiError::internal)?
}

/// Runs work on what a device sent on the untrusted pool, over a reader of the embedded database.
async fn on_pool<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    let Backend::Sqlite { pool, .. } = &state.backend else { return Err(ApiError::not_on_postgres()) };
    let result = pool.run(move |conn| work(conn)).await;
    if result.is_err() {
        state.metrics.pool_refusals.inc();
    }
    result?.map_err(Into::into)
}

/// Runs work on the untrusted pool over a PostgreSQL session (reads, and writes in
/// transactions of their own).
async fn on_pg<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut postgres::Client) -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    let Backend::Postgres { pool } = &state.backend else { return Err(ApiError::internal("not on PostgreSQL")) };
    let result = pool
        .run(move |session| match session.client() {
            Ok(client) => work(client).map_err(Into::into),
            Err(e) => Err(ApiError::internal(e)),
        })
        .await;
    if result.is_err() {
        state.metrics.pool_refusals.inc();
    }
    result?
}

/// Work on what a device sent that needs no database (decoding, encoding, hashing), on the
/// untrusted pool of either backend.
async fn untrusted<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    match &state.backend {
        Backend::Sqlite { .. } => on_pool(state, move |_| work()).await,
        Backend::Postgres { .. } => on_pg(state, move |_| work()).await,
    }
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

/// A request slot of one device, given back when the request ends.
struct InFlight {
    map: Arc<Mutex<HashMap<String, usize>>>,
    device: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.device) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.device);
            }
        }
    }
}

/// The device a request comes from, checked before a byte of its body is read, within its rate
/// and its share of requests in flight.
async fn admit(state: &AppState, headers: &HeaderMap) -> Result<(DeviceAuth, InFlight), ApiError> {
    let token = bearer(headers)?;
    let device = match &state.backend {
        Backend::Sqlite { .. } => {
            with_db(state, move |conn| accounts::authenticate(conn, &token)?.ok_or_else(ApiError::unauthorized)).await?
        }
        // The rate is counted in the database too, so that a device spread over several
        // instances gets the rate once; the in-process limiter below stays as each instance's
        // flood guard.
        Backend::Postgres { .. } => {
            let per_minute = state.limits.device_requests_per_minute;
            on_pg(state, move |c| {
                let device = pg::accounts::authenticate(c, &token)?.ok_or_else(ApiError::unauthorized)?;
                if !pg::accounts::count_request(c, &device.device_id, per_minute, now_ms())? {
                    return Err(ApiError::rate_limited());
                }
                Ok(device)
            })
            .await?
        }
    };
    device.user.unit_in_force()?;
    state.device_limiter.retain_recent();
    if state.device_limiter.check_key(&device.device_id).is_err() {
        return Err(ApiError::rate_limited());
    }
    let mut map = state.in_flight.lock().unwrap_or_else(|p| p.into_inner());
    let n = map.entry(device.device_id.clone()).or_insert(0);
    if *n >= PER_DEVICE_IN_FLIGHT {
        return Err(ApiError::rate_limited());
    }
    *n += 1;
    let slot = InFlight { map: state.in_flight.clone(), device: device.device_id.clone() };
    Ok((device, slot))
}

/// Reads a body of at most `limit` bytes that never pauses longer than the idle timeout and
/// arrives within the total one.
async fn read_body(state: &AppState, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt;
    let too_large = || ApiError::from(WireError::TooLarge);
    let deadline = tokio::time::Instant::now() + state.limits.body_timeout;
    let idle = state.limits.body_idle_timeout;
    let mut body = body;
    let mut out = Vec::new();
    loop {
        let wait = idle.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
        let frame = match tokio::time::timeout(wait, body.frame()).await {
            Err(_) => {
                state.metrics.refused("body_timeout");
                return Err(ApiError::body_timeout());
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(ApiError::from(WireError::Malformed)),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(out))
}

fn sync_body(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], bytes).into_response()
}

fn record(state: &AppState, route: &'static str, result: &Result<Response, ApiError>) {
    let status = match result {
        Ok(r) => r.status().as_u16(),
        Err(e) => {
            if e.status.is_client_error() || e.status == StatusCode::SERVICE_UNAVAILABLE {
                state.metrics.refused(e.code);
            }
            e.status.as_u16()
        }
    };
    state.metrics.count(route, status);
}

#[derive(Deserialize)]
struct EnrollBody {
    code: String,
    #[serde(default)]
    device_name: String,
    /// The id the device's store wrote under before it enrolled.
    #[serde(default)]
    former_id: Option<String>,
    /// What the device says of itself, for administrators: its system and app version.
    #[serde(default)]
    platform: String,
    #[serde(default)]
    app_version: String,
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

/// The key a rate limit counts a client under: its IPv4 address, or its IPv6 /64 (one
/// subscriber's whole prefix; each of its addresses is not a fresh limit).
pub(crate) fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let ip = limit_key(client_ip(state.trust_forwarded_for, &headers, peer));
    let result: Result<Response, ApiError> = async {
        state.enroll_limiter.retain_recent();
        if state.enroll_limiter.check_key(&ip).is_err() {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "quá nhiều lần thử đăng ký, hãy đợi một phút / too many enrollment attempts, wait a minute",
            ));
        }
        let body = read_body(&state, body, 4096).await?;
        let req: EnrollBody = serde_json::from_slice(&body).map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed", "cần {\"code\": ...} / expected {\"code\": ...}")
        })?;
        let key = state.code_key.clone();
        let enrolled = match &state.backend {
            Backend::Sqlite { .. } => {
                with_db(&state, move |conn| {
                    let enrolled =
                        accounts::enroll(conn, &key, &req.code, &req.device_name, req.former_id.as_deref(), now_ms())?;
                    accounts::describe_device(conn, &enrolled.device_id, &req.platform, &req.app_version)?;
                    Ok(enrolled)
                })
                .await?
            }
            Backend::Postgres { .. } => {
                on_pg(&state, move |c| {
                    let enrolled =
                        pg::accounts::enroll(c, &key, &req.code, &req.device_name, req.former_id.as_deref(), now_ms())?;
                    pg::accounts::describe_device(c, &enrolled.device_id, &req.platform, &req.app_version)?;
                    Ok::<_, AccountError>(enrolled)
                })
                .await?
            }
        };
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

/// Stages `stage` on the pool and commits it on the database thread, staging again (a few
/// times) when another request wrote one of its documents in between. Returns what the
/// staging returned beside the documents, once committed.
async fn stage_and_commit<X: Send + 'static>(
    state: &AppState,
    device: &Arc<DeviceAuth>,
    stage: impl Fn(&Connection, &DocCache, &Pusher<'_>, &Limits) -> Result<(Vec<Staged>, X), IngestError>
    + Send
    + Sync
    + 'static,
) -> Result<(usize, X), ApiError> {
    let stage = Arc::new(stage);
    for attempt in 1..=STAGE_ATTEMPTS {
        let (cache, limits, d, stage) = (state.cache.clone(), state.limits.clone(), device.clone(), stage.clone());
        let (staged, extra) = on_pool(state, move |conn| {
            let pusher = Pusher::new(conn, &d)?;
            stage(conn, &cache, &pusher, &limits)
        })
        .await?;
        let pushed: usize = staged.iter().map(|s| s.new_changes.len()).sum();
        if staged.is_empty() {
            return Ok((0, extra));
        }
        let (d, limits) = (device.clone(), state.limits.clone());
        let committed = with_db(state, move |conn| {
            ingest::commit(conn, &d, &limits, &staged, now_ms())?;
            Ok(staged)
        })
        .await;
        match committed {
            Ok(staged) => {
                ingest::remember(&state.cache, staged);
                return Ok((pushed, extra));
            }
            Err(e) if e.code == "busy" && attempt < STAGE_ATTEMPTS => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "các tài liệu này đang được thay đổi liên tục, hãy thử lại / these documents keep being changed, try again",
    ))
}

/// What a staging on PostgreSQL reads from its session (after any check of its own on it).
type PgStage<X> =
    dyn Fn(&mut postgres::Client, &DocCache, &DeviceAuth, &Limits) -> Result<(Vec<Staged>, X), ApiError> + Send + Sync;

/// As [`stage_and_commit`], on PostgreSQL: staged and committed on one session, in the push's own
/// transaction, staged again (a few times) when another instance wrote one of its documents in
/// between. Runs `after` on the same session once committed.
async fn stage_and_commit_on_postgres<X: Send + 'static, Y: Send + 'static>(
    state: &AppState,
    device: &Arc<DeviceAuth>,
    stage: Box<PgStage<X>>,
    after: impl FnOnce(&mut postgres::Client, usize, X) -> Result<Y, ApiError> + Send + 'static,
) -> Result<Y, ApiError> {
    let (cache, limits, device) = (state.cache.clone(), state.limits.clone(), device.clone());
    let now = now_ms();
    on_pg(state, move |c| {
        for attempt in 1..=STAGE_ATTEMPTS {
            let (staged, extra) = stage(c, &cache, &device, &limits)?;
            if staged.is_empty() {
                return after(c, 0, extra);
            }
            let pushed: usize = staged.iter().map(|s| s.new_changes.len()).sum();
            match pg::push::commit(c, &device, &limits, &staged, now) {
                Ok(_) => {
                    ingest::remember(&cache, staged);
                    return after(c, pushed, extra);
                }
                Err(IngestError::Concurrent { .. }) if attempt < STAGE_ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "các tài liệu này đang được thay đổi liên tục, hãy thử lại / these documents keep being changed, try again",
        ))
    })
    .await
}

/// Changes written on the dashboard (a conflict resolved) by a user's dashboard device, stored
/// as that device's push would be: the same checks (scope, authorship, size, quota), the same
/// commit, the feed. Returns how many changes were stored.
pub async fn push_from_dashboard(
    state: &AppState,
    device: DeviceAuth,
    push: sotay_core::sync::protocol::DocChanges,
) -> Result<usize, ApiError> {
    let device = Arc::new(device);
    let pushes = Arc::new(vec![push]);
    match &state.backend {
        Backend::Sqlite { .. } => {
            let (pushed, ()) = stage_and_commit(state, &device, move |conn, cache, pusher, limits| {
                Ok((ingest::stage_push(conn, cache, pusher, limits, &pushes)?, ()))
            })
            .await?;
            Ok(pushed)
        }
        Backend::Postgres { .. } => {
            let stage: Box<PgStage<()>> = Box::new(move |c, cache, device, limits| {
                let holdings = pg::holdings::PgHoldings::new(c);
                let pusher = Pusher::new(&holdings, device)?;
                Ok((ingest::stage_push(&holdings, cache, &pusher, limits, &pushes)?, ()))
            });
            stage_and_commit_on_postgres(state, &device, stage, |_, pushed, ()| Ok(pushed)).await
        }
    }
}

/// A push on PostgreSQL: the changes stored, or that the device must be repaired first.
async fn push_on_postgres(
    state: &AppState,
    device: &Arc<DeviceAuth>,
    req: Arc<SyncRequest>,
) -> Result<(usize, bool), ApiError> {
    let stage: Box<PgStage<bool>> = Box::new(move |c, cache, device, limits| {
        let known = pg::feed::knows(c, req.cursor).map_err(ApiError::internal)?;
        if !known || req.cursor.seq < device.confirmed_cursor {
            // As on SQLite: the device reconciles document by document first.
            return Ok((Vec::new(), true));
        }
        let holdings = pg::holdings::PgHoldings::new(c);
        let pusher = Pusher::new(&holdings, device)?;
        Ok((ingest::stage_push(&holdings, cache, &pusher, limits, &req.pushes)?, false))
    });
    stage_and_commit_on_postgres(state, device, stage, |_, pushed, repair| Ok((pushed, repair))).await
}

async fn sync(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let started = Instant::now();
    let metrics = state.metrics.clone();
    let result: Result<Response, ApiError> = async {
        let (device, _slot) = admit(&state, &headers).await?;
        let body = read_body(&state, body, MAX_BODY_BYTES).await?;
        let bytes_in = body.len();
        let device = Arc::new(device);
        let (req, version) = untrusted(&state, move || protocol::decode_versioned::<SyncRequest>(&body)).await?;
        let req = Arc::new(req);
        let now = now_ms();
        let r = req.clone();
        let (pushed, repair_needed) = match &state.backend {
            Backend::Sqlite { .. } => {
                stage_and_commit(&state, &device, move |conn, cache, pusher, limits| {
                    if !feed::knows(conn, r.cursor)? || r.cursor.seq < pusher.device.confirmed_cursor {
                        // The server was restored from a backup (the cursor is past its feed),
                        // or the device was (it went back before a cursor it had confirmed):
                        // reconcile document by document first.
                        return Ok((Vec::new(), true));
                    }
                    Ok((ingest::stage_push(conn, cache, pusher, limits, &r.pushes)?, false))
                })
                .await?
            }
            Backend::Postgres { .. } => push_on_postgres(&state, &device, r).await?,
        };
        if repair_needed {
            let r = SyncResponse { server_time: now, entries: vec![], cursor: req.cursor, more: false, repair: true };
            return Ok(sync_body(protocol::encode_as(&r, version)));
        }
        let page_bytes = req.max_response_bytes.clamp(16 * 1024, MAX_PAGE_BYTES);
        // Behind the cursor it was last given: the device lost that response, or was restored
        // to just before it. Either way its own changes since are sent back too.
        let echo_own = req.cursor.seq < device.issued_cursor;
        let (d, cursor) = (device.clone(), req.cursor);
        let encode = move |page: feed::Page| {
            let n = page.entries.len();
            let r = SyncResponse {
                server_time: now,
                entries: page.entries,
                cursor: page.cursor,
                more: page.more,
                repair: false,
            };
            (protocol::encode_as(&r, version), page.cursor, n, page.damaged)
        };
        let (response, page_cursor, entries, damaged) = match &state.backend {
            Backend::Sqlite { .. } => {
                on_pool(&state, move |conn| {
                    Ok::<_, IngestError>(encode(feed::pull(conn, &d, cursor, page_bytes, echo_own)?))
                })
                .await?
            }
            Backend::Postgres { .. } => {
                on_pg(&state, move |c| {
                    let page = pg::feed::page_for(c, &d, cursor, page_bytes, echo_own).map_err(ApiError::internal)?;
                    Ok::<_, ApiError>(encode(page))
                })
                .await?
            }
        };
        let d = device.clone();
        for _ in &damaged {
            metrics.refused("damaged_feed_entry");
        }
        match &state.backend {
            Backend::Sqlite { .. } => {
                with_db(&state, move |conn| {
                    let refs: Vec<String> = damaged.iter().map(|s| s.to_string()).collect();
                    feed::quarantine(conn, "feed", &refs, now).map_err(ApiError::internal)?;
                    accounts::record_cursors(conn, &d.device_id, cursor.seq, page_cursor.seq, now)?;
                    Ok(())
                })
                .await?
            }
            // Damaged rows are logged as they are left out; PostgreSQL's own checksums guard
            // the rest (docs/deployment.md).
            Backend::Postgres { .. } => {
                on_pg(&state, move |c| pg::accounts::record_cursors(c, &d.device_id, cursor.seq, page_cursor.seq, now))
                    .await?
            }
        }
        metrics.changes_in.inc_by(pushed as u64);
        metrics.entries_out.inc_by(entries as u64);
        metrics.bytes_in.inc_by(bytes_in as u64);
        metrics.bytes_out.inc_by(response.len() as u64);
        tracing::info!(
            route = "sync", device = %device.device_id, changes_in = pushed, entries_out = entries, bytes_in,
            bytes_out = response.len(), ms = started.elapsed().as_secs_f64() * 1000.0, "sync"
        );
        Ok(sync_body(response))
    }
    .await;
    if let Err(e) = &result {
        tracing::info!(route = "sync", status = e.status.as_u16(), code = e.code, doc = ?e.doc, "sync refused");
    }
    metrics.sync_seconds.observe(started.elapsed().as_secs_f64());
    record(&state, "sync", &result);
    result
}

async fn repair(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let started = Instant::now();
    let result: Result<Response, ApiError> = async {
        let (device, _slot) = admit(&state, &headers).await?;
        let body = read_body(&state, body, MAX_BODY_BYTES).await?;
        let device = Arc::new(device);
        let (req, version) = untrusted(&state, move || protocol::decode_repair_request(&body)).await?;
        let req = Arc::new(req);
        let now = now_ms();
        // Whole documents come a page at a time; a device of version 1 cannot ask for a next
        // page and gets them all, as before.
        let page = (version >= 2).then_some(state.limits.repair_page_bytes);
        let (replies, missing, cursor) = match &state.backend {
            Backend::Sqlite { .. } => repair_on_sqlite(&state, &device, req.clone(), page, now).await?,
            Backend::Postgres { .. } => repair_on_postgres(&state, &device, req.clone(), page, now).await?,
        };
        tracing::info!(route = "repair", device = %device.device_id, docs = replies.len(), missing = missing.entries.len(), "repair round");
        let r = RepairResponse {
            server_time: now,
            docs: replies,
            missing: missing.entries,
            cursor,
            missing_after: missing.more_after.as_deref().and_then(protocol::doc_id),
        };
        let encoded = untrusted(&state, move || Ok::<_, ApiError>(protocol::encode_repair_response(&r, version))).await?;
        Ok(sync_body(encoded))
    }
    .await;
    state.metrics.sync_seconds.observe(started.elapsed().as_secs_f64());
    record(&state, "repair", &result);
    result
}

/// The documents a repair round must list as held, beside those the device listed itself.
fn listed_after(staging: &repair::RepairStaging, req: &RepairRequest) -> HashSet<String> {
    let mut listed = staging.listed.clone();
    listed.extend(req.held.iter().map(protocol::doc_id_string));
    listed
}

/// A repair round on the embedded database: staged and committed as a push, then the documents
/// the device lacks read on the pool, then the damaged set aside and the cursor reset.
async fn repair_on_sqlite(
    state: &AppState,
    device: &Arc<DeviceAuth>,
    req: Arc<RepairRequest>,
    page: Option<usize>,
    now: i64,
) -> Result<(Vec<protocol::DocMessage>, repair::Missing, protocol::Cursor), ApiError> {
    {
        let r = req.clone();
        let (_, (replies, listed, left)) = stage_and_commit(state, device, move |conn, cache, pusher, limits| {
            let s = repair::stage(conn, cache, pusher, limits, &r)?;
            let listed = listed_after(&s, &r);
            Ok((s.staged, (s.replies, listed, s.left_for_authors)))
        })
        .await?;
        // Not an error for the phone, but an operator watching refusals should see it.
        state.metrics.refused_n("left_for_authors", left as u64);
        let (d, first_round) = (device.clone(), req.first_round);
        let from = req.missing_from.map(|f| protocol::doc_id_string(&f));
        let (missing, cursor) = on_pool(state, move |conn| {
            let cursor = feed::head(conn)?;
            let missing = if first_round || from.is_some() {
                repair::missing(conn, &d, &listed, from.as_deref(), page, now)?
            } else {
                repair::Missing { entries: Vec::new(), damaged: Vec::new(), more_after: None }
            };
            Ok::<_, IngestError>((missing, cursor))
        })
        .await?;
        let d = device.clone();
        let damaged = missing.damaged.clone();
        with_db(state, move |conn| {
            feed::quarantine(conn, "document", &damaged, now).map_err(ApiError::internal)?;
            if first_round {
                accounts::reset_cursor(conn, &d.device_id, cursor.seq)?;
            }
            Ok(())
        })
        .await?;
        Ok((replies, missing, cursor))
    }
}

/// A repair round on PostgreSQL, on one session: staged and committed as a push, then the feed's
/// end, the documents the device lacks, and its cursor reset. Damaged documents are logged as
/// they are left out.
async fn repair_on_postgres(
    state: &AppState,
    device: &Arc<DeviceAuth>,
    req: Arc<RepairRequest>,
    page: Option<usize>,
    now: i64,
) -> Result<(Vec<protocol::DocMessage>, repair::Missing, protocol::Cursor), ApiError> {
    let r = req.clone();
    let stage: Box<PgStage<repair::RepairStaging>> = Box::new(move |c, cache, device, limits| {
        let holdings = pg::holdings::PgHoldings::new(c);
        let pusher = Pusher::new(&holdings, device)?;
        let mut s = repair::stage(&holdings, cache, &pusher, limits, &r)?;
        Ok((std::mem::take(&mut s.staged), s))
    });
    let (d, metrics) = (device.clone(), state.metrics.clone());
    stage_and_commit_on_postgres(state, device, stage, move |c, _, s| {
        metrics.refused_n("left_for_authors", s.left_for_authors as u64);
        let listed = listed_after(&s, &req);
        let cursor = pg::feed::cursor_head(c).map_err(ApiError::internal)?;
        let from = req.missing_from.map(|f| protocol::doc_id_string(&f));
        let missing = if req.first_round || from.is_some() {
            let holdings = pg::holdings::PgHoldings::new(c);
            repair::missing(&holdings, &d, &listed, from.as_deref(), page, now)?
        } else {
            repair::Missing { entries: Vec::new(), damaged: Vec::new(), more_after: None }
        };
        if req.first_round {
            pg::accounts::reset_cursor(c, &d.device_id, cursor.seq)?;
        }
        Ok((s.replies, missing, cursor))
    })
    .await
}

async fn put_attachment(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let result: Result<Response, ApiError> = async {
        // Refused on what is announced, before a byte of the body is read: a phone on a slow link
        // is not made to send 10 MiB to hear no, nor is anyone without a device token.
        let announced =
            headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_ATTACHMENT_BYTES) {
            return Err(AttachmentError::Size.into());
        }
        let (device, _slot) = admit(&state, &headers).await?;
        let device = Arc::new(device);
        let media_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        {
            let (d, sha256, media_type) = (device.clone(), sha256.clone(), media_type.clone());
            match &state.backend {
                Backend::Sqlite { .. } => {
                    with_db(&state, move |conn| Ok(attachments::may_send(conn, &d, &sha256, &media_type)?)).await?
                }
                Backend::Postgres { .. } => {
                    on_pg(&state, move |c| pg::attachments::may_send(c, &d, &sha256, &media_type)).await?
                }
            }
        }
        let body = read_body(&state, body, MAX_ATTACHMENT_BYTES as usize).await.map_err(|e| {
            if e.code == "too_large" { ApiError::from(AttachmentError::Size) } else { e }
        })?;
        // Hashing up to 10 MiB runs on the pool, off the database thread and the async workers.
        {
            let (sha256, media_type, body) = (sha256.clone(), media_type.clone(), body.clone());
            untrusted(&state, move || attachments::check_upload(&sha256, &media_type, &body)).await?;
        }
        let size = body.len();
        let (d, limits) = (device.clone(), state.limits.clone());
        let quota = limits.device_quota_bytes;
        let added = match &state.backend {
            Backend::Sqlite { .. } => {
                with_db(&state, move |conn| {
                    Ok(attachments::store(conn, &d, &sha256, &media_type, &body, quota, now_ms())?)
                })
                .await?
            }
            Backend::Postgres { .. } => {
                on_pg(&state, move |c| pg::attachments::store(c, &d, &sha256, &media_type, &body, quota, now_ms()))
                    .await?
            }
        };
        state.metrics.bytes_in.inc_by(size as u64);
        tracing::info!(route = "attachment_put", device = %device.device_id, bytes = size, new = added, "attachment received");
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
        let (device, _slot) = admit(&state, &headers).await?;
        // Reading up to 10 MiB runs on the pool's reader, not the database thread.
        let found = match &state.backend {
            Backend::Sqlite { .. } => on_pool(&state, move |conn| attachments::load(conn, &device, &sha256)).await?,
            Backend::Postgres { .. } => on_pg(&state, move |c| pg::attachments::load(c, &device, &sha256)).await?,
        };
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

/// Ready: the database takes a write (a heartbeat row, committed) within a few seconds. A
/// server whose disk is full, or whose database thread is stuck, answers 503.
async fn healthz(State(state): State<AppState>) -> Response {
    let write = async {
        match &state.backend {
            Backend::Sqlite { .. } => {
                with_db(&state, |conn| crate::db::heartbeat(conn, now_ms()).map_err(ApiError::internal)).await
            }
            Backend::Postgres { .. } => on_pg(&state, |c| pg::accounts::heartbeat(c, now_ms())).await,
        }
    };
    let ready = matches!(tokio::time::timeout(std::time::Duration::from_secs(5), write).await, Ok(Ok(())));
    state.metrics.count("healthz", if ready { 200 } else { 503 });
    if ready {
        "ok\n".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database cannot be written\n").into_response()
    }
}

/// Live: the process answers. Nothing else is checked.
async fn livez() -> &'static str {
    "ok\n"
}

/// Prometheus text, for a client on this machine (not through a proxy) or one that presents
/// the metrics token (`serve --metrics-token`).
async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let local = peer.ip().is_loopback() && !headers.contains_key("x-forwarded-for");
    let allowed = match &state.metrics_token {
        Some(token) => bearer(&headers).is_ok_and(|t| accounts::same_secret(&t, token)),
        None => local,
    };
    if !allowed {
        state.metrics.count("metrics", 403);
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "chỉ xem được từ máy chủ hoặc với mã metrics / only from this machine, or with the metrics token",
        )
        .into_response();
    }
    state.metrics.count("metrics", 200);
    let panics = state.panics() + ingest::PANICS.load(std::sync::atomic::Ordering::Relaxed);
    state.metrics.set_gauges(state.cache.bytes() as i64, panics);
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.render())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_limited_by_its_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("an address");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("an address");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("an address");
        assert_eq!(limit_key(a), limit_key(b), "one subscriber's addresses share a limit");
        assert_ne!(limit_key(a), limit_key(other));
        let v4: IpAddr = "203.0.113.7".parse().expect("an address");
        assert_eq!(limit_key(v4), v4);
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().expect("an address");
        assert_eq!(limit_key(mapped), v4);
    }

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
