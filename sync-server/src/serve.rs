//! Running the server: plain HTTP on loopback by default, TLS (rustls) when given a certificate,
//! graceful shutdown on SIGINT/SIGTERM (requests in flight finish; every write is one SQLite
//! transaction, so a hard kill loses nothing acknowledged either).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{HeaderValue, header};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::api::{AppState, Settings, router};
use crate::limits::Limits;

pub struct ServeConfig {
    pub data_dir: PathBuf,
    /// A PostgreSQL database shared by several instances (`postgres://…`), instead of the
    /// embedded one in `data_dir`.
    pub database: Option<String>,
    /// Where the database's encryption key comes from.
    pub key: crate::db::KeySource,
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub trust_forwarded_for: bool,
    /// Enrollment attempts allowed per client address and minute.
    pub enrollments_per_minute: u32,
    pub limits: Limits,
    /// Bearer token that opens `/metrics` to clients elsewhere than this machine.
    pub metrics_token: Option<String>,
    /// The server's address as phones reach it (`SOTAY_PUBLIC_URL`), for enrollment cards.
    pub public_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("không mở được cổng {0} / cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("chứng chỉ TLS không dùng được / unusable TLS certificate or key: {0}")]
    Tls(std::io::Error),
    #[error("một máy chủ khác đang chạy trên {0} / another server is already running on {0}")]
    AlreadyServing(String),
    #[error(
        "không dùng được tệp khóa serving.lock trong thư mục dữ liệu / cannot use the data directory's serving.lock: {0}"
    )]
    Lock(std::io::Error),
    #[error("lỗi máy chủ / server error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Postgres(#[from] crate::postgres::PgError),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountError),
}

/// What serving on the embedded database holds until it stops.
struct Embedded {
    db: crate::db::Database,
    _serving: crate::db::serving::ServingLock,
}

/// Serves until `shutdown` resolves. Announces the address it listens on (useful with port 0).
pub async fn run(config: ServeConfig, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
    let limits = config.limits.clone();
    let settings = Settings {
        limits: config.limits,
        trust_forwarded_for: config.trust_forwarded_for,
        enrollments_per_minute: config.enrollments_per_minute,
        metrics_token: config.metrics_token,
    };
    let (mut app, embedded) = match &config.database {
        None => {
            let db = crate::db::Database::for_serving(&config.data_dir, &config.key)?;
            // Held until this function returns: a second `serve` or a `restore` on this
            // directory is refused.
            let serving = crate::db::serving::exclusive(db.dir()).map_err(|e| match e {
                crate::db::serving::LockError::Held => {
                    ServeError::AlreadyServing(config.data_dir.display().to_string())
                }
                crate::db::serving::LockError::Io(e) => ServeError::Lock(e),
            })?;
            let conn = db.open()?;
            conn.execute_batch("PRAGMA wal_autocheckpoint = 0;").map_err(crate::db::DbError::from)?;
            db.spawn_checkpointer()?;
            let dashboard = crate::dashboard::DashState::open(&db, config.trust_forwarded_for)?
                .with_public_url(config.public_url.clone());
            let state = AppState::new(&db, conn, settings)?;
            let dashboard = dashboard.with_app(state.clone());
            (router(state).merge(crate::dashboard::router(dashboard)), Some(Embedded { db, _serving: serving }))
        }
        // Several instances may serve one database: no lock of their own, nothing kept in a
        // data directory; the dashboard's sessions are in the database, for any instance.
        Some(url) => {
            let url = url.clone();
            let key = tokio::task::spawn_blocking(move || -> Result<_, ServeError> {
                let mut client = crate::postgres::connect(&url)?;
                crate::postgres::migrate(&mut client)?;
                crate::postgres::report_facts::derive_stale_once(&mut client)?;
                Ok((crate::postgres::accounts::code_key(&mut client)?, url))
            })
            .await
            .map_err(|e| ServeError::Io(std::io::Error::other(e)))??;
            let state = AppState::on_postgres(&key.1, key.0, settings)?;
            let dashboard = crate::dashboard::DashState::on_postgres(&key.1, config.trust_forwarded_for)
                .with_public_url(config.public_url.clone())
                .with_app(state.clone());
            (router(state).merge(crate::dashboard::router(dashboard)), None)
        }
    };
    if config.tls.is_some() {
        // Browsers that once reached the dashboard over TLS never fall back to plain HTTP.
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let capped = CappedAcceptor::new(limits.max_connections);
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    let announcer = handle.clone();
    tokio::spawn(async move {
        if let Some(addr) = announcer.listening().await {
            announce(scheme, addr);
        }
    });
    match config.tls {
        None => {
            let mut server = axum_server::bind(config.listen).acceptor(capped).handle(handle).http1_only();
            configure(server.http_builder(), &limits);
            server.serve(app).await.map_err(|e| ServeError::Listen(config.listen, e))?;
        }
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await.map_err(ServeError::Tls)?;
            // HTTP/1.1 only (see `configure`): no h2 offered in the handshake.
            let mut inner = (*tls.get_inner()).clone();
            inner.alpn_protocols = vec![b"http/1.1".to_vec()];
            let tls = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(inner));
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
                .handshake_timeout(limits.header_timeout)
                .acceptor(capped);
            let mut server = axum_server::bind(config.listen).acceptor(acceptor).handle(handle).http1_only();
            configure(server.http_builder(), &limits);
            server.serve(app).await.map_err(|e| ServeError::Listen(config.listen, e))?;
        }
    }
    if let Some(e) = embedded {
        e.db.checkpoint_on_stop()?;
    }
    tracing::info!("sotay-server stopped");
    Ok(())
}

/// HTTP/1.1 only: the phones speak it, and it lets the header timeout run from the first byte
/// (detecting HTTP/2 would first wait, unbounded, for a preface). Headers must arrive within the
/// header timeout, which also closes a keep-alive connection that sends nothing for that long.
fn configure(builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>, limits: &Limits) {
    builder.http1().header_read_timeout(Some(limits.header_timeout)).max_buf_size(64 * 1024);
}

/// Accepts at most `max` connections at once: past that, a new connection is closed at once.
#[derive(Clone)]
pub struct CappedAcceptor {
    permits: Arc<Semaphore>,
}

impl CappedAcceptor {
    pub fn new(max: usize) -> CappedAcceptor {
        CappedAcceptor { permits: Arc::new(Semaphore::new(max.max(1))) }
    }
}

impl<I, S> axum_server::accept::Accept<I, S> for CappedAcceptor {
    type Stream = Capped<I>;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Capped<I>, S)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        std::future::ready(match self.permits.clone().try_acquire_owned() {
            Ok(permit) => Ok((Capped { inner: stream, _permit: permit }, service)),
            Err(_) => {
                tracing::warn!("connection refused: too many open connections");
                Err(std::io::Error::other("too many connections"))
            }
        })
    }
}

/// A connection holding one of the acceptor's permits until it closes.
pub struct Capped<I> {
    inner: I,
    _permit: OwnedSemaphorePermit,
}

impl<I: AsyncRead + Unpin> AsyncRead for Capped<I> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Capped<I> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Where logs go: standard error, through a writer that never fails. When stderr cannot be
/// written (a full disk, a closed pipe), a line is dropped and counted, never a panic: tracing's
/// own fallback on a failed write would panic inside whatever thread logged.
#[derive(Clone, Copy, Default)]
pub struct LogWriter;

pub static LOG_LINES_DROPPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if std::io::stderr().write_all(buf).is_err() {
            LOG_LINES_DROPPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        LogWriter
    }
}

/// Panics are caught where they can be (the pool, the database thread); the hook only logs where
/// one happened, through the same writer, never the payload (it may quote what a device sent).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let thread = std::thread::current().name().unwrap_or("?").to_string();
        tracing::error!(%at, %thread, "panic caught");
    }));
}

fn announce(scheme: &str, addr: SocketAddr) {
    use std::io::Write;
    tracing::info!(%addr, "listening");
    // A line on stdout that scripts and tests wait for (written so that a closed stdout is no panic).
    let mut out = std::io::stdout();
    let _ = writeln!(out, "sotay-server listening on {scheme}://{addr}");
    let _ = out.flush();
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
