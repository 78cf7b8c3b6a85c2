//! An administrator's enrollment code, as the QR code of `sotay-server code create` carries it
//! (`sotay://enroll?server=URL&code=CODE`) or as a person types it off paper.

/// The one-time code and, from a QR code, the server that issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentCode {
    pub code: String,
    pub server: Option<String>,
}

const PREFIX: &str = "sotay://enroll?";

impl EnrollmentCode {
    /// Reads a scanned QR payload or a typed code, in any case, with spaces. `None` when the
    /// text is neither, or names a server that is not an https address: a QR code could be
    /// anyone's, and over plain http the code and the device's token travel readable. Plain http
    /// is taken only for this machine (`127.0.0.1`, `localhost`, `[::1]`) and the Android
    /// emulator's host (`10.0.2.2`), for development.
    pub fn parse(text: &str) -> Option<EnrollmentCode> {
        let text = text.trim();
        let Some(query) = text.strip_prefix(PREFIX) else {
            return code_of(text).map(|code| EnrollmentCode { code, server: None });
        };
        // The server URL is written unescaped by the server, so it is everything up to `&code=`.
        let (server, code) = match query.split_once("&code=") {
            Some((s, c)) => (s.strip_prefix("server=")?, c),
            None => ("", query.strip_prefix("code=")?),
        };
        let server = match server.trim() {
            "" => None,
            s if is_web_address(s) => Some(s.to_string()),
            _ => return None,
        };
        Some(EnrollmentCode { code: code_of(code)?, server })
    }
}

/// Codes are letters, digits and dashes; people type them in lower case and with spaces.
fn code_of(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    let well_formed = (6..=40).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    well_formed.then_some(code)
}

fn is_web_address(s: &str) -> bool {
    let well_formed = |r: &str| !r.is_empty() && !r.chars().any(|c| c.is_whitespace() || c.is_control());
    if let Some(rest) = s.strip_prefix("https://") {
        return well_formed(rest);
    }
    let Some(rest) = s.strip_prefix("http://") else { return false };
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    well_formed(rest) && matches!(host, "127.0.0.1" | "localhost" | "::1" | "10.0.2.2")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(code: &str, server: Option<&str>) -> Option<EnrollmentCode> {
        Some(EnrollmentCode { code: code.into(), server: server.map(Into::into) })
    }

    #[test]
    fn reads_the_servers_qr_payload() {
        assert_eq!(
            EnrollmentCode::parse("sotay://enroll?server=https://sotay.tuyenquang.gov.vn&code=ABCDE-FGHIJ"),
            code("ABCDE-FGHIJ", Some("https://sotay.tuyenquang.gov.vn"))
        );
        assert_eq!(
            EnrollmentCode::parse("sotay://enroll?server=http://10.0.2.2:8080/&code=abcde-fghij\n"),
            code("ABCDE-FGHIJ", Some("http://10.0.2.2:8080/"))
        );
        assert_eq!(EnrollmentCode::parse("sotay://enroll?code=ABCDE-FGHIJ"), code("ABCDE-FGHIJ", None));
        assert_eq!(
            EnrollmentCode::parse("sotay://enroll?server=http://127.0.0.1:39825&code=ABCDE-FGHIJ"),
            code("ABCDE-FGHIJ", Some("http://127.0.0.1:39825"))
        );
        assert_eq!(
            EnrollmentCode::parse("sotay://enroll?server=http://[::1]:8080/&code=ABCDE-FGHIJ"),
            code("ABCDE-FGHIJ", Some("http://[::1]:8080/"))
        );
    }

    #[test]
    fn reads_a_typed_code() {
        assert_eq!(EnrollmentCode::parse("  abcde-fghij "), code("ABCDE-FGHIJ", None));
        assert_eq!(EnrollmentCode::parse("abcde - fghij"), code("ABCDE-FGHIJ", None));
    }

    #[test]
    fn refuses_what_is_not_a_code() {
        for text in [
            "",
            "xin chào",
            "ABC",
            "mã-đăng-ký-123",
            "sotay://enroll?server=javascript:alert(1)&code=ABCDE-FGHIJ",
            "sotay://enroll?server=https://&code=ABCDE-FGHIJ",
            "sotay://enroll?server=https://x.vn",
            "sotay://enroll?foo=bar&code=ABCDE-FGHIJ",
            "sotay://enroll?server=https://x.vn&code=ABC/../DEF",
            // Plain http to anywhere but this machine: the code and token would travel readable.
            "sotay://enroll?server=http://sotay.tuyenquang.gov.vn&code=ABCDE-FGHIJ",
            "sotay://enroll?server=http://127.0.0.1.evil.vn&code=ABCDE-FGHIJ",
            "sotay://enroll?server=http://192.168.1.10:8080&code=ABCDE-FGHIJ",
        ] {
            assert_eq!(EnrollmentCode::parse(text), None, "{text:?}");
        }
    }
}
