//! A reader's query, parsed: words and quoted phrases, each in its folded
//! form (for matching) and as typed (for exact-diacritic ranking). Nothing
//! of the query's syntax reaches the database: only `a-z0-9` words.

/// Longest query considered, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words considered.
const MAX_WORDS: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Folded: `a-z0-9` only.
    pub folded: String,
    /// As typed, lower case, NFC (`hòa`).
    pub exact: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Every word, in order (those of phrases included).
    pub words: Vec<Word>,
    /// Quoted phrases, as runs of words.
    pub phrases: Vec<Vec<Word>>,
}

impl Query {
    pub fn parse(input: &str) -> Query {
        let input = vntext::compose(&input.chars().take(MAX_QUERY_CHARS).collect::<String>());
        let mut query = Query::default();
        for (i, part) in input.split('"').enumerate() {
            let words = words_of(part);
            // Odd parts were between quotes.
            if i % 2 == 1 && words.len() > 1 {
                query.phrases.push(words.clone());
            }
            query.words.extend(words);
        }
        query.words.truncate(MAX_WORDS);
        let kept = query.words.len();
        query.phrases.retain(|p| p.len() <= kept);
        query
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Each folded word once, in order. A word typed twice (`hồ Hồ`) is one
    /// condition; given twice, PostgreSQL's planner would take it for two
    /// independent ones and misjudge how many articles match.
    fn distinct_words(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(self.words.len());
        for w in &self.words {
            if !out.contains(&w.folded.as_str()) {
                out.push(&w.folded);
            }
        }
        out
    }

    /// The FTS5 MATCH expression: every word, quoted (so `NEAR`, `-`, `*`
    /// or `:` typed by a reader are words, never syntax), and each phrase.
    pub fn fts5(&self) -> String {
        let mut parts: Vec<String> = self
            .distinct_words()
            .into_iter()
            .map(|w| format!("\"{w}\""))
            .collect();
        for p in &self.phrases {
            parts.push(format!(
                "\"{}\"",
                p.iter()
                    .map(|w| w.folded.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        parts.join(" ")
    }

    /// The PostgreSQL `to_tsquery('simple', …)` text: words joined by `&`,
    /// phrases by `<->`.
    pub fn tsquery(&self) -> String {
        let mut parts: Vec<String> = self
            .distinct_words()
            .into_iter()
            .map(str::to_owned)
            .collect();
        for p in &self.phrases {
            parts.push(format!(
                "({})",
                p.iter()
                    .map(|w| w.folded.as_str())
                    .collect::<Vec<_>>()
                    .join(" <-> ")
            ));
        }
        parts.join(" & ")
    }
}

/// Words of a piece of query: runs of letters and digits. `1.000` is the
/// words `1` and `000`, as the index sees it.
fn words_of(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !vntext::is_word_char(c)) {
        if raw.is_empty() {
            continue;
        }
        let exact = vntext::compose(&raw.to_lowercase());
        // Folding may turn one typed word into several (other scripts).
        for folded in vntext::fold(&exact).split(|c: char| !c.is_ascii_alphanumeric()) {
            if !folded.is_empty() {
                out.push(Word {
                    folded: folded.to_owned(),
                    exact: exact.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(q: &Query) -> Vec<&str> {
        q.words.iter().map(|w| w.folded.as_str()).collect()
    }

    #[test]
    fn folds_and_keeps_what_was_typed() {
        let q = Query::parse("SÍN Chéng");
        assert_eq!(folded(&q), ["sin", "cheng"]);
        assert_eq!(q.words[0].exact, "sín");
        let nfd = "Si\u{301}n Che\u{301}ng";
        assert_eq!(folded(&Query::parse(nfd)), ["sin", "cheng"]);
        assert_eq!(Query::parse(nfd).words[0].exact, "sín");
    }

    #[test]
    fn quoted_phrases() {
        let q = Query::parse("\"đảng viên mới\" kết nạp");
        assert_eq!(folded(&q), ["dang", "vien", "moi", "ket", "nap"]);
        assert_eq!(q.phrases.len(), 1);
        assert_eq!(
            q.fts5(),
            "\"dang\" \"vien\" \"moi\" \"ket\" \"nap\" \"dang vien moi\""
        );
        assert_eq!(
            q.tsquery(),
            "dang & vien & moi & ket & nap & (dang <-> vien <-> moi)"
        );
    }

    #[test]
    fn a_repeated_word_is_one_condition() {
        let q = Query::parse("Hồ hồ \"ho ho\"");
        assert_eq!(q.words.len(), 4);
        assert_eq!(q.tsquery(), "ho & (ho <-> ho)");
        assert_eq!(q.fts5(), "\"ho\" \"ho ho\"");
    }

    #[test]
    fn syntax_is_just_text() {
        for hostile in [
            "\"",
            "*",
            "NEAR(a b)",
            "-x",
            "a:b",
            "'; DROP TABLE articles; --",
            "()&|!<->",
            "\u{0}",
        ] {
            let q = Query::parse(hostile);
            for w in &q.words {
                assert!(
                    w.folded
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "{hostile}"
                );
            }
        }
        assert!(Query::parse("  ,.;  ").is_empty());
        assert_eq!(Query::parse(&"ab ".repeat(500)).words.len(), MAX_WORDS);
    }
}
