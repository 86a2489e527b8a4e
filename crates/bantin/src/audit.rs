//! The audit log: who did what, when. Every staff action that changes
//! something writes its entry in the same transaction as the change, so
//! there is never a change without its entry (or an entry for a change that
//! did not happen). Admins read it at /admin/audit.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// What was done. Stored as its code; shown in Vietnamese.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Login,
    LoginFailed,
    Logout,
    ArticleCreate,
    ArticleSave,
    ArticleSubmit,
    ArticlePublish,
    ArticleSchedule,
    ArticleReturn,
    ArticleUnpublish,
    ArticleRestore,
    ArticleImport,
    ImageUpload,
    CategoryCreate,
    CategoryUpdate,
    UserCreate,
    UserUpdate,
    UserPassword,
    SettingsUpdate,
    SiteCreate,
    SiteUpdate,
    TwoFactorOn,
    TwoFactorOff,
    TwoFactorReset,
    SessionEnd,
    MenuUpdate,
    OrganisationUpdate,
    PageDelete,
    NoticeUpdate,
    DocumentListUpdate,
    DocumentFileAdd,
    DocumentFileRemove,
    DocumentCommentModerate,
    RedirectCreate,
    RedirectUpdate,
    RedirectDelete,
    QuestionAssign,
    QuestionAnswer,
    QuestionPublish,
    QuestionUnpublish,
    QuestionRefuse,
    QuestionContactsRemoved,
}

impl Action {
    pub const ALL: [Action; 42] = [
        Action::Login,
        Action::LoginFailed,
        Action::Logout,
        Action::ArticleCreate,
        Action::ArticleSave,
        Action::ArticleSubmit,
        Action::ArticlePublish,
        Action::ArticleSchedule,
        Action::ArticleReturn,
        Action::ArticleUnpublish,
        Action::ArticleRestore,
        Action::ArticleImport,
        Action::ImageUpload,
        Action::CategoryCreate,
        Action::CategoryUpdate,
        Action::UserCreate,
        Action::UserUpdate,
        Action::UserPassword,
        Action::SettingsUpdate,
        Action::SiteCreate,
        Action::SiteUpdate,
        Action::TwoFactorOn,
        Action::TwoFactorOff,
        Action::TwoFactorReset,
        Action::SessionEnd,
        Action::MenuUpdate,
        Action::OrganisationUpdate,
        Action::PageDelete,
        Action::NoticeUpdate,
        Action::DocumentListUpdate,
        Action::DocumentFileAdd,
        Action::DocumentFileRemove,
        Action::DocumentCommentModerate,
        Action::RedirectCreate,
        Action::RedirectUpdate,
        Action::RedirectDelete,
        Action::QuestionAssign,
        Action::QuestionAnswer,
        Action::QuestionPublish,
        Action::QuestionUnpublish,
        Action::QuestionRefuse,
        Action::QuestionContactsRemoved,
    ];

    /// The code stored in `audit_log.action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::Logout => "logout",
            Action::ArticleCreate => "article_create",
            Action::ArticleSave => "article_save",
            Action::ArticleSubmit => "article_submit",
            Action::ArticlePublish => "article_publish",
            Action::ArticleSchedule => "article_schedule",
            Action::ArticleReturn => "article_return",
            Action::ArticleUnpublish => "article_unpublish",
            Action::ArticleRestore => "article_restore",
            Action::ArticleImport => "article_import",
            Action::ImageUpload => "image_upload",
            Action::CategoryCreate => "category_create",
            Action::CategoryUpdate => "category_update",
            Action::UserCreate => "user_create",
            Action::UserUpdate => "user_update",
            Action::UserPassword => "user_password",
            Action::SettingsUpdate => "settings_update",
            Action::SiteCreate => "site_create",
            Action::SiteUpdate => "site_update",
            Action::TwoFactorOn => "two_factor_on",
            Action::TwoFactorOff => "two_factor_off",
            Action::TwoFactorReset => "two_factor_reset",
            Action::SessionEnd => "session_end",
            Action::MenuUpdate => "menu_update",
            Action::OrganisationUpdate => "organisation_update",
            Action::PageDelete => "page_delete",
            Action::NoticeUpdate => "notice_update",
            Action::DocumentListUpdate => "document_list_update",
            Action::DocumentFileAdd => "document_file_add",
            Action::DocumentFileRemove => "document_file_remove",
            Action::DocumentCommentModerate => "document_comment_moderate",
            Action::RedirectCreate => "redirect_create",
            Action::RedirectUpdate => "redirect_update",
            Action::RedirectDelete => "redirect_delete",
            Action::QuestionAssign => "question_assign",
            Action::QuestionAnswer => "question_answer",
            Action::QuestionPublish => "question_publish",
            Action::QuestionUnpublish => "question_unpublish",
            Action::QuestionRefuse => "question_refuse",
            Action::QuestionContactsRemoved => "question_contacts_removed",
        }
    }

    pub fn parse(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == code)
    }

    /// What the action is called in the admin pages.
    pub fn label(self) -> &'static str {
        match self {
            Action::Login => "Đăng nhập",
            Action::LoginFailed => "Đăng nhập sai",
            Action::Logout => "Đăng xuất",
            Action::ArticleCreate => "Tạo bài viết",
            Action::ArticleSave => "Lưu bài viết",
            Action::ArticleSubmit => "Gửi duyệt",
            Action::ArticlePublish => "Xuất bản",
            Action::ArticleSchedule => "Hẹn giờ xuất bản",
            Action::ArticleReturn => "Trả lại tác giả",
            Action::ArticleUnpublish => "Gỡ bài",
            Action::ArticleRestore => "Khôi phục phiên bản",
            Action::ArticleImport => "Nhập bài",
            Action::ImageUpload => "Tải ảnh lên",
            Action::CategoryCreate => "Tạo chuyên mục",
            Action::CategoryUpdate => "Sửa chuyên mục",
            Action::UserCreate => "Tạo tài khoản",
            Action::UserUpdate => "Sửa tài khoản",
            Action::UserPassword => "Đổi mật khẩu",
            Action::SettingsUpdate => "Sửa cài đặt",
            Action::SiteCreate => "Tạo trang",
            Action::SiteUpdate => "Sửa trang",
            Action::TwoFactorOn => "Bật xác thực hai bước",
            Action::TwoFactorOff => "Tắt xác thực hai bước",
            Action::TwoFactorReset => "Đặt lại xác thực hai bước",
            Action::SessionEnd => "Kết thúc phiên đăng nhập",
            Action::MenuUpdate => "Sửa trình đơn",
            Action::OrganisationUpdate => "Sửa lãnh đạo, cơ cấu tổ chức",
            Action::PageDelete => "Xoá trang",
            Action::NoticeUpdate => "Thông báo bảo trì",
            Action::DocumentListUpdate => "Sửa danh mục văn bản",
            Action::DocumentFileAdd => "Đính kèm tệp văn bản",
            Action::DocumentFileRemove => "Gỡ tệp văn bản",
            Action::DocumentCommentModerate => "Duyệt góp ý dự thảo",
            Action::RedirectCreate => "Thêm chuyển hướng",
            Action::RedirectUpdate => "Sửa chuyển hướng",
            Action::RedirectDelete => "Xoá chuyển hướng",
            Action::QuestionAssign => "Giao câu hỏi",
            Action::QuestionAnswer => "Trả lời câu hỏi",
            Action::QuestionPublish => "Đăng hỏi đáp",
            Action::QuestionUnpublish => "Gỡ hỏi đáp",
            Action::QuestionRefuse => "Từ chối câu hỏi",
            Action::QuestionContactsRemoved => "Xoá thông tin liên hệ người hỏi",
        }
    }
}

/// One entry to write.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub site_id: i64,
    /// Who did it; `None` for the command line and the system.
    pub user_id: Option<i64>,
    pub action: Action,
    /// What it was done to (`#12`, a username, an image's address).
    pub target: &'a str,
    pub detail: &'a str,
}

/// Writes an entry inside the transaction of the change it records.
pub async fn record(tx: &mut Tx, entry: Record<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO audit_log (site_id, user_id, action, target, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(entry.site_id).bind(entry.user_id).bind(entry.action.as_str())
        .bind(entry.target).bind(entry.detail).bind(now)
        .execute(&mut *conn).await.map(|_| ()))
}

/// Writes an entry on its own (for events that change nothing else, such
/// as a failed login).
pub async fn record_alone(db: &Db, entry: Record<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, entry, now).await?;
    tx.commit().await
}

#[derive(Clone, Debug, FromRow)]
pub struct Entry {
    pub created_at: DateTime<Utc>,
    pub username: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl Entry {
    /// The action's Vietnamese name (codes this version does not know,
    /// written by a newer one, are shown as such rather than refused).
    pub fn label(&self) -> &'static str {
        Action::parse(&self.action).map_or("Thao tác khác", Action::label)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_have_labels() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert!(!a.label().is_empty());
        }
        assert_eq!(Action::parse("nonsense"), None);
    }
}
