//! A `sotay-server` process for a test.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct TestServer {
    _dir: Option<tempfile::TempDir>,
    pub data: PathBuf,
    child: Option<Child>,
    pub addr: SocketAddr,
    pub url: String,
    tls: Option<(PathBuf, PathBuf)>,
    options: Vec<String>,
    /// Where the server's log goes (none by default; `/dev/full` to test a full disk).
    pub stderr: Option<PathBuf>,
    /// A PostgreSQL database it serves (and its administration commands run on) instead of the
    /// embedded one.
    pub database: Option<String>,
    /// The throwaway cluster of that database, when this server owns it.
    cluster: Option<crate::postgres::Cluster>,
}

/// The database a test's server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server binary this package builds, beside the test executables (`target/<profile>/`).
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("SOTAY_SERVER_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir.join(format!("e2e-sotay-server{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: build it with `cargo build -p sotay-e2e`", bin.display());
    bin
}

impl TestServer {
    /// A fresh server on a free loopback port.
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// A fresh server with extra `serve` options.
    pub fn start_with(options: &[&str]) -> TestServer {
        Self::launch(options, None, None)
    }

    /// A fresh server whose log goes to `stderr` at level `info`.
    pub fn start_logging_to(stderr: &Path, options: &[&str]) -> TestServer {
        Self::launch(options, None, Some(stderr.to_path_buf()))
    }

    /// A server over TLS with the given certificate and key (PEM files).
    pub fn start_tls(cert: PathBuf, key: PathBuf) -> TestServer {
        Self::launch(&[], Some((cert, key)), None)
    }

    /// An instance serving the PostgreSQL database at `url`, which other instances may share.
    pub fn on_postgres(url: &str, options: &[&str]) -> TestServer {
        Self::launch_on(options, None, None, Some(url.to_string()))
    }

    /// A fresh server on `backend`: the embedded database, or a throwaway PostgreSQL cluster of
    /// its own.
    pub fn start_on(backend: Backend) -> TestServer {
        TestServer::start_on_with(backend, &[])
    }

    /// The same, with extra `serve` options.
    pub fn start_on_with(backend: Backend, options: &[&str]) -> TestServer {
        match backend {
            Backend::Sqlite => TestServer::start_with(options),
            Backend::Postgres => {
                let cluster = crate::postgres::Cluster::start();
                let mut s = TestServer::on_postgres(&cluster.url(), options);
                s.cluster = Some(cluster);
                s
            }
        }
    }

    fn launch(options: &[&str], tls: Option<(PathBuf, PathBuf)>, stderr: Option<PathBuf>) -> TestServer {
        Self::launch_on(options, tls, stderr, None)
    }

    fn launch_on(
        options: &[&str],
        tls: Option<(PathBuf, PathBuf)>,
        stderr: Option<PathBuf>,
        database: Option<String>,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let data = dir.path().join("data");
        let mut s = TestServer {
            _dir: Some(dir),
            data,
            child: None,
            addr: "127.0.0.1:0".parse().expect("address"),
            url: String::new(),
            tls,
            options: options.iter().map(|o| o.to_string()).collect(),
            stderr,
            database,
            cluster: None,
        };
        if s.database.is_some() {
            // Nothing of the server's is kept there, but codes' images are written there.
            std::fs::create_dir_all(&s.data).expect("data directory");
        }
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let mut cmd = self.command();
        cmd.args(["serve", "--listen", &self.addr.to_string()]);
        cmd.args(&self.options);
        if let Some((cert, key)) = &self.tls {
            cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
        }
        let stderr = match &self.stderr {
            Some(path) => {
                cmd.env("RUST_LOG", "info");
                Stdio::from(std::fs::OpenOptions::new().append(true).open(path).expect("log file"))
            }
            None => {
                cmd.env("RUST_LOG", "warn");
                Stdio::null()
            }
        };
        let mut child = cmd.stdout(Stdio::piped()).stderr(stderr).spawn().expect("start sotay-server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("sotay-server listening on ") {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = rx.recv_timeout(Duration::from_secs(30)).expect("the server announces its address");
        self.addr = url.rsplit("//").next().and_then(|a| a.parse().ok()).expect("address in the announcement");
        self.url = url;
        self.child = Some(child);
    }

    /// The server binary, on this server's data (and database, if it has one).
    fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.arg("--data").arg(&self.data);
        if let Some(url) = &self.database {
            cmd.arg("--database").arg(url);
        }
        cmd
    }

    /// Runs an administration command that may end with a status other than 0 (as `check` does
    /// when it finds damage); returns its status and JSON output.
    pub fn admin_status(&self, args: &[&str]) -> (Option<i32>, serde_json::Value) {
        let out = self.command().arg("--json").args(args).output().expect("run admin");
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("admin {args:?}: no JSON: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), json)
    }

    /// Runs an administration command as typed, for a test of its failures.
    pub fn admin_output(&self, args: &[&str]) -> std::process::Output {
        self.command().args(args).output().expect("run admin")
    }

    /// Runs an administration command; returns its JSON output.
    pub fn admin(&self, args: &[&str]) -> serde_json::Value {
        let out = self.command().arg("--json").args(args).output().expect("run admin");
        assert!(out.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("admin JSON")
    }

    pub fn add_user(&self, login: &str, role: &str, unit: &str) {
        self.admin(&[
            "user",
            "add",
            "--login",
            login,
            "--name",
            &format!("Cán bộ {login}"),
            "--role",
            role,
            "--unit",
            unit,
        ]);
    }

    /// Sets a user's dashboard password (the admin command reads it from standard input).
    pub fn set_password(&self, login: &str, password: &str) {
        use std::io::Write;
        let mut child = self
            .command()
            .args(["user", "password", "--login", login])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run admin");
        if let Some(mut stdin) = child.stdin.take() {
            writeln!(stdin, "{password}").expect("write the password");
        }
        assert!(child.wait().expect("admin").success(), "user password {login}");
    }

    /// A fresh one-time enrollment code for `login`.
    pub fn code(&self, login: &str) -> String {
        let png = self.data.join(format!("{login}.png"));
        let v = self.admin(&["code", "create", "--user", login, "--png", png.to_str().unwrap_or("code.png")]);
        v["code"].as_str().expect("code").to_string()
    }

    /// Kills the process with SIGKILL: no chance to finish anything.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Asks the process to stop (SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
            let _ = c.wait();
        }
    }

    /// Starts the process again, on the same port, over the same data.
    pub fn restart(&mut self) {
        self.kill9();
        for _ in 0..50 {
            if std::net::TcpListener::bind(self.addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.spawn();
    }

    /// A value of `/metrics` (the first sample of that name), 0 when absent.
    pub async fn metric(&self, name: &str) -> f64 {
        let text = crate::http_client()
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        text.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }

    /// `/healthz`'s status.
    pub async fn ready(&self) -> u16 {
        let r = crate::http_client().get(format!("{}/healthz", self.url)).send().await.expect("healthz");
        r.status().as_u16()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data.join(sotay_server::db::FILE_NAME)
    }

    /// The server's database, keyed as the server keys it (`SOTAY_SERVER_KEY`, else the key
    /// file beside the data directory).
    pub fn database(&self) -> sotay_server::db::Database {
        sotay_server::db::Database::existing(&self.data, &sotay_server::db::KeySource::from_env(None))
            .expect("the server's database")
    }

    pub fn db(&self) -> rusqlite::Connection {
        let c = self.database().connect(rusqlite::OpenFlags::default()).expect("server db");
        c.busy_timeout(Duration::from_secs(10)).expect("busy timeout");
        c
    }

    /// Every document the server holds, with its heads.
    pub fn doc_heads(&self) -> BTreeMap<String, String> {
        let rows: Vec<(String, String)> = match &self.database {
            None => {
                let c = self.db();
                let mut stmt = c.prepare("SELECT doc_id, heads FROM documents").expect("query");
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("rows").map(|r| r.expect("row")).collect()
            }
            Some(_) => self.on_postgres_db(|c| {
                let rows = c.query("SELECT doc_id, heads FROM documents", &[]).expect("documents");
                rows.iter().map(|r| (r.get(0), r.get(1))).collect()
            }),
        };
        rows.into_iter()
            .map(|(id, heads)| {
                let mut hs: Vec<&str> = heads.split(',').filter(|h| !h.is_empty()).collect();
                hs.sort();
                (id, hs.join(","))
            })
            .collect()
    }

    /// The throwaway cluster this server owns, if it runs on one.
    pub fn cluster(&self) -> Option<&crate::postgres::Cluster> {
        self.cluster.as_ref()
    }

    /// Work on this server's PostgreSQL database, from a thread of its own: the blocking client
    /// cannot run on a test's runtime.
    pub fn on_postgres_db<T: Send>(&self, work: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
        let url = self.database.as_deref().expect("a server on PostgreSQL");
        std::thread::scope(|s| {
            s.spawn(|| work(&mut postgres::Client::connect(url, postgres::NoTls).expect("connect")))
                .join()
                .expect("query")
        })
    }

    /// The first column of the first row `sql` reads (parameters `$1`, `$2`… as text), on either
    /// backend.
    pub fn read_text(&self, sql: &str, params: &[&str]) -> Option<String> {
        match &self.database {
            None => {
                use rusqlite::OptionalExtension;
                self.db().query_row(sql, rusqlite::params_from_iter(params), |r| r.get(0)).optional().expect("query")
            }
            Some(_) => self.on_postgres_db(|c| {
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn postgres::types::ToSql + Sync)).collect();
                c.query_opt(sql, &params).expect("query").map(|r| r.get(0))
            }),
        }
    }

    /// The count `sql` reads with one parameter `$1` of bytes, on either backend.
    pub fn count_bytes(&self, sql: &str, param: &[u8]) -> i64 {
        match &self.database {
            None => self.db().query_row(sql, [param], |r| r.get(0)).expect("count"),
            Some(_) => self.on_postgres_db(|c| c.query_one(sql, &[&param]).expect("count").get(0)),
        }
    }

    /// The handlers a document is filed with (a petition's, and its denouncer identity's).
    pub fn handlers_of(&self, doc_id: &str) -> String {
        match &self.database {
            None => self
                .db()
                .query_row("SELECT handlers FROM documents WHERE doc_id = ?1", [doc_id], |r| r.get(0))
                .expect("row"),
            Some(_) => self.on_postgres_db(|c| {
                c.query_one("SELECT handlers FROM documents WHERE doc_id = $1", &[&doc_id]).expect("row").get(0)
            }),
        }
    }

    /// Changes the server has stored, each once (SQLite: its receipts; PostgreSQL: its change rows).
    pub fn stored_changes(&self) -> i64 {
        match &self.database {
            None => self.db().query_row("SELECT count(*) FROM change_receipts", [], |r| r.get(0)).expect("receipts"),
            Some(_) => self.on_postgres_db(|c| c.query_one("SELECT count(*) FROM changes", &[]).expect("count").get(0)),
        }
    }

    /// A fingerprint of everything the server stores.
    pub fn fingerprint(&self) -> String {
        if self.database.is_some() {
            let tables: (i64, i64, i64, i64) = self.on_postgres_db(|c| {
                let r = c
                    .query_one(
                        "SELECT (SELECT count(*) FROM changes), (SELECT coalesce(max(position), 0) FROM changes),
                                (SELECT count(*) FROM attachments), (SELECT coalesce(sum(stored_bytes), 0)::BIGINT FROM devices)",
                        &[],
                    )
                    .expect("fingerprint");
                (r.get(0), r.get(1), r.get(2), r.get(3))
            });
            return format!("{:?} {tables:?}", self.doc_heads());
        }
        let c = self.db();
        let feed: (i64, i64) = c
            .query_row("SELECT count(*), coalesce(max(seq), 0) FROM feed", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("feed");
        let receipts: i64 = c.query_row("SELECT count(*) FROM change_receipts", [], |r| r.get(0)).expect("receipts");
        format!("{:?} {:?} {receipts}", self.doc_heads(), feed)
    }

    pub fn copy_data_to(&self, to: &Path) {
        std::fs::create_dir_all(to).expect("backup dir");
        for entry in std::fs::read_dir(&self.data).expect("data dir") {
            let entry = entry.expect("entry");
            if entry.file_name().to_string_lossy().starts_with(sotay_server::db::FILE_NAME) {
                std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
            }
        }
    }

    pub fn restore_data_from(&mut self, from: &Path) {
        self.kill9();
        for entry in std::fs::read_dir(&self.data).expect("data dir") {
            let entry = entry.expect("entry");
            if entry.file_name().to_string_lossy().starts_with(sotay_server::db::FILE_NAME) {
                std::fs::remove_file(entry.path()).expect("remove");
            }
        }
        for entry in std::fs::read_dir(from).expect("backup dir") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), self.data.join(entry.file_name())).expect("restore");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill9();
    }
}
