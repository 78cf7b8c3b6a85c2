//! `enroll`, `sync`, `status`.

use std::sync::Arc;

use serde_json::json;
use sotay_core::Lang;
use sotay_core::store::{NewProfile, Store};
use sotay_core::sync::http::{Transport, sync_store};
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
    let report = runtime()?.block_on(sync_store(&mut store, &transport, with_attachments))?;
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
