//! Reference data shipped with the app: Vietnam's administrative units with their GSO codes, in
//! the editions that have been in force, and the 54 ethnic groups. Villages are not here: they
//! are documents (see `record::village`).

pub mod catalogue;
pub mod edition;
pub mod ethnic;
pub mod succession;

pub use catalogue::{AdminUnit, Filing, Placement, UnitLevel, catalogue};
pub use edition::Edition;
