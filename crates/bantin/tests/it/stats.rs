//! Visitor statistics by PRODUCT.md's definitions, exact under concurrency,
//! across midnight and Monday, across servers and restarts.

use crate::common::{TestApp, phone, visit_request};
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use chrono::{Duration, TimeZone, Utc};

async fn publish(app: &TestApp, title: &str) -> String {
    app.import_text(&format!("{title}\n\nNội dung của bài {title}.\n"))
        .await
        .path
}

both_databases! {
    async fn distinct_visitors_at_once_count_exactly(app) {
        let article = publish(&app, "Họp dân thôn Nàn Sín").await;
        let n = 40;
        let mut tasks = Vec::new();
        for i in 0..n {
            let router = app.router.clone();
            let uri = if i % 2 == 0 { article.clone() } else { "/".to_owned() };
            tasks.push(tokio::spawn(async move {
                tower::ServiceExt::oneshot(router, visit_request(&uri, "203.0.113.10", &phone(i))).await.unwrap().status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::OK);
        }
        assert_eq!(app.stats().await, (n as i64, n as i64, n as i64, n as i64));
        // The same visitors again: no new visitors, more page views.
        for i in 0..n {
            app.visit("/tin-tuc", "203.0.113.10", &phone(i)).await;
        }
        assert_eq!(app.stats().await, (n as i64, n as i64, n as i64, n as i64));
        let views: i64 = app.count("SELECT CAST(SUM(page_views) AS BIGINT) FROM stats_daily").await;
        assert_eq!(views, 2 * n as i64);
        let article_views: i64 = app.count("SELECT CAST(SUM(views) AS BIGINT) FROM stats_article_daily").await;
        assert_eq!(article_views, n as i64 / 2);
    }

    async fn only_people_reading_public_pages_count(app) {
        let article = publish(&app, "Tin mùa vụ").await;
        app.create_user("bientap", Role::Editor).await;
        let staff = app.login("bientap").await;
        let ip = "198.51.100.20";
        // Not counted: bots, no user-agent, prefetches, HEAD, errors, static
        // files, the API, admin pages, the login form, logged-in staff.
        app.visit(&article, ip, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)").await;
        app.visit(&article, ip, "").await;
        let mut prefetch = visit_request(&article, ip, &phone(1));
        prefetch.headers_mut().insert("sec-purpose", "prefetch".parse().unwrap());
        app.request(prefetch).await;
        let mut head = visit_request(&article, ip, &phone(2));
        *head.method_mut() = axum::http::Method::HEAD;
        assert_eq!(app.request(head).await.status, StatusCode::OK);
        assert_eq!(app.visit("/tin-tuc/khong-co", ip, &phone(3)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.visit("/tin-tuc?trang=abc", ip, &phone(3)).await.status, StatusCode::BAD_REQUEST);
        app.visit("/static/style.css", ip, &phone(4)).await;
        app.visit("/api/v1/stats", ip, &phone(5)).await;
        app.visit("/dang-nhap", ip, &phone(6)).await;
        let mut as_staff = visit_request(&article, ip, &phone(7));
        as_staff.headers_mut().insert("cookie", staff.cookie.parse().unwrap());
        assert_eq!(app.request(as_staff).await.status, StatusCode::OK);
        let mut admin = visit_request("/admin", ip, &phone(7));
        admin.headers_mut().insert("cookie", staff.cookie.parse().unwrap());
        app.request(admin).await;
        assert_eq!(app.stats().await, (0, 0, 0, 0));
        assert_eq!(app.count("SELECT COUNT(*) FROM stats_visitors").await, 0);
        // A person reading counts.
        app.visit(&article, ip, &phone(8)).await;
        assert_eq!(app.stats().await, (1, 1, 1, 1));
    }

    async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(app) {
        // Untrusted peer: one client, however it labels itself.
        for i in 0..5 {
            let mut req = visit_request("/", "203.0.113.50", &phone(1));
            req.headers_mut().insert("x-forwarded-for", format!("10.0.0.{i}").parse().unwrap());
            app.request(req).await;
        }
        assert_eq!(app.stats().await.1, 1);
        // Behind a trusted proxy: each real client counts.
        let (state, router) = app.with_settings(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
        for i in 0..5 {
            let mut req = visit_request("/", "127.0.0.1", &phone(1));
            req.headers_mut().insert("x-forwarded-for", format!("192.0.2.{i}").parse().unwrap());
            tower::ServiceExt::oneshot(router.clone(), req).await.unwrap();
        }
        state.stats().flush().await.unwrap();
        assert_eq!(app.stats().await.1, 6);
        // No address is stored anywhere.
        let keys: Vec<String> = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT key FROM stats_visitors").fetch_all(pool).await.unwrap());
        assert!(keys.iter().all(|k| k.len() == 32 && !k.contains("192.0.2") && !k.contains("203.0.113")));
    }

    async fn ipv6_visitors_are_counted_by_their_64(app) {
        app.visit("/", "2001:db8:a:b:1::1", &phone(1)).await;
        app.visit("/", "2001:db8:a:b:ffff::2", &phone(1)).await;
        app.visit("/", "2001:db8:a:c::1", &phone(1)).await;
        assert_eq!(app.stats().await.1, 2);
    }

    async fn days_and_weeks_roll_over_in_local_time(app) {
        // Sunday 01/03/2026 23:59 in Vietnam (16:59 UTC).
        app.clock.set(Utc.with_ymd_and_hms(2026, 3, 1, 16, 59, 0).unwrap());
        for i in 0..3 {
            app.visit("/", "203.0.113.1", &phone(i)).await;
        }
        assert_eq!(app.stats().await, (3, 3, 3, 3));
        // Two minutes later it is Monday: a new day and a new week.
        app.clock.advance(Duration::minutes(2));
        let (_, today, week, total) = app.stats().await;
        assert_eq!((today, week, total), (0, 0, 3));
        for i in 0..2 {
            app.visit("/", "203.0.113.1", &phone(i)).await;
        }
        let (_, today, week, total) = app.stats().await;
        assert_eq!((today, week, total), (2, 2, 5), "yesterday's visitors count again today");
        // Tuesday: the week keeps Monday's visitors.
        app.clock.advance(Duration::days(1));
        app.visit("/", "203.0.113.1", &phone(9)).await;
        let (_, today, week, total) = app.stats().await;
        assert_eq!((today, week, total), (1, 3, 6));
        // Salts and per-visitor rows older than 48 hours are gone.
        app.clock.advance(Duration::days(2));
        app.visit("/", "203.0.113.1", &phone(9)).await;
        app.stats().await;
        let salts = app.count("SELECT COUNT(*) FROM stats_salts").await;
        assert!(salts <= 2, "{salts} salts kept");
        let old: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM stats_visitors WHERE day < $1")
            .bind(bantin::stats::local_day(app.clock_now()) - Duration::days(1)).fetch_one(pool).await.unwrap());
        assert_eq!(old, 0);
    }

    async fn online_means_the_last_five_minutes(app) {
        app.visit("/", "203.0.113.1", &phone(1)).await;
        app.clock.advance(Duration::minutes(3));
        app.visit("/", "203.0.113.1", &phone(2)).await;
        assert_eq!(app.stats().await.0, 2);
        app.clock.advance(Duration::minutes(2) + Duration::seconds(30));
        assert_eq!(app.stats().await.0, 1, "the first dropped out");
        app.clock.advance(Duration::minutes(3));
        assert_eq!(app.stats().await.0, 0);
    }

    async fn two_servers_on_one_database_count_exactly(app) {
        let (other, other_router) = app.with_settings(|_| {}).await;
        // 30 visitors; 10 of them hit both servers.
        for i in 0..30 {
            app.visit("/", "203.0.113.9", &phone(i)).await;
            if i % 3 == 0 {
                tower::ServiceExt::oneshot(other_router.clone(), visit_request("/tin-tuc", "203.0.113.9", &phone(i))).await.unwrap();
            }
        }
        for i in 30..40 {
            tower::ServiceExt::oneshot(other_router.clone(), visit_request("/", "203.0.113.9", &phone(i))).await.unwrap();
        }
        let (a, b) = tokio::join!(app.state.stats().flush(), other.stats().flush());
        a.unwrap();
        b.unwrap();
        assert_eq!(app.stats().await.1, 40);
        let views: i64 = app.count("SELECT CAST(SUM(page_views) AS BIGINT) FROM stats_daily").await;
        assert_eq!(views, 50);
    }

    async fn a_busy_second_is_written_exactly(app) {
        // More visitors than one statement of a flush takes (200), some
        // already in the database, some new, on both sides of a boundary.
        let first = publish(&app, "Lịch tiếp công dân").await;
        let second = publish(&app, "Thông báo tuyển dụng").await;
        for i in 0..250 {
            app.visit(&first, "203.0.113.7", &phone(i)).await;
        }
        app.state.stats().flush().await.unwrap();
        for i in 0..450 {
            let page = if i % 2 == 0 { &first } else { &second };
            app.visit(page, "203.0.113.7", &phone(i)).await;
        }
        app.state.stats().flush().await.unwrap();
        assert_eq!(app.stats().await.1, 450);
        assert_eq!(app.count("SELECT COUNT(*) FROM stats_visitors").await, 450);
        assert_eq!(app.count("SELECT COUNT(*) FROM stats_visitors WHERE views = 2").await, 250);
        assert_eq!(app.count("SELECT CAST(SUM(views) AS BIGINT) FROM stats_visitors").await, 700);
        assert_eq!(app.count("SELECT CAST(SUM(visitors) AS BIGINT) FROM stats_hourly").await, 450);
        assert_eq!(app.count("SELECT CAST(SUM(page_views) AS BIGINT) FROM stats_daily").await, 700);
        assert_eq!(app.count("SELECT CAST(SUM(views) AS BIGINT) FROM stats_article_daily").await, 700);
        assert_eq!(app.count("SELECT COUNT(*) FROM stats_article_daily").await, 2);
        // A returning visitor's last view moved on; a new one's did not go back.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM stats_visitors WHERE views = 2 AND last_seen >= first_seen").await,
            250
        );
    }

    async fn the_widget_shows_the_numbers_and_its_viewer(app) {
        let site = app.site();
        let settings = bantin::site::Settings {
            name: site.name.clone(), description: String::new(), address: String::new(), phone: String::new(),
            email: String::new(), stats_start_total: 1233, tone_style: None, show_in_parent: true,
            two_factor: bantin::accounts::two_factor::Policy::None, info_officer: String::new(),
            content_responsible: String::new(), licence: String::new(), map_image: String::new(), question_retention_months: 12,
        };
        bantin::site::update(&app.db, site.id, None, &settings, app.clock_now()).await.unwrap().unwrap();
        app.state.reload_sites().await.unwrap();
        // The very first visitor sees themself counted, as on the seed page.
        let first = app.visit("/", "203.0.113.1", &phone(1)).await;
        let widget = first.body.split("Thống kê truy cập").nth(1).unwrap();
        for expected in ["Đang online: <strong>1</strong>", "Hôm nay: <strong>1</strong>", "Trong tuần: <strong>1</strong>", "Tất cả: <strong>1.234</strong>"] {
            assert!(widget.contains(expected), "{expected} in {widget}");
        }
        assert_eq!(app.stats().await, (1, 1, 1, 1234));
        // Reloading does not make the visitor count twice.
        app.state.stats().invalidate();
        let again = app.visit("/tin-tuc", "203.0.113.1", &phone(1)).await;
        assert!(again.body.contains("Hôm nay: <strong>1</strong>"));
        // The widget is on every public page.
        let article = publish(&app, "Tin có thống kê").await;
        assert!(app.visit(&article, "203.0.113.2", &phone(2)).await.body.contains("Thống kê truy cập"));
    }

    async fn most_read_lists_articles_by_views(app) {
        let popular = publish(&app, "Bài được đọc nhiều").await;
        let quiet = publish(&app, "Bài ít người đọc").await;
        for i in 0..5 {
            app.visit(&popular, "203.0.113.1", &phone(i)).await;
        }
        app.visit(&quiet, "203.0.113.1", &phone(1)).await;
        app.state.stats().flush().await.unwrap();
        app.state.stats().invalidate();
        let home = app.visit("/", "203.0.113.1", &phone(1)).await;
        let list = home.body.split("<h2>Đọc nhiều</h2>").nth(1).unwrap().split("</ol>").next().unwrap();
        let (p, q) = (list.find("Bài được đọc nhiều").unwrap(), list.find("Bài ít người đọc").unwrap());
        assert!(p < q, "{list}");
    }

    async fn kept_pages_live_while_most_read_reads_the_same(app) {
        let (site, stats) = (app.site().id, app.state.stats());
        let first = publish(&app, "Bài đầu tiên").await;
        let second = publish(&app, "Bài thứ hai").await;
        for i in 0..2 {
            app.visit(&first, "203.0.113.1", &phone(i)).await;
        }
        app.visit(&second, "203.0.113.1", &phone(2)).await;
        stats.flush().await.unwrap();
        stats.invalidate();
        let before = stats.widget(site, 0, None).await.unwrap();
        // One more view of the first: the numbers move, the list does not.
        app.visit(&first, "203.0.113.1", &phone(3)).await;
        stats.flush().await.unwrap();
        stats.expire();
        let same = stats.widget(site, 0, None).await.unwrap();
        assert_eq!(same.snapshot, before.snapshot, "the same list: kept pages stay");
        assert_eq!((before.counts.today, same.counts.today), (3, 4));
        let home = app.visit("/", "203.0.113.1", &phone(3)).await.body;
        assert!(home.contains("Hôm nay: <strong>4</strong>"), "the numbers are today's");
        let list = |page: &str| page.split("<h2>Đọc nhiều</h2>").nth(1).unwrap().split("</ol>").next().unwrap().to_owned();
        let shown = list(&home);
        assert!(shown.find("Bài đầu tiên").unwrap() < shown.find("Bài thứ hai").unwrap(), "{shown}");
        // The second overtakes the first: a new list, and the kept pages
        // built with the old one are not shown again.
        for i in 4..7 {
            app.visit(&second, "203.0.113.1", &phone(i)).await;
        }
        stats.flush().await.unwrap();
        stats.expire();
        let after = stats.widget(site, 0, None).await.unwrap();
        assert_ne!(after.snapshot, before.snapshot);
        for page in ["/", first.as_str()] {
            let shown = list(&app.visit(page, "203.0.113.1", &phone(4)).await.body);
            assert!(shown.find("Bài thứ hai").unwrap() < shown.find("Bài đầu tiên").unwrap(), "{page}: {shown}");
        }
    }

    async fn the_api_answers_json(app) {
        let r = app.get("/api/v1/stats").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.header("content-type").starts_with("application/json"));
        assert_eq!(r.body, r#"{"online":0,"today":0,"week":0,"total":0}"#);
        let head = app.request(Request::head("/api/v1/stats").body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(head.status, StatusCode::OK);
    }
}

both_databases! {
    async fn staff_see_the_statistics_page(app) {
        let article = publish(&app, "Bài thống kê").await;
        for i in 0..3 {
            app.visit(&article, "203.0.113.1", &phone(i)).await;
        }
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let page = app.get_as("/admin/stats", &b).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<svg") && page.body.contains("<rect"));
        assert!(page.body.contains("Hôm nay: <strong>3</strong>"));
        assert!(page.body.contains("02/03: 3 khách, 3 lượt xem"), "the chart's bar for today");
        assert!(page.body.contains("Bài thống kê</a> — 3 lượt xem"));
        assert!(!page.body.contains("style="), "no inline styles: the CSP forbids them");
    }
}
