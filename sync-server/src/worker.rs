//! The one thread that touches the database, committing in groups. Requests hand it jobs; it
//! runs whatever jobs are waiting in one transaction, each inside a savepoint of its own (a job
//! that fails is rolled back alone), commits once, and only then answers each request. One disk
//! sync serves a whole group, and an answer always describes committed data.
//!
//! Jobs run short SQL only: everything that works on what devices send runs on the untrusted
//! pool first ([`crate::untrusted`]). A job that panics all the same is rolled back alone and its
//! request fails; the thread and the rest of the group carry on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use rusqlite::Connection;

/// What a job does with the outcome of the commit: deliver its answer, or the commit's failure.
pub type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A unit of database work; returns whether its changes are kept, and how to answer.
pub type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

/// Jobs run in one group at most.
const GROUP: usize = 64;

#[derive(Clone)]
pub struct DbWorker {
    jobs: mpsc::Sender<Job>,
}

impl DbWorker {
    /// Starts the worker thread over `conn`.
    pub fn start(conn: Connection) -> std::io::Result<DbWorker> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("db-worker".into()).spawn(move || run(conn, rx))?;
        Ok(DbWorker { jobs: tx })
    }

    pub fn submit(&self, job: Job) -> Result<(), String> {
        self.jobs.send(job).map_err(|_| "the database worker has stopped".to_string())
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut delivers = Vec::with_capacity(group.len());
        let outcome = (|| -> Result<(), String> {
            let mut tx = conn.transaction().map_err(|e| e.to_string())?;
            for job in group.drain(..) {
                let sp = tx.savepoint().map_err(|e| e.to_string())?;
                // A job that panics is dropped with its answer: its request sees the channel
                // closed and fails, and its savepoint rolls back as it is dropped.
                if let Ok((keep, deliver)) = catch_unwind(AssertUnwindSafe(|| job(&sp))) {
                    delivers.push(deliver);
                    if keep {
                        sp.commit().map_err(|e| e.to_string())?;
                    }
                }
                // Otherwise the savepoint rolls back as it is dropped.
            }
            tx.commit().map_err(|e| e.to_string())
        })();
        // Jobs the failure kept from running get no answer here; their requests see the worker's
        // channel closed and fail, and the devices try again.
        for deliver in delivers {
            deliver(outcome.clone());
        }
    }
}
