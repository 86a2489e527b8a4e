//! Staff login, sessions, throttling, CSRF and roles, through the HTTP surface.

use crate::common::{PASSWORD, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use chrono::Duration;

both_databases! {
    async fn admin_requires_login_and_login_opens_it(app) {
        app.create_user("bbt.sincheng", Role::Editor).await;
        let anonymous = app.get("/admin/articles").await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.header("location"), "/dang-nhap?tiep=%2Fadmin%2Farticles");

        let form = app.get("/dang-nhap").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("name=\"username\"") && form.body.contains("name=\"password\""));

        let r = app.post_login("BBT.SinCheng", PASSWORD, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), "/admin");
        let cookie = r.header("set-cookie");
        assert!(cookie.starts_with("bantin_phien="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"));
        // Only a hash of the token is stored.
        let token = cookie.split(';').next().unwrap().trim_start_matches("bantin_phien=").to_owned();
        let stored: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_one(pool).await.unwrap());
        assert_ne!(stored, token);
        assert_eq!(stored.len(), 64);

        let browser = app.login("bbt.sincheng").await;
        let admin = app.get_as("/admin", &browser).await;
        assert_eq!(admin.status, StatusCode::OK);
        assert!(admin.body.contains("Tổng quan") && admin.body.contains("Cán bộ bbt.sincheng"));
        // A logged-in user is sent on from the login page.
        assert_eq!(app.get_as("/dang-nhap", &browser).await.status, StatusCode::SEE_OTHER);
    }

    async fn wrong_password_and_unknown_user_look_the_same(app) {
        app.create_user("vanthu", Role::Author).await;
        let wrong = app.post_login("vanthu", "sai mật khẩu rồi", None).await;
        let unknown = app.post_login("khongcoai", "sai mật khẩu rồi", None).await;
        for r in [&wrong, &unknown] {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert!(r.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
            assert!(r.header("set-cookie").is_empty());
        }
        assert!(wrong.body.contains("value=\"vanthu\""), "the name typed is kept");
    }

    async fn repeated_failures_lock_the_account_for_a_while(app) {
        app.create_user("vanthu", Role::Author).await;
        for _ in 0..5 {
            assert_eq!(app.post_login("vanthu", "sai mật khẩu rồi", None).await.status, StatusCode::UNAUTHORIZED);
        }
        // Now even the right password is refused, with the time left.
        let locked = app.post_login("vanthu", PASSWORD, None).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.body.contains("thử lại sau 15 phút"), "{}", locked.body);
        // Unknown names lock the same way: nothing tells who exists.
        for _ in 0..5 {
            app.post_login("khongcoai", "x", None).await;
        }
        assert_eq!(app.post_login("khongcoai", "x", None).await.status, StatusCode::TOO_MANY_REQUESTS);

        app.clock.advance(Duration::minutes(14));
        assert!(app.post_login("vanthu", PASSWORD, None).await.body.contains("thử lại sau 1 phút"));
        app.clock.advance(Duration::minutes(2));
        assert_eq!(app.post_login("vanthu", PASSWORD, None).await.status, StatusCode::SEE_OTHER);
    }

    async fn one_address_guessing_many_accounts_is_locked(app) {
        app.create_user("vanthu", Role::Author).await;
        for i in 0..20 {
            app.post_login(&format!("user{i}"), "x", Some("203.0.113.7")).await;
        }
        let locked = app.post_login("vanthu", PASSWORD, Some("203.0.113.7")).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        // Another address is not affected, and no address is stored raw.
        assert_eq!(app.post_login("vanthu", PASSWORD, Some("198.51.100.4")).await.status, StatusCode::SEE_OTHER);
        let keys: Vec<String> = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT key FROM login_attempts WHERE scope = 'addr'").fetch_all(pool).await.unwrap());
        assert!(!keys.is_empty() && keys.iter().all(|k| !k.contains("203.0.113")));
    }

    async fn sessions_expire_when_idle_and_after_twelve_hours(app) {
        app.create_user("vanthu", Role::Author).await;
        let b = app.login("vanthu").await;
        app.clock.advance(Duration::minutes(119));
        assert_eq!(app.get_as("/admin", &b).await.status, StatusCode::OK, "still active");
        app.clock.advance(Duration::minutes(121));
        assert_eq!(app.get_as("/admin", &b).await.status, StatusCode::SEE_OTHER, "idle too long");

        let b = app.login("vanthu").await;
        for _ in 0..6 {
            app.clock.advance(Duration::minutes(110));
            assert_eq!(app.get_as("/admin", &b).await.status, StatusCode::OK);
        }
        app.clock.advance(Duration::minutes(61));
        assert_eq!(app.get_as("/admin", &b).await.status, StatusCode::SEE_OTHER, "12 hours after login");
    }

    async fn logout_ends_the_session(app) {
        app.create_user("vanthu", Role::Author).await;
        let b = app.login("vanthu").await;
        let without_token = app.post_form("/dang-xuat", &crate::common::Browser { csrf: "x".into(), ..b.clone() }, &[]).await;
        assert_eq!(without_token.status, StatusCode::FORBIDDEN);
        let r = app.post_form("/dang-xuat", &b, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), "/");
        assert!(r.header("set-cookie").contains("Max-Age=0"));
        assert_eq!(app.get_as("/admin", &b).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    }

    async fn cross_site_posts_are_refused_and_change_nothing(app) {
        app.create_user("quantri", Role::Admin).await;
        let b = app.login("quantri").await;
        let body = serde_urlencoded::to_string([("csrf", b.csrf.as_str()), ("name", "Thông báo")]).unwrap();
        for (header, value) in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")] {
            let r = app.request(Request::post("/admin/categories")
                .header("cookie", &b.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .header(header, value)
                .body(Body::from(body.clone())).unwrap()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{header}");
            assert!(r.body.contains("không được gửi từ chính trang này"));
        }
        // Same origin but without the session's token.
        let forged = crate::common::Browser { csrf: "0".repeat(64), ..b.clone() };
        assert_eq!(app.post_form("/admin/categories", &forged, &[("name", "Thông báo")]).await.status, StatusCode::FORBIDDEN);
        // A login form posted from another site is refused too.
        let r = app.request(Request::post("/dang-nhap")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://evil.example")
            .body(Body::from("username=quantri&password=x")).unwrap()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.count("SELECT COUNT(*) FROM categories").await, 1, "only the default one");
        // The real thing works.
        assert_eq!(app.post_form("/admin/categories", &b, &[("name", "Thông báo")]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("SELECT COUNT(*) FROM categories").await, 2);
    }

    async fn https_sites_get_secure_cookies_and_hsts(app) {
        app.create_user("vanthu", Role::Author).await;
        let (_, router) = app.with_settings(|s| s.public_url = Some("https://sincheng.gov.vn".into())).await;
        let body = serde_urlencoded::to_string([("username", "vanthu"), ("password", PASSWORD)]).unwrap();
        let r = tower::ServiceExt::oneshot(router, Request::post("/dang-nhap")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://sincheng.gov.vn")
            .header("host", "127.0.0.1:8080")
            .body(Body::from(body)).unwrap()).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
        assert!(r.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    }

    async fn roles_are_checked_on_the_server(app) {
        app.create_user("tacgia", Role::Author).await;
        app.create_user("bientap", Role::Editor).await;
        app.create_user("quantri", Role::Admin).await;
        let author = app.login("tacgia").await;
        let editor = app.login("bientap").await;
        let admin = app.login("quantri").await;
        for page in ["/admin/users", "/admin/settings", "/admin/categories", "/admin/audit"] {
            assert_eq!(app.get_as(page, &author).await.status, StatusCode::FORBIDDEN, "author {page}");
            assert_eq!(app.get_as(page, &editor).await.status, StatusCode::FORBIDDEN, "editor {page}");
            assert_eq!(app.get_as(page, &admin).await.status, StatusCode::OK, "admin {page}");
        }
        let refused = app.post_form("/admin/users", &editor, &[("username", "moi"), ("role", "admin")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("không có quyền"));
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 3);
        // The menu shows admins what they may use, and others not.
        assert!(app.get_as("/admin", &admin).await.body.contains("href=\"/admin/users\""));
        assert!(!app.get_as("/admin", &author).await.body.contains("href=\"/admin/users\""));
    }

    async fn admins_manage_users(app) {
        app.create_user("quantri", Role::Admin).await;
        let admin = app.login("quantri").await;
        let weak = app.post_form("/admin/users", &admin, &[("username", "vanthu"), ("role", "author"), ("password", "123456789a")]).await;
        assert_eq!(weak.status, StatusCode::BAD_REQUEST);
        assert!(weak.body.contains("quá phổ biến"));
        let created = app.post_form("/admin/users", &admin, &[("username", "vanthu"), ("display_name", "Văn thư xã"), ("role", "author")]).await;
        assert_eq!(created.status, StatusCode::OK);
        let generated = crate::common::html::text_of(&created.body, "code", "secret").unwrap();
        assert_eq!(generated.len(), 20);
        assert_eq!(app.post_login("vanthu", &generated, None).await.status, StatusCode::SEE_OTHER);

        // The last admin cannot be demoted or disabled, nor disable themselves.
        let me = app.count("SELECT id FROM users WHERE username = 'quantri'").await;
        let r = app.post_form(&format!("/admin/users/{me}"), &admin, &[("role", "editor"), ("display_name", "Q")]).await;
        assert!(r.body.contains("ít nhất một quản trị viên"), "{}", r.body);
        // Disabling an account ends its sessions and its logins.
        let vanthu = app.count("SELECT id FROM users WHERE username = 'vanthu'").await;
        let b = app.login_with("vanthu", &generated).await;
        let r = app.post_form(&format!("/admin/users/{vanthu}"), &admin, &[("role", "author"), ("display_name", "Văn thư"), ("disabled", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get_as("/admin", &b).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.post_login("vanthu", &generated, None).await.status, StatusCode::UNAUTHORIZED);
        let audit = app.get_as("/admin/audit", &admin).await;
        assert!(audit.body.contains("Tạo tài khoản") && audit.body.contains("Sửa tài khoản"));
    }
}

impl TestApp {
    async fn login_with(&self, username: &str, password: &str) -> crate::common::Browser {
        let r = self.post_login(username, password, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        crate::common::Browser {
            cookie: r.header("set-cookie").split(';').next().unwrap().to_owned(),
            csrf: String::new(),
            host: None,
        }
    }
}
