//! A throwaway PostgreSQL cluster for a test: Debian's binaries, a data directory and socket in
//! a temporary directory, no TCP port (unless started for TLS), removed when dropped. `initdb` refuses to run as root
//! (and CI runs as root), so as root the cluster is made and run as `nobody`.
//!
//! The test command installs Debian's `postgresql` when it is missing; a test that needs a
//! cluster fails (it is not skipped) when the binaries cannot be found.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where Debian puts the server's binaries, the newest version first.
fn binaries() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("PostgreSQL is not installed ({}: {e}); scripts/test installs it", root.display()))
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect("a PostgreSQL version with initdb under /usr/lib/postgresql")
}

/// The user the cluster runs as: ourselves, or `nobody` when we are root.
fn run_as() -> Option<(u32, u32)> {
    let me = Command::new("id").arg("-u").output().expect("id");
    if String::from_utf8_lossy(&me.stdout).trim() != "0" {
        return None;
    }
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, "nobody"]).output().expect("id nobody");
        String::from_utf8_lossy(&out.stdout).trim().parse().expect("nobody's id")
    };
    Some((id("-u"), id("-g")))
}

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    user: Option<(u32, u32)>,
    pub port: u16,
}

impl Cluster {
    /// Makes and starts a cluster with a database `sotay` owned by the role `sotay`, with fsync
    /// off (throwaway data) to spare the shared disk.
    pub fn start() -> Cluster {
        Cluster::make(false, None)
    }

    /// The same, also listening on 127.0.0.1 (a free port) with TLS on, presenting the
    /// certificate and key given (PEM): for the tests of `sslmode=require`.
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Cluster {
        Cluster::make(false, Some((cert_pem, key_pem)))
    }

    /// The same, but every commit waits on the disk as it would in production: for benchmarks
    /// compared with SQLite, which syncs each commit.
    pub fn start_durable() -> Cluster {
        Cluster::make(true, None)
    }

    fn make(durable: bool, tls: Option<(&str, &str)>) -> Cluster {
        let bin = binaries();
        let user = run_as();
        // As root, under /tmp itself: `nobody` must be able to reach the directory.
        let mut builder = tempfile::Builder::new();
        builder.prefix("sotay-pg-");
        let dir = match user {
            Some(_) => builder.tempdir_in("/tmp"),
            None => builder.tempdir(),
        }
        .expect("temporary directory");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown to nobody");
        }
        // With TLS, a TCP port too (the socket's name takes the same number).
        let port = match tls {
            None => 5432,
            Some(_) => {
                std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
            }
        };
        let cluster = Cluster { dir, bin, user, port };
        cluster.run(
            "initdb",
            &["-D", &cluster.data().to_string_lossy(), "-U", "sotay", "--auth=trust", "-E", "UTF8", "--no-sync"],
        );
        // Unix socket only, in the cluster's own directory. Enough connections for two servers
        // and the tests' own clients.
        let mut options = format!(
            "-k {} -c fsync={} -c max_connections=200 -c port={}",
            cluster.dir.path().display(),
            if durable { "on" } else { "off" },
            cluster.port
        );
        match tls {
            None => options.push_str(" -c listen_addresses=''"),
            Some((cert, key)) => {
                // The key readable by the server's user only, or PostgreSQL refuses it.
                for (name, pem) in [("server.crt", cert), ("server.key", key)] {
                    let path = cluster.dir.path().join(name);
                    std::fs::write(&path, pem).expect("write the TLS files");
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
                    if let Some((uid, gid)) = user {
                        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown to nobody");
                    }
                }
                options.push_str(&format!(
                    " -c listen_addresses='127.0.0.1' -c ssl=on -c ssl_cert_file={0}/server.crt -c ssl_key_file={0}/server.key",
                    cluster.dir.path().display()
                ));
            }
        }
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &cluster.data().to_string_lossy(),
                "-l",
                &cluster.dir.path().join("log").to_string_lossy(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        cluster.psql("postgres", "CREATE DATABASE sotay");
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.args(args).current_dir(self.dir.path()).env("LC_ALL", "C.UTF-8");
        if let Some((uid, gid)) = self.user {
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{program}: {e}"));
        if !out.status.success() {
            // The server's own log, read only when something failed.
            let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
            panic!(
                "{program} {args:?} failed: {}\n{}\n{log}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        out
    }

    /// Runs SQL as the superuser `sotay` in `database`.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = self.run(
            "psql",
            &[
                "-h",
                &self.dir.path().to_string_lossy(),
                "-p",
                &self.port.to_string(),
                "-U",
                "sotay",
                "-d",
                database,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn connection_args(&self) -> Vec<String> {
        let dir = self.dir.path().to_string_lossy().to_string();
        vec!["-h".into(), dir, "-p".into(), self.port.to_string(), "-U".into(), "sotay".into()]
    }

    /// A backup of the database `sotay` as an operator takes it (`pg_dump`, custom format), kept
    /// under `name` in the cluster's directory.
    pub fn dump(&self, name: &str) {
        let file = self.dir.path().join(format!("{name}.dump"));
        let mut args = self.connection_args();
        args.extend(["-F".into(), "c".into(), "-f".into(), file.to_string_lossy().to_string(), "sotay".into()]);
        self.run("pg_dump", &args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// The database `sotay` replaced by the backup `name` (`pg_restore` into a new database),
    /// as after a lost disk.
    pub fn restore_dump(&self, name: &str) {
        let file = self.dir.path().join(format!("{name}.dump"));
        self.lose_database();
        let mut args = self.connection_args();
        args.extend(["-d".into(), "sotay".into(), file.to_string_lossy().to_string()]);
        self.run("pg_restore", &args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// The database `sotay` dropped and made again empty, as after a lost disk.
    pub fn lose_database(&self) {
        self.psql("postgres", "DROP DATABASE sotay WITH (FORCE)");
        self.psql("postgres", "CREATE DATABASE sotay");
    }

    /// A connection string for the database `sotay` over TCP (a cluster started with TLS), with
    /// the `sslmode` given.
    pub fn tcp_url(&self, sslmode: &str) -> String {
        format!("host=localhost hostaddr=127.0.0.1 port={} user=sotay dbname=sotay sslmode={sslmode}", self.port)
    }

    /// A connection string for the database `sotay`, over the cluster's socket.
    pub fn url(&self) -> String {
        format!("host={} port={} user=sotay dbname=sotay", self.dir.path().display(), self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut cmd = Command::new(self.bin.join("pg_ctl"));
        cmd.args(["-D", &self.data().to_string_lossy(), "-m", "immediate", "-w", "stop"]);
        if let Some((uid, gid)) = self.user {
            cmd.uid(uid).gid(gid);
        }
        let _ = cmd.output();
    }
}
