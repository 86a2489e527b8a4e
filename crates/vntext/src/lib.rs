//! Vietnamese text handling for bantin, usable by anyone: no web, no database.
//!
//! - [`normalize`]: what every input boundary stores (NFC, Đ not Ð, no invisible
//!   characters, Vietnamese punctuation spacing, paragraph breaks kept).
//! - [`fold`]: the form search compares (lower case, no diacritics, `đ` → `d`).
//! - [`slugify`]: tone-less ASCII URL slugs.

mod fold;
mod normalize;
mod slug;

pub use fold::fold;
pub use normalize::normalize;
pub use slug::{MAX_SLUG_LEN, slugify};
