//! Running bantin unattended: backups and restores, the health check an
//! operator runs by hand (`doctor`), and the metrics a monitor scrapes.

pub mod backup;
pub mod doctor;
pub mod metrics;
