//! The pool where work on what devices send runs: inflating and decoding bodies, loading and
//! applying automerge changes, reading document trees, validating, hashing files, reading the
//! feed back. Automerge can panic on crafted changes and a deep tree can exhaust a stack, so none
//! of it runs on the database thread: each job runs here under `catch_unwind`, on a thread with a
//! large stack, with a connection of its own: a read-only SQLite connection (WAL readers never
//! wait for the writer), or a PostgreSQL session, on which a push is also committed.
//! A panic fails that one request; the thread carries on, and a thread that dies is replaced.
//!
//! The queue is bounded: when every thread is busy and the queue is full, a request is refused
//! at once (503) rather than held.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

/// A unit of work on a pool thread's connection.
type Work<C> = Box<dyn FnOnce(&mut C) + Send>;

/// How a pool thread makes its connection (again, if its thread is replaced).
pub type Open<C> = Arc<dyn Fn() -> Result<C, String> + Send + Sync>;

/// Stack of each pool thread: ample for automerge and serde at [`sotay_core::document::MAX_DEPTH`].
pub const STACK_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    #[error("máy chủ đang bận, hãy thử lại sau / the server is busy, try again later")]
    Busy,
    /// The work panicked: the input made the code it ran fail. Nothing was written.
    #[error("dữ liệu gửi lên làm máy chủ không xử lý được / the server could not process what was sent")]
    Panicked,
}

pub struct UntrustedPool<C> {
    queue: SyncSender<Work<C>>,
    /// Panics caught, for `/metrics`.
    pub panics: Arc<AtomicU64>,
}

impl<C> Clone for UntrustedPool<C> {
    fn clone(&self) -> Self {
        UntrustedPool { queue: self.queue.clone(), panics: self.panics.clone() }
    }
}

impl UntrustedPool<rusqlite::Connection> {
    /// Starts `threads` workers over read-only connections to `db`, with room for `queue` jobs
    /// waiting.
    pub fn over_sqlite(db: crate::db::Database, threads: usize, queue: usize) -> std::io::Result<Self> {
        UntrustedPool::start(Arc::new(move || db.reader().map_err(|e| e.to_string())), threads, queue)
    }
}

impl<C: 'static> UntrustedPool<C> {
    /// Starts `threads` workers, each over a connection `open` makes, with room for `queue`
    /// jobs waiting.
    pub fn start(open: Open<C>, threads: usize, queue: usize) -> std::io::Result<UntrustedPool<C>> {
        let (tx, rx) = mpsc::sync_channel::<Work<C>>(queue.max(1));
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let panics = Arc::new(AtomicU64::new(0));
        for n in 0..threads.max(1) {
            spawn_worker(n, open.clone(), rx.clone())?;
        }
        Ok(UntrustedPool { queue: tx, panics })
    }

    /// Runs `work` on the pool and waits for its result; a panic comes back as
    /// [`PoolError::Panicked`].
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut C) -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, PoolError>>();
        let panics = self.panics.clone();
        let job: Work<C> = Box::new(move |conn| {
            let result = catch_unwind(AssertUnwindSafe(|| work(conn))).map_err(|_| {
                panics.fetch_add(1, Ordering::Relaxed);
                PoolError::Panicked
            });
            let _ = tx.send(result);
        });
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => return Err(PoolError::Busy),
        }
        rx.await.unwrap_or(Err(PoolError::Panicked))
    }
}

fn spawn_worker<C: 'static>(
    n: usize,
    open: Open<C>,
    rx: Arc<std::sync::Mutex<Receiver<Work<C>>>>,
) -> std::io::Result<()> {
    std::thread::Builder::new().name(format!("untrusted-{n}")).stack_size(STACK_BYTES).spawn(move || {
        let mut conn = match open() {
            Ok(conn) => conn,
            Err(e) => {
                tracing::error!(error = %e, "a pool thread cannot open the database");
                return;
            }
        };
        // Jobs catch their own panics; should anything else unwind this loop, a new thread
        // takes this one's place.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            loop {
                let job = {
                    let Ok(rx) = rx.lock() else { return };
                    match rx.recv() {
                        Ok(job) => job,
                        Err(_) => return,
                    }
                };
                job(&mut conn);
            }
        }));
        if outcome.is_err() {
            tracing::error!(thread = n, "a pool thread failed; starting another");
            let _ = spawn_worker(n, open, rx);
        }
    })?;
    Ok(())
}
