//! The public service's working days: Monday to Friday, less public holidays, plus the Saturdays
//! worked in their place, from `core/data/holidays/vn-public-service.json` (versioned data: the
//! Government fixes each year's days). Deadlines counted in working days (Law on Denunciations
//! 2018, Arts. 24 and 29) skip them, so a denunciation received before Tết is not due inside it.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use serde::Deserialize;

use crate::time::CivilDate;

const HOLIDAYS_JSON: &str = include_str!("../data/holidays/vn-public-service.json");

#[derive(Deserialize)]
struct RawCalendar {
    years: BTreeMap<i16, RawYear>,
}

#[derive(Deserialize)]
struct RawYear {
    complete: bool,
    off: Vec<RawDay>,
    work: Vec<RawDay>,
}

#[derive(Deserialize)]
struct RawDay {
    date: CivilDate,
}

/// Which days the public service works.
pub struct WorkingCalendar {
    off: HashSet<Date>,
    work: HashSet<Date>,
    /// Years the data lists, and whether each is complete.
    years: BTreeMap<i16, bool>,
}

fn weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The solar-dated holidays of Labour Code 2019 Art. 112(1), with a weekend's holiday moved to the
/// next working day (Art. 111(3)): what a year not yet in the data is known to have. The lunar
/// ones (Tết, the Hùng Kings' day) and the second day of National Day need the year's announcement.
fn statutory_solar(year: i16) -> Vec<Date> {
    let fixed = [(1, 1), (4, 30), (5, 1), (9, 2)];
    let mut days: Vec<Date> = fixed.iter().filter_map(|&(m, d)| Date::new(year, m, d).ok()).collect();
    for i in 0..days.len() {
        if weekend(days[i]) {
            let mut next = days[i];
            // At most a few steps: past the weekend and any holiday already taken.
            for _ in 0..7 {
                next = next.tomorrow().unwrap_or(next);
                if !weekend(next) && !days.contains(&next) {
                    days.push(next);
                    break;
                }
            }
        }
    }
    days
}

impl WorkingCalendar {
    fn parse(json: &str) -> WorkingCalendar {
        // Compiled in and checked by a test; an empty calendar (weekends and the Code's solar
        // holidays only) rather than a panic if it were ever damaged.
        let raw: RawCalendar = serde_json::from_str(json).unwrap_or(RawCalendar { years: BTreeMap::new() });
        let mut cal = WorkingCalendar { off: HashSet::new(), work: HashSet::new(), years: BTreeMap::new() };
        for (year, y) in raw.years {
            cal.off.extend(y.off.iter().map(|d| d.date.0));
            cal.work.extend(y.work.iter().map(|d| d.date.0));
            cal.years.insert(year, y.complete);
        }
        cal
    }

    pub fn is_working_day(&self, d: CivilDate) -> bool {
        let d = d.0;
        if self.work.contains(&d) {
            return true;
        }
        if weekend(d) || self.off.contains(&d) {
            return false;
        }
        // A year the data does not list: the Code's solar holidays at least.
        self.years.contains_key(&d.year()) || !statutory_solar(d.year()).contains(&d)
    }

    /// Whether every holiday of `year` is in the data (otherwise a deadline in it may fall on a
    /// day off the data does not yet list).
    pub fn complete(&self, year: i16) -> bool {
        self.years.get(&year).copied().unwrap_or(false)
    }

    /// `d` if it is a working day, else the next one (bounded as below).
    pub fn on_or_after(&self, d: CivilDate) -> CivilDate {
        let mut d = d;
        for _ in 0..60 {
            if self.is_working_day(d) {
                break;
            }
            d = d.plus_days(1);
        }
        d
    }

    /// The date `days` working days after `from`.
    pub fn plus_working_days(&self, from: CivilDate, days: u32) -> CivilDate {
        let mut d = from;
        let mut left = days;
        // Bounded: no stretch of the calendar has more than a few weeks without a working day.
        let mut steps = 0u32;
        while left > 0 && steps < days.saturating_mul(7).saturating_add(60) {
            d = d.plus_days(1);
            steps += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

/// The calendar, parsed on first use and kept.
pub fn calendar() -> &'static WorkingCalendar {
    static CALENDAR: OnceLock<WorkingCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| WorkingCalendar::parse(HOLIDAYS_JSON))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CivilDate {
        s.parse().expect("a date")
    }

    #[test]
    fn the_shipped_calendar_reads() {
        let raw: RawCalendar = serde_json::from_str(HOLIDAYS_JSON).expect("the holiday data parses");
        assert!(raw.years.contains_key(&2026));
        assert!(!calendar().complete(2026), "the second National Day holiday is not yet listed");
    }

    #[test]
    fn working_days_skip_tet_2026() {
        let c = calendar();
        // Thứ Năm 12/02/2026: the public service is off from Saturday 14/02 to Sunday 22/02.
        for day in ["2026-02-16", "2026-02-17", "2026-02-20"] {
            assert!(!c.is_working_day(d(day)), "{day} is Tết");
        }
        assert!(c.is_working_day(d("2026-02-13")) && c.is_working_day(d("2026-02-23")));
        // Seven working days from 12/02: 13/02, then 23, 24, 25, 26, 27/02 and 02/03.
        assert_eq!(c.plus_working_days(d("2026-02-12"), 7), d("2026-03-02"));
        // Counting weekends alone would have put it at 23/02, the first day back.
        assert_eq!(c.plus_working_days(d("2026-02-12"), 1), d("2026-02-13"));
        assert_eq!(c.plus_working_days(d("2026-02-13"), 1), d("2026-02-23"));
    }

    #[test]
    fn a_period_in_days_that_ends_on_a_day_off_ends_on_the_next_working_day() {
        // Civil Code 2015, Art. 148(5): a period whose last day is a weekend or holiday ends at
        // the end of the next working day.
        let c = calendar();
        assert_eq!(c.on_or_after(d("2026-02-12")), d("2026-02-12"), "a working day stays");
        assert_eq!(c.on_or_after(d("2026-02-16")), d("2026-02-23"), "across Tết");
        assert_eq!(c.on_or_after(d("2026-10-03")), d("2026-10-05"), "a Saturday");
        assert_eq!(d("2026-02-06").plus_calendar_days(10), d("2026-02-23"), "10 days from 06/02 end in Tết");
        assert_eq!(d("2026-03-02").plus_calendar_days(10), d("2026-03-12"));
    }

    #[test]
    fn the_hung_kings_day_on_a_sunday_gives_the_monday_and_victory_day_joins_may_day() {
        let c = calendar();
        // 10/3 âm lịch is Sunday 26/04/2026: Monday 27/04 off; 30/04 and 01/05 are Thursday and Friday.
        assert_eq!(c.plus_working_days(d("2026-04-24"), 1), d("2026-04-28"));
        assert_eq!(c.plus_working_days(d("2026-04-29"), 1), d("2026-05-04"));
    }

    #[test]
    fn a_year_not_yet_listed_keeps_the_codes_solar_holidays() {
        let c = calendar();
        assert!(!c.complete(2027));
        // 2027: 1 January is a Friday; 1 May a Saturday, so Monday 3 May is off.
        assert!(!c.is_working_day(d("2027-01-01")));
        assert!(!c.is_working_day(d("2027-05-03")));
        assert!(c.is_working_day(d("2027-05-04")));
        assert_eq!(c.plus_working_days(d("2027-04-29"), 1), d("2027-05-04"), "past 30/4 and the Monday for 1/5");
    }
}
