//! Hostile input: script in every text field never comes back executable;
//! bad bytes and path tricks are refused with a 4xx and change nothing.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;

/// Classic and less classic ways to get script into a page.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<a href=\"javascript:alert(1)\">bấm</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "\u{3c}script\u{3e}alert(1)\u{3c}/script\u{3e}",
    "<scr<script>ipt>alert(1)</script>",
    "{{7*7}} ${alert(1)} </script><script>alert(1)</script>",
    "\"}]</script><script>alert(1)</script>",
];

/// Tags a page may contain are ours; this finds what an attacker would
/// need: a script that runs, an event handler, a `javascript:` URL, or a
/// frame/embed.
fn executable_parts(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset;
        i = start + 1;
        let Some(first) = bytes.get(start + 1) else {
            break;
        };
        if !first.is_ascii_alphabetic() {
            continue;
        }
        // The tag runs to the first `>` outside quotes.
        let mut end = start + 1;
        let mut quote = None;
        while end < bytes.len() {
            match (quote, bytes[end]) {
                (None, b'"' | b'\'') => quote = Some(bytes[end]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            end += 1;
        }
        let tag = &html[start..end.min(html.len())];
        let lower = tag.to_ascii_lowercase();
        let name: String = lower[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attributes = &lower[1 + name.len()..];
        let is_data_block = name == "script" && attributes.contains("type=\"application/ld+json\"");
        let is_our_script = name == "script" && attributes.contains("src=\"/static/");
        if is_data_block {
            // JSON-LD is data; it must not be able to close its element.
            let content_end = html[end..]
                .find("</script>")
                .map_or(html.len(), |e| end + e);
            if html[end + 1..content_end].contains('<') {
                found.push(format!(
                    "markup inside JSON-LD: {}",
                    &html[end + 1..content_end]
                ));
            }
        } else if name == "script" && !is_our_script
            || ["iframe", "frame", "object", "embed", "svg", "math", "base"]
                .contains(&name.as_str())
        {
            found.push(tag.to_owned());
        }
        for (attribute, value) in attributes_of(attributes) {
            let url_like = ["href", "src", "action", "formaction", "style", "xlink:href"];
            if attribute.starts_with("on")
                || url_like.contains(&attribute.as_str())
                    && value.trim_start().starts_with("javascript:")
                || attribute == "style" && value.contains("javascript:")
            {
                found.push(tag.to_owned());
            }
        }
    }
    found
}

/// `name="value" name=value name` → (name, value) pairs.
fn attributes_of(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).map_or(after.len(), |e| e + 1);
                    (&after[1..close], after.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let e = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..e], &after[e..])
                }
            };
            value = v.to_owned();
            rest = tail;
        }
        if !name.is_empty() {
            out.push((name, value));
        }
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
    }
    out
}

fn assert_inert(what: &str, body: &str) {
    let bad = executable_parts(body);
    assert!(bad.is_empty(), "{what} returned executable markup: {bad:?}");
}

#[test]
fn the_checker_catches_what_it_should() {
    for p in PAYLOADS.iter().take(12) {
        assert!(!executable_parts(p).is_empty(), "{p}");
    }
    assert!(
        executable_parts("<p title=\"a>b\">x</p><script src=\"/static/x.js\"></script>").is_empty()
    );
    assert!(
        !executable_parts("<script type=\"application/ld+json\">{\"a\":\"</p><script>\"}</script>")
            .is_empty()
    );
}

async fn get(app: &TestApp, uri: &str) -> crate::common::TestResponse {
    app.get(uri).await
}

both_databases! {
    async fn script_in_every_field_never_comes_back_executable(app) {
        app.create_user("quantri", Role::Admin).await;
        let admin = app.login("quantri").await;
        for (n, payload) in PAYLOADS.iter().enumerate() {
            let category = format!("Mục {n} {payload}");
            let r = app.post_form("/admin/categories", &admin, &[("name", &category)]).await;
            assert!(r.status == StatusCode::SEE_OTHER || r.status.is_client_error(), "{}: {}", r.status, r.body);
            let category_id = app.count("SELECT MAX(id) FROM categories").await.to_string();
            let title = format!("Tin {n} {payload}");
            let r = app.post_multipart("/admin/articles", &admin, &[
                ("title", &title),
                ("summary", payload),
                ("body", &format!("<p>Đoạn {n}</p>{payload}")),
                ("byline", payload),
                ("category", &category_id),
                ("action", "xuat-ban"),
            ], None).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let id = crate::common::article_id_of(&r);
            assert_inert("the editor", &app.get_as(&format!("/admin/articles/{id}"), &admin).await.body);
        }
        let slugs = app.strings("SELECT slug FROM articles WHERE kind = 'news'").await;
        assert_eq!(slugs.len(), PAYLOADS.len());
        for slug in &slugs {
            let r = get(&app, &format!("/tin-tuc/{slug}")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert_inert("an article page", &r.body);
        }
        let categories = app.strings("SELECT slug FROM categories").await;
        for slug in &categories {
            assert_inert("a category feed", &get(&app, &format!("/chuyen-muc/{slug}/rss.xml")).await.body);
        }
        for uri in ["/", "/tin-tuc", "/tin-tuc?trang=2", "/rss.xml", "/sitemap.xml"] {
            assert_inert(uri, &get(&app, uri).await.body);
        }
        for uri in ["/admin/articles", "/admin/categories", "/admin", "/admin/audit"] {
            assert_inert(uri, &app.get_as(uri, &admin).await.body);
        }
        for payload in PAYLOADS {
            let q: String = serde_urlencoded::to_string([("q", payload)]).unwrap();
            let page = get(&app, &format!("/tim-kiem?{q}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert_inert("the search page", &page.body);
            let api = get(&app, &format!("/api/v1/search?{q}")).await;
            assert_eq!(api.status, StatusCode::OK);
            serde_json::from_str::<serde_json::Value>(&api.body).unwrap();
            // A login name is echoed back in the form after a failure.
            let r = app.post_login(payload, "sai mật khẩu", None).await;
            assert!(r.status.is_client_error(), "{}", r.status);
            assert_inert("the login page", &r.body);
        }
    }

    async fn bad_bytes_are_a_4xx_in_vietnamese_and_store_nothing(app) {
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login("bientap").await;
        for uri in ["/tim-kiem?q=%FF%FE", "/tim-kiem?q=a%00b", "/api/v1/search?q=%C3", "/tin-tuc?trang=%00", "/?x=%ED%A0%80"] {
            let r = get(&app, uri).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(r.body.contains("không hợp lệ"), "{uri}: {}", r.body);
        }
        for body in ["username=a%00b&password=x", "username=%FF&password=x"] {
            let r = app.request(Request::post("/dang-nhap")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body)).unwrap()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        }
        for title in ["Tiêu đề\0rỗng", "Tiêu đề \u{0}"] {
            let r = app.post_multipart("/admin/articles", &editor,
                &[("title", title), ("body", "<p>x</p>"), ("action", "xuat-ban")], None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
        }
        // Invalid UTF-8 inside a multipart field, sent as raw bytes.
        let boundary = "b0undary";
        let mut raw = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n", editor.csrf).into_bytes();
        raw.extend_from_slice(b"T\xffi\xfe\r\n");
        raw.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nxuat-ban\r\n--{boundary}--\r\n").as_bytes());
        let r = app.request(Request::post("/admin/articles")
            .header("cookie", &editor.cookie)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(raw)).unwrap()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        // Too long a title is refused, not cut or stored.
        let long = "Dài ".repeat(200);
        let r = app.post_multipart("/admin/articles", &editor,
            &[("title", &long), ("body", "<p>x</p>"), ("action", "xuat-ban")], None).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        assert_eq!(app.count_articles().await, 0);
        // Static and media paths stay inside their folders.
        for uri in ["/static/..%2F..%2FCargo.toml", "/static/../../Cargo.toml", "/media/%2e%2e%2fbantin.db", "/media/..%5c..%5cbantin.db", "/%2e%2e/%2e%2e/etc/passwd"] {
            let r = get(&app, uri).await;
            assert!(r.status == StatusCode::NOT_FOUND || r.status == StatusCode::BAD_REQUEST, "{uri}: {}", r.status);
        }
        // An upload's own name never becomes a path.
        let mut png = Vec::new();
        image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let r = app.post_multipart("/admin/media", &editor, &[], Some(("file", "../../../evil.png", &png))).await;
        assert!(r.status.is_redirection() || r.status.is_success(), "{}: {}", r.status, r.body);
        let parent = app.data_dir.path();
        assert!(!parent.join("evil.png").exists() && !parent.parent().unwrap().join("evil.png").exists());
        for entry in std::fs::read_dir(parent.join("media")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(!name.contains("evil") && !name.contains(".."), "{name}");
        }
    }
}
