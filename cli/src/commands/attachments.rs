//! Files attached to records: `attach`, `attachment`.

use std::path::Path;

use sotay_core::Lang;
use sotay_core::record::attachment::MAX_ATTACHMENT_BYTES;

use crate::args::Cli;
use crate::error::CliError;
use crate::render;

/// The media type a file's extension names; the core refuses any other.
fn media_type(path: &Path) -> Result<&'static str, CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jpg" | "jpeg") => Ok("image/jpeg"),
        Some("png") => Ok("image/png"),
        Some("pdf") => Ok("application/pdf"),
        _ => Err(CliError::usage("tệp phải là .jpg, .png hoặc .pdf", "the file must be .jpg, .png or .pdf")),
    }
}

pub fn attach(cli: &Cli, id: &str, file: &Path, name: Option<&str>) -> Result<(), CliError> {
    let media_type = media_type(file)?;
    let too_big = || CliError::usage("tệp quá 10 MiB", "the file is over 10 MiB");
    let size =
        std::fs::metadata(file).map_err(|source| CliError::File { path: file.display().to_string(), source })?.len();
    if size > MAX_ATTACHMENT_BYTES {
        return Err(too_big());
    }
    let data = std::fs::read(file).map_err(|source| CliError::File { path: file.display().to_string(), source })?;
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let mut store = super::open(cli)?;
    let id = super::record_id(&store, id)?;
    let reference = store.attach(&id, &name, media_type, &data)?;
    if cli.json {
        render::json(&reference);
    } else {
        let said = if cli.lang == Lang::Vi { "Đã đính kèm" } else { "Attached" };
        say!("{said}: {} ({} byte, SHA-256 {})", reference.name, reference.size, reference.sha256);
    }
    Ok(())
}

pub fn save(cli: &Cli, sha256: &str, out: &Path) -> Result<(), CliError> {
    let store = super::open(cli)?;
    let data = store.attachment(sha256)?.ok_or_else(|| {
        CliError::usage(
            "máy này chưa có tệp này (đồng bộ khi có Wi-Fi)",
            "this device does not have the file yet (sync on Wi-Fi)",
        )
    })?;
    std::fs::write(out, &data).map_err(|source| CliError::File { path: out.display().to_string(), source })?;
    if !cli.json {
        say!("{} byte → {}", data.len(), out.display());
    }
    Ok(())
}
