//! What a black-box attack found (issue 21), each with the test that would
//! have caught it; two-factor login; the staff member's own page.

use std::time::{Duration, Instant};

use crate::common::process::{self, exchange, request, serve, sigterm};
use crate::common::{Browser, PASSWORD, TestApp, html};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;

/// A raw TCP connection from a chosen loopback address (127.0.0.x), as
/// another client on the network would have.
async fn connect_from(source: &str, address: &str) -> std::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let stream = socket.connect(address.parse().unwrap()).await.unwrap();
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

async fn get_from(source: &str, address: &str, path: &str) -> Option<process::Reply> {
    use std::io::{Read, Write};
    let mut s = connect_from(source, address).await;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .ok()?;
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some(process::Reply {
        status: head.split(' ').nth(1)?.parse().ok()?,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

both_databases! {
    async fn bodies_that_never_arrive_hold_no_slot(app) {
        let url = app.database_url.clone();
        let (mut child, address, _lines) = serve(&["--database-url", &url, "--max-in-flight", "8"]);
        use std::io::Write;
        // More stalled bodies than slots, from one address.
        let mut stalled = Vec::new();
        for _ in 0..40 {
            let mut s = connect_from("127.0.0.2", &address).await;
            s.write_all(b"POST /dang-nhap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\nuser").unwrap();
            stalled.push(s);
        }
        std::thread::sleep(Duration::from_millis(300));
        // Everyone else is still served, at once.
        let started = Instant::now();
        for _ in 0..5 {
            let r = get_from("127.0.0.3", &address, "/").await.expect("an answer");
            assert_eq!(r.status, 200, "{}", r.head);
        }
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        // The stalled bodies are given up: 408, well before 30 s.
        use std::io::Read;
        let mut first = stalled.remove(0);
        first.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut answer = String::new();
        let _ = first.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        drop(stalled);
        sigterm(&mut child);
    }

    async fn one_address_cannot_take_every_connection(app) {
        let url = app.database_url.clone();
        let (mut child, address, _lines) = serve(&["--database-url", &url, "--max-connections-per-client", "16"]);
        let mut idle = Vec::new();
        for _ in 0..16 {
            idle.push(connect_from("127.0.0.4", &address).await);
        }
        std::thread::sleep(Duration::from_millis(200));
        // The 17th from that address is refused; another address is served.
        let r = get_from("127.0.0.4", &address, "/").await.expect("an answer");
        assert_eq!(r.status, 503, "{}", r.head);
        assert_eq!(get_from("127.0.0.5", &address, "/").await.unwrap().status, 200);
        drop(idle);
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(get_from("127.0.0.4", &address, "/").await.unwrap().status, 200, "free again");
        sigterm(&mut child);
    }

    async fn parallel_guesses_do_not_pass_the_limit(app) {
        app.create_user("vanthu", Role::Author).await;
        // 40 at once on one account from one address, the right password last.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let router = app.router.clone();
            let password = if i == 39 { PASSWORD.to_owned() } else { format!("sai mật khẩu {i}") };
            tasks.push(tokio::spawn(async move { login_from(&router, "vanthu", &password, "203.0.113.7").await }));
        }
        let mut checked = 0;
        for t in tasks {
            let status = t.await.unwrap();
            if status != StatusCode::TOO_MANY_REQUESTS {
                checked += 1;
            }
        }
        assert!(checked <= 5, "{checked} passwords checked, limit 5");
        // 120 at once on different names from one address.
        let mut tasks = Vec::new();
        for i in 0..120 {
            let router = app.router.clone();
            tasks.push(tokio::spawn(async move { login_from(&router, &format!("ai{i}"), "x", "198.51.100.9").await }));
        }
        let mut checked = 0;
        for t in tasks {
            if t.await.unwrap() != StatusCode::TOO_MANY_REQUESTS {
                checked += 1;
            }
        }
        assert!(checked <= 20, "{checked} checked, limit 20");
    }

    async fn a_stranger_cannot_lock_an_official_out(app) {
        app.create_user("vanthu", Role::Author).await;
        for _ in 0..6 {
            app.post_login("vanthu", "sai mật khẩu rồi", Some("203.0.113.66")).await;
        }
        assert_eq!(app.post_login("vanthu", PASSWORD, Some("203.0.113.66")).await.status, StatusCode::TOO_MANY_REQUESTS);
        // The official, from the office, gets in.
        assert_eq!(app.post_login("vanthu", PASSWORD, Some("192.0.2.10")).await.status, StatusCode::SEE_OTHER);
    }

    async fn decompression_bombs_are_refused(app) {
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let img = image::GrayImage::from_pixel(8_000, 8_000, image::Luma([0]));
        let mut bomb = Vec::new();
        image::DynamicImage::ImageLuma8(img).write_with_encoder(image::codecs::png::PngEncoder::new(&mut bomb)).unwrap();
        let r = app.post_multipart("/admin/media", &b, &[], Some(("file", "bom.png", &bomb))).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("50 triệu điểm ảnh"), "{}", r.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    }

    async fn uploads_have_a_quota(app) {
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3])));
        let mut png = Vec::new();
        img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut png)).unwrap();
        for i in 0..60 {
            let r = app.post_multipart("/admin/media", &b, &[], Some(("file", "a.png", &png))).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "upload {i}");
        }
        let r = app.post_multipart("/admin/media", &b, &[], Some(("file", "a.png", &png))).await;
        r.expect(StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 60);
    }

    async fn search_is_limited_per_client(app) {
        app.import_text("Họp dân thôn\n\nBà con họp bàn làm đường.\n").await;
        for i in 0..120 {
            let r = app.request(crate::common::visit_request("/tim-kiem?q=hop+dan", "203.0.113.50", &crate::common::phone(i))).await;
            assert_eq!(r.status, StatusCode::OK, "search {i}");
        }
        let r = app.request(crate::common::visit_request("/tim-kiem?q=hop+dan", "203.0.113.50", &crate::common::phone(1))).await;
        r.expect(StatusCode::TOO_MANY_REQUESTS);
        // Another reader is not affected; pages past the counted results are refused.
        app.request(crate::common::visit_request("/tim-kiem?q=hop+dan", "203.0.113.51", &crate::common::phone(2))).await.good();
        assert_eq!(app.get("/tim-kiem?q=hop+dan&trang=101").await.status, StatusCode::NOT_FOUND);
    }

    async fn the_sitemap_follows_the_content(app) {
        app.import_text("Bài thứ nhất\n\nNội dung một.\n").await;
        let first = app.get("/sitemap.xml").await;
        assert!(first.good().body.contains("/tin-tuc/bai-thu-nhat"));
        assert_eq!(app.get("/sitemap.xml").await.body, first.body, "kept");
        // A publication shows at once; a scheduled one when its time comes.
        app.import_text("Bài thứ hai\n\nNội dung hai.\n").await;
        assert!(app.get("/sitemap.xml").await.body.contains("/tin-tuc/bai-thu-hai"));
        app.create_user("bientap", Role::Editor).await;
        let b = app.login("bientap").await;
        let r = app.post_multipart("/admin/articles", &b, &[("title", "Bài hẹn giờ"), ("body", "Sẽ đăng."),
            ("action", "xuat-ban"), ("publish_at", "02/03/2026 09:00")], None).await;
        r.expect(StatusCode::SEE_OTHER);
        assert!(!app.get("/sitemap.xml").await.body.contains("bai-hen-gio"));
        app.clock.advance(chrono::Duration::hours(1));
        assert!(app.get("/sitemap.xml").await.body.contains("/tin-tuc/bai-hen-gio"), "due now");
        assert_eq!(app.get("/sitemap/1.xml").await.status, StatusCode::NOT_FOUND, "no index below 50,000");
    }

    async fn a_nul_in_a_path_is_a_bad_request(app) {
        for path in ["/tin-tuc/%00", "/tin-tuc/a%00b", "/tin-tuc/%C3", "/media/%00.jpg"] {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        }
    }

    async fn control_characters_never_reach_a_feed(app) {
        app.import_text("Thông báo\u{0001} họp\u{001B}[31m dân\u{0085} \u{202E}thôn\n\nNội dung\u{0007} họp.\n").await;
        let rss = app.get("/rss.xml").await;
        roxmltree::Document::parse(&rss.good().body).expect("the feed is valid XML");
        assert!(!rss.body.chars().any(|c| c.is_control() && c != '\n'));
        assert!(!rss.body.contains('\u{202E}'));
        // One-line fields typed in the admin lose bidi controls too.
        app.create_user("quantri", Role::Admin).await;
        let b = app.login("quantri").await;
        app.post_form("/admin/users", &b, &[("username", "vanthu"), ("display_name", "Văn \u{202E}thư\u{2066}"), ("role", "author"), ("password", "Nương ngô Tả Phìn 88")]).await.redirect();
        let names = app.strings("SELECT display_name FROM users WHERE username = 'vanthu'").await;
        assert_eq!(names, ["Văn thư"]);
    }

    async fn two_admins_demoting_each_other_leave_an_admin(app) {
        let one = app.create_user("quantri1", Role::Admin).await;
        let two = app.create_user("quantri2", Role::Admin).await;
        let (a, b) = (app.login("quantri1").await, app.login("quantri2").await);
        for _ in 0..5 {
            let demote = |by: Browser, id: i64| {
                let app = &app;
                async move {
                    app.post_form(&format!("/admin/users/{id}"), &by, &[("display_name", "Quản trị"), ("role", "editor")]).await.status
                }
            };
            let (x, y) = tokio::join!(demote(a.clone(), two), demote(b.clone(), one));
            // One is refused: as the last admin (400), or as no admin any
            // more once the other's demotion landed first (403).
            assert!(x != StatusCode::SEE_OTHER || y != StatusCode::SEE_OTHER, "both demoted: {x} {y}");
            assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled").await, 1);
            // Promote back for the next round.
            bantin::with_db!(&app.db, pool => sqlx::query("UPDATE users SET role = 'admin'").execute(pool).await.map(|_| ()).unwrap());
        }
    }

    async fn authors_see_only_their_own_scheduled_articles(app) {
        app.create_user("bientap", Role::Editor).await;
        app.create_user("tacgia", Role::Author).await;
        let e = app.login("bientap").await;
        app.post_multipart("/admin/articles", &e, &[("title", "Tin chưa đến giờ"), ("body", "Bí mật đến 10 giờ."),
            ("action", "xuat-ban"), ("publish_at", "02/03/2026 10:00")], None).await.redirect();
        app.import_text("Tin đã đăng\n\nAi cũng đọc được.\n").await;
        let author = app.login("tacgia").await;
        let dash = app.get_as("/admin", &author).await;
        assert!(dash.good().body.contains("Tin đã đăng"));
        assert!(!dash.body.contains("Tin chưa đến giờ"), "another's scheduled article");
        assert!(app.get_as("/admin", &e).await.body.contains("Tin chưa đến giờ"), "reviewers see it");
    }

    async fn staff_pages_are_never_cached_and_the_next_page_is_safe(app) {
        app.create_user("quantri", Role::Admin).await;
        let b = app.login("quantri").await;
        for uri in ["/admin", "/admin/articles", "/admin/tai-khoan", "/dang-nhap"] {
            let r = app.get_as(uri, &b).await;
            assert_eq!(r.header("cache-control"), "no-store", "{uri}");
        }
        assert_ne!(app.get("/").await.header("cache-control"), "no-store");
        let body = serde_urlencoded::to_string([("username", "quantri"), ("password", PASSWORD), ("tiep", "/admin/\r\nSet-Cookie: x=1\u{1}")]).unwrap();
        let r = app.request(Request::post("/dang-nhap").header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin").body(Body::from(body)).unwrap()).await;
        assert_eq!(r.redirect(), "/admin");
    }

    async fn links_to_other_sites_need_a_scheme(app) {
        app.create_user("bientap", Role::Editor).await;
        let b = app.login("bientap").await;
        app.post_multipart("/admin/articles", &b, &[("title", "Liên kết"),
            ("body", "<p><a href=\"//evil.example/x\">xem</a> <a href=\"/\\evil.example\">y</a> <a href=\"/tin-tuc\">tin</a></p>"),
            ("action", "xuat-ban")], None).await.redirect();
        let page = app.get("/tin-tuc/lien-ket").await;
        assert!(!page.good().body.contains("evil.example"), "protocol-relative links dropped");
        assert!(page.body.contains("href=\"/tin-tuc\""));
    }

    async fn a_huge_starting_total_neither_stores_nor_overflows(app) {
        app.create_user("quantri", Role::Admin).await;
        let b = app.login("quantri").await;
        let form = app.get_as("/admin/settings", &b).await;
        let mut fields: Vec<(String, String)> = ["name", "description", "address", "phone", "email", "tone_style", "require_2fa"]
            .iter().map(|f| (f.to_string(), form.field(f))).collect();
        fields.push(("stats_start_total".into(), "9223372036854775000".into()));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post_form("/admin/settings", &b, &fields).await.expect(StatusCode::BAD_REQUEST);
        // Even if the database held one, the widget saturates instead of failing.
        bantin::with_db!(&app.db, pool => sqlx::query("UPDATE sites SET stats_start_total = 9223372036854775807").execute(pool).await.map(|_| ()).unwrap());
        app.state.reload_sites().await.unwrap();
        app.visit("/", "203.0.113.1", &crate::common::phone(1)).await.good();
        let (_, _, _, total) = app.stats().await;
        assert_eq!(total, i64::MAX);
    }

    async fn logging_in_again_ends_the_old_session(app) {
        app.create_user("vanthu", Role::Author).await;
        let first = app.login("vanthu").await;
        let body = serde_urlencoded::to_string([("username", "vanthu"), ("password", PASSWORD), ("tiep", "/admin")]).unwrap();
        let r = app.request(Request::post("/dang-nhap").header("cookie", &first.cookie)
            .header("content-type", "application/x-www-form-urlencoded").header("sec-fetch-site", "same-origin")
            .body(Body::from(body)).unwrap()).await;
        r.redirect();
        assert!(app.get_as("/admin", &first).await.status.is_redirection(), "the old cookie opens nothing");
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    }

    async fn request_ids_are_believed_only_from_a_trusted_proxy(app) {
        let mut req = crate::common::visit_request("/", "203.0.113.9", &crate::common::phone(1));
        req.headers_mut().insert("x-request-id", "gia-mao-123".parse().unwrap());
        let r = app.request(req).await;
        assert!(!r.header("x-request-id").is_empty() && r.header("x-request-id") != "gia-mao-123");
        let (_, behind) = app.with_settings(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
        let mut req = crate::common::visit_request("/", "127.0.0.1", &crate::common::phone(1));
        req.headers_mut().insert("x-request-id", "tu-nginx-456".parse().unwrap());
        let r = crate::common::send(&behind, req).await;
        assert_eq!(r.header("x-request-id"), "tu-nginx-456");
    }

    async fn own_password_and_sessions(app) {
        app.create_user("vanthu", Role::Author).await;
        let phone = app.login("vanthu").await;
        let laptop = app.login("vanthu").await;
        let page = app.get_as("/admin/tai-khoan", &laptop).await;
        assert!(page.good().body.contains("Các phiên đăng nhập"));
        assert!(!page.body.contains(phone.cookie.trim_start_matches("bantin_phien=")), "no token shown");
        let wrong = app.post_form("/admin/tai-khoan/mat-khau", &laptop, &[("current", "không phải"), ("new", "Mây trắng Y Tý 2027"), ("again", "Mây trắng Y Tý 2027")]).await;
        wrong.expect(StatusCode::BAD_REQUEST);
        assert!(wrong.body.contains("Mật khẩu hiện tại không đúng"));
        let weak = app.post_form("/admin/tai-khoan/mat-khau", &laptop, &[("current", PASSWORD), ("new", "1234567890"), ("again", "1234567890")]).await;
        weak.expect(StatusCode::BAD_REQUEST);
        app.post_form("/admin/tai-khoan/mat-khau", &laptop, &[("current", PASSWORD), ("new", "Mây trắng Y Tý 2027"), ("again", "Mây trắng Y Tý 2027")]).await.redirect();
        assert!(app.get_as("/admin", &phone).await.status.is_redirection(), "other sessions ended");
        app.get_as("/admin", &laptop).await.good();
        assert_eq!(app.post_login("vanthu", "Mây trắng Y Tý 2027", None).await.status, StatusCode::SEE_OTHER);
        // Ending another of one's sessions; a stranger's is not one's own.
        let third = app.login_with_password("vanthu", "Mây trắng Y Tý 2027").await;
        let sessions: Vec<String> = app.strings("SELECT id_hash FROM sessions").await;
        let page = app.get_as("/admin/tai-khoan", &laptop).await;
        let other = sessions.iter().find(|h| page.body.contains(h.as_str()) && !app_is_current(&laptop, h)).unwrap().clone();
        app.post_form("/admin/tai-khoan/phien/ket-thuc", &laptop, &[("session", &other)]).await.redirect();
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, sessions.len() as i64 - 1);
        assert_eq!(app.post_form("/admin/tai-khoan/phien/ket-thuc", &laptop, &[("session", &"0".repeat(64))]).await.status, StatusCode::NOT_FOUND);
        let _ = third;
    }

    async fn two_factor_login_from_setup_to_reset(app) {
        let id = app.create_user("bientap", Role::Editor).await;
        let admin_id = app.create_user("quantri", Role::Admin).await;
        let _ = admin_id;
        let b = app.login("bientap").await;
        app.post_form("/admin/tai-khoan/xac-thuc/bat-dau", &b, &[]).await.redirect();
        let page = app.get_as("/admin/tai-khoan", &b).await;
        assert!(page.good().body.contains("<svg"), "the QR code");
        let secret: String = html::text_of(&page.body, "code", "secret").unwrap().replace(' ', "");
        assert_eq!(secret.len(), 32);
        let wrong = app.post_form("/admin/tai-khoan/xac-thuc/xac-nhan", &b, &[("code", "000000")]).await;
        wrong.expect(StatusCode::BAD_REQUEST);
        let on = app.post_form("/admin/tai-khoan/xac-thuc/xac-nhan", &b, &[("code", &app.totp_now(&secret))]).await;
        let codes: Vec<String> = on.good().body.split("<code class=\"secret\">").skip(1).map(|s| s.split('<').next().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 10, "recovery codes shown once");
        assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 10);
        assert!(!app.strings("SELECT code_hash FROM recovery_codes").await.contains(&codes[0]), "stored hashed");
        // The password alone is no login now.
        let r = app.post_login("bientap", PASSWORD, None).await;
        assert_eq!(r.redirect(), "/dang-nhap/ma-xac-thuc");
        assert!(!r.header("set-cookie").contains("bantin_phien="));
        // The code works once (the step the setup used is taken already).
        app.clock.advance(chrono::Duration::seconds(30));
        let code = app.totp_now(&secret);
        let ok = code_login(&app, &code).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(code_login(&app, &code).await.status, StatusCode::UNAUTHORIZED, "replayed");
        // Wrong codes are throttled.
        for _ in 0..5 {
            code_login(&app, "123456").await;
        }
        assert_eq!(code_login(&app, &app.totp_now(&secret)).await.status, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(chrono::Duration::minutes(16));
        // A recovery code works, once.
        assert_eq!(code_login(&app, &codes[3].to_uppercase()).await.status, StatusCode::SEE_OTHER);
        assert_eq!(code_login(&app, &codes[3]).await.status, StatusCode::UNAUTHORIZED);
        // An admin resets it (a lost phone); it is in the audit log.
        let admin = app.login("quantri").await;
        app.post_form(&format!("/admin/users/{id}/xac-thuc/dat-lai"), &admin, &[]).await.redirect();
        assert_eq!(app.post_login("bientap", PASSWORD, None).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'two_factor_reset'").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'two_factor_on'").await, 1);
    }

    async fn a_site_can_require_two_factor_login(app) {
        app.create_user("quantri", Role::Admin).await;
        app.create_user("tacgia", Role::Author).await;
        let admin = app.login("quantri").await;
        let form = app.get_as("/admin/settings", &admin).await;
        let mut fields: Vec<(String, String)> = ["name", "description", "address", "phone", "email", "stats_start_total", "tone_style"]
            .iter().map(|f| (f.to_string(), form.field(f))).collect();
        fields.push(("require_2fa".into(), "editor".into()));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post_form("/admin/settings", &admin, &fields).await.redirect();
        // The admin, without it, reaches only their own page until it is set up.
        let r = app.get_as("/admin/articles", &admin).await;
        assert_eq!(r.redirect(), "/admin/tai-khoan?thong-bao=can-xac-thuc-hai-buoc");
        assert!(app.get_as("/admin/tai-khoan", &admin).await.good().body.contains("bắt buộc"));
        // Authors are not concerned.
        let author = app.login("tacgia").await;
        app.get_as("/admin/articles", &author).await.good();
        // Required: it cannot be turned off.
        app.post_form("/admin/tai-khoan/xac-thuc/bat-dau", &admin, &[]).await.redirect();
        let page = app.get_as("/admin/tai-khoan", &admin).await;
        let secret = html::text_of(&page.body, "code", "secret").unwrap().replace(' ', "");
        app.post_form("/admin/tai-khoan/xac-thuc/xac-nhan", &admin, &[("code", &app.totp_now(&secret))]).await.good();
        app.get_as("/admin/articles", &admin).await.good();
        app.clock.advance(chrono::Duration::seconds(30));
        let off = app.post_form("/admin/tai-khoan/xac-thuc/tat", &admin, &[("password", PASSWORD), ("code", &app.totp_now(&secret))]).await;
        off.expect(StatusCode::BAD_REQUEST);
        assert!(off.body.contains("bắt buộc"));
    }
}

/// Posts the login form from an address; the status.
async fn login_from(router: &axum::Router, username: &str, password: &str, ip: &str) -> StatusCode {
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("tiep", "/admin"),
    ])
    .unwrap();
    let mut req = Request::post("/dang-nhap")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            ip.parse().unwrap(),
            40000,
        )));
    crate::common::send(router, req).await.status
}

/// A password login of `bientap`, then `code` on the second form.
async fn code_login(app: &TestApp, code: &str) -> crate::common::TestResponse {
    let r = app.post_login("bientap", PASSWORD, None).await;
    if r.status == StatusCode::TOO_MANY_REQUESTS {
        return r;
    }
    let challenge = r.header("set-cookie").split(';').next().unwrap().to_owned();
    let body = serde_urlencoded::to_string([("code", code)]).unwrap();
    app.request(
        Request::post("/dang-nhap/ma-xac-thuc")
            .header("cookie", &challenge)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Whether a session hash is the browser's own.
fn app_is_current(browser: &Browser, id_hash: &str) -> bool {
    let token = browser.cookie.trim_start_matches("bantin_phien=");
    bantin::accounts::secret::sha256_hex(token.as_bytes()) == id_hash
}

impl TestApp {
    async fn login_with_password(&self, username: &str, password: &str) -> Browser {
        let r = self.post_login(username, password, None).await;
        r.expect(StatusCode::SEE_OTHER);
        Browser {
            cookie: r.header("set-cookie").split(';').next().unwrap().to_owned(),
            csrf: String::new(),
            host: None,
        }
    }
}

#[test]
fn backups_and_the_data_folder_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("du-lieu");
    let data_s = data.display().to_string();
    let (out, _, stderr) = process::run(process::bantin().args(["--data-dir", &data_s, "migrate"]));
    assert!(out.status.success(), "{stderr}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("bantin.db")), 0o600);
    let archive = root.path().join("sao-luu.tar.gz");
    let (out, _, stderr) = process::run(
        process::bantin()
            .args(["--data-dir", &data_s, "backup"])
            .arg(&archive),
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(mode(&archive), 0o600);
    let _ = (exchange, request);
}
