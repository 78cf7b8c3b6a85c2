//! The administrative units of Vietnam, from the MIT-licensed dataset
//! ThangLeQuoc/vietnamese-provinces-database (see `core/data/vn-admin-units/`), in two editions:
//! 2025-03 (63 provinces → districts → communes) and 2025-07 (34 provinces → 3,321 communes,
//! in force since 2025-07-01). Units are merged and renamed by resolution, and codes are reused,
//! so a code means a unit only within its edition; former units link to their successors.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::edition::Edition;
use super::succession::{self, Former, MergerRow, Unread};
use crate::coded_enum;
use crate::text::fold;

const UNITS_2025_03: &str = include_str!("../../data/vn-admin-units/units-2025-03.json");
const UNITS_2025_07: &str = include_str!("../../data/vn-admin-units/units-2025-07-full.json");
const MERGERS_2025_07: &str = include_str!("../../data/vn-admin-units/predecessors-2025-07.json");
/// Where the dataset came from, recorded with every unit.
pub const SOURCE: &str = "ThangLeQuoc/vietnamese-provinces-database v2.4.0, v4.2.0 (MIT)";

coded_enum! {
    pub enum UnitLevel {
        #[default]
        Province = "province" => ("Tỉnh, thành phố", "Province"),
        /// Only in the 2025-03 edition: districts were abolished on 2025-07-01.
        District = "district" => ("Quận, huyện, thị xã (đến 30/06/2025)", "District (until 2025-06-30)"),
        Commune = "commune" => ("Xã, phường, đặc khu", "Commune, ward, special zone"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminUnit {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub level: UnitLevel,
    pub parent: Option<String>,
    pub edition: Edition,
    pub valid_from: String,
    /// When the unit ceased to exist, if it has.
    pub valid_to: Option<String>,
    /// The unit of the next edition whose figures its records join: the one that took the whole
    /// of it (or its only successor). None for a unit in force, or one divided with no part
    /// named whole.
    pub successor: Option<String>,
    /// Every unit of the next edition formed wholly or partly from it.
    pub successors: Vec<String>,
}

/// Where a unit of any edition lies among the units in force.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Placement {
    /// The commune in force, when there is exactly one (none for a province, or a former
    /// commune divided with no part named whole).
    pub commune: Option<String>,
    pub province: Option<String>,
}

/// Where a document is filed among the units in force, from the unit and commune it names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filing {
    /// A village's id as written; otherwise the commune or province in force.
    pub unit: String,
    /// The commune in force; empty above the commune, or for a former commune divided with no
    /// part named whole (its records are then filed under the province).
    pub commune: String,
    pub province: Option<String>,
}

/// All units of every edition, indexed by edition and code.
pub struct Catalogue {
    units: Vec<AdminUnit>,
    by_code: HashMap<(Edition, String), usize>,
    folded_names: Vec<String>,
    unread: Vec<Unread>,
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawProvince2025 {
    code: String,
    full_name: String,
    full_name_en: Option<String>,
    wards: Vec<RawWard2025>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawWard2025 {
    code: String,
    full_name: String,
    full_name_en: Option<String>,
}

fn unit(edition: Edition, code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> AdminUnit {
    AdminUnit {
        code: code.to_string(),
        name: crate::text::nfc(name),
        name_en: None,
        level,
        parent: parent.map(str::to_string),
        edition,
        valid_from: edition.valid_from().to_string(),
        valid_to: edition.valid_to().map(str::to_string),
        successor: None,
        successors: Vec::new(),
    }
}

impl Catalogue {
    fn parse(former: &str, current: &str, mergers: &str) -> Catalogue {
        // The datasets are compiled in and checked by tests; an empty edition rather than a
        // panic if one were ever damaged.
        let former: Vec<RawProvince> = serde_json::from_str(former).unwrap_or_default();
        let current: Vec<RawProvince2025> = serde_json::from_str(current).unwrap_or_default();
        let mergers: Vec<MergerRow> = serde_json::from_str(mergers).unwrap_or_default();
        let mut units = Vec::with_capacity(14_500);
        let mut former_provinces = Vec::new();
        let mut former_communes = Vec::new();
        for p in &former {
            units.push(unit(Edition::E2025_03, &p.code, &p.full_name, UnitLevel::Province, None));
            former_provinces.push(Former {
                code: p.code.clone(),
                full_name: p.full_name.clone(),
                province: p.code.clone(),
                district_name: String::new(),
            });
            for d in p.district.iter().flatten() {
                units.push(unit(Edition::E2025_03, &d.code, &d.full_name, UnitLevel::District, Some(&p.code)));
                for w in d.ward.iter().flatten() {
                    units.push(unit(Edition::E2025_03, &w.code, &w.full_name, UnitLevel::Commune, Some(&d.code)));
                    former_communes.push(Former {
                        code: w.code.clone(),
                        full_name: w.full_name.clone(),
                        province: p.code.clone(),
                        district_name: d.full_name.clone(),
                    });
                }
            }
        }
        for p in &current {
            let mut province = unit(Edition::E2025_07, &p.code, &p.full_name, UnitLevel::Province, None);
            province.name_en = p.full_name_en.clone();
            units.push(province);
            for w in &p.wards {
                let mut commune = unit(Edition::E2025_07, &w.code, &w.full_name, UnitLevel::Commune, Some(&p.code));
                commune.name_en = w.full_name_en.clone();
                units.push(commune);
            }
        }
        let by_code: HashMap<(Edition, String), usize> =
            units.iter().enumerate().map(|(i, u)| ((u.edition, u.code.clone()), i)).collect();

        let (formed_from, mut unread) = succession::provinces(&mergers, &former_provinces);
        let communes = succession::communes(&mergers, &former_communes, &formed_from);
        unread.extend(communes.unread);
        let mut links: Vec<(String, Vec<String>, Option<String>)> = communes
            .links
            .iter()
            .map(|(code, l)| {
                let primary = succession::primary(l).map(str::to_string);
                (code.clone(), l.iter().map(|l| l.successor.clone()).collect(), primary)
            })
            .collect();
        for (new, olds) in &formed_from {
            for old in olds {
                links.push((old.clone(), vec![new.clone()], Some(new.clone())));
            }
        }
        for (code, successors, primary) in links {
            if let Some(&i) = by_code.get(&(Edition::E2025_03, code)) {
                units[i].successors = successors;
                units[i].successor = primary;
            }
        }
        let folded_names = units.iter().map(|u| fold(&u.name)).collect();
        Catalogue { units, by_code, folded_names, unread }
    }

    /// A unit in force.
    pub fn get(&self, code: &str) -> Option<&AdminUnit> {
        self.get_in(Edition::CURRENT, code)
    }

    pub fn get_in(&self, edition: Edition, code: &str) -> Option<&AdminUnit> {
        self.by_code.get(&(edition, code.to_string())).map(|&i| &self.units[i])
    }

    /// Every unit of every edition.
    pub fn all(&self) -> &[AdminUnit] {
        &self.units
    }

    /// The units of one edition.
    pub fn edition(&self, edition: Edition) -> impl Iterator<Item = &AdminUnit> + '_ {
        self.units.iter().filter(move |u| u.edition == edition)
    }

    /// The units in force directly below `code`.
    pub fn children<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a AdminUnit> + 'a {
        self.edition(Edition::CURRENT).filter(move |u| u.parent.as_deref() == Some(code))
    }

    /// A unit in force and its ancestors, nearest first.
    pub fn lineage(&self, code: &str) -> Vec<&AdminUnit> {
        self.lineage_in(Edition::CURRENT, code)
    }

    pub fn lineage_in(&self, edition: Edition, code: &str) -> Vec<&AdminUnit> {
        let mut out = Vec::new();
        let mut next = self.get_in(edition, code);
        // Bounded by the depth of the hierarchy: a damaged parent link cannot loop.
        while let Some(u) = next.filter(|_| out.len() < 4) {
            out.push(u);
            next = u.parent.as_deref().and_then(|p| self.get_in(edition, p));
        }
        out
    }

    /// Where a unit of any edition lies among the units in force: a former commune by the
    /// successor that took it, a former district or province by the province it became part of.
    /// None for a code its edition does not have.
    pub fn place(&self, edition: Edition, code: &str) -> Option<Placement> {
        let u = self.get_in(edition, code)?;
        if edition == Edition::CURRENT {
            return Some(match u.level {
                UnitLevel::Commune => Placement { commune: Some(u.code.clone()), province: u.parent.clone() },
                _ => Placement { commune: None, province: Some(u.code.clone()) },
            });
        }
        if let (UnitLevel::Commune, Some(s)) = (u.level, &u.successor) {
            return self.place(Edition::CURRENT, s);
        }
        // A district, a province, or a commune divided with no part named whole: the province the
        // one it lay in became part of.
        let province_now = self.lineage_in(edition, code).last().and_then(|p| p.successor.clone());
        Some(Placement { commune: None, province: province_now })
    }

    /// Files a document naming `unit` in `commune` (both codes of `edition`; the unit may be a
    /// village's id, the commune empty above the commune level). None for a code the edition lacks.
    pub fn file(&self, edition: Edition, unit: &str, commune: &str) -> Option<Filing> {
        let placed = self.place(edition, if commune.is_empty() { unit } else { commune })?;
        let at_unit = commune.is_empty() || unit == commune;
        let unit = if at_unit {
            placed.commune.clone().or_else(|| placed.province.clone()).unwrap_or_default()
        } else {
            unit.to_string()
        };
        Some(Filing { unit, commune: placed.commune.unwrap_or_default(), province: placed.province })
    }

    /// What the merger map's words could not be read into, for the test that lists it.
    pub fn unread(&self) -> &[Unread] {
        &self.unread
    }

    /// Units in force whose names contain every word of `query`, ignoring case and diacritics.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&AdminUnit> {
        let words = crate::text::query_words(query);
        self.units
            .iter()
            .zip(&self.folded_names)
            .filter(|(u, _)| u.edition == Edition::CURRENT)
            .filter(|(_, name)| crate::text::words_begin(&words, name))
            .map(|(u, _)| u)
            .take(limit)
            .collect()
    }
}

/// The catalogue, parsed on first use (tens of milliseconds) and kept.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::parse(UNITS_2025_03, UNITS_2025_07, MERGERS_2025_07))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_editions_are_complete() {
        let c = catalogue();
        let count = |edition, level| c.edition(edition).filter(|u| u.level == level).count();
        assert_eq!(count(Edition::E2025_03, UnitLevel::Province), 63);
        assert_eq!(count(Edition::E2025_03, UnitLevel::District), 696);
        assert_eq!(count(Edition::E2025_03, UnitLevel::Commune), 10_035);
        assert_eq!(count(Edition::E2025_07, UnitLevel::Province), 34);
        assert_eq!(count(Edition::E2025_07, UnitLevel::District), 0);
        assert_eq!(count(Edition::E2025_07, UnitLevel::Commune), 3_321);
        // Every former province became part of exactly one new one.
        assert!(c.edition(Edition::E2025_03).filter(|u| u.level == UnitLevel::Province).all(|p| p.successor.is_some()));
    }

    #[test]
    fn a_reused_code_means_its_editions_unit() {
        let c = catalogue();
        assert_eq!(c.get("02266").map(|u| u.name.as_str()), Some("Xã Lâm Bình"));
        assert_eq!(c.get("02266").and_then(|u| u.name_en.as_deref()), Some("Lam Binh Commune"));
        assert_eq!(c.get_in(Edition::E2025_03, "02266").map(|u| u.name.as_str()), Some("Thị trấn Lăng Can"));
        // Xã Phúc Yên (02233, huyện Lâm Bình) is now part of Xã Lâm Bình, Tỉnh Tuyên Quang.
        assert!(c.get("02233").is_none(), "no unit in force bears the code");
        let phuc_yen = c.get_in(Edition::E2025_03, "02233").expect("former unit");
        assert_eq!((phuc_yen.valid_to.as_deref(), phuc_yen.successor.as_deref()), (Some("2025-06-30"), Some("02266")));
        let placed = Placement { commune: Some("02266".into()), province: Some("08".into()) };
        assert_eq!(c.place(Edition::E2025_03, "02233"), Some(placed.clone()));
        assert_eq!(c.place(Edition::E2025_03, "02266"), Some(placed.clone()), "Lăng Can too");
        assert_eq!(c.place(Edition::CURRENT, "02266"), Some(placed));
        // A former district lies in its province now; so does Hà Giang, merged into Tuyên Quang.
        let province = Placement { commune: None, province: Some("08".into()) };
        assert_eq!(c.place(Edition::E2025_03, "071"), Some(province.clone()));
        assert_eq!(c.place(Edition::E2025_03, "02"), Some(province));
        assert_eq!(c.place(Edition::E2025_03, "99999"), None);
        // A village of Phúc Yên stays itself, in Lâm Bình; a province-level record moves with its province.
        let village = "0190a1b2-0000-7000-8000-000000000001";
        let filed = c.file(Edition::E2025_03, village, "02233").expect("filed");
        assert_eq!((filed.unit.as_str(), filed.commune.as_str()), (village, "02266"));
        let filed = c.file(Edition::E2025_03, "02", "").expect("filed");
        assert_eq!((filed.unit.as_str(), filed.commune.as_str(), filed.province.as_deref()), ("08", "", Some("08")));
        assert_eq!(c.file(Edition::CURRENT, "02233", "02233"), None, "not a unit in force");
    }

    #[test]
    fn lineage_and_search_are_of_the_units_in_force() {
        let c = catalogue();
        let names: Vec<&str> = c.lineage("02266").iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Xã Lâm Bình", "Tỉnh Tuyên Quang"]);
        let former: Vec<&str> = c.lineage_in(Edition::E2025_03, "02233").iter().map(|u| u.name.as_str()).collect();
        assert_eq!(former, ["Xã Phúc Yên", "Huyện Lâm Bình", "Tỉnh Tuyên Quang"]);
        let found: Vec<&str> = c.search("lam binh", 10).iter().map(|u| u.code.as_str()).collect();
        assert_eq!(found, ["02266"], "the district of that name is gone");
        assert!(c.search("Phúc Yên", 50).iter().all(|u| u.edition == Edition::CURRENT));
        assert!(c.get("99999").is_none());
    }
}

/// What the merger map leaves unsaid, as a text the test below compares with its expected output.
#[cfg(test)]
fn succession_report(c: &Catalogue) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# Successor links the merger map (predecessors-2025-07.json) does not give; see core/src/units/succession.rs.\n\
         # Regenerate with SOTAY_BLESS=1 cargo test -p sotay-core units::catalogue\n",
    );
    let name = |e, code: &str| c.get_in(e, code).map_or(String::new(), |u| u.name.clone());
    out.push_str("\n## Names in the map matched to no former unit (successor: name)\n");
    for u in c.unread() {
        if let Unread::NoSuchUnit { successor, name: n } = u {
            let _ = writeln!(out, "{successor} {}: {n}", name(Edition::CURRENT, successor));
        }
    }
    out.push_str("\n## Names borne by several former units (successor: name → candidates)\n");
    for u in c.unread() {
        if let Unread::Ambiguous { successor, name: n, candidates } = u {
            let _ = writeln!(out, "{successor} {}: {n} → {}", name(Edition::CURRENT, successor), candidates.join(" "));
        }
    }
    let former: Vec<&AdminUnit> = c.edition(Edition::E2025_03).filter(|u| u.level == UnitLevel::Commune).collect();
    out.push_str("\n## Former communes no successor names (their records count under their province)\n");
    for u in former.iter().filter(|u| u.successors.is_empty()) {
        let _ = writeln!(out, "{} {}", u.code, u.name);
    }
    out.push_str("\n## Former communes divided with no part named whole (their records count under their province)\n");
    for u in former.iter().filter(|u| !u.successors.is_empty() && u.successor.is_none()) {
        let _ = writeln!(out, "{} {} → {}", u.code, u.name, u.successors.join(" "));
    }
    out
}

#[cfg(test)]
mod succession_listing {
    use super::*;

    const EXPECTED: &str = "testdata/units-succession-2025-07.txt";

    #[test]
    fn what_the_merger_map_leaves_unsaid_is_listed() {
        let c = catalogue();
        let report = succession_report(c);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
        if std::env::var_os("SOTAY_BLESS").is_some() {
            std::fs::write(&path, &report).expect("write the expected listing");
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(report == expected, "the listing changed; compare with {EXPECTED} (SOTAY_BLESS=1 rewrites it)");
        // Most former communes have a successor their records join.
        let former = c.edition(Edition::E2025_03).filter(|u| u.level == UnitLevel::Commune);
        let (placed, total) = former.fold((0, 0), |(p, t), u| (p + usize::from(u.successor.is_some()), t + 1));
        assert!(placed * 100 >= total * 90, "{placed} of {total} former communes have a successor");
    }
}
