//! Running the server: plain HTTP on loopback by default, TLS (rustls) when given a certificate,
//! graceful shutdown on SIGINT/SIGTERM (requests in flight finish; every write is one SQLite
//! transaction, so a hard kill loses nothing acknowledged either).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::api::{AppState, router};

pub struct ServeConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub trust_forwarded_for: bool,
    /// Enrollment attempts allowed per client address and minute.
    pub enrollments_per_minute: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("không mở được cổng {0} / cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("chứng chỉ TLS không dùng được / unusable TLS certificate or key: {0}")]
    Tls(std::io::Error),
    #[error("lỗi máy chủ / server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves until `shutdown` resolves. Announces the address it listens on (useful with port 0).
pub async fn run(config: ServeConfig, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
    let conn = crate::db::open(&config.data_dir)?;
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0;").map_err(crate::db::DbError::from)?;
    crate::db::spawn_checkpointer(&config.data_dir)?;
    let dashboard = crate::dashboard::DashState::open(&config.data_dir, config.trust_forwarded_for)?;
    let app = router(AppState::new(conn, config.trust_forwarded_for, config.enrollments_per_minute)?)
        .merge(crate::dashboard::router(dashboard))
        .into_make_service_with_connect_info::<SocketAddr>();
    match config.tls {
        None => {
            let listener =
                tokio::net::TcpListener::bind(config.listen).await.map_err(|e| ServeError::Listen(config.listen, e))?;
            let addr = listener.local_addr()?;
            announce("http", addr);
            axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
        }
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await.map_err(ServeError::Tls)?;
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            });
            let server = axum_server::bind_rustls(config.listen, tls).handle(handle.clone());
            let announcer = handle.clone();
            tokio::spawn(async move {
                if let Some(addr) = announcer.listening().await {
                    announce("https", addr);
                }
            });
            server.serve(app).await.map_err(|e| ServeError::Listen(config.listen, e))?;
        }
    }
    tracing::info!("sotay-server stopped");
    Ok(())
}

fn announce(scheme: &str, addr: SocketAddr) {
    use std::io::Write;
    tracing::info!(%addr, "listening");
    // A line on stdout that scripts and tests wait for.
    println!("sotay-server listening on {scheme}://{addr}");
    let _ = std::io::stdout().flush();
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
