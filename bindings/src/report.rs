//! Reports on the phone: the core's report engine over this store's records, for the unit's
//! quarterly, six-month and annual figures offline. The report crosses as labelled rows (the
//! same rows the CLI prints and the dashboard shows), so an app draws it without knowing each
//! indicator.

use sotay_core::record::RecordKind;
use sotay_core::report::{BadPeriod, Convention, Period, Value};

use crate::error::SotayError;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, uniffi::Enum)]
pub enum ReportValue {
    Count {
        value: u64,
    },
    /// Per hundred, one decimal; `None` where there is nothing to divide by.
    Percent {
        value: Option<f64>,
    },
}

impl From<Value> for ReportValue {
    fn from(v: Value) -> Self {
        match v {
            Value::Count(value) => ReportValue::Count { value },
            Value::Percent(value) => ReportValue::Percent { value },
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportRow {
    /// Stable: `mediation.successful`, `petitions.complaint.overdue`.
    pub code: String,
    pub vi: String,
    pub en: String,
    pub value: ReportValue,
    /// As Vietnamese documents write it: `1.234`, `33,3%`.
    pub shown_vi: String,
    pub shown_en: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportSection {
    pub kind: RecordKind,
    pub rows: Vec<ReportRow>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChildReport {
    pub unit_code: String,
    pub unit_name: String,
    pub rows: Vec<ReportRow>,
    /// No working session with the Fatherland Front in a six-month period of this report.
    pub no_front_session: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct UnitReport {
    pub unit_code: String,
    pub unit_name: String,
    /// `2026-Q3`, `2026-H1`, `2026`.
    pub period: String,
    pub period_vi: String,
    pub period_en: String,
    pub convention: Convention,
    pub first_day: sotay_core::time::CivilDate,
    pub last_day: sotay_core::time::CivilDate,
    pub sections: Vec<ReportSection>,
    pub children: Vec<ChildReport>,
    /// Six-month periods (`2026-H1`) without a working session with the Front.
    pub no_front_session_in: Vec<String>,
    pub records_counted: u64,
}

fn row(r: sotay_core::report::Row) -> ReportRow {
    ReportRow {
        shown_vi: r.value.format_vi(),
        shown_en: r.value.format_en(),
        value: r.value.into(),
        code: r.code,
        vi: r.vi,
        en: r.en,
    }
}

#[uniffi::export]
impl Store {
    /// The report of `unit` (the user's unit when absent) for `period` (`2026-Q3`, `2026-H1`,
    /// `2026`), from the records on this phone.
    pub fn report(
        &self,
        unit: Option<String>,
        period: String,
        convention: Convention,
    ) -> Result<UnitReport, SotayError> {
        let period: Period =
            period.parse().map_err(|_: BadPeriod| SotayError::invalid_value("period", BadPeriod::VI, BadPeriod::EN))?;
        let store = self.lock();
        let unit = unit.unwrap_or_else(|| store.profile().unit.clone());
        let r = store.report(&unit, period, convention)?;
        Ok(UnitReport {
            unit_code: r.unit.code.clone(),
            unit_name: r.unit.name.clone(),
            period: r.period.to_string(),
            period_vi: r.period.label_vi(),
            period_en: r.period.label_en(),
            convention: r.convention,
            first_day: r.range.start,
            last_day: r.range.end,
            sections: sotay_core::report::sections(&r.figures)
                .into_iter()
                .map(|s| ReportSection { kind: s.kind, rows: s.rows.into_iter().map(row).collect() })
                .collect(),
            children: r
                .children
                .iter()
                .map(|c| ChildReport {
                    unit_code: c.unit.code.clone(),
                    unit_name: c.unit.name.clone(),
                    rows: sotay_core::report::rows(&c.figures).into_iter().map(row).collect(),
                    no_front_session: !c.no_front_session_in.is_empty(),
                })
                .collect(),
            no_front_session_in: r.no_front_session_in.iter().map(ToString::to_string).collect(),
            records_counted: r.counted.len() as u64,
        })
    }
}
