//! bantin: a news portal for Vietnamese communes and small public bodies.
//! The binary (`main.rs`) is a thin CLI over this library, so that tests
//! drive the real router.

pub mod accounts;
pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod db;
pub mod localtime;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod quota;
pub mod search;
pub mod site;
pub mod stats;
pub mod web;
