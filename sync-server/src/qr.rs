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

pub fn png(data: &str, path: &Path) -> Result<(), String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| e.to_string())?;
    let image = code.render::<image::Luma<u8>>().min_dimensions(320, 320).build();
    image.save(path).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
