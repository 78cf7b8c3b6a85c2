//! Bilingual labels: Vietnamese first, English beside it.

use serde::{Deserialize, Serialize};

/// The language of labels in user-facing output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl std::str::FromStr for Lang {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            _ => Err(()),
        }
    }
}

/// A label in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Label {
    pub vi: &'static str,
    pub en: &'static str,
}

impl Label {
    pub const fn new(vi: &'static str, en: &'static str) -> Self {
        Label { vi, en }
    }

    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.vi,
            Lang::En => self.en,
        }
    }
}

/// Declares an enum of coded values, each with its wire code and bilingual label.
/// The codes are what documents store and what the CLI accepts; they never change once shipped.
/// One variant is marked `#[default]`: the value a new record starts with.
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => ($vi:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
                 serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every code with its label, in declaration order: a form's choices.
            pub fn options() -> Vec<(&'static str, $crate::labels::Label)> {
                Self::ALL.iter().map(|v| (v.code(), v.label())).collect()
            }

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> $crate::labels::Label {
                match self { $($name::$variant => $crate::labels::Label::new($vi, $en)),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The label of a code, for rendering values read generically from a document.
            pub fn label_of(code: &str) -> Option<$crate::labels::Label> {
                Self::from_code(code).map(Self::label)
            }
        }
    };
}
