//! Running bantin unattended: backups and restores, and the health check an
//! operator runs by hand (`doctor`). Metrics are in `crate::metrics`.

pub mod backup;
pub mod doctor;
