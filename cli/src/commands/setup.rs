//! `init` and `profile`.

use std::sync::Arc;

use serde_json::json;
use sotay_core::Lang;
use sotay_core::store::{NewProfile, Role, Store};
use sotay_core::time::SystemClock;

use crate::args::{Cli, InitArgs};
use crate::error::CliError;
use crate::render;

pub fn init(cli: &Cli, a: &InitArgs) -> Result<(), CliError> {
    let role = Role::from_code(&a.role).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        CliError::usage(
            format!("vai trò phải là một trong: {}", all.join(", ")),
            format!("role must be one of: {}", all.join(", ")),
        )
    })?;
    if cli.store.exists() {
        return Err(sotay_core::CoreError::StoreExists { path: cli.store.display().to_string() }.into());
    }
    let (key, written) = crate::key::for_new_store(cli)?;
    let profile = NewProfile { user_id: a.user.clone(), display_name: a.name.clone(), role, unit: a.unit.clone() };
    let created = Store::create(&cli.store, &key, profile, Arc::new(SystemClock));
    let store = match created {
        Ok(s) => s,
        Err(e) => {
            // A key generated for a store that was not created is of no use.
            if let Some(path) = &written {
                let _ = std::fs::remove_file(path);
            }
            return Err(e.into());
        }
    };
    if cli.json {
        render::json(&json!({"profile": store.profile(), "key_file": written}));
    } else {
        let p = store.profile();
        match cli.lang {
            Lang::Vi => say!(
                "Đã tạo kho {} cho {} ({}), {}.",
                cli.store.display(),
                p.display_name,
                p.role.label().vi,
                render::unit(&p.unit)
            ),
            Lang::En => say!(
                "Created store {} for {} ({}), {}.",
                cli.store.display(),
                p.display_name,
                p.role.label().en,
                render::unit(&p.unit)
            ),
        }
        if let Some(path) = written {
            say!(
                "Khóa mã hóa mới được ghi vào {0}; hãy giữ kín và sao lưu tệp này. / A new encryption key was written to {0}; keep it secret and back it up.",
                path.display()
            );
        }
    }
    Ok(())
}

pub fn profile(cli: &Cli) -> Result<(), CliError> {
    let store = super::open(cli)?;
    let p = store.profile();
    if cli.json {
        render::json(p);
    } else {
        say!("{}: {} ({})", if cli.lang == Lang::Vi { "Người dùng" } else { "User" }, p.display_name, p.user_id);
        say!("{}: {}", if cli.lang == Lang::Vi { "Vai trò" } else { "Role" }, p.role.label().get(cli.lang));
        say!("{}: {}", if cli.lang == Lang::Vi { "Đơn vị" } else { "Unit" }, render::unit(&p.unit));
        say!("{}: {}", if cli.lang == Lang::Vi { "Thiết bị" } else { "Device" }, p.device_id);
    }
    Ok(())
}
