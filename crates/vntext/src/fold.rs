//! Folding for search and comparison.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds text for search: lower case, every diacritic removed *including*
/// `đ`/`Đ` → `d` (which Unicode decomposition alone does not do), so that
/// tone-mark placement (`hoà`/`hòa`) and composition (NFC/NFD) no longer
/// matter. Characters that are not letters are kept as they are.
///
/// ```
/// assert_eq!(vntext::fold("ĐẢNG"), "dang");
/// assert_eq!(vntext::fold("hoà"), vntext::fold("hòa"));
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`], appending to `out` (reuse one buffer for many words).
pub fn fold_into(text: &str, out: &mut String) {
    for c in text.chars() {
        push_folded(c, out);
    }
}

#[inline]
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if let Some(base) = vietnamese_base(c) {
        out.push(base);
        return;
    }
    if is_combining_mark(c) {
        return;
    }
    // Anything else (other Latin letters with marks, Greek, Cyrillic…):
    // decompose, drop the marks, lower-case what is left.
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            for l in d.to_lowercase() {
                out.push(l);
            }
        }
    });
}

/// Whether `c` is one of the precomposed letters [`vietnamese_base`] knows.
#[inline]
pub(crate) fn is_latin_letter(c: char) -> bool {
    vietnamese_base(c).is_some()
}

/// The base ASCII letter of a precomposed letter used in Vietnamese (and of
/// Latin-1's accented letters), or `None` for anything else. This table is
/// what makes folding fast: no decomposition for the common case.
#[inline]
fn vietnamese_base(c: char) -> Option<char> {
    let base = match c as u32 {
        0xC0..=0xC5 | 0xE0..=0xE5 | 0x102 | 0x103 => 'a',
        0xC7 | 0xE7 => 'c',
        0xC8..=0xCB | 0xE8..=0xEB => 'e',
        0xCC..=0xCF | 0xEC..=0xEF | 0x128 | 0x129 => 'i',
        // Đ/đ, and Ð/ð (Icelandic Eth) which legacy fonts and keyboards produce for Đ.
        0xD0 | 0xF0 | 0x110 | 0x111 => 'd',
        0xD1 | 0xF1 => 'n',
        0xD2..=0xD6 | 0xD8 | 0xF2..=0xF6 | 0xF8 | 0x1A0 | 0x1A1 => 'o',
        0xD9..=0xDC | 0xF9..=0xFC | 0x168 | 0x169 | 0x1AF | 0x1B0 => 'u',
        0xDD | 0xFD | 0xFF => 'y',
        // Latin Extended Additional: the Vietnamese block, in Unicode's order.
        0x1EA0..=0x1EB7 => 'a',
        0x1EB8..=0x1EC7 => 'e',
        0x1EC8..=0x1ECB => 'i',
        0x1ECC..=0x1EE3 => 'o',
        0x1EE4..=0x1EF1 => 'u',
        0x1EF2..=0x1EF9 => 'y',
        _ => return None,
    };
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn removes_all_vietnamese_diacritics_including_d_bar() {
        assert_eq!(fold("ĐẢNG"), "dang");
        assert_eq!(fold("Đảng bộ xã Sín Chéng"), "dang bo xa sin cheng");
        assert_eq!(fold("SÍN CHÉNG"), "sin cheng");
        assert_eq!(
            fold("Trường Sa, Hoàng Sa là của Việt Nam"),
            "truong sa, hoang sa la cua viet nam"
        );
        assert_eq!(fold("ỹ ỵ ữ ự ở ợ ậ ặ ệ ị"), "y y u u o o a a e i");
    }

    #[test]
    fn tone_placement_and_composition_do_not_matter() {
        assert_eq!(fold("hoà"), fold("hòa"));
        assert_eq!(fold("thuý"), fold("thúy"));
        assert_eq!(fold("khoẻ"), fold("khỏe"));
        let nfd: String = "Sín Chéng Nguyễn Đức Thưởng".nfd().collect();
        assert_eq!(fold(&nfd), fold("Sín Chéng Nguyễn Đức Thưởng"));
        assert_eq!(fold(&nfd), "sin cheng nguyen duc thuong");
    }

    #[test]
    fn eth_folds_like_d_bar() {
        assert_eq!(fold("Ðảng ðoàn"), "dang doan");
    }

    #[test]
    fn other_scripts_are_lowercased_and_kept() {
        assert_eq!(fold("Ωmega ÆØ"), "ωmega æo");
        assert_eq!(fold("1.000.000 đồng, 3,5%"), "1.000.000 dong, 3,5%");
    }
}
