//! The audit log: who did what, when. Written by every staff action that
//! changes something; read by admins at /admin/audit.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::with_db;

pub async fn record(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO audit_log (site_id, user_id, action, target, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    with_db!(db, pool => sqlx::query(SQL)
        .bind(site_id).bind(user_id).bind(action).bind(target).bind(detail).bind(now)
        .execute(pool).await.map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct Entry {
    pub created_at: DateTime<Utc>,
    pub username: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

pub async fn list(db: &Db, site_id: i64, limit: i64, offset: i64) -> sqlx::Result<Vec<Entry>> {
    const SQL: &str = "SELECT a.created_at, u.username, a.action, a.target, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id \
         WHERE a.site_id = $1 ORDER BY a.id DESC LIMIT $2 OFFSET $3";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(limit).bind(offset).fetch_all(pool).await)
}

pub async fn count(db: &Db, site_id: i64) -> sqlx::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM audit_log WHERE site_id = $1";
    with_db!(db, pool => sqlx::query_scalar(SQL).bind(site_id).fetch_one(pool).await)
}

/// What an action code means, in Vietnamese.
pub fn describe(action: &str) -> &'static str {
    match action {
        "login" => "Đăng nhập",
        "login_failed" => "Đăng nhập sai",
        "logout" => "Đăng xuất",
        "article_create" => "Tạo bài viết",
        "article_save" => "Lưu bài viết",
        "article_submit" => "Gửi duyệt",
        "article_publish" => "Xuất bản",
        "article_schedule" => "Hẹn giờ xuất bản",
        "article_return" => "Trả lại tác giả",
        "article_unpublish" => "Gỡ bài",
        "article_restore" => "Khôi phục phiên bản",
        "image_upload" => "Tải ảnh lên",
        "category_create" => "Tạo chuyên mục",
        "category_update" => "Sửa chuyên mục",
        "user_create" => "Tạo tài khoản",
        "user_update" => "Sửa tài khoản",
        "user_password" => "Đổi mật khẩu",
        "settings_update" => "Sửa cài đặt",
        _ => "Thao tác khác",
    }
}
