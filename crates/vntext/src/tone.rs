//! Tone-mark placement.
//!
//! A Vietnamese syllable is an initial consonant, a vowel nucleus (with its
//! glides) and a final consonant. The tone mark sits on one vowel of the
//! nucleus; where exactly is a matter of rule, and in one case of style:
//!
//! 1. a vowel with its own mark (ă â ê ô ơ ư) takes the tone — the last such,
//!    so `ươ` puts it on `ơ` (`người`);
//! 2. otherwise, before a final consonant, the last vowel (`toán`, `huỳnh`);
//! 3. otherwise the only vowel, or the middle of three (`ngoài`, `khuỷu`);
//! 4. two vowels, open: the first (`mái`, `múa`), except `oa`, `oe`, `uy`
//!    where the *old* style says `hòa`, `khỏe`, `thủy` and the *new* (2018
//!    Ministry of Education) style says `hoà`, `khoẻ`, `thuỷ`.
//!
//! `qu` and `gi` are initials (`quả`, `giữa`), except `gi` before no other
//! vowel (`gì`, `gìn`). Words that are not Vietnamese syllables (foreign
//! names, abbreviations) are never touched.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Where the tone goes in open `oa`, `oe`, `uy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToneStyle {
    /// `hòa`, `khỏe`, `thủy`: most newspapers.
    Old,
    /// `hoà`, `khoẻ`, `thuỷ`: the 2018 Ministry of Education rule.
    New,
}

/// Repairs misplaced tone marks (`lựơng` → `lượng`, `nghịêm` → `nghiệm`)
/// and, with a style, moves marks in `oa`/`oe`/`uy` to that style. Without
/// a style, the author's choice there is kept. Output is NFC.
pub fn place_tones(text: &str, style: Option<ToneStyle>) -> String {
    let mut out = String::with_capacity(text.len());
    for_each_word(text, |piece, is_word| {
        if is_word {
            out.push_str(&fix_word(piece, style));
        } else {
            out.push_str(piece);
        }
    });
    out.nfc().collect()
}

/// Splits text into words (letters and combining marks) and the rest.
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str, bool)) {
    let is_word_char = |c: char| c.is_alphabetic() || is_combining_mark(c);
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let w = is_word_char(c);
        if w != in_word && i > start {
            f(&text[start..i], in_word);
            start = i;
        }
        in_word = w;
    }
    if start < text.len() {
        f(&text[start..], in_word);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Plain,
    Breve,
    Circumflex,
    Horn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    Level,
    Grave,
    Acute,
    Hook,
    Tilde,
    Dot,
}

impl Tone {
    fn mark(self) -> Option<char> {
        match self {
            Tone::Level => None,
            Tone::Grave => Some('\u{300}'),
            Tone::Acute => Some('\u{301}'),
            Tone::Hook => Some('\u{309}'),
            Tone::Tilde => Some('\u{303}'),
            Tone::Dot => Some('\u{323}'),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Letter {
    /// Lower-case base: `a`–`z` or `đ`.
    base: char,
    upper: bool,
    shape: Shape,
    tone: Tone,
}

impl Letter {
    /// The letter without its tone, lower case (`ư`, `â`, `t`…).
    fn toneless(self) -> char {
        match (self.base, self.shape) {
            ('a', Shape::Breve) => 'ă',
            ('a', Shape::Circumflex) => 'â',
            ('e', Shape::Circumflex) => 'ê',
            ('o', Shape::Circumflex) => 'ô',
            ('o', Shape::Horn) => 'ơ',
            ('u', Shape::Horn) => 'ư',
            (b, _) => b,
        }
    }

    fn push_to(self, out: &mut String) {
        if self.upper {
            out.extend(self.base.to_uppercase());
        } else {
            out.push(self.base);
        }
        match self.shape {
            Shape::Plain => {}
            Shape::Breve => out.push('\u{306}'),
            Shape::Circumflex => out.push('\u{302}'),
            Shape::Horn => out.push('\u{31B}'),
        }
        if let Some(mark) = self.tone.mark() {
            out.push(mark);
        }
    }
}

/// Splits a word into letters; `None` if it holds anything that is not a
/// Latin letter with Vietnamese marks.
fn letters(word: &str) -> Option<Vec<Letter>> {
    let mut letters: Vec<Letter> = Vec::with_capacity(word.len());
    let mut ok = true;
    for c in word.chars() {
        decompose_canonical(c, |d| {
            if !ok {
                return;
            }
            match d {
                '\u{306}' | '\u{302}' | '\u{31B}' => {
                    let shape = match d {
                        '\u{306}' => Shape::Breve,
                        '\u{302}' => Shape::Circumflex,
                        _ => Shape::Horn,
                    };
                    match letters.last_mut() {
                        Some(l) if l.shape == Shape::Plain && shape_fits(l.base, shape) => {
                            l.shape = shape
                        }
                        _ => ok = false,
                    }
                }
                '\u{300}' | '\u{301}' | '\u{309}' | '\u{303}' | '\u{323}' => {
                    let tone = match d {
                        '\u{300}' => Tone::Grave,
                        '\u{301}' => Tone::Acute,
                        '\u{309}' => Tone::Hook,
                        '\u{303}' => Tone::Tilde,
                        _ => Tone::Dot,
                    };
                    match letters.last_mut() {
                        Some(l) if l.tone == Tone::Level => l.tone = tone,
                        _ => ok = false,
                    }
                }
                'đ' | 'Đ' => letters.push(Letter {
                    base: 'đ',
                    upper: d == 'Đ',
                    shape: Shape::Plain,
                    tone: Tone::Level,
                }),
                d if d.is_ascii_alphabetic() => letters.push(Letter {
                    base: d.to_ascii_lowercase(),
                    upper: d.is_ascii_uppercase(),
                    shape: Shape::Plain,
                    tone: Tone::Level,
                }),
                _ => ok = false,
            }
        });
        if !ok {
            return None;
        }
    }
    Some(letters)
}

fn shape_fits(base: char, shape: Shape) -> bool {
    matches!(
        (base, shape),
        ('a', Shape::Breve) | ('a' | 'e' | 'o', Shape::Circumflex) | ('o' | 'u', Shape::Horn)
    )
}

const INITIALS: &[&str] = &[
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
const FINALS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];
/// Every vowel nucleus of Vietnamese, glides included, without tones.
const NUCLEI: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui",
    "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "oai", "oao", "oay", "oeo", "uây",
    "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu",
];

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

/// A syllable split into parts: letter index ranges.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syllable {
    nucleus_start: usize,
    nucleus_len: usize,
    has_final: bool,
    /// The nucleus is an open `oa`, `oe` or `uy`: where style decides.
    styled: bool,
}

fn parse(toneless: &[char]) -> Option<Syllable> {
    let s: String = toneless.iter().collect();
    let mut initial_len = INITIALS
        .iter()
        .find(|i| s.starts_with(*i))
        .map_or(0, |i| i.chars().count());
    let mut nucleus_len = toneless[initial_len..]
        .iter()
        .take_while(|c| is_vowel(**c))
        .count();
    if nucleus_len == 0 && s.starts_with("gi") {
        initial_len = 1; // gì, gìn: the i is the vowel
        nucleus_len = toneless[1..].iter().take_while(|c| is_vowel(**c)).count();
    }
    if nucleus_len == 0 {
        return None;
    }
    let nucleus: String = toneless[initial_len..initial_len + nucleus_len]
        .iter()
        .collect();
    let fin: String = toneless[initial_len + nucleus_len..].iter().collect();
    if !NUCLEI.contains(&nucleus.as_str()) || !FINALS.contains(&fin.as_str()) {
        return None;
    }
    Some(Syllable {
        nucleus_start: initial_len,
        nucleus_len,
        has_final: !fin.is_empty(),
        styled: fin.is_empty() && matches!(nucleus.as_str(), "oa" | "oe" | "uy"),
    })
}

/// The letter that should carry the tone; `current` is where the author
/// put it, kept in the styled case when no style is imposed.
fn tone_index(toneless: &[char], syl: Syllable, style: Option<ToneStyle>, current: usize) -> usize {
    let nucleus = syl.nucleus_start..syl.nucleus_start + syl.nucleus_len;
    if let Some(i) = nucleus
        .clone()
        .rev()
        .find(|&i| matches!(toneless[i], 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư'))
    {
        return i;
    }
    if syl.has_final {
        return nucleus.end - 1;
    }
    match syl.nucleus_len {
        1 => nucleus.start,
        3 => nucleus.start + 1,
        _ if syl.styled => match style {
            Some(ToneStyle::Old) => nucleus.start,
            Some(ToneStyle::New) => nucleus.start + 1,
            None if nucleus.contains(&current) => current,
            None => nucleus.start,
        },
        _ => nucleus.start,
    }
}

/// Where an open `oa`/`oe`/`uy` word puts its tone, if it is one.
pub(crate) fn style_of_word(word: &str) -> Option<ToneStyle> {
    let letters = letters(word)?;
    let toned = letters.iter().position(|l| l.tone != Tone::Level)?;
    let toneless: Vec<char> = letters.iter().map(|l| l.toneless()).collect();
    let syl = parse(&toneless)?;
    if !syl.styled {
        return None;
    }
    match toned - syl.nucleus_start {
        0 => Some(ToneStyle::Old),
        1 => Some(ToneStyle::New),
        _ => None,
    }
}

/// Whether a word (with or without tone) is a Vietnamese syllable.
pub fn is_syllable(word: &str) -> bool {
    letters(word).is_some_and(|letters| {
        let toneless: Vec<char> = letters.iter().map(|l| l.toneless()).collect();
        letters.iter().filter(|l| l.tone != Tone::Level).count() <= 1 && parse(&toneless).is_some()
    })
}

pub(crate) fn fix_word(word: &str, style: Option<ToneStyle>) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    let Some(mut letters) = letters(word) else {
        return Cow::Borrowed(word);
    };
    let mut toned = letters
        .iter()
        .enumerate()
        .filter(|(_, l)| l.tone != Tone::Level);
    let (Some((current, first)), None) = (toned.next(), toned.next()) else {
        return Cow::Borrowed(word); // no tone, or two: nothing sure to do
    };
    let tone = first.tone;
    let toneless: Vec<char> = letters.iter().map(|l| l.toneless()).collect();
    let Some(syl) = parse(&toneless) else {
        return Cow::Borrowed(word);
    };
    let target = tone_index(&toneless, syl, style, current);
    if target == current {
        return Cow::Borrowed(word);
    }
    letters[current].tone = Tone::Level;
    letters[target].tone = tone;
    let mut out = String::with_capacity(word.len() + 4);
    for l in letters {
        l.push_to(&mut out);
    }
    Cow::Owned(out.nfc().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(s: &str) -> String {
        place_tones(s, Some(ToneStyle::Old))
    }
    fn new(s: &str) -> String {
        place_tones(s, Some(ToneStyle::New))
    }

    #[test]
    fn the_two_styles_differ_only_on_open_oa_oe_uy() {
        assert_eq!(old("hoà thuỷ khoẻ"), "hòa thủy khỏe");
        assert_eq!(new("hòa thủy khỏe"), "hoà thuỷ khoẻ");
        assert_eq!(old("Hoà Bình, THUỶ LỢI"), "Hòa Bình, THỦY LỢI");
        for same in [
            "hoàng", "toán", "huỳnh", "khuyến", "ngoài", "khuỷu", "mái", "múa", "người", "quả",
            "giữa", "gì", "gìn", "quý", "Nguyễn", "thuở",
        ] {
            assert_eq!(old(same), same, "{same}");
            assert_eq!(new(same), same, "{same}");
        }
    }

    #[test]
    fn misplaced_marks_are_repaired() {
        assert_eq!(place_tones("lựơng", None), "lượng");
        assert_eq!(place_tones("nghịêm", None), "nghiệm");
        assert_eq!(place_tones("ngừơi", None), "người");
        assert_eq!(
            place_tones("ngùơi", None),
            "ngùơi",
            "a missing horn is not guessed"
        );
        assert_eq!(place_tones("hóan", None), "hoán");
        assert_eq!(place_tones("Quảng trừơng", None), "Quảng trường");
        assert_eq!(place_tones("múôn", None), "muốn");
    }

    #[test]
    fn without_a_style_the_authors_choice_stays() {
        assert_eq!(place_tones("hoà và hòa", None), "hoà và hòa");
    }

    #[test]
    fn not_vietnamese_is_left_alone() {
        for s in [
            "café", "Müller", "naïve", "ÐÐ", "hoàá", "TP.HCM", "Ωmega", "xyzé",
        ] {
            assert_eq!(place_tones(s, Some(ToneStyle::New)), s, "{s}");
        }
    }

    #[test]
    fn decomposed_input_comes_out_composed() {
        let nfd: String = "lựơng".nfd().collect();
        assert_eq!(place_tones(&nfd, None), "lượng");
    }

    #[test]
    fn styles_are_detected() {
        assert_eq!(style_of_word("hòa"), Some(ToneStyle::Old));
        assert_eq!(style_of_word("thuỷ"), Some(ToneStyle::New));
        assert_eq!(style_of_word("hoàng"), None);
        assert!(is_syllable("nghiêng") && is_syllable("Đường") && !is_syllable("chàomừng"));
    }
}
