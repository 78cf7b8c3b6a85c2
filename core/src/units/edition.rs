//! Editions of the unit list: each one in force over a span of dates, codes meaning a unit only
//! within their edition (02266 was Thị trấn Lăng Can until 2025-06-30, and is Xã Lâm Bình since).

use crate::coded_enum;

coded_enum! {
    /// The lists of units, oldest first. A document names its units in one edition; one written
    /// before editions were recorded names them in 2025-03, the only list this app had then.
    pub enum Edition {
        E2025_03 = "2025-03" => ("Đơn vị hành chính 01/03/2025 – 30/06/2025 (ba cấp)", "Units of 2025-03-01 to 2025-06-30 (three tiers)"),
        #[default]
        E2025_07 = "2025-07" => ("Đơn vị hành chính từ 01/07/2025 (hai cấp)", "Units since 2025-07-01 (two tiers)"),
    }
}

impl Edition {
    /// The edition new records, users and villages are written in.
    pub const CURRENT: Edition = Edition::E2025_07;

    /// The edition of a document that names none.
    pub const UNRECORDED: Edition = Edition::E2025_03;

    /// The first day the edition's units were in force.
    pub fn valid_from(self) -> &'static str {
        match self {
            Edition::E2025_03 => "2025-03-01",
            Edition::E2025_07 => "2025-07-01",
        }
    }

    /// The last day, for an edition that has been replaced.
    pub fn valid_to(self) -> Option<&'static str> {
        match self {
            Edition::E2025_03 => Some("2025-06-30"),
            Edition::E2025_07 => None,
        }
    }

    /// The edition a stored code is read in: the one named, or the one before editions were named.
    pub fn of_stored(code: Option<&str>) -> Option<Edition> {
        match code {
            None | Some("") => Some(Edition::UNRECORDED),
            Some(c) => Edition::from_code(c),
        }
    }
}
