//! Lists and search over the derived index.

use rusqlite::types::Value as SqlValue;
use serde::Serialize;

use super::Store;
use crate::error::Result;
use crate::record::RecordKind;
use crate::text::fold;
use crate::time::CivilDate;

/// Which records to list. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Any of these kinds (all kinds when empty).
    pub kinds: Vec<RecordKind>,
    /// The unit itself or anything within it (a province, district, commune or village code).
    pub unit: Option<String>,
    /// A status code of the kind (`in_progress`, `accepted`, ...).
    pub status: Option<String>,
    /// Event date on or after.
    pub from: Option<CivilDate>,
    /// Event date on or before.
    pub to: Option<CivilDate>,
    /// Only records with a deadline past and not met.
    pub overdue: bool,
    pub include_deleted: bool,
    /// At most this many (50 when zero).
    pub limit: u32,
}

/// One line of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    pub id: String,
    pub kind: RecordKind,
    pub unit: String,
    pub commune: String,
    pub status: String,
    pub title: String,
    pub event_date: Option<String>,
    pub next_due: Option<String>,
    pub overdue: bool,
    pub deleted: bool,
    pub conflicts: i64,
}

impl Store {
    /// The most recent records (by the date they happened) that pass the filter.
    pub fn list(&self, filter: &RecordFilter) -> Result<Vec<RecordSummary>> {
        self.query(None, filter)
    }

    /// Records whose text contains every word of `text`, ignoring case and diacritics (đ as d),
    /// whatever Unicode form it was typed in; each word may be the start of a longer one.
    pub fn search(&self, text: &str, filter: &RecordFilter) -> Result<Vec<RecordSummary>> {
        let words: Vec<String> = fold(text).split(' ').filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"*")).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        self.query(Some(words.join(" ")), filter)
    }

    fn query(&self, fts: Option<String>, filter: &RecordFilter) -> Result<Vec<RecordSummary>> {
        let today = self.clock.today().to_string();
        let mut sql = String::from(
            "SELECT r.record_id, r.kind, r.unit, r.commune, r.status, r.title, r.event_date, r.next_due, r.deleted, r.conflicts
             FROM record_index r",
        );
        let mut conditions: Vec<String> = Vec::new();
        let mut args: Vec<SqlValue> = Vec::new();
        let arg = |v: SqlValue, args: &mut Vec<SqlValue>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if let Some(q) = &fts {
            sql.push_str(" JOIN record_search s ON s.rowid = r.row_id");
            let p = arg(SqlValue::Text(q.clone()), &mut args);
            conditions.push(format!("record_search MATCH {p}"));
        }
        if !filter.include_deleted {
            conditions.push("r.deleted = 0".into());
        }
        if !filter.kinds.is_empty() {
            let ps: Vec<String> =
                filter.kinds.iter().map(|k| arg(SqlValue::Text(k.code().into()), &mut args)).collect();
            conditions.push(format!("r.kind IN ({})", ps.join(", ")));
        }
        if let Some(unit) = &filter.unit {
            let p = arg(SqlValue::Text(unit.clone()), &mut args);
            conditions.push(format!("(r.unit = {p} OR r.commune = {p} OR r.district = {p} OR r.province = {p})"));
        }
        if let Some(status) = &filter.status {
            let p = arg(SqlValue::Text(status.clone()), &mut args);
            conditions.push(format!("r.status = {p}"));
        }
        if let Some(from) = filter.from {
            let p = arg(SqlValue::Text(from.to_string()), &mut args);
            conditions.push(format!("r.event_date >= {p}"));
        }
        if let Some(to) = filter.to {
            let p = arg(SqlValue::Text(to.to_string()), &mut args);
            conditions.push(format!("r.event_date <= {p}"));
        }
        if filter.overdue {
            let p = arg(SqlValue::Text(today.clone()), &mut args);
            conditions.push(format!("r.next_due < {p}"));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(if fts.is_some() {
            " ORDER BY s.rank, r.event_date DESC, r.record_id DESC"
        } else {
            " ORDER BY r.event_date DESC, r.record_id DESC"
        });
        let limit = if filter.limit == 0 { 50 } else { filter.limit };
        let p = arg(SqlValue::Integer(limit as i64), &mut args);
        sql.push_str(&format!(" LIMIT {p}"));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                let kind: String = r.get(1)?;
                let next_due: Option<String> = r.get(7)?;
                Ok(RecordSummary {
                    id: r.get(0)?,
                    kind: RecordKind::from_code(&kind).unwrap_or_default(),
                    unit: r.get(2)?,
                    commune: r.get(3)?,
                    status: r.get(4)?,
                    title: r.get(5)?,
                    event_date: r.get(6)?,
                    overdue: next_due.as_deref().is_some_and(|d| d < today.as_str()),
                    next_due,
                    deleted: r.get(8)?,
                    conflicts: r.get(9)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
