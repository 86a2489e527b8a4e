//! Public pages through the real router: home, news list, article, errors.

use crate::common::{TestApp, fixture_text};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::content::import::CapturedPage;
use chrono::Duration;

/// A generated article, `n` making title and text unique.
fn generated(n: usize) -> CapturedPage {
    CapturedPage {
        title: format!("Bản tin số {n} của xã"),
        paragraphs: vec![format!(
            "Nội dung bản tin số {n}, gồm các hoạt động trong tuần."
        )],
        byline: Some("Ban biên tập".into()),
        legacy: None,
        shown_at: None,
    }
}

async fn publish_many(app: &TestApp, count: usize) {
    for n in 1..=count {
        app.store(&generated(n)).await;
        app.clock.advance(Duration::minutes(1));
    }
}

both_databases! {
    async fn fresh_install_shows_a_friendly_home(app) {
        let r = app.get("/").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.header("content-type").starts_with("text/html"));
        assert!(r.body.contains("chưa có bài viết nào"), "{}", r.body);
        assert!(r.body.contains("<html lang=\"vi\">"));
        assert!(r.body.contains("Cổng thông tin điện tử"), "the default site name");
        for chrome in [">Trang chủ<", ">Tin tức<", ">Đăng nhập<", "action=\"/tim-kiem\""] {
            assert!(r.body.contains(chrome), "missing {chrome}");
        }
        let news = app.get("/tin-tuc").await;
        assert_eq!(news.status, StatusCode::OK);
        assert!(news.body.contains("Chưa có bài viết nào."));
    }

    async fn site_name_comes_from_the_database(app) {
        let site = app.site();
        bantin::site::rename(&app.db, site.id, "Đảng bộ xã Sín Chéng", app.clock_now()).await.unwrap();
        app.state.reload_sites().await.unwrap();
        let r = app.get("/").await;
        assert!(r.body.contains("<title>Đảng bộ xã Sín Chéng</title>"), "{}", r.body);
    }

    async fn article_page_after_import(app) {
        let imported = app.import_text(&fixture_text("ngay-hoi-dai-doan-ket.txt")).await;
        assert!(imported.created);
        assert_eq!(
            imported.path,
            "/tin-tuc/xa-nam-xe-to-chuc-ngay-hoi-dai-doan-ket-toan-dan-toc-nam-2026"
        );
        let r = app.get(&imported.path).await;
        assert_eq!(r.status, StatusCode::OK);
        let b = &r.body;
        assert!(b.contains("<h1>Xã Nậm Xe tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm 2026</h1>"), "{b}");
        assert!(b.contains("<title>Xã Nậm Xe tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm 2026 - Cổng thông tin điện tử</title>"));
        // Cleaned text: spaces before commas gone, NBSP indents gone, numbers intact.
        assert!(b.contains("<p>Sáng 15/11, tại nhà văn hoá thôn Nậm Xe, Ủy ban MTTQ xã"), "{b}");
        assert!(b.contains("<p>Tại ngày hội, các thôn đã tham gia nhiều hoạt động văn hoá, thể thao sôi nổi"));
        assert!(b.contains("1.250 hộ gia đình") && b.contains("tăng 3,5%") && b.contains("500.000 đồng"));
        assert!(!b.contains('\u{a0}') && !b.contains("  "));
        // Byline shown as the byline, not as a paragraph.
        assert!(b.contains("<p class=\"byline\">Giàng A Pháo.</p>"));
        assert!(!b.contains("<p>Giàng A Pháo.</p>"));
        // The captured page's chrome is not part of the article (the page's
        // own statistics widget is in the sidebar, outside it).
        let article = b.split("<article").nth(1).unwrap().split("</article>").next().unwrap();
        for chrome in ["Thống kê truy cập", "Đang online", "Hôm nay: 112", "85.211", "Đăng nhập"] {
            assert!(!article.contains(chrome), "chrome line {chrome} leaked into the article");
        }
        assert!(!b.contains("85.211") && !b.contains("Hôm nay: 112"), "the captured counters are gone");
        // Date in Vietnam's time (sample clock: 01:30 UTC) and category.
        assert!(b.contains("<time datetime=\"2026-03-02T08:30:00+07:00\">02/03/2026 08:30</time> · <a href=\"/chuyen-muc/tin-tuc\">Tin tức</a>"), "{b}");

        // Listed on the home page and under "Tin tức".
        for page in ["/", "/tin-tuc"] {
            let list = app.get(page).await;
            assert!(list.body.contains(&format!("href=\"{}\"", imported.path)), "{page}");
        }
    }

    async fn decomposed_crlf_page_is_stored_composed(app) {
        let imported = app.import_text(&fixture_text("lich-tiep-cong-dan.txt")).await;
        assert_eq!(imported.path, "/tin-tuc/ubnd-xa-thong-bao-lich-tiep-cong-dan-thang-12");
        let r = app.get(&imported.path).await;
        let b = &r.body;
        assert!(b.contains("<h1>UBND xã thông báo lịch tiếp công dân tháng 12</h1>"), "NFC title: {b}");
        assert!(b.contains("định kỳ như sau:</p>"));
        assert!(b.contains("ubnd@namxe.gov.vn hoặc trang https://namxe.gov.vn/lien-he.</p>"));
        assert!(b.contains("<p class=\"byline\">Văn phòng UBND xã.</p>"));
        assert!(!b.contains('\r') && !b.contains('\u{feff}'));
    }

    async fn newest_first_and_paginated(app) {
        publish_many(&app, 23).await;
        let first = app.get("/tin-tuc").await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.body.matches("<h2><a href=\"/tin-tuc/").count(), 10);
        let pos = |body: &str, n: usize| body.find(&format!(">Bản tin số {n} của xã<")).unwrap();
        assert!(pos(&first.body, 23) < pos(&first.body, 22), "newest first");
        assert!(first.body.contains("Trang 1/3"));
        assert!(first.body.contains("href=\"/tin-tuc?trang=2\" rel=\"next\""));

        let third = app.get("/tin-tuc?trang=3").await;
        assert_eq!(third.status, StatusCode::OK);
        assert_eq!(third.body.matches("<h2><a href=\"/tin-tuc/").count(), 3);
        assert!(third.body.contains(">Bản tin số 1 của xã<"));
        assert!(third.body.contains("href=\"/tin-tuc?trang=2\" rel=\"prev\""));
        assert!(third.body.contains("<h2>Tin mới</h2>"), "later pages show the newest in the sidebar");

        let home = app.get("/").await;
        assert_eq!(home.body.matches("<h2><a href=\"/tin-tuc/").count(), 10);
        assert!(home.body.contains("Xem tất cả tin tức"));

        assert_eq!(app.get("/tin-tuc?trang=4").await.status, StatusCode::NOT_FOUND);
    }

    async fn bad_parameters_are_400_in_vietnamese(app) {
        publish_many(&app, 2).await;
        let long = format!("/tin-tuc?trang={}", "9".repeat(10_240));
        for uri in ["/tin-tuc?trang=abc", "/tin-tuc?trang=-1", "/tin-tuc?trang=0", "/tin-tuc?trang=1.5", long.as_str()] {
            let r = app.get(uri).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(r.body.contains("Số trang không hợp lệ."), "{uri}");
            assert!(r.body.contains("<html lang=\"vi\">"));
        }
        // Unknown parameters are ignored.
        assert_eq!(app.get("/tin-tuc?utm_source=zalo&trang=1").await.status, StatusCode::OK);
        // A slug that is not valid UTF-8 once decoded.
        assert_eq!(app.get("/tin-tuc/%FF%FE").await.status, StatusCode::BAD_REQUEST);
    }

    async fn not_found_is_a_vietnamese_page(app) {
        for uri in ["/khong-co-trang-nay", "/tin-tuc/khong-co-bai-nay", &format!("/tin-tuc/{}", "a".repeat(5000))] {
            let r = app.get(uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
            assert!(r.body.contains("Không tìm thấy trang"));
            assert!(r.body.contains("href=\"/tin-tuc\""), "a way back to the news");
        }
        let post = app.request(Request::post("/").body(Body::empty()).unwrap()).await;
        assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(post.body.contains("không được hỗ trợ"));
    }

    async fn scheduled_and_unpublished_articles_stay_hidden(app) {
        use bantin::content::article::{self, NewArticle, Status};
        let site = app.site();
        let now = app.clock_now();
        for (slug, status, at) in [
            ("hen-gio", Status::Published, Some(now + Duration::hours(2))),
            ("ban-nhap", Status::Draft, None),
            ("cho-duyet", Status::Pending, None),
            ("da-go", Status::Unpublished, Some(now - Duration::hours(1))),
        ] {
            let new = NewArticle {
                site_id: site.id, author_id: None, featured_image: "", category_id: None,
                title: slug, summary: "", body: "<p>x</p>",
                byline: "", status, published_at: at, source_hash: None,
                ..NewArticle::default()
            };
            let mut tx = app.db.begin().await.unwrap();
            article::insert(&mut tx, &new, slug, now).await.unwrap().unwrap();
            tx.commit().await.unwrap();
        }
        for slug in ["hen-gio", "ban-nhap", "cho-duyet", "da-go"] {
            assert_eq!(app.get(&format!("/tin-tuc/{slug}")).await.status, StatusCode::NOT_FOUND, "{slug}");
        }
        assert!(app.get("/").await.body.contains("chưa có bài viết nào"));

        // The scheduled one appears at its time, not before.
        app.clock.advance(Duration::hours(2));
        assert_eq!(app.get("/tin-tuc/hen-gio").await.status, StatusCode::OK);
        assert!(app.get("/tin-tuc").await.body.contains("href=\"/tin-tuc/hen-gio\""));
    }

    async fn text_is_escaped_not_executed(app) {
        let imported = app
            .import_text("<script>alert(1)</script> Tiêu đề\n\nĐoạn <img src=x onerror=alert(2)> văn.\n")
            .await;
        let r = app.get(&imported.path).await;
        assert!(!r.body.contains("<script>alert"));
        assert!(!r.body.contains("<img src=x"));
        assert!(r.body.contains("<h1>&#60;script&#62;alert(1)&#60;/script&#62; Tiêu đề</h1>"), "{}", r.body);
        assert!(r.body.contains("<p>Đoạn &lt;img src=x onerror=alert(2)&gt; văn.</p>"));
    }

    async fn health_and_security_headers_on_every_response(app) {
        let r = app.get("/healthz").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, "ok\n");
        publish_many(&app, 1).await;
        let slug = app.strings("SELECT slug FROM articles WHERE kind = 'news'").await.remove(0);
        let check = |what: &str, r: &crate::common::TestResponse| {
            let csp = r.header("content-security-policy");
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{what}: {csp:?}");
            assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}");
            assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
            assert_eq!(r.header("referrer-policy"), "strict-origin-when-cross-origin", "{what}");
            assert_eq!(r.header("x-frame-options"), "DENY", "{what}");
        };
        // Pages, feeds, assets, JSON, redirects and every kind of error.
        let uris = [
            "/".to_owned(), format!("/tin-tuc/{slug}"), "/tin-tuc".into(), "/tim-kiem?q=x".into(),
            "/api/v1/search?q=x".into(), "/api/v1/stats".into(), "/rss.xml".into(), "/sitemap.xml".into(),
            "/robots.txt".into(), "/dang-nhap".into(), "/healthz".into(), "/admin".into(),
            "/static/style.css".into(), "/khong-co".into(), "/tin-tuc?trang=abc".into(),
            "/media/khong-co.jpg".into(), "/metrics".into(), "/tim-kiem?q=%FF".into(),
        ];
        for uri in &uris {
            check(uri, &app.get(uri).await);
        }
        let posts = [
            ("/dang-nhap", "application/x-www-form-urlencoded", "username=%00"),
            ("/dang-xuat", "application/x-www-form-urlencoded", "csrf=x"),
            ("/", "text/plain", "x"),
        ];
        for (uri, content_type, body) in posts {
            let r = app.request(Request::post(uri).header("content-type", content_type).body(Body::from(body)).unwrap()).await;
            check(&format!("POST {uri} → {}", r.status), &r);
        }
        // HSTS only where the site is served over https.
        assert_eq!(app.get("/").await.header("strict-transport-security"), "");
        let (_, https) = app.with_settings(|s| s.public_url = Some("https://sincheng.gov.vn".into())).await;
        for uri in ["/", "/khong-co", "/static/style.css"] {
            let r = crate::common::send(&https, Request::get(uri).body(Body::empty()).unwrap()).await;
            assert!(r.header("strict-transport-security").starts_with("max-age=31536000"), "{uri}");
        }
    }

    async fn stylesheet_is_cached_and_linked(app) {
        let home = app.get("/").await;
        let href = crate::common::html::attr_of(&home.body, "link", ("rel", "stylesheet"), "href").unwrap();
        let href = href.as_str();
        assert!(href.starts_with("/static/style.css?v="));
        let css = app.get(href).await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.header("content-type").starts_with("text/css"));
        assert!(css.header("cache-control").contains("immutable"));
        assert!(css.body.contains("@media print"));
    }

    async fn pages_are_gzipped_for_slow_links(app) {
        publish_many(&app, 5).await;
        let r = app
            .request(Request::get("/").header("accept-encoding", "gzip").body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.header("content-encoding"), "gzip");
        // Kept pages are compressed once; what a phone unpacks is the page,
        // its visitor numbers included, whether just rendered or kept.
        let slug = app.scalar("SELECT slug FROM articles WHERE kind = 'news' ORDER BY id LIMIT 1").await;
        let raw = |path: String, encoding: &'static str| {
            let router = app.router.clone();
            async move {
                let mut req = crate::common::visit_request(&path, "203.0.113.7", &crate::common::phone(7));
                req.headers_mut().insert("accept-encoding", encoding.parse().unwrap());
                let r = tower::ServiceExt::oneshot(router, req).await.unwrap();
                let headers = r.headers().clone();
                let bytes = http_body_util::BodyExt::collect(r.into_body()).await.unwrap().to_bytes();
                (headers, bytes)
            }
        };
        for path in [format!("/tin-tuc/{slug}"), "/".to_owned()] {
            let (_, plain) = raw(path.clone(), "identity").await;
            let plain = String::from_utf8(plain.to_vec()).unwrap();
            assert!(plain.contains("Thống kê truy cập"), "{plain}");
            for _ in 0..2 {
                let (headers, packed) = raw(path.clone(), "gzip, deflate, br").await;
                assert_eq!(headers["content-encoding"], "gzip", "{path}");
                assert_eq!(headers["vary"], "accept-encoding");
                assert!(packed.len() * 2 < plain.len(), "{} of {}", packed.len(), plain.len());
                let mut text = String::new();
                std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut text).unwrap();
                // The same reader again: the same page, counted once.
                assert_eq!(text, plain, "{path}");
            }
            let (headers, _) = raw(path.clone(), "gzip;q=0").await;
            assert!(headers.get("content-encoding").is_none(), "{path}");
        }
    }
}
