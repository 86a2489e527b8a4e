//! The staff area under `/admin`. Every handler takes [`Staff`] (no session:
//! redirect to the login page) and checks the role on the server.

mod account;
mod articles;
mod audit_log;
mod categories;
mod dashboard;
mod documents;
mod feedback;
mod media;
mod menu;
mod notices;
mod organisation;
mod pages;
mod paste;
mod questions;
mod redirects;
mod settings;
mod sites;
mod stats_page;
mod target;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use crate::localtime;
use crate::web::assets;
use crate::web::auth::Staff;
use crate::web::state::AppState;

pub fn routes(max_upload_bytes: u64) -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/tai-khoan", get(account::show))
        .route("/tai-khoan/mat-khau", post(account::change_password))
        .route("/tai-khoan/thu", post(account::change_mail))
        .route("/tai-khoan/phien/ket-thuc", post(account::end_session))
        .route(
            "/tai-khoan/xac-thuc/bat-dau",
            post(account::begin_two_factor),
        )
        .route(
            "/tai-khoan/xac-thuc/xac-nhan",
            post(account::confirm_two_factor),
        )
        .route(
            "/tai-khoan/xac-thuc/ma-khoi-phuc",
            post(account::renew_codes),
        )
        .route(
            "/tai-khoan/xac-thuc/tat",
            post(account::turn_off_two_factor),
        )
        .route(
            "/users/{id}/xac-thuc/dat-lai",
            post(users::reset_two_factor),
        )
        .route(
            "/articles",
            get(articles::list::list).post(articles::save::create),
        )
        .route("/articles/new", get(articles::editor::new_form))
        .route("/articles/nhap-word", post(articles::word::import))
        .route("/articles/hang-loat", post(articles::list::bulk))
        .route("/dan", post(paste::clean))
        .route("/anh", get(media::library_json).post(media::upload_json))
        .route(
            "/articles/{id}",
            get(articles::editor::edit).post(articles::save::save),
        )
        .route(
            "/articles/{id}/revisions/{rev}",
            get(articles::revisions::show),
        )
        .route("/articles/{id}/so-sanh", get(articles::revisions::compare))
        .route("/articles/{id}/tu-luu", post(articles::save::autosave))
        .route(
            "/articles/{id}/revisions/{rev}/restore",
            post(articles::revisions::restore),
        )
        .route(
            "/categories",
            get(categories::list).post(categories::create),
        )
        .route("/categories/{id}", post(categories::update))
        .route(
            "/chuyen-huong",
            get(redirects::list).post(redirects::create),
        )
        .route("/chuyen-huong/{id}", post(redirects::update))
        .route("/chuyen-huong/{id}/xoa", post(redirects::delete))
        .route("/van-ban", get(documents::list))
        .route("/van-ban/new", get(articles::editor::new_document_form))
        .route("/van-ban/{id}/tep", post(documents::upload))
        .route("/van-ban/{id}/tep/{file}", get(documents::open_file))
        .route("/van-ban/{id}/tep/{file}/xoa", post(documents::remove_file))
        .route("/van-ban/danh-muc", get(documents::show_terms))
        .route("/van-ban/danh-muc/{list}", post(documents::add_term))
        .route(
            "/van-ban/danh-muc/{list}/{id}",
            post(documents::update_term),
        )
        .route(
            "/van-ban/danh-muc/{list}/{id}/xoa",
            post(documents::remove_term),
        )
        .route("/van-ban/y-kien", get(documents::show_comments))
        .route("/van-ban/y-kien/{id}", post(documents::moderate))
        .route("/pages", get(pages::list))
        .route("/pages/new", get(articles::editor::new_page_form))
        .route("/pages/{id}/xoa", post(pages::delete))
        .route("/menu", get(menu::show).post(menu::create))
        .route("/menu/{id}", post(menu::update))
        .route("/menu/{id}/xoa", post(menu::delete))
        .route(
            "/lanh-dao",
            get(organisation::show_leaders).post(organisation::create_leader),
        )
        .route("/lanh-dao/{id}", post(organisation::update_leader))
        .route("/lanh-dao/{id}/xoa", post(organisation::delete_leader))
        .route(
            "/co-cau",
            get(organisation::show_units).post(organisation::create_unit),
        )
        .route("/co-cau/{id}", post(organisation::update_unit))
        .route("/co-cau/{id}/xoa", post(organisation::delete_unit))
        .route("/danh-gia", get(feedback::show))
        .route("/hoi-dap", get(questions::queue))
        .route(
            "/hoi-dap/{id}",
            get(questions::show).post(questions::answer),
        )
        .route("/hoi-dap/{id}/giao", post(questions::assign))
        .route("/hoi-dap/{id}/tu-choi", post(questions::refuse))
        .route("/hoi-dap/{id}/go", post(questions::unpublish))
        .route("/hoi-dap/{id}/tep", get(questions::file))
        .route("/bao-tri", get(notices::show).post(notices::create))
        .route("/bao-tri/{id}/xoa", post(notices::delete))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", post(users::update))
        .route("/settings", get(settings::show).post(settings::save))
        .route("/sites", get(sites::list).post(sites::create))
        .route("/sites/{id}", get(sites::edit).post(sites::update))
        .route(
            "/sites/{id}/users",
            get(users::list_site).post(users::create_site),
        )
        .route("/sites/{id}/users/{user}", post(users::update_site))
        .route(
            "/sites/{id}/settings",
            get(settings::show_site).post(settings::save_site),
        )
        .route("/audit", get(audit_log::list))
        .route("/media", get(media::list).post(media::upload))
        .route("/stats", get(stats_page::show))
        // Room for the largest image plus the rest of the form.
        .layer(DefaultBodyLimit::max(
            crate::web::middleware::body::upload_limit(max_upload_bytes),
        ))
}

/// The frame of every admin page.
pub struct AdminLayout {
    pub site_name: String,
    pub page_title: String,
    pub user_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    /// The current menu entry: `dashboard`, `articles`, `pages`, `menu`, `organisation`, `ratings`, `notices`, `categories`, `media`, `users`, `settings`, `audit`…
    pub section: &'static str,
    pub can_review: bool,
    pub can_administer: bool,
    /// The province IT office: sites, and every site's users and settings.
    pub is_operator: bool,
    pub stylesheet: &'static str,
    pub admin_stylesheet: &'static str,
    pub notice: String,
}

impl AdminLayout {
    pub fn new(staff: &Staff, section: &'static str, title: &str) -> AdminLayout {
        let role = staff.role();
        AdminLayout {
            site_name: staff.site.name.clone(),
            page_title: format!("{title} - Quản trị {}", staff.site.name),
            user_name: staff.user.display_name.clone(),
            role_label: role.label(),
            csrf: staff.session.csrf_token.clone(),
            section,
            can_review: role.can_review(),
            can_administer: role.can_administer(),
            is_operator: staff.is_operator(),
            stylesheet: assets::stylesheet_href(),
            admin_stylesheet: assets::admin_stylesheet_href(),
            notice: String::new(),
        }
    }

    /// A notice after a redirect (`?thong-bao=…`), from a fixed list.
    pub fn notice(mut self, code: Option<&str>) -> AdminLayout {
        self.notice = match code {
            Some("da-luu") => "Đã lưu.",
            Some("da-gui-duyet") => "Đã gửi bài cho Ban biên tập duyệt.",
            Some("da-xuat-ban") => "Đã xuất bản.",
            Some("da-nhap-word") => {
                "Đã nhập tệp Word thành bản nháp. Hãy xem lại nội dung, ảnh và bảng trước khi gửi duyệt."
            }
            Some("da-dang-hoi-dap") => "Đã đăng câu hỏi và câu trả lời lên trang.",
            Some("da-tra-lai") => "Đã trả bài lại cho tác giả.",
            Some("da-go-bai") => "Đã gỡ bài khỏi trang.",
            Some("da-khoi-phuc") => "Đã khôi phục phiên bản cũ (lưu thành phiên bản mới).",
            Some("da-tai-anh") => "Đã tải ảnh lên.",
            Some("da-xoa") => "Đã xoá.",
            Some("da-tai-tep") => "Đã đính kèm tệp.",
            Some("da-go-tep") => "Đã gỡ tệp.",
            Some("da-xoa-trang") => "Đã xoá trang.",
            Some("bao-tri-qua-gan") => {
                "Đã lưu, nhưng thời gian bắt đầu còn chưa đến 7 ngày làm việc: Nghị định 224/2026/NĐ-CP (Điều 13) yêu cầu thông báo cho bạn đọc trước ít nhất 7 ngày làm việc."
            }
            Some("da-tao-trang") => "Đã tạo trang. Hãy tạo tài khoản quản trị cho trang này.",
            Some("da-doi-mat-khau") => "Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.",
            Some("da-ket-thuc-phien") => "Đã kết thúc phiên đăng nhập.",
            Some("da-bat-xac-thuc-hai-buoc") => "Đã bật xác thực hai bước.",
            Some("da-tat-xac-thuc-hai-buoc") => "Đã tắt xác thực hai bước.",
            Some("da-tao-ma-khoi-phuc") => "Đã tạo mã khôi phục mới; các mã cũ không còn dùng được.",
            Some("da-dat-lai-xac-thuc") => "Đã đặt lại xác thực hai bước của tài khoản.",
            Some("can-xac-thuc-hai-buoc") => {
                "Trang này bắt buộc tài khoản của bạn dùng xác thực hai bước. Hãy bật ngay dưới đây để tiếp tục."
            }
            _ => "",
        }
        .to_owned();
        self
    }

    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

pub(crate) fn date(at: DateTime<Utc>) -> String {
    localtime::format_datetime(at)
}

/// `?thong-bao=` and `?trang=` and friends.
#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "thong-bao")]
    pub notice: Option<String>,
    pub trang: Option<String>,
    #[serde(rename = "trang-thai")]
    pub status: Option<String>,
    /// The editor opened with one's autosaved text.
    #[serde(rename = "ban-tu-luu")]
    pub autosaved: Option<String>,
}
