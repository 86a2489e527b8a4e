//! Văn bản: documents through the editor and the review, their register
//! fields, validity by date and by replacement, the number search, files
//! checked by content and served with their Vietnamese names, filters,
//! extracted text, comments on drafts, the CSV register import, and each
//! site's own documents.

use std::io::{Cursor, Write};

use crate::common::process::{bantin, run};
use crate::common::{Browser, TestApp, TestResponse, html, phone};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use chrono::{Duration, TimeZone, Utc};

/// A PDF of one page: with a line of text, or only a picture (a scan).
pub fn pdf(text: Option<&str>) -> Vec<u8> {
    let content = match text {
        Some(t) => format!("BT /F1 12 Tf 72 720 Td ({t}) Tj ET"),
        None => "0 0 1 rg 72 72 300 300 re f".to_owned(),
    };
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A zip archive of these parts, stored.
fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A Word document whose paragraphs are these.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    zip_of(&[
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        ),
        (
            "word/document.xml",
            &format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
            ),
        ),
    ])
}

fn odt(text: &str) -> Vec<u8> {
    zip_of(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        (
            "content.xml",
            &format!(
                "<?xml version=\"1.0\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text><text:p>{text}</text:p></office:text></office:body></office:document-content>"
            ),
        ),
    ])
}

fn doc_file() -> Vec<u8> {
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cfb.create_stream("/WordDocument")
        .unwrap()
        .write_all(b"Word 97-2003")
        .unwrap();
    cfb.flush().unwrap();
    cfb.into_inner().into_inner()
}

async fn admin(app: &TestApp) -> Browser {
    app.create_user("quantri", Role::Admin).await;
    app.login("quantri").await
}

/// A term of a list, added through the admin page; its id.
async fn term(app: &TestApp, b: &Browser, list: &str, name: &str) -> i64 {
    app.post_form(
        &format!("/admin/van-ban/danh-muc/{list}"),
        b,
        &[("name", name)],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let site = app.site().id;
    bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM doc_terms WHERE site_id = $1 AND list = $2 AND name = $3")
        .bind(site).bind(list).bind(name).fetch_one(pool).await).unwrap()
}

async fn type_id(app: &TestApp, name: &str) -> i64 {
    let site = app.site().id;
    bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM doc_terms WHERE site_id = $1 AND list = 'type' AND name = $2")
        .bind(site).bind(name).fetch_one(pool).await).unwrap()
}

/// Posts a new document through the editor; the response.
async fn post_document(
    app: &TestApp,
    b: &Browser,
    fields: &[(&str, &str)],
    action: &str,
) -> TestResponse {
    let mut all = vec![
        ("kind", "document"),
        ("summary", ""),
        ("byline", ""),
        ("body", ""),
        ("action", action),
    ];
    for f in fields {
        all.retain(|(k, _)| k != &f.0);
        all.push(*f);
    }
    app.post_multipart("/admin/articles", b, &all, None).await
}

/// Publishes a document with this number, abstract and date of issue; its id.
async fn publish(
    app: &TestApp,
    b: &Browser,
    number: &str,
    title: &str,
    issued: &str,
    extra: &[(&str, &str)],
) -> i64 {
    let mut fields = vec![
        ("doc_number", number),
        ("title", title),
        ("doc_issued_on", issued),
    ];
    fields.extend_from_slice(extra);
    let r = post_document(app, b, &fields, "xuat-ban").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{number}: {:?}",
        html::text_of(&r.body, "p", "error-box")
    );
    crate::common::article_id_of(&r)
}

async fn slug_of(app: &TestApp, id: i64) -> String {
    bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM articles WHERE id = $1").bind(id).fetch_one(pool).await).unwrap()
}

/// Uploads a file to a document's editor.
async fn attach(app: &TestApp, b: &Browser, id: i64, name: &str, bytes: &[u8]) -> TestResponse {
    app.post_multipart(
        &format!("/admin/van-ban/{id}/tep"),
        b,
        &[],
        Some(("file", name, bytes)),
    )
    .await
}

fn download(uri: &str, user_agent: &str) -> Request<Body> {
    Request::get(uri)
        .header("user-agent", user_agent)
        .body(Body::empty())
        .unwrap()
}

/// The list's rows: the numbers in order.
fn numbers(body: &str) -> Vec<String> {
    let Some(list) = body.split("<ul class=\"documents\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap();
    list.split("<strong>")
        .skip(1)
        .map(|s| html::unescape(s.split("</strong>").next().unwrap()))
        .collect()
}

both_databases! {
    async fn a_document_keeps_every_field_and_shows_them(app) {
        let b = admin(&app).await;
        let issuer = term(&app, &b, "issuer", "Ủy ban nhân dân xã Nàn Sín").await;
        let field = term(&app, &b, "field", "Nông nghiệp").await;
        let kind = type_id(&app, "Quyết định").await.to_string();
        let (issuer, field) = (issuer.to_string(), field.to_string());
        let fields = [
            ("doc_number", "45/2026/QĐ-UBND"), ("doc_type", kind.as_str()), ("doc_issuer", issuer.as_str()),
            ("doc_field", field.as_str()), ("doc_signer", "Lù Văn Sáng"), ("doc_issued_on", "15/02/2026"),
            ("doc_effective_on", "01/03/2026"), ("doc_expires_on", "31/12/2027"),
            ("title", "Về việc ban hành Quy chế quản lý kênh mương nội đồng"),
            ("body", "Điều 1. Ban hành kèm theo Quyết định này Quy chế.<script>alert(1)</script>"),
        ];
        let r = post_document(&app, &b, &fields, "xuat-ban").await;
        r.expect(StatusCode::SEE_OTHER);
        let id = crate::common::article_id_of(&r);
        // The editor shows every field back as it was typed.
        let editor = app.get_as(&format!("/admin/articles/{id}"), &b).await;
        for (name, value) in &fields[..8] {
            assert_eq!(editor.good().field(name), *value, "{name}");
        }
        let slug = slug_of(&app, id).await;
        assert_eq!(slug, "45-2026-qd-ubnd-ve-viec-ban-hanh-quy-che-quan-ly-kenh-muong-noi-dong");
        let page = app.get(&format!("/van-ban/{slug}")).await;
        let body = &page.good().body;
        for text in ["Quyết định số 45/2026/QĐ-UBND", "Về việc ban hành Quy chế quản lý kênh mương nội đồng", "Ủy ban nhân dân xã Nàn Sín",
                     "Lù Văn Sáng", "Nông nghiệp", "15/02/2026", "01/03/2026", "31/12/2027", "Còn hiệu lực", "Điều 1. Ban hành"] {
            assert!(body.contains(text), "{text}");
        }
        assert!(!body.contains("alert(1)"), "sanitised as articles are");
        let ld = body.split("application/ld+json\">").nth(1).unwrap().split("</script>").next().unwrap();
        let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
        assert_eq!(ld["@type"], "Legislation");
        assert_eq!(ld["legislationIdentifier"], "45/2026/QĐ-UBND");
        assert_eq!(ld["legislationLegalForce"], "https://schema.org/InForce");
        assert_eq!(html::attr_of(body, "meta", ("name", "DC.title"), "content").unwrap(), "45/2026/QĐ-UBND Về việc ban hành Quy chế quản lý kênh mương nội đồng");
        assert_eq!(html::attr_of(body, "meta", ("name", "DC.creator"), "content").unwrap(), "Ủy ban nhân dân xã Nàn Sín");
        // Listed, fed, in the sitemap and on the home page.
        assert!(app.get("/van-ban").await.body.contains(&format!("href=\"/van-ban/{slug}\"")));
        let feed = app.get("/van-ban/rss.xml").await;
        assert!(feed.good().body.contains("45/2026/QĐ-UBND Về việc ban hành"));
        roxmltree::Document::parse(&feed.body).expect("a well-formed feed");
        assert!(app.get("/sitemap.xml").await.body.contains(&format!("/van-ban/{slug}</loc>")));
        assert!(app.get("/").await.body.contains("Văn bản mới"));
        // Bad register fields are refused, nothing stored.
        let before = app.count("SELECT COUNT(*) FROM documents").await;
        for (bad, why) in [
            (vec![("doc_number", "  /  "), ("title", "x"), ("doc_issued_on", "01/01/2026")], "số ký hiệu"),
            (vec![("doc_number", "1/TB"), ("title", "x"), ("doc_issued_on", "31/02/2026")], "ngày ban hành"),
            (vec![("doc_number", "1/TB"), ("title", "x"), ("doc_issued_on", "01/03/2026"), ("doc_effective_on", "01/02/2026")], "trước ngày ban hành"),
            (vec![("doc_number", "1/TB"), ("title", "x"), ("doc_issued_on", "01/03/2026"), ("doc_type", "999999")], "danh mục"),
            (vec![("doc_number", "1/TB"), ("title", "x"), ("doc_issued_on", "01/03/2026"), ("doc_replaces", "99/KHONG-CO")], "Không tìm thấy"),
        ] {
            let r = post_document(&app, &b, &bad, "luu").await;
            r.expect(StatusCode::BAD_REQUEST);
            assert!(r.body.contains(why), "{why}: {}", r.body);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, before);
    }

    async fn validity_follows_the_dates_and_the_documents_that_replace_it(app) {
        let b = admin(&app).await;
        // Sample clock: 02/03/2026 08:30 in Vietnam.
        let old = publish(&app, &b, "10/NQ-ĐU", "Về xây dựng nông thôn mới", "01/01/2025", &[]).await;
        let amended = publish(&app, &b, "11/KH-UBND", "Kế hoạch phòng chống thiên tai", "05/01/2025", &[]).await;
        let later = publish(&app, &b, "20/QĐ-UBND", "Về quy chế tiếp công dân", "01/03/2026", &[("doc_effective_on", "03/03/2026")]).await;
        let validity = |id: i64| {
            let app = &app;
            async move {
                let page = app.get(&format!("/van-ban/{}", slug_of(app, id).await)).await;
                html::text_of(&page.good().body, "span", "validity").unwrap()
            }
        };
        assert_eq!(validity(old).await, "Còn hiệu lực");
        assert_eq!(validity(later).await, "Chưa có hiệu lực");
        // At midnight in Vietnam it comes into force, with nobody saving.
        app.clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 16, 59, 30).unwrap());
        assert_eq!(validity(later).await, "Chưa có hiệu lực");
        app.clock.advance(Duration::seconds(60));
        assert_eq!(validity(later).await, "Còn hiệu lực");
        let b = app.login("quantri").await;
        // A newer resolution replaces the old one, another plan amends.
        let new = publish(&app, &b, "15/NQ-ĐU", "Về xây dựng nông thôn mới giai đoạn 2026-2030", "03/03/2026",
            &[("doc_replaces", "10/nq-du"), ("doc_amends", "11 KH UBND")]).await;
        assert_eq!(validity(old).await, "Hết hiệu lực");
        assert_eq!(validity(amended).await, "Hết hiệu lực một phần");
        let old_page = app.get(&format!("/van-ban/{}", slug_of(&app, old).await)).await;
        assert!(old_page.body.contains("Bị thay thế bởi 15/NQ-ĐU ngày 03/03/2026"), "{}", old_page.body);
        let new_page = app.get(&format!("/van-ban/{}", slug_of(&app, new).await)).await;
        assert!(new_page.body.contains("Thay thế văn bản") && new_page.body.contains("10/NQ-ĐU"));
        // By its own end date.
        let short = publish(&app, &b, "30/TB-UBND", "Thông báo tạm dừng cấp nước", "03/03/2026", &[("doc_expires_on", "05/03/2026")]).await;
        assert_eq!(validity(short).await, "Còn hiệu lực");
        app.clock.advance(Duration::days(2));
        assert_eq!(validity(short).await, "Hết hiệu lực");
        // The filter agrees with the pages.
        let expired = app.get("/van-ban?tinh-trang=het-hieu-luc").await;
        let mut found = numbers(&expired.good().body);
        found.sort();
        assert_eq!(found, ["10/NQ-ĐU", "30/TB-UBND"]);
        assert_eq!(numbers(&app.get("/van-ban?tinh-trang=het-hieu-luc-mot-phan").await.body), ["11/KH-UBND"]);
        // A document cannot replace itself.
        let b = app.login("quantri").await;
        let r = crate::common::html::field(&app.get_as(&format!("/admin/articles/{new}"), &b).await.body, "version").unwrap();
        let self_ref = app.post_multipart(&format!("/admin/articles/{new}"), &b, &[
            ("version", &r), ("kind", "document"), ("doc_number", "15/NQ-ĐU"), ("title", "x"), ("doc_issued_on", "03/03/2026"),
            ("doc_replaces", "15/NQ-ĐU"), ("action", "luu"),
        ], None).await;
        self_ref.expect(StatusCode::BAD_REQUEST);
    }

    async fn numbers_are_found_however_they_are_typed(app) {
        let b = admin(&app).await;
        publish(&app, &b, "12/NQ-UBND", "Về dự toán ngân sách", "10/01/2026", &[]).await;
        publish(&app, &b, "120/KH-ĐU", "Kế hoạch học tập nghị quyết", "11/01/2026", &[]).await;
        publish(&app, &b, "12/NQ-ĐU", "Về lãnh đạo sản xuất vụ đông", "05/01/2026", &[]).await;
        publish(&app, &b, "7/BC-UBND", "Báo cáo kết quả thực hiện nghị quyết 12", "12/01/2026", &[]).await;
        for typed in ["12/NQ-ĐU", "12/nq-du", "12 NQ DU", "12NQĐU", "  12 / nq - đu "] {
            let r = app.get(&format!("/van-ban?q={}", urlencoding(typed))).await;
            let found = numbers(&r.good().body);
            assert_eq!(found.first().map(String::as_str), Some("12/NQ-ĐU"), "{typed}: {found:?}");
        }
        // Words of the abstract, with or without diacritics.
        let r = app.get("/van-ban?q=vu+dong").await;
        assert_eq!(numbers(&r.body), ["12/NQ-ĐU"]);
        // A number's beginning finds those that begin with it.
        let r = app.get("/van-ban?q=120").await;
        assert_eq!(numbers(&r.body).first().map(String::as_str), Some("120/KH-ĐU"));
        // The site's own search finds documents too, at their address.
        let r = app.get("/tim-kiem?q=du+toan+ngan+sach").await;
        assert!(r.good().body.contains("href=\"/van-ban/12-nq-ubnd-ve-du-toan-ngan-sach\""), "{}", r.body);
    }

    async fn files_are_checked_by_content_and_keep_their_vietnamese_names(app) {
        let b = admin(&app).await;
        let id = publish(&app, &b, "5/QĐ-UBND", "Về kiên cố hoá kênh mương", "10/01/2026", &[]).await;
        let media = app.data_dir.path().join("media");
        let files_on_disk = || std::fs::read_dir(&media).map(|d| d.count()).unwrap_or(0);
        // Lying names: refused, nothing stored.
        for (name, bytes) in [
            ("quyet-dinh.pdf", b"MZ\x90\x00\x03\x00\x00\x00 a program".to_vec()),
            ("quyet-dinh.docx", b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec()),
            ("bang-tinh.xlsx", zip_of(&[("readme.txt", "not a spreadsheet")])),
        ] {
            let r = attach(&app, &b, id, name, &bytes).await;
            r.expect(StatusCode::BAD_REQUEST);
            assert!(r.body.contains("không phải PDF"), "{name}: {}", r.body);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM document_files").await, 0);
        assert_eq!(files_on_disk(), 0);
        // Each kind, known by its content whatever its name says.
        attach(&app, &b, id, "Quyết định số 5.docx", &docx(&["Điều 1. Kiên cố hoá 2,5 km kênh mương thôn Sín Chéng."])).await.expect(StatusCode::SEE_OTHER);
        attach(&app, &b, id, "ban-scan.pdf", &pdf(None)).await.expect(StatusCode::SEE_OTHER);
        attach(&app, &b, id, "to-trinh.pdf", &pdf(Some("To trinh ve du an thuy loi Nam Pung"))).await.expect(StatusCode::SEE_OTHER);
        attach(&app, &b, id, "phu-luc.odt", &odt("Phụ lục danh sách hộ hưởng lợi")).await.expect(StatusCode::SEE_OTHER);
        attach(&app, &b, id, "du-toan.bin", &doc_file()).await.expect(StatusCode::SEE_OTHER);
        let kinds = app.strings("SELECT ext FROM document_files ORDER BY id").await;
        assert_eq!(kinds, ["docx", "pdf", "pdf", "odt", "doc"]);
        let texts = app.strings("SELECT CASE WHEN has_text THEN 'chữ' ELSE 'quét' END FROM document_files ORDER BY id").await;
        assert_eq!(texts[..4], ["chữ", "quét", "chữ", "chữ"]);
        let sha = app.strings("SELECT sha256 FROM document_files ORDER BY id").await;
        assert_eq!(sha[0].len(), 64);
        let editor = app.get_as(&format!("/admin/articles/{id}"), &b).await;
        assert!(editor.body.contains("ảnh quét"), "the scan is marked for staff");
        // The files' text is searched.
        for (q, expected) in [("kien co hoa 2,5 km", true), ("du an thuy loi", true), ("ho huong loi", true), ("khong co dau", false)] {
            let r = app.get(&format!("/van-ban?q={}", urlencoding(q))).await;
            assert_eq!(numbers(&r.good().body) == ["5/QĐ-UBND"], expected, "{q}");
        }
        // Served with their type and their Vietnamese name.
        let page = app.get(&format!("/van-ban/{}", slug_of(&app, id).await)).await;
        assert_eq!(page.body.matches("bản quét").count(), 1, "readers see which file is a scan");
        let href = html::attr_of(&page.body, "a", ("href", &format!("/van-ban/tep/{}.docx", app.scalar("SELECT name FROM document_files WHERE ext = 'docx'").await)), "href").unwrap();
        let got = app.request(download(&href, &phone(1))).await;
        assert_eq!(got.good().header("content-type"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        assert_eq!(got.header("content-disposition"), "attachment; filename=\"quyet-dinh-so-5.docx\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%205.docx");
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        assert!(got.body.as_bytes().starts_with(b"PK"));
        let pdf_name = app.scalar("SELECT name FROM document_files WHERE original = 'to-trinh.pdf'").await;
        let got = app.request(download(&format!("/van-ban/tep/{pdf_name}.pdf"), &phone(2))).await;
        assert!(got.good().header("content-disposition").starts_with("inline;"), "PDFs open in the browser");
        // Downloads are counted for readers, not for crawlers.
        app.request(download(&href, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")).await.good();
        assert_eq!(app.scalar("SELECT CAST(downloads AS TEXT) FROM document_files WHERE ext = 'docx'").await, "1");
        // Removed: gone from the page, the search and the disk.
        let file = href.trim_start_matches("/van-ban/tep/").to_owned();
        app.post_form(&format!("/admin/van-ban/{id}/tep/{file}/xoa"), &b, &[]).await.expect(StatusCode::SEE_OTHER);
        app.get(&href).await.expect(StatusCode::NOT_FOUND);
        assert!(numbers(&app.get("/van-ban?q=kien+co+hoa+2%2C5+km").await.body).is_empty(), "its text is no longer found");
        assert_eq!(files_on_disk(), 4);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('document_file_add', 'document_file_remove')").await, 6);
    }

    async fn a_draft_documents_files_are_for_staff_only(app) {
        let b = admin(&app).await;
        let r = post_document(&app, &b, &[("doc_number", "2/TTr-UBND"), ("title", "Tờ trình"), ("doc_issued_on", "01/02/2026")], "luu").await;
        let id = crate::common::article_id_of(&r);
        attach(&app, &b, id, "to-trinh.pdf", &pdf(Some("Noi dung to trinh du thao"))).await.expect(StatusCode::SEE_OTHER);
        let name = app.scalar("SELECT name FROM document_files").await;
        app.get(&format!("/van-ban/tep/{name}.pdf")).await.expect(StatusCode::NOT_FOUND);
        app.get(&format!("/van-ban/{}", slug_of(&app, id).await)).await.expect(StatusCode::NOT_FOUND);
        let staff = app.get_as(&format!("/admin/van-ban/{id}/tep/{name}.pdf"), &b).await;
        assert!(staff.good().header("cache-control").contains("no-store"));
        assert!(numbers(&app.get("/van-ban?q=du+thao").await.body).is_empty(), "not searchable before it is out");
    }

    async fn filters_combine_and_stay_in_the_url(app) {
        let b = admin(&app).await;
        let party = term(&app, &b, "issuer", "Đảng ủy xã").await.to_string();
        let council = term(&app, &b, "issuer", "Ủy ban nhân dân xã").await.to_string();
        let resolution = type_id(&app, "Nghị quyết").await.to_string();
        let plan = type_id(&app, "Kế hoạch").await.to_string();
        for (n, (kind, issuer, day)) in [
            (&resolution, &party, "10/02/2025"), (&resolution, &party, "10/02/2026"), (&plan, &party, "11/02/2026"),
            (&resolution, &council, "12/02/2026"), (&plan, &council, "13/02/2026"),
        ].into_iter().enumerate() {
            publish(&app, &b, &format!("{}/VB", n + 1), &format!("Văn bản thứ {}", n + 1), day, &[("doc_type", kind), ("doc_issuer", issuer)]).await;
        }
        let r = app.get("/van-ban?loai=nghi-quyet&co-quan=dang-uy-xa&nam=2026").await;
        assert_eq!(numbers(&r.good().body), ["2/VB"]);
        assert_eq!(numbers(&app.get("/van-ban?loai=nghi-quyet").await.body), ["4/VB", "2/VB", "1/VB"], "newest first");
        assert_eq!(numbers(&app.get("/van-ban?co-quan=uy-ban-nhan-dan-xa&nam=2026").await.body), ["5/VB", "4/VB"]);
        assert_eq!(numbers(&app.get("/van-ban?loai=ke-hoach&q=thu+3").await.body), ["3/VB"]);
        // The form shows what was chosen.
        assert_eq!(r.field("loai"), "nghi-quyet");
        assert_eq!(r.field("nam"), "2026");
        for bad in ["/van-ban?loai=khong-co", "/van-ban?nam=abc", "/van-ban?tinh-trang=xyz", "/van-ban?trang=0"] {
            app.get(bad).await.expect(StatusCode::BAD_REQUEST);
        }
        app.get("/van-ban?loai=nghi-quyet&trang=9").await.expect(StatusCode::NOT_FOUND);
    }

    async fn the_pager_keeps_the_filters(app) {
        let b = admin(&app).await;
        let plan = type_id(&app, "Kế hoạch").await.to_string();
        for n in 1..=22 {
            publish(&app, &b, &format!("{n}/KH"), &format!("Kế hoạch số {n}"), &format!("{:02}/01/2026", n), &[("doc_type", &plan)]).await;
        }
        let first = app.get("/van-ban?loai=ke-hoach").await;
        assert_eq!(numbers(&first.good().body).len(), 20);
        let next = html::attr_of(&first.body, "a", ("rel", "next"), "href").unwrap();
        assert_eq!(next, "/van-ban?loai=ke-hoach&trang=2");
        assert_eq!(numbers(&app.get(&next).await.body), ["2/KH", "1/KH"]);
    }

    async fn comments_on_a_draft_close_after_its_end_date(app) {
        let b = admin(&app).await;
        // Sample clock: 02/03/2026; comments until the end of 03/03/2026.
        let id = publish(&app, &b, "3/DT-UBND", "Dự thảo quy ước thôn văn hoá", "02/03/2026", &[("doc_comment_until", "03/03/2026")]).await;
        let path = format!("/van-ban/{}", slug_of(&app, id).await);
        assert!(app.get(&path).await.body.contains("đang lấy ý kiến đến hết ngày 03/03/2026"));
        let send = |ip: &'static str, n: usize, fields: Vec<(&'static str, String)>| {
            let app = &app;
            let path = path.clone();
            async move {
                let mut req = Request::post(format!("{path}/y-kien"))
                    .header("user-agent", phone(n))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::from(serde_urlencoded::to_string(&fields).unwrap()))
                    .unwrap();
                req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(ip.parse().unwrap(), 40000)));
                app.request(req).await
            }
        };
        let comment = |text: &str| vec![("ho-ten", "Hoàng Thị Dung".to_owned()), ("lien-he", "0912 000 111".to_owned()), ("gop-y", text.to_owned())];
        send("203.0.113.9", 1, comment("Đề nghị bổ sung điều khoản về vệ sinh môi trường.")).await.good();
        // Not shown until staff approve it; the contact never.
        assert!(!app.get(&path).await.body.contains("vệ sinh môi trường"));
        let staff = app.get_as("/admin/van-ban/y-kien", &b).await;
        assert!(staff.good().body.contains("vệ sinh môi trường") && staff.body.contains("0912 000 111"));
        let comment_id = app.count("SELECT id FROM document_comments").await.to_string();
        app.post_form(&format!("/admin/van-ban/y-kien/{comment_id}"), &b, &[("hien", "1")]).await.expect(StatusCode::SEE_OTHER);
        let page = app.get(&path).await;
        assert!(page.body.contains("vệ sinh môi trường") && page.body.contains("Hoàng Thị Dung"));
        assert!(!page.body.contains("0912 000 111"), "the contact stays private");
        // Bad or too many comments.
        send("203.0.113.9", 1, vec![("ho-ten", String::new()), ("gop-y", "x".into())]).await.expect(StatusCode::BAD_REQUEST);
        send("203.0.113.9", 1, comment(&"x".repeat(4001))).await.expect(StatusCode::BAD_REQUEST);
        send("203.0.113.9", 1, comment("Ý kiến thứ hai.")).await.good();
        send("203.0.113.9", 1, comment("Ý kiến thứ ba.")).await.good();
        send("203.0.113.9", 1, comment("Ý kiến thứ tư.")).await.expect(StatusCode::TOO_MANY_REQUESTS);
        // The form closes by itself after the end date.
        app.clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 17, 0, 1).unwrap());
        let page = app.get(&path).await;
        assert!(page.body.contains("đã hết thời gian lấy ý kiến") && !page.body.contains("name=\"gop-y\""));
        send("203.0.113.10", 2, comment("Muộn.")).await.expect(StatusCode::CONFLICT);
        assert_eq!(app.count("SELECT COUNT(*) FROM document_comments").await, 3);
    }

    async fn an_authors_document_goes_through_review(app) {
        app.create_user("tacgia", Role::Author).await;
        app.create_user("bientap", Role::Editor).await;
        let author = app.login("tacgia").await;
        let editor = app.login("bientap").await;
        let r = post_document(&app, &author, &[("doc_number", "8/BC-UBND"), ("title", "Báo cáo tình hình kinh tế xã hội"), ("doc_issued_on", "20/02/2026")], "gui-duyet").await;
        let id = crate::common::article_id_of(&r);
        let slug = slug_of(&app, id).await;
        app.get(&format!("/van-ban/{slug}")).await.expect(StatusCode::NOT_FOUND);
        assert!(numbers(&app.get("/van-ban").await.body).is_empty());
        let list = app.get_as("/admin/van-ban", &editor).await;
        assert!(list.good().body.contains("8/BC-UBND") && list.body.contains("Chờ duyệt"));
        let page = app.get_as(&format!("/admin/articles/{id}"), &editor).await;
        let version = page.field("version");
        let r = app.post_multipart(&format!("/admin/articles/{id}"), &editor, &[
            ("version", &version), ("kind", "document"), ("doc_number", &page.field("doc_number")), ("title", &page.field("title")),
            ("doc_issued_on", &page.field("doc_issued_on")), ("action", "xuat-ban"),
        ], None).await;
        r.expect(StatusCode::SEE_OTHER);
        app.get(&format!("/van-ban/{slug}")).await.good();
        assert!(app.count("SELECT COUNT(*) FROM article_revisions WHERE article_id IN (SELECT article_id FROM documents)").await >= 1);
    }

    async fn the_lists_are_the_sites_to_edit(app) {
        let b = admin(&app).await;
        app.create_user("bientap", Role::Editor).await;
        let editor = app.login("bientap").await;
        app.get_as("/admin/van-ban/danh-muc", &editor).await.expect(StatusCode::FORBIDDEN);
        let page = app.get_as("/admin/van-ban/danh-muc", &b).await;
        for name in ["Nghị quyết", "Quyết định", "Chỉ thị", "Kế hoạch", "Thông báo", "Báo cáo", "Công văn", "Hướng dẫn", "Quy chế", "Chương trình"] {
            assert!(page.good().body.contains(name), "{name}");
        }
        let field = term(&app, &b, "field", "Đất đai").await;
        app.post_form("/admin/van-ban/danh-muc/field", &b, &[("name", "Đất Đai")]).await.expect(StatusCode::BAD_REQUEST);
        app.post_form("/admin/van-ban/danh-muc/nonsense", &b, &[("name", "x")]).await.expect(StatusCode::NOT_FOUND);
        publish(&app, &b, "1/QĐ", "Về giao đất", "01/02/2026", &[("doc_field", &field.to_string())]).await;
        let r = app.post_form(&format!("/admin/van-ban/danh-muc/field/{field}/xoa"), &b, &[]).await;
        r.expect(StatusCode::BAD_REQUEST);
        assert!(r.body.contains("đang được 1 văn bản hoặc câu hỏi dùng"));
        app.post_form(&format!("/admin/van-ban/danh-muc/field/{field}"), &b, &[("name", "Đất đai, tài nguyên")]).await.expect(StatusCode::SEE_OTHER);
        assert!(app.get("/van-ban").await.body.contains("Đất đai, tài nguyên"));
    }

    async fn each_site_keeps_its_own_documents(app) {
        use bantin::site::manage;
        let now = app.clock_now();
        let first = app.site();
        manage::update(&app.db, None, first.id, manage::Change { host: Some("xa-a.gov.vn".into()), ..manage::Change::default() }, now).await.unwrap();
        let other = manage::create(&app.db, None, manage::NewSite { host: "xa-b.gov.vn", name: "Xã B", parent: None, aliases: &[], public_url: None }, now).await.unwrap();
        app.state.reload_sites().await.unwrap();
        app.create_user("quantri", Role::Admin).await;
        app.create_user_on(other.id, "quantri-b", Role::Admin).await;
        let a = app.login_on(Some("xa-a.gov.vn"), "quantri").await;
        let b = app.login_on(Some("xa-b.gov.vn"), "quantri-b").await;
        let id = publish(&app, &a, "1/NQ-ĐU", "Nghị quyết của xã A", "01/02/2026", &[]).await;
        attach(&app, &a, id, "nghi-quyet.pdf", &pdf(Some("Nghi quyet cua xa A"))).await.expect(StatusCode::SEE_OTHER);
        let slug = slug_of(&app, id).await;
        let name = app.scalar("SELECT name FROM document_files").await;
        app.get_on("xa-a.gov.vn", &format!("/van-ban/{slug}")).await.good();
        app.get_on("xa-b.gov.vn", &format!("/van-ban/{slug}")).await.expect(StatusCode::NOT_FOUND);
        app.get_on("xa-b.gov.vn", &format!("/van-ban/tep/{name}.pdf")).await.expect(StatusCode::NOT_FOUND);
        assert!(!app.get_on("xa-b.gov.vn", "/van-ban?q=1%2FNQ-%C4%90U").await.body.contains("xã A"));
        assert!(!app.get_on("xa-b.gov.vn", "/van-ban/rss.xml").await.body.contains("xã A"));
        attach(&app, &b, id, "chiem.pdf", &pdf(Some("Chiem"))).await.expect(StatusCode::NOT_FOUND);
        app.post_form(&format!("/admin/van-ban/{id}/tep/{name}.pdf/xoa"), &b, &[]).await.expect(StatusCode::NOT_FOUND);
        app.get_as(&format!("/admin/van-ban/{id}/tep/{name}.pdf"), &b).await.expect(StatusCode::NOT_FOUND);
        // B's own document cannot name A's as the one it replaces.
        let r = post_document(&app, &b, &[("doc_number", "2/NQ-ĐU"), ("title", "x"), ("doc_issued_on", "02/02/2026"), ("doc_replaces", "1/NQ-ĐU")], "luu").await;
        r.expect(StatusCode::BAD_REQUEST);
        // Terms are per site.
        let a_term = term(&app, &a, "issuer", "Đảng ủy xã A").await;
        assert!(!app.get_as("/admin/van-ban/danh-muc", &b).await.body.contains("Đảng ủy xã A"));
        app.post_form(&format!("/admin/van-ban/danh-muc/issuer/{a_term}"), &b, &[("name", "Chiếm")]).await.expect(StatusCode::BAD_REQUEST);
        app.post_form(&format!("/admin/van-ban/danh-muc/issuer/{a_term}/xoa"), &b, &[]).await.expect(StatusCode::BAD_REQUEST);
        assert_eq!(app.count("SELECT COUNT(*) FROM doc_terms WHERE name = 'Đảng ủy xã A'").await, 1);
    }

    async fn a_register_is_imported_row_by_row_and_only_once(app) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nq-10.pdf"), pdf(Some("Nghi quyet so 10 ve nong thon moi"))).unwrap();
        std::fs::write(dir.path().join("nq-15.docx"), docx(&["Nghị quyết số 15 thay thế nghị quyết số 10."])).unwrap();
        std::fs::write(dir.path().join("gia-mao.pdf"), b"<html>not a pdf</html>").unwrap();
        // Saved from Excel in Windows-1258, columns in their own order, one
        // the importer does not know.
        let csv = "Trích yếu;Số ký hiệu;Loại văn bản;Cơ quan ban hành;Ngày ban hành;Ngày hiệu lực;Thay thế văn bản;Tệp;Ghi chú\n\
            Về xây dựng nông thôn mới giai đoạn 2026-2030;15/NQ-ĐU;Nghị quyết;Đảng ủy xã;01/03/2026;;10/NQ-ĐU;nq-15.docx;\n\
            Về xây dựng nông thôn mới;10/NQ-ĐU;Nghị quyết;Đảng ủy xã;01/01/2025;01/01/2025;;nq-10.pdf;bản gốc\n\
            Kế hoạch sai ngày;3/KH-UBND;Kế hoạch;UBND xã;31/02/2026;;;;\n\
            Tệp giả mạo;4/TB-UBND;Thông báo;UBND xã;01/02/2026;;;gia-mao.pdf;\n\
            Thiếu tệp;5/TB-UBND;Thông báo;UBND xã;02/02/2026;;;khong-co.pdf;\n";
        let encoded = windows_1258(csv);
        let register = dir.path().join("so-van-ban.csv");
        std::fs::write(&register, &encoded).unwrap();
        let data = app.data_dir.path().display().to_string();
        let import = || run(bantin().args(["--database-url", &app.database_url, "--data-dir", &data, "import-documents"])
            .arg(&register).arg("--files").arg(dir.path()));
        let (out, stdout, stderr) = import();
        assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
        assert!(stdout.contains("Windows-1258"), "{stdout}");
        assert!(stderr.contains("Ghi chú"), "the unknown column is reported: {stderr}");
        assert!(stderr.contains("dòng 4:") && stderr.contains("31/02/2026"), "{stderr}");
        assert!(stderr.contains("dòng 5:") && stderr.contains("gia-mao.pdf"), "{stderr}");
        assert!(stderr.contains("dòng 6:") && stderr.contains("khong-co.pdf"), "{stderr}");
        assert!(stdout.contains("Đã nhập 2 văn bản; 0 văn bản đã có; 3 dòng lỗi."), "{stdout}");
        // What failed stored nothing, its files included.
        assert_eq!(app.strings("SELECT number FROM documents ORDER BY issued_on").await, ["10/NQ-ĐU", "15/NQ-ĐU"]);
        assert_eq!(app.count("SELECT COUNT(*) FROM document_files").await, 2);
        let on_disk = std::fs::read_dir(app.data_dir.path().join("media")).unwrap().count();
        assert_eq!(on_disk, 2);
        // Imported as published on their day of issue, the replacement linked.
        app.state.reload_sites().await.unwrap();
        let old = app.get("/van-ban/10-nq-du-ve-xay-dung-nong-thon-moi").await;
        assert!(old.good().body.contains("Bị thay thế bởi 15/NQ-ĐU"), "{}", old.body);
        let listed = app.get("/van-ban?co-quan=dang-uy-xa").await;
        assert_eq!(numbers(&listed.good().body), ["15/NQ-ĐU", "10/NQ-ĐU"]);
        assert!(numbers(&app.get("/van-ban?q=thay+the+nghi+quyet").await.body).contains(&"15/NQ-ĐU".to_owned()), "the files' text is searched");
        // Again: nothing changes.
        let (out, stdout, _) = import();
        assert_eq!(out.status.code(), Some(1));
        assert!(stdout.contains("Đã nhập 0 văn bản; 2 văn bản đã có; 3 dòng lỗi."), "{stdout}");
        assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM document_files").await, 2);
    }
}

/// Text as Windows-1258 writes it: vowels with their hat, horn or breve
/// precomposed, tone marks combining.
fn windows_1258(text: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let mut out = Vec::new();
    for c in text.chars() {
        let nfd: Vec<char> = c.to_string().nfd().collect();
        let base: String = nfd
            .iter()
            .filter(|c| !TONES.contains(c))
            .collect::<String>()
            .nfc()
            .collect();
        let tone: String = nfd.iter().filter(|c| TONES.contains(c)).collect();
        for part in [base, tone] {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&part);
            assert!(!unmappable, "{part:?} has no Windows-1258 form");
            out.extend_from_slice(&bytes);
        }
    }
    out
}

fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)])
        .unwrap()
        .trim_start_matches("q=")
        .to_owned()
}

#[test]
fn a_register_without_the_columns_every_document_needs_is_refused() {
    use bantin::content::document::register;
    let err = register::read("Số hiệu;Ghi chú\n1/TB;x\n".as_bytes()).unwrap_err();
    assert!(err.contains("Ngày ban hành"), "{err}");
    let ok = register::read(
        "SỐ KÝ HIỆU,ngay ban hanh,Trich yeu\n1/TB,01/02/2026,Thông báo\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(ok.rows.len(), 1);
    let row = ok.rows[0].as_ref().unwrap();
    assert_eq!(
        (row.number.as_str(), row.title.as_str(), row.line),
        ("1/TB", "Thông báo", 2)
    );
}
