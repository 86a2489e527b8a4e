//! Text typed in the legacy Vietnamese font encodings TCVN3 (ABC) and VNI,
//! then read as Latin-1/Windows-1252, as old documents still arrive:
//! `Xin chµo` (TCVN3) or `Xin chaøo` (VNI) for `Xin chào`.
//!
//! [`repair_legacy`] recognises such text and converts it to Unicode. It
//! decodes the suspicious words both ways and keeps the decoding that turns
//! them into real Vietnamese syllables, so French or German text with
//! accents is left alone.

use unicode_normalization::UnicodeNormalization;

use crate::tone::is_syllable;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 VN3, the ".Vn" fonts (ABC).
    Tcvn3,
    /// VNI-Windows, the "VNI-" fonts.
    Vni,
}

impl LegacyEncoding {
    pub fn name(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "TCVN3",
            LegacyEncoding::Vni => "VNI",
        }
    }
}

/// TCVN3: one byte per letter; upper-case toned vowels are not encoded (they
/// came from separate capital fonts), so they decode lower case.
fn tcvn3(c: char) -> Option<char> {
    Some(match c as u32 {
        0xA1 => 'Ă',
        0xA2 => 'Â',
        0xA3 => 'Ê',
        0xA4 => 'Ô',
        0xA5 => 'Ơ',
        0xA6 => 'Ư',
        0xA7 => 'Đ',
        0xA8 => 'ă',
        0xA9 => 'â',
        0xAA => 'ê',
        0xAB => 'ô',
        0xAC => 'ơ',
        0xAD => 'ư',
        0xAE => 'đ',
        0xB5 => 'à',
        0xB6 => 'ả',
        0xB7 => 'ã',
        0xB8 => 'á',
        0xB9 => 'ạ',
        0xBB => 'ằ',
        0xBC => 'ẳ',
        0xBD => 'ẵ',
        0xBE => 'ắ',
        0xC6 => 'ặ',
        0xC7 => 'ầ',
        0xC8 => 'ẩ',
        0xC9 => 'ẫ',
        0xCA => 'ấ',
        0xCB => 'ậ',
        0xCC => 'è',
        0xCE => 'ẻ',
        0xCF => 'ẽ',
        0xD0 => 'é',
        0xD1 => 'ẹ',
        0xD2 => 'ề',
        0xD3 => 'ể',
        0xD4 => 'ễ',
        0xD5 => 'ế',
        0xD6 => 'ệ',
        0xD7 => 'ì',
        0xD8 => 'ỉ',
        0xDC => 'ĩ',
        0xDD => 'í',
        0xDE => 'ị',
        0xDF => 'ò',
        0xE1 => 'ỏ',
        0xE2 => 'õ',
        0xE3 => 'ó',
        0xE4 => 'ọ',
        0xE5 => 'ồ',
        0xE6 => 'ổ',
        0xE7 => 'ỗ',
        0xE8 => 'ố',
        0xE9 => 'ộ',
        0xEA => 'ờ',
        0xEB => 'ở',
        0xEC => 'ỡ',
        0xED => 'ớ',
        0xEE => 'ợ',
        0xEF => 'ù',
        0xF1 => 'ủ',
        0xF2 => 'ũ',
        0xF3 => 'ú',
        0xF4 => 'ụ',
        0xF5 => 'ừ',
        0xF6 => 'ử',
        0xF7 => 'ữ',
        0xF8 => 'ứ',
        0xF9 => 'ự',
        0xFA => 'ỳ',
        0xFB => 'ỷ',
        0xFC => 'ỹ',
        0xFD => 'ý',
        0xFE => 'ỵ',
        _ => return None,
    })
}

fn decode_tcvn3(text: &str) -> String {
    text.chars().map(|c| tcvn3(c).unwrap_or(c)).collect()
}

// VNI: a base letter followed by a byte for its marks.
const ACUTE: char = '\u{301}';
const GRAVE: char = '\u{300}';
const HOOK: char = '\u{309}';
const TILDE: char = '\u{303}';
const DOT: char = '\u{323}';
const CIRCUMFLEX: char = '\u{302}';
const BREVE: char = '\u{306}';

/// A VNI tone byte (lower or upper case form).
fn vni_tone(c: char) -> Option<char> {
    Some(match c.to_lowercase().next()? {
        'ù' => ACUTE,
        'ø' => GRAVE,
        'û' => HOOK,
        'õ' => TILDE,
        'ï' => DOT,
        _ => return None,
    })
}

/// A VNI circumflex byte, with the tone it carries.
fn vni_circumflex(c: char) -> Option<Option<char>> {
    Some(match c.to_lowercase().next()? {
        'â' => None,
        'á' => Some(ACUTE),
        'à' => Some(GRAVE),
        'å' => Some(HOOK),
        'ã' => Some(TILDE),
        'ä' => Some(DOT),
        _ => return None,
    })
}

/// A VNI breve byte (after `a` only), with the tone it carries.
fn vni_breve(c: char) -> Option<Option<char>> {
    Some(match c.to_lowercase().next()? {
        'ê' => None,
        'é' => Some(ACUTE),
        'è' => Some(GRAVE),
        'ú' => Some(HOOK),
        'ü' => Some(TILDE),
        'ë' => Some(DOT),
        _ => return None,
    })
}

/// VNI bytes that are whole letters: `ơ ư đ` and the toned `i`, `ỵ`.
fn vni_single(c: char) -> Option<(char, Option<char>)> {
    let upper = c.is_uppercase();
    let (base, mark) = match c.to_lowercase().next()? {
        'ô' => ('ơ', None),
        'ö' => ('ư', None),
        'ñ' => ('đ', None),
        'í' => ('i', Some(ACUTE)),
        'ì' => ('i', Some(GRAVE)),
        'æ' => ('i', Some(HOOK)),
        'ó' => ('i', Some(TILDE)),
        'ò' => ('i', Some(DOT)),
        'î' => ('y', Some(DOT)),
        _ => return None,
    };
    let base = if upper {
        base.to_uppercase().next()?
    } else {
        base
    };
    Some((base, mark))
}

fn decode_vni(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let lower = c.to_ascii_lowercase();
        let mut consumed = 1;
        if let Some((base, mark)) = vni_single(c) {
            out.push(base);
            out.extend(mark);
            // ơ and ư take a tone byte after them.
            if matches!(base, 'ơ' | 'Ơ' | 'ư' | 'Ư')
                && let Some(tone) = next.and_then(vni_tone)
            {
                out.push(tone);
                consumed = 2;
            }
        } else if matches!(lower, 'a' | 'e' | 'o' | 'u' | 'y') {
            out.push(c);
            if let Some(n) = next {
                if let Some(tone) = vni_tone(n) {
                    out.push(tone);
                    consumed = 2;
                } else if let (true, Some(tone)) =
                    (matches!(lower, 'a' | 'e' | 'o'), vni_circumflex(n))
                {
                    out.push(CIRCUMFLEX);
                    out.extend(tone);
                    consumed = 2;
                } else if let (true, Some(tone)) = (lower == 'a', vni_breve(n)) {
                    out.push(BREVE);
                    out.extend(tone);
                    consumed = 2;
                }
            }
        } else {
            out.push(c);
        }
        i += consumed;
    }
    out.nfc().collect()
}

/// Converts legacy-encoded text to Unicode.
pub fn decode_legacy(text: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => decode_tcvn3(text),
        LegacyEncoding::Vni => decode_vni(text),
    }
}

/// Characters Unicode Vietnamese has and Latin-1 does not: their presence
/// means the text is already Unicode.
fn is_unicode_vietnamese(c: char) -> bool {
    matches!(
        c as u32,
        0x102
            | 0x103
            | 0x110
            | 0x111
            | 0x128
            | 0x129
            | 0x168
            | 0x169
            | 0x1A0
            | 0x1A1
            | 0x1AF
            | 0x1B0
            | 0x1EA0..=0x1EF9
    )
}

/// The words of a line that can be judged: tokens holding non-ASCII
/// characters. Tokens, not words: TCVN3 puts letters on bytes Latin-1 calls
/// punctuation (soft hyphen for ư, × for ì, § for Đ…).
fn judged(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || c.is_ascii_digit())
        .filter(|t| !t.is_ascii())
}

/// A line that may be legacy text: not ASCII, and without any letter only
/// Unicode Vietnamese has.
fn may_be_legacy(line: &str) -> bool {
    !line.is_ascii() && !line.chars().any(is_unicode_vietnamese)
}

/// Of a line's judged tokens: (as they are, decoded) how many are
/// Vietnamese syllables.
fn syllables(line: &str, encoding: LegacyEncoding) -> (usize, usize) {
    judged(line).fold((0, 0), |(as_is, decoded), t| {
        (
            as_is + usize::from(is_syllable(t)),
            decoded + usize::from(is_syllable(&decode_legacy(t, encoding))),
        )
    })
}

/// Detects TCVN3 or VNI text read as Latin-1 and converts it. `None` when
/// no part of the text is recognisably one of them.
///
/// Judged line by line, since a captured page may hold an article typed
/// in TCVN3 inside a site whose menu ("Tin tức", "Đăng nhập") is already
/// Unicode: lines with letters only Unicode has are kept as they are. The
/// others choose the encoding together: it wins when its decoding makes at
/// least 80% of their non-ASCII words Vietnamese syllables, and more of them
/// than the text as it is. Each line is then converted only when that makes
/// more of its own words Vietnamese (so genuine `Sín Chéng`, which TCVN3
/// would read as `Sớn Chộng`, stays).
pub fn repair_legacy(text: &str) -> Option<(String, LegacyEncoding)> {
    if text.is_ascii() {
        return None;
    }
    let candidates: Vec<&str> = text.lines().filter(|l| may_be_legacy(l)).collect();
    let total = candidates.iter().map(|l| judged(l).count()).sum::<usize>();
    if total == 0 {
        return None;
    }
    let mut best: Option<(LegacyEncoding, usize)> = None;
    for encoding in [LegacyEncoding::Tcvn3, LegacyEncoding::Vni] {
        let (as_is, good) = candidates
            .iter()
            .map(|l| syllables(l, encoding))
            .fold((0, 0), |(a, g), (x, y)| (a + x, g + y));
        if good * 10 >= total * 8 && good > as_is && best.is_none_or(|(_, g)| good > g) {
            best = Some((encoding, good));
        }
    }
    let (encoding, _) = best?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut changed = false;
    for piece in text.split_inclusive('\n') {
        let line = piece.trim_end_matches(['\n', '\r']);
        if may_be_legacy(line) && {
            let (as_is, good) = syllables(line, encoding);
            good > as_is
        } {
            out.push_str(&decode_legacy(line, encoding));
            out.push_str(&piece[line.len()..]);
            changed = true;
        } else {
            out.push_str(piece);
        }
    }
    changed.then_some((out, encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcvn3_examples() {
        assert_eq!(
            repair_legacy("Xin chµo"),
            Some(("Xin chào".into(), LegacyEncoding::Tcvn3))
        );
        assert_eq!(
            repair_legacy("B¶o Th¾ng, ngµy 01/08/2022").unwrap().0,
            "Bảo Thắng, ngày 01/08/2022"
        );
        assert_eq!(
            repair_legacy("§¶ng bé x· Sªn Chïng tæ chøc kÕt n¹p ®¶ng viªn míi t¹i tr\u{AD}êng")
                .unwrap()
                .0,
            "Đảng bộ xã Sên Chùng tổ chức kết nạp đảng viên mới tại trường"
        );
    }

    #[test]
    fn vni_examples() {
        assert_eq!(
            repair_legacy("Xin chaøo"),
            Some(("Xin chào".into(), LegacyEncoding::Vni))
        );
        assert_eq!(
            repair_legacy("Thaønh phoá Hoà Chí Minh, Vieät Nam")
                .unwrap()
                .0,
            "Thành phố Hồ Chí Minh, Việt Nam"
        );
        assert_eq!(
            repair_legacy("Ñaûng boä xaõ, naêm ñoù, ngöôøi daân, quyeàn lôïi, Lyù")
                .unwrap()
                .0,
            "Đảng bộ xã, năm đó, người dân, quyền lợi, Lý"
        );
    }

    #[test]
    fn legacy_lines_among_unicode_ones_are_converted() {
        let page = "Tin tức\nTh«ng b¸o vÒ viÖc hoµ gi¶i\nUBND x· tæ chøc hoµ gi¶i t¹i tr\u{AD}êng häc.\n\
                    Đăng nhập\r\nSín Chéng\nThống kê truy cập\n";
        let (fixed, encoding) = repair_legacy(page).unwrap();
        assert_eq!(encoding, LegacyEncoding::Tcvn3);
        assert_eq!(
            fixed,
            "Tin tức\nThông báo về việc hoà giải\nUBND xã tổ chức hoà giải tại trường học.\n\
             Đăng nhập\r\nSín Chéng\nThống kê truy cập\n",
            "the Unicode lines and the genuine Latin-1 name stay as they are"
        );
    }

    #[test]
    fn real_unicode_and_other_languages_are_left_alone() {
        for s in [
            "Xin chào Việt Nam",
            "Hello world",
            "Le café est très bon à Paris, où il fait beau.",
            "Grüße aus München",
            "Sín Chéng",
            "Xin chào Việt Nam\nTôi yêu bé\nLe café est très bon",
        ] {
            assert_eq!(repair_legacy(s), None, "{s}");
        }
    }
}
