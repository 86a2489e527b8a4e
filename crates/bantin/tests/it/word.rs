//! Writing from Word: the HTML Word puts on the clipboard, sent by any
//! client, is stored as clean structure; a .docx becomes a draft with its
//! table and images; what is not one is refused and stores nothing.

use std::io::{Cursor, Write};

use axum::http::StatusCode;
use bantin::accounts::Role;
use image::{DynamicImage, Rgb, RgbImage};

use crate::common::{TestApp, article_id_of, fixture_text};

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#;

fn jpeg() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(800, 600, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, 120])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A report as a commune writes one: a title, a paragraph, a table with a
/// header row, an embedded photo with alt text.
pub fn report_docx() -> Vec<u8> {
    let row = |cells: &[&str], header: bool| {
        let pr = if header {
            "<w:trPr><w:tblHeader/></w:trPr>"
        } else {
            ""
        };
        let tcs: String = cells
            .iter()
            .map(|c| format!("<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>"))
            .collect();
        format!("<w:tr>{pr}{tcs}</w:tr>")
    };
    let body = format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Kết quả tiêm chủng tháng 11</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Trạm y tế xã đã tiêm cho </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>214 trẻ</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:tbl>{}{}{}</w:tbl>
<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="Ảnh 1" descr="Cán bộ y tế tiêm cho trẻ tại trạm"/><a:graphic><a:graphicData><a:blip r:embed="rId5"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#,
        row(&["Thôn", "Số trẻ"], true),
        row(&["Nàn Sín", "120"], false),
        row(&["Sín Chéng", "94"], false),
    );
    zip_of(&[
        ("[Content_Types].xml", b"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_vec()),
        ("word/document.xml", format!("<w:document {NS}><w:body>{body}</w:body></w:document>").into_bytes()),
        ("word/_rels/document.xml.rels", br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.jpeg"/></Relationships>"#.to_vec()),
        ("word/media/image1.jpeg", jpeg()),
    ])
}

async fn import(
    app: &TestApp,
    b: &crate::common::Browser,
    name: &str,
    bytes: &[u8],
) -> crate::common::TestResponse {
    app.post_multipart(
        "/admin/articles/nhap-word",
        b,
        &[],
        Some(("tep-word", name, bytes)),
    )
    .await
}

both_databases! {
    async fn what_word_puts_on_the_clipboard_is_stored_as_clean_structure(app) {
        app.create_user("bientap", Role::Editor).await;
        let b = app.login("bientap").await;
        let word = fixture_text("word-clipboard.html");
        let r = app.post_multipart("/admin/articles", &b, &[("title", "Chuyển đổi số quý I"), ("body", &word), ("action", "xuat-ban")], None).await;
        r.expect(StatusCode::SEE_OTHER);
        let id = article_id_of(&r);
        let body: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        // The published page: the table (3 rows, header cells), the list
        // of three, the bold word, the note where the image was.
        let slug: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        let page = app.get(&format!("/tin-tuc/{slug}")).await;
        let html = &page.good().body;
        assert_eq!(body.matches("<tr>").count(), 3, "{body}");
        assert!(html.contains(r#"<th scope="col">STT</th>"#) && html.contains(r#"<td colspan="2">Tổng cộng</td>"#), "{body}");
        assert!(body.contains("<ul><li>Cài đặt ứng dụng VNeID cho người dân</li><li>Thanh toán không dùng tiền mặt</li><li>Tập huấn <strong>tổ công nghệ số</strong> cộng đồng</li></ul>"), "{body}");
        assert!(html.contains("<strong>hoàn thành</strong>"));
        assert!(html.contains("Ảnh chưa được chèn"), "{body}");
        for gone in ["mso-", "MsoNormal", "o:p", "style=", "class=\"Mso", "file:///", "font-family"] {
            assert!(!body.contains(gone), "{gone} in {body}");
        }
        // Saving it again changes nothing: stored HTML is already clean.
        let editor = app.get_as(&format!("/admin/articles/{id}"), &b).await;
        let version = editor.good().field("version");
        let stored = editor.field("body");
        app.post_multipart(&format!("/admin/articles/{id}"), &b, &[("title", "Chuyển đổi số quý I"), ("body", &stored), ("version", &version), ("action", "luu")], None)
            .await.expect(StatusCode::SEE_OTHER);
        let again: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        assert_eq!(again, body);
    }

    async fn a_word_file_becomes_a_draft_with_its_table_and_image(app) {
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let form = app.get_as("/admin/articles/new", &b).await;
        assert!(form.good().body.contains("Nhập từ tệp Word (.docx)"));
        let r = import(&app, &b, "ket-qua-tiem-chung.docx", &report_docx()).await;
        r.expect(StatusCode::SEE_OTHER);
        assert!(r.header("location").ends_with("?thong-bao=da-nhap-word"), "{}", r.header("location"));
        let id = article_id_of(&r);
        let (title, status, body): (String, String, String) = bantin::with_db!(&app.db, pool => sqlx::query_as("SELECT title, status, body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        assert_eq!(title, "Kết quả tiêm chủng tháng 11");
        assert_eq!(status, "draft");
        assert!(body.contains("<p>Trạm y tế xã đã tiêm cho <strong>214 trẻ</strong>.</p>"), "{body}");
        assert!(body.contains(r#"<thead><tr><th scope="col">Thôn</th><th scope="col">Số trẻ</th></tr></thead><tbody><tr><td>Nàn Sín</td><td>120</td></tr><tr><td>Sín Chéng</td><td>94</td></tr></tbody>"#), "{body}");
        // The photo went through the image pipeline, with its alt text.
        let image: String = app.scalar("SELECT name || '.' || ext FROM images").await;
        let stem = image.trim_end_matches(".jpg");
        assert!(body.contains(&format!(r#"<img src="/media/{image}" srcset="/media/{stem}-400.jpg 400w, /media/{image} 800w" sizes="(max-width: 48rem) 100vw, 48rem" width="800" height="600" alt="Cán bộ y tế tiêm cho trẻ tại trạm" loading="lazy">"#)), "{body}");
        app.get_as(&format!("/media/{image}"), &b).await.good();
        let editor = app.get_as(r.header("location"), &b).await;
        assert!(editor.good().body.contains("Đã nhập tệp Word thành bản nháp"));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'article_create'").await, 1);
    }

    async fn what_is_not_a_word_file_stores_nothing(app) {
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let whole = report_docx();
        let mut locked = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        locked.create_stream("/EncryptionInfo").unwrap().write_all(b"x").unwrap();
        locked.create_stream("/EncryptedPackage").unwrap().write_all(b"x").unwrap();
        locked.flush().unwrap();
        let locked = locked.into_inner().into_inner();
        let mut old = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        old.create_stream("/WordDocument").unwrap().write_all(b"x").unwrap();
        old.flush().unwrap();
        let old = old.into_inner().into_inner();
        for (name, bytes, says) in [
            ("bao-cao.docx", whole[..whole.len() / 3].to_vec(), "không"),
            ("bao-cao.docx", b"MZ\x90\x00 a program".to_vec(), "không phải tệp Word"),
            ("bao-cao.docx", b"%PDF-1.4\n".to_vec(), "không phải tệp Word"),
            ("mat-khau.docx", locked, "có mật khẩu"),
            ("cu.doc", old, "tệp Word cũ"),
        ] {
            let r = import(&app, &b, name, &bytes).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
            assert!(r.body.contains(says), "{name}: {says} not in the page");
        }
        let r = app.post_multipart("/admin/articles/nhap-word", &b, &[], None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.count_articles().await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
        let files = std::fs::read_dir(app.data_dir.path().join("media")).map(|d| d.count()).unwrap_or(0);
        assert_eq!(files, 0, "no image file left behind");
        // Without the session's token: refused.
        let mut stranger = b.clone();
        stranger.csrf = "sai".into();
        let r = import(&app, &stranger, "bao-cao.docx", &report_docx()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.count_articles().await, 0);
    }
}

both_databases! {
    async fn body_images_get_their_size_and_small_copies(app) {
        app.create_user("bientap", Role::Editor).await;
        let b = app.login("bientap").await;
        // The editor's picker: upload, then list.
        let big = {
            let img = DynamicImage::ImageRgb8(RgbImage::from_fn(1600, 900, |x, y| Rgb([(x % 200) as u8, (y % 180) as u8, 60])));
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
            out.into_inner()
        };
        let r = app.post_multipart("/admin/anh", &b, &[], Some(("tep", "cau-treo.jpg", &big))).await;
        let up: serde_json::Value = serde_json::from_str(&r.good().body).unwrap();
        let url = up["url"].as_str().unwrap().to_owned();
        assert_eq!((up["width"].as_i64(), up["height"].as_i64()), (Some(1600), Some(900)));
        let list: serde_json::Value = serde_json::from_str(&app.get_as("/admin/anh", &b).await.good().body).unwrap();
        assert_eq!(list[0]["url"].as_str(), Some(url.as_str()));
        let bad = app.post_multipart("/admin/anh", &b, &[], Some(("tep", "x.jpg", b"not an image"))).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // What the editor inserts: the image with its alt text (and a caption).
        let body = format!(r#"<p>Cầu treo mới.</p><figure><img src="{url}" alt="Cầu treo bản Nàn Sín"><figcaption>Cầu treo khánh thành tháng 11</figcaption></figure>"#);
        let r = app.post_multipart("/admin/articles", &b, &[("title", "Khánh thành cầu treo"), ("body", &body), ("action", "xuat-ban")], None).await;
        let id = article_id_of(&r);
        let stored: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        let stem = url.trim_end_matches(".jpg");
        let tag = format!(r#"<img src="{url}" srcset="{stem}-400.jpg 400w, {stem}-1200.jpg 1200w, {url} 1600w" sizes="(max-width: 48rem) 100vw, 48rem" width="1600" height="900" alt="Cầu treo bản Nàn Sín" loading="lazy">"#);
        assert!(stored.contains(&tag), "{stored}");
        assert!(stored.contains("<figcaption>Cầu treo khánh thành tháng 11</figcaption>"), "{stored}");
        let page = app.get("/tin-tuc/khanh-thanh-cau-treo").await;
        assert!(page.good().body.contains(&tag));
        // Saved again: the same tag, not a second srcset.
        let editor = app.get_as(&format!("/admin/articles/{id}"), &b).await;
        let (version, again) = (editor.field("version"), editor.field("body"));
        app.post_multipart(&format!("/admin/articles/{id}"), &b, &[("title", "Khánh thành cầu treo"), ("body", &again), ("version", &version), ("action", "luu")], None)
            .await.expect(StatusCode::SEE_OTHER);
        let resaved: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT body FROM articles WHERE id = $1").bind(id).fetch_one(pool).await.unwrap());
        assert_eq!(resaved, stored);
        // Another site's picker does not list this site's images, and its
        // articles do not get this site's image made responsive.
        let other = bantin::site::manage::create(&app.db, None, bantin::site::manage::NewSite {
            host: "xa-khac.example.vn", name: "Xã khác", parent: None, aliases: &[], public_url: None,
        }, app.clock_now()).await.unwrap();
        let html = bantin::content::media::responsive(&app.db, other.id, &format!(r#"<p><img src="{url}" alt="x"></p>"#)).await.unwrap();
        assert!(!html.contains("srcset"), "{html}");
        app.create_user_on(other.id, "khac", Role::Editor).await;
        app.state.reload_sites().await.unwrap();
    }
}
