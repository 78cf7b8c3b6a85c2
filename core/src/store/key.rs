//! The store's encryption key (SQLCipher). The apps keep a random 256-bit key in the Android
//! Keystore or iOS Keychain and pass it raw, which opens fast; a passphrase goes through
//! SQLCipher's key derivation (PBKDF2, deliberately slow).

use std::fmt;

use crate::error::{CoreError, Result};

#[derive(Clone, PartialEq, Eq)]
pub enum StoreKey {
    Raw([u8; 32]),
    Passphrase(String),
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        match self {
            StoreKey::Raw(_) => f.write_str("StoreKey::Raw(..)"),
            StoreKey::Passphrase(_) => f.write_str("StoreKey::Passphrase(..)"),
        }
    }
}

impl StoreKey {
    /// 64 hexadecimal digits are a raw key; anything else non-empty is a passphrase.
    pub fn parse(text: &str) -> Result<StoreKey> {
        let t = text.trim();
        if t.is_empty() {
            return Err(CoreError::InvalidKey { vi: "khóa rỗng", en: "the key is empty" });
        }
        // SQLite would cut the key statement at a NUL: refuse it rather than open with less.
        if text.contains('\0') {
            return Err(CoreError::InvalidKey {
                vi: "khóa chứa ký tự NUL", en: "the key contains a NUL character"
            });
        }
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut raw = [0u8; 32];
            hex::decode_to_slice(t, &mut raw)
                .map_err(|_| CoreError::InvalidKey { vi: "không đọc được", en: "unreadable" })?;
            return Ok(StoreKey::Raw(raw));
        }
        Ok(StoreKey::Passphrase(text.to_string()))
    }

    /// A fresh random raw key from the operating system's generator.
    pub fn generate() -> Result<StoreKey> {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).map_err(|_| CoreError::InvalidKey {
            vi: "hệ điều hành không cấp được số ngẫu nhiên",
            en: "the operating system gave no random bytes",
        })?;
        Ok(StoreKey::Raw(raw))
    }

    pub fn to_hex(&self) -> Option<String> {
        match self {
            StoreKey::Raw(k) => Some(hex::encode(k)),
            StoreKey::Passphrase(_) => None,
        }
    }

    /// The `PRAGMA key` statement for this key.
    pub fn pragma(&self) -> String {
        format!("PRAGMA key = {};", self.sql_literal())
    }

    /// The key as SQLCipher reads it in `PRAGMA key = …` and `ATTACH … KEY …`.
    pub fn sql_literal(&self) -> String {
        match self {
            // Hex digits only: nothing to escape.
            StoreKey::Raw(k) => format!("\"x'{}'\"", hex::encode(k)),
            StoreKey::Passphrase(p) => format!("'{}'", p.replace('\'', "''")),
        }
    }
}
