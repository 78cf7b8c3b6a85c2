//! One serving process per data directory, and no restore under a running one: `serve` holds an
//! exclusive lock on a file in the data directory for as long as it runs (the operating system
//! drops it when the process ends, however it ends).

use std::path::Path;

pub const LOCK_FILE: &str = "serving.lock";

/// The lock, held while the value lives.
pub struct ServingLock {
    _file: std::fs::File,
}

/// Why the lock was not taken: another process holds it, or the lock file itself could not be
/// used (a read-only or full disk, a directory of another owner), which is not the same news
/// for an operator.
#[derive(Debug)]
pub enum LockError {
    Held,
    Io(std::io::Error),
}

/// Takes the data directory's lock, or fails at once if a process holds it.
pub fn exclusive(data_dir: &Path) -> Result<ServingLock, LockError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))
        .map_err(LockError::Io)?;
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => LockError::Held,
        std::fs::TryLockError::Error(e) => LockError::Io(e),
    })?;
    Ok(ServingLock { _file: file })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::exclusive(dir.path()).unwrap();
        assert!(matches!(super::exclusive(dir.path()), Err(super::LockError::Held)));
        drop(first);
        assert!(super::exclusive(dir.path()).is_ok());
    }

    #[test]
    fn a_lock_file_that_cannot_be_opened_is_not_taken_for_another_server() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the lock file should be: opening it for writing fails, as root too.
        std::fs::create_dir(dir.path().join(super::LOCK_FILE)).unwrap();
        assert!(matches!(super::exclusive(dir.path()), Err(super::LockError::Io(_))));
    }
}
