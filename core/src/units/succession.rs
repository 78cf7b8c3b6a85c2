//! Successor links from the government's merger map, which states in words what each unit of
//! 2025-07 was formed from ("Thị trấn Lăng Can, Xã Phúc Yên, Xã Xuân Lập"; "giữ nguyên";
//! "một phần diện tích ... của Xã Cẩm Lĩnh"). Names are matched, diacritics aside, against the
//! former units of the provinces the new one was formed from; what cannot be matched to exactly one
//! is reported, never guessed (`core/testdata/units-succession-2025-07.txt` lists it).

use std::collections::HashMap;

use serde::Deserialize;

use crate::text::fold;

/// One row of the merger map.
#[derive(Debug, Deserialize)]
pub struct MergerRow {
    /// The new unit's code.
    pub ma: String,
    /// The new unit's name.
    pub ten: String,
    /// Its province's code, "0" for a province.
    pub magoc: String,
    /// What it was formed from, in words.
    pub truocsapnhap: String,
}

/// A former unit, as the matcher sees it.
#[derive(Debug, Clone)]
pub struct Former {
    pub code: String,
    pub full_name: String,
    /// The former province it lay in (its own code for a province).
    pub province: String,
    /// The former district's name, for names the map qualifies ("Xã Bình Phú (huyện Càng Long)").
    pub district_name: String,
}

/// A link from a former unit to a unit formed (wholly or partly) from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub successor: String,
    /// The map says only a part of the former unit went to this successor.
    pub part: bool,
}

/// What the merger map's words could not be read into.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unread {
    /// A name the map gives that no former unit of those provinces bears.
    NoSuchUnit { successor: String, name: String },
    /// A name borne by several former units that nothing in the map tells apart.
    Ambiguous { successor: String, name: String, candidates: Vec<String> },
}

/// Successor links, by former code, and what could not be read.
#[derive(Debug, Default)]
pub struct Succession {
    pub links: HashMap<String, Vec<Link>>,
    pub unread: Vec<Unread>,
}

/// Former provinces named in words the parser cannot read ("TPHCM"; a sentence about a later change).
const PROVINCE_ALIASES: &[(&str, &str)] = &[("tphcm", "ho chi minh")];

/// Words naming a unit's type, folded, longest first.
const TYPES: &[&str] = &["thi tran", "thi xa", "thanh pho", "phuong", "xa", "tinh", "dac khu"];

/// A folded name without its leading type words: "xa phuc yen" → "phuc yen".
fn bare(folded: &str) -> &str {
    let mut s = folded;
    loop {
        let before = s;
        for t in TYPES.iter().chain(&["thu do", "cac"]) {
            if let Some(rest) = s.strip_prefix(t).and_then(|r| r.strip_prefix(' ')) {
                s = rest;
            }
        }
        if s == before {
            return s;
        }
    }
}

/// Links former provinces to the new ones formed from them (Resolution 202/2025/QH15).
pub fn provinces(rows: &[MergerRow], former: &[Former]) -> (HashMap<String, Vec<String>>, Vec<Unread>) {
    let by_name: HashMap<String, &Former> = former.iter().map(|p| (bare(&fold(&p.full_name)).to_string(), p)).collect();
    let mut out = HashMap::new();
    let mut unread = Vec::new();
    for row in rows.iter().filter(|r| r.magoc == "0") {
        // Only the first sentence names predecessors; what follows is about later changes.
        let text = row.truocsapnhap.split(". ").next().unwrap_or_default();
        let names: Vec<String> = if fold(text) == "giu nguyen" { vec![row.ten.clone()] } else { split_list(text) };
        let mut formed_from = Vec::new();
        for name in names {
            let folded = fold(&name);
            let key = PROVINCE_ALIASES.iter().find(|(a, _)| *a == folded).map_or(bare(&folded), |(_, n)| n);
            match by_name.get(key) {
                Some(p) => formed_from.push(p.code.clone()),
                None => unread.push(Unread::NoSuchUnit { successor: row.ma.clone(), name }),
            }
        }
        out.insert(row.ma.clone(), formed_from);
    }
    (out, unread)
}

/// Splits a list on commas, semicolons and "và", outside parentheses.
fn split_list(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.iter().flat_map(|p| p.split(" và ")).map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// A name the map gives, with what it says about it.
struct Named {
    /// Folded, with its type: "xa binh phu".
    name: String,
    /// A folded district named in parentheses.
    qualifier: Option<String>,
    part: bool,
}

/// Reads one row's words into names. The map's forms: plain lists ("Xã A, Xã B và Thị trấn C"),
/// "giữ nguyên", qualified names ("Xã A (huyện B)"), remainders ("Phường A (phần còn lại sau khi
/// sáp nhập vào ...)"), and the capital's "một phần / toàn bộ diện tích TN, quy mô dân số của các
/// phường A, B" where the type is given once for the names after it.
fn read_names(row: &MergerRow) -> Vec<Named> {
    if fold(&row.truocsapnhap) == "giu nguyen" {
        return vec![Named { name: fold(&row.ten), qualifier: None, part: false }];
    }
    let mut out = Vec::new();
    let mut part = false;
    let mut list_type: Option<&str> = None;
    for item in split_list(&row.truocsapnhap) {
        let (words, paren) = match item.split_once('(') {
            Some((w, p)) => (w.to_string(), Some(fold(p))),
            None => (item.clone(), None),
        };
        let mut folded = fold(&words);
        if folded.contains("mot phan") {
            part = true;
        } else if folded.contains("toan bo") {
            part = false;
        }
        for noise in [" sau khi sap xep", " sau khi sap nhap"] {
            if let Some(i) = folded.find(noise) {
                folded.truncate(i);
            }
        }
        // The name starts at its type word; a list gives the type once ("các phường A, B").
        let typed = TYPES.iter().filter_map(|t| find_word(&folded, t).map(|i| (i, *t))).min_by_key(|(i, _)| *i);
        let name = match typed {
            Some((i, t)) => {
                let from = &folded[i..];
                if folded[..i].ends_with("cac ") {
                    list_type = Some(t);
                }
                from.to_string()
            }
            None => match list_type {
                Some(t) if !folded.is_empty() && !folded.contains("dien tich") => format!("{t} {folded}"),
                _ => continue,
            },
        };
        let remainder = paren.as_deref().is_some_and(|p| p.starts_with("phan con lai"));
        let qualifier = paren.filter(|p| ["huyen ", "thi xa ", "thanh pho ", "quan "].iter().any(|t| p.starts_with(t)));
        out.push(Named { name, qualifier, part: part || remainder });
    }
    out
}

/// Where `word` starts in `s` as whole words.
fn find_word(s: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(word).map(|i| i + from) {
        let starts = i == 0 || s.as_bytes()[i - 1] == b' ';
        let end = i + word.len();
        let ends = end == s.len() || s.as_bytes()[end] == b' ';
        if starts && ends {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// Reads the communes' rows into links from former communes to new ones.
pub fn communes(
    rows: &[MergerRow],
    former_communes: &[Former],
    formed_from: &HashMap<String, Vec<String>>,
) -> Succession {
    let mut by_province: HashMap<&str, Vec<(&Former, String)>> = HashMap::new();
    for f in former_communes {
        by_province.entry(f.province.as_str()).or_default().push((f, fold(&f.full_name)));
    }
    let mut out = Succession::default();
    for row in rows.iter().filter(|r| r.magoc != "0") {
        let provinces = formed_from.get(&row.magoc).map(Vec::as_slice).unwrap_or_default();
        let candidates: Vec<&(&Former, String)> =
            provinces.iter().filter_map(|p| by_province.get(p.as_str())).flatten().collect();
        for named in read_names(row) {
            let mut found: Vec<&Former> =
                candidates.iter().filter(|(_, n)| *n == named.name).map(|(f, _)| *f).collect();
            if found.is_empty() {
                // The same name with another type word (a township that the map calls a commune).
                let wanted = bare(&named.name);
                found = candidates.iter().filter(|(_, n)| bare(n) == wanted).map(|(f, _)| *f).collect();
            }
            if found.len() > 1 {
                if let Some(q) = &named.qualifier {
                    let q = bare(q);
                    let narrowed: Vec<&Former> =
                        found.iter().copied().filter(|f| bare(&fold(&f.district_name)) == q).collect();
                    if !narrowed.is_empty() {
                        found = narrowed;
                    }
                }
            }
            if found.len() > 1 {
                // A new unit usually keeps the code of one of those it was formed from.
                let same_code: Vec<&Former> = found.iter().copied().filter(|f| f.code == row.ma).collect();
                if same_code.len() == 1 {
                    found = same_code;
                }
            }
            match found.as_slice() {
                [f] => {
                    let links = out.links.entry(f.code.clone()).or_default();
                    if !links.iter().any(|l| l.successor == row.ma) {
                        links.push(Link { successor: row.ma.clone(), part: named.part });
                    }
                }
                [] => out.unread.push(Unread::NoSuchUnit { successor: row.ma.clone(), name: named.name }),
                many => out.unread.push(Unread::Ambiguous {
                    successor: row.ma.clone(),
                    name: named.name,
                    candidates: many.iter().map(|f| f.code.clone()).collect(),
                }),
            }
        }
    }
    out.unread.sort();
    out
}

/// The successor whose figures a former unit's records join: the one that took the whole of it,
/// or the only one. None when it was divided with no part named whole, or named whole twice.
pub fn primary(links: &[Link]) -> Option<&str> {
    match links {
        [only] => Some(&only.successor),
        _ => {
            let whole: Vec<&Link> = links.iter().filter(|l| !l.part).collect();
            match whole.as_slice() {
                [w] => Some(&w.successor),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ma: &str, ten: &str, words: &str) -> MergerRow {
        MergerRow { ma: ma.into(), ten: ten.into(), magoc: "08".into(), truocsapnhap: words.into() }
    }

    fn former(code: &str, name: &str, district: &str) -> Former {
        Former { code: code.into(), full_name: name.into(), province: "08".into(), district_name: district.into() }
    }

    #[test]
    fn the_maps_forms_are_read() {
        let formers = [
            former("02266", "Thị trấn Lăng Can", "Huyện Lâm Bình"),
            former("02233", "Xã Phúc Yên", "Huyện Lâm Bình"),
            former("02242", "Xã Xuân Lập", "Huyện Lâm Bình"),
            former("10", "Xã Bình Phú", "Huyện Càng Long"),
            former("11", "Xã Bình Phú", "Huyện Châu Thành"),
            former("12", "Xã Cẩm Lĩnh", "Huyện Ba Vì"),
            former("13", "Xã Hoà Lạc", "Huyện Ba Vì"),
            former("14", "Phường Cửa Nam", "Quận Hoàn Kiếm"),
            former("15", "Phường Hàng Bông", "Quận Hoàn Kiếm"),
        ];
        let provinces = HashMap::from([("08".to_string(), vec!["08".to_string()])]);
        let rows = [
            row("02266", "Xã Lâm Bình", "Thị trấn Lăng Can, Xã Phúc Yên và Xã Xuân Lập"),
            row("20", "Xã Bình Phú", "Xã Bình Phú (huyện Càng Long), Xã Không Có"),
            row("21", "Xã Bất Bạt", "một phần diện tích TN, quy mô dân số của Xã Cẩm Lĩnh"),
            row("13", "Xã Hòa Lạc", "giữ nguyên"),
            row("22", "Phường Cửa Nam", "Toàn bộ diện tích TN, quy mô dân số của các phường Cửa Nam, Hàng Bông"),
            row("23", "Xã Mới", "Xã Bình Phú"),
        ];
        let s = communes(&rows, &formers, &provinces);
        let succ = |code: &str| s.links.get(code).cloned().unwrap_or_default();
        let whole = |to: &str| vec![Link { successor: to.into(), part: false }];
        assert_eq!(succ("02233"), whole("02266"));
        assert_eq!(succ("02266"), whole("02266"), "a reused code links to its successor by name");
        assert_eq!(succ("10"), whole("20"), "the district in parentheses tells the two apart");
        assert!(succ("11").is_empty());
        assert_eq!(succ("12"), vec![Link { successor: "21".into(), part: true }]);
        assert_eq!(succ("13"), whole("13"), "Hoà and Hòa are one name");
        assert_eq!(succ("14"), whole("22"));
        assert_eq!(succ("15"), whole("22"), "the list's type word carries to the names after it");
        assert_eq!(
            s.unread,
            vec![
                Unread::NoSuchUnit { successor: "20".into(), name: "xa khong co".into() },
                Unread::Ambiguous {
                    successor: "23".into(),
                    name: "xa binh phu".into(),
                    candidates: vec!["10".into(), "11".into()]
                },
            ]
        );
    }

    #[test]
    fn a_former_unit_joins_the_successor_that_took_all_of_it() {
        let l = |s: &str, part| Link { successor: s.into(), part };
        assert_eq!(primary(&[l("a", true)]), Some("a"), "its only successor");
        assert_eq!(primary(&[l("a", true), l("b", false)]), Some("b"));
        assert_eq!(primary(&[l("a", true), l("b", true)]), None);
        assert_eq!(primary(&[l("a", false), l("b", false)]), None);
        assert_eq!(primary(&[]), None);
    }
}
