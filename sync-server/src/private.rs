//! Files and folders only the server's user may read: the data directory, the code secret, the
//! enrollment codes' QR images.

use std::path::Path;

/// Creates `dir` if need be, and makes it the owner's only (0700). A folder the server may use
/// but not change (another user's) is used as it is, with a warning.
pub fn dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot make the folder private");
        }
    }
    Ok(())
}

/// Opens `path` for writing, created readable by its owner only (0600); `new` refuses a file
/// that is already there.
pub fn file(path: &Path, new: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes the name of `file` durable: after a rename or a new file, the file's data is synced but
/// its name lives in its directory, which a power cut could otherwise roll back.
pub fn sync_name(file: &Path) -> std::io::Result<()> {
    // The parent of a bare file name is the empty path: the working directory.
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}
