//! Typography checks for the editor: what is wrong, where (byte ranges of
//! the input) and what to put there instead. Nothing is changed here; the
//! editor shows the issues before publishing.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::tone::{ToneStyle, fix_word, for_each_word, style_of_word};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueKind {
    SpaceBeforePunctuation,
    RepeatedSpaces,
    InvisibleCharacter,
    Decomposed,
    EthForDBar,
    StraightQuote,
    ThreeDots,
    MisplacedTone,
    MixedToneStyles,
}

impl IssueKind {
    /// What the editor shows, in Vietnamese.
    pub fn message(self) -> &'static str {
        match self {
            IssueKind::SpaceBeforePunctuation => "Thừa dấu cách trước dấu câu",
            IssueKind::RepeatedSpaces => "Thừa dấu cách",
            IssueKind::InvisibleCharacter => "Ký tự ẩn (dấu cách không ngắt, ký tự độ rộng 0…)",
            IssueKind::Decomposed => {
                "Chữ có dấu ở dạng tổ hợp (thường do dán từ Word hoặc máy Mac)"
            }
            IssueKind::EthForDBar => "Dùng chữ Ð (Eth) thay cho Đ",
            IssueKind::StraightQuote => "Nên dùng ngoặc kép “ ”",
            IssueKind::ThreeDots => "Nên dùng dấu ba chấm …",
            IssueKind::MisplacedTone => "Dấu thanh đặt sai vị trí",
            IssueKind::MixedToneStyles => "Lẫn kiểu bỏ dấu cũ và mới (hòa/hoà) trong cùng bài",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Byte range in the text checked.
    pub range: Range<usize>,
    pub kind: IssueKind,
    /// What should replace the range.
    pub suggestion: String,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{A0}' || c == '\t'
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
    )
}

/// Lists the typography problems of `text`, in order of position.
pub fn lint(text: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if is_space(c) {
            let mut j = i;
            while j < chars.len() && is_space(chars[j].1) {
                j += 1;
            }
            let range = at..end_of(j);
            let line_start = i == 0 || chars[i - 1].1 == '\n';
            let next = chars.get(j).map(|&(_, c)| c);
            if next.is_some_and(|n| matches!(n, ',' | '.' | ';' | ':' | '?' | '!' | '…'))
                && !line_start
            {
                issues.push(Issue {
                    range,
                    kind: IssueKind::SpaceBeforePunctuation,
                    suggestion: String::new(),
                });
            } else if j - i > 1 || line_start || next.is_none_or(|n| n == '\n') {
                issues.push(Issue {
                    range,
                    kind: IssueKind::RepeatedSpaces,
                    suggestion: if line_start || next.is_none_or(|n| n == '\n') {
                        String::new()
                    } else {
                        " ".into()
                    },
                });
            } else if c != ' ' {
                issues.push(Issue {
                    range,
                    kind: IssueKind::InvisibleCharacter,
                    suggestion: " ".into(),
                });
            }
            i = j;
            continue;
        }
        if is_invisible(c) {
            issues.push(Issue {
                range: at..end_of(i + 1),
                kind: IssueKind::InvisibleCharacter,
                suggestion: String::new(),
            });
        } else if c == 'Ð' || c == 'ð' {
            let fixed = if c == 'Ð' { "Đ" } else { "đ" };
            issues.push(Issue {
                range: at..end_of(i + 1),
                kind: IssueKind::EthForDBar,
                suggestion: fixed.into(),
            });
        } else if c == '"' {
            let opening = i == 0 || {
                let p = chars[i - 1].1;
                p.is_whitespace() || matches!(p, '(' | '[' | '-')
            };
            issues.push(Issue {
                range: at..end_of(i + 1),
                kind: IssueKind::StraightQuote,
                suggestion: if opening { "“" } else { "”" }.into(),
            });
        } else if c == '.'
            && text[at..].starts_with("...")
            && !text[at..].starts_with("....")
            && (i == 0 || chars[i - 1].1 != '.')
        {
            issues.push(Issue {
                range: at..at + 3,
                kind: IssueKind::ThreeDots,
                suggestion: "…".into(),
            });
            i += 3;
            continue;
        } else if !is_combining_mark(c)
            && chars.get(i + 1).is_some_and(|&(_, n)| is_combining_mark(n))
        {
            let mut j = i + 1;
            while j < chars.len() && is_combining_mark(chars[j].1) {
                j += 1;
            }
            let range = at..end_of(j);
            let composed: String = text[range.clone()].nfc().collect();
            if composed != text[range.clone()] {
                issues.push(Issue {
                    range,
                    kind: IssueKind::Decomposed,
                    suggestion: composed,
                });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    tone_issues(text, &mut issues);
    issues.sort_by_key(|issue| (issue.range.start, issue.range.end));
    issues
}

fn tone_issues(text: &str, issues: &mut Vec<Issue>) {
    let mut styled: Vec<(Range<usize>, ToneStyle)> = Vec::new();
    let mut offset = 0;
    for_each_word(text, |piece, is_word| {
        let range = offset..offset + piece.len();
        offset += piece.len();
        if !is_word || piece.is_ascii() {
            return;
        }
        let composed: String = piece.nfc().collect();
        let fixed = fix_word(&composed, None);
        if fixed != composed {
            issues.push(Issue {
                range,
                kind: IssueKind::MisplacedTone,
                suggestion: fixed.into_owned(),
            });
        } else if let Some(style) = style_of_word(&composed) {
            styled.push((range, style));
        }
    });
    let old = styled.iter().filter(|(_, s)| *s == ToneStyle::Old).count();
    let new = styled.len() - old;
    if old == 0 || new == 0 {
        return;
    }
    let house = if new > old {
        ToneStyle::New
    } else {
        ToneStyle::Old
    };
    for (range, style) in styled {
        if style != house {
            let word: String = text[range.clone()].nfc().collect();
            let suggestion = fix_word(&word, Some(house)).into_owned();
            issues.push(Issue {
                range,
                kind: IssueKind::MixedToneStyles,
                suggestion,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(IssueKind, &str, String)> {
        lint(text)
            .into_iter()
            .map(|i| (i.kind, &text[i.range], i.suggestion))
            .collect()
    }

    #[test]
    fn clean_text_has_no_issues() {
        assert!(lint("Đảng bộ xã Sín Chéng, ngày 01/08/2022: 1.000.000 đồng (3,5%)…").is_empty());
        assert!(lint("Đoạn một.\n\nĐoạn hai “có ngoặc”.").is_empty());
    }

    #[test]
    fn spacing() {
        assert_eq!(
            kinds("sai lầm , lệch lạc"),
            vec![(IssueKind::SpaceBeforePunctuation, " ", String::new())]
        );
        assert_eq!(
            kinds("hai  dấu"),
            vec![(IssueKind::RepeatedSpaces, "  ", " ".into())]
        );
        assert_eq!(
            kinds("\u{A0}\u{A0}Thụt đầu dòng"),
            vec![(IssueKind::RepeatedSpaces, "\u{A0}\u{A0}", String::new())]
        );
        assert_eq!(
            kinds("một\u{A0}hai"),
            vec![(IssueKind::InvisibleCharacter, "\u{A0}", " ".into())]
        );
        assert_eq!(
            kinds("ẩn\u{200B}"),
            vec![(IssueKind::InvisibleCharacter, "\u{200B}", String::new())]
        );
    }

    #[test]
    fn characters() {
        assert_eq!(
            kinds("Ðảng"),
            vec![(IssueKind::EthForDBar, "Ð", "Đ".into())]
        );
        assert_eq!(
            kinds("Sa\u{300}i"),
            vec![(IssueKind::Decomposed, "a\u{300}", "à".into())]
        );
        assert_eq!(
            kinds("gọi là \"xã mới\""),
            vec![
                (IssueKind::StraightQuote, "\"", "“".into()),
                (IssueKind::StraightQuote, "\"", "”".into())
            ]
        );
        assert_eq!(
            kinds("chờ..."),
            vec![(IssueKind::ThreeDots, "...", "…".into())]
        );
        assert!(lint("kết thúc./.").is_empty());
    }

    #[test]
    fn tones() {
        assert_eq!(
            kinds("số lựơng"),
            vec![(IssueKind::MisplacedTone, "lựơng", "lượng".into())]
        );
        assert_eq!(
            kinds("hòa bình, thủy lợi và hoà giải"),
            vec![(IssueKind::MixedToneStyles, "hoà", "hòa".into())]
        );
    }

    #[test]
    fn ranges_are_byte_ranges_of_the_input() {
        let text = "Xã  Nậm Xe ,";
        for issue in lint(text) {
            assert!(
                text.is_char_boundary(issue.range.start) && text.is_char_boundary(issue.range.end)
            );
        }
    }
}
