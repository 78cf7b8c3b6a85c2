//! Reporting periods: quarters, six months and years, in two conventions. Calendar periods are
//! what most plans name; the statistical cut-off of Decree 09/2019/NĐ-CP (Art. 12) is what the
//! reporting system of state bodies uses: figures are closed on the 14th of the period's last month,
//! so a quarter runs from the 15th of the month before it to the 14th of its last month.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::time::CivilDate;

coded_enum! {
    /// Where periods start and end; chosen per deployment.
    pub enum Convention {
        #[default]
        Calendar = "calendar" => ("Theo năm dương lịch", "Calendar periods"),
        Statistical = "statistical" => ("Kỳ số liệu theo Nghị định 09/2019/NĐ-CP (15 đến 14)", "Statistical cut-off of Decree 09/2019 (15th to 14th)"),
    }
}

/// Which part of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Span {
    Quarter(u8),
    Half(u8),
    Year,
}

/// A reporting period: `2026-Q3`, `2026-H1`, `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i16,
    pub span: Span,
}

/// The first and last day of a period, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub start: CivilDate,
    pub end: CivilDate,
}

impl DateRange {
    pub fn contains(&self, date: CivilDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A period that is not one: the text is not echoed back (it came from a person).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", BadPeriod::VI, BadPeriod::EN)]
pub struct BadPeriod;

impl BadPeriod {
    pub const VI: &'static str = "kỳ báo cáo phải có dạng 2026-Q3, 2026-H1 hoặc 2026";
    pub const EN: &'static str = "a period is written 2026-Q3, 2026-H1 or 2026";
}

/// A convention that is not one of the two.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", BadConvention::VI, BadConvention::EN)]
pub struct BadConvention;

impl BadConvention {
    pub const VI: &'static str = "cách tính kỳ phải là calendar hoặc statistical";
    pub const EN: &'static str = "the convention must be calendar or statistical";
}

impl Convention {
    /// Reads `calendar` or `statistical`.
    pub fn parse(code: &str) -> Result<Convention, BadConvention> {
        Convention::from_code(code).ok_or(BadConvention)
    }
}

impl Period {
    pub fn quarter(year: i16, q: u8) -> Period {
        Period { year, span: Span::Quarter(q) }
    }

    pub fn half(year: i16, h: u8) -> Period {
        Period { year, span: Span::Half(h) }
    }

    pub fn year(year: i16) -> Period {
        Period { year, span: Span::Year }
    }

    /// Calendar months `first..=last` of the period.
    fn months(self) -> (i8, i8) {
        match self.span {
            Span::Quarter(q) => (3 * q as i8 - 2, 3 * q as i8),
            Span::Half(h) => (6 * h as i8 - 5, 6 * h as i8),
            Span::Year => (1, 12),
        }
    }

    pub fn range(self, convention: Convention) -> DateRange {
        let (first, last) = self.months();
        let date =
            |y: i16, m: i8, d: i8| CivilDate::new(y, m, d).unwrap_or(CivilDate::new(2000, 1, 1).expect("a date"));
        match convention {
            Convention::Calendar => {
                let start = date(self.year, first, 1);
                let end = if last == 12 { date(self.year, 12, 31) } else { date(self.year, last + 1, 1).plus_days(-1) };
                DateRange { start, end }
            }
            Convention::Statistical => {
                let start = if first == 1 { date(self.year - 1, 12, 15) } else { date(self.year, first - 1, 15) };
                DateRange { start, end: date(self.year, last, 14) }
            }
        }
    }

    /// The same kind of period, just before this one.
    pub fn previous(self) -> Period {
        match self.span {
            Span::Quarter(1) => Period::quarter(self.year - 1, 4),
            Span::Quarter(q) => Period::quarter(self.year, q - 1),
            Span::Half(1) => Period::half(self.year - 1, 2),
            Span::Half(h) => Period::half(self.year, h - 1),
            Span::Year => Period::year(self.year - 1),
        }
    }

    /// The six-month periods a period lies in or is made of (for the rule that a commune works
    /// with the Fatherland Front at least once every six months); none for a quarter.
    pub fn halves(self) -> Vec<Period> {
        match self.span {
            Span::Quarter(_) => Vec::new(),
            Span::Half(_) => vec![self],
            Span::Year => vec![Period::half(self.year, 1), Period::half(self.year, 2)],
        }
    }

    /// How the period is named in a report's title.
    pub fn label_vi(self) -> String {
        match self.span {
            Span::Quarter(q) => format!("Quý {} năm {}", roman(q), self.year),
            Span::Half(1) => format!("6 tháng đầu năm {}", self.year),
            Span::Half(_) => format!("6 tháng cuối năm {}", self.year),
            Span::Year => format!("Năm {}", self.year),
        }
    }

    pub fn label_en(self) -> String {
        match self.span {
            Span::Quarter(q) => format!("Quarter {q} of {}", self.year),
            Span::Half(1) => format!("First half of {}", self.year),
            Span::Half(_) => format!("Second half of {}", self.year),
            Span::Year => format!("Year {}", self.year),
        }
    }
}

fn roman(q: u8) -> &'static str {
    ["I", "II", "III", "IV"].get(usize::from(q.saturating_sub(1))).copied().unwrap_or("?")
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Quarter(q) => write!(f, "{}-Q{q}", self.year),
            Span::Half(h) => write!(f, "{}-H{h}", self.year),
            Span::Year => write!(f, "{}", self.year),
        }
    }
}

impl FromStr for Period {
    type Err = BadPeriod;
    fn from_str(s: &str) -> Result<Period, BadPeriod> {
        let s = s.trim();
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadPeriod);
        }
        let year: i16 = year.parse().map_err(|_| BadPeriod)?;
        if !(1000..=9998).contains(&year) {
            return Err(BadPeriod);
        }
        let span = match rest.map(str::to_ascii_uppercase).as_deref() {
            None | Some("Y") => Span::Year,
            Some("Q1") => Span::Quarter(1),
            Some("Q2") => Span::Quarter(2),
            Some("Q3") => Span::Quarter(3),
            Some("Q4") => Span::Quarter(4),
            Some("H1") => Span::Half(1),
            Some("H2") => Span::Half(2),
            _ => return Err(BadPeriod),
        };
        Ok(Period { year, span })
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CivilDate {
        s.parse().expect("a date")
    }

    fn range(p: &str, c: Convention) -> (CivilDate, CivilDate) {
        let r = p.parse::<Period>().expect("a period").range(c);
        (r.start, r.end)
    }

    #[test]
    fn calendar_periods() {
        use Convention::Calendar as C;
        assert_eq!(range("2026-Q1", C), (d("2026-01-01"), d("2026-03-31")));
        assert_eq!(range("2024-Q1", C), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!(range("2026-Q2", C), (d("2026-04-01"), d("2026-06-30")));
        assert_eq!(range("2026-Q3", C), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(range("2026-Q4", C), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(range("2026-H1", C), (d("2026-01-01"), d("2026-06-30")));
        assert_eq!(range("2026-H2", C), (d("2026-07-01"), d("2026-12-31")));
        assert_eq!(range("2026", C), (d("2026-01-01"), d("2026-12-31")));
    }

    #[test]
    fn statistical_periods_of_decree_09_2019() {
        use Convention::Statistical as S;
        assert_eq!(range("2026-Q1", S), (d("2025-12-15"), d("2026-03-14")));
        assert_eq!(range("2026-Q2", S), (d("2026-03-15"), d("2026-06-14")));
        assert_eq!(range("2026-Q3", S), (d("2026-06-15"), d("2026-09-14")));
        assert_eq!(range("2026-Q4", S), (d("2026-09-15"), d("2026-12-14")));
        assert_eq!(range("2026-H1", S), (d("2025-12-15"), d("2026-06-14")));
        assert_eq!(range("2026-H2", S), (d("2026-06-15"), d("2026-12-14")));
        assert_eq!(range("2026", S), (d("2025-12-15"), d("2026-12-14")));
    }

    #[test]
    fn periods_tile_the_year_without_gaps() {
        for c in Convention::ALL {
            let mut p = Period::quarter(2027, 1);
            for _ in 0..12 {
                let before = p.previous();
                assert_eq!(before.range(*c).end.plus_days(1), p.range(*c).start, "{before} then {p}");
                p = before;
            }
        }
    }

    #[test]
    fn parsing() {
        assert_eq!("2026-q3".parse(), Ok(Period::quarter(2026, 3)));
        assert_eq!("2026-H2".parse(), Ok(Period::half(2026, 2)));
        assert_eq!(" 2026 ".parse(), Ok(Period::year(2026)));
        for bad in ["", "2026-Q5", "2026-H3", "26-Q1", "2026-", "Q1-2026", "２０２６", "9999-Q1", "2026-Q1-"] {
            assert_eq!(bad.parse::<Period>(), Err(BadPeriod), "{bad:?}");
        }
        assert_eq!(Period::quarter(2026, 3).to_string(), "2026-Q3");
        assert_eq!(Period::quarter(2026, 3).label_vi(), "Quý III năm 2026");
    }
}
