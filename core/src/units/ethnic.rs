//! The 54 ethnic groups of Vietnam with their GSO codes (Decision 1019/QĐ-TCTK, 2008).
//! Ethnicity is sensitive personal data (Decree 356/2025): Sổ Tay only ever counts attendees by
//! group, never records a person's ethnicity.

use serde::Serialize;

/// The code system every ethnic code is stored with.
pub const CODE_SYSTEM: &str = "gso-1019-2008";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EthnicGroup {
    pub code: &'static str,
    pub name: &'static str,
}

pub const GROUPS: [EthnicGroup; 54] = {
    const fn g(code: &'static str, name: &'static str) -> EthnicGroup {
        EthnicGroup { code, name }
    }
    [
        g("01", "Kinh"),
        g("02", "Tày"),
        g("03", "Thái"),
        g("04", "Mường"),
        g("05", "Khmer"),
        g("06", "Hoa"),
        g("07", "Nùng"),
        g("08", "Mông"),
        g("09", "Dao"),
        g("10", "Gia Rai"),
        g("11", "Ngái"),
        g("12", "Ê Đê"),
        g("13", "Ba Na"),
        g("14", "Xơ Đăng"),
        g("15", "Sán Chay"),
        g("16", "Cơ Ho"),
        g("17", "Chăm"),
        g("18", "Sán Dìu"),
        g("19", "Hrê"),
        g("20", "Mnông"),
        g("21", "Ra Glai"),
        g("22", "Xtiêng"),
        g("23", "Bru Vân Kiều"),
        g("24", "Thổ"),
        g("25", "Giáy"),
        g("26", "Cơ Tu"),
        g("27", "Gié Triêng"),
        g("28", "Mạ"),
        g("29", "Khơ Mú"),
        g("30", "Co"),
        g("31", "Tà Ôi"),
        g("32", "Chơ Ro"),
        g("33", "Kháng"),
        g("34", "Xinh Mun"),
        g("35", "Hà Nhì"),
        g("36", "Chu Ru"),
        g("37", "Lào"),
        g("38", "La Chí"),
        g("39", "La Ha"),
        g("40", "Phù Lá"),
        g("41", "La Hủ"),
        g("42", "Lự"),
        g("43", "Lô Lô"),
        g("44", "Chứt"),
        g("45", "Mảng"),
        g("46", "Pà Thẻn"),
        g("47", "Cơ Lao"),
        g("48", "Cống"),
        g("49", "Bố Y"),
        g("50", "Si La"),
        g("51", "Pu Péo"),
        g("52", "Brâu"),
        g("53", "Ơ Đu"),
        g("54", "Rơ Măm"),
    ]
};

pub fn group(code: &str) -> Option<&'static EthnicGroup> {
    GROUPS.iter().find(|g| g.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_run_01_to_54_without_gaps() {
        for (i, g) in GROUPS.iter().enumerate() {
            assert_eq!(g.code, format!("{:02}", i + 1));
        }
        assert_eq!(group("08").unwrap().name, "Mông");
        assert!(group("55").is_none());
    }
}
