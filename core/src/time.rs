//! Dates and times. Users see Vietnam time (UTC+7, no daylight saving); legal dates are civil
//! dates typed by people; timestamps are milliseconds since the Unix epoch.
//!
//! A phone's clock is never used to order anything: history follows the causal order of the
//! document's changes, and device times are shown as what the device said.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Vietnam's offset from UTC.
pub const VIETNAM: Offset = Offset::constant(7);

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// A calendar date as Vietnamese officials write it on paper: no time, no zone.
/// Accepts `YYYY-MM-DD` and `DD/MM/YYYY` on the way in; stores and prints `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate(pub Date);

/// The message that a date field gives when its value cannot be read.
pub const DATE_EXPECTED: &str = "a date as YYYY-MM-DD or DD/MM/YYYY";

impl CivilDate {
    pub fn new(year: i16, month: i8, day: i8) -> Option<Self> {
        Date::new(year, month, day).ok().map(CivilDate)
    }

    pub fn plus_days(self, days: i32) -> CivilDate {
        CivilDate(self.0.checked_add(days.days()).unwrap_or(self.0))
    }

    /// The end of a period of `days` calendar days from `self`: moved to the next working day
    /// when it falls on a weekend or public holiday (Civil Code 2015, Art. 148(5)).
    pub fn plus_calendar_days(self, days: i32) -> CivilDate {
        crate::calendar::calendar().on_or_after(self.plus_days(days))
    }

    /// Adds working days of the public service: Monday to Friday, less public holidays, plus the
    /// Saturdays worked in their place (see `calendar`).
    pub fn plus_working_days(self, days: u32) -> CivilDate {
        crate::calendar::calendar().plus_working_days(self, days)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: CivilDate) -> i64 {
        let span = self.0.until(later.0).unwrap_or_default();
        i64::from(span.get_days())
    }

    /// The date in Vietnam at the given instant.
    pub fn in_vietnam(at: Millis) -> CivilDate {
        let ts = Timestamp::from_millisecond(at).unwrap_or(Timestamp::UNIX_EPOCH);
        CivilDate(VIETNAM.to_datetime(ts).date())
    }

    /// `DD/MM/YYYY`, the form Vietnamese documents use.
    pub fn to_vietnamese(self) -> String {
        format!("{:02}/{:02}/{:04}", self.0.day(), self.0.month(), self.0.year())
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for CivilDate {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim();
        if let Some((d, rest)) = s.split_once('/') {
            let (m, y) = rest.split_once('/').ok_or(())?;
            let (d, m, y) = (d.parse().map_err(|_| ())?, m.parse().map_err(|_| ())?, y.parse().map_err(|_| ())?);
            return if (1000..=9999).contains(&y) { CivilDate::new(y, m, d).ok_or(()) } else { Err(()) };
        }
        let bytes = s.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(());
        }
        Date::from_str(s).map(CivilDate).map_err(|_| ())
    }
}

impl Serialize for CivilDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CivilDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = CivilDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DATE_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CivilDate, E> {
                // The value is not echoed: errors never repeat what a user typed.
                CivilDate::from_str(v).map_err(|_| E::custom(format_args!("expected {DATE_EXPECTED}")))
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// Formats an instant in Vietnam time for people to read.
pub fn format_vietnam(at: Millis) -> String {
    let ts = Timestamp::from_millisecond(at).unwrap_or(Timestamp::UNIX_EPOCH);
    VIETNAM.to_datetime(ts).strftime("%d/%m/%Y %H:%M:%S (UTC+7)").to_string()
}

/// Where the current time comes from; tests drive a fixed clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Millis;
    fn today(&self) -> CivilDate {
        CivilDate::in_vietnam(self.now())
    }
}

/// The device's own clock (trusted only for display, never for ordering).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        Timestamp::now().as_millisecond()
    }
}

/// A clock that says what it is told, for deterministic tests.
#[derive(Debug, Clone)]
pub struct FixedClock(pub std::sync::Arc<std::sync::atomic::AtomicI64>);

impl FixedClock {
    pub fn at(millis: Millis) -> Self {
        FixedClock(std::sync::Arc::new(std::sync::atomic::AtomicI64::new(millis)))
    }
    pub fn set(&self, millis: Millis) {
        self.0.store(millis, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn advance(&self, millis: Millis) {
        self.0.fetch_add(millis, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Millis {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CivilDate {
        s.parse().unwrap()
    }

    #[test]
    fn parses_both_written_forms() {
        assert_eq!(d("03/10/2026"), d("2026-10-03"));
        assert_eq!(d("3/1/2026"), d("2026-01-03"));
        assert!("2026-13-01".parse::<CivilDate>().is_err());
        assert!("31/02/2026".parse::<CivilDate>().is_err());
        assert!("2026-1-3".parse::<CivilDate>().is_err());
        assert!("01/01/26".parse::<CivilDate>().is_err());
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 2026-10-02 + 1 working day = Monday 2026-10-05.
        assert_eq!(d("2026-10-02").plus_working_days(1), d("2026-10-05"));
        assert_eq!(d("2026-10-02").plus_working_days(5), d("2026-10-09"));
        assert_eq!(d("2026-10-03").plus_working_days(0), d("2026-10-03"));
    }

    #[test]
    fn vietnam_date_turns_at_17_utc() {
        // 2026-10-02T16:59:59Z is 23:59:59 in Vietnam; one second later it is the 3rd.
        let before = Timestamp::from_str("2026-10-02T16:59:59Z").unwrap().as_millisecond();
        assert_eq!(CivilDate::in_vietnam(before), d("2026-10-02"));
        assert_eq!(CivilDate::in_vietnam(before + 1000), d("2026-10-03"));
        assert_eq!(format_vietnam(before), "02/10/2026 23:59:59 (UTC+7)");
    }

    #[test]
    fn serde_error_does_not_echo_the_value() {
        let err = serde_json::from_str::<CivilDate>("\"Nguyễn Văn A\"").unwrap_err().to_string();
        assert!(!err.contains("Nguyễn"), "{err}");
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }
}
