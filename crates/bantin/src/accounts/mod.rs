//! Staff accounts: users and roles, passwords, sessions, login throttling,
//! CSRF protection.

pub mod csrf;
pub mod manage;
pub mod password;
pub mod role;
pub mod secret;
pub mod session;
pub mod throttle;
pub mod totp;
pub mod two_factor;
pub mod user;

pub use role::Role;
pub use user::User;
