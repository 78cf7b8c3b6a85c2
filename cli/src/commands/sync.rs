//! `enroll`, `sync`, `status`.

use std::sync::Arc;

use serde_json::json;
use sotay_core::Lang;
use sotay_core::store::{NewProfile, Store};
use sotay_core::sync::http::{Cancel, SyncObserver, SyncReport, Transport, sync_with};
use sotay_core::time::{SystemClock, format_vietnam};

use crate::args::Cli;
use crate::error::CliError;
use crate::render;

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::File { path: "tokio runtime".into(), source: e })
}

pub fn enroll(cli: &Cli, server: &str, code: &str, device_name: &str) -> Result<(), CliError> {
    let transport = Transport::new(server)?;
    let former = if cli.store.exists() { Some(super::open(cli)?.profile().device_id.clone()) } else { None };
    let enrollment = runtime()?.block_on(transport.enroll(code, device_name, former.as_deref()))?;
    // A new device starts its store from what the server says about its user.
    let mut store = if cli.store.exists() {
        super::open(cli)?
    } else {
        let (key, written) = crate::key::for_new_store(cli)?;
        let profile = NewProfile {
            user_id: enrollment.login.clone(),
            display_name: enrollment.display_name.clone(),
            role: enrollment.role,
            unit: enrollment.unit.clone(),
        };
        let store = Store::create(&cli.store, &key, profile, Arc::new(SystemClock))?;
        if let (Some(path), false) = (written, cli.json) {
            say!("Khóa mã hóa mới được ghi vào {0} / a new encryption key was written to {0}", path.display());
        }
        store
    };
    store.set_enrollment(&enrollment)?;
    if cli.json {
        render::json(
            &json!({"device_id": enrollment.device_id, "login": enrollment.login, "role": enrollment.role, "unit": enrollment.unit, "server": server}),
        );
    } else {
        let (vi, en) = (enrollment.role.label().vi, enrollment.role.label().en);
        say!(
            "Đã đăng ký thiết bị {} cho {} ({vi}) / enrolled device for {} ({en}), {}",
            enrollment.device_id,
            enrollment.display_name,
            enrollment.login,
            render::unit(&enrollment.unit)
        );
    }
    Ok(())
}

pub fn sync(cli: &Cli, with_attachments: bool) -> Result<(), CliError> {
    let mut store = super::open(cli)?;
    let (url, _, _) = store.enrollment()?.ok_or(sotay_core::CoreError::NotEnrolled)?;
    let transport = Transport::new(&url)?;
    let progress = Progress::new(cli.lang);
    let lock = tokio::sync::Mutex::new(&mut store);
    let access = || async { tokio::sync::MutexGuard::map(lock.lock().await, |s| &mut **s) };
    let done = runtime()?.block_on(sync_with(access, &transport, &progress, &Cancel::default(), with_attachments));
    progress.finish();
    let report = done?;
    if cli.json {
        render::json(&report);
    } else {
        match cli.lang {
            Lang::Vi => say!(
                "Đã đồng bộ: gửi {} thay đổi, nhận {} thay đổi của {} hồ sơ; {} lượt, {} byte gửi, {} byte nhận.",
                report.pushed_changes,
                report.received_changes,
                report.received_docs,
                report.round_trips,
                report.bytes_sent,
                report.bytes_received
            ),
            Lang::En => say!(
                "Synced: sent {} changes, received {} changes of {} documents; {} round trips, {} bytes sent, {} received.",
                report.pushed_changes,
                report.received_changes,
                report.received_docs,
                report.round_trips,
                report.bytes_sent,
                report.bytes_received
            ),
        }
        if report.attachments_sent + report.attachments_received > 0 {
            say!(
                "Tệp đính kèm: gửi {}, nhận {} / attachments: sent {}, received {}",
                report.attachments_sent,
                report.attachments_received,
                report.attachments_sent,
                report.attachments_received
            );
        }
        for doc in &report.rejected {
            say!("Máy chủ từ chối / refused by the server: {doc}");
        }
    }
    Ok(())
}

/// How a sync advances, on standard error (standard output keeps the result, and its JSON): a
/// spinner with the counts on a terminal, a plain line per round trip otherwise, so that a log
/// or a script sees that a long sync is alive.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lang: Lang,
}

impl Progress {
    fn new(lang: Lang) -> Progress {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar.set_message(if lang == Lang::Vi { "đang kết nối…" } else { "connecting…" });
            bar
        });
        Progress { bar, lang }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One line of a sync's progress.
fn progress_line(r: &SyncReport, lang: Lang) -> String {
    let w = |vi: &'static str, en: &'static str| sotay_core::labels::Label::new(vi, en).get(lang);
    format!(
        "{} {}: {} {} {}, {} {} {} {} {}, {} {}; {} KB {}, {} KB {}",
        w("lượt", "round"),
        r.round_trips,
        w("gửi", "sent"),
        r.pushed_changes,
        w("thay đổi", "changes"),
        w("nhận", "received"),
        r.received_changes,
        w("thay đổi của", "changes of"),
        r.received_docs,
        w("hồ sơ", "documents"),
        r.attachments_sent + r.attachments_received,
        w("tệp", "files"),
        r.bytes_sent.div_ceil(1024),
        w("gửi", "sent"),
        r.bytes_received.div_ceil(1024),
        w("nhận", "received"),
    )
}

impl SyncObserver for Progress {
    fn progress(&self, report: &SyncReport) {
        let line = progress_line(report, self.lang);
        match &self.bar {
            Some(bar) => bar.set_message(line),
            None => eprintln!("{line}"),
        }
    }
}

pub fn status(cli: &Cli) -> Result<(), CliError> {
    let store = super::open(cli)?;
    let s = store.sync_status()?;
    if cli.json {
        render::json(&s);
        return Ok(());
    }
    let vi = cli.lang == Lang::Vi;
    match &s.server_url {
        Some(url) => say!("{}: {url}", if vi { "Máy chủ" } else { "Server" }),
        None => say!("{}", if vi { "Chưa đăng ký với máy chủ." } else { "Not enrolled with a server." }),
    }
    say!("{}: {}", if vi { "Hồ sơ chờ gửi" } else { "Documents waiting to be sent" }, s.pending);
    let last = s.last_sync_at.map(format_vietnam).unwrap_or_else(|| "—".into());
    say!("{}: {last}", if vi { "Lần đồng bộ cuối" } else { "Last sync" });
    if let Some(e) = &s.last_error {
        say!("{}: {e}", if vi { "Lỗi gần nhất" } else { "Last error" });
    }
    for r in &s.rejected {
        let (doc, reason) = (&r.id, &r.reason);
        say!("{} {doc}: {reason}", if vi { "Bị từ chối" } else { "Refused" });
    }
    Ok(())
}
