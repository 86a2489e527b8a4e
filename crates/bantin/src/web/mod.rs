//! HTTP: the state handlers share, the router, the middleware, handlers
//! grouped by audience, and what every response shares.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod body;
pub mod client;
pub mod error;
pub mod form;
pub mod health;
pub mod layout;
pub mod listener;
pub mod media;
pub mod middleware;
pub mod monitoring;
pub mod params;
pub mod public;
pub mod redirects;
pub mod router;
pub mod state;
pub mod workers;
