//! Reference data: administrative units and ethnic groups; a fresh key for a new store.

use sotay_core::units::{AdminUnit, catalogue, ethnic};

use crate::error::SotayError;
use crate::views::EthnicGroup;

/// Units whose names contain every word of `query`, ignoring case and diacritics.
#[uniffi::export]
pub fn search_units(query: String, limit: u32) -> Vec<AdminUnit> {
    catalogue().search(&query, limit as usize).into_iter().cloned().collect()
}

/// A unit and those above it, nearest first; empty for an unknown code.
#[uniffi::export]
pub fn unit_lineage(code: String) -> Vec<AdminUnit> {
    catalogue().lineage(&code).into_iter().cloned().collect()
}

/// The 54 ethnic groups with their GSO codes.
#[uniffi::export]
pub fn ethnic_groups() -> Vec<EthnicGroup> {
    ethnic::GROUPS.iter().map(|g| EthnicGroup { code: g.code.into(), name: g.name.into() }).collect()
}

/// 32 random bytes for a new store's key, to keep in the Keystore or Keychain.
#[uniffi::export]
pub fn new_store_key() -> Result<Vec<u8>, SotayError> {
    match sotay_core::store::StoreKey::generate()? {
        sotay_core::store::StoreKey::Raw(k) => Ok(k.to_vec()),
        sotay_core::store::StoreKey::Passphrase(_) => {
            Err(SotayError::Storage { reason: "không tạo được khóa / no random key".into() })
        }
    }
}
