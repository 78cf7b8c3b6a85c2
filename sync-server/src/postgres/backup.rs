//! `backup` and `restore` on PostgreSQL: the documented procedure (docs/deployment.md), run by the
//! server's own commands so that an operator types the same on either backend. `pg_dump` reads
//! in one snapshot, so a backup taken while instances serve is consistent; `pg_restore` runs in
//! one transaction with the instances stopped, and a restored feed gets a new epoch, so that
//! every device reconciles onto it (as `restored` does after a restore done by hand).

use std::path::{Path, PathBuf};
use std::process::Command;

use postgres::config::{Host, SslMode};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "không tìm thấy {0} (gói postgresql-client, cùng phiên bản chính với cơ sở dữ liệu) / \
         {0} not found (package postgresql-client, of the database's major version)"
    )]
    ToolMissing(&'static str),
    #[error("địa chỉ cơ sở dữ liệu không đọc được / the database address cannot be read: {0}")]
    Address(#[from] postgres::Error),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("{tool} thất bại / {tool} failed: {stderr}")]
    Failed { tool: &'static str, stderr: String },
    #[error(transparent)]
    Database(#[from] super::PgError),
}

/// Takes a backup of the database at `url` into the new file `to` (pg_dump's custom format,
/// 0600: it holds every record); returns its size.
pub fn dump(url: &str, to: &Path) -> Result<u64, BackupError> {
    let failed = |reason: String| BackupError::File { path: to.display().to_string(), reason };
    crate::private::file(to, true).map_err(|e| failed(e.to_string()))?;
    let mut cmd = tool("pg_dump", url)?;
    cmd.args(["--format=custom", "--no-owner", "--file"]).arg(to);
    if let Err(e) = run("pg_dump", cmd) {
        let _ = std::fs::remove_file(to);
        return Err(e);
    }
    std::fs::metadata(to).map(|m| m.len()).map_err(|e| failed(e.to_string()))
}

/// Puts the backup `from` in place of what the database at `url` holds (its tables dropped and
/// made again from the backup, all in one transaction: a failure leaves the database as it
/// was), then gives the feed a new epoch; returns it.
pub fn restore(url: &str, from: &Path) -> Result<i64, BackupError> {
    if !from.is_file() {
        return Err(BackupError::File {
            path: from.display().to_string(),
            reason: "không có tệp này / no such file".into(),
        });
    }
    let mut cmd = tool("pg_restore", url)?;
    cmd.args(["--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner"]).arg(from);
    run("pg_restore", cmd)?;
    let mut client = super::connect(url)?;
    Ok(super::feed::new_epoch(&mut client)?)
}

/// The command `name` (pg_dump, pg_restore) aimed at `url`. Where it connects is passed in libpq's
/// environment variables, not as arguments: a password would show in `ps`.
fn tool(name: &'static str, url: &str) -> Result<Command, BackupError> {
    let config: postgres::Config = url.parse()?;
    let mut cmd = Command::new(find(name).ok_or(BackupError::ToolMissing(name))?);
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        cmd.env("PGHOST", hosts.join(","));
    }
    let addrs: Vec<String> = config.get_hostaddrs().iter().map(|a| a.to_string()).collect();
    if !addrs.is_empty() {
        cmd.env("PGHOSTADDR", addrs.join(","));
    }
    let ports: Vec<String> = config.get_ports().iter().map(|p| p.to_string()).collect();
    if !ports.is_empty() {
        cmd.env("PGPORT", ports.join(","));
    }
    if let Some(user) = config.get_user() {
        cmd.env("PGUSER", user);
    }
    if let Some(password) = config.get_password() {
        cmd.env("PGPASSWORD", String::from_utf8_lossy(password).as_ref());
    }
    // The server's own policy (decision 0023): TLS only with the certificate checked.
    let sslmode = if config.get_ssl_mode() == SslMode::Require { "verify-full" } else { "disable" };
    cmd.env("PGSSLMODE", sslmode);
    cmd.arg("--dbname").arg(config.get_dbname().unwrap_or("sotay"));
    Ok(cmd)
}

fn run(name: &'static str, mut cmd: Command) -> Result<(), BackupError> {
    let out = cmd.output().map_err(|e| BackupError::Failed { tool: name, stderr: e.to_string() })?;
    if out.status.success() {
        return Ok(());
    }
    Err(BackupError::Failed { tool: name, stderr: String::from_utf8_lossy(&out.stderr).trim().to_string() })
}

/// `name` on the PATH, or in Debian's /usr/lib/postgresql/<version>/bin (the newest version, which
/// reads dumps of every older one).
fn find(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin").join(name))))
            .filter(|(_, p)| p.is_file())
            .collect();
        versions.sort();
        versions.pop().map(|(_, p)| p)
    })
}
