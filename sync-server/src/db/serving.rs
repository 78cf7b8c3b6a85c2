//! One serving process per data directory, and no restore under a running one: `serve` holds an
//! exclusive lock on a file in the data directory for as long as it runs (the operating system
//! drops it when the process ends, however it ends).

use std::path::Path;

pub const LOCK_FILE: &str = "serving.lock";

/// The lock, held while the value lives.
pub struct ServingLock {
    _file: std::fs::File,
}

/// Takes the data directory's lock, or fails at once if a process holds it.
pub fn exclusive(data_dir: &Path) -> std::io::Result<ServingLock> {
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(data_dir.join(LOCK_FILE))?;
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => std::io::Error::new(std::io::ErrorKind::WouldBlock, "held"),
        std::fs::TryLockError::Error(e) => e,
    })?;
    Ok(ServingLock { _file: file })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::exclusive(dir.path()).unwrap();
        assert!(super::exclusive(dir.path()).is_err());
        drop(first);
        assert!(super::exclusive(dir.path()).is_ok());
    }
}
