//! Vietnamese text handling for bantin, usable by anyone: no web, no database.
//!
//! - [`normalize`]: what every input boundary stores (NFC, Đ not Ð, no invisible
//!   characters, Vietnamese punctuation spacing, paragraph breaks kept).
//! - [`fold`]: the form search compares (lower case, no diacritics, `đ` → `d`).
//! - [`slugify`]: tone-less ASCII URL slugs.
//! - [`repair_legacy`]: TCVN3/VNI text read as Latin-1, back to Unicode.
//! - [`place_tones`]: tone marks where they belong, in the old or new style.
//! - [`lint`]: typography problems for the editor to show before publishing.

mod fold;
mod legacy;
mod lint;
mod normalize;
mod slug;
mod tone;

pub use fold::{fold, fold_into};
pub use legacy::{LegacyEncoding, decode_legacy, repair_legacy};
pub use lint::{Issue, IssueKind, lint};
pub use normalize::normalize;
pub use slug::{MAX_SLUG_LEN, slugify};
pub use tone::{ToneStyle, is_syllable, place_tones};

/// Unicode NFC composition alone (what [`normalize`] starts with).
pub fn compose(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

/// Whether a character belongs to a word: letters, digits, and the
/// combining marks of decomposed text.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Vietnamese letters first: a table lookup instead of Unicode's.
    fold::is_latin_letter(c)
        || c.is_alphanumeric()
        || unicode_normalization::char::is_combining_mark(c)
}
