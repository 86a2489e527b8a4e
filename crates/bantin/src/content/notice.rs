//! Planned downtime, announced to readers (Decree 224/2026 Art. 13 asks for
//! at least 7 working days' notice): an admin schedules a notice (start,
//! expected end, text); the site shows it as a banner from 7 days before
//! the start until the end. The admin is warned when the start is less than
//! 7 working days away.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use sqlx::FromRow;

use crate::audit;
use crate::db::Db;
use crate::localtime;
use crate::{with_db, with_tx};

/// The banner shows from this long before the start.
pub const SHOWN_BEFORE: Duration = Duration::days(7);
/// The notice the decree asks for, in working days.
pub const WORKING_DAYS: i64 = 7;
pub const MAX_MESSAGE: usize = 500;

#[derive(Clone, Debug, FromRow)]
pub struct Notice {
    pub id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

impl Notice {
    /// Working days of notice readers were given.
    pub fn working_days_notice(&self) -> i64 {
        let local = |t: DateTime<Utc>| t.with_timezone(&localtime::vietnam()).date_naive();
        working_days_between(local(self.created_at), local(self.starts_at))
    }
}

/// Working days (Monday to Friday) after `from` up to and including `to`.
/// Public holidays are not known here; the warning is the admin's guide.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

/// The notice to show now, if one is near or under way.
pub async fn current(db: &Db, site_id: i64, now: DateTime<Utc>) -> sqlx::Result<Option<Notice>> {
    const SQL: &str = "SELECT id, starts_at, ends_at, message, created_at FROM maintenance_notices \
         WHERE site_id = $1 AND ends_at > $2 AND starts_at <= $3 ORDER BY starts_at LIMIT 1";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(now).bind(now + SHOWN_BEFORE)
        .fetch_optional(pool).await)
}

pub async fn list(db: &Db, site_id: i64) -> sqlx::Result<Vec<Notice>> {
    const SQL: &str = "SELECT id, starts_at, ends_at, message, created_at FROM maintenance_notices \
         WHERE site_id = $1 ORDER BY starts_at DESC LIMIT 50";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}

/// What an admin typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    /// `dd/mm/yyyy HH:mm`, Vietnamese time.
    pub starts_at: String,
    pub ends_at: String,
    pub message: String,
}

/// Schedules a notice; `Ok(true)` when the start is too near to give the
/// notice the decree asks for (it is saved all the same: urgent work must
/// be announced too); `Err` what is wrong.
pub async fn schedule(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    typed: &Typed,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<bool, String>> {
    const SQL: &str = "INSERT INTO maintenance_notices (site_id, starts_at, ends_at, message, created_at) \
         VALUES ($1, $2, $3, $4, $5)";
    let parse = super::editorial::parse_schedule;
    let (Some(starts), Some(ends)) = (parse(&typed.starts_at), parse(&typed.ends_at)) else {
        return Ok(Err(
            "Hãy ghi thời gian theo dạng ngày/tháng/năm giờ:phút, ví dụ 20/12/2026 22:00.".into(),
        ));
    };
    if ends <= starts {
        return Ok(Err("Thời gian kết thúc phải sau thời gian bắt đầu.".into()));
    }
    if ends <= now {
        return Ok(Err("Thời gian kết thúc đã qua.".into()));
    }
    let message: String = vntext::normalize(&typed.message).replace('\n', " ");
    if message.is_empty() || message.chars().count() > MAX_MESSAGE {
        return Ok(Err(format!(
            "Nội dung thông báo cần có từ 1 đến {MAX_MESSAGE} ký tự."
        )));
    }
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(SQL).bind(site_id).bind(starts).bind(ends).bind(&message).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    let window = format!(
        "{} → {}",
        localtime::format_datetime(starts),
        localtime::format_datetime(ends)
    );
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::NoticeUpdate,
        target: &window,
        detail: &message,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    let local = |t: DateTime<Utc>| t.with_timezone(&localtime::vietnam()).date_naive();
    Ok(Ok(
        working_days_between(local(now), local(starts)) < WORKING_DAYS
    ))
}

pub async fn remove(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    const SQL: &str = "DELETE FROM maintenance_notices WHERE site_id = $1 AND id = $2";
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(SQL).bind(site_id).bind(id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    let target = format!("#{id}");
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::NoticeUpdate,
        target: &target,
        detail: "xoá",
    };
    audit::record(&mut tx, entry, now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_weekends() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Tuesday 01/12/2026 to Thursday 10/12/2026: 7 working days.
        assert_eq!(working_days_between(d(2026, 12, 1), d(2026, 12, 10)), 7);
        // Friday to Monday: one.
        assert_eq!(working_days_between(d(2026, 12, 4), d(2026, 12, 7)), 1);
        assert_eq!(working_days_between(d(2026, 12, 4), d(2026, 12, 4)), 0);
    }
}
