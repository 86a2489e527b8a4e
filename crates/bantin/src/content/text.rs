//! Text from people (imports, the editor) on its way into the database.

use vntext::ToneStyle;

/// Normalises text (NFC, spacing, punctuation, invisible characters) and
/// places tone marks by the site's house style; misplaced marks are
/// repaired whatever the style.
pub fn clean(text: &str, style: Option<ToneStyle>) -> String {
    vntext::place_tones(&vntext::normalize(text), style)
}

/// The byte offset `n` characters before `at` (the start at most).
pub fn chars_back(text: &str, at: usize, n: usize) -> usize {
    text[..at].char_indices().rev().nth(n).map_or(0, |(i, _)| i)
}

/// The byte offset `n` characters after `at` (the end at most).
pub fn chars_ahead(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// A typography or spelling suggestion, as the editor lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintNote {
    pub message: &'static str,
    /// The text around the problem: `…a few words…`.
    pub excerpt: String,
    pub suggestion: String,
}

/// What `vntext::lint` finds in each text, at most `max` notes.
pub fn lint_notes(texts: &[&str], max: usize) -> Vec<LintNote> {
    let mut out = Vec::new();
    for text in texts {
        for issue in vntext::lint(text) {
            let start = chars_back(text, issue.range.start, 15);
            let end = chars_ahead(text, issue.range.end, 15);
            out.push(LintNote {
                message: issue.kind.message(),
                excerpt: format!("…{}…", &text[start..end]),
                suggestion: if issue.suggestion.trim().is_empty() {
                    "(xoá)".into()
                } else {
                    issue.suggestion
                },
            });
        }
    }
    out.truncate(max);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_characters_not_bytes() {
        let t = "Đảng bộ xã Sín Chéng";
        let at = t.find("xã").unwrap();
        assert_eq!(&t[chars_back(t, at, 2)..at], "bộ ");
        assert_eq!(&t[at..chars_ahead(t, at, 2)], "xã");
        assert_eq!(chars_back(t, at, 100), 0);
        assert_eq!(chars_ahead(t, at, 100), t.len());
    }

    #[test]
    fn cleans_and_applies_the_house_style() {
        assert_eq!(clean("Hoà  bình , lựơng", None), "Hoà bình, lượng");
        assert_eq!(
            clean("Hoà  bình , lựơng", Some(ToneStyle::Old)),
            "Hòa bình, lượng"
        );
    }
}
