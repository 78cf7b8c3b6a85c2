//! Villages (thôn, bản, tổ dân phố): the units below the commune, which have no national code
//! and are added by the commune's own people. Each is a document, so they sync like records.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::error::FieldError;

coded_enum! {
    pub enum VillageType {
        #[default]
        Thon = "thon" => ("Thôn", "Village (thôn)"),
        Ban = "ban" => ("Bản", "Hamlet (bản)"),
        ToDanPho = "to_dan_pho" => ("Tổ dân phố", "Residential group"),
        Xom = "xom" => ("Xóm", "Hamlet (xóm)"),
        Buon = "buon" => ("Buôn", "Village (buôn)"),
        Lang = "lang" => ("Làng", "Village (làng)"),
        Ap = "ap" => ("Ấp", "Hamlet (ấp)"),
        Plei = "plei" => ("Plei", "Village (plei)"),
        Other = "other" => ("Khác", "Other"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Village {
    pub name: String,
    pub village_type: VillageType,
    /// Households, as last counted.
    pub households: Option<u32>,
}

impl Village {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.name.trim().is_empty() {
            return Err(vec![FieldError::required("name")]);
        }
        Ok(())
    }
}
