//! Content: articles and pages (types and their SQL), categories, the
//! editorial actions, the menu, the organisation's people, readers'
//! ratings, readers' questions and their answers, maintenance notices, images, and the import of captured pages.

pub mod article;
pub mod autosave;
pub mod cache;
pub mod category;
pub mod document;
pub mod docx;
pub mod editorial;
pub mod html;
pub mod import;
pub mod media;
pub mod menu;
pub mod notice;
pub mod page;
pub mod pasted;
pub mod people;
pub mod question;
pub mod rating;
pub mod redirect;
pub mod revision;
pub mod sanitize;
pub mod text;
pub mod workflow;
