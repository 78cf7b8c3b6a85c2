//! Vietnamese text on the way in (NFC) and the folded form that search compares.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// NFC-normalises text typed on any keyboard: Telex/VNI input methods and pasted text
/// produce precomposed or decomposed forms, and we store one.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Folds text for search: decomposes, drops every combining mark (the tone and vowel marks),
/// maps đ/Đ to d (đ is its own letter, not d plus a mark, so NFD leaves it), and Ð/ð (U+00D0/U+00F0,
/// the eth that some keyboards and converted documents put for Đ) to d as well, lowercases, and
/// turns everything that is not a letter or digit into single spaces.
/// `fold("Đất đai") == fold("Ðất đai") == "dat dai"`. The rules are in docs/data-model.md.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The folded words of a search query.
pub fn query_words(query: &str) -> Vec<String> {
    fold(query).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Whether every one of `words` (from `query_words`) begins a word of `folded_name`; no words
/// match nothing.
pub fn words_begin(words: &[String], folded_name: &str) -> bool {
    let name_words: Vec<&str> = folded_name.split(' ').collect();
    !words.is_empty() && words.iter().all(|w| name_words.iter().any(|n| n.starts_with(w.as_str())))
}

/// Whether every word of `query` is a whole word of `name`, both folded: what tells "na me"
/// (Thôn Nà Mè) from Xã Na Mèo among the names that begin with it.
pub fn name_matches_whole_words(query: &str, name: &str) -> bool {
    let name = fold(name);
    let name_words: Vec<&str> = name.split(' ').collect();
    let words = query_words(query);
    !words.is_empty() && words.iter().all(|w| name_words.contains(&w.as_str()))
}

/// Of several names that match a query, the one that matches it in whole words, if only one does.
pub fn the_one_named<'a, T>(query: &str, found: &'a [T], name: impl Fn(&T) -> &str) -> Option<&'a T> {
    let mut whole = found.iter().filter(|f| name_matches_whole_words(query, name(f)));
    match (whole.next(), whole.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// How names are searched: every word of `query` begins a word of `name`, both folded ("lam
/// binh" finds "Xã Lâm Bình", "na me" finds "Thôn Nà Mè").
pub fn name_matches(query: &str, name: &str) -> bool {
    words_begin(&query_words(query), &fold(name))
}

/// Digits grouped by thousands with `sep`: `.` in Vietnamese (`1.234.567`), `,` in English.
pub fn group_thousands(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_word_beginnings_and_whole_words_tell_them_apart() {
        assert!(name_matches("lam binh", "Xã Lâm Bình") && name_matches("ÐẤT", "Đất đai"));
        assert!(name_matches("na me", "Xã Na Mèo") && name_matches("na me", "Thôn Nà Mè"));
        assert!(!name_matches("binh lam yen", "Xã Lâm Bình") && !name_matches("  ", "Xã Lâm Bình"));
        let found = ["Xã Na Mèo", "Thôn Nà Mè"];
        assert_eq!(the_one_named("na me", &found, |n| n), Some(&"Thôn Nà Mè"));
        assert_eq!(the_one_named("lam", &["Xã Lâm Bình", "Xã Thượng Lâm"], |n| n), None, "both have the word");
    }

    #[test]
    fn fold_strips_tones_marks_and_d_bar() {
        assert_eq!(fold("Đất đai"), "dat dai");
        assert_eq!(fold("Hòa giải ở cơ sở"), "hoa giai o co so");
        assert_eq!(fold("NGƯỜI DÂN TỘC THIỂU SỐ"), "nguoi dan toc thieu so");
        assert_eq!(fold("  Thôn  Nà-Mè, xã Lâm Bình. "), "thon na me xa lam binh");
    }

    #[test]
    fn the_eth_typed_for_d_bar_folds_like_it() {
        // U+00D0 and U+00F0, not U+0110 and U+0111.
        assert_eq!(fold("\u{D0}ất \u{F0}ai"), "dat dai");
        assert_eq!(fold("\u{D0}ất \u{F0}ai"), fold("Đất đai"));
    }

    #[test]
    fn nfc_and_nfd_input_fold_the_same() {
        let nfd: String = "Đối thoại trực tiếp".nfd().collect();
        assert_ne!(nfd, "Đối thoại trực tiếp");
        assert_eq!(fold(&nfd), fold("Đối thoại trực tiếp"));
        assert_eq!(nfc(&nfd), "Đối thoại trực tiếp");
    }
}
