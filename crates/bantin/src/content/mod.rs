//! News content: articles and categories (types and their SQL), and the
//! import of captured pages.

pub mod article;
pub mod cache;
pub mod category;
pub mod editorial;
pub mod html;
pub mod import;
pub mod media;
pub mod revision;
pub mod sanitize;
pub mod text;
pub mod workflow;
