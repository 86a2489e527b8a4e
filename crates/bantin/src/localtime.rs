//! Vietnamese local time (Asia/Ho_Chi_Minh) and how dates are written.
//!
//! Vietnam has kept UTC+07:00 without daylight saving since 13 June 1975, so
//! a fixed offset is exact for everything bantin stores, without shipping a
//! time-zone database in the binary.

use chrono::{DateTime, FixedOffset, Utc};

pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// `dd/mm/yyyy HH:mm` in Vietnamese local time, as readers expect.
pub fn format_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// RFC 3339 in local time, for `<time datetime>` and feeds.
pub fn rfc3339_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam()).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn local_time_is_seven_hours_ahead_and_crosses_midnight() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 5, 0).unwrap();
        assert_eq!(format_datetime(at), "01/12/2026 00:05");
        assert_eq!(rfc3339_local(at), "2026-12-01T00:05:00+07:00");
    }
}
