//! Rendered article pages and home pages, kept as long as the reads they
//! were made from (see `content::cache`): a popular article, or the home
//! page, is rendered once a second, not once per reader. The visitor numbers differ per reader (each reader is
//! counted in the numbers they see), so the page is rendered with markers
//! where the numbers go, kept in pieces, and the numbers are put in per
//! request.
//!
//! Phones ask for gzip, and compressing a 30 kB page costs far more than
//! the rest of the request. So each piece is also compressed once, when the
//! first reader who takes gzip asks for the kept page: a raw deflate stream of its own ended by a sync flush
//! (byte-aligned, so what follows may start there), the last one finished.
//! A reader's gzip answer is the gzip header, the pieces with each number
//! between them as a stored (uncompressed) deflate block, and the trailer,
//! whose CRC-32 is combined from the pieces' and the numbers' (RFC 1951
//! §3.2.4, RFC 1952). Joining a piece's CRC to what comes before it takes
//! one multiplication by a factor kept with the piece (see [`crc`]), not the
//! dozens a general combine does.
//!
//! Either answer goes out as a [`PageBody`]: the kept pieces are shared, not
//! copied (an article page is ~10 kB), with the numbers as small frames
//! between them; hyper sends them all with one `writev`.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};

use crate::content::cache::Cache;
use crate::stats::Counts;
use crate::web::layout::Count;

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
    pieces: [Bytes; 5],
    /// Each piece deflated (see above), with what joins its CRC-32 to the
    /// text before it; made when a gzip client first asks.
    deflated: OnceLock<[Deflated; 5]>,
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
        let mut pieces: [Bytes; 5] = Default::default();
        let mut from = 0;
        for (i, (start, end)) in bounds.into_iter().enumerate() {
            pieces[i] = Bytes::copy_from_slice(&html.as_bytes()[from..start]);
            from = end;
        }
        pieces[4] = Bytes::copy_from_slice(&html.as_bytes()[from..]);
        Some(RenderedPage {
            pieces,
            deflated: OnceLock::new(),
            article_id,
            snapshot,
        })
    }

    /// The page with these numbers in, as it is sent.
    pub fn body(&self, counts: &Counts) -> PageBody {
        let numbers = [counts.online, counts.today, counts.week, counts.total].map(Count::new);
        let mut text = Vec::with_capacity(numbers.iter().map(|n| n.as_str().len()).sum());
        let mut ends = [0; 4];
        for (number, end) in numbers.iter().zip(&mut ends) {
            text.extend_from_slice(number.as_str().as_bytes());
            *end = text.len();
        }
        let numbers = Bytes::from(text);
        let mut frames: [Bytes; FRAMES] = Default::default();
        let mut from = 0;
        for (i, end) in ends.into_iter().enumerate() {
            frames[2 * i] = self.pieces[i].clone();
            frames[2 * i + 1] = numbers.slice(from..end);
            from = end;
        }
        frames[8] = self.pieces[4].clone();
        PageBody::new(frames)
    }

    /// The page with these numbers in, gzip-compressed (the same bytes as
    /// [`RenderedPage::body`] once decompressed), as it is sent.
    pub fn gzip_body(&self, counts: &Counts) -> PageBody {
        let deflated = self.deflated.get_or_init(|| {
            std::array::from_fn(|i| {
                let piece = &self.pieces[i];
                Deflated {
                    stream: deflate(piece, i == 4),
                    crc: crc32fast::hash(piece),
                    shift: crc::shift(piece.len() as u64),
                }
            })
        });
        let numbers = [counts.online, counts.today, counts.week, counts.total].map(Count::new);
        // Each number as a stored block, then the trailer.
        let mut tail =
            Vec::with_capacity(numbers.iter().map(|n| n.as_str().len() + 5).sum::<usize>() + 8);
        let mut ends = [0; 4];
        let mut crc = 0;
        let mut size: u64 = 0;
        for ((number, end), piece) in numbers.iter().zip(&mut ends).zip(deflated) {
            let number = number.as_str().as_bytes();
            crc = piece.join(crc);
            // A stored block, not the last: header bits 000 (the stream is
            // byte-aligned after a sync flush), then LEN and its complement.
            let n = number.len() as u16;
            tail.push(0);
            tail.extend_from_slice(&n.to_le_bytes());
            tail.extend_from_slice(&(!n).to_le_bytes());
            tail.extend_from_slice(number);
            let mut more = crc32fast::Hasher::new_with_initial(crc);
            more.update(number);
            crc = more.finalize();
            size += number.len() as u64;
            *end = tail.len();
        }
        crc = deflated[4].join(crc);
        size += self.pieces.iter().map(|p| p.len() as u64).sum::<u64>();
        tail.extend_from_slice(&crc.to_le_bytes());
        // ISIZE: the length modulo 2^32.
        tail.extend_from_slice(&((size & 0xffff_ffff) as u32).to_le_bytes());
        let tail = Bytes::from(tail);
        let mut frames: [Bytes; FRAMES] = Default::default();
        frames[0] = Bytes::from_static(&GZIP_HEADER);
        let mut from = 0;
        for (i, end) in ends.into_iter().enumerate() {
            frames[1 + 2 * i] = deflated[i].stream.clone();
            frames[2 + 2 * i] = tail.slice(from..end);
            from = end;
        }
        frames[9] = deflated[4].stream.clone();
        frames[10] = tail.slice(from..);
        PageBody::new(frames)
    }
}

/// A kept piece, deflated.
struct Deflated {
    stream: Bytes,
    /// The CRC-32 of the piece's text.
    crc: u32,
    /// x^(8 × its length) modulo the CRC polynomial.
    shift: u32,
}

impl Deflated {
    /// The CRC-32 of some text followed by this piece, from the text's.
    fn join(&self, before: u32) -> u32 {
        crc::multiply(before, self.shift) ^ self.crc
    }
}

/// Arithmetic on CRC-32 values (gzip's: polynomial 0x04C11DB7, bits
/// reflected) as polynomials over GF(2) modulo the CRC polynomial. The CRC
/// of A followed by B is crc(A) × x^(8·|B|) + crc(B): the pre- and
/// post-inversion of the standard CRC cancel out in that sum.
mod crc {
    /// The polynomial, reflected: bit 31 is x^0, bit 0 is x^31.
    const POLY: u32 = 0xEDB8_8320;

    /// a × b modulo the polynomial.
    pub fn multiply(a: u32, b: u32) -> u32 {
        let mut product = 0;
        // b × x^i, for i = 0, 1, …
        let mut term = b;
        for i in 0..32 {
            if a & (1 << (31 - i)) != 0 {
                product ^= term;
            }
            // × x: one bit towards x^31; x^32 is replaced by the rest of the
            // polynomial.
            term = (term >> 1) ^ if term & 1 != 0 { POLY } else { 0 };
        }
        product
    }

    /// x^(8 × bytes) modulo the polynomial: what a CRC is multiplied by
    /// when `bytes` bytes follow it.
    pub fn shift(bytes: u64) -> u32 {
        const ONE: u32 = 1 << 31;
        // x^8, squared bit by bit of the exponent.
        let mut square = 1 << (31 - 8);
        let mut power = ONE;
        let mut n = bytes;
        while n != 0 {
            if n & 1 != 0 {
                power = multiply(power, square);
            }
            square = multiply(square, square);
            n >>= 1;
        }
        power
    }
}

/// The most frames a [`PageBody`] has: the gzip header, five pieces, four
/// numbers and the trailer.
const FRAMES: usize = 11;

/// A kept page's answer: its frames, sent in order (empty ones skipped).
pub struct PageBody {
    frames: [Bytes; FRAMES],
    next: usize,
    remaining: u64,
}

impl PageBody {
    fn new(frames: [Bytes; FRAMES]) -> Self {
        let remaining = frames.iter().map(|f| f.len() as u64).sum();
        PageBody {
            frames,
            next: 0,
            remaining,
        }
    }

    /// The whole body in one piece (the tests compare it).
    #[cfg(test)]
    fn concat(self) -> Vec<u8> {
        self.frames.concat()
    }
}

impl http_body::Body for PageBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        while let Some(frame) = this.frames.get_mut(this.next) {
            this.next += 1;
            if !frame.is_empty() {
                let frame = std::mem::take(frame);
                this.remaining -= frame.len() as u64;
                return Poll::Ready(Some(Ok(Frame::data(frame))));
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Whether the client takes gzip, by its `Accept-Encoding` (RFC 9110
/// §12.5.3): named with a weight above zero, or `*` when gzip is not named.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut star = false;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                return weight > 0.0;
            }
            if name == "*" {
                star = weight > 0.0;
            }
        }
    }
    star
}

/// Whether the request's client takes gzip ([`accepts_gzip`]).
pub struct AcceptsGzip(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for AcceptsGzip {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AcceptsGzip(accepts_gzip(&parts.headers)))
    }
}

/// A kept page's answer with these numbers: compressed once already for a
/// client that takes gzip, plain text otherwise.
pub fn answer(page: &RenderedPage, counts: &Counts, gzip: bool) -> Response {
    if !gzip {
        return (
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            Body::new(page.body(counts)),
        )
            .into_response();
    }
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_ENCODING, "gzip"),
            (VARY, "accept-encoding"),
        ],
        Body::new(page.gzip_body(counts)),
    )
        .into_response()
}

/// A gzip member's header: deflate, no name or time, unknown system.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// `text` as a raw deflate stream of its own: ended by a sync flush, or
/// finished when it is the last.
fn deflate(text: &[u8], last: bool) -> Bytes {
    use std::io::Write;
    let out = Vec::with_capacity(text.len() / 3 + 64);
    let mut z = flate2::write::DeflateEncoder::new(out, flate2::Compression::default());
    // Writing into a `Vec` does not fail.
    let _ = z.write_all(text);
    if last {
        return z.finish().unwrap_or_default().into();
    }
    let _ = z.flush();
    z.get_ref().clone().into()
}

/// (site, slug, base URL) → page.
pub type PageCache = Cache<(i64, String, String), Arc<RenderedPage>>;

/// (site, base URL) → home page.
pub type HomeCache = Cache<(i64, String), Arc<RenderedPage>>;

#[cfg(test)]
mod tests {
    use super::*;

    impl RenderedPage {
        fn with_numbers(&self, counts: &Counts) -> String {
            String::from_utf8(self.body(counts).concat()).unwrap()
        }

        fn gzip_with_numbers(&self, counts: &Counts) -> Vec<u8> {
            self.gzip_body(counts).concat()
        }
    }

    #[test]
    fn the_gzip_answer_is_the_page_compressed() {
        use std::io::Read;
        let filler: String = (0..3000)
            .map(|i| format!("<p>Đoạn {i}: bà con thôn Nàn Sín.</p>"))
            .collect();
        let html = format!(
            "<html>{filler}<aside>{}</aside><li>{}</li><li>{}</li><li>{}</li><p>{filler}</p></html>",
            MARKERS[0], MARKERS[1], MARKERS[2], MARKERS[3]
        );
        let page = RenderedPage::cut(&html, Some(7), 1).unwrap();
        for counts in [
            Counts {
                online: 0,
                today: 0,
                week: 0,
                total: 0,
            },
            Counts {
                online: 3,
                today: 1204,
                week: 15,
                total: 98_765_432,
            },
        ] {
            let gz = page.gzip_with_numbers(&counts);
            let mut text = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, page.with_numbers(&counts));
            assert!(gz.len() * 5 < text.len(), "{} of {}", gz.len(), text.len());
        }
        // Empty pieces too (markers side by side).
        let page = RenderedPage::cut(&MARKERS.concat(), None, 1).unwrap();
        let counts = Counts {
            online: 1,
            today: 2,
            week: 3,
            total: 4,
        };
        let mut text = String::new();
        flate2::read::GzDecoder::new(&page.gzip_with_numbers(&counts)[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "1234");
    }

    #[test]
    fn gzip_is_taken_when_named_or_starred_with_weight() {
        let takes = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT_ENCODING, v.parse().unwrap());
            accepts_gzip(&h)
        };
        for yes in [
            "gzip",
            "gzip, deflate, br",
            "br;q=1.0, GZIP;q=0.5",
            "*",
            "deflate, *;q=0.1",
            "x-gzip",
        ] {
            assert!(takes(yes), "{yes}");
        }
        for no in [
            "",
            "identity",
            "br",
            "gzip;q=0",
            "gzip; q=0.000, *",
            "*;q=0",
            "deflate",
        ] {
            assert!(!takes(no), "{no}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

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

    #[test]
    fn the_body_is_its_frames_in_order_with_its_length_known() {
        use http_body::Body as _;
        // The third piece and the last are empty: no empty frame is sent.
        let html = format!(
            "a{}b{}{}c{}",
            MARKERS[0], MARKERS[1], MARKERS[2], MARKERS[3]
        );
        let page = RenderedPage::cut(&html, None, 1).unwrap();
        let counts = Counts {
            online: 1,
            today: 22,
            week: 333,
            total: 4444,
        };
        let expected = "a1b22333c4.444";
        let mut body = page.body(&counts);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut sent = Vec::new();
        let mut frames = Vec::new();
        assert_eq!(body.size_hint().exact(), Some(expected.len() as u64));
        while let Poll::Ready(Some(frame)) = Pin::new(&mut body).poll_frame(&mut cx) {
            let data = frame.unwrap().into_data().unwrap();
            sent.extend_from_slice(&data);
            frames.push(String::from_utf8(data.to_vec()).unwrap());
            let left = (expected.len() - sent.len()) as u64;
            assert_eq!(body.size_hint().exact(), Some(left));
        }
        assert!(body.is_end_stream());
        assert_eq!(frames, ["a", "1", "b", "22", "333", "c", "4.444"]);
        assert_eq!(sent, expected.as_bytes());
    }

    #[test]
    fn a_joined_crc_is_the_crc_of_the_joined_text() {
        let text: Vec<u8> = (0..70_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        for (a, b) in [
            (0, 0),
            (0, 5),
            (5, 0),
            (1, 1),
            (3, 4096),
            (9_000, 1),
            (40_000, 30_000),
        ] {
            let (first, second) = (&text[..a], &text[a..a + b]);
            let piece = Deflated {
                stream: Bytes::new(),
                crc: crc32fast::hash(second),
                shift: crc::shift(b as u64),
            };
            assert_eq!(
                piece.join(crc32fast::hash(first)),
                crc32fast::hash(&text[..a + b]),
                "{a} + {b} bytes"
            );
        }
    }
}
