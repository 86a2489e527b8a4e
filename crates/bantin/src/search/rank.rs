//! Ordering the database's candidates as a reader would, and the snippet.
//!
//! Order: more query words matching with their exact diacritics (tone
//! placement aside: `hoà` is `hòa`), then more of them in the title; then
//! the words adjacent, as typed (a phrase); then more words in the title
//! without diacritics; then the newest. Quoted phrases are already required
//! by the database.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use super::query::{Query, Word};
use crate::content::html::escape;

/// What ranking looks at, per candidate.
pub struct Candidate<'a> {
    pub title: &'a str,
    pub text: &'a str,
    pub published_at: DateTime<Utc>,
}

/// Folded text with, for each folded byte, the original byte it came from.
struct Folded {
    text: String,
    origin: Vec<usize>,
}

fn fold_mapped(original: &str) -> Folded {
    let mut text = String::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len());
    for (at, c) in original.char_indices() {
        let f = vntext::fold(c.encode_utf8(&mut [0; 4]));
        for _ in 0..f.len() {
            origin.push(at);
        }
        text.push_str(&f);
    }
    Folded { text, origin }
}

/// Words of folded text (runs of `a-z0-9`), with their byte ranges.
fn words(folded: &str) -> Vec<(usize, usize)> {
    let bytes = folded.as_bytes();
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate() {
        let w = b.is_ascii_alphanumeric();
        match (w, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
    out
}

/// Whether the words of `query` appear one after another in `folded`.
fn adjacent(folded: &str, query: &[Word]) -> bool {
    if query.len() < 2 {
        return false;
    }
    let ws: Vec<&str> = words(folded)
        .into_iter()
        .map(|(s, e)| &folded[s..e])
        .collect();
    ws.windows(query.len())
        .any(|win| win.iter().zip(query).all(|(w, q)| *w == q.folded))
}

/// A word's spelling for exact comparison: lower case, tone marks placed
/// one way, so `hoà` and `hòa` are the same word but `hóa` is not.
pub fn canonical(word: &str) -> String {
    vntext::place_tones(&word.to_lowercase(), Some(vntext::ToneStyle::Old))
}

/// How many query words appear in `text` with their exact diacritics.
/// Only words that fold to a query word are compared, so this stays cheap.
fn exact_hits(query: &Query, canon: &[String], text: &str) -> Vec<bool> {
    let mut hit = vec![false; query.words.len()];
    for word in text
        .split(|c: char| !vntext::is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        let folded = vntext::fold(word);
        for (i, w) in query.words.iter().enumerate() {
            if !hit[i] && w.folded == folded && canonical(word) == canon[i] {
                hit[i] = true;
            }
        }
    }
    hit
}

type Key = (
    Reverse<usize>,
    Reverse<usize>,
    Reverse<bool>,
    Reverse<usize>,
    Reverse<DateTime<Utc>>,
);

/// Exact-diacritic matches (anywhere, then in the title), adjacency, folded
/// title matches, recency.
fn key(query: &Query, canon: &[String], c: &Candidate<'_>) -> Key {
    let title_folded = vntext::fold(c.title);
    let text_folded = vntext::fold(c.text);
    let title_words: Vec<&str> = words(&title_folded)
        .into_iter()
        .map(|(s, e)| &title_folded[s..e])
        .collect();
    let in_title = exact_hits(query, canon, c.title);
    let in_text = exact_hits(query, canon, c.text);
    let exact = in_title
        .iter()
        .zip(&in_text)
        .filter(|(a, b)| **a || **b)
        .count();
    let exact_title = in_title.iter().filter(|h| **h).count();
    let folded_title = query
        .words
        .iter()
        .filter(|w| title_words.contains(&w.folded.as_str()))
        .count();
    let together = adjacent(&title_folded, &query.words) || adjacent(&text_folded, &query.words);
    (
        Reverse(exact),
        Reverse(exact_title),
        Reverse(together),
        Reverse(folded_title),
        Reverse(c.published_at),
    )
}

/// The order of candidates, as indexes into `candidates`.
pub fn order(query: &Query, candidates: &[Candidate<'_>]) -> Vec<usize> {
    let canon: Vec<String> = query.words.iter().map(|w| canonical(&w.exact)).collect();
    let mut keyed: Vec<(Key, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (key(query, &canon, c), i))
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// About this many characters of context in a snippet.
const SNIPPET_CHARS: usize = 220;

/// A piece of `text` around the first match, HTML-escaped, matches in
/// `<mark>`, in the original spelling.
pub fn snippet(query: &Query, text: &str) -> String {
    let folded = fold_mapped(text);
    let hits: Vec<(usize, usize)> = words(&folded.text)
        .into_iter()
        .filter(|(s, e)| query.words.iter().any(|w| w.folded == folded.text[*s..*e]))
        .map(|(s, e)| {
            (
                folded.origin[s],
                folded.origin.get(e).copied().unwrap_or(text.len()),
            )
        })
        .collect();
    let first = hits.first().map_or(0, |h| h.0);
    // Start a little before the first match, on a word boundary.
    let mut start = text[..first]
        .char_indices()
        .rev()
        .nth(60)
        .map_or(0, |(i, _)| i);
    if start > 0 {
        start = text[start..].find(' ').map_or(start, |sp| start + sp + 1);
    }
    let mut end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start + i);
    if end < text.len() {
        end = text[..end]
            .rfind(' ')
            .filter(|&sp| sp > start)
            .unwrap_or(end);
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for (s, e) in hits.into_iter().filter(|(s, e)| *s >= start && *e <= end) {
        out.push_str(&escape(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&escape(&text[at..end]));
    if end < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn exact_diacritics_then_title_then_phrase_then_recency() {
        let q = Query::parse("hòa bình");
        let cands = [
            Candidate {
                title: "Hoa đào nở",
                text: "Nói về bình an và hoa.",
                published_at: at(9),
            },
            Candidate {
                title: "Lễ hội",
                text: "Cầu cho hòa bình thôn bản.",
                published_at: at(1),
            },
            Candidate {
                title: "Hòa bình trên quê hương",
                text: "…",
                published_at: at(2),
            },
            Candidate {
                title: "Bình yên",
                text: "Hòa giải và bình đẳng.",
                published_at: at(3),
            },
        ];
        // Both exact words in the title first; then exact words with one in
        // the title; then exact words in the body only; folded-only last.
        assert_eq!(order(&q, &cands), vec![2, 3, 1, 0]);
        assert_eq!(canonical("HOÀ"), canonical("hòa"));
        assert_ne!(canonical("hóa"), canonical("hòa"));
    }

    #[test]
    fn newest_first_when_all_else_is_equal() {
        let q = Query::parse("đảng viên");
        let cands = [
            Candidate {
                title: "A",
                text: "đảng viên",
                published_at: at(1),
            },
            Candidate {
                title: "B",
                text: "đảng viên",
                published_at: at(5),
            },
        ];
        assert_eq!(order(&q, &cands), vec![1, 0]);
    }

    #[test]
    fn snippets_highlight_the_original_spelling() {
        let q = Query::parse("sin cheng");
        let s = snippet(&q, "Đảng bộ xã Sín Chéng chú trọng <công tác> xây dựng.");
        assert_eq!(
            s,
            "Đảng bộ xã <mark>Sín</mark> <mark>Chéng</mark> chú trọng &lt;công tác&gt; xây dựng."
        );
        let long = format!(
            "{} Sín Chéng {}",
            "mở đầu ".repeat(40),
            "kết thúc ".repeat(60)
        );
        let s = snippet(&q, &long);
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("<mark>Sín</mark>"),
            "{s}"
        );
    }
}
