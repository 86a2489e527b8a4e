//! The integration tests: one binary (one link step), a module per area.
//! Every test that touches the database runs on SQLite and on PostgreSQL
//! (`both_databases!`, see `common`).

#[macro_use]
mod common;

mod accounts;
mod browser;
mod cli;
mod documents;
mod feeds;
mod hostile;
mod import;
mod media;
mod moving;
mod operations;
mod pages;
mod public_pages;
mod questions;
mod resilience;
mod search;
mod security;
mod sites;
mod stats;
mod word;
mod workflow;
