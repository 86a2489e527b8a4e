//! The editorial workflow through the admin pages: write, submit, review,
//! publish (now or scheduled), return, unpublish, revisions, edit conflicts,
//! sanitised bodies.

use crate::common::{Browser, TestApp, article_id_of, html};
use axum::http::StatusCode;
use bantin::accounts::Role;
use chrono::Duration;

const BODY: &str = "Sáng nay ,  Ban chỉ huy quân sự xã tổ chức huấn luyện dân quân.\nBuổi huấn luyện có 45 chiến sĩ tham gia.";

async fn write(app: &TestApp, b: &Browser, title: &str, action: &str) -> i64 {
    let r = app
        .post_multipart(
            "/admin/articles",
            b,
            &[
                ("title", title),
                ("summary", ""),
                ("body", BODY),
                ("byline", "Hoàng Văn Tư"),
                ("action", action),
            ],
            None,
        )
        .await;
    r.expect(StatusCode::SEE_OTHER);
    article_id_of(&r)
}

async fn version_of(app: &TestApp, b: &Browser, id: i64) -> String {
    let page = app.get_as(&format!("/admin/articles/{id}"), b).await;
    page.good().field("version")
}

async fn act(
    app: &TestApp,
    b: &Browser,
    id: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> crate::common::TestResponse {
    let page = app.get_as(&format!("/admin/articles/{id}"), b).await;
    let field = |name: &str| html::field(&page.body, name).unwrap_or_default();
    let (version, title, byline, body) = (
        field("version"),
        field("title"),
        field("byline"),
        field("body"),
    );
    let mut fields = vec![
        ("version", version.as_str()),
        ("title", title.as_str()),
        ("byline", byline.as_str()),
        ("body", body.as_str()),
        ("action", action),
    ];
    fields.extend_from_slice(extra);
    app.post_multipart(&format!("/admin/articles/{id}"), b, &fields, None)
        .await
}

async fn public_status(app: &TestApp, slug: &str) -> StatusCode {
    app.get(&format!("/tin-tuc/{slug}")).await.status
}

both_databases! {
    async fn author_writes_submits_editor_approves_public_sees(app) {
        app.create_user("tacgia", Role::Author).await;
        app.create_user("bientap", Role::Editor).await;
        let author = app.login("tacgia").await;
        let editor = app.login("bientap").await;

        let id = write(&app, &author, "Xã tổ chức huấn luyện dân quân", "luu").await;
        let slug = "xa-to-chuc-huan-luyen-dan-quan";
        assert_eq!(public_status(&app, slug).await, StatusCode::NOT_FOUND, "a draft is not public");
        let editor_page = app.get_as(&format!("/admin/articles/{id}"), &author).await;
        assert!(editor_page.body.contains("Bản nháp") && editor_page.body.contains("value=\"gui-duyet\""));
        assert!(!editor_page.body.contains("value=\"xuat-ban\""), "authors cannot publish");
        // The body was cleaned on the way in.
        assert!(editor_page.body.contains("Sáng nay, Ban chỉ huy"), "{}", editor_page.body);

        // The author cannot publish by forging the action.
        assert_eq!(act(&app, &author, id, "xuat-ban", &[]).await.status, StatusCode::FORBIDDEN);
        let submitted = act(&app, &author, id, "gui-duyet", &[]).await;
        assert_eq!(submitted.status, StatusCode::SEE_OTHER);
        // Pending: frozen for the author.
        assert_eq!(act(&app, &author, id, "luu", &[]).await.status, StatusCode::FORBIDDEN);
        let dashboard = app.get_as("/admin", &editor).await;
        assert!(dashboard.body.contains("Xã tổ chức huấn luyện dân quân"));

        let published = act(&app, &editor, id, "xuat-ban", &[]).await;
        assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
        let page = app.get(&format!("/tin-tuc/{slug}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<p>Buổi huấn luyện có 45 chiến sĩ tham gia.</p>"));
        assert!(page.body.contains("<p class=\"byline\">Hoàng Văn Tư</p>"));
        assert!(app.get("/tin-tuc").await.body.contains(slug));

        let admin_audit: Vec<String> = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(pool).await.unwrap());
        for action in ["article_create", "article_submit", "article_publish"] {
            assert!(admin_audit.iter().any(|a| a == action), "{action} in {admin_audit:?}");
        }

        // Unpublish: gone from the public site.
        assert_eq!(act(&app, &editor, id, "go-bai", &[]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(public_status(&app, slug).await, StatusCode::NOT_FOUND);
    }

    async fn editors_return_articles_with_a_comment(app) {
        app.create_user("tacgia", Role::Author).await;
        app.create_user("bientap", Role::Editor).await;
        let author = app.login("tacgia").await;
        let editor = app.login("bientap").await;
        let id = write(&app, &author, "Thông báo lịch họp", "gui-duyet").await;
        let without = act(&app, &editor, id, "tra-lai", &[]).await;
        assert_eq!(without.status, StatusCode::BAD_REQUEST);
        assert!(without.body.contains("Hãy ghi nhận xét"));
        let returned = act(&app, &editor, id, "tra-lai", &[("review_comment", "Bổ sung giờ họp ,  địa điểm.")]).await;
        assert_eq!(returned.status, StatusCode::SEE_OTHER);
        let page = app.get_as(&format!("/admin/articles/{id}"), &author).await;
        assert!(page.body.contains("Nhận xét của Ban biên tập") && page.body.contains("Bổ sung giờ họp, địa điểm."));
        assert!(page.body.contains("value=\"gui-duyet\""), "back in the author's hands");
    }

    async fn scheduled_articles_appear_at_their_time(app) {
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login("bientap").await;
        let id = write(&app, &editor, "Lịch tiêm chủng tháng sau", "luu").await;
        // The test clock: 02/03/2026 08:30 in Vietnam. Schedule 10:00.
        let r = act(&app, &editor, id, "xuat-ban", &[("publish_at", "2026-03-02T10:00")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The notice says when, not "Đã xuất bản".
        let shown = app.get_as(r.redirect(), &editor).await;
        assert!(shown.good().body.contains("Đã hẹn giờ đăng lúc 02/03/2026 10:00."), "{}", shown.body);
        assert!(!shown.body.contains("Đã xuất bản."));
        // The field shows and takes the Vietnamese form whatever the browser.
        assert_eq!(shown.field("publish_at"), "02/03/2026 10:00");
        assert_eq!(public_status(&app, "lich-tiem-chung-thang-sau").await, StatusCode::NOT_FOUND);
        assert!(app.get_as("/admin/articles", &editor).await.body.contains("Hẹn giờ 02/03/2026 10:00"));
        app.clock.advance(Duration::minutes(89));
        assert_eq!(public_status(&app, "lich-tiem-chung-thang-sau").await, StatusCode::NOT_FOUND);
        app.clock.advance(Duration::minutes(2));
        assert_eq!(public_status(&app, "lich-tiem-chung-thang-sau").await, StatusCode::OK);
        let bad = act(&app, &editor, id, "xuat-ban", &[("publish_at", "mai nhé")]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }

    async fn the_second_of_two_concurrent_saves_is_refused_and_keeps_its_text(app) {
        app.create_user("bientap", Role::Editor).await;
        app.create_user("quantri", Role::Admin).await;
        let a = app.login("bientap").await;
        let b = app.login("quantri").await;
        let id = write(&app, &a, "Kế hoạch thu hoạch chè", "luu").await;
        let version = version_of(&app, &a, id).await;
        let save = |who: &Browser, text: &'static str| {
            let version = version.clone();
            let who = who.clone();
            let app = &app;
            async move {
                app.post_multipart(&format!("/admin/articles/{id}"), &who,
                    &[("version", &version), ("title", "Kế hoạch thu hoạch chè"), ("body", text), ("action", "luu")], None).await
            }
        };
        let first = save(&a, "Bản của biên tập viên.").await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        let second = save(&b, "Bản của quản trị viên, gõ rất lâu.").await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        assert!(second.body.contains("Cán bộ bientap đã lưu bài này lúc"), "{}", second.body);
        assert!(second.body.contains("Bản của quản trị viên, gõ rất lâu."), "nothing typed is lost");
        let stored: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE kind = 'news'").fetch_one(pool).await.unwrap());
        assert_eq!(stored, "<p>Bản của biên tập viên.</p>\n");
    }

    async fn every_save_keeps_a_revision_and_old_ones_can_be_restored(app) {
        app.create_user("bientap", Role::Editor).await;
        let e = app.login("bientap").await;
        let id = write(&app, &e, "Tin văn nghệ", "luu").await;
        let v = version_of(&app, &e, id).await;
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &e,
            &[("version", &v), ("title", "Tin văn nghệ (sửa)"), ("body", "Nội dung mới."), ("action", "luu")], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = app.get_as(&format!("/admin/articles/{id}"), &e).await;
        assert!(page.body.contains("Phiên bản 1") && page.body.contains("Phiên bản 2"));
        let first_rev: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM article_revisions WHERE version = 1 AND article_id = $1").bind(id).fetch_one(pool).await.unwrap());
        let shown = app.get_as(&format!("/admin/articles/{id}/revisions/{first_rev}"), &e).await;
        assert!(shown.body.contains("Buổi huấn luyện có 45 chiến sĩ tham gia."));
        let current = version_of(&app, &e, id).await;
        let restored = app.post_form(&format!("/admin/articles/{id}/revisions/{first_rev}/restore"), &e, &[("version", &current)]).await;
        assert_eq!(restored.status, StatusCode::SEE_OTHER);
        let title: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT title FROM articles WHERE kind = 'news'").fetch_one(pool).await.unwrap());
        assert_eq!(title, "Tin văn nghệ");
        assert_eq!(app.count("SELECT COUNT(*) FROM article_revisions r JOIN articles a ON a.id = r.article_id WHERE a.kind = 'news'").await, 3, "the restore is a new revision");
        // Restoring with a stale version is refused.
        let stale = app.post_form(&format!("/admin/articles/{id}/revisions/{first_rev}/restore"), &e, &[("version", &current)]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
    }

    async fn revisions_are_numbered_in_turn_and_compared_word_by_word(app) {
        app.create_user("bientap", Role::Editor).await;
        let e = app.login("bientap").await;
        let id = write(&app, &e, "Lịch họp thôn", "luu").await;
        // Status changes move the article's version but keep no revision.
        act(&app, &e, id, "xuat-ban", &[]).await.expect(StatusCode::SEE_OTHER);
        act(&app, &e, id, "go-bai", &[]).await.expect(StatusCode::SEE_OTHER);
        let v = version_of(&app, &e, id).await;
        app.post_multipart(&format!("/admin/articles/{id}"), &e,
            &[("version", &v), ("title", "Lịch họp thôn"), ("body", "Họp thôn lúc 14 giờ tại nhà văn hoá thôn."), ("action", "luu")], None)
            .await.expect(StatusCode::SEE_OTHER);
        let page = app.get_as(&format!("/admin/articles/{id}"), &e).await;
        let versions: Vec<i64> = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT version FROM article_revisions WHERE article_id = $1 ORDER BY version").bind(id).fetch_all(pool).await.unwrap());
        assert_eq!(versions.len(), 4);
        assert_ne!(versions, vec![1, 2, 3, 4], "the versions skip");
        for n in 1..=4 {
            assert!(page.good().body.contains(&format!(">Phiên bản {n}<")), "numbered in turn: {n}");
        }
        assert!(!page.body.contains(">Phiên bản 5<") && !page.body.contains(">Phiên bản 6<"));
        let revs: Vec<i64> = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM article_revisions WHERE article_id = $1 ORDER BY version").bind(id).fetch_all(pool).await.unwrap());
        let shown = app.get_as(&format!("/admin/articles/{id}/revisions/{}", revs[3]), &e).await;
        assert!(shown.good().body.contains("<h1>Phiên bản 4</h1>"));
        // Compared, whichever order they are asked in.
        for (a, b) in [(revs[0], revs[3]), (revs[3], revs[0])] {
            let c = app.get_as(&format!("/admin/articles/{id}/so-sanh?tu={a}&den={b}"), &e).await;
            let body = &c.good().body;
            assert!(body.contains("So sánh phiên bản 1 và 4"), "{body}");
            assert!(body.contains("<ins>") && body.contains("<del>"), "{body}");
            assert!(body.contains("14 giờ") || body.contains("14</ins>"), "{body}");
        }
        for bad in ["tu=abc&den=1", "den=1", ""] {
            app.get_as(&format!("/admin/articles/{id}/so-sanh?{bad}"), &e).await.expect(StatusCode::BAD_REQUEST);
        }
        app.get_as(&format!("/admin/articles/{id}/so-sanh?tu={}&den=999999", revs[0]), &e).await.expect(StatusCode::NOT_FOUND);
        // Another article's revision is not this one's.
        let other = write(&app, &e, "Bài khác", "luu").await;
        let other_rev: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM article_revisions WHERE article_id = $1").bind(other).fetch_one(pool).await.unwrap());
        app.get_as(&format!("/admin/articles/{id}/so-sanh?tu={}&den={other_rev}", revs[0]), &e).await.expect(StatusCode::NOT_FOUND);
    }

    async fn public_pages_show_changes_at_once_or_within_a_second(app) {
        app.create_user("bientap", Role::Editor).await;
        let e = app.login("bientap").await;
        let id = write(&app, &e, "Tin đầu tiên", "xuat-ban").await;
        let path = "/tin-tuc/tin-dau-tien";
        // Read twice: the second answer comes from the kept page (the
        // article's and the home page's).
        for _ in 0..2 {
            assert!(app.get(path).await.body.contains("<h1>Tin đầu tiên</h1>"));
            assert!(app.get("/").await.body.contains(">Tin đầu tiên</a>"));
        }
        // A save through the site shows on the very next read.
        let v = version_of(&app, &e, id).await;
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &e,
            &[("version", &v), ("title", "Tin đầu tiên (đã sửa)"), ("body", BODY), ("action", "luu")], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get(path).await.body;
        assert!(page.contains("<h1>Tin đầu tiên (đã sửa)</h1>"), "{page}");
        assert!(app.get("/").await.body.contains("Tin đầu tiên (đã sửa)"));
        // A write this process did not make (an import, another server)
        // shows within a second.
        bantin::with_db!(&app.db, pool => sqlx::query("UPDATE articles SET title = 'Tin từ nơi khác'")
            .execute(pool).await.map(|_| ()).unwrap());
        tokio::time::sleep(bantin::content::cache::TTL + std::time::Duration::from_millis(50)).await;
        assert!(app.get(path).await.body.contains("<h1>Tin từ nơi khác</h1>"));
        assert!(app.get("/").await.body.contains(">Tin từ nơi khác</a>"));
        // Unpublishing takes the page down at once, and off the home page.
        let r = act(&app, &e, id, "go-bai", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND);
        assert!(!app.get("/").await.body.contains("Tin từ nơi khác"));
    }

    async fn bodies_are_sanitised(app) {
        app.create_user("bientap", Role::Editor).await;
        let e = app.login("bientap").await;
        let dirty = r#"<p>An toàn <b>giao thông</b><script>alert(1)</script></p><img src=x onerror="alert(2)"><a href="javascript:alert(3)">bấm</a><p style="background:url(javascript:alert(4))">x</p><iframe src="//evil"></iframe>"#;
        let r = app.post_multipart("/admin/articles", &e, &[("title", "An toàn giao thông"), ("body", dirty), ("action", "xuat-ban")], None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get("/tin-tuc/an-toan-giao-thong").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body.split("<div class=\"body\">").nth(1).unwrap().split("</div>").next().unwrap();
        for bad in ["<script", "onerror", "javascript:", "style=", "<iframe"] {
            assert!(!body.contains(bad), "{bad} in {body}");
        }
        // Styled input is restructured (content::pasted): bold as <strong>.
        assert!(body.contains("<p>An toàn <strong>giao thông</strong></p>"), "{body}");
    }

    async fn preview_shows_without_saving_and_lint_warns(app) {
        app.create_user("tacgia", Role::Author).await;
        let a = app.login("tacgia").await;
        let r = app.post_multipart("/admin/articles", &a, &[("title", "Bản thử"), ("body", "Gọi là \"xã mới\"... hoà và thủy"), ("action", "xem-truoc")], None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Bản xem trước") && r.body.contains("<h1>Bản thử</h1>"));
        assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE kind = 'news'").await, 0);
        let id = write(&app, &a, "Bản thử", "luu").await;
        let v = version_of(&app, &a, id).await;
        app.post_multipart(&format!("/admin/articles/{id}"), &a, &[("version", &v), ("title", "Bản thử"), ("body", "Gọi là \"xã mới\"... hoà và thủy"), ("action", "luu")], None).await;
        let page = app.get_as(&format!("/admin/articles/{id}"), &a).await;
        assert!(page.body.contains("Gợi ý chính tả và trình bày"));
        assert!(page.body.contains("Nên dùng ngoặc kép") && page.body.contains("Nên dùng dấu ba chấm") && page.body.contains("Lẫn kiểu bỏ dấu"));
    }

    async fn authors_see_and_touch_only_their_own_articles(app) {
        app.create_user("tacgia", Role::Author).await;
        app.create_user("tacgia2", Role::Author).await;
        let one = app.login("tacgia").await;
        let two = app.login("tacgia2").await;
        let id = write(&app, &one, "Bài của người thứ nhất", "luu").await;
        assert_eq!(app.get_as(&format!("/admin/articles/{id}"), &two).await.status, StatusCode::FORBIDDEN);
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &two, &[("version", "1"), ("title", "Chiếm"), ("body", "x"), ("action", "luu")], None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!app.get_as("/admin/articles", &two).await.body.contains("Bài của người thứ nhất"));
        let bad = app.post_multipart("/admin/articles", &one, &[("title", ""), ("body", "x"), ("action", "luu")], None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("Bài viết cần có tiêu đề."));
    }
}

mod lists {
    use super::*;

    async fn bulk(
        app: &TestApp,
        b: &Browser,
        action: &str,
        ids: &[i64],
    ) -> crate::common::TestResponse {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        let mut fields: Vec<(&str, &str)> = vec![
            ("thao-tac", action),
            ("quay-lai", "/admin/articles?trang-thai=draft"),
        ];
        fields.extend(ids.iter().map(|i| ("chon", i.as_str())));
        app.post_form("/admin/articles/hang-loat", b, &fields).await
    }

    async fn status_of(app: &TestApp, id: i64) -> String {
        bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT status FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap())
    }

    both_databases! {
        async fn staff_search_filter_and_act_on_many_at_once(app) {
            app.create_user("bientap", Role::Editor).await;
            app.create_user("tacgia", Role::Author).await;
            let editor = app.login("bientap").await;
            let author = app.login("tacgia").await;
            let a = write(&app, &author, "Hội nghị Đảng bộ xã Sín Chéng", "luu").await;
            let b = write(&app, &author, "Thôn Nàn Sín làm đường", "luu").await;
            let c = write(&app, &editor, "Lịch tiêm chủng", "luu").await;
            // Search folds as the public search does, in title and text.
            for q in ["sin cheng", "SÍN CHÉNG", "dang bo"] {
                let r = app.get_as(&format!("/admin/articles?q={}", q.replace(' ', "+")), &editor).await;
                assert!(r.good().body.contains("Hội nghị Đảng bộ xã Sín Chéng") && !r.body.contains("Lịch tiêm chủng"), "{q}");
            }
            // By author, status, month; an author sees only their own.
            let editor_id: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE username = 'bientap'").fetch_one(pool).await.unwrap());
            let r = app.get_as(&format!("/admin/articles?tac-gia={editor_id}"), &editor).await;
            assert!(r.good().body.contains("Lịch tiêm chủng") && !r.body.contains("Nàn Sín"));
            assert!(app.get_as("/admin/articles?thang=2026-03", &editor).await.good().body.contains("Nàn Sín"));
            assert!(!app.get_as("/admin/articles?thang=2026-02", &editor).await.good().body.contains("Nàn Sín"));
            assert!(!app.get_as("/admin/articles", &author).await.good().body.contains("Lịch tiêm chủng"));
            for bad in ["thang=2026-13", "thang=abc", "trang-thai=x", "tac-gia=x", "chuyen-muc=1.5", "trang=0"] {
                app.get_as(&format!("/admin/articles?{bad}"), &editor).await.expect(StatusCode::BAD_REQUEST);
            }
            // The author submits two drafts at once; publishing is not theirs.
            let r = bulk(&app, &author, "xuat-ban", &[a, b]).await;
            assert!(r.redirect().contains("xong=0&bo-qua=2"), "{}", r.redirect());
            let r = bulk(&app, &author, "gui-duyet", &[a, b, c]).await;
            assert!(r.redirect().contains("xong=2&bo-qua=1"), "another's draft is not the author's: {}", r.redirect());
            assert_eq!((status_of(&app, a).await, status_of(&app, b).await), ("pending".into(), "pending".into()));
            let shown = app.get_as(r.redirect(), &author).await;
            assert!(shown.good().body.contains("Đã xử lý 2 bài; 1 bài không đổi được"));
            // The editor publishes the three: each by the rules, each audited.
            let r = bulk(&app, &editor, "xuat-ban", &[a, b, c]).await;
            assert!(r.redirect().contains("xong=3&bo-qua=0"), "{}", r.redirect());
            assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'article_publish'").await, 3);
            let r = bulk(&app, &editor, "go-bai", &[a]).await;
            assert!(r.redirect().contains("xong=1"));
            assert_eq!(status_of(&app, a).await, "unpublished");
            // Bad input: nothing chosen, an unknown action, a foreign id.
            app.post_form("/admin/articles/hang-loat", &editor, &[("thao-tac", "xuat-ban")]).await.expect(StatusCode::BAD_REQUEST);
            bulk(&app, &editor, "xoa", &[a]).await.expect(StatusCode::BAD_REQUEST);
            app.post_form("/admin/articles/hang-loat", &editor, &[("thao-tac", "xuat-ban"), ("chon", "abc")]).await.expect(StatusCode::BAD_REQUEST);
            // Another site's article is not this site's to move.
            let other = bantin::site::manage::create(&app.db, None, bantin::site::manage::NewSite {
                host: "xa-khac.example.vn", name: "Xã khác", parent: None, aliases: &[], public_url: None,
            }, app.clock_now()).await.unwrap();
            let page = bantin::content::import::parse("Tin xã khác\n\nNội dung.\n", None).unwrap();
            let theirs = bantin::content::import::store(&app.db, other.id, None, &page, app.clock_now()).await.unwrap();
            let theirs_id: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM articles WHERE site_id = $1").bind(other.id).fetch_one(pool).await.unwrap());
            let _ = theirs;
            let r = bulk(&app, &editor, "go-bai", &[theirs_id]).await;
            assert!(r.redirect().contains("xong=0&bo-qua=1"), "{}", r.redirect());
            assert_eq!(status_of(&app, theirs_id).await, "published");
        }
    }
}

mod autosave {
    use super::*;

    async fn send(app: &TestApp, b: &Browser, id: i64, body: &str) -> crate::common::TestResponse {
        app.post_form(
            &format!("/admin/articles/{id}/tu-luu"),
            b,
            &[
                ("version", "1"),
                ("title", "Lịch họp (đang sửa)"),
                ("body", body),
                ("byline", "Hoàng Văn Tư"),
            ],
        )
        .await
    }

    both_databases! {
        async fn what_is_being_typed_is_kept_on_the_server_until_saved(app) {
            app.create_user("tacgia", Role::Author).await;
            app.create_user("tacgia2", Role::Author).await;
            app.create_user("bientap", Role::Editor).await;
            let a = app.login("tacgia").await;
            let other = app.login("tacgia2").await;
            let e = app.login("bientap").await;
            let id = write(&app, &a, "Lịch họp", "luu").await;
            let before: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
            let page = app.get_as(&format!("/admin/articles/{id}"), &a).await;
            assert!(page.good().body.contains(&format!("data-autosave=\"/admin/articles/{id}/tu-luu\"")));
            app.clock.advance(Duration::seconds(40));
            send(&app, &a, id, "<p>Họp lúc 14 giờ <script>x()</script></p>").await.expect(StatusCode::NO_CONTENT);
            // Within seconds again: refused; 30 s later: replaced, still one.
            send(&app, &a, id, "<p>Lần hai</p>").await.expect(StatusCode::TOO_MANY_REQUESTS);
            app.clock.advance(Duration::seconds(30));
            send(&app, &a, id, "<p>Họp lúc 14 giờ tại nhà văn hoá.</p>").await.expect(StatusCode::NO_CONTENT);
            assert_eq!(app.count("SELECT COUNT(*) FROM article_autosaves").await, 1, "folded into one");
            // The article itself did not change, and no revision was made.
            let now: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
            assert_eq!(now, before);
            assert_eq!(app.count("SELECT COUNT(*) FROM article_revisions r JOIN articles x ON x.id = r.article_id WHERE x.kind = 'news'").await, 1);
            // Opening the article offers it; opening it shows it, sanitised.
            let page = app.get_as(&format!("/admin/articles/{id}"), &a).await;
            assert!(page.good().body.contains("Có bản tự lưu lúc 02/03/2026 08:31"), "{}", page.body);
            let shown = app.get_as(&format!("/admin/articles/{id}?ban-tu-luu=1"), &a).await;
            assert_eq!(shown.good().field("title"), "Lịch họp (đang sửa)");
            assert!(shown.field("body").contains("tại nhà văn hoá"));
            // Nobody else sees it; another author may not send one; the editor may.
            assert!(!app.get_as(&format!("/admin/articles/{id}"), &e).await.good().body.contains("bản tự lưu"));
            send(&app, &other, id, "<p>x</p>").await.expect(StatusCode::FORBIDDEN);
            // Saving drops it.
            let v = version_of(&app, &a, id).await;
            app.post_multipart(&format!("/admin/articles/{id}"), &a, &[("version", &v), ("title", "Lịch họp"), ("body", "Họp lúc 14 giờ."), ("action", "luu")], None)
                .await.expect(StatusCode::SEE_OTHER);
            assert_eq!(app.count("SELECT COUNT(*) FROM article_autosaves").await, 0);
            assert!(!app.get_as(&format!("/admin/articles/{id}"), &a).await.good().body.contains("bản tự lưu"));
            // Another site's staff reach nothing of it.
            let site = bantin::site::manage::create(&app.db, None, bantin::site::manage::NewSite {
                host: "xa-khac.example.vn", name: "Xã khác", parent: None, aliases: &[], public_url: None,
            }, app.clock_now()).await.unwrap();
            app.create_user_on(site.id, "khac", Role::Admin).await;
            let change = bantin::site::manage::Change { host: Some("xa-nay.example.vn".into()), ..Default::default() };
            bantin::site::manage::update(&app.db, None, app.site().id, change, app.clock_now()).await.unwrap();
            app.state.reload_sites().await.unwrap();
            let theirs = app.login_on(Some("xa-khac.example.vn"), "khac").await;
            app.post_form(&format!("/admin/articles/{id}/tu-luu"), &theirs, &[("body", "<p>x</p>")]).await.expect(StatusCode::NOT_FOUND);
            assert_eq!(app.count("SELECT COUNT(*) FROM article_autosaves").await, 0);
        }
    }
}
