//! The administrative units of Vietnam, from the MIT-licensed dataset
//! ThangLeQuoc/vietnamese-provinces-database (v2.4.0; see `core/data/vn-admin-units/`), as in
//! force from 2025-03-01. Units are merged and renamed by resolution, so each carries its
//! validity and successor; the hierarchy is data, not code.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::text::fold;

/// The dataset shipped in the binary.
const UNITS_JSON: &str = include_str!("../../data/vn-admin-units/units-2025-03.json");
/// Where the dataset came from, recorded with every unit.
pub const SOURCE: &str = "ThangLeQuoc/vietnamese-provinces-database v2.4.0 (MIT)";
/// The date the dataset's units took effect (Resolution 1365/NQ-UBTVQH15).
pub const VALID_FROM: &str = "2025-03-01";

coded_enum! {
    pub enum UnitLevel {
        #[default]
        Province = "province" => ("Tỉnh, thành phố", "Province"),
        District = "district" => ("Quận, huyện, thị xã", "District"),
        Commune = "commune" => ("Xã, phường, thị trấn", "Commune"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminUnit {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent: Option<String>,
    pub valid_from: String,
    /// When the unit ceased to exist, if it has.
    pub valid_to: Option<String>,
    /// The unit it was merged into, if it was.
    pub successor: Option<String>,
}

/// All units, indexed by code.
pub struct Catalogue {
    units: Vec<AdminUnit>,
    by_code: HashMap<String, usize>,
    folded_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawProvince {
    code: String,
    full_name: String,
    district: Option<Vec<RawDistrict>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDistrict {
    code: String,
    full_name: String,
    ward: Option<Vec<RawWard>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawWard {
    code: String,
    full_name: String,
}

impl Catalogue {
    fn parse(json: &str) -> Catalogue {
        // The dataset is compiled in and checked by a test; an empty catalogue rather than a
        // panic if it were ever damaged.
        let provinces: Vec<RawProvince> = serde_json::from_str(json).unwrap_or_default();
        let mut units = Vec::with_capacity(11_000);
        let unit = |code: &str, name: &str, level, parent: Option<&str>| AdminUnit {
            code: code.to_string(),
            name: crate::text::nfc(name),
            level,
            parent: parent.map(str::to_string),
            valid_from: VALID_FROM.to_string(),
            valid_to: None,
            successor: None,
        };
        for p in &provinces {
            units.push(unit(&p.code, &p.full_name, UnitLevel::Province, None));
            for d in p.district.iter().flatten() {
                units.push(unit(&d.code, &d.full_name, UnitLevel::District, Some(&p.code)));
                for w in d.ward.iter().flatten() {
                    units.push(unit(&w.code, &w.full_name, UnitLevel::Commune, Some(&d.code)));
                }
            }
        }
        let by_code = units.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
        let folded_names = units.iter().map(|u| fold(&u.name)).collect();
        Catalogue { units, by_code, folded_names }
    }

    pub fn get(&self, code: &str) -> Option<&AdminUnit> {
        self.by_code.get(code).map(|&i| &self.units[i])
    }

    pub fn all(&self) -> &[AdminUnit] {
        &self.units
    }

    pub fn children<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a AdminUnit> + 'a {
        self.units.iter().filter(move |u| u.parent.as_deref() == Some(code))
    }

    /// The unit and its ancestors, nearest first.
    pub fn lineage(&self, code: &str) -> Vec<&AdminUnit> {
        let mut out = Vec::new();
        let mut next = self.get(code);
        while let Some(u) = next {
            out.push(u);
            next = u.parent.as_deref().and_then(|p| self.get(p));
        }
        out
    }

    /// Units whose names contain every word of `query`, ignoring case and diacritics.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&AdminUnit> {
        let words: Vec<String> = fold(query).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
        if words.is_empty() {
            return Vec::new();
        }
        self.units
            .iter()
            .zip(&self.folded_names)
            .filter(|(_, name)| {
                let name_words: Vec<&str> = name.split(' ').collect();
                words.iter().all(|w| name_words.iter().any(|n| n.starts_with(w.as_str())))
            })
            .map(|(u, _)| u)
            .take(limit)
            .collect()
    }
}

/// The catalogue, parsed on first use (a few milliseconds) and kept.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::parse(UNITS_JSON))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_dataset_is_complete() {
        let c = catalogue();
        let count = |level| c.all().iter().filter(|u| u.level == level).count();
        assert_eq!(count(UnitLevel::Province), 63);
        assert_eq!(count(UnitLevel::District), 696);
        assert_eq!(count(UnitLevel::Commune), 10_035);
    }

    #[test]
    fn lineage_and_search_work_on_real_names() {
        let c = catalogue();
        let names: Vec<&str> = c.lineage("02233").iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Xã Phúc Yên", "Huyện Lâm Bình", "Tỉnh Tuyên Quang"]);
        let found: Vec<&str> = c.search("lam binh", 10).iter().map(|u| u.code.as_str()).collect();
        assert!(found.contains(&"071"), "{found:?}");
        assert!(c.search("Phúc Yên", 50).iter().any(|u| u.code == "02233"));
        assert!(c.get("99999").is_none());
    }
}
