//! A province's portal and two communes' sites in one deployment: each
//! request answered by its own site, each site's data seen by it alone,
//! the province office managing them all.

use std::sync::Arc;

use crate::common::{TestApp, html, phone};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use bantin::content::import;
use bantin::site::{Site, manage};

const PROVINCE: &str = "tinh.gov.vn";
const A: &str = "xa-a.tinh.gov.vn";
const B: &str = "xa-b.tinh.gov.vn";

/// The same title on both communes' sites: the same slug on each.
const SAME_TITLE: &str = "Thông báo lịch tiếp công dân";

struct Province {
    province: Arc<Site>,
    a: Arc<Site>,
    b: Arc<Site>,
    /// The slug both communes' articles have.
    slug: String,
}

/// Publishes a page as an article of a site; returns its slug.
async fn publish(app: &TestApp, site_id: i64, title: &str, body: &str) -> String {
    let page = import::parse(&format!("{title}\n\n{body}\n"), None).unwrap();
    let done = import::store(&app.db, site_id, None, &page, app.clock_now())
        .await
        .unwrap();
    assert!(done.created);
    done.path.trim_start_matches("/tin-tuc/").to_owned()
}

/// The default site becomes the province's portal; two communes join it.
async fn province(app: &TestApp) -> Province {
    let now = app.clock_now();
    let first = app.site();
    let change = manage::Change {
        name: Some("Cổng thông tin tỉnh".into()),
        host: Some(PROVINCE.into()),
        public_url: Some(format!("https://{PROVINCE}")),
        ..manage::Change::default()
    };
    manage::update(&app.db, None, first.id, change, now)
        .await
        .unwrap();
    let parent = first.id;
    let commune = |host: &'static str, name: &'static str, aliases: Vec<String>| {
        let db = app.db.clone();
        async move {
            manage::create(
                &db,
                None,
                manage::NewSite {
                    host,
                    name,
                    parent: Some(parent),
                    aliases: &aliases,
                    public_url: None,
                },
                now,
            )
            .await
            .unwrap()
        }
    };
    let a = commune(A, "Xã A", vec![format!("www.{A}")]).await;
    let b = commune(B, "Xã B", vec![]).await;
    app.state.reload_sites().await.unwrap();
    let slug = publish(
        app,
        a.id,
        SAME_TITLE,
        "Nội dung của xã A: thứ Hai hằng tuần.",
    )
    .await;
    let slug_b = publish(
        app,
        b.id,
        SAME_TITLE,
        "Nội dung của xã B: thứ Ba hằng tuần.",
    )
    .await;
    assert_eq!(slug, slug_b, "the same slug on both sites");
    publish(
        app,
        first.id,
        "Tỉnh triển khai chuyển đổi số",
        "Nội dung của tỉnh.",
    )
    .await;
    let sites = app.state.sites();
    Province {
        province: sites.get(first.id).unwrap(),
        a: sites.get(a.id).unwrap(),
        b: sites.get(b.id).unwrap(),
        slug,
    }
}

/// A visit to the site at `host` by a phone at `ip`.
fn visit(host: &str, uri: &str, ip: &str, n: usize) -> Request<Body> {
    let mut req = crate::common::visit_request(uri, ip, &phone(n));
    req.headers_mut().insert("host", host.parse().unwrap());
    req
}

async fn stats_of(app: &TestApp, host: &str) -> serde_json::Value {
    let r = app.get_on(host, "/api/v1/stats").await;
    serde_json::from_str(&r.good().body).unwrap()
}

both_databases! {
    async fn each_host_is_answered_by_its_own_site(app) {
        let p = province(&app).await;
        let home = app.get_on(A, "/").await;
        assert!(home.good().body.contains("Xã A") && !home.body.contains("Xã B"));
        // Same slug, each site its own article (and its own cached page).
        let path = format!("/tin-tuc/{}", p.slug);
        for _ in 0..2 {
            let a = app.get_on(A, &path).await;
            assert!(a.good().body.contains("thứ Hai hằng tuần"), "A");
            let b = app.get_on(B, &path).await;
            assert!(b.good().body.contains("thứ Ba hằng tuần") && !b.body.contains("thứ Hai"), "B");
        }
        // Case and port do not matter; an alias is the same site.
        assert!(app.get_on("XA-A.Tinh.Gov.Vn:8443", &path).await.good().body.contains("thứ Hai"));
        assert!(app.get_on(&format!("www.{A}"), &path).await.good().body.contains("thứ Hai"));
        // An unknown host: a plain page with nothing of any site.
        let unknown = app.get_on("xa-c.tinh.gov.vn", "/").await;
        unknown.expect(StatusCode::NOT_FOUND);
        for name in ["Xã A", "Xã B", "Cổng thông tin tỉnh", SAME_TITLE] {
            assert!(!unknown.body.contains(name), "{name} leaked");
        }
        assert_eq!(app.get_on("xa-c.tinh.gov.vn", &path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/").await.status, StatusCode::NOT_FOUND, "no Host once sites have hosts");
        // The health check answers whatever the host.
        app.get_on("10.0.0.5:8080", "/healthz").await.good();
        let _ = p.province;
    }

    async fn links_feeds_and_sitemaps_come_from_the_site_address(app) {
        let p = province(&app).await;
        let path = format!("/tin-tuc/{}", p.slug);
        // Asked through an alias: the canonical address is still the site's own.
        let page = app.get_on(&format!("www.{A}"), &path).await;
        let canonical = html::attr_of(&page.good().body, "link", ("rel", "canonical"), "href").unwrap();
        assert_eq!(canonical, format!("https://{A}{path}"));
        let rss = app.get_on(A, "/rss.xml").await;
        let doc = roxmltree::Document::parse(&rss.good().body).unwrap();
        let links: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("link")).filter_map(|n| n.text()).collect();
        assert!(links.contains(&format!("https://{A}{path}").as_str()), "{links:?}");
        assert!(links.iter().all(|l| l.starts_with(&format!("https://{A}"))), "{links:?}");
        assert!(!rss.body.contains("thứ Ba") && !rss.body.contains(B));
        let sitemap = app.get_on(B, "/sitemap.xml").await;
        assert!(sitemap.good().body.contains(&format!("https://{B}{path}")));
        assert!(!sitemap.body.contains(&format!("https://{A}")) && !sitemap.body.contains(&format!("https://{PROVINCE}")));
        let robots = app.get_on(B, "/robots.txt").await;
        assert!(robots.good().body.contains(&format!("Sitemap: https://{B}/sitemap.xml")));
        // A forged Host that is an alias never becomes a link.
        assert!(!page.body.contains(&format!("https://www.{A}")));
        let _ = (p.a, p.b);
    }

    async fn statistics_are_kept_per_site(app) {
        let p = province(&app).await;
        for n in 0..3 {
            app.request(visit(A, "/", &format!("203.0.113.{n}"), n)).await.good();
        }
        app.request(visit(B, &format!("/tin-tuc/{}", p.slug), "203.0.113.9", 9)).await.good();
        let (a, b, province) = (stats_of(&app, A).await, stats_of(&app, B).await, stats_of(&app, PROVINCE).await);
        assert_eq!((a["today"].as_i64(), a["total"].as_i64()), (Some(3), Some(3)), "{a}");
        assert_eq!(b["today"].as_i64(), Some(1), "{b}");
        assert_eq!(province["today"].as_i64(), Some(0), "{province}");
        // The same person visiting two sites is a visitor of each.
        app.request(visit(B, "/", "203.0.113.0", 0)).await.good();
        assert_eq!(stats_of(&app, B).await["today"].as_i64(), Some(2));
        // "Đọc nhiều" of A lists nothing of B.
        let home = app.get_on(A, "/").await;
        assert!(!home.body.contains("thứ Ba"));
        let _ = (p.a, p.b, p.province);
    }

    async fn search_is_per_site_and_a_province_can_widen_it(app) {
        let p = province(&app).await;
        let on = |host: &'static str, q: &'static str| {
            let app = &app;
            async move { app.get_on(host, &format!("/tim-kiem?{q}")).await }
        };
        let a = on(A, "q=tiep+cong+dan").await;
        assert!(a.good().body.contains("thứ Hai") && !a.body.contains("thứ Ba"));
        // A commune's page offers no wider scope.
        assert!(!a.body.contains("pham-vi"));
        let province = on(PROVINCE, "q=noi+dung").await;
        assert!(province.good().body.contains("pham-vi"), "the scope choice is offered");
        assert!(province.body.contains("của tỉnh") && !province.body.contains("thứ Hai"));
        let wide = on(PROVINCE, "q=noi+dung&pham-vi=ca-tinh").await;
        for expected in ["của tỉnh", "thứ Hai", "thứ Ba", "Xã A", "Xã B"] {
            assert!(wide.good().body.contains(expected), "{expected}");
        }
        assert!(wide.body.contains(&format!("https://{A}/tin-tuc/{}", p.slug)), "results link to the commune's own site");
        // Only published articles of its own communes.
        let mut tx = app.db.begin().await.unwrap();
        let draft = bantin::content::article::NewArticle {
            site_id: p.a.id, author_id: None, featured_image: "", category_id: None,
            title: "Dự thảo nội dung", summary: "", body: "<p>nội dung chưa duyệt</p>", byline: "",
            status: bantin::content::article::Status::Draft, published_at: None, source_hash: None,
            ..Default::default()
        };
        bantin::content::article::insert(&mut tx, &draft, "du-thao", app.clock_now()).await.unwrap();
        tx.commit().await.unwrap();
        let other = manage::create(&app.db, None, manage::NewSite {
            host: "tinh-khac.gov.vn", name: "Tỉnh khác", parent: None, aliases: &[], public_url: None,
        }, app.clock_now()).await.unwrap();
        publish(&app, other.id, "Tin tỉnh khác", "Nội dung của tỉnh khác.").await;
        app.state.reload_sites().await.unwrap();
        let wide = on(PROVINCE, "q=noi+dung&pham-vi=ca-tinh").await;
        assert!(!wide.good().body.contains("chưa duyệt") && !wide.body.contains("tỉnh khác"));
        // The API answers the same, with each result's site.
        let api = app.get_on(PROVINCE, "/api/v1/search?q=noi+dung&pham-vi=ca-tinh").await;
        let v: serde_json::Value = serde_json::from_str(&api.good().body).unwrap();
        assert_eq!(v["total"].as_i64(), Some(3), "{v}");
        assert_eq!(on(PROVINCE, "q=x&pham-vi=moi-noi").await.status, StatusCode::BAD_REQUEST);
        let _ = p.b;
    }

    async fn a_commune_can_leave_the_province_portal(app) {
        let p = province(&app).await;
        let home = app.get_on(PROVINCE, "/").await;
        assert!(home.good().body.contains("Tin từ các xã"));
        let link = format!("https://{A}/tin-tuc/{}", p.slug);
        assert!(home.body.contains(&link) && home.body.contains(&format!("https://{B}/tin-tuc/{}", p.slug)));
        // A's admin leaves the province's list.
        app.create_user_on(p.a.id, "quantri", Role::Admin).await;
        let admin = app.login_on(Some(A), "quantri").await;
        let form = app.get_as("/admin/settings", &admin).await;
        assert!(form.good().body.contains("name=\"show_in_parent\""));
        let fields: Vec<(String, String)> = ["name", "description", "address", "phone", "email", "stats_start_total", "tone_style"]
            .iter().map(|f| (f.to_string(), form.field(f))).collect();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post_form("/admin/settings", &admin, &fields).await.expect(StatusCode::SEE_OTHER);
        app.clock.advance(chrono::Duration::seconds(2));
        let home = app.get_on(PROVINCE, "/").await;
        assert!(!home.good().body.contains(&link), "A left the list");
        assert!(home.body.contains(&format!("https://{B}/tin-tuc/{}", p.slug)));
        let wide = app.get_on(PROVINCE, "/tim-kiem?q=tiep+cong+dan&pham-vi=ca-tinh").await;
        assert!(!wide.good().body.contains("thứ Hai") && wide.body.contains("thứ Ba"));
        // A commune's home has no such section.
        assert!(!app.get_on(B, "/").await.body.contains("Tin từ các xã"));
    }

    async fn sessions_and_admin_pages_stay_on_their_site(app) {
        let p = province(&app).await;
        // The same username on both communes.
        app.create_user_on(p.a.id, "bientap", Role::Admin).await;
        app.create_user_on(p.b.id, "bientap", Role::Admin).await;
        let on_a = app.login_on(Some(A), "bientap").await;
        let on_b = app.login_on(Some(B), "bientap").await;
        // A's cookie is no login on B.
        let stolen = crate::common::Browser { host: Some(B.into()), ..on_a.clone() };
        let r = app.get_as("/admin", &stolen).await;
        assert_eq!(r.redirect(), "/dang-nhap?tiep=%2Fadmin");
        // A's objects through B's admin pages: not found, never changed.
        let a_article: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM articles WHERE site_id = $1 AND kind = 'news'").bind(p.a.id).fetch_one(pool).await).unwrap();
        let a_category: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM categories WHERE site_id = $1").bind(p.a.id).fetch_one(pool).await).unwrap();
        let a_user: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE site_id = $1").bind(p.a.id).fetch_one(pool).await).unwrap();
        let a_revision: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT r.id FROM article_revisions r JOIN articles a ON a.id = r.article_id WHERE a.site_id = $1").bind(p.a.id).fetch_one(pool).await).unwrap();
        for uri in [
            format!("/admin/articles/{a_article}"),
            format!("/admin/articles/{a_article}/revisions/{a_revision}"),
        ] {
            assert_eq!(app.get_as(&uri, &on_b).await.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let posts = [
            (format!("/admin/articles/{a_article}/revisions/{a_revision}/restore"), vec![("version", "1")]),
            (format!("/admin/categories/{a_category}"), vec![("name", "Đổi tên"), ("slug", "doi-ten"), ("position", "1")]),
            (format!("/admin/users/{a_user}"), vec![("display_name", "X"), ("role", "author"), ("disabled", "1")]),
        ];
        for (uri, fields) in &posts {
            assert_eq!(app.post_form(uri, &on_b, fields).await.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let r = app.post_multipart(&format!("/admin/articles/{a_article}"), &on_b,
            &[("version", "1"), ("title", "Chiếm"), ("body", "x"), ("action", "luu")], None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE title = 'Chiếm'").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM categories WHERE name = 'Đổi tên'").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE disabled = TRUE").await, 0);
        // Lists show only the site's own.
        let list = app.get_as("/admin/articles", &on_b).await;
        assert!(list.good().body.contains(SAME_TITLE));
        assert_eq!(list.body.matches(&format!("/admin/articles/{a_article}\"")).count(), 0);
        let users = app.get_as("/admin/users", &on_a).await;
        assert_eq!(users.good().body.matches("action=\"/admin/users/").count(), 1, "one account: A's own");
        // Images: uploaded on A, served on A only, refused as B's featured image.
        let jpeg = {
            let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 48, image::Rgb([9, 99, 199])));
            let mut out = Vec::new();
            img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut out)).unwrap();
            out
        };
        app.post_multipart("/admin/media", &on_a, &[], Some(("file", "anh.jpg", &jpeg))).await.expect(StatusCode::SEE_OTHER);
        let name: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT name FROM images").fetch_one(pool).await).unwrap();
        let url = format!("/media/{name}.jpg");
        app.get_on(A, &url).await.good();
        assert_eq!(app.get_on(B, &url).await.status, StatusCode::NOT_FOUND);
        assert!(!app.get_as("/admin/media", &on_b).await.body.contains(&name));
        let r = app.post_multipart("/admin/articles", &on_b,
            &[("title", "Ảnh của xã khác"), ("body", "x"), ("featured_image", &url), ("featured_alt", "Ảnh"), ("action", "luu")], None).await;
        r.expect(StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Ảnh đại diện không hợp lệ."), "refused as another site's image");
        // Settings and the audit log are the site's own.
        let audit_b = app.get_as("/admin/audit", &on_b).await;
        assert!(audit_b.good().body.contains("Đăng nhập"));
        assert!(!audit_b.body.contains("Tải ảnh lên"), "A's upload is in A's log only");
        // Commune admins are not the province office.
        assert_eq!(app.get_as("/admin/sites", &on_a).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get_as(&format!("/admin/sites/{}/users", p.b.id), &on_a).await.status, StatusCode::FORBIDDEN);
    }

    async fn the_province_office_manages_every_site(app) {
        let p = province(&app).await;
        let office = app.create_user_on(p.province.id, "vanphong", Role::Admin).await;
        let mut tx = app.db.begin().await.unwrap();
        bantin::accounts::user::set_operator(&mut tx, office, true).await.unwrap();
        tx.commit().await.unwrap();
        // The province office always logs in with a second factor.
        let secret = app.give_totp(office).await;
        let op = app.login_with_code(Some(PROVINCE), "vanphong", &secret).await;
        app.request(visit(A, "/", "203.0.113.1", 1)).await.good();
        app.state.stats().flush().await.unwrap();
        let table = app.get_as("/admin/sites", &op).await;
        for s in ["Cổng thông tin tỉnh", "Xã A", "Xã B", A, B] {
            assert!(table.good().body.contains(s), "{s}");
        }
        // A new commune, with its first admin and its settings.
        let r = app.post_form("/admin/sites", &op, &[("host", "xa-moi.tinh.gov.vn"), ("name", "Xã Mới"),
            ("parent", &p.province.id.to_string()), ("aliases", "www.xa-moi.tinh.gov.vn")]).await;
        let location = r.redirect().to_owned();
        let id: i64 = location.trim_start_matches("/admin/sites/").split('?').next().unwrap().parse().unwrap();
        app.get_on("www.xa-moi.tinh.gov.vn", "/").await.good();
        let taken = app.post_form("/admin/sites", &op, &[("host", A), ("name", "Trùng")]).await;
        taken.expect(StatusCode::BAD_REQUEST);
        assert!(taken.body.contains("đã thuộc một trang khác"));
        let created = app.post_form(&format!("/admin/sites/{id}/users"), &op, &[("username", "quantri"), ("role", "admin"), ("display_name", "Quản trị xã mới")]).await;
        let password = html::text_of(&created.good().body, "code", "secret").unwrap();
        let login = app.post_login_on(Some("xa-moi.tinh.gov.vn"), "quantri", &password, None).await;
        login.expect(StatusCode::SEE_OTHER);
        let settings = app.get_as(&format!("/admin/sites/{id}/settings"), &op).await;
        assert!(settings.good().body.contains("Xã Mới"));
        let mut fields: Vec<(String, String)> = ["description", "address", "phone", "email", "stats_start_total", "tone_style"]
            .iter().map(|f| (f.to_string(), settings.field(f))).collect();
        fields.push(("name".into(), "Xã Mới Thành Lập".into()));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post_form(&format!("/admin/sites/{id}/settings"), &op, &fields).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get_on("xa-moi.tinh.gov.vn", "/").await.body.contains("Xã Mới Thành Lập"));
        // Disabled: served no more, until enabled again.
        let edit = app.get_as(&format!("/admin/sites/{}", p.b.id), &op).await;
        let (name, host, url) = (edit.good().field("name"), edit.field("host"), edit.field("public_url"));
        let base = [("name", name.as_str()), ("host", host.as_str()), ("public_url", url.as_str()), ("parent", &p.province.id.to_string())];
        let mut off = base.to_vec();
        off.push(("disabled", "1"));
        app.post_form(&format!("/admin/sites/{}", p.b.id), &op, &off).await.expect(StatusCode::SEE_OTHER);
        assert_eq!(app.get_on(B, "/").await.status, StatusCode::NOT_FOUND);
        assert!(!app.get_on(PROVINCE, "/").await.body.contains(B), "nor on the province's portal");
        app.post_form(&format!("/admin/sites/{}", p.b.id), &op, &base).await.expect(StatusCode::SEE_OTHER);
        app.get_on(B, "/").await.good();
        // Every change is in the changed site's audit log.
        // (the province's own host, set up above, is the first)
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'site_update'").await, 3);
        assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'site_create'").await >= 1);
    }

    async fn a_site_added_through_one_server_is_served_by_another(app) {
        let p = province(&app).await;
        let (_, other) = app.with_settings(|_| {}).await;
        let get = |host: &'static str| {
            let other = other.clone();
            async move {
                crate::common::send(&other, Request::get("/").header("host", host).body(Body::empty()).unwrap()).await
            }
        };
        assert_eq!(get("xa-sau.tinh.gov.vn").await.status, StatusCode::NOT_FOUND);
        let created = manage::create(&app.db, None, manage::NewSite {
            host: "xa-sau.tinh.gov.vn", name: "Xã Sau", parent: Some(p.province.id), aliases: &[], public_url: None,
        }, app.clock_now()).await.unwrap();
        let started = std::time::Instant::now();
        loop {
            let r = get("xa-sau.tinh.gov.vn").await;
            if r.status == StatusCode::OK {
                assert!(r.body.contains("Xã Sau"));
                break;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(6), "not served after 6 s");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // Renamed and disabled through "this" server: the other follows.
        manage::update(&app.db, None, created.id, manage::Change { name: Some("Xã Sau Đổi Tên".into()), ..Default::default() }, app.clock_now()).await.unwrap();
        manage::update(&app.db, None, p.b.id, manage::Change { disabled: Some(true), ..Default::default() }, app.clock_now()).await.unwrap();
        let started = std::time::Instant::now();
        loop {
            let renamed = get("xa-sau.tinh.gov.vn").await.body.contains("Xã Sau Đổi Tên");
            let gone = get(B).await.status == StatusCode::NOT_FOUND;
            if renamed && gone {
                break;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(6), "changes not seen after 6 s");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}
