//! Hỏi đáp – Góp ý: a reader asks, staff assign, answer and publish, the
//! asker looks it up by code; every abuse guard; personal data never
//! public and gone after the retention period; each site its own; mail
//! through a real SMTP server (Python's aiosmtpd) on loopback.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use bantin::site::manage;
use image::{DynamicImage, Rgb, RgbImage};

use crate::common::{TestApp, TestResponse, html, phone, send};

const NAME: &str = "Giàng Thị Mỷ";
const PHONE: &str = "0912 345 678";
const EMAIL: &str = "giang.thi.my@example.vn";
const TITLE: &str = "Thủ tục đăng ký khai sinh cho con";
const BODY: &str =
    "Con tôi sinh ở trạm y tế xã tháng trước. Tôi cần mang giấy tờ gì để đăng ký khai sinh?";

fn png() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, y| {
        Rgb([x as u8 * 3, y as u8 * 5, 90])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A reader's multipart POST of the question form, from `ip`.
fn ask_request(
    host: Option<&str>,
    ip: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Request<Body> {
    let boundary = "----bantin-question-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut b = Request::post("/hoi-dap/gui-cau-hoi")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header("user-agent", phone(7));
    if let Some(h) = host {
        b = b.header("host", h);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    let socket: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(socket));
    req
}

/// The form's fields for a question, with the token of a freshly shown form.
async fn form_token(router: &Router, host: Option<&str>) -> String {
    let mut b = Request::get("/hoi-dap/gui-cau-hoi");
    if let Some(h) = host {
        b = b.header("host", h);
    }
    let page = send(router, b.body(Body::empty()).unwrap()).await;
    html::field(&page.good().body, "ma-bieu-mau").expect("the form's token")
}

struct Asked {
    title: String,
    body: String,
    email: String,
    trap: String,
    consent: bool,
    field: String,
}

impl Default for Asked {
    fn default() -> Self {
        Asked {
            title: TITLE.into(),
            body: BODY.into(),
            email: EMAIL.into(),
            trap: String::new(),
            consent: true,
            field: String::new(),
        }
    }
}

/// Shows the form, waits as a person would, and sends it.
async fn ask_on(
    app: &TestApp,
    router: &Router,
    host: Option<&str>,
    ip: &str,
    asked: &Asked,
    file: Option<(&str, &[u8])>,
) -> TestResponse {
    let token = form_token(router, host).await;
    app.clock.advance(chrono::Duration::seconds(30));
    let mut fields = vec![
        ("ma-bieu-mau", token.as_str()),
        ("ho-ten", NAME),
        ("dien-thoai", PHONE),
        ("thu-dien-tu", asked.email.as_str()),
        ("linh-vuc", asked.field.as_str()),
        ("tieu-de", asked.title.as_str()),
        ("noi-dung", asked.body.as_str()),
        ("trang-web", asked.trap.as_str()),
    ];
    if asked.consent {
        fields.push(("dong-y", "1"));
    }
    send(router, ask_request(host, ip, &fields, file)).await
}

async fn ask(app: &TestApp, asked: &Asked, file: Option<(&str, &[u8])>) -> TestResponse {
    ask_on(app, &app.router, None, "203.0.113.9", asked, file).await
}

/// The tracking code a thank-you page shows.
fn code_of(r: &TestResponse) -> String {
    html::text_of(&r.body, "strong", "tracking-code")
        .unwrap_or_else(|| panic!("no code in {}", r.body))
}

async fn question_id(app: &TestApp, title: &str) -> i64 {
    bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM questions WHERE title = $1")
        .bind(title).fetch_one(pool).await.unwrap())
}

async fn version(app: &TestApp, id: i64) -> String {
    let v: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT version FROM questions WHERE id = $1")
        .bind(id).fetch_one(pool).await.unwrap());
    v.to_string()
}

both_databases! {
    async fn ask_assign_answer_publish_and_look_it_up(app) {
        let field = add_field(&app, "Hộ tịch").await;
        let asked = Asked { field: field.to_string(), ..Asked::default() };
        let r = ask(&app, &asked, Some(("giay-chung-sinh.png", &png()))).await;
        assert!(r.good().body.contains("Đã nhận câu hỏi"), "{}", r.body);
        let code = code_of(&r);
        assert!(code.starts_with("HD-") && code.len() == 14, "{code}");
        let id = question_id(&app, TITLE).await;
        // The field a question uses stays in the list.
        let kept = bantin::content::document::terms::remove(&app.db, app.site().id, None, bantin::content::document::terms::List::Field, field, app.clock_now()).await.unwrap();
        assert!(kept.unwrap_err().contains("câu hỏi"));
        // The asker's look-up: received, nothing more.
        let look = app.get(&format!("/hoi-dap/tra-cuu?ma={}", code.to_lowercase())).await;
        assert!(look.good().body.contains("Đã nhận, đang chờ xử lý."), "{}", look.body);
        // Staff: the dashboard counts it, the queue lists it.
        app.create_user("bientap", Role::Editor).await;
        let author = app.create_user("tacgia", Role::Author).await;
        let editor = app.login("bientap").await;
        let dash = app.get_as("/admin", &editor).await;
        assert!(dash.good().body.contains("1 câu hỏi mới"), "{}", dash.body);
        let queue = app.get_as("/admin/hoi-dap?trang-thai=new", &editor).await;
        assert!(queue.good().body.contains(TITLE));
        let page = app.get_as(&format!("/admin/hoi-dap/{id}"), &editor).await;
        assert!(page.good().body.contains(PHONE) && page.body.contains(EMAIL), "editors see the contact");
        let file = app.get_as(&format!("/admin/hoi-dap/{id}/tep"), &editor).await;
        assert_eq!(file.good().header("content-type"), "image/png");
        // Assigned to an author, who answers; the editor publishes.
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}/giao"), &editor, &[("nguoi-nhan", &author.to_string()), ("phien-ban", &v)])
            .await.expect(StatusCode::SEE_OTHER);
        let writer = app.login("tacgia").await;
        let mine = app.get_as(&format!("/admin/hoi-dap/{id}"), &writer).await;
        assert!(mine.good().body.contains(PHONE), "the assignee sees the contact");
        let v = version(&app, id).await;
        let body = "Con tôi sinh ở trạm y tế xã. Cần mang giấy tờ gì?";
        let answer = "Bạn mang Giấy chứng sinh và CCCD của cha mẹ đến bộ phận một cửa.\nThời hạn giải quyết: trong ngày.";
        app.post_form(&format!("/admin/hoi-dap/{id}"), &writer, &[("tieu-de", TITLE), ("cau-hoi", body), ("tra-loi", answer), ("phien-ban", &v), ("thao-tac", "luu")])
            .await.expect(StatusCode::SEE_OTHER);
        // An author cannot publish.
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}"), &writer, &[("tieu-de", TITLE), ("cau-hoi", body), ("tra-loi", answer), ("phien-ban", &v), ("thao-tac", "dang")])
            .await.expect(StatusCode::FORBIDDEN);
        assert!(app.get("/hoi-dap").await.good().body.contains("Chưa có câu hỏi nào"));
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &[("tieu-de", TITLE), ("cau-hoi", body), ("tra-loi", answer), ("phien-ban", &v), ("thao-tac", "dang")])
            .await.expect(StatusCode::SEE_OTHER);
        // Readers: the list, the page with QAPage and DC, by field, by search.
        let list = app.get("/hoi-dap").await;
        assert!(list.good().body.contains(TITLE));
        let slug: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM questions WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        let pair = app.get(&format!("/hoi-dap/{slug}")).await;
        assert!(pair.good().body.contains("Giấy chứng sinh"));
        assert!(pair.body.contains(r#""@type":"QAPage""#) && pair.body.contains(r#""acceptedAnswer""#));
        assert!(pair.body.contains(r#"name="DC.title""#), "Dublin Core");
        assert!(app.get("/hoi-dap?linh-vuc=ho-tich").await.good().body.contains(TITLE));
        for q in ["khai sinh", "KHAI SINH", "giay chung sinh", "Giấy chứng sinh"] {
            let found = app.get(&format!("/hoi-dap?q={}", q.replace(' ', "+"))).await;
            assert!(found.good().body.contains(TITLE), "{q}");
        }
        assert!(!app.get("/hoi-dap?q=xay+dung").await.good().body.contains(TITLE));
        app.get("/hoi-dap?linh-vuc=khong-co").await.expect(StatusCode::BAD_REQUEST);
        app.get("/hoi-dap?trang=abc").await.expect(StatusCode::BAD_REQUEST);
        // Sitemap and feed.
        assert!(app.get("/sitemap.xml").await.good().body.contains(&format!("/hoi-dap/{slug}")));
        assert!(app.get("/hoi-dap/rss.xml").await.good().body.contains(TITLE));
        // The asker's code now leads to the answer.
        let look = app.get(&format!("/hoi-dap/tra-cuu?ma={code}")).await;
        assert!(look.good().body.contains(&format!("/hoi-dap/{slug}")));
        // Taken down: gone from the site, back to answered.
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}/go"), &editor, &[("phien-ban", &v)]).await.expect(StatusCode::SEE_OTHER);
        app.get(&format!("/hoi-dap/{slug}")).await.expect(StatusCode::NOT_FOUND);
        // Every step is in the audit log.
        for action in ["question_assign", "question_answer", "question_publish", "question_unpublish"] {
            let sql: &'static str = Box::leak(format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'").into_boxed_str());
            assert_eq!(app.count(sql).await, 1, "{action}");
        }
    }

    async fn personal_data_is_never_public(app) {
        let r = ask(&app, &Asked::default(), Some(("anh.png", &png()))).await;
        let code = code_of(r.good());
        let id = question_id(&app, TITLE).await;
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login("bientap").await;
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &[("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "Mang giấy chứng sinh."), ("phien-ban", &v), ("thao-tac", "dang")])
            .await.expect(StatusCode::SEE_OTHER);
        let slug: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM questions WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        let pages = [
            "/".to_owned(), "/hoi-dap".into(), format!("/hoi-dap/{slug}"), "/hoi-dap/rss.xml".into(),
            "/sitemap.xml".into(), "/rss.xml".into(), format!("/hoi-dap/tra-cuu?ma={code}"),
            "/hoi-dap?q=khai+sinh".into(), "/tim-kiem?q=khai+sinh".into(), "/api/v1/search?q=khai+sinh".into(),
            "/so-do".into(),
        ];
        for path in pages {
            let r = app.get(&path).await;
            assert!(r.status.is_success(), "{path}: {}", r.status);
            for secret in [NAME, PHONE, EMAIL, "0912345678", "giang.thi.my"] {
                assert!(!r.body.contains(secret), "{secret} on {path}");
            }
        }
        // The attachment is for staff only.
        app.get(&format!("/admin/hoi-dap/{id}/tep")).await.expect(StatusCode::SEE_OTHER);
    }

    async fn each_abuse_guard_refuses_and_stores_nothing(app) {
        let count = || app.count("SELECT COUNT(*) FROM questions");
        // The hidden field, filled in by a script.
        let r = ask(&app, &Asked { trap: "http://spam.example".into(), ..Asked::default() }, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Để trống ô này"), "{}", r.body);
        // Sent the instant the form was shown.
        let token = form_token(&app.router, None).await;
        let fields = [("ma-bieu-mau", token.as_str()), ("ho-ten", NAME), ("tieu-de", TITLE), ("noi-dung", BODY), ("dong-y", "1")];
        let r = send(&app.router, ask_request(None, "203.0.113.9", &fields, None)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("quá nhanh"));
        // The same token a little later passes (the wait already counted).
        app.clock.advance(chrono::Duration::seconds(10));
        let r = send(&app.router, ask_request(None, "203.0.113.9", &fields, None)).await;
        assert!(r.good().body.contains("Đã nhận câu hỏi"));
        // No token, a forged one, one from a day ago.
        for bad in ["", "1.abc", &format!("{}.00", app.clock_now().timestamp() - 60)] {
            let fields = [("ma-bieu-mau", bad), ("ho-ten", NAME), ("tieu-de", "Khác"), ("noi-dung", "Câu hỏi khác"), ("dong-y", "1")];
            let r = send(&app.router, ask_request(None, "203.0.113.9", &fields, None)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(r.body.contains("hết hạn"));
        }
        let old = form_token(&app.router, None).await;
        app.clock.advance(chrono::Duration::hours(25));
        let fields = [("ma-bieu-mau", old.as_str()), ("ho-ten", NAME), ("tieu-de", "Khác"), ("noi-dung", "Câu hỏi khác"), ("dong-y", "1")];
        assert_eq!(send(&app.router, ask_request(None, "203.0.113.9", &fields, None)).await.status, StatusCode::BAD_REQUEST);
        // Links.
        let spam = Asked { title: "Mua hàng".into(), body: "Xem https://a.example, http://b.example và www.c.example".into(), ..Asked::default() };
        let r = ask(&app, &spam, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("liên kết"));
        // The same question again, typed differently.
        let again = Asked { title: TITLE.to_uppercase(), body: vntext::fold(BODY), ..Asked::default() };
        let r = ask(&app, &again, None).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("đã được gửi trước đây"));
        // No consent, no name, too long.
        let r = ask(&app, &Asked { title: "Câu hỏi 2".into(), consent: false, ..Asked::default() }, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("đồng ý"));
        let r = ask(&app, &Asked { title: "Câu hỏi 3".into(), body: "x".repeat(4001), ..Asked::default() }, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = ask(&app, &Asked { title: "Câu hỏi 4".into(), email: "khong-phai-thu".into(), ..Asked::default() }, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // An attachment whose name lies.
        let r = ask(&app, &Asked { title: "Câu hỏi 5".into(), ..Asked::default() }, Some(("anh-chup.jpg", b"MZ\x90\x00This program cannot be run in DOS mode"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("không phải ảnh"));
        let r = ask(&app, &Asked { title: "Câu hỏi 6".into(), ..Asked::default() }, Some(("don.pdf", b"<html><script>alert(1)</script></html>"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // The form comes back with what was typed.
        assert!(r.body.contains("Câu hỏi 6") && r.body.contains(NAME));
        assert_eq!(count().await, 1, "only the one good question is stored");
        assert_eq!(app.count("SELECT COUNT(*) FROM question_files").await, 0);
        // The visitor's daily limit: three a day, then 429; tomorrow again.
        for n in 2..=4 {
            let r = ask(&app, &Asked { title: format!("Câu hỏi số {n}"), body: format!("Nội dung {n}"), ..Asked::default() }, None).await;
            assert!(r.good().body.contains("Đã nhận"), "{n}");
        }
        let r = ask(&app, &Asked { title: "Câu hỏi số 5".into(), body: "Nội dung 5".into(), ..Asked::default() }, None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("tối đa 3 câu hỏi"));
        // Another reader that day is not held back.
        let other = ask_on(&app, &app.router, None, "198.51.100.20", &Asked { title: "Của người khác".into(), body: "Nội dung khác".into(), ..Asked::default() }, None).await;
        assert!(other.good().body.contains("Đã nhận"));
        assert_eq!(count().await, 5);
        // A body that is not a form.
        let mut req = Request::post("/hoi-dap/gui-cau-hoi").header("content-type", "text/plain").header("sec-fetch-site", "same-origin").body(Body::from("x")).unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([203, 0, 113, 9], 4000))));
        assert_eq!(app.request(req).await.status, StatusCode::BAD_REQUEST);
        // From another site: refused before anything is read.
        let mut req = ask_request(None, "203.0.113.9", &[("ho-ten", NAME)], None);
        req.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert_eq!(app.request(req).await.status, StatusCode::FORBIDDEN);
        // Look-ups: malformed and unknown codes.
        app.get("/hoi-dap/tra-cuu?ma=abc").await.expect(StatusCode::BAD_REQUEST);
        app.get("/hoi-dap/tra-cuu?ma=HD-22222-22222").await.expect(StatusCode::NOT_FOUND);
    }

    async fn staff_steps_conflict_rather_than_overwrite(app) {
        ask(&app, &Asked::default(), None).await.good();
        let id = question_id(&app, TITLE).await;
        app.create_user("bientap", Role::Editor).await;
        app.create_user("tacgia", Role::Author).await;
        let editor = app.login("bientap").await;
        let author = app.login("tacgia").await;
        let v = version(&app, id).await;
        // An author not assigned cannot answer, nor assign, nor refuse.
        app.post_form(&format!("/admin/hoi-dap/{id}"), &author, &[("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "x"), ("phien-ban", &v)])
            .await.expect(StatusCode::FORBIDDEN);
        app.post_form(&format!("/admin/hoi-dap/{id}/giao"), &author, &[("nguoi-nhan", ""), ("phien-ban", &v)]).await.expect(StatusCode::FORBIDDEN);
        app.post_form(&format!("/admin/hoi-dap/{id}/tu-choi"), &author, &[("ly-do", "x"), ("phien-ban", &v)]).await.expect(StatusCode::FORBIDDEN);
        let page = app.get_as(&format!("/admin/hoi-dap/{id}"), &author).await;
        assert!(!page.good().body.contains(PHONE), "an author not assigned does not see the contact");
        app.get_as(&format!("/admin/hoi-dap/{id}/tep"), &author).await.expect(StatusCode::FORBIDDEN);
        // Two editors from the same version: the second is refused and
        // shown what it sent.
        app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &[("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "Trả lời thứ nhất."), ("phien-ban", &v)])
            .await.expect(StatusCode::SEE_OTHER);
        let r = app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &[("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "Trả lời thứ hai."), ("phien-ban", &v)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("Trả lời thứ hai."));
        let kept: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT answer FROM questions WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        assert!(kept.contains("thứ nhất"));
        // Bad input changes nothing.
        let v = version(&app, id).await;
        for fields in [
            vec![("tieu-de", ""), ("cau-hoi", BODY), ("tra-loi", "x"), ("phien-ban", v.as_str())],
            vec![("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "  "), ("phien-ban", v.as_str())],
            vec![("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "x"), ("phien-ban", "abc")],
            vec![("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "x"), ("phien-ban", v.as_str()), ("thao-tac", "xoa")],
        ] {
            let r = app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &fields).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{fields:?}: {}", r.body);
        }
        app.post_form(&format!("/admin/hoi-dap/{id}/tu-choi"), &editor, &[("ly-do", ""), ("phien-ban", &v)]).await.expect(StatusCode::BAD_REQUEST);
        assert_eq!(version(&app, id).await, v);
        // Refused: the asker sees why; it cannot be published.
        app.post_form(&format!("/admin/hoi-dap/{id}/tu-choi"), &editor, &[("ly-do", "Không thuộc thẩm quyền của xã."), ("phien-ban", &v)])
            .await.expect(StatusCode::SEE_OTHER);
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &[("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "x"), ("phien-ban", &v), ("thao-tac", "dang")])
            .await.expect(StatusCode::BAD_REQUEST);
        let code: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT code FROM questions WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        let look = app.get(&format!("/hoi-dap/tra-cuu?ma={code}")).await;
        assert!(look.good().body.contains("Không thuộc thẩm quyền của xã."));
        app.get_as("/admin/hoi-dap?trang-thai=sai", &editor).await.expect(StatusCode::BAD_REQUEST);
        app.get_as("/admin/hoi-dap/999999", &editor).await.expect(StatusCode::NOT_FOUND);
    }

    async fn contact_details_are_removed_after_the_sites_retention(app) {
        let other = two_sites(&app).await;
        bantin::with_db!(&app.db, pool => sqlx::query("UPDATE sites SET question_retention_months = 24 WHERE id = $1")
            .bind(other).execute(pool).await.map(|_| ()).unwrap());
        app.state.reload_sites().await.unwrap();
        ask_on(&app, &app.router, Some(HERE), "203.0.113.9", &Asked::default(), Some(("anh.png", &png()))).await.good();
        ask_on(&app, &app.router, Some(OTHER), "198.51.100.7", &Asked::default(), Some(("anh.png", &png()))).await.good();
        let id = question_id_on(&app, app.site().id).await;
        // Eleven months on, nothing is removed.
        app.clock.advance(chrono::Duration::days(335));
        assert_eq!(bantin::content::question::remove_expired_contacts(&app.db, app.clock_now()).await.unwrap(), 0);
        // Thirteen: this site's asker's phone, email and file are gone; the
        // other site keeps its own for 24 months.
        app.clock.advance(chrono::Duration::days(60));
        assert_eq!(bantin::content::question::remove_expired_contacts(&app.db, app.clock_now()).await.unwrap(), 1);
        let left: Vec<String> = app.strings("SELECT phone || '|' || email FROM questions ORDER BY id").await;
        assert_eq!(left, vec!["|".to_owned(), format!("{PHONE}|{EMAIL}")]);
        assert_eq!(app.count("SELECT COUNT(*) FROM question_files").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'question_contacts_removed'").await, 1);
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login_on(Some(HERE), "bientap").await;
        let page = app.get_as(&format!("/admin/hoi-dap/{id}"), &editor).await;
        assert!(page.good().body.contains("Đã tự động xoá") && !page.body.contains(PHONE));
        // Again: nothing more to do.
        assert_eq!(bantin::content::question::remove_expired_contacts(&app.db, app.clock_now()).await.unwrap(), 0);
        // The retention is the site's setting, 1 to 60 months.
        let admin_id = app.create_user("quantri", Role::Admin).await;
        let _ = admin_id;
        let admin = app.login_on(Some(HERE), "quantri").await;
        let site = app.site();
        let r = app.post_form("/admin/settings", &admin, &[("name", site.name.as_str()), ("tone_style", "author"), ("question_retention_months", "61")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        app.post_form("/admin/settings", &admin, &[("name", site.name.as_str()), ("tone_style", "author"), ("question_retention_months", "6")])
            .await.expect(StatusCode::SEE_OTHER);
        let months: i64 = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT question_retention_months FROM sites WHERE id = $1").bind(site.id).fetch_one(pool).await.unwrap());
        assert_eq!(months, 6);
    }

    async fn each_site_sees_only_its_own_questions(app) {
        let other = two_sites(&app).await;
        let r = ask_on(&app, &app.router, Some(HERE), "203.0.113.9", &Asked::default(), None).await;
        let code = code_of(r.good());
        let id = question_id(&app, TITLE).await;
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login_on(Some(HERE), "bientap").await;
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}"), &editor, &[("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "Mang giấy chứng sinh."), ("phien-ban", &v), ("thao-tac", "dang")])
            .await.expect(StatusCode::SEE_OTHER);
        let slug: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM questions WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        // The other site's readers and staff see none of it.
        assert!(!app.get_on(OTHER, "/hoi-dap").await.good().body.contains(TITLE));
        app.get_on(OTHER, &format!("/hoi-dap/{slug}")).await.expect(StatusCode::NOT_FOUND);
        app.get_on(OTHER, &format!("/hoi-dap/tra-cuu?ma={code}")).await.expect(StatusCode::NOT_FOUND);
        assert!(!app.get_on(OTHER, "/hoi-dap/rss.xml").await.good().body.contains(TITLE));
        assert!(!app.get_on(OTHER, "/sitemap.xml").await.good().body.contains("/hoi-dap/"));
        app.create_user_on(other, "bientap", Role::Editor).await;
        let theirs = app.login_on(Some(OTHER), "bientap").await;
        assert!(!app.get_as("/admin/hoi-dap", &theirs).await.good().body.contains(TITLE));
        app.get_as(&format!("/admin/hoi-dap/{id}"), &theirs).await.expect(StatusCode::NOT_FOUND);
        app.get_as(&format!("/admin/hoi-dap/{id}/tep"), &theirs).await.expect(StatusCode::NOT_FOUND);
        let v = version(&app, id).await;
        app.post_form(&format!("/admin/hoi-dap/{id}/go"), &theirs, &[("phien-ban", &v)]).await.expect(StatusCode::NOT_FOUND);
        app.post_form(&format!("/admin/hoi-dap/{id}/tu-choi"), &theirs, &[("ly-do", "x"), ("phien-ban", &v)]).await.expect(StatusCode::NOT_FOUND);
        // Its own staff cannot be given another site's question either.
        let stranger = app.create_user_on(other, "nguoikhac", Role::Author).await;
        let q2 = ask_on(&app, &app.router, Some(HERE), "198.51.100.8", &Asked { title: "Câu hỏi thứ hai".into(), body: "Nội dung thứ hai".into(), ..Asked::default() }, None).await;
        q2.good();
        let id2 = question_id(&app, "Câu hỏi thứ hai").await;
        let v2 = version(&app, id2).await;
        app.post_form(&format!("/admin/hoi-dap/{id2}/giao"), &editor, &[("nguoi-nhan", &stranger.to_string()), ("phien-ban", &v2)])
            .await.expect(StatusCode::BAD_REQUEST);
        // The same question on another site is not a duplicate there.
        ask_on(&app, &app.router, Some(OTHER), "198.51.100.9", &Asked::default(), None).await.good();
    }

    async fn mail_reaches_staff_and_the_asker_through_smtp(app) {
        let Some(smtp) = Smtp::start() else { return };
        let port = smtp.port;
        // Sending starts while the server is still down: it is retried.
        drop(smtp);
        let (state, router) = app.with_settings(|s| s.smtp_url = Some(bantin::mail::SmtpUrl(format!("smtp://127.0.0.1:{port}")))).await;
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login("bientap").await;
        let r = send(&router, with_cookie(&editor, Request::post("/admin/tai-khoan/thu"), &[("csrf", editor.csrf.as_str()), ("email", "bientap@xa.example.vn"), ("bao-cau-hoi", "1")])).await;
        r.expect(StatusCode::SEE_OTHER);
        let r = ask_on(&app, &router, None, "203.0.113.9", &Asked::default(), None).await;
        assert!(r.good().body.contains("chúng tôi sẽ gửi thư"), "{}", r.body);
        let failed = wait_for(|| async {
            app.count("SELECT COUNT(*) FROM mail_outbox WHERE attempts >= 1 AND error <> ''").await == 1
        }).await;
        assert!(failed, "a first try, failed");
        let smtp = Smtp::start_on(port).expect("aiosmtpd");
        app.clock.advance(chrono::Duration::minutes(2));
        state.mailer().unwrap().wake();
        let got = smtp.wait_for(1).await;
        assert!(got[0].contains("bientap@xa.example.vn") && got[0].contains("/admin/hoi-dap/"), "{}", got[0]);
        assert!(!got[0].contains(PHONE) && !got[0].contains(EMAIL), "no asker's contact in staff mail");
        // Published: the asker hears, with the link and the code.
        let id = question_id(&app, TITLE).await;
        let v = version(&app, id).await;
        let r = send(&router, with_cookie(&editor, Request::post(format!("/admin/hoi-dap/{id}")), &[("csrf", editor.csrf.as_str()), ("tieu-de", TITLE), ("cau-hoi", BODY), ("tra-loi", "Mang giấy chứng sinh."), ("phien-ban", &v), ("thao-tac", "dang")])).await;
        r.expect(StatusCode::SEE_OTHER);
        let got = smtp.wait_for(2).await;
        let to_asker = got.iter().find(|m| m.contains(EMAIL)).expect("the asker's mail");
        assert!(to_asker.contains("/hoi-dap/") && to_asker.contains("HD-"), "{to_asker}");
        assert!(wait_for(|| async { app.count("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL").await == 0 }).await);
        // Without SMTP nothing is queued at all.
        let before = app.count("SELECT COUNT(*) FROM mail_outbox").await;
        ask(&app, &Asked { title: "Không có thư".into(), body: "Nội dung khác hẳn".into(), ..Asked::default() }, None).await.good();
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_outbox").await, before);
    }
}

const HERE: &str = "xa-nay.example.vn";
const OTHER: &str = "xa-khac.example.vn";

/// The default site at `HERE` and a second site at `OTHER` (its id).
async fn two_sites(app: &TestApp) -> i64 {
    let change = manage::Change {
        host: Some(HERE.into()),
        ..manage::Change::default()
    };
    manage::update(&app.db, None, app.site().id, change, app.clock_now())
        .await
        .unwrap();
    let other = manage::create(
        &app.db,
        None,
        manage::NewSite {
            host: OTHER,
            name: "Xã khác",
            parent: None,
            aliases: &[],
            public_url: None,
        },
        app.clock_now(),
    )
    .await
    .unwrap();
    app.state.reload_sites().await.unwrap();
    other.id
}

async fn add_field(app: &TestApp, name: &str) -> i64 {
    use bantin::content::document::terms::{self, List};
    let site = app.site().id;
    terms::save(
        &app.db,
        site,
        None,
        List::Field,
        None,
        name,
        "1",
        app.clock_now(),
    )
    .await
    .unwrap()
    .unwrap();
    terms::find_by_slug(&app.db, site, List::Field, &vntext::slugify(name))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn question_id_on(app: &TestApp, site_id: i64) -> i64 {
    bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM questions WHERE site_id = $1 ORDER BY id LIMIT 1")
        .bind(site_id).fetch_one(pool).await.unwrap())
}

fn with_cookie(
    browser: &crate::common::Browser,
    b: axum::http::request::Builder,
    fields: &[(&str, &str)],
) -> Request<Body> {
    b.header("cookie", &browser.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap()
}

async fn wait_for<F, Fut>(mut ok: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if ok().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Python's aiosmtpd, writing what it receives into a maildir.
struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Smtp {
    fn start() -> Option<Smtp> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Smtp::start_on(port)
    }

    fn start_on(port: u16) -> Option<Smtp> {
        let present = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !present {
            assert!(
                std::env::var_os("CI").is_none(),
                "aiosmtpd (pip install aiosmtpd) must be installed in CI"
            );
            eprintln!("aiosmtpd is not installed: skipping the mail test");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let up = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "aiosmtpd did not start");
        Some(Smtp { child, port, dir })
    }

    /// Waits until `n` messages arrived; returns them (decoded headers and body).
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let new = self.dir.path().join("maildir").join("new");
        for _ in 0..200 {
            let mut got: Vec<String> = std::fs::read_dir(&new)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .filter_map(|e| std::fs::read(e.path()).ok())
                        .map(|b| decode(&String::from_utf8_lossy(&b)))
                        .collect()
                })
                .unwrap_or_default();
            if got.len() >= n {
                got.sort();
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} messages arrived");
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message with its quoted-printable or base64 body decoded enough to
/// search it for addresses and links.
fn decode(raw: &str) -> String {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let text = if head
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: base64")
    {
        use base64_lite::decode as b64;
        String::from_utf8_lossy(&b64(&body.split_whitespace().collect::<String>())).into_owned()
    } else {
        body.replace("=\r\n", "").replace("=\n", "")
    };
    format!("{head}\n\n{text}")
}

/// Just enough base64 for mail bodies.
mod base64_lite {
    pub fn decode(s: &str) -> Vec<u8> {
        let val = |c: u8| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        };
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0);
        for v in s.bytes().filter_map(val) {
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        out
    }
}
