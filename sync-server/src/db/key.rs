//! The key that encrypts the server's database at rest (SQLCipher): from `SOTAY_SERVER_KEY`, or
//! from a key file kept outside the data directory, so that a copy of the data directory or a
//! backup is unreadable without it. The key file is made on first start, 0600, and its place
//! announced: losing it loses the database.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sotay_core::store::StoreKey;

use super::DbError;

/// Where the key comes from, as the operator set it.
#[derive(Clone, Default)]
pub struct KeySource {
    /// `SOTAY_SERVER_KEY`: 64 hexadecimal digits (a raw key) or a passphrase.
    pub secret: Option<String>,
    /// `--key-file` / `SOTAY_SERVER_KEY_FILE`; by default beside the data directory.
    pub file: Option<PathBuf>,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret itself.
        f.debug_struct("KeySource")
            .field("secret", &self.secret.as_ref().map(|_| ".."))
            .field("file", &self.file)
            .finish()
    }
}

impl KeySource {
    /// From the process's environment: `SOTAY_SERVER_KEY`, else a key file.
    pub fn from_env(file: Option<PathBuf>) -> KeySource {
        let secret = std::env::var("SOTAY_SERVER_KEY").ok().filter(|s| !s.trim().is_empty());
        KeySource { secret, file }
    }
}

/// The default key file of a data directory: `sotay-data` → `sotay-data.key` beside it, outside
/// the folder an operator copies or backs up.
pub fn default_file(data_dir: &Path) -> PathBuf {
    let absolute = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let name = absolute.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "sotay-data".into());
    absolute.with_file_name(format!("{name}.key"))
}

/// How a database file on disk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Absent,
    /// Written by a version before encryption: SQLite's plain header.
    Plain,
    Encrypted,
}

pub fn file_state(file: &Path) -> std::io::Result<FileState> {
    use std::io::Read;
    let mut header = [0u8; 16];
    match std::fs::File::open(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileState::Absent),
        Err(e) => Err(e),
        Ok(mut f) => {
            let n = f.read(&mut header)?;
            // An empty file is what `private::file` leaves before SQLite's first write.
            Ok(if n == 0 {
                FileState::Absent
            } else if &header[..n] == b"SQLite format 3\0" {
                FileState::Plain
            } else {
                FileState::Encrypted
            })
        }
    }
}

/// The key for the database in `data_dir` (which exists). With `may_create`, a key file is
/// generated where nothing is encrypted yet (no database, or one from before encryption); for
/// an encrypted database a missing key is an error, never a new key.
pub fn resolve(data_dir: &Path, source: &KeySource, may_create: bool) -> Result<StoreKey, DbError> {
    if let Some(secret) = &source.secret {
        return StoreKey::parse(secret)
            .map_err(|e| DbError::Key { place: "SOTAY_SERVER_KEY".into(), reason: e.to_string() });
    }
    let file = source.file.clone().unwrap_or_else(|| default_file(data_dir));
    let place = file.display().to_string();
    let bad = |reason: String| DbError::Key { place: place.clone(), reason };
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            warn_if_shared(&file);
            // A passphrase written with an editor ends in a line break that is not part of it
            // (the same passphrase in SOTAY_SERVER_KEY must give the same key).
            return StoreKey::parse(text.trim_end_matches(['\r', '\n'])).map_err(|e| bad(e.to_string()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(bad(e.to_string())),
    }
    let db = super::path(data_dir);
    if !may_create || file_state(&db).map_err(|e| bad(e.to_string()))? == FileState::Encrypted {
        return Err(DbError::KeyMissing { file: place, db: db.display().to_string() });
    }
    let key = StoreKey::generate().map_err(|e| bad(e.to_string()))?;
    let hex = key.to_hex().ok_or_else(|| bad("no raw key".into()))?;
    let mut out = crate::private::file(&file, true).map_err(|e| bad(e.to_string()))?;
    std::io::Write::write_all(&mut out, format!("{hex}\n").as_bytes()).map_err(|e| bad(e.to_string()))?;
    out.sync_all().map_err(|e| bad(e.to_string()))?;
    crate::private::sync_name(&file).map_err(|e| bad(e.to_string()))?;
    tracing::warn!(
        key_file = %place,
        "Đã tạo khóa mã hóa cơ sở dữ liệu; giữ một bản ở nơi khác ngoài bản sao lưu, mất khóa là mất dữ liệu / \
         made the database encryption key; keep a copy apart from the backups: without it the database cannot be read"
    );
    // Also where no log is set up (an admin command); a standard error that cannot be written
    // (a full disk) must not stop the server, as eprintln! would.
    let _ = writeln!(std::io::stderr(), "Khóa mã hóa / encryption key: {place} (0600)");
    Ok(key)
}

/// A key file others can read is used, with a warning: refusing it would stop the server.
fn warn_if_shared(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(file)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(key_file = %file.display(), "the key file is readable by others: chmod 600 it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_sits_beside_the_data_directory() {
        let f = default_file(Path::new("/srv/sotay-data"));
        assert_eq!(f, PathBuf::from("/srv/sotay-data.key"));
        let f = default_file(Path::new("/srv/sotay-data/"));
        assert_eq!(f, PathBuf::from("/srv/sotay-data.key"));
    }

    #[test]
    fn a_missing_key_for_an_encrypted_database_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let source = KeySource::default();
        assert!(matches!(resolve(&data, &source, false), Err(DbError::KeyMissing { .. })), "restore makes no key");
        let first = resolve(&data, &source, true).unwrap();
        assert_eq!(resolve(&data, &source, true).unwrap(), first, "read back, not made again");
        std::fs::write(super::super::path(&data), [0x5a; 64]).unwrap();
        std::fs::remove_file(default_file(&data)).unwrap();
        let err = resolve(&data, &source, true).unwrap_err();
        assert!(matches!(err, DbError::KeyMissing { .. }), "{err}");
        assert!(!default_file(&data).exists());
    }

    #[test]
    fn a_passphrase_in_a_file_is_the_same_key_as_in_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let file = dir.path().join("passphrase");
        std::fs::write(&file, "Khóa của Xã Lâm Bình 2026\n").unwrap();
        let from_file = resolve(&data, &KeySource { secret: None, file: Some(file) }, false).unwrap();
        let from_env = KeySource { secret: Some("Khóa của Xã Lâm Bình 2026".into()), file: None };
        assert_eq!(from_file, resolve(&data, &from_env, false).unwrap());
    }

    #[test]
    fn the_environment_key_wins_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let hex = "ab".repeat(32);
        let key = resolve(dir.path(), &KeySource { secret: Some(hex.clone()), file: None }, true).unwrap();
        assert_eq!(key.to_hex(), Some(hex));
        assert!(!default_file(dir.path()).exists(), "no file made");
        let err = resolve(dir.path(), &KeySource { secret: Some("a\0b".into()), file: None }, true).unwrap_err();
        assert!(err.to_string().contains("SOTAY_SERVER_KEY"), "{err}");
    }
}
