//! Vietnamese-aware search: matching without diacritics, ranking, hostile
//! queries, freshness, the JSON API.

use crate::common::{TestApp, fixture_text};
use axum::http::StatusCode;
use bantin::accounts::Role;
use chrono::Duration;

async fn add(app: &TestApp, title: &str, body: &str) -> String {
    let path = app.import_text(&format!("{title}\n\n{body}\n")).await.path;
    app.clock.advance(Duration::minutes(1));
    path
}

fn titles(body: &str) -> Vec<String> {
    body.split("<h2><a href=\"")
        .skip(1)
        .map(|s| {
            s.split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn api(app: &TestApp, q: &str) -> serde_json::Value {
    let uri = format!(
        "/api/v1/search?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap()
    );
    let r = app.get(&uri).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

both_databases! {
    async fn diacritics_case_and_composition_do_not_matter(app) {
        app.import_text(&fixture_text("ngay-hoi-dai-doan-ket.txt")).await;
        add(&app, "Đảng bộ xã Sín Chéng chú trọng công tác xây dựng đảng", "Đảng bộ xã đã kết nạp được 14 đảng viên mới.").await;
        let nfd = "Si\u{301}n Che\u{301}ng";
        for q in ["sin cheng", "Sín Chéng", "SÍN CHÉNG", nfd, "sín chéng", "dang vien moi", "\"đảng viên mới\""] {
            let v = api(&app, q).await;
            assert_eq!(v["total"], 1, "{q}: {v}");
            assert_eq!(v["results"][0]["title"], "Đảng bộ xã Sín Chéng chú trọng công tác xây dựng đảng", "{q}");
        }
        // Old and new tone placement find each other.
        add(&app, "Tổ hoà giải thôn Nàn Sín", "Tổ hoà giải làm việc tốt.").await;
        for q in ["hoa giai", "hòa giải", "hoà giải", "HÒA GIẢI"] {
            assert_eq!(api(&app, q).await["total"], 1, "{q}");
        }
        assert_eq!(api(&app, "nam xe").await["total"], 1, "the fixture");
        assert_eq!(api(&app, "không có từ này").await["total"], 0);
    }

    async fn ranking_a_reader_would_agree_with(app) {
        add(&app, "Mùa hoa đào", "Hoa đào nở khắp bản, bình yên.").await;
        add(&app, "Hội nghị về hòa bình", "Nội dung hội nghị.").await;
        add(&app, "Tin ngắn", "Thôn bản giữ gìn hòa bình, an ninh.").await;
        add(&app, "Bình chọn gia đình văn hoá", "Hoà giải và bình chọn.").await;
        let v = api(&app, "hòa bình").await;
        let order: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
        assert_eq!(order.len(), 4, "{order:?}");
        assert_eq!(order[0], "Hội nghị về hòa bình", "both words, exactly, in the title: {order:?}");
        assert_eq!(order[1], "Bình chọn gia đình văn hoá", "exact (hoà is hòa), one in the title: {order:?}");
        assert_eq!(order[2], "Tin ngắn", "exact words in the body: {order:?}");
        assert_eq!(order[3], "Mùa hoa đào", "folded-only matches last: {order:?}");

        // Phrases: adjacent words above scattered ones; quotes require them.
        add(&app, "Phát triển đảng viên", "Bồi dưỡng quần chúng, kết nạp đảng viên mới trong năm.").await;
        add(&app, "Đảng bộ họp", "Mới đây, đảng bộ đã họp; các đảng viên tham dự.").await;
        let v = api(&app, "dang vien moi").await;
        assert_eq!(v["results"][0]["title"], "Phát triển đảng viên");
        assert_eq!(api(&app, "\"dang vien moi\"").await["total"], 1);
    }

    async fn snippets_show_the_original_words_highlighted(app) {
        add(&app, "Tin thôn", "Mở đầu. Đảng bộ xã Sín Chéng chú trọng công tác <xây dựng> đảng.").await;
        let r = app.get("/tim-kiem?q=sin+cheng").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("<mark>Sín</mark> <mark>Chéng</mark>"), "{}", r.body);
        assert!(r.body.contains("&lt;xây dựng&gt;"), "text is escaped");
        assert!(r.body.contains("Tìm thấy 1 bài viết cho “sin cheng”"));
        assert!(r.body.contains("value=\"sin cheng\""), "the box keeps the query");
    }

    async fn hostile_queries_are_text(app) {
        add(&app, "Tin thường", "Nội dung: a-b *c* NEAR(d e) \"f\".").await;
        let long = "x".repeat(10_000);
        for q in ["\"", "\"\"", "*", "NEAR(a b)", "-a", "a:b", "'; DROP TABLE articles; --", "%", "\\", "()&|!<->", "AND OR NOT", long.as_str(), "\u{1F600}"] {
            let uri = format!("/tim-kiem?{}", serde_urlencoded::to_string([("q", q)]).unwrap());
            let r = app.get(&uri).await;
            assert_eq!(r.status, StatusCode::OK, "{q:?}");
            api(&app, q).await;
        }
        // Bytes that are not text are refused, not searched for (issue 7).
        for bad in ["/tim-kiem?q=%FF%FE", "/tim-kiem?q=tin%00th%C6%B0%E1%BB%9Dng", "/api/v1/search?q=%00"] {
            assert_eq!(app.get(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(app.get("/tim-kiem?q=tin&trang=abc").await.status, StatusCode::BAD_REQUEST);
        let empty = app.get("/tim-kiem").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.body.contains("<h1 class=\"section-title\">Tìm kiếm</h1>") && !empty.body.contains("Tìm thấy"));
        assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE kind = 'news'").await, 1);
    }

    async fn results_follow_publishing_at_once(app) {
        app.create_user("bientap", Role::Editor).await;
        let e = app.login("bientap").await;
        let r = app.post_multipart("/admin/articles", &e, &[("title", "Lịch tiêm phòng dại"), ("body", "Tiêm phòng cho chó mèo."), ("action", "luu")], None).await;
        let id = crate::common::article_id_of(&r);
        assert_eq!(api(&app, "tiem phong").await["total"], 0, "a draft is not found");
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &e, &[("version", "1"), ("title", "Lịch tiêm phòng dại"), ("body", "Tiêm phòng cho chó mèo."), ("action", "xuat-ban"), ("publish_at", "2026-03-02T09:00")], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(api(&app, "tiem phong").await["total"], 0, "scheduled: not yet");
        app.clock.advance(Duration::hours(1));
        assert_eq!(api(&app, "tiem phong").await["total"], 1);
        // Edited text is found by its new words only.
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &e, &[("version", "3"), ("title", "Lịch tiêm vắc-xin"), ("body", "Tiêm vắc-xin cho gia súc."), ("action", "luu")], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(api(&app, "phong dai").await["total"], 0);
        assert_eq!(api(&app, "gia suc").await["total"], 1);
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &e, &[("version", "4"), ("title", "Lịch tiêm vắc-xin"), ("body", "Tiêm vắc-xin cho gia súc."), ("action", "go-bai")], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(api(&app, "gia suc").await["total"], 0, "unpublished: gone");
    }

    async fn pages_and_the_api_agree(app) {
        for i in 0..23 {
            add(&app, &format!("Bản tin nông thôn số {i}"), "Nông thôn mới.").await;
        }
        let v = api(&app, "nong thon").await;
        assert_eq!(v["total"], 23);
        assert_eq!(v["results"].as_array().unwrap().len(), 10);
        assert_eq!(v["results"][0]["title"], "Bản tin nông thôn số 22", "newest first when equal");
        assert!(v["results"][0]["url"].as_str().unwrap().starts_with("/tin-tuc/ban-tin-nong-thon-so-22"));
        assert!(v["results"][0]["published_at"].as_str().unwrap().ends_with("+07:00"));
        let page2 = app.get("/tim-kiem?q=nong+thon&trang=2").await;
        let v2: serde_json::Value = serde_json::from_str(&app.get("/api/v1/search?q=nong+thon&trang=2").await.body).unwrap();
        let html_titles = titles(&page2.body);
        let api_titles: Vec<String> = v2["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect();
        assert_eq!(html_titles, api_titles);
        assert!(page2.body.contains("Trang 2/3"));
        assert_eq!(app.get("/tim-kiem?q=nong+thon&trang=4").await.status, StatusCode::NOT_FOUND);
    }

    async fn an_old_title_match_is_ranked_among_many_newer_ones(app) {
        // More matches than ranked candidates (120): the newest 120 are
        // ranked together with the newest title matches, however old.
        add(&app, "Lễ hội xuống đồng ở Sín Chéng", "Bà con vui lễ hội.").await;
        for i in 0..125 {
            add(&app, &format!("Bản tin số {i}"), "Thôn Sín Chéng có lễ hội mùa xuân.").await;
        }
        let v = api(&app, "le hoi").await;
        assert_eq!(v["total"], 126);
        assert_eq!(v["results"][0]["title"], "Lễ hội xuống đồng ở Sín Chéng", "{v}");
        assert_eq!(v["results"][1]["title"], "Bản tin số 124", "then the newest: {v}");
        // A word typed twice is one word, not a stricter query.
        assert_eq!(api(&app, "hội Hội le").await["total"], 126);
    }

    async fn reindex_keeps_every_search_index_in_step(app) {
        add(&app, "Tổ hoà giải thôn Nàn Sín", "Tổ hoà giải làm việc tốt.").await;
        add(&app, "Tin ngắn", "Thôn bản giữ gìn hòa bình.").await;
        // The two articles and the site's starting pages.
        let pages = app.count("SELECT COUNT(*) FROM articles WHERE kind = 'page'").await as u64;
        assert_eq!(bantin::search::store::reindex(&app.db, false, None).await.unwrap(), 2 + pages);
        assert_eq!(api(&app, "hoa giai").await["total"], 1);
        assert_eq!(api(&app, "\"giu gin hoa binh\"").await["total"], 1);
        assert_eq!(api(&app, "thon").await["total"], 2);
        if matches!(app.db, bantin::db::Db::Postgres(_)) {
            // One row per published article in each of PostgreSQL's narrow
            // search tables (migration 0007), written by its trigger.
            assert_eq!(app.count("SELECT COUNT(*) FROM search_terms").await, 2);
            assert_eq!(app.count("SELECT COUNT(*) FROM search_titles").await, 2);
        }
    }
}
