//! Enrollment codes as QR codes: in the terminal, and as a PNG to print or send.

use std::path::Path;

use qrcode::QrCode;
use qrcode::render::unicode;

/// What the QR code carries: a link the app understands, or the bare code.
pub fn payload(code: &str, server_url: Option<&str>) -> String {
    match server_url {
        Some(url) => format!("sotay://enroll?server={url}&code={code}"),
        None => code.to_string(),
    }
}

/// Whether the phones will take the server address in the payload (they take `https://`, and plain
/// `http://` only for loopback and the emulator's host; the core's `phone::EnrollmentCode`).
pub fn phones_accept(payload: &str) -> bool {
    sotay_core::phone::EnrollmentCode::parse(payload).is_some()
}

pub fn terminal(data: &str) -> Result<String, qrcode::types::QrError> {
    Ok(QrCode::new(data.as_bytes())?.render::<unicode::Dense1x2>().quiet_zone(true).build())
}

/// The QR code as an SVG image, for a page to print (the dashboard's enrollment card).
pub fn svg(data: &str) -> Result<String, qrcode::types::QrError> {
    let svg = QrCode::new(data.as_bytes())?.render::<qrcode::render::svg::Color<'_>>().min_dimensions(240, 240).build();
    // Inside an HTML page, the image without its XML declaration.
    Ok(svg.find("<svg").map(|at| svg[at..].to_string()).unwrap_or(svg))
}

/// Writes the QR image, readable by its owner only: it carries a code that enrolls a device.
pub fn png(data: &str, path: &Path) -> Result<(), String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| e.to_string())?;
    let image = code.render::<image::Luma<u8>>().min_dimensions(320, 320).build();
    let file = crate::private::file(path, false).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    image.write_to(&mut out, image::ImageFormat::Png).map_err(|e| e.to_string())
}

/// Where a code's image goes unless told: `codes/` in the data directory (0700), one file per
/// code, so that none overwrites another.
pub fn default_path(data_dir: &Path, login: &str, now_ms: i64) -> Result<std::path::PathBuf, String> {
    let dir = data_dir.join("codes");
    crate::private::dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir.join(format!("sotay-enroll-{login}-{now_ms}.png")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn images_are_for_their_owner_only_and_never_overwrite_each_other() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = default_path(dir.path(), "nguyen.van.a", 1).unwrap();
        let b = default_path(dir.path(), "nguyen.van.a", 2).unwrap();
        assert_ne!(a, b);
        png("sotay:ABCDE-12345", &a).unwrap();
        assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(a.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert!(std::fs::read(&a).unwrap().starts_with(b"\x89PNG"));
    }

    #[test]
    fn says_when_the_phones_would_refuse_the_address() {
        assert!(phones_accept(&payload("ABCDE-12345", Some("https://sotay.tuyenquang.gov.vn"))));
        assert!(phones_accept(&payload("ABCDE-12345", Some("http://127.0.0.1:8080"))));
        assert!(phones_accept(&payload("ABCDE-12345", None)));
        assert!(!phones_accept(&payload("ABCDE-12345", Some("http://192.168.1.10:8080"))));
    }

    #[test]
    fn renders_the_code_in_both_forms() {
        let data = payload("ABCDE-12345", Some("https://sotay.example.vn"));
        let text = terminal(&data).unwrap();
        assert!(text.lines().count() > 10);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("code.png");
        png(&data, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
}
