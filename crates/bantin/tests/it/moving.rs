//! Moving in: a WordPress export and a NukeViet database brought across
//! whole, twice without change, resumed after a stop, old addresses
//! answering 301, and the admin page of redirects.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use bantin::accounts::Role;
use bantin::content::import::incoming::{Done, Outcome};
use bantin::content::import::ledger::Kind;
use bantin::content::import::wordpress::{self, Finish};
use bantin::content::media::Library;
use bantin::db::Db;
use bantin::site::{Site, manage};
use image::{DynamicImage, Rgb, RgbImage};

use crate::common::process::{bantin, run};
use crate::common::{TestApp, fixture};

fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 200) as u8, (y % 200) as u8, shade])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The old site's `wp-content/uploads`, as an operator copies it.
fn wordpress_uploads() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let month = dir.path().join("2023/05");
    std::fs::create_dir_all(&month).unwrap();
    std::fs::write(month.join("le-hoi.png"), png(1000, 700, 40)).unwrap();
    // Only the original of the inline image: its -300x200 copy was not kept.
    std::fs::write(month.join("cho-que.png"), png(640, 427, 200)).unwrap();
    dir
}

fn library(app: &TestApp) -> Library {
    Library {
        dir: app.data_dir.path().join("media"),
        max_bytes: 10 * 1024 * 1024,
    }
}

/// Imports the fixture export into `site`; `stop_after` items, the run
/// stops as a killed one would.
async fn import_wxr(
    app: &TestApp,
    site: &Site,
    uploads: &Path,
    stop_after: Option<usize>,
) -> (Finish, Vec<Done>) {
    let export = fixture("wordpress-export.xml");
    let survey = wordpress::survey(&export).unwrap();
    let library = library(app);
    let options = wordpress::Options {
        export: &export,
        uploads: Some(uploads),
        library: &library,
        now: app.clock_now(),
    };
    let mut done = Vec::new();
    let finish = wordpress::import(&app.db, site, options, &survey, |d| {
        done.push(d.clone());
        match stop_after {
            Some(n) if done.len() >= n => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    })
    .await
    .unwrap();
    (finish, done)
}

async fn column(app: &TestApp, sql: &str, site_id: i64) -> Vec<String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match &app.db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(site_id)
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql)
            .bind(site_id)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

/// Everything an import stores on a site, as text, with the random names
/// of stored images made equal.
async fn snapshot(app: &TestApp, site_id: i64) -> Vec<String> {
    let mut rows = column(
        app,
        "SELECT a.kind || '|' || a.slug || '|' || a.status || '|' || a.title || '|' || a.summary \
         || '|' || a.body || '|' || a.byline || '|' || a.featured_image || '|' \
         || COALESCE(CAST(a.published_at AS TEXT), '-') || '|' || COALESCE(c.slug, '-') || '|' \
         || COALESCE(p.slug, '-') || '|' || COALESCE(u.display_name, '-') \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         LEFT JOIN articles p ON p.id = a.parent_id LEFT JOIN users u ON u.id = a.author_id \
         WHERE a.site_id = $1 ORDER BY a.slug",
        site_id,
    )
    .await;
    for sql in [
        "SELECT r.old_path || ' -> ' || COALESCE(a.slug, r.target) FROM redirects r \
         LEFT JOIN articles a ON a.id = r.article_id WHERE r.site_id = $1 ORDER BY r.old_path",
        "SELECT 'user ' || username || ' ' || display_name || ' ' || role || ' ' || \
         CAST(disabled AS TEXT) FROM users WHERE site_id = $1 ORDER BY username",
        "SELECT 'category ' || slug || ' ' || name FROM categories WHERE site_id = $1 ORDER BY slug",
        "SELECT 'images ' || CAST(COUNT(*) AS TEXT) FROM images WHERE site_id = $1",
        "SELECT 'ledger ' || CAST(COUNT(*) AS TEXT) FROM imported_items WHERE site_id = $1",
    ] {
        rows.extend(column(app, sql, site_id).await);
    }
    rows.into_iter().map(|r| unname_media(&r)).collect()
}

fn unname_media(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("/media/") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        let hex = rest.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        if hex == 32 {
            out.push('X');
            rest = &rest[32..];
        }
    }
    out.push_str(rest);
    out
}

fn outcome_of<'a>(done: &'a [Done], title: &str) -> &'a Outcome {
    &done
        .iter()
        .find(|d| d.title == title)
        .unwrap_or_else(|| panic!("no report for {title}: {done:?}"))
        .outcome
}

async fn two_sites(app: &TestApp) -> (Arc<Site>, Arc<Site>) {
    let now = app.clock_now();
    let first = app.site();
    let change = manage::Change {
        host: Some("xa-a.gov.vn".into()),
        ..manage::Change::default()
    };
    manage::update(&app.db, None, first.id, change, now)
        .await
        .unwrap();
    let new = manage::NewSite {
        host: "xa-b.gov.vn",
        name: "Xã B",
        parent: None,
        aliases: &[],
        public_url: None,
    };
    manage::create(&app.db, None, new, now).await.unwrap();
    app.state.reload_sites().await.unwrap();
    let all = app.state.sites().all();
    let by = |h: &str| {
        all.iter()
            .find(|s| s.host.as_deref() == Some(h))
            .cloned()
            .unwrap()
    };
    (by("xa-a.gov.vn"), by("xa-b.gov.vn"))
}

both_databases! {
    async fn a_wordpress_export_comes_across_whole_and_only_once(app) {
        let uploads = wordpress_uploads();
        let site = app.site();
        let (finish, done) = import_wxr(&app, &site, uploads.path(), None).await;
        assert_eq!(finish, Finish::Complete);

        // Every item reported, each with what became of it.
        assert_eq!(outcome_of(&done, "Bài cũ đã xoá"), &Outcome::Skipped("trong thùng rác".into()));
        assert!(matches!(outcome_of(&done, "Trang chủ"), Outcome::Skipped(_)), "a menu entry is not content");
        assert!(matches!(outcome_of(&done, "Chưa phân loại"), Outcome::Skipped(_)));
        let failed: Vec<_> = done.iter().filter(|d| matches!(d.outcome, Outcome::Failed(_))).collect();
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(done.iter().filter(|d| d.kind == Kind::Post && matches!(d.outcome, Outcome::Added(_))).count(), 5);
        assert_eq!(done.iter().filter(|d| d.kind == Kind::Page && matches!(d.outcome, Outcome::Added(_))).count(), 3);
        assert_eq!(done.iter().map(|d| d.images).sum::<usize>(), 2, "the featured and the inline image, once each");

        // The published post: its date, category, author, images, no
        // shortcode or block comment, its caption text kept.
        let page = app.get("/tin-tuc/hop-dan-thon-ban").await;
        let body = &page.good().body;
        assert!(body.contains("01/05/2023 08:00"), "published when WordPress published it");
        assert!(body.contains("Nguyễn Thị Lan"), "the author's name is the byline");
        assert!(body.contains("<strong>họp dân</strong>"));
        assert!(body.contains("Chợ quê ngày phiên"), "the caption's text stays");
        assert!(!body.contains("[caption") && !body.contains("wp:paragraph") && !body.contains("srcset=\"https://xa.example.vn"), "{body}");
        assert!(!body.contains("xa.example.vn/wp-content"), "no image left on the old site");
        assert!(body.contains("href=\"/?p=11\""), "a link to the old site's post becomes a local old address");
        let inline = app.scalar("SELECT body FROM articles WHERE slug = 'hop-dan-thon-ban'").await;
        let img = inline.split("<img").nth(1).expect("the inline image");
        assert!(img.contains("src=\"/media/") && img.contains("alt=\"Chợ quê\""), "{img}");
        let featured = app.scalar("SELECT featured_image FROM articles WHERE slug = 'hop-dan-thon-ban'").await;
        assert!(featured.starts_with("/media/"), "{featured}");
        // The attachment's alt text comes with it, to the page and for sharing.
        let shown = crate::common::html::attr_of(body, "img", ("class", "featured"), "alt").unwrap();
        assert_eq!(shown, "Lễ hội ở thôn Bản");
        assert!(body.contains("<meta property=\"og:image:alt\" content=\"Lễ hội ở thôn Bản\">"), "{body}");
        let media = featured.trim_start_matches("/media/");
        app.get(&format!("/media/{media}")).await.good();
        assert_eq!(app.scalar("SELECT c.slug FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.slug = 'hop-dan-thon-ban'").await, "tin-xa");
        assert_eq!(app.scalar("SELECT name FROM categories WHERE slug = 'tin-xa'").await, "Tin xã");
        // WordPress's "Uncategorized" posts go to the site's news category.
        assert_eq!(app.scalar("SELECT c.slug FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.slug = 'ra-quan-ve-sinh'").await, "tin-tuc");
        let classic = app.get("/tin-tuc/ra-quan-ve-sinh").await;
        assert!(classic.good().body.contains("<p>Sáng Chủ nhật, đoàn viên thanh niên ra quân dọn vệ sinh.<br>Mỗi thôn một đoạn đường.</p>"), "{}", classic.body);
        assert!(classic.body.contains("Xã ra quân dọn vệ sinh môi trường"), "character references in a title");
        assert!(!classic.body.contains("[gallery"));

        // The other states keep their state and dates.
        assert_eq!(app.scalar("SELECT status FROM articles WHERE title = 'Kế hoạch phát triển kinh tế năm 2024'").await, "draft");
        assert_eq!(app.scalar("SELECT status FROM articles WHERE slug = 'thong-bao-lich-tiem-chung'").await, "pending");
        assert_eq!(app.scalar("SELECT status FROM articles WHERE slug = 'le-hoi-dau-xuan'").await, "published");
        app.get("/tin-tuc/le-hoi-dau-xuan").await.expect(StatusCode::NOT_FOUND);
        assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE title = 'Bài cũ đã xoá'").await, 0);
        let draft_created = app.scalar("SELECT CAST(created_at AS TEXT) FROM articles WHERE title = 'Kế hoạch phát triển kinh tế năm 2024'").await;
        assert!(draft_created.starts_with("2023-06-10"), "a draft keeps its date: {draft_created}");

        // Pages keep their tree, the third level placed under the top.
        app.get("/gioi-thieu-chung").await.good();
        app.get("/gioi-thieu-chung/lich-su-hinh-thanh").await.good();
        app.get("/gioi-thieu-chung/cac-di-tich").await.good();

        // Authors are disabled accounts with their names.
        assert_eq!(app.scalar("SELECT display_name FROM users WHERE username = 'lan.nt'").await, "Nguyễn Thị Lan");
        assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE username IN ('lan.nt', 'minhtv') AND disabled").await, 2);
        let login = app.post_login("lan.nt", "bất kỳ", None).await;
        assert_ne!(login.status, StatusCode::SEE_OTHER, "an imported author cannot log in before an admin enables them");

        // Old addresses answer 301 to the new pages.
        for (old, new) in [
            ("/?p=10", "/tin-tuc/hop-dan-thon-ban"),
            ("/2023/05/hop-dan-thon-ban/", "/tin-tuc/hop-dan-thon-ban"),
            ("/2023/05/hop-dan-thon-ban", "/tin-tuc/hop-dan-thon-ban"),
            ("/?p=10&utm_source=zalo", "/tin-tuc/hop-dan-thon-ban"),
            ("/index.php?p=15", "/tin-tuc/ra-quan-ve-sinh"),
            ("/?page_id=21", "/gioi-thieu-chung/lich-su-hinh-thanh"),
            ("/gioi-thieu-chung/lich-su-hinh-thanh/cac-di-tich/", "/gioi-thieu-chung/cac-di-tich"),
            ("/category/tin-xa/", "/chuyen-muc/tin-xa"),
            ("/?cat=5", "/chuyen-muc/tin-xa"),
        ] {
            let r = app.get(old).await;
            assert_eq!((r.status, r.header("location")), (StatusCode::MOVED_PERMANENTLY, new), "{old}");
        }
        // A draft's old address is not revealed; a scheduled one waits.
        app.get("/?p=11").await.good();
        assert_eq!(app.get("/?p=11").await.header("location"), "");
        app.get("/2027/01/le-hoi-dau-xuan/").await.expect(StatusCode::NOT_FOUND);
        app.get("/khong-co-gi/").await.expect(StatusCode::NOT_FOUND);

        // A second run adds nothing and changes nothing.
        let before = snapshot(&app, site.id).await;
        let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
        let media_files = std::fs::read_dir(app.data_dir.path().join("media")).unwrap().count();
        let (_, again) = import_wxr(&app, &site, uploads.path(), None).await;
        assert!(again.iter().all(|d| matches!(d.outcome, Outcome::Known | Outcome::Skipped(_))), "{again:?}");
        assert_eq!(snapshot(&app, site.id).await, before);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);
        assert_eq!(std::fs::read_dir(app.data_dir.path().join("media")).unwrap().count(), media_files);
    }

    async fn a_stopped_import_resumed_equals_one_clean_run_and_sites_stay_apart(app) {
        let uploads = wordpress_uploads();
        let (a, b) = two_sites(&app).await;
        // Before B imports anything, A's old addresses mean nothing on B.
        import_wxr(&app, &a, uploads.path(), None).await;
        app.get_on("xa-b.gov.vn", "/2023/05/hop-dan-thon-ban/").await.expect(StatusCode::NOT_FOUND);
        app.get_on("xa-a.gov.vn", "/2023/05/hop-dan-thon-ban/").await.expect(StatusCode::MOVED_PERMANENTLY);
        // B's run stops part-way through its posts (a batch in hand is lost,
        // as with a kill), then runs again.
        let (finish, first) = import_wxr(&app, &b, uploads.path(), Some(6)).await;
        assert_eq!(finish, Finish::Stopped);
        assert!(first.len() == 6);
        let (finish, second) = import_wxr(&app, &b, uploads.path(), None).await;
        assert_eq!(finish, Finish::Complete);
        assert!(second.iter().any(|d| d.outcome == Outcome::Known), "authors and categories stored before the stop");
        assert_eq!(snapshot(&app, b.id).await, snapshot(&app, a.id).await);
        // Each site answers its own old addresses with its own pages.
        let r = app.get_on("xa-b.gov.vn", "/?p=10").await;
        assert_eq!((r.status, r.header("location")), (StatusCode::MOVED_PERMANENTLY, "/tin-tuc/hop-dan-thon-ban"));
        let b_article = app.get_on("xa-b.gov.vn", "/tin-tuc/hop-dan-thon-ban").await;
        b_article.good();
        assert_eq!(app.count("SELECT COUNT(*) FROM redirects r JOIN articles x ON x.id = r.article_id WHERE x.site_id <> r.site_id").await, 0);
        // An admin of B sees B's redirects only.
        app.create_user_on(b.id, "quantri-b", Role::Admin).await;
        let admin_b = app.login_on(Some("xa-b.gov.vn"), "quantri-b").await;
        let a_redirect = column(&app, "SELECT CAST(id AS TEXT) FROM redirects WHERE site_id = $1 ORDER BY id LIMIT 1", a.id).await.remove(0);
        let a_target = column(&app, "SELECT target FROM redirects WHERE site_id = $1 ORDER BY id LIMIT 1", a.id).await;
        let list = app.get_as("/admin/chuyen-huong", &admin_b).await;
        assert!(list.good().body.contains("/?p=10"));
        let r = app.post_form(&format!("/admin/chuyen-huong/{a_redirect}"), &admin_b, &[("target", "/lien-he"), ("version", "1")]).await;
        r.expect(StatusCode::NOT_FOUND);
        let r = app.post_form(&format!("/admin/chuyen-huong/{a_redirect}/xoa"), &admin_b, &[("version", "1")]).await;
        r.expect(StatusCode::NOT_FOUND);
        assert_eq!(column(&app, "SELECT target FROM redirects WHERE site_id = $1 ORDER BY id LIMIT 1", a.id).await, a_target);
    }

    async fn admins_list_add_correct_and_delete_redirects(app) {
        let uploads = wordpress_uploads();
        import_wxr(&app, &app.site(), uploads.path(), None).await;
        app.create_user("quantri", Role::Admin).await;
        app.create_user("tacgia", Role::Author).await;
        let admin = app.login("quantri").await;
        let author = app.login("tacgia").await;
        app.get_as("/admin/chuyen-huong", &author).await.expect(StatusCode::FORBIDDEN);

        let list = app.get_as("/admin/chuyen-huong?q=hop-dan", &admin).await;
        let body = &list.good().body;
        assert!(body.contains("/2023/05/hop-dan-thon-ban") && body.contains("/tin-tuc/hop-dan-thon-ban"), "{body}");
        assert!(body.contains("WordPress"));
        assert!(!body.contains("/?cat=5"), "the search narrows the list");
        app.get_as("/admin/chuyen-huong?trang=abc", &admin).await.expect(StatusCode::BAD_REQUEST);

        // Added by hand, followed at once.
        let r = app.post_form("/admin/chuyen-huong", &admin, &[("old", "https://xa.example.vn/lien-he.html"), ("target", "/lien-he")]).await;
        r.expect(StatusCode::SEE_OTHER);
        let moved = app.get("/lien-he.html").await;
        assert_eq!((moved.status, moved.header("location")), (StatusCode::MOVED_PERMANENTLY, "/lien-he"));
        // Refused with a reason, nothing stored.
        let count = app.count("SELECT COUNT(*) FROM redirects").await;
        for (old, target) in [("/a", "https://evil.example/"), ("/a", "//evil.example/"), ("mailto:x@y.vn", "/"), ("/lien-he.html", "/so-do"), ("/b", "/b/")] {
            let r = app.post_form("/admin/chuyen-huong", &admin, &[("old", old), ("target", target)]).await;
            r.expect(StatusCode::BAD_REQUEST);
            assert!(r.body.contains("error-box"), "{old} → {target}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM redirects").await, count);

        // Pointed elsewhere with the version the form showed; a second
        // edit from the same old form is refused, not silently applied.
        let id = app.scalar("SELECT CAST(id AS TEXT) FROM redirects WHERE old_path = '/?p=10'").await;
        let r = app.post_form(&format!("/admin/chuyen-huong/{id}"), &admin, &[("target", "/so-do"), ("version", "1")]).await;
        r.expect(StatusCode::SEE_OTHER);
        assert_eq!(app.get("/?p=10").await.header("location"), "/so-do");
        let r = app.post_form(&format!("/admin/chuyen-huong/{id}"), &admin, &[("target", "/lien-he"), ("version", "1")]).await;
        r.expect(StatusCode::CONFLICT);
        assert_eq!(app.get("/?p=10").await.header("location"), "/so-do");
        let r = app.post_form(&format!("/admin/chuyen-huong/{id}/xoa"), &admin, &[("version", "2")]).await;
        r.expect(StatusCode::SEE_OTHER);
        app.get("/?p=10").await.good();
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'redirect_create'").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'redirect_update'").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'redirect_delete'").await, 1);
    }

    async fn the_command_reports_counts_skips_and_refuses_a_damaged_export(app) {
        let url = app.database_url.clone();
        let data = app.data_dir.path().to_owned();
        let uploads = wordpress_uploads();
        let export = fixture("wordpress-export.xml");
        let args = |extra: &[&std::ffi::OsStr]| {
            let mut cmd = bantin();
            cmd.args(["--database-url", &url]).arg("--data-dir").arg(&data).arg("import-wordpress").args(extra);
            cmd
        };
        let up = uploads.path().as_os_str();
        let (out, stdout, stderr) = run(&mut args(&[export.as_os_str(), "--uploads".as_ref(), up]));
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("Kết quả nhập từ WordPress:"), "{stdout}");
        assert!(stdout.contains("bài viết: 5 đã nhập, 0 đã có, 1 bỏ qua, 0 lỗi"), "{stdout}");
        assert!(stdout.contains("trang: 3 đã nhập"), "{stdout}");
        assert!(stdout.contains("tác giả: 2 đã nhập"), "{stdout}");
        assert!(stdout.contains("ảnh: 2 đã nhập"), "{stdout}");
        assert_eq!(std::fs::read_dir(data.join("media")).unwrap().count(), 4, "two images and their 400 px copies, in the data folder");
        assert!(stderr.contains("bỏ qua bài viết “Bài cũ đã xoá”: trong thùng rác"), "{stderr}");
        let (out, stdout, _) = run(&mut args(&[export.as_os_str(), "--uploads".as_ref(), up]));
        assert!(out.status.success());
        assert!(stdout.contains("bài viết: 0 đã nhập, 5 đã có, 1 bỏ qua, 0 lỗi"), "{stdout}");
        assert!(stdout.contains("ảnh: 0 đã nhập"), "{stdout}");

        // A cut file is refused before anything is stored.
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(&export).unwrap();
        let cut = dir.path().join("cut.xml");
        std::fs::write(&cut, &text[..text.len() * 2 / 3]).unwrap();
        let fresh = TestApp::sqlite().await;
        let fresh_url = fresh.database_url.clone();
        let before = fresh.count_articles().await;
        let (out, _, stderr) = run(bantin().args(["--database-url", &fresh_url]).arg("--data-dir").arg(fresh.data_dir.path()).arg("import-wordpress").arg(&cut));
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr.contains("hỏng") && stderr.contains("chưa nhập gì"), "{stderr}");
        assert_eq!(fresh.count_articles().await, before);
        assert_eq!(fresh.count("SELECT COUNT(*) FROM users").await, 0);
        fresh.finish().await;
    }
}

/// A MariaDB database of the test's own (NukeViet's tables, filled),
/// dropped at the end; `None` when no MariaDB is configured outside CI.
struct Maria {
    admin: sqlx::mysql::MySqlPool,
    name: String,
    url: String,
}

impl Maria {
    async fn start() -> Option<Maria> {
        let Ok(base) = std::env::var("BANTIN_TEST_MARIADB_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "BANTIN_TEST_MARIADB_URL must be set in CI: the NukeViet import is tested on MariaDB"
            );
            eprintln!("BANTIN_TEST_MARIADB_URL is not set: skipping the NukeViet import");
            return None;
        };
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "bantin_nv_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let admin = sqlx::mysql::MySqlPool::connect(&base)
            .await
            .expect("MariaDB for tests");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&admin)
                .await
                .unwrap();
        }
        let url = format!("{}/{name}", base.trim_end_matches('/'));
        let pool = sqlx::mysql::MySqlPool::connect(&url).await.unwrap();
        let schema = std::fs::read_to_string(fixture("nukeviet-news.sql")).unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(schema))
            .execute(&pool)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(NUKEVIET_ROWS))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        Some(Maria { admin, name, url })
    }

    async fn finish(self) {
        let sql = format!("DROP DATABASE {}", self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&self.admin)
            .await
            .unwrap();
        self.admin.close().await;
    }
}

/// A commune's NukeViet news: two categories, a poster, a source, and an
/// article in each state that matters.
const NUKEVIET_ROWS: &str = "
INSERT INTO nv4_vi_news_cat (catid, parentid, title, alias, weight, status) VALUES
  (1, 0, 'Tin tức', 'tin-tuc', 1, 1), (2, 0, 'Thông báo', 'thong-bao', 2, 1);
INSERT INTO nv4_vi_news_sources (sourceid, title, link, add_time, edit_time) VALUES
  (1, 'Báo Đồng Nai', 'https://baodongnai.com.vn', 0, 0);
INSERT INTO nv4_users (userid, username, email, first_name, last_name) VALUES
  (1, 'admin', 'admin@xa.example.vn', 'Văn An', 'Nguyễn'),
  (2, 'khach', 'khach@xa.example.vn', 'Khách', '');
INSERT INTO nv4_vi_news_rows (id, catid, listcatid, admin_id, author, sourceid, addtime, edittime,
  status, publtime, exptime, title, alias, hometext, homeimgfile, homeimgalt, homeimgthumb) VALUES
  (12, 1, '1', 1, 'Minh Anh', 1, 1709254800, 1709254800, 1, 1709604000, 0,
   'Họp dân ấp 3 về đường giao thông', 'hop-dan-ap-3', 'Ấp 3 họp dân bàn làm đường.',
   '2024_03/hop-dan.png', 'Họp dân ấp 3', 1),
  (13, 2, '2', 1, '', 0, 1709254800, 1709254800, 4, 0, 0,
   'Dự thảo thông báo thu quỹ', 'du-thao-thong-bao', '', '', '', 0),
  (14, 2, '2', 1, '', 0, 1709254800, 1709254800, 2, 1801440000, 0,
   'Thông báo lịch nghỉ Tết 2027', 'lich-nghi-tet-2027', '', '', '', 0),
  (15, 1, '1', 1, '', 0, 1696907700, 1696907700, 1, 1696907700, 1735689600,
   'Tin cũ đã hết hạn', 'tin-cu-het-han', '', '', '', 0),
  (16, 2, '2,1', 1, '', 0, 1709254800, 1709254800, 22, 1709604000, 0,
   'Thông báo tiếp công dân', 'thong-bao-tiep-cong-dan', '', '', '', 0),
  (17, 2, '2', 2, '', 0, 1709254800, 1709254800, 17, 1709604000, 0,
   'Bài có trạng thái lạ', 'bai-la', '', '', '', 0);
INSERT INTO nv4_vi_news_detail (id, description, bodyhtml, sourcetext) VALUES
  (12, '', '<p>Tối 4/3, ấp 3 họp dân.</p><p><img src=\"/uploads/news/2024_03/duong-moi.png\" alt=\"Đường mới\" /></p>', ''),
  (13, '', '<p>Dự thảo.</p>', ''),
  (14, '', '<p>Lịch nghỉ Tết.</p>', ''),
  (15, '', '<p>Hết hạn.</p>', ''),
  (16, '', '<p>Lịch tiếp công dân tháng 3.</p>', ''),
  (17, '', '<p>Lạ.</p>', '');
";

async fn import_nukeviet(app: &TestApp, maria: &Maria, uploads: &Path) -> Vec<Done> {
    use bantin::content::import::nukeviet;
    let tables = nukeviet::Tables::checked("nv4", "vi", "news").unwrap();
    let source = nukeviet::connect(&maria.url, tables).await.unwrap();
    assert_eq!(source.count().await.unwrap(), 6);
    let library = library(app);
    let options = nukeviet::Options {
        uploads: Some(uploads),
        library: &library,
        now: app.clock_now(),
    };
    let mut done = Vec::new();
    let finish = nukeviet::import(&app.db, &app.site(), &source, options, |d| {
        done.push(d.clone());
        ControlFlow::Continue(())
    })
    .await
    .unwrap();
    source.close().await;
    assert_eq!(finish, Finish::Complete);
    done
}

both_databases! {
    async fn a_nukeviet_site_is_read_from_its_database_and_its_links_still_work(app) {
        let Some(maria) = Maria::start().await else { return };
        let uploads = tempfile::tempdir().unwrap();
        let month = uploads.path().join("news/2024_03");
        std::fs::create_dir_all(&month).unwrap();
        std::fs::write(month.join("hop-dan.png"), png(900, 600, 90)).unwrap();
        std::fs::write(month.join("duong-moi.png"), png(500, 300, 150)).unwrap();
        // Someone here already has the poster's login.
        app.create_user("admin", Role::Admin).await;

        let done = import_nukeviet(&app, &maria, uploads.path()).await;
        assert_eq!(outcome_of(&done, "Bài có trạng thái lạ"), &Outcome::Skipped("trạng thái 17 không rõ nghĩa".into()));
        assert!(done.iter().all(|d| !matches!(d.outcome, Outcome::Failed(_))), "{done:?}");
        assert_eq!(done.iter().map(|d| d.images).sum::<usize>(), 2);

        let page = app.get("/tin-tuc/hop-dan-ap-3").await;
        let body = &page.good().body;
        assert!(body.contains("05/03/2024 09:00"), "published at NukeViet's publtime");
        assert!(body.contains("Minh Anh (Nguồn: Báo Đồng Nai)"), "{body}");
        assert!(body.contains("Tối 4/3, ấp 3 họp dân."));
        assert!(!body.contains("/uploads/news/"), "the images are bantin's now");
        let featured = app.scalar("SELECT featured_image FROM articles WHERE slug = 'hop-dan-ap-3'").await;
        assert!(featured.starts_with("/media/"), "{featured}");
        // NukeViet's `homeimgalt` is the featured image's alt text.
        assert_eq!(app.scalar("SELECT featured_alt FROM articles WHERE slug = 'hop-dan-ap-3'").await, "Họp dân ấp 3");
        assert_eq!(crate::common::html::attr_of(body, "img", ("class", "featured"), "alt").unwrap(), "Họp dân ấp 3");
        // NukeViet's "Tin tức" is the site's own news category.
        assert_eq!(app.count("SELECT COUNT(*) FROM categories WHERE slug = 'tin-tuc'").await, 1);
        assert_eq!(app.scalar("SELECT c.name FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.slug = 'thong-bao-tiep-cong-dan'").await, "Thông báo");

        assert_eq!(app.scalar("SELECT status FROM articles WHERE slug = 'du-thao-thong-bao'").await, "draft");
        assert_eq!(app.scalar("SELECT status FROM articles WHERE slug = 'lich-nghi-tet-2027'").await, "published");
        app.get("/tin-tuc/lich-nghi-tet-2027").await.expect(StatusCode::NOT_FOUND);
        assert_eq!(app.scalar("SELECT status FROM articles WHERE slug = 'tin-cu-het-han'").await, "unpublished");
        let locked = app.get("/tin-tuc/thong-bao-tiep-cong-dan").await;
        assert!(locked.good().body.contains("Nguyễn Văn An"), "without author or source, the poster signs it");
        // The poster is a disabled account beside the existing "admin".
        assert_eq!(app.scalar("SELECT display_name FROM users WHERE username = 'admin2'").await, "Nguyễn Văn An");
        assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE username = 'admin2' AND disabled").await, 1);

        for old in [
            "/index.php?language=vi&nv=news&op=tin-tuc/hop-dan-ap-3-12.html",
            "/index.php?nv=news&op=tin-tuc%2Fhop-dan-ap-3-12&language=vi",
            "/vi/news/tin-tuc/hop-dan-ap-3-12.html",
            "/news/tin-tuc/hop-dan-ap-3-12.html",
            "/tin-tuc/hop-dan-ap-3-12.html",
        ] {
            let r = app.get(old).await;
            assert_eq!((r.status, r.header("location")), (StatusCode::MOVED_PERMANENTLY, "/tin-tuc/hop-dan-ap-3"), "{old}");
        }
        let r = app.get("/vi/news/thong-bao/").await;
        assert_eq!((r.status, r.header("location")), (StatusCode::MOVED_PERMANENTLY, "/chuyen-muc/thong-bao"));

        // Again: nothing added, nothing changed.
        let before = snapshot(&app, app.site().id).await;
        let again = import_nukeviet(&app, &maria, uploads.path()).await;
        assert!(again.iter().all(|d| matches!(d.outcome, Outcome::Known | Outcome::Skipped(_))), "{again:?}");
        assert_eq!(snapshot(&app, app.site().id).await, before);
        maria.finish().await;
    }
}
