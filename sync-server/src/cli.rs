//! The `sotay-server` command line: the server and its administration commands.
//!
//! ```text
//! sotay-server serve                                   # ./sotay-data, 127.0.0.1:8080
//! sotay-server user add --login nguyen.van.a --name "Nguyễn Văn A" --role commune-official --unit 02266
//! sotay-server code create --user nguyen.van.a --server-url http://127.0.0.1:8080
//! sotay-server device list ; sotay-server device revoke DEVICE_ID
//! sotay-server user password --login nguyen.van.a < password.txt   # for the dashboard
//! sotay-server backup --to /backups/sotay-2026-12-02.db   # a consistent copy, while serving
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::{accounts, audit, db, now_ms, qr, serve};
use clap::{Parser, Subcommand};
use serde_json::json;

#[derive(Parser)]
#[command(name = "sotay-server", version, about = "Máy chủ đồng bộ Sổ Tay / the Sổ Tay sync server")]
struct Cli {
    /// Thư mục dữ liệu / data directory (SQLite inside)
    #[arg(long, global = true, env = "SOTAY_DATA", default_value = "./sotay-data")]
    data: PathBuf,
    /// Tệp khóa mã hóa cơ sở dữ liệu, ngoài thư mục dữ liệu (mặc định: <data>.key bên cạnh; SOTAY_SERVER_KEY thay cho tệp) /
    /// the database's encryption key file, outside the data directory (default: <data>.key beside it; SOTAY_SERVER_KEY instead of a file)
    #[arg(long, global = true, env = "SOTAY_SERVER_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Cơ sở dữ liệu PostgreSQL dùng chung cho nhiều máy chủ, thay cho SQLite trong thư mục dữ liệu /
    /// a PostgreSQL database several instances share, instead of the SQLite one in the data directory
    /// (postgres://user:password@host/db, or host=/run/postgresql dbname=sotay)
    #[arg(long, global = true, env = "SOTAY_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Kết quả dạng JSON / JSON output
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of `serve`'s options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Chạy máy chủ / run the server
    Serve {
        /// Địa chỉ lắng nghe / address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Chứng chỉ TLS (PEM) / TLS certificate chain (PEM)
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Khóa TLS (PEM) / TLS private key (PEM)
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Tin X-Forwarded-For (chỉ khi sau reverse proxy tin cậy) / trust X-Forwarded-For (behind a trusted proxy only)
        #[arg(long)]
        trust_forwarded_for: bool,
        /// Nhật ký dạng JSON / JSON logs
        #[arg(long)]
        log_json: bool,
        /// Số lần thử đăng ký mỗi phút cho mỗi địa chỉ / enrollment attempts per minute per client address
        #[arg(long, default_value_t = 10)]
        enrollments_per_minute: u32,
        /// Mã mở /metrics cho máy khác / bearer token that opens /metrics to other machines
        #[arg(long, env = "SOTAY_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Địa chỉ công khai của máy chủ, in trên thẻ đăng ký / the server's public address, printed on enrollment cards
        #[arg(long, env = "SOTAY_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Người dùng / users
    #[command(subcommand)]
    User(UserCommand),
    /// Thiết bị / devices
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Mã đăng ký thiết bị / enrollment codes
    #[command(subcommand)]
    Code(CodeCommand),
    /// Kiểm tra dữ liệu đã lưu, cách ly phần hỏng / check what is stored, quarantine what is damaged
    Check,
    /// Nhật ký quản trị và đăng nhập, mới nhất trước / the log of administrative and sign-in actions, newest first
    Audit {
        /// Số dòng tối đa / at most this many
        #[arg(long, default_value_t = 200)]
        limit: usize,
        /// Ghi ra tệp CSV / write them to a CSV file
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Sao lưu cơ sở dữ liệu khi máy chủ đang chạy (PostgreSQL: bằng pg_dump) / back up the database while the server runs (PostgreSQL: by pg_dump)
    Backup {
        /// Tệp sao lưu mới / the new backup file
        #[arg(long)]
        to: PathBuf,
    },
    /// Sau khi khôi phục bản sao lưu PostgreSQL (pg_restore), trước khi chạy máy chủ: mọi thiết bị sẽ đối chiếu lại /
    /// after a PostgreSQL backup was restored (pg_restore), before the instances start: every device reconciles
    Restored,
    /// Khôi phục từ bản sao lưu, khi máy chủ đã dừng (PostgreSQL: bằng pg_restore, mọi phiên bản đã dừng) / restore from a backup, with the server stopped (PostgreSQL: by pg_restore, every instance stopped)
    Restore {
        /// Tệp sao lưu (cùng khóa mã hóa) / the backup file (same encryption key)
        #[arg(long)]
        from: PathBuf,
    },
}

/// The bounds of `crate::limits::Limits`, as options; defaults in docs/protocol.md.
#[derive(clap::Args)]
struct LimitArgs {
    /// Số tài liệu tối đa mỗi lần gửi / documents per push
    #[arg(long)]
    max_push_docs: Option<usize>,
    /// Số thay đổi tối đa mỗi lần gửi / changes per push
    #[arg(long)]
    max_push_changes: Option<usize>,
    /// Dung lượng tối đa của một tài liệu (byte) / stored bytes one document may reach
    #[arg(long)]
    max_document_bytes: Option<usize>,
    /// Dung lượng mỗi thiết bị được thêm (byte) / bytes of changes and files one device may add
    #[arg(long)]
    device_quota_bytes: Option<u64>,
    /// Yêu cầu mỗi phút của một thiết bị / requests per minute per device
    #[arg(long)]
    device_requests_per_minute: Option<u32>,
    /// Luồng xử lý dữ liệu gửi lên / threads of the pool that works on what devices send
    #[arg(long)]
    pool_threads: Option<usize>,
    /// Phiên PostgreSQL của mỗi máy chủ (mặc định 4 × số lõi) / PostgreSQL sessions of each instance (default 4 × cores)
    #[arg(long)]
    postgres_sessions: Option<usize>,
    /// Kết nối mở cùng lúc / open connections at once
    #[arg(long)]
    max_connections: Option<usize>,
    /// Thời gian chờ tiêu đề và kết nối rỗi (giây) / header and idle keep-alive timeout (seconds)
    #[arg(long)]
    header_timeout_secs: Option<u64>,
    /// Thời gian chờ thân yêu cầu (giây) / body timeout, all told (seconds)
    #[arg(long)]
    body_timeout_secs: Option<u64>,
    /// Bộ nhớ đệm tài liệu (MiB) / MiB (stored size) of documents kept loaded
    #[arg(long)]
    cache_mib: Option<usize>,
    /// Dung lượng tài liệu gửi nguyên mỗi vòng sửa chữa (byte) / bytes of whole documents per repair round
    #[arg(long)]
    repair_page_bytes: Option<usize>,
}

impl LimitArgs {
    fn limits(&self) -> crate::limits::Limits {
        let mut l = crate::limits::Limits::default();
        let secs = std::time::Duration::from_secs;
        if let Some(v) = self.max_push_docs {
            l.max_push_docs = v;
        }
        if let Some(v) = self.max_push_changes {
            l.max_push_changes = v;
        }
        if let Some(v) = self.max_document_bytes {
            l.max_document_bytes = v;
        }
        if let Some(v) = self.device_quota_bytes {
            l.device_quota_bytes = v;
        }
        if let Some(v) = self.device_requests_per_minute {
            l.device_requests_per_minute = v;
        }
        if let Some(v) = self.postgres_sessions {
            l.postgres_sessions = v.max(1);
        }
        if let Some(v) = self.pool_threads {
            l.pool_threads = v.max(1);
        }
        if let Some(v) = self.max_connections {
            l.max_connections = v.max(1);
        }
        if let Some(v) = self.header_timeout_secs {
            l.header_timeout = secs(v.max(1));
        }
        if let Some(v) = self.body_timeout_secs {
            l.body_timeout = secs(v.max(1));
            l.body_idle_timeout = l.body_idle_timeout.min(l.body_timeout);
        }
        if let Some(v) = self.repair_page_bytes {
            l.repair_page_bytes = v.max(1);
        }
        if let Some(v) = self.cache_mib {
            l.cache_bytes = v.saturating_mul(1024 * 1024);
        }
        l
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Tạo người dùng / create a user
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// mediator, village-head, commune-official, commune-leader, reviewer, administrator
        #[arg(long)]
        role: String,
        /// Mã đơn vị (GSO) hoặc mã thôn / unit: GSO code or village id
        #[arg(long)]
        unit: String,
    },
    /// Danh sách người dùng / list users
    List,
    /// Đổi họ tên, vai trò hoặc đơn vị / change a user's name, role or unit
    Edit {
        login: String,
        /// Họ và tên / full name
        #[arg(long)]
        name: Option<String>,
        /// mediator, village-head, commune-official, commune-leader, reviewer, administrator
        #[arg(long)]
        role: Option<String>,
        /// Mã đơn vị (GSO, từ 01/07/2025) hoặc mã thôn / unit in force: GSO code or village id
        #[arg(long)]
        unit: Option<String>,
    },
    /// Đặt mật khẩu đăng nhập trang quản lý (đọc từ đầu vào chuẩn) / set a dashboard password (read from standard input)
    Password {
        #[arg(long)]
        login: String,
    },
    /// Khóa người dùng: thiết bị bị từ chối, phiên đăng nhập kết thúc / disable a user: their devices are refused, their sessions end
    Disable { login: String },
    /// Mở khóa người dùng / enable a user again
    Enable { login: String },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Danh sách thiết bị / list devices
    List,
    /// Thu hồi thiết bị / revoke a device
    Revoke { device_id: String },
}

#[derive(Subcommand)]
enum CodeCommand {
    /// Tạo mã đăng ký dùng một lần / create a one-time enrollment code
    Create {
        #[arg(long)]
        user: String,
        /// Hiệu lực (giờ) / valid for (hours)
        #[arg(long, default_value_t = 72)]
        ttl_hours: i64,
        /// Địa chỉ công khai của máy chủ đưa vào mã QR (đặt một lần: SOTAY_PUBLIC_URL) / the server's public address for the QR code (set once: SOTAY_PUBLIC_URL)
        #[arg(long, env = "SOTAY_PUBLIC_URL")]
        server_url: Option<String>,
        /// Tệp PNG của mã QR / PNG file of the QR code
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Các mã còn hiệu lực (chưa dùng, chưa hết hạn, chưa hủy) / outstanding codes (not used, expired or cancelled)
    List,
    /// Hủy một mã theo mã số của nó, hoặc mọi mã của một người dùng / cancel a code by its id, or every code of a user
    Cancel {
        /// Mã số của mã (12 chữ số hex, từ `code list`) / the code's id (12 hex digits, from `code list`)
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        id: Option<String>,
        #[arg(long)]
        user: Option<String>,
    },
}

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // What `check` found is reported on standard output; the status tells a cron job or a
        // monitor without reading it.
        Err(e) if e.is::<DamageFound>() => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("Lỗi / Error: {e}");
            ExitCode::from(1)
        }
    }
}

fn print(json: bool, value: serde_json::Value, text: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", text());
    }
}

fn print_users(json: bool, users: &[accounts::User]) {
    print(json, json!(users), || {
        users
            .iter()
            .map(|u| {
                let unit = match u.unit_in_force() {
                    Ok(()) => u.unit.clone(),
                    Err(_) => format!("{} (không còn / ceased 2025-07-01)", u.unit),
                };
                format!("{}\t{}\t{}\t{}", u.login, u.role.code(), unit, u.display_name)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
}

fn print_edited(json: bool, user: &accounts::User) {
    print(json, json!(user), || {
        format!("Đã cập nhật người dùng / updated user {} ({}, {})", user.login, user.role.code(), user.unit)
    });
}

fn print_devices(json: bool, devices: &[accounts::Device]) {
    print(json, json!(devices), || {
        devices
            .iter()
            .map(|d| {
                let state = if d.revoked_at.is_some() { "revoked / đã thu hồi" } else { "active / đang dùng" };
                format!("{}\t{}\t{}\t{state}", d.device_id, d.login, d.name)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
}

/// `check` found damage: exit status 2, distinct from a failure to check (1).
#[derive(Debug, thiserror::Error)]
#[error("tìm thấy dữ liệu hỏng (mã thoát 2) / damage found (exit status 2)")]
struct DamageFound;

#[derive(Debug, thiserror::Error)]
#[error(
    "`restored` dành cho PostgreSQL; với SQLite dùng `restore --from` / `restored` is for PostgreSQL; on SQLite use `restore --from`"
)]
struct RestoredIsForPostgres;

/// The administration commands on PostgreSQL.
fn on_postgres(cli: Cli, url: &str) -> Result<(), Box<dyn std::error::Error>> {
    // A restore may be of a database whose schema is older or newer than this version's:
    // pg_restore puts it back as it was, and the next start migrates it.
    if let Command::Restore { from } = &cli.command {
        let epoch = crate::postgres::backup::restore(url, from)?;
        let mut client = crate::postgres::connect(url)?;
        crate::postgres::migrate(&mut client)?;
        crate::postgres::audit::record(&mut client, &done(audit::Action::Restored, &from.display().to_string()))?;
        print(cli.json, json!({"restored": from, "feed_epoch": epoch}), || {
            format!(
                "Đã khôi phục từ / restored from {}; các thiết bị sẽ đối chiếu lại khi đồng bộ / \
                 devices will reconcile when they next sync",
                from.display()
            )
        });
        return Ok(());
    }
    let mut client = crate::postgres::connect(url)?;
    crate::postgres::migrate(&mut client)?;
    use crate::postgres::accounts as pg;
    match cli.command {
        Command::User(UserCommand::Add { login, name, role, unit }) => {
            let user = pg::add_user(&mut client, &login, &name, &role, &unit, now_ms())?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::UserAdded, &user.login))?;
            print(cli.json, json!(user), || {
                format!("Đã tạo người dùng / created user {} ({}, {})", user.login, user.role.code(), user.unit)
            });
        }
        Command::User(UserCommand::List) => print_users(cli.json, &pg::users(&mut client)?),
        Command::User(UserCommand::Edit { login, name, role, unit }) => {
            let user = pg::edit_user(&mut client, &login, &change(&name, &role, &unit))?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::UserEdited, &user.login))?;
            print_edited(cli.json, &user);
        }
        Command::User(UserCommand::Disable { login }) => {
            let user = pg::set_disabled(&mut client, &login, true)?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::UserDisabled, &user.login))?;
            print_edited(cli.json, &user);
        }
        Command::User(UserCommand::Enable { login }) => {
            let user = pg::set_disabled(&mut client, &login, false)?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::UserEnabled, &user.login))?;
            print_edited(cli.json, &user);
        }
        Command::User(UserCommand::Password { login }) => {
            let password = read_password()?;
            crate::dashboard::auth::set_password(
                &crate::postgres::holdings::PgHoldings::new(&mut client),
                &login,
                &password,
            )?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::PasswordSet, &login))?;
            print(cli.json, json!({"password_set": login}), || format!("Đã đặt mật khẩu / password set for {login}"));
        }
        Command::Device(DeviceCommand::List) => print_devices(cli.json, &pg::devices(&mut client)?),
        Command::Check => {
            let report = crate::postgres::check::run(&mut client)?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::Checked, ""))?;
            print(cli.json, json!(report), || {
                let mut out = format!(
                    "Đã đọc / read: {} thay đổi / changes, {} tài liệu / documents\nThay đổi hỏng / damaged changes: {}\nTài liệu hỏng / damaged documents: {}",
                    report.changes_read,
                    report.documents_read,
                    report.damaged_changes.len(),
                    report.damaged_documents.len()
                );
                for id in report.damaged_changes.iter().chain(&report.damaged_documents) {
                    out.push_str(&format!("\n  {id}"));
                }
                if !(report.damaged_changes.is_empty() && report.damaged_documents.is_empty()) {
                    out.push_str(
                        "\nTrên PostgreSQL không cách ly: khôi phục từ bản sao lưu hoặc máy dự phòng (docs/deployment.md) / \
                         nothing is quarantined on PostgreSQL: restore from the backup or the standby (docs/deployment.md)",
                    );
                }
                out
            });
            if !(report.damaged_changes.is_empty() && report.damaged_documents.is_empty()) {
                return Err(DamageFound.into());
            }
        }
        Command::Backup { to } => {
            let bytes = crate::postgres::backup::dump(url, &to)?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::BackupTaken, &to.display().to_string()))?;
            print(cli.json, json!({"backup": to, "bytes": bytes}), || {
                format!("Đã sao lưu (pg_dump) / backed up (pg_dump) to {} ({bytes} byte)", to.display())
            });
        }
        Command::Restored => {
            let epoch = crate::postgres::feed::new_epoch(&mut client)?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::Restored, ""))?;
            print(cli.json, json!({"feed_epoch": epoch}), || {
                "Nhật ký thay đổi mang dấu mới: các thiết bị sẽ đối chiếu lại khi đồng bộ / \
                 the feed has a new epoch: devices will reconcile when they next sync"
                    .to_string()
            });
        }
        Command::Device(DeviceCommand::Revoke { device_id }) => {
            pg::revoke_device(&mut client, &device_id, now_ms())?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::DeviceRevoked, &device_id))?;
            print(cli.json, json!({"revoked": device_id}), || format!("Đã thu hồi / revoked {device_id}"));
        }
        Command::Code(CodeCommand::Create { user, ttl_hours, server_url, png }) => {
            let ttl = ttl_hours.clamp(1, 24 * 30) * 3_600_000;
            let key = pg::code_key(&mut client)?;
            let code = pg::create_code(&mut client, &key, &user, ttl, now_ms())?;
            crate::postgres::audit::record(&mut client, &done(audit::Action::CodeCreated, &user))?;
            show_code(&cli.data, cli.json, &code, &user, ttl_hours, server_url.as_deref(), png)?;
        }
        Command::Code(CodeCommand::List) => print_codes(cli.json, &pg::outstanding_codes(&mut client, now_ms())?),
        Command::Code(CodeCommand::Cancel { id, user }) => {
            let which = match (&id, &user) {
                (Some(id), _) => accounts::CodesToCancel::Id(id),
                (None, Some(login)) => accounts::CodesToCancel::OfUser(login),
                (None, None) => return Err(accounts::AccountError::NoSuchCode.into()),
            };
            let ids = pg::cancel_codes(&mut client, which, now_ms())?;
            for id in &ids {
                crate::postgres::audit::record(&mut client, &done(audit::Action::CodeCancelled, id))?;
            }
            print_cancelled(cli.json, &ids);
        }
        Command::Audit { limit, csv } => {
            print_audit(cli.json, csv.as_deref(), &crate::postgres::audit::latest(&mut client, limit)?)?
        }
        // `serve` is dispatched by `run`, `restore` above: neither needs a migrated connection.
        Command::Serve { .. } | Command::Restore { .. } => unreachable!("dispatched before"),
    }
    Ok(())
}

fn change<'a>(
    name: &'a Option<String>,
    role: &'a Option<String>,
    unit: &'a Option<String>,
) -> accounts::UserChange<'a> {
    accounts::UserChange { name: name.as_deref(), role: role.as_deref(), unit: unit.as_deref() }
}

/// What an administration command did, for the audit log: the operator's account, from the
/// command line.
fn done(action: audit::Action, target: &str) -> audit::Entry {
    audit::Entry::new(now_ms(), &audit::cli_actor(), action, target, "cli")
}

fn print_codes(json: bool, codes: &[accounts::OutstandingCode]) {
    print(json, json!(codes), || {
        let mut out = format!("{} mã còn hiệu lực / outstanding codes", codes.len());
        for c in codes {
            out.push_str(&format!(
                "\n  {}  {}  cấp / issued {}  hết hạn / expires {}",
                c.id,
                c.login,
                sotay_core::time::format_vietnam(c.created_at),
                sotay_core::time::format_vietnam(c.expires_at)
            ));
        }
        out
    });
}

fn print_cancelled(json: bool, ids: &[String]) {
    print(json, json!({"cancelled": ids}), || format!("Đã hủy / cancelled: {}", ids.join(", ")));
}

fn print_audit(
    json: bool,
    csv: Option<&std::path::Path>,
    entries: &[audit::Entry],
) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(path) = csv {
        use std::io::Write;
        let mut file = crate::private::file(path, false)?;
        file.write_all(&audit::csv(entries)?)?;
        print(json, json!({"csv": path, "entries": entries.len()}), || {
            format!("Đã ghi / wrote {} ({} dòng / entries)", path.display(), entries.len())
        });
        return Ok(());
    }
    print(json, json!(entries), || {
        entries
            .iter()
            .map(|e| {
                let label = e.action_label();
                format!(
                    "{}  {}  {} / {}  {}  {}",
                    sotay_core::time::format_vietnam(e.at),
                    e.actor,
                    label.vi,
                    label.en,
                    e.target,
                    e.origin
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

/// A password from standard input, never an argument: arguments show in `ps` and shell history.
fn read_password() -> std::io::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Prints a new code with its QR, and writes the QR's image.
fn show_code(
    data: &std::path::Path,
    json: bool,
    code: &str,
    user: &str,
    ttl_hours: i64,
    server_url: Option<&str>,
    png: Option<PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    let payload = qr::payload(code, server_url);
    if !qr::phones_accept(&payload) {
        eprintln!(
            "Cảnh báo: điện thoại chỉ nhận địa chỉ https:// (http:// chỉ cho 127.0.0.1, localhost); mã QR này sẽ bị từ chối / \
             warning: phones take https:// addresses only (http:// only for 127.0.0.1, localhost); they will refuse this QR code"
        );
    }
    let png = match png {
        Some(p) => p,
        None => qr::default_path(data, user, now_ms())?,
    };
    qr::png(&payload, &png)?;
    print(json, json!({"code": code, "user": user, "qr": payload, "png": png}), || {
        format!(
            "Mã đăng ký (dùng một lần, hiệu lực {ttl_hours} giờ) / enrollment code (single use, valid {ttl_hours} h): {code}\n{}\nẢnh QR / QR image: {}",
            qr::terminal(&payload).unwrap_or_default(),
            png.display()
        )
    });
    Ok(())
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(url) = cli.database.clone()
        && !matches!(cli.command, Command::Serve { .. })
    {
        return on_postgres(cli, &url);
    }
    let key = db::KeySource::from_env(cli.key_file.clone());
    // The database an administration command works on (never a new data directory).
    let existing = || -> Result<rusqlite::Connection, db::DbError> { db::Database::existing(&cli.data, &key)?.open() };
    match cli.command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            trust_forwarded_for,
            log_json,
            enrollments_per_minute,
            metrics_token,
            public_url,
            limits,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            if log_json {
                tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(serve::LogWriter).init();
            } else {
                tracing_subscriber::fmt().with_env_filter(filter).with_writer(serve::LogWriter).init();
            }
            serve::install_panic_hook();
            let config = serve::ServeConfig {
                data_dir: cli.data.clone(),
                database: cli.database.clone(),
                key: key.clone(),
                listen,
                tls: tls_cert.zip(tls_key),
                trust_forwarded_for,
                enrollments_per_minute,
                limits: limits.limits(),
                metrics_token: metrics_token.filter(|t| !t.is_empty()),
                public_url,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(serve::run(config, serve::shutdown_signal()))?;
        }
        Command::Backup { to } => {
            let bytes = db::Database::existing(&cli.data, &key)?.backup(&to)?;
            audit::record(&existing()?, &done(audit::Action::BackupTaken, &to.display().to_string()))?;
            print(cli.json, json!({"backup": to, "bytes": bytes}), || {
                format!("Đã sao lưu / backed up to {} ({bytes} byte)", to.display())
            });
        }
        Command::Restore { from } => {
            let aside = db::Database::for_restoring(&cli.data, &key)?.restore(&from, now_ms())?;
            audit::record(&existing()?, &done(audit::Action::Restored, &from.display().to_string()))?;
            print(cli.json, json!({"restored": from, "set_aside": aside}), || {
                format!(
                    "Đã khôi phục từ / restored from {}; cơ sở dữ liệu trước đó để ở / the database before it is kept at {}",
                    from.display(),
                    aside.display()
                )
            });
        }
        Command::Restored => return Err(RestoredIsForPostgres.into()),
        Command::Check => {
            let conn = existing()?;
            let report = crate::check::run(&conn, now_ms())?;
            audit::record(&conn, &done(audit::Action::Checked, ""))?;
            print(cli.json, json!(report), || {
                format!(
                    "Mục nhật ký hỏng / damaged feed entries: {}\nTài liệu hỏng / damaged documents: {}\nĐang cách ly / in quarantine: {}",
                    report.damaged_feed_entries,
                    report.damaged_documents,
                    report.quarantined.len()
                )
            });
            // What is in quarantine was found before and is damaged still.
            if report.damaged_feed_entries + report.damaged_documents > 0 || !report.quarantined.is_empty() {
                return Err(DamageFound.into());
            }
        }
        Command::User(UserCommand::Add { login, name, role, unit }) => {
            let conn = existing()?;
            let user = accounts::add_user(&conn, &login, &name, &role, &unit, now_ms())?;
            audit::record(&conn, &done(audit::Action::UserAdded, &user.login))?;
            print(cli.json, json!(user), || {
                format!("Đã tạo người dùng / created user {} ({}, {})", user.login, user.role.code(), user.unit)
            });
        }
        Command::User(UserCommand::List) => print_users(cli.json, &accounts::users(&existing()?)?),
        Command::User(UserCommand::Edit { login, name, role, unit }) => {
            let conn = existing()?;
            let user = accounts::edit_user(&conn, &login, &change(&name, &role, &unit))?;
            audit::record(&conn, &done(audit::Action::UserEdited, &user.login))?;
            print_edited(cli.json, &user);
        }
        Command::User(UserCommand::Disable { login }) => {
            let conn = existing()?;
            let user = accounts::set_disabled(&conn, &login, true)?;
            audit::record(&conn, &done(audit::Action::UserDisabled, &user.login))?;
            print_edited(cli.json, &user);
        }
        Command::User(UserCommand::Enable { login }) => {
            let conn = existing()?;
            let user = accounts::set_disabled(&conn, &login, false)?;
            audit::record(&conn, &done(audit::Action::UserEnabled, &user.login))?;
            print_edited(cli.json, &user);
        }
        Command::User(UserCommand::Password { login }) => {
            let conn = existing()?;
            let password = read_password()?;
            crate::dashboard::auth::set_password(&conn, &login, &password)?;
            audit::record(&conn, &done(audit::Action::PasswordSet, &login))?;
            print(cli.json, json!({"password_set": login}), || format!("Đã đặt mật khẩu / password set for {login}"));
        }
        Command::Device(DeviceCommand::List) => print_devices(cli.json, &accounts::devices(&existing()?)?),
        Command::Device(DeviceCommand::Revoke { device_id }) => {
            let conn = existing()?;
            accounts::revoke_device(&conn, &device_id, now_ms())?;
            audit::record(&conn, &done(audit::Action::DeviceRevoked, &device_id))?;
            print(cli.json, json!({"revoked": device_id}), || format!("Đã thu hồi / revoked {device_id}"));
        }
        Command::Code(CodeCommand::Create { user, ttl_hours, server_url, png }) => {
            let conn = existing()?;
            let ttl = ttl_hours.clamp(1, 24 * 30) * 3_600_000;
            let key = accounts::CodeKey::load_or_create(&cli.data)?;
            let code = accounts::create_code(&conn, &key, &user, ttl, now_ms())?;
            audit::record(&conn, &done(audit::Action::CodeCreated, &user))?;
            show_code(&cli.data, cli.json, &code, &user, ttl_hours, server_url.as_deref(), png)?;
        }
        Command::Code(CodeCommand::List) => {
            print_codes(cli.json, &accounts::outstanding_codes(&existing()?, now_ms())?)
        }
        Command::Code(CodeCommand::Cancel { id, user }) => {
            let conn = existing()?;
            let which = match (&id, &user) {
                (Some(id), _) => accounts::CodesToCancel::Id(id),
                (None, Some(login)) => accounts::CodesToCancel::OfUser(login),
                (None, None) => return Err(accounts::AccountError::NoSuchCode.into()),
            };
            let ids = accounts::cancel_codes(&conn, which, now_ms())?;
            for id in &ids {
                audit::record(&conn, &done(audit::Action::CodeCancelled, id))?;
            }
            print_cancelled(cli.json, &ids);
        }
        Command::Audit { limit, csv } => print_audit(cli.json, csv.as_deref(), &audit::latest(&existing()?, limit)?)?,
    }
    Ok(())
}
