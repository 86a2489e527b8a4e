//! Normalisation of text for storage.

use unicode_normalization::UnicodeNormalization;

/// Normalises Vietnamese text for storage. Idempotent.
///
/// - Unicode NFC (Word and macOS paste decomposed text);
/// - `Ð`/`ð` (Icelandic Eth, from legacy fonts) → `Đ`/`đ`;
/// - NBSP and other Unicode spaces, tabs → plain spaces; zero-width
///   characters, BOM, soft hyphens, bidirectional controls and every other
///   control character (C0 and C1, which no text shows and which XML
///   forbids) removed; vertical tabs and form feeds become line breaks;
/// - runs of spaces collapsed, lines trimmed, blank-line runs collapsed to
///   one paragraph break, line breaks normalised to `\n`;
/// - no space before `, . ; : ? ! …` and closing brackets or quotes, none
///   after opening ones, one space after `, ; : ? ! …` before a word.
///   Numbers (`1.000.000`, `3,5%`), times (`10:30`), URLs, e-mail addresses
///   and abbreviations (`TP.HCM`) are left alone.
///
/// ```
/// assert_eq!(vntext::normalize("sai lầm ,  lệch lạc"), "sai lầm, lệch lạc");
/// ```
pub fn normalize(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter_map(clean_char)
        .collect::<String>()
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let composed: String = cleaned.nfc().map(fix_eth).collect();

    let mut out = String::with_capacity(composed.len());
    let mut pending_break = false;
    for line in composed.split('\n') {
        let line = normalize_line(line);
        if line.is_empty() {
            pending_break = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if pending_break { "\n\n" } else { "\n" });
        }
        pending_break = false;
        out.push_str(&line);
    }
    out
}

/// Maps invisible and space-like characters; `None` removes the character.
fn clean_char(c: char) -> Option<char> {
    match c {
        // Zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => None,
        // Bidirectional marks, embeddings, overrides and isolates: they can
        // make a name or a link read differently from what it is.
        '\u{200E}'
        | '\u{200F}'
        | '\u{061C}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => None,
        '\u{000B}' | '\u{000C}' | '\u{0085}' => Some('\n'),
        '\n' | '\r' => Some(c),
        c if c.is_control() && c != '\t' => None,
        '\t' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            Some(' ')
        }
        '\u{2028}' | '\u{2029}' => Some('\n'),
        c => Some(c),
    }
}

fn fix_eth(c: char) -> char {
    match c {
        'Ð' => 'Đ',
        'ð' => 'đ',
        c => c,
    }
}

/// Characters that attach to the word before them.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | ';' | ':' | '?' | '!' | '…' | ')' | ']' | '”' | '»'
    )
}

/// Characters that attach to the word after them.
fn is_opening(c: char) -> bool {
    matches!(c, '(' | '[' | '“' | '«')
}

/// A token that must not be touched: a URL or an e-mail address.
fn is_protected(token: &str) -> bool {
    token.contains("://") || token.starts_with("www.") || token.contains('@')
}

fn normalize_line(line: &str) -> String {
    // Join tokens, gluing punctuation to the word it belongs to.
    let mut tokens: Vec<String> = Vec::new();
    for token in line.split(' ').filter(|t| !t.is_empty()) {
        let glue = match tokens.last() {
            Some(prev) => {
                token.starts_with(is_closing) && !is_protected(token) || prev.ends_with(is_opening)
            }
            None => false,
        };
        match (glue, tokens.last_mut()) {
            (true, Some(prev)) => prev.push_str(token),
            _ => tokens.push(token.to_owned()),
        }
    }

    let mut out = String::with_capacity(line.len());
    for token in &tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        if is_protected(token) {
            out.push_str(token);
        } else {
            space_after_punctuation(token, &mut out);
        }
    }
    out
}

/// Copies `token` into `out`, inserting one space where punctuation is
/// directly followed by a word (`a,b` → `a, b`), but not inside numbers,
/// times or abbreviations.
fn space_after_punctuation(token: &str, out: &mut String) {
    let chars: Vec<char> = token.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let (Some(&next), prev) = (chars.get(i + 1), i.checked_sub(1).map(|p| chars[p])) else {
            continue;
        };
        let prev_digit = prev.is_some_and(|p| p.is_ascii_digit());
        let insert = match c {
            // `3,5` and `10:30` stay; `a,b`, `Điện thoại:0912` get a space.
            ',' | ':' => next.is_alphabetic() || next.is_ascii_digit() && !prev_digit,
            ';' | '!' | '?' | '…' => next.is_alphanumeric(),
            // Only a clear sentence end: `xong.Sau` → `xong. Sau`, while
            // `TP.HCM`, `v.v.`, `1.000` and `ubnd.gov.vn` stay.
            '.' => prev.is_some_and(|p| p.is_lowercase()) && next.is_uppercase(),
            _ => false,
        };
        if insert {
            out.push(' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_decomposed_text() {
        let nfd = "Sa\u{0300}i Go\u{0300}n, Vie\u{0323}\u{0302}t Nam";
        assert_eq!(normalize(nfd), "Sài Gòn, Việt Nam");
    }

    #[test]
    fn eth_becomes_d_bar() {
        assert_eq!(normalize("Ðảng bộ ðoàn kết"), "Đảng bộ đoàn kết");
    }

    #[test]
    fn invisible_characters_and_spaces() {
        assert_eq!(
            normalize("\u{FEFF}Xin\u{00A0}\u{00A0}chào\u{200B} bạn\u{00AD}"),
            "Xin chào bạn"
        );
        assert_eq!(normalize("  \u{00A0} Đảng bộ\t\txã  "), "Đảng bộ xã");
    }

    #[test]
    fn control_and_bidirectional_characters_are_removed() {
        assert_eq!(
            normalize("Xã\u{0001} Sín\u{0008} Chéng\u{007F}\u{0085}"),
            "Xã Sín Chéng"
        );
        assert_eq!(normalize("a\u{0090}b\u{009F}c"), "abc");
        assert_eq!(normalize("trang\u{000C}hai"), "trang\nhai");
        // "Thôn Nàn Sín" with a right-to-left override around part of it.
        assert_eq!(
            normalize("Thôn \u{202E}nìS nàN\u{202C} \u{2066}x\u{2069}\u{200E}\u{200F}"),
            "Thôn nìS nàN x"
        );
        for c in (0u32..0x20).chain(0x7F..0xA0).filter_map(char::from_u32) {
            let out = normalize(&format!("a{c}b"));
            assert!(
                !out.chars().any(|o| o.is_control() && o != '\n'),
                "{c:?} → {out:?}"
            );
        }
    }

    #[test]
    fn punctuation_spacing_from_the_seed() {
        assert_eq!(
            normalize("kịp thời chấn chỉnh, sai lầm , lệch lạc.  Làm tốt"),
            "kịp thời chấn chỉnh, sai lầm, lệch lạc. Làm tốt"
        );
        assert_eq!(normalize("Lồ Sinh ."), "Lồ Sinh.");
        assert_eq!(normalize("vào Đảng./."), "vào Đảng./.");
    }

    #[test]
    fn space_after_punctuation() {
        assert_eq!(normalize("a,b;c!d?e"), "a, b; c! d? e");
        assert_eq!(
            normalize("Điện thoại:0912 345 678"),
            "Điện thoại: 0912 345 678"
        );
        assert_eq!(normalize("xong.Sau đó"), "xong. Sau đó");
        assert_eq!(normalize("Chờ đợi…rồi"), "Chờ đợi… rồi");
    }

    #[test]
    fn numbers_times_urls_and_abbreviations_are_left_alone() {
        for s in [
            "1.000.000 đồng",
            "tăng 3,5% so với 2023",
            "lúc 10:30 ngày 01/08/2022",
            "xem https://sinCheng.gov.vn/tin-tuc?a=1,2&b=x:y",
            "gửi về ubnd@sincheng.gov.vn, hoặc www.Example.vn!Xem",
            "TP.HCM và v.v. và Q.1",
            "Chờ đợi... rồi",
        ] {
            assert_eq!(normalize(s), s);
        }
    }

    #[test]
    fn brackets_and_quotes_hug_their_content() {
        assert_eq!(normalize("( tạm dịch )"), "(tạm dịch)");
        assert_eq!(
            normalize("gọi là “ xã nông thôn mới ” ."),
            "gọi là “xã nông thôn mới”."
        );
    }

    #[test]
    fn paragraph_breaks_are_kept_and_collapsed() {
        assert_eq!(
            normalize("\n\nMột\r\nHai\n\n\n\n Ba \n\n"),
            "Một\nHai\n\nBa"
        );
    }
}
