//! Quarterly, six-month and annual reports of a unit, counted from records: sans-IO, so that a
//! phone runs it offline over its own store and the server over everything it holds. Callers
//! hand in the records (`ReportRecord`) and the unit's children; the engine counts.
//!
//! Reports carry figures only, never a person's name or details: a reviewer above the commune
//! sees what every reader sees.

mod facts;
mod figures;
pub mod official;
mod period;
mod provenance;
mod rows;

use std::collections::HashMap;

use serde::Serialize;

pub use facts::{BadFacts, FACTS_VERSION, ReportFacts, Tally};
pub use figures::{
    ConsultationFigures, DialogueFigures, Figures, FrontSessionFigures, MediationFigures, MeetingFigures, ModelFigures,
    PetitionFigures, SupervisionFigures, percent,
};
pub use official::{Details, NotAnIssuer, OfficialForm};
pub use period::{BadConvention, BadPeriod, Convention, DateRange, Period, Span};
pub use provenance::{Amendment, AmendmentKind, Counted, FigureMove, amendments, figures_moved};
pub use rows::{MAIN_FIGURES, Row, Section, Value, rows, sections};

use crate::record::{RecordBody, RecordKind};
use crate::units::catalogue;

/// A record as the report engine sees it: where it is filed and what it adds to reports.
#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub id: String,
    /// The village or commune the record belongs to.
    pub unit: String,
    pub commune: String,
    pub deleted: bool,
    pub facts: ReportFacts,
    /// The heads of the version counted.
    pub heads: Vec<String>,
}

impl ReportRecord {
    /// A record read with its body: its facts derived now.
    pub fn of_body(
        id: String,
        unit: String,
        commune: String,
        deleted: bool,
        heads: Vec<String>,
        body: &RecordBody,
    ) -> Self {
        ReportRecord { id, unit, commune, deleted, facts: ReportFacts::of(body), heads }
    }
}

/// A unit a report is about, or one of its rows in a roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// One child unit's figures, for the roll-up table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildFigures {
    pub unit: UnitRef,
    pub figures: Figures,
    /// Six-month periods (of this report's) in which it held no working session with the Front.
    pub no_front_session_in: Vec<Period>,
}

/// A report of a unit for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub unit: UnitRef,
    pub period: Period,
    pub convention: Convention,
    pub range: DateRange,
    pub figures: Figures,
    /// Six-month periods within this one in which the unit held no working session with the
    /// Front (the plan asks for at least one every six months).
    pub no_front_session_in: Vec<Period>,
    pub children: Vec<ChildFigures>,
    /// The records counted, with the heads of the versions counted.
    pub counted: Vec<Counted>,
}

/// Whether records of `record_unit` (in `commune`) belong to `unit`: the unit itself, or its
/// commune or province. Lineages are looked up once per commune.
struct Membership {
    lineages: HashMap<String, Vec<String>>,
}

impl Membership {
    fn new() -> Membership {
        Membership { lineages: HashMap::new() }
    }

    fn contains(&mut self, unit: &str, record: &ReportRecord) -> bool {
        record.unit == unit || record.commune == unit || self.lineage(&record.commune).iter().any(|c| c == unit)
    }

    fn lineage(&mut self, commune: &str) -> &[String] {
        if !self.lineages.contains_key(commune) {
            let codes = catalogue().lineage(commune).into_iter().map(|u| u.code.clone()).collect();
            self.lineages.insert(commune.to_string(), codes);
        }
        self.lineages.get(commune).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every unit the record lies in: its own, its commune, and the commune's lineage.
    fn within<'r>(&'r mut self, record: &'r ReportRecord) -> impl Iterator<Item = &'r str> {
        let lineage = self.lineage(&record.commune);
        [record.unit.as_str(), record.commune.as_str()].into_iter().chain(lineage.iter().map(String::as_str))
    }
}

fn figures_of<'a>(records: impl Iterator<Item = &'a ReportRecord>, range: &DateRange) -> Figures {
    let mut t = Tally::new(range);
    for r in records {
        t.add(&r.facts);
    }
    t.figures()
}

/// The six-month periods of `period` with no working session with the Front among `records`.
fn without_front_session<'a>(
    records: impl Iterator<Item = &'a ReportRecord> + Clone,
    period: Period,
    convention: Convention,
) -> Vec<Period> {
    period
        .halves()
        .into_iter()
        .filter(|half| {
            let range = half.range(convention);
            figures_of(records.clone().filter(|r| r.facts.kind() == RecordKind::FrontSession), &range)
                .front_session
                .held
                == 0
        })
        .collect()
}

impl Report {
    /// Counts `records` (any records; those outside `unit` or deleted are passed over) into the
    /// report of `unit` for `period`, with a roll-up row for each of `children`.
    pub fn build(
        records: &[ReportRecord],
        unit: UnitRef,
        children: Vec<UnitRef>,
        period: Period,
        convention: Convention,
    ) -> Report {
        let range = period.range(convention);
        let mut membership = Membership::new();
        let mine: Vec<&ReportRecord> =
            records.iter().filter(|r| !r.deleted && membership.contains(&unit.code, r)).collect();
        // The unit's figures, and what they counted, in one pass.
        let mut tally = Tally::new(&range);
        let mut counted: Vec<Counted> = mine
            .iter()
            .filter(|r| tally.add(&r.facts))
            .map(|r| Counted { id: r.id.clone(), heads: r.heads.clone() })
            .collect();
        counted.sort_by(|a, b| a.id.cmp(&b.id));
        let figures = tally.figures();
        // Front sessions are a commune's duty: the flag is for communes and the units above them.
        let flags_apply = |code: &str| catalogue().get(code).is_some();
        let no_front_session_in = if flags_apply(&unit.code) {
            without_front_session(mine.iter().copied(), period, convention)
        } else {
            Vec::new()
        };
        // Each record to the child it lies in, in one pass (a province has a hundred communes
        // and a hundred thousand records: not one pass per child).
        let index: HashMap<&str, usize> = children.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
        let mut theirs: Vec<Vec<&ReportRecord>> = vec![Vec::new(); children.len()];
        for r in &mine {
            if let Some(i) = membership.within(r).find_map(|code| index.get(code)) {
                theirs[*i].push(r);
            }
        }
        let children = children
            .into_iter()
            .zip(theirs)
            .map(|(child, theirs)| ChildFigures {
                figures: figures_of(theirs.iter().copied(), &range),
                no_front_session_in: if flags_apply(&child.code) {
                    without_front_session(theirs.iter().copied(), period, convention)
                } else {
                    Vec::new()
                },
                unit: child,
            })
            .collect();
        Report { unit, period, convention, range, figures, no_front_session_in, children, counted }
    }

    /// The same unit's figures over the `n` periods ending with this one, oldest first: the trend.
    pub fn trend(
        records: &[ReportRecord],
        unit: &str,
        period: Period,
        convention: Convention,
        n: usize,
    ) -> Vec<(Period, Figures)> {
        let mut membership = Membership::new();
        let mine: Vec<&ReportRecord> = records.iter().filter(|r| !r.deleted && membership.contains(unit, r)).collect();
        let mut periods = vec![period];
        while periods.len() < n {
            let before = periods[periods.len() - 1].previous();
            periods.push(before);
        }
        periods.reverse();
        periods.into_iter().map(|p| (p, figures_of(mine.iter().copied(), &p.range(convention)))).collect()
    }

    pub fn rows(&self) -> Vec<Row> {
        rows(&self.figures)
    }
}

/// The units in force directly below `code` in the catalogue (the communes of a province); a
/// commune's villages are the store's or server's to list.
pub fn catalogue_children(code: &str) -> Vec<UnitRef> {
    catalogue().children(code).map(|u| UnitRef { code: u.code.clone(), name: u.name.clone() }).collect()
}

#[cfg(test)]
mod tests;
