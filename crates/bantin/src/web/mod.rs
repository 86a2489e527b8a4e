//! HTTP: handlers grouped by audience, and what every response shares.

pub mod assets;
pub mod error;
pub mod health;
pub mod layout;
pub mod params;
pub mod public;
pub mod security;
