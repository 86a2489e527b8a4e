//! Ordering the database's candidates as a reader would, and the snippet.
//!
//! Order: more query words matching with their exact diacritics (tone
//! placement aside: `hoà` is `hòa`), then more of them in the title; then
//! the words adjacent, as typed (a phrase); then more words in the title
//! without diacritics; then the newest. Quoted phrases are already required
//! by the database.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::query::Query;
use crate::content::html::escape;
use crate::content::text::{chars_ahead, chars_back};

/// What ranking looks at, per candidate.
pub struct Candidate<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    /// The body as stored (sanitised HTML): read in place, tags skipped.
    pub body: &'a str,
    pub published_at: DateTime<Utc>,
}

/// Calls `f` with each word of `text` (a run of word characters) until it
/// returns false. In HTML, tags and character references (`&amp;`) separate
/// words and are not read as text.
fn each_word(text: &str, html: bool, mut f: impl FnMut(&str) -> bool) {
    let mut start: Option<usize> = None;
    let mut in_tag = false;
    let mut in_reference = false;
    for (i, c) in text.char_indices() {
        if in_tag {
            in_tag = c != '>';
            continue;
        }
        if in_reference {
            if c == ';' {
                in_reference = false;
                continue;
            }
            if c.is_ascii_alphanumeric() || c == '#' {
                continue;
            }
            // A bare `&`: what follows is text again.
            in_reference = false;
        }
        let word = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            vntext::is_word_char(c)
        };
        if word {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take()
            && !f(&text[s..i])
        {
            return;
        }
        if html {
            in_tag = c == '<';
            in_reference = c == '&';
        }
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
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
        vntext::fold_into(c.encode_utf8(&mut [0; 4]), &mut text);
        origin.resize(text.len(), at);
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

/// A word's spelling for exact comparison: lower case, tone marks placed
/// one way, so `hoà` and `hòa` are the same word but `hóa` is not.
pub fn canonical(word: &str) -> String {
    vntext::place_tones(&word.to_lowercase(), Some(vntext::ToneStyle::Old))
}

/// What one pass over a field found, per query word.
struct Found {
    /// Found with its exact diacritics.
    exact: Vec<bool>,
    /// Found, diacritics aside.
    folded: Vec<bool>,
    /// The query words one after another, as typed.
    together: bool,
}

impl Found {
    fn new(words: usize) -> Self {
        Found {
            exact: vec![false; words],
            folded: vec![false; words],
            together: words < 2,
        }
    }

    fn count(flags: &[bool]) -> usize {
        flags.iter().filter(|f| **f).count()
    }
}

/// Reads fields word by word against the query. The same few spellings
/// (`xã`, `Xã`, `xa`…) recur in every candidate, so whether a spelling is
/// exact is judged once per search.
struct Reader<'q> {
    query: &'q Query,
    canon: Vec<String>,
    judged: Vec<HashMap<Box<str>, bool>>,
    /// First byte of each folded query word.
    initials: Vec<u8>,
    folded: String,
    /// `partial[k]`: the last k words read were the first k query words.
    partial: Vec<bool>,
}

impl<'q> Reader<'q> {
    fn new(query: &'q Query) -> Self {
        Reader {
            query,
            canon: query.words.iter().map(|w| canonical(&w.exact)).collect(),
            judged: vec![HashMap::new(); query.words.len()],
            initials: query
                .words
                .iter()
                .filter_map(|w| w.folded.bytes().next())
                .collect(),
            folded: String::new(),
            partial: vec![false; query.words.len() + 1],
        }
    }

    /// Reads `text` into `found`; stops early once nothing more can change
    /// unless `whole` (titles are read whole: folded matches count there).
    fn read(&mut self, text: &str, html: bool, whole: bool, found: &mut Found) {
        let query = self.query;
        let n = query.words.len();
        self.partial.iter_mut().for_each(|p| *p = false);
        let Reader {
            canon,
            judged,
            initials,
            folded,
            partial,
            ..
        } = self;
        each_word(text, html, |word| {
            // Most words share no first letter with any query word: judged
            // by that letter alone, they are not folded whole. (Folding is
            // letter by letter, so the first letter folds alone the same.)
            let first = word.chars().next().map_or(0, char::len_utf8);
            folded.clear();
            vntext::fold_into(&word[..first], folded);
            if let Some(b) = folded.bytes().next()
                && !initials.contains(&b)
            {
                partial.iter_mut().for_each(|p| *p = false);
                return whole || !(found.together && found.exact.iter().all(|e| *e));
            }
            folded.clear();
            vntext::fold_into(word, folded);
            for (i, w) in query.words.iter().enumerate() {
                if w.folded != *folded {
                    continue;
                }
                found.folded[i] = true;
                if !found.exact[i] {
                    found.exact[i] = match judged[i].get(word) {
                        Some(same) => *same,
                        None => {
                            let same = canonical(word) == canon[i];
                            judged[i].insert(word.into(), same);
                            same
                        }
                    };
                }
            }
            if n >= 2 && !found.together {
                for k in (1..=n).rev() {
                    partial[k] = partial[k - 1] && query.words[k - 1].folded == *folded;
                }
                partial[1] = query.words[0].folded == *folded;
                found.together = partial[n];
            }
            whole || !(found.together && found.exact.iter().all(|e| *e))
        });
    }
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
fn key(reader: &mut Reader<'_>, c: &Candidate<'_>) -> Key {
    let n = reader.query.words.len();
    let mut title = Found::new(n);
    reader.read(c.title, false, true, &mut title);
    let exact_title = Found::count(&title.exact);
    let folded_title = Found::count(&title.folded);
    // The rest starts from what the title found.
    let mut anywhere = Found {
        exact: title.exact.clone(),
        folded: title.folded,
        together: title.together,
    };
    for (text, html) in [(c.summary, false), (c.body, true)] {
        let before = anywhere.together;
        anywhere.together = n < 2;
        reader.read(text, html, false, &mut anywhere);
        anywhere.together |= before;
    }
    (
        Reverse(Found::count(&anywhere.exact)),
        Reverse(exact_title),
        Reverse(anywhere.together),
        Reverse(folded_title),
        Reverse(c.published_at),
    )
}

/// Candidates judged one at a time, so ranking can begin before all of them
/// have arrived, then put in order.
pub struct Ranking<'q> {
    reader: Reader<'q>,
    keyed: Vec<(Key, usize)>,
}

impl<'q> Ranking<'q> {
    pub fn new(query: &'q Query) -> Self {
        Ranking {
            reader: Reader::new(query),
            keyed: Vec::new(),
        }
    }

    /// Judges the next candidate; its index is the number pushed before it.
    pub fn push(&mut self, candidate: &Candidate<'_>) {
        let i = self.keyed.len();
        self.keyed.push((key(&mut self.reader, candidate), i));
    }

    /// The indexes of the candidates pushed, best first.
    pub fn order(mut self) -> Vec<usize> {
        self.keyed.sort();
        self.keyed.into_iter().map(|(_, i)| i).collect()
    }
}

/// The order of candidates, as indexes into `candidates`.
pub fn order(query: &Query, candidates: &[Candidate<'_>]) -> Vec<usize> {
    let mut ranking = Ranking::new(query);
    for c in candidates {
        ranking.push(c);
    }
    ranking.order()
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
    let mut start = chars_back(text, first, 60);
    if start > 0 {
        start = text[start..].find(' ').map_or(start, |sp| start + sp + 1);
    }
    let mut end = chars_ahead(text, start, SNIPPET_CHARS);
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
                summary: "",
                body: "Nói về bình an và hoa.",
                published_at: at(9),
            },
            Candidate {
                title: "Lễ hội",
                summary: "",
                body: "Cầu cho hòa bình thôn bản.",
                published_at: at(1),
            },
            Candidate {
                title: "Hòa bình trên quê hương",
                summary: "",
                body: "…",
                published_at: at(2),
            },
            Candidate {
                title: "Bình yên",
                summary: "",
                body: "Hòa giải và bình đẳng.",
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
    fn bodies_are_read_as_text_not_markup() {
        let mut seen = Vec::new();
        each_word(
            "<p class=\"x\">Tom&amp;Jerry <strong>đảng</strong> it&#39;s & co&nbsp;39</p>",
            true,
            |w| {
                seen.push(w.to_owned());
                true
            },
        );
        assert_eq!(seen, ["Tom", "Jerry", "đảng", "it", "s", "co", "39"]);
        // Tags in the body are not words: "strong" matches nothing here.
        let q = Query::parse("strong");
        let c = [Candidate {
            title: "A",
            summary: "",
            body: "<strong>x</strong>",
            published_at: at(1),
        }];
        let mut reader = Reader::new(&q);
        assert_eq!(key(&mut reader, &c[0]).0, Reverse(0));
    }

    #[test]
    fn newest_first_when_all_else_is_equal() {
        let q = Query::parse("đảng viên");
        let cands = [
            Candidate {
                title: "A",
                summary: "",
                body: "đảng viên",
                published_at: at(1),
            },
            Candidate {
                title: "B",
                summary: "",
                body: "đảng viên",
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
