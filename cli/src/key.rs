//! Where the store's key comes from: the `SOTAY_KEY` variable, a key file, or (for a new store)
//! a fresh random key written to `<store>.key` with owner-only permissions.

use std::path::{Path, PathBuf};

use sotay_core::store::StoreKey;

use crate::args::Cli;
use crate::error::CliError;

fn key_path(cli: &Cli) -> PathBuf {
    cli.key_file.clone().unwrap_or_else(|| {
        let mut p = cli.store.clone().into_os_string();
        p.push(".key");
        PathBuf::from(p)
    })
}

fn read(path: &Path) -> Result<StoreKey, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(StoreKey::parse(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(CliError::MissingKey { path: path.display().to_string() })
        }
        Err(source) => Err(CliError::File { path: path.display().to_string(), source }),
    }
}

/// The key of an existing store.
pub fn existing(cli: &Cli) -> Result<StoreKey, CliError> {
    if let Ok(text) = std::env::var("SOTAY_KEY") {
        return Ok(StoreKey::parse(&text)?);
    }
    read(&key_path(cli))
}

/// The key for a new store; returns where a generated key was written, if one was.
pub fn for_new_store(cli: &Cli) -> Result<(StoreKey, Option<PathBuf>), CliError> {
    if let Ok(text) = std::env::var("SOTAY_KEY") {
        return Ok((StoreKey::parse(&text)?, None));
    }
    let path = key_path(cli);
    if path.exists() {
        return Ok((read(&path)?, None));
    }
    let key = StoreKey::generate()?;
    let hex = key.to_hex().unwrap_or_default();
    write_private(&path, &hex).map_err(|source| CliError::File { path: path.display().to_string(), source })?;
    Ok((key, Some(path)))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}
