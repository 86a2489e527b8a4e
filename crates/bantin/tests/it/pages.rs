//! What a commune portal publishes besides news: pages in a tree, the main
//! menu, category pages, leaders and the organisation, the footer and the
//! contact page, the site map, the satisfaction rating, maintenance
//! notices and Dublin Core metadata — each per site.

use crate::common::{Browser, TestApp, TestResponse, html, phone};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use bantin::site::manage;
use chrono::Duration;

/// The id of the article or page at this slug on the default site.
async fn id_of(app: &TestApp, slug: &str) -> i64 {
    let site = app.site().id;
    bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM articles WHERE site_id = $1 AND slug = $2")
        .bind(site).bind(slug).fetch_one(pool).await)
    .unwrap_or_else(|e| panic!("no {slug}: {e}"))
}

/// Submits the editor of `id` as a browser would, with some fields changed.
async fn submit(app: &TestApp, b: &Browser, id: i64, changes: &[(&str, &str)]) -> TestResponse {
    let page = app.get_as(&format!("/admin/articles/{id}"), b).await;
    page.good();
    let names = [
        "version", "title", "summary", "body", "byline", "kind", "parent", "position", "shows",
    ];
    let mut fields: Vec<(String, String)> = names
        .iter()
        .filter_map(|n| html::field(&page.body, n).map(|v| (n.to_string(), v)))
        .collect();
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name.to_string(), value.to_string()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_multipart(&format!("/admin/articles/{id}"), b, &fields, None)
        .await
}

/// An admin of the default site.
async fn admin(app: &TestApp) -> Browser {
    app.create_user("quantri", Role::Admin).await;
    app.login("quantri").await
}

/// Publishes the page at `slug` with this text.
async fn publish(app: &TestApp, b: &Browser, slug: &str, body: &str) -> i64 {
    let id = id_of(app, slug).await;
    submit(app, b, id, &[("body", body), ("action", "xuat-ban")])
        .await
        .expect(StatusCode::SEE_OTHER);
    id
}

/// A reader's rating, sent from `ip` by the phone numbered `n`.
fn rating(ip: &str, n: usize, fields: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::post("/danh-gia")
        .header("user-agent", phone(n))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            ip.parse().unwrap(),
            40000,
        )));
    req
}

/// The `<nav aria-label="Menu chính">` of a page.
fn menu_of(body: &str) -> &str {
    let start = body.find("aria-label=\"Menu chính\"").expect("a main menu");
    let rest = &body[start..];
    &rest[..rest.find("</nav>").unwrap()]
}

both_databases! {
    async fn a_new_site_starts_with_empty_pages_and_a_menu(app) {
        let titles = app.strings("SELECT title FROM articles WHERE kind = 'page' ORDER BY id").await;
        assert_eq!(titles, ["Giới thiệu", "Lịch sử", "Điều kiện tự nhiên", "Cơ cấu tổ chức", "Lãnh đạo", "Liên hệ"]);
        let slugs = app.strings("SELECT slug FROM articles WHERE kind = 'page' ORDER BY id").await;
        assert_eq!(slugs[1], "gioi-thieu/lich-su");
        // Empty drafts: nothing made up, nothing public.
        assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE kind = 'page' AND (body <> '' OR status <> 'draft')").await, 0);
        for path in ["/gioi-thieu", "/gioi-thieu/lich-su", "/gioi-thieu/lanh-dao"] {
            assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        let home = app.get("/").await;
        let menu = menu_of(&home.good().body);
        for href in ["href=\"/\"", "href=\"/tin-tuc\"", "href=\"/lien-he\"", "href=\"/so-do\""] {
            assert!(menu.contains(href), "{href} in {menu}");
        }
        assert!(!menu.contains("Giới thiệu"), "a heading with nothing published is hidden: {menu}");
        // Given once: what the admin deletes stays deleted.
        let b = admin(&app).await;
        let id = id_of(&app, "gioi-thieu/dieu-kien-tu-nhien").await;
        app.post_form(&format!("/admin/pages/{id}/xoa"), &b, &[]).await.expect(StatusCode::SEE_OTHER);
        bantin::content::page::furnish_all(&app.db, app.clock_now()).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE kind = 'page'").await, 5);
        assert_eq!(app.count("SELECT COUNT(*) FROM menu_items WHERE label = 'Điều kiện tự nhiên'").await, 0);
        // A new site gets its own.
        let other = manage::create(&app.db, None, manage::NewSite {
            host: "xa-khac.gov.vn", name: "Xã khác", parent: None, aliases: &[], public_url: None,
        }, app.clock_now()).await.unwrap();
        let theirs: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE site_id = $1 AND kind = 'page'").bind(other.id).fetch_one(pool).await).unwrap();
        assert_eq!(theirs, 6);
    }

    async fn a_page_goes_through_the_workflow_and_sits_in_the_tree(app) {
        let b = admin(&app).await;
        app.create_user("tacgia", Role::Author).await;
        app.create_user("bientap", Role::Editor).await;
        let author = app.login("tacgia").await;
        let editor = app.login("bientap").await;
        let list = app.get_as("/admin/pages", &author).await;
        assert!(list.good().body.contains("Lịch sử") && list.body.contains("/gioi-thieu/lich-su"));
        let parent = id_of(&app, "gioi-thieu").await;
        // An author writes a page under Giới thiệu and sends it for review.
        let form = app.get_as(&format!("/admin/pages/new?cha={parent}"), &author).await;
        assert_eq!(form.good().field("kind"), "page");
        assert_eq!(form.field("parent"), parent.to_string());
        let r = app.post_multipart("/admin/articles", &author, &[
            ("kind", "page"), ("parent", &parent.to_string()), ("position", "5"), ("shows", ""),
            ("title", "Văn hoá, di tích"), ("summary", ""), ("byline", ""),
            ("body", "Đình làng Nàn Sín được xếp hạng di tích cấp tỉnh.<script>alert(1)</script>"),
            ("action", "gui-duyet"),
        ], None).await;
        r.expect(StatusCode::SEE_OTHER);
        let id = id_of(&app, "gioi-thieu/van-hoa-di-tich").await;
        assert_eq!(app.get("/gioi-thieu/van-hoa-di-tich").await.status, StatusCode::NOT_FOUND, "pending is not public");
        assert!(!app.get_as("/admin/articles", &editor).await.body.contains("Văn hoá, di tích"), "pages are not in the news list");
        submit(&app, &editor, id, &[("action", "xuat-ban")]).await.expect(StatusCode::SEE_OTHER);
        let page = app.get("/gioi-thieu/van-hoa-di-tich").await;
        assert!(page.good().body.contains("Đình làng Nàn Sín được xếp hạng di tích cấp tỉnh."));
        assert!(!page.body.contains("alert(1)"), "sanitised like an article");
        assert!(page.body.contains("Thông tin này có hữu ích với bạn không?"));
        // Its parent is not out yet: no crumb to it.
        assert!(!page.body.contains("href=\"/gioi-thieu\""));
        // Lịch sử published: the menu's heading Giới thiệu leads to it.
        publish(&app, &b, "gioi-thieu/lich-su", "Xã được thành lập năm 1964.").await;
        let home = app.get("/").await;
        let menu = menu_of(&home.body);
        assert!(menu.contains("<summary>Giới thiệu</summary>") && menu.contains("href=\"/gioi-thieu/lich-su\""), "{menu}");
        assert!(!menu.contains("dieu-kien-tu-nhien"), "drafts stay out of the menu");
        // Giới thiệu published: it lists its published sub-pages.
        publish(&app, &b, "gioi-thieu", "Giới thiệu chung về xã.").await;
        let top = app.get("/gioi-thieu").await;
        assert!(top.good().body.contains("href=\"/gioi-thieu/lich-su\"") && top.body.contains("href=\"/gioi-thieu/van-hoa-di-tich\""));
        assert!(!top.body.contains("dieu-kien-tu-nhien"));
        assert!(app.get("/gioi-thieu/lich-su").await.body.contains("href=\"/gioi-thieu\""), "crumb to the parent");
        // Every save is a revision.
        submit(&app, &b, id, &[("body", "Đình làng Nàn Sín, di tích cấp tỉnh từ năm 2010."), ("action", "luu")]).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get("/gioi-thieu/van-hoa-di-tich").await.body.contains("từ năm 2010"));
        let editor_page = app.get_as(&format!("/admin/articles/{id}"), &b).await;
        let revisions = editor_page.body.split("class=\"revisions\"").nth(1).unwrap().split("</ul>").next().unwrap();
        assert_eq!(revisions.matches("Phiên bản").count(), 3, "written, published, edited: {revisions}");
        // Moved to the top level: its path follows.
        submit(&app, &b, id, &[("parent", ""), ("action", "luu")]).await.expect(StatusCode::SEE_OTHER);
        assert_eq!(app.get("/van-hoa-di-tich").await.status, StatusCode::OK);
        assert_eq!(app.get("/gioi-thieu/van-hoa-di-tich").await.status, StatusCode::NOT_FOUND);
        // Two levels only: a page with sub-pages cannot go under another.
        let r = submit(&app, &b, parent, &[("parent", &id.to_string()), ("action", "luu")]).await;
        r.expect(StatusCode::BAD_REQUEST);
        assert!(r.body.contains("hai cấp"), "{}", r.body);
        let r = submit(&app, &b, id, &[("parent", &id_of(&app, "gioi-thieu/lich-su").await.to_string()), ("action", "luu")]).await;
        r.expect(StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/gioi-thieu").await.status, StatusCode::OK, "nothing moved");
        // Deleting: authors may not; a page with sub-pages stays; others go
        // with their menu entries.
        app.post_form(&format!("/admin/pages/{id}/xoa"), &author, &[]).await.expect(StatusCode::FORBIDDEN);
        app.post_form(&format!("/admin/pages/{parent}/xoa"), &b, &[]).await.expect(StatusCode::CONFLICT);
        let history = id_of(&app, "gioi-thieu/lich-su").await;
        app.post_form(&format!("/admin/pages/{history}/xoa"), &b, &[]).await.expect(StatusCode::SEE_OTHER);
        assert_eq!(app.get("/gioi-thieu/lich-su").await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.count("SELECT COUNT(*) FROM menu_items WHERE label = 'Lịch sử'").await, 0);
        assert!(!menu_of(&app.get("/").await.body).contains("lich-su"));
        // A top-level page may not take one of the site's own addresses.
        let r = app.post_multipart("/admin/articles", &b, &[
            ("kind", "page"), ("parent", ""), ("title", "Tìm kiếm"), ("body", "Hướng dẫn tìm kiếm."), ("action", "luu"),
        ], None).await;
        r.expect(StatusCode::SEE_OTHER);
        id_of(&app, "tim-kiem-trang").await;
    }

    async fn the_admin_edits_the_menu(app) {
        let b = admin(&app).await;
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login("bientap").await;
        app.get_as("/admin/menu", &editor).await.expect(StatusCode::FORBIDDEN);
        let page = app.get_as("/admin/menu", &b).await;
        assert!(page.good().body.contains("Sơ đồ cổng"));
        let before = app.count("SELECT COUNT(*) FROM menu_items").await;
        let add = |fields: Vec<(&'static str, String)>| {
            let b = &b;
            let app = &app;
            async move {
                let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
                app.post_form("/admin/menu", b, &fields).await
            }
        };
        let r = add(vec![("label", "Dịch vụ công".into()), ("target", "url".into()), ("url", "https://dichvucong.gov.vn".into()), ("sort", "10".into())]).await;
        r.expect(StatusCode::SEE_OTHER);
        let home = app.get("/").await;
        assert!(menu_of(&home.body).contains("<a href=\"https://dichvucong.gov.vn\">Dịch vụ công</a>"));
        // Refused cleanly, nothing stored.
        for bad in ["javascript:alert(1)", "//evil.example/", "data:text/html,x", "https://a b"] {
            let r = add(vec![("label", "Xấu".into()), ("target", "url".into()), ("url", bad.into())]).await;
            r.expect(StatusCode::BAD_REQUEST);
            assert!(r.body.contains("Địa chỉ phải bắt đầu"), "{bad}");
        }
        add(vec![("label", "".into()), ("target", "home".into())]).await.expect(StatusCode::BAD_REQUEST);
        add(vec![("label", "Không có".into()), ("target", "page:999999".into())]).await.expect(StatusCode::BAD_REQUEST);
        add(vec![("label", "Lạ".into()), ("target", "nonsense".into())]).await.expect(StatusCode::BAD_REQUEST);
        assert_eq!(app.count("SELECT COUNT(*) FROM menu_items").await, before + 1);
        // A sub-entry, and no deeper.
        let top = app.count("SELECT id FROM menu_items WHERE label = 'Dịch vụ công'").await;
        add(vec![("label", "Tra cứu <hồ sơ>".into()), ("target", "search".into()), ("parent", top.to_string())]).await.expect(StatusCode::SEE_OTHER);
        let child = app.count("SELECT id FROM menu_items WHERE parent_id IS NOT NULL AND target = 'search'").await;
        add(vec![("label", "Sâu".into()), ("target", "home".into()), ("parent", child.to_string())]).await.expect(StatusCode::BAD_REQUEST);
        let home = app.get("/").await;
        let menu = menu_of(&home.body);
        assert!(menu.contains("<summary>Dịch vụ công</summary>"), "{menu}");
        assert!(menu.contains("<a href=\"/tim-kiem\">Tra cứu &#60;hồ sơ&#62;</a>"), "escaped: {menu}");
        // A category; an order.
        let category = app.count("SELECT id FROM categories").await;
        add(vec![("label", "Tin địa phương".into()), ("target", format!("category:{category}")), ("sort", "-5".into())]).await.expect(StatusCode::SEE_OTHER);
        let home = app.get("/").await;
        let menu = menu_of(&home.body);
        let cat_at = menu.find("href=\"/chuyen-muc/tin-tuc\"").expect("the category entry");
        assert!(cat_at < menu.find(">Trang chủ<").unwrap(), "sorted first: {menu}");
        // Renamed, then removed with its sub-entry.
        app.post_form(&format!("/admin/menu/{top}"), &b, &[("label", "Dịch vụ công trực tuyến"), ("target", "url"), ("url", "https://dichvucong.gov.vn"), ("sort", "10")]).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get("/").await.body.contains("Dịch vụ công trực tuyến"));
        app.post_form(&format!("/admin/menu/{top}/xoa"), &b, &[]).await.expect(StatusCode::SEE_OTHER);
        let home = app.get("/").await;
        assert!(!home.body.contains("Dịch vụ công") && !home.body.contains("Tra cứu"));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'menu_update'").await, 5);
    }

    async fn category_pages_list_their_articles_newest_first(app) {
        for i in 1..=12 {
            app.import_text(&format!("Tin số {i} của xã\n\nNội dung tin số {i} của xã Nàn Sín.\n")).await;
            app.clock.advance(Duration::minutes(1));
        }
        let first = app.get("/chuyen-muc/tin-tuc").await;
        let body = &first.good().body;
        assert!(body.contains("<h1 class=\"section-title\">Tin tức</h1>"));
        assert!(body.find("Tin số 12 của xã").unwrap() < body.find("Tin số 11 của xã").unwrap(), "newest first");
        assert!(!body.contains("Tin số 2 của xã<"), "ten a page");
        assert!(body.contains("href=\"/chuyen-muc/tin-tuc?trang=2\""));
        assert!(body.contains("href=\"/chuyen-muc/tin-tuc/rss.xml\""));
        let second = app.get("/chuyen-muc/tin-tuc?trang=2").await;
        assert!(second.good().body.contains("Tin số 1 của xã<") && second.body.contains("Tin số 2 của xã<"));
        app.get("/chuyen-muc/tin-tuc?trang=3").await.expect(StatusCode::NOT_FOUND);
        app.get("/chuyen-muc/tin-tuc?trang=abc").await.expect(StatusCode::BAD_REQUEST);
        app.get("/chuyen-muc/khong-co").await.expect(StatusCode::NOT_FOUND);
        app.get("/chuyen-muc/tin-tuc/rss.xml").await.good();
        // Articles link their category.
        let slug = app.strings("SELECT slug FROM articles WHERE kind = 'news' ORDER BY id DESC").await.remove(0);
        assert!(app.get(&format!("/tin-tuc/{slug}")).await.body.contains("<a href=\"/chuyen-muc/tin-tuc\">Tin tức</a>"));
    }

    async fn lists_show_the_featured_image_thumbnail(app) {
        let b = admin(&app).await;
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(1600, 900, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])));
        let mut jpeg = Vec::new();
        img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)).unwrap();
        app.post_multipart("/admin/media", &b, &[], Some(("file", "le-hoi.jpg", &jpeg))).await.expect(StatusCode::SEE_OTHER);
        let name = app.scalar("SELECT name FROM images").await;
        let ext = app.scalar("SELECT ext FROM images").await;
        let r = app.post_multipart("/admin/articles", &b, &[
            ("title", "Lễ hội xuống đồng"), ("body", "Bà con vui xuân."), ("featured_image", &format!("/media/{name}.{ext}")), ("featured_alt", "Bà con xuống đồng"), ("action", "xuat-ban"),
        ], None).await;
        r.expect(StatusCode::SEE_OTHER);
        let thumb = format!("<img class=\"thumb\" src=\"/media/{name}-400.{ext}\" width=\"400\" height=\"225\" alt=\"\" loading=\"lazy\">");
        for path in ["/", "/tin-tuc"] {
            assert!(app.get(path).await.body.contains(&thumb), "{path}");
        }
    }

    async fn readers_rate_once_a_day_and_comments_stay_private(app) {
        let b = admin(&app).await;
        let id = publish(&app, &b, "gioi-thieu/lich-su", "Xã được thành lập năm 1964.").await;
        let item = id.to_string();
        let yes = [("muc", item.as_str()), ("huu-ich", "co"), ("y-kien", "Nên thêm ảnh tư liệu về đình làng.")];
        let r = app.request(rating("203.0.113.5", 1, &yes)).await;
        assert!(r.good().body.contains("Cảm ơn bạn đã góp ý"));
        assert!(r.body.contains("href=\"/gioi-thieu/lich-su\""), "back to the page");
        // The same reader again today: counted once.
        let again = app.request(rating("203.0.113.5", 1, &[("muc", &item), ("huu-ich", "khong")])).await;
        again.expect(StatusCode::CONFLICT);
        assert!(again.body.contains("đã đánh giá"));
        app.request(rating("203.0.113.6", 2, &[("muc", &item), ("huu-ich", "khong")])).await.good();
        assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 2);
        // Tomorrow they may answer again.
        app.clock.advance(Duration::days(1));
        app.request(rating("203.0.113.5", 1, &[("muc", &item), ("huu-ich", "co")])).await.good();
        let b = app.login("quantri").await;
        // No address is stored.
        let visitors = app.strings("SELECT visitor FROM ratings").await;
        assert!(visitors.iter().all(|v| !v.contains("203.0.113") && v.len() >= 16), "{visitors:?}");
        // Bad answers change nothing.
        for bad in [
            vec![("muc", item.as_str()), ("huu-ich", "")],
            vec![("muc", "abc"), ("huu-ich", "co")],
            vec![("muc", item.as_str()), ("huu-ich", "co"), ("y-kien", &"x".repeat(501))],
        ] {
            let r = app.request(rating("203.0.113.7", 3, &bad)).await;
            r.expect(StatusCode::BAD_REQUEST);
        }
        let draft = id_of(&app, "gioi-thieu/lanh-dao").await.to_string();
        app.request(rating("203.0.113.7", 3, &[("muc", &draft), ("huu-ich", "co")])).await.expect(StatusCode::NOT_FOUND);
        assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 3);
        // The comment: for staff only.
        assert!(!app.get("/gioi-thieu/lich-su").await.body.contains("ảnh tư liệu"));
        let report = app.get_as("/admin/danh-gia", &b).await;
        let body = &report.good().body;
        assert!(body.contains("Nên thêm ảnh tư liệu về đình làng."));
        assert!(body.contains("<td>03/2026</td><td>2</td><td>1</td><td>67 %</td>"), "{body}");
        app.create_user("tacgia", Role::Author).await;
        let author = app.login("tacgia").await;
        app.get_as("/admin/danh-gia", &author).await.expect(StatusCode::FORBIDDEN);
    }

    async fn a_flood_of_ratings_from_one_address_is_refused(app) {
        let b = admin(&app).await;
        let id = publish(&app, &b, "gioi-thieu/lich-su", "Lịch sử xã.").await.to_string();
        let mut refused = 0;
        for n in 0..40 {
            let r = app.request(rating("198.51.100.9", n, &[("muc", &id), ("huu-ich", "co")])).await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                assert!(r.body.contains("quá nhiều"));
                refused += 1;
            }
        }
        assert_eq!(refused, 10);
        assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 30);
        // Another address is not held back by it.
        app.request(rating("198.51.100.10", 99, &[("muc", &id), ("huu-ich", "co")])).await.good();
    }

    async fn a_maintenance_notice_shows_from_seven_days_before_until_the_end(app) {
        let b = admin(&app).await;
        // Sample clock: Monday 02/03/2026 08:30 in Vietnam.
        let r = app.post_form("/admin/bao-tri", &b, &[("starts_at", "20/03/2026 22:00"), ("ends_at", "21/03/2026 06:00"), ("message", "Nâng cấp máy chủ.")]).await;
        assert_eq!(r.redirect(), "/admin/bao-tri?thong-bao=da-luu", "14 working days ahead: no warning");
        assert!(!app.get("/").await.body.contains("Nâng cấp máy chủ."), "not yet");
        app.clock.advance(Duration::days(11));
        assert!(!app.get("/").await.body.contains("Nâng cấp máy chủ."), "more than seven days before");
        app.clock.advance(Duration::days(1) + Duration::hours(14));
        let home = app.get("/").await;
        assert!(home.body.contains("Thông báo bảo trì: từ 20/03/2026 22:00 đến 21/03/2026 06:00. Nâng cấp máy chủ."), "{}", home.body);
        app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 20, 23, 30, 0).unwrap());
        assert!(!app.get("/").await.body.contains("Nâng cấp máy chủ."), "over");
        let b = app.login("quantri").await;
        // Too near: saved, with the decree's warning.
        let r = app.post_form("/admin/bao-tri", &b, &[("starts_at", "24/03/2026 22:00"), ("ends_at", "24/03/2026 23:00"), ("message", "Sửa lỗi gấp.")]).await;
        assert_eq!(r.redirect(), "/admin/bao-tri?thong-bao=bao-tri-qua-gan");
        let list = app.get_as("/admin/bao-tri?thong-bao=bao-tri-qua-gan", &b).await;
        assert!(list.good().body.contains("chưa đến 7 ngày làm việc") && list.body.contains("báo trước 2 ngày làm việc"));
        // Bad input: refused, nothing stored.
        for (start, end) in [("24/13/2026 22:00", "25/03/2026 01:00"), ("25/03/2026 01:00", "24/03/2026 22:00"), ("", "")] {
            app.post_form("/admin/bao-tri", &b, &[("starts_at", start), ("ends_at", end), ("message", "x")]).await.expect(StatusCode::BAD_REQUEST);
        }
        app.post_form("/admin/bao-tri", &b, &[("starts_at", "01/04/2026 22:00"), ("ends_at", "02/04/2026 01:00"), ("message", "")]).await.expect(StatusCode::BAD_REQUEST);
        assert_eq!(app.count("SELECT COUNT(*) FROM maintenance_notices").await, 2);
        let id = app.count("SELECT MAX(id) FROM maintenance_notices").await;
        app.post_form(&format!("/admin/bao-tri/{id}/xoa"), &b, &[]).await.expect(StatusCode::SEE_OTHER);
        assert!(!app.get("/").await.body.contains("Sửa lỗi gấp."));
    }

    async fn dublin_core_is_on_home_pages_categories_and_articles_escaped(app) {
        let b = admin(&app).await;
        let r = app.post_form("/admin/settings", &b, &[("name", "UBND xã \"Nàn Sín\" <Si Ma Cai> & Lào Cai"), ("tone_style", "author")]).await;
        r.expect(StatusCode::SEE_OTHER);
        app.import_text("Họp dân thôn Sín Chéng\n\nNội dung cuộc họp.\n").await;
        publish(&app, &b, "gioi-thieu", "Giới thiệu chung.").await;
        for path in ["/", "/gioi-thieu", "/chuyen-muc/tin-tuc", "/tin-tuc/hop-dan-thon-sin-cheng", "/lien-he", "/so-do"] {
            let body = app.get(path).await.good().body.clone();
            let tags = html::tags(&body, "meta");
            let names: Vec<&str> = tags.iter().filter_map(|t| t.iter().find(|(k, _)| k == "name").map(|(_, v)| v.as_str())).collect();
            for dc in ["DC.title", "DC.creator", "DC.description", "DC.publisher", "DC.identifier", "DC.language"] {
                assert!(names.contains(&dc), "{dc} on {path}");
            }
            // Escaped in the attribute, the same text once read back.
            let publisher = html::attr_of(&body, "meta", ("name", "DC.publisher"), "content").unwrap();
            assert_eq!(publisher, "UBND xã \"Nàn Sín\" <Si Ma Cai> & Lào Cai", "{path}");
            assert!(!body.contains("<Si Ma Cai>") && !body.contains("\"Nàn Sín\""), "{path}");
        }
        let article = app.get("/tin-tuc/hop-dan-thon-sin-cheng").await;
        let dc = |name: &str| html::attr_of(&article.body, "meta", ("name", name), "content").unwrap();
        assert_eq!(dc("DC.title"), "Họp dân thôn Sín Chéng");
        assert_eq!(dc("DC.date"), "2026-03-02T08:30:00+07:00");
        assert!(dc("DC.identifier").ends_with("/tin-tuc/hop-dan-thon-sin-cheng"));
    }

    async fn leaders_and_units_show_on_their_pages(app) {
        let b = admin(&app).await;
        publish(&app, &b, "gioi-thieu/lanh-dao", "Lãnh đạo Đảng ủy, HĐND, UBND xã.").await;
        publish(&app, &b, "gioi-thieu/co-cau-to-chuc", "Bộ máy của xã.").await;
        let r = app.post_form("/admin/lanh-dao", &b, &[("name", "Giàng A Pháo"), ("position", "Bí thư Đảng ủy"), ("duties", "Phụ trách chung."), ("phone", "0912 345 678"), ("email", "phao@xa.gov.vn"), ("sort", "1")]).await;
        r.expect(StatusCode::SEE_OTHER);
        app.post_form("/admin/lanh-dao", &b, &[("name", "Lù Thị Mai"), ("position", "Chủ tịch UBND"), ("phone", "0987 000 111"), ("show_contact", "1"), ("sort", "2")]).await.expect(StatusCode::SEE_OTHER);
        let page = app.get("/gioi-thieu/lanh-dao").await;
        let body = &page.good().body;
        assert!(body.find("Giàng A Pháo").unwrap() < body.find("Lù Thị Mai").unwrap(), "in order");
        assert!(body.contains("Bí thư Đảng ủy") && body.contains("Phụ trách chung."));
        assert!(!body.contains("0912 345 678") && !body.contains("phao@xa.gov.vn"), "contacts hidden unless chosen");
        assert!(body.contains("0987 000 111"), "shown when chosen");
        // Refused: an image that is not the site's, a photo without its text.
        for bad in [
            vec![("name", "Người lạ"), ("photo", "/media/../../etc/passwd")],
            vec![("name", "Người lạ"), ("phone", "gọi tôi")],
            vec![("name", ""), ("position", "Không tên")],
            vec![("name", "Người lạ"), ("email", "khong-phai-thu")],
        ] {
            app.post_form("/admin/lanh-dao", &b, &bad).await.expect(StatusCode::BAD_REQUEST);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM leaders").await, 2);
        app.post_form("/admin/co-cau", &b, &[("name", "Văn phòng HĐND và UBND"), ("duties", "Tham mưu, tổng hợp."), ("phone", "0214 3 123 456")]).await.expect(StatusCode::SEE_OTHER);
        let units = app.get("/gioi-thieu/co-cau-to-chuc").await;
        assert!(units.good().body.contains("Văn phòng HĐND và UBND") && units.body.contains("0214 3 123 456"));
        assert!(!units.body.contains("Giàng A Pháo"), "each page shows what it asks for");
        // Changed and removed.
        let id = app.count("SELECT id FROM leaders WHERE name = 'Giàng A Pháo'").await;
        app.post_form(&format!("/admin/lanh-dao/{id}"), &b, &[("name", "Giàng A Pháo"), ("position", "Bí thư Đảng ủy, Chủ tịch HĐND"), ("sort", "1")]).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get("/gioi-thieu/lanh-dao").await.body.contains("Bí thư Đảng ủy, Chủ tịch HĐND"));
        app.post_form(&format!("/admin/lanh-dao/{id}/xoa"), &b, &[]).await.expect(StatusCode::SEE_OTHER);
        assert!(!app.get("/gioi-thieu/lanh-dao").await.body.contains("Giàng A Pháo"));
        app.post_form(&format!("/admin/lanh-dao/{id}/xoa"), &b, &[]).await.expect(StatusCode::NOT_FOUND);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'organisation_update'").await, 5);
    }

    async fn the_footer_and_the_contact_page_come_from_the_settings(app) {
        let b = admin(&app).await;
        let r = app.post_form("/admin/settings", &b, &[
            ("name", "UBND xã Nàn Sín"), ("address", "Thôn Nàn Sín, xã Nàn Sín, tỉnh Lào Cai"), ("phone", "0214 3 796 123"),
            ("email", "nansin@laocai.gov.vn"), ("info_officer", "Văn phòng HĐND và UBND xã, điện thoại 0214 3 796 124"),
            ("content_responsible", "Ông Lù Văn Sáng, Chủ tịch UBND xã"), ("licence", "Giấy phép số 12/GP-TTĐT ngày 01/02/2026"), ("tone_style", "author"),
        ]).await;
        r.expect(StatusCode::SEE_OTHER);
        let home = app.get("/").await;
        let footer = home.body.split("<footer").nth(1).unwrap();
        for text in ["Thôn Nàn Sín, xã Nàn Sín, tỉnh Lào Cai", "href=\"tel:02143796123\"", "mailto:nansin@laocai.gov.vn", "Đầu mối cung cấp thông tin: Văn phòng HĐND", "Chịu trách nhiệm nội dung: Ông Lù Văn Sáng", "Giấy phép số 12/GP-TTĐT", "<a class=\"login\" href=\"/dang-nhap\">Đăng nhập</a>"] {
            assert!(footer.contains(text), "{text} in {footer}");
        }
        let header = home.body.split("<header").nth(1).unwrap().split("</header>").next().unwrap();
        assert!(!header.contains("Đăng nhập"), "the log-in link is in the footer");
        let contact = app.get("/lien-he").await;
        assert!(contact.good().body.contains("Đầu mối tiếp nhận yêu cầu cung cấp thông tin"));
        assert!(!contact.body.contains("class=\"map\""), "no map until one is chosen");
        // A map must be one of the site's images.
        let r = app.post_form("/admin/settings", &b, &[("name", "UBND xã Nàn Sín"), ("map_image", "https://maps.example/x.png"), ("tone_style", "author")]).await;
        r.expect(StatusCode::BAD_REQUEST);
        assert!(app.get("/").await.body.contains("Thôn Nàn Sín, xã Nàn Sín"), "nothing changed");
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(800, 600, |x, _| image::Rgb([(x % 256) as u8, 120, 90])));
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        app.post_multipart("/admin/media", &b, &[], Some(("file", "ban-do.png", &png))).await.expect(StatusCode::SEE_OTHER);
        let name = app.scalar("SELECT name FROM images").await;
        let ext = app.scalar("SELECT ext FROM images").await;
        let map = format!("/media/{name}.{ext}");
        app.post_form("/admin/settings", &b, &[("name", "UBND xã Nàn Sín"), ("map_image", &map), ("tone_style", "author")]).await.expect(StatusCode::SEE_OTHER);
        let contact = app.get("/lien-he").await;
        assert!(contact.body.contains(&format!("class=\"map\" src=\"{map}\"")), "{}", contact.body);
        assert!(!contact.body.contains("<script"), "no third-party map script");
        // The page Liên hệ, once written, adds its text.
        publish(&app, &b, "lien-he", "Tiếp công dân vào sáng thứ Năm hằng tuần.").await;
        assert!(app.get("/lien-he").await.body.contains("Tiếp công dân vào sáng thứ Năm hằng tuần."));
    }

    async fn the_site_map_and_the_sitemap_hold_pages_and_categories(app) {
        let b = admin(&app).await;
        publish(&app, &b, "gioi-thieu", "Giới thiệu chung.").await;
        publish(&app, &b, "gioi-thieu/lich-su", "Lịch sử.").await;
        let map = app.get("/so-do").await;
        let body = &map.good().body;
        let main = body.split("<main").nth(1).unwrap();
        for href in ["href=\"/gioi-thieu\"", "href=\"/gioi-thieu/lich-su\"", "href=\"/chuyen-muc/tin-tuc\"", "href=\"/lien-he\"", "href=\"/tim-kiem\""] {
            assert!(main.contains(href), "{href}");
        }
        assert!(!main.contains("dieu-kien-tu-nhien"), "drafts are not listed");
        let xml = app.get("/sitemap.xml").await;
        for path in ["/gioi-thieu</loc>", "/gioi-thieu/lich-su</loc>", "/chuyen-muc/tin-tuc</loc>", "/lien-he</loc>", "/so-do</loc>"] {
            assert!(xml.body.contains(path), "{path} in {}", xml.body);
        }
        assert!(!xml.body.contains("dieu-kien-tu-nhien"));
    }

    async fn each_site_sees_only_its_own_pages_menu_and_answers(app) {
        let now = app.clock_now();
        let first = app.site();
        manage::update(&app.db, None, first.id, manage::Change { host: Some("xa-a.gov.vn".into()), ..manage::Change::default() }, now).await.unwrap();
        let other = manage::create(&app.db, None, manage::NewSite {
            host: "xa-b.gov.vn", name: "Xã B", parent: None, aliases: &[], public_url: None,
        }, now).await.unwrap();
        app.state.reload_sites().await.unwrap();
        app.create_user("quantri", Role::Admin).await;
        app.create_user_on(other.id, "quantri-b", Role::Admin).await;
        let a = app.login_on(Some("xa-a.gov.vn"), "quantri").await;
        let b = app.login_on(Some("xa-b.gov.vn"), "quantri-b").await;
        // A publishes its history; B's is still a draft at the same path.
        let id = id_of(&app, "gioi-thieu/lich-su").await;
        submit(&app, &a, id, &[("body", "Lịch sử xã A."), ("action", "xuat-ban")]).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get_on("xa-a.gov.vn", "/gioi-thieu/lich-su").await.good().body.contains("Lịch sử xã A."));
        app.get_on("xa-b.gov.vn", "/gioi-thieu/lich-su").await.expect(StatusCode::NOT_FOUND);
        // B's admin cannot open, edit, delete or rate A's page.
        app.get_as(&format!("/admin/articles/{id}"), &b).await.expect(StatusCode::NOT_FOUND);
        app.post_form(&format!("/admin/pages/{id}/xoa"), &b, &[]).await.expect(StatusCode::NOT_FOUND);
        let mut req = rating("203.0.113.5", 1, &[("muc", &id.to_string()), ("huu-ich", "co")]);
        req.headers_mut().insert("host", "xa-b.gov.vn".parse().unwrap());
        app.request(req).await.expect(StatusCode::NOT_FOUND);
        // Menus, leaders, notices, ratings: each its own.
        app.post_form("/admin/menu", &a, &[("label", "Chỉ của A"), ("target", "home")]).await.expect(StatusCode::SEE_OTHER);
        let a_entry = app.count("SELECT id FROM menu_items WHERE label = 'Chỉ của A'").await;
        assert!(!app.get_on("xa-b.gov.vn", "/").await.body.contains("Chỉ của A"));
        app.post_form(&format!("/admin/menu/{a_entry}"), &b, &[("label", "Chiếm"), ("target", "home")]).await.expect(StatusCode::BAD_REQUEST);
        app.post_form(&format!("/admin/menu/{a_entry}/xoa"), &b, &[]).await.expect(StatusCode::NOT_FOUND);
        assert!(app.get_on("xa-a.gov.vn", "/").await.body.contains("Chỉ của A"));
        let own_page = bantin::with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT id FROM articles WHERE site_id = $1 AND slug = 'gioi-thieu'").bind(other.id).fetch_one(pool).await).unwrap();
        app.post_form("/admin/menu", &b, &[("label", "Trang của A"), ("target", &format!("page:{id}"))]).await.expect(StatusCode::BAD_REQUEST);
        app.post_form("/admin/menu", &b, &[("label", "Trang của B"), ("target", &format!("page:{own_page}"))]).await.expect(StatusCode::SEE_OTHER);
        app.post_form("/admin/lanh-dao", &a, &[("name", "Lãnh đạo xã A")]).await.expect(StatusCode::SEE_OTHER);
        let leader = app.count("SELECT id FROM leaders").await;
        assert!(!app.get_as("/admin/lanh-dao", &b).await.body.contains("Lãnh đạo xã A"));
        app.post_form(&format!("/admin/lanh-dao/{leader}"), &b, &[("name", "Chiếm")]).await.expect(StatusCode::BAD_REQUEST);
        app.post_form(&format!("/admin/lanh-dao/{leader}/xoa"), &b, &[]).await.expect(StatusCode::NOT_FOUND);
        assert_eq!(app.strings("SELECT name FROM leaders").await, ["Lãnh đạo xã A"]);
        app.post_form("/admin/bao-tri", &a, &[("starts_at", "03/03/2026 22:00"), ("ends_at", "03/03/2026 23:00"), ("message", "Bảo trì xã A.")]).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get_on("xa-a.gov.vn", "/").await.body.contains("Bảo trì xã A."));
        assert!(!app.get_on("xa-b.gov.vn", "/").await.body.contains("Bảo trì xã A."));
        let notice = app.count("SELECT id FROM maintenance_notices").await;
        app.post_form(&format!("/admin/bao-tri/{notice}/xoa"), &b, &[]).await.expect(StatusCode::NOT_FOUND);
        let mut req = rating("203.0.113.5", 1, &[("muc", &id.to_string()), ("huu-ich", "co"), ("y-kien", "Góp ý cho xã A")]);
        req.headers_mut().insert("host", "xa-a.gov.vn".parse().unwrap());
        app.request(req).await.good();
        assert!(app.get_as("/admin/danh-gia", &a).await.body.contains("Góp ý cho xã A"));
        assert!(!app.get_as("/admin/danh-gia", &b).await.body.contains("Góp ý cho xã A"));
    }
}
