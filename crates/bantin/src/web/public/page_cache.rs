//! Rendered article pages and home pages, kept as long as the reads they
//! were made from (see `content::cache`): a popular article, or the home
//! page, is rendered once a second, not once per reader. The visitor numbers differ per reader (each reader is
//! counted in the numbers they see), so the page is rendered with markers
//! where the numbers go, kept in pieces, and the numbers are put in per
//! request.

use std::sync::Arc;

use crate::content::cache::Cache;
use crate::stats::Counts;
use crate::web::layout::format_count;

/// Stand-ins for the four numbers of "Thống kê truy cập", in page order.
/// Private-use characters: never in text a page shows.
pub const MARKERS: [&str; 4] = [
    "\u{E000}dang-online\u{E000}",
    "\u{E000}hom-nay\u{E000}",
    "\u{E000}trong-tuan\u{E000}",
    "\u{E000}tat-ca\u{E000}",
];

/// A page cut at the markers.
pub struct RenderedPage {
    pieces: [Box<str>; 5],
    /// The article it shows (none for a home page).
    pub article_id: Option<i64>,
    /// The visitor-statistics snapshot its "Đọc nhiều" came from.
    pub snapshot: u64,
}

impl RenderedPage {
    /// Cuts `html` at the widget's markers (the last of each: the widget
    /// comes after the article); `None` if they are not there in order.
    pub fn cut(html: &str, article_id: Option<i64>, snapshot: u64) -> Option<RenderedPage> {
        let mut bounds = Vec::with_capacity(4);
        for marker in MARKERS {
            let at = html.rfind(marker)?;
            if bounds.last().is_some_and(|&(_, end)| at < end) {
                return None;
            }
            bounds.push((at, at + marker.len()));
        }
        let mut pieces: [Box<str>; 5] = Default::default();
        let mut from = 0;
        for (i, (start, end)) in bounds.into_iter().enumerate() {
            pieces[i] = html[from..start].into();
            from = end;
        }
        pieces[4] = html[from..].into();
        Some(RenderedPage {
            pieces,
            article_id,
            snapshot,
        })
    }

    /// The page with these numbers in.
    pub fn with_numbers(&self, counts: &Counts) -> String {
        let numbers = [counts.online, counts.today, counts.week, counts.total].map(format_count);
        let len = self.pieces.iter().map(|p| p.len()).sum::<usize>()
            + numbers.iter().map(String::len).sum::<usize>();
        let mut out = String::with_capacity(len);
        for (piece, number) in self.pieces.iter().zip(&numbers) {
            out.push_str(piece);
            out.push_str(number);
        }
        out.push_str(&self.pieces[4]);
        out
    }
}

/// (site, slug, base URL) → page.
pub type PageCache = Cache<(i64, String, String), Arc<RenderedPage>>;

/// (site, base URL) → home page.
pub type HomeCache = Cache<(i64, String), Arc<RenderedPage>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_go_where_the_markers_were() {
        let html = format!(
            "<p>{}</p><ul><li>{}</li><li>{}</li><li>{}</li><li>{}</li></ul>",
            MARKERS[0], MARKERS[0], MARKERS[1], MARKERS[2], MARKERS[3]
        );
        let page = RenderedPage::cut(&html, Some(7), 1).unwrap();
        let counts = Counts {
            online: 3,
            today: 1204,
            week: 15,
            total: 98765,
        };
        assert_eq!(
            page.with_numbers(&counts),
            format!(
                "<p>{}</p><ul><li>3</li><li>1.204</li><li>15</li><li>98.765</li></ul>",
                MARKERS[0]
            )
        );
        assert!(RenderedPage::cut("<p>no markers</p>", None, 1).is_none());
        let swapped = format!("{}{}{}{}", MARKERS[1], MARKERS[0], MARKERS[2], MARKERS[3]);
        assert!(RenderedPage::cut(&swapped, None, 1).is_none());
    }
}
