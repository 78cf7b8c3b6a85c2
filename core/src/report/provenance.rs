//! What a report counted, and what changed after it was issued: a record edited since (its heads
//! differ), deleted since, or one that counts now and was not counted then (recorded late).

use serde::{Deserialize, Serialize};

use super::rows::{Value, rows};
use super::{Figures, ReportRecord};

/// A record a report counted, at the version it counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub id: String,
    pub heads: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentKind {
    /// Counted, and edited since.
    Edited,
    /// Counted, and deleted (or gone) since.
    Removed,
    /// Counts now, was not counted: recorded or back-dated after the report.
    Added,
}

/// A late amendment against an issued report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amendment {
    pub id: String,
    pub kind: AmendmentKind,
}

/// Compares what an issued report counted with what a report of the same unit and period counts
/// now (`now`, from `Report::build` over today's records; `records` to tell edits from removals).
pub fn amendments(issued: &[Counted], now: &[Counted], records: &[ReportRecord]) -> Vec<Amendment> {
    use std::collections::HashMap;
    let now_by_id: HashMap<&str, &Counted> = now.iter().map(|c| (c.id.as_str(), c)).collect();
    let live: HashMap<&str, &ReportRecord> =
        records.iter().filter(|r| !r.deleted).map(|r| (r.id.as_str(), r)).collect();
    let issued_ids: std::collections::HashSet<&str> = issued.iter().map(|c| c.id.as_str()).collect();
    let mut out = Vec::new();
    for c in issued {
        match (now_by_id.get(c.id.as_str()), live.get(c.id.as_str())) {
            (Some(n), _) if n.heads != c.heads => out.push(Amendment { id: c.id.clone(), kind: AmendmentKind::Edited }),
            (Some(_), _) => {}
            // No longer counted: edited out of the period (its heads moved) or deleted.
            (None, Some(r)) if r.heads != c.heads => {
                out.push(Amendment { id: c.id.clone(), kind: AmendmentKind::Edited })
            }
            (None, _) => out.push(Amendment { id: c.id.clone(), kind: AmendmentKind::Removed }),
        }
    }
    for n in now {
        if !issued_ids.contains(n.id.as_str()) {
            out.push(Amendment { id: n.id.clone(), kind: AmendmentKind::Added });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// A figure that differs between an issued report and the same report now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureMove {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub then: Value,
    pub now: Value,
}

/// The figures that moved since the report was issued, in the report's order.
pub fn figures_moved(issued: &Figures, now: &Figures) -> Vec<FigureMove> {
    let then = rows(issued);
    rows(now)
        .into_iter()
        .zip(then)
        .filter(|(n, t)| n.code == t.code && n.value != t.value)
        .map(|(n, t)| FigureMove { code: n.code, vi: n.vi, en: n.en, then: t.value, now: n.value })
        .collect()
}
