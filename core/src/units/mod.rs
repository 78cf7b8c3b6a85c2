//! Reference data shipped with the app: Vietnam's administrative units with their GSO codes,
//! and the 54 ethnic groups. Villages are not here: they are documents (see `record::village`).

pub mod catalogue;
pub mod ethnic;

pub use catalogue::{AdminUnit, UnitLevel, catalogue};
