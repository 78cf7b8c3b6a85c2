//! The one thread that touches the database, committing in groups. Requests hand it jobs; it
//! runs whatever jobs are waiting in one transaction, each inside a savepoint of its own (a job
//! that fails is rolled back alone), commits once, and only then answers each request. One disk
//! sync serves a whole group, and an answer always describes committed data.

use std::sync::mpsc;

use rusqlite::Connection;

use crate::db::DocCache;

/// What a job does with the outcome of the commit: deliver its answer, or the commit's failure.
pub type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A unit of database work; returns whether its changes are kept, and how to answer.
pub type Job = Box<dyn FnOnce(&Connection, &mut DocCache) -> (bool, Deliver) + Send>;

/// Jobs run in one group at most.
const GROUP: usize = 64;

#[derive(Clone)]
pub struct DbWorker {
    jobs: mpsc::Sender<Job>,
}

impl DbWorker {
    /// Starts the worker thread over `conn`.
    pub fn start(conn: Connection, cache_capacity: usize) -> std::io::Result<DbWorker> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("db-worker".into())
            .spawn(move || run(conn, rx, DocCache::new(cache_capacity)))?;
        Ok(DbWorker { jobs: tx })
    }

    pub fn submit(&self, job: Job) -> Result<(), String> {
        self.jobs.send(job).map_err(|_| "the database worker has stopped".to_string())
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Job>, mut cache: DocCache) {
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
                let (keep, deliver) = job(&sp, &mut cache);
                delivers.push(deliver);
                if keep {
                    sp.commit().map_err(|e| e.to_string())?;
                }
                // Otherwise the savepoint rolls back as it is dropped.
            }
            tx.commit().map_err(|e| e.to_string())
        })();
        if outcome.is_err() {
            // Documents put in the cache by the group were never committed.
            cache.clear();
        }
        // Jobs the failure kept from running get no answer here; their requests see the worker's
        // channel closed and fail, and the devices try again.
        for deliver in delivers {
            deliver(outcome.clone());
        }
    }
}
