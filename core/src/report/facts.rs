//! What one record adds to reports, derived once from its body and kept beside it, so that a
//! province's report adds up small rows instead of decoding every document of the province.
//!
//! A record counts in a period by one date (held, received, opened, started; a model, which is a
//! stock, in every period ending on or after it), and what it adds then depends on the period's
//! last day only (deadlines and "by the end of the period" judged on it). As a function of that
//! day it is a step function whose steps fall on the dates the record holds (or the day after
//! one). [`ReportFacts::of`] finds those steps by asking [`Figures::add`] itself at every such
//! day: there is one definition of every figure, and these facts are its table.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::figures::Figures;
use super::period::DateRange;
use crate::record::{RecordBody, RecordKind};
use crate::time::CivilDate;

/// Bumped whenever `Figures` or `Figures::add` change: facts of another version are derived
/// again from their documents rather than read (the test `facts_of_the_sample_are_pinned` fails
/// until it is).
pub const FACTS_VERSION: u8 = 1;

/// A day as a number: days since 2000-01-01.
type Day = i32;

fn epoch() -> CivilDate {
    CivilDate::new(2000, 1, 1).unwrap_or(CivilDate(jiff::civil::Date::constant(2000, 1, 1)))
}

fn day(d: CivilDate) -> Day {
    epoch().days_until(d).clamp(i64::from(Day::MIN), i64::from(Day::MAX)) as Day
}

/// A record's contribution to the reports of any period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFacts {
    kind: RecordKind,
    /// The day it counts by; none when it counts in no period.
    date: Option<Day>,
    /// Counted in every period ending on or after `date`, not only in those holding it.
    stock: bool,
    /// What it adds to the figures of a period whose last day is on or after a step's `from`
    /// (and before the next step's), as (slot of the flat figures, amount). Empty when it counts
    /// in no period (a dialogue not held).
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Step {
    from: Day,
    counts: Vec<(u16, u64)>,
}

/// Facts that cannot be read: stored by another version, or damaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("số liệu báo cáo của hồ sơ không đọc được / a record's report facts cannot be read")]
pub struct BadFacts;

impl ReportFacts {
    /// Derives the facts of a live record.
    pub fn of(body: &RecordBody) -> ReportFacts {
        let kind = body.kind();
        let none = ReportFacts { kind, date: None, stock: false, steps: Vec::new() };
        let Some(event) = body.event_date() else { return none };
        let probe = |start: CivilDate, end: CivilDate| {
            let mut f = Figures::default();
            let counted = f.add(body, &DateRange { start, end });
            counted.then_some(f)
        };
        let last = CivilDate(jiff::civil::Date::MAX);
        if probe(event, event).is_none() && probe(event, last).is_none() {
            return none;
        }
        let stock = probe(event.plus_days(1), last).is_some();
        let mut ends = vec![event];
        for d in dates_in(body) {
            if d > event {
                ends.push(d);
            }
            if d >= event {
                ends.push(d.plus_days(1));
            }
        }
        ends.sort();
        ends.dedup();
        let mut steps: Vec<Step> = Vec::new();
        for end in ends {
            let Some(f) = probe(event, end) else { continue };
            let counts = sparse(&flatten(&f));
            if steps.last().is_none_or(|s| s.counts != counts) {
                steps.push(Step { from: day(end), counts });
            }
        }
        ReportFacts { kind, date: Some(day(event)), stock, steps }
    }

    pub fn kind(&self) -> RecordKind {
        self.kind
    }

    /// What it adds to the period `range`, if it counts in it.
    fn counts_in(&self, start: Day, end: Day) -> Option<&[(u16, u64)]> {
        let date = self.date?;
        if date > end || (!self.stock && date < start) {
            return None;
        }
        self.steps.iter().rev().find(|s| s.from <= end).map(|s| s.counts.as_slice())
    }

    /// The stored form: the version, then the facts.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FACTS_VERSION];
        // Plain data of known shape: postcard cannot fail on it short of memory.
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    /// Reads stored facts; another version's, or damaged ones, are refused (to be derived again).
    pub fn decode(bytes: &[u8]) -> Result<ReportFacts, BadFacts> {
        match bytes.split_first() {
            Some((&FACTS_VERSION, rest)) => postcard::from_bytes(rest).map_err(|_| BadFacts),
            _ => Err(BadFacts),
        }
    }
}

/// Every date a record holds or implies (its deadlines), whatever field it is in.
fn dates_in(body: &RecordBody) -> Vec<CivilDate> {
    fn walk(v: &serde_json::Value, out: &mut Vec<CivilDate>) {
        match v {
            serde_json::Value::String(s) if s.len() == 10 => {
                if let Ok(d) = s.parse() {
                    out.push(d);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&body.to_value(), &mut out);
    for dl in body.deadlines() {
        out.push(dl.due);
        out.extend(dl.met_on);
    }
    out
}

/// The figures as one list of numbers, in the order serde gives their fields: the layout facts
/// name slots of.
fn flatten(f: &Figures) -> Vec<u64> {
    fn walk(v: &serde_json::Value, out: &mut Vec<u64>) {
        match v {
            serde_json::Value::Number(n) => out.push(n.as_u64().unwrap_or(0)),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(slots());
    walk(&serde_json::to_value(f).unwrap_or_default(), &mut out);
    out
}

fn sparse(flat: &[u64]) -> Vec<(u16, u64)> {
    flat.iter().enumerate().filter(|(_, n)| **n != 0).map(|(i, n)| (i as u16, *n)).collect()
}

/// How many numbers the figures hold.
fn slots() -> usize {
    static SLOTS: OnceLock<usize> = OnceLock::new();
    *SLOTS.get_or_init(|| {
        fn count(v: &serde_json::Value) -> usize {
            match v {
                serde_json::Value::Number(_) => 1,
                serde_json::Value::Array(items) => items.iter().map(count).sum(),
                serde_json::Value::Object(map) => map.values().map(count).sum(),
                _ => 0,
            }
        }
        count(&serde_json::to_value(Figures::default()).unwrap_or_default())
    })
}

/// Figures from their flat list (the inverse of `flatten`).
fn unflatten(flat: &[u64]) -> Figures {
    fn walk(v: &mut serde_json::Value, next: &mut impl Iterator<Item = u64>) {
        match v {
            serde_json::Value::Number(n) => *n = next.next().unwrap_or(0).into(),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, next)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, next)),
            _ => {}
        }
    }
    let mut template = serde_json::to_value(Figures::default()).unwrap_or_default();
    walk(&mut template, &mut flat.iter().copied());
    serde_json::from_value(template).unwrap_or_default()
}

/// Figures being added up from facts.
#[derive(Debug, Clone)]
pub struct Tally {
    counts: Vec<u64>,
    start: Day,
    end: Day,
}

impl Tally {
    /// An empty tally of the period `range`.
    pub fn new(range: &DateRange) -> Tally {
        Tally { counts: vec![0; slots()], start: day(range.start), end: day(range.end) }
    }

    /// Adds a record's facts; false when it does not count in this period.
    pub fn add(&mut self, facts: &ReportFacts) -> bool {
        let Some(counts) = facts.counts_in(self.start, self.end) else { return false };
        for &(slot, n) in counts {
            if let Some(c) = self.counts.get_mut(usize::from(slot)) {
                *c = c.saturating_add(n);
            }
        }
        true
    }

    pub fn figures(&self) -> Figures {
        unflatten(&self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::Sampler;

    fn range(start: CivilDate, days: i32) -> DateRange {
        DateRange { start, end: start.plus_days(days) }
    }

    #[test]
    fn figures_flatten_and_back_unchanged() {
        let mut s = Sampler::new(7);
        let mut f = Figures::default();
        for _ in 0..400 {
            let body = s.any_body();
            f.add(&body, &range(CivilDate::new(2024, 1, 1).unwrap(), 1500));
        }
        let flat = flatten(&f);
        assert_eq!(flat.len(), slots());
        assert!(flat.iter().filter(|n| **n > 0).count() > 20, "the sample fills most figures");
        assert_eq!(unflatten(&flat), f);
    }

    /// The facts count exactly what the engine counts, over realistic records and periods of
    /// every length, starting and ending on every kind of day (on a record's dates and around).
    #[test]
    fn facts_count_what_the_engine_counts() {
        let mut s = Sampler::new(2026);
        let mut checked = 0;
        for _ in 0..1500 {
            let body = s.any_body();
            let facts = ReportFacts::of(&body);
            assert_eq!(ReportFacts::decode(&facts.encode()), Ok(facts.clone()));
            let mut days: Vec<CivilDate> = dates_in(&body);
            days.push(CivilDate::new(2025, 1, 1).unwrap());
            let around: Vec<CivilDate> = days.iter().flat_map(|d| [d.plus_days(-1), *d, d.plus_days(1)]).collect();
            for (i, &start) in around.iter().enumerate() {
                for &end in around.iter().skip(i % 3).step_by(2) {
                    if end < start {
                        continue;
                    }
                    let r = DateRange { start, end };
                    let mut direct = Figures::default();
                    let counted = direct.add(&body, &r);
                    let mut tally = Tally::new(&r);
                    assert_eq!(tally.add(&facts), counted, "{body:?} in {start:?}..{end:?}");
                    assert_eq!(tally.figures(), direct, "{body:?} in {start:?}..{end:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn another_versions_facts_are_refused() {
        let facts = ReportFacts::of(&Sampler::new(1).any_body());
        let mut bytes = facts.encode();
        bytes[0] = FACTS_VERSION.wrapping_add(1);
        assert_eq!(ReportFacts::decode(&bytes), Err(BadFacts));
        assert_eq!(ReportFacts::decode(&[]), Err(BadFacts));
        assert_eq!(ReportFacts::decode(&[FACTS_VERSION, 0xff, 0xff]), Err(BadFacts));
    }

    /// A change to the figures or to how they are counted changes these bytes: bump
    /// `FACTS_VERSION` (stored facts of the old version are then derived again) and update the
    /// digest here. (A change to the sampler changes them too: then only the digest moves.)
    #[test]
    fn facts_of_the_sample_are_pinned() {
        use sha2::{Digest, Sha256};
        let mut s = Sampler::new(99);
        let mut hash = Sha256::new();
        for _ in 0..200 {
            hash.update(ReportFacts::of(&s.any_body()).encode());
        }
        let digest = hex::encode(hash.finalize());
        assert_eq!(slots(), 81, "the figures' layout changed: bump FACTS_VERSION");
        assert_eq!(
            digest, "1260c1a199a4a37b0a2350f65d535906049eb4e107fab3115586f7c0694835b1",
            "what records add to reports changed: bump FACTS_VERSION if the figures did"
        );
    }
}
