//! Image uploads: verified, stripped of metadata, resized, served; anything
//! else refused with nothing stored.

use crate::common::TestApp;
use axum::http::StatusCode;
use bantin::accounts::Role;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, Rgb, RgbImage};

/// A JPEG photo with an EXIF segment holding a GPS position.
fn photo_with_gps(width: u32, height: u32) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }));
    let mut jpeg = Vec::new();
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut jpeg, 90))
        .unwrap();
    let payload = b"Exif\0\0GPSLatitude=21.7420N;GPSLongitude=104.1750E;Camera=Nokia";
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1, (len >> 8) as u8, len as u8];
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn media_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(app.data_dir.path().join("media"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

both_databases! {
    async fn uploads_are_stripped_resized_and_served(app) {
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let photo = photo_with_gps(1600, 900);
        assert!(photo.windows(11).any(|w| w == b"GPSLatitude"));
        let r = app.post_multipart("/admin/media", &b, &[], Some(("file", "le-hoi-xuan.jpg", &photo))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let files = media_files(&app);
        assert_eq!(files.len(), 3, "original, 1200 and 400 px: {files:?}");
        let original = files.iter().find(|f| !f.contains('-')).unwrap();
        let served = app.get(&format!("/media/{original}")).await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(served.header("content-type"), "image/jpeg");
        assert!(served.header("cache-control").contains("immutable"));
        let stored = std::fs::read(app.data_dir.path().join("media").join(original)).unwrap();
        assert!(stored.starts_with(&[0xFF, 0xD8]));
        assert!(!stored.windows(3).any(|w| w == b"GPS") && !stored.windows(4).any(|w| w == b"Exif"), "metadata stripped");
        let small = image::load_from_memory(&std::fs::read(app.data_dir.path().join("media").join(files.iter().find(|f| f.contains("-400")).unwrap())).unwrap()).unwrap();
        assert_eq!((small.width(), small.height()), (400, 225));
        let page = app.get_as("/admin/media", &b).await;
        assert!(page.body.contains("le-hoi-xuan.jpg") && page.body.contains("1600×900"));
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
    }

    async fn anything_else_is_refused_and_nothing_is_stored(app) {
        app.create_user("tacgia", Role::Author).await;
        let b = app.login("tacgia").await;
        let cases: [(&str, &[u8]); 3] = [
            ("anh.jpg", b"<?php system($_GET['c']); ?>"),
            ("anh.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            ("hong.jpg", &photo_with_gps(64, 64)[..300]),
        ];
        for (name, bytes) in cases {
            let r = app.post_multipart("/admin/media", &b, &[], Some(("file", name, bytes))).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            assert!(r.body.contains("JPEG, PNG hoặc WebP") || r.body.contains("bị hỏng"), "{}", r.body);
        }
        let (_, small_limit) = app.with_settings(|s| s.max_upload_bytes = 1024 * 1024).await;
        let big = vec![0xFFu8; 1024 * 1024 + 10];
        let r = tower::ServiceExt::oneshot(small_limit, multipart_request(&b, "file", "to.jpg", &big)).await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(media_files(&app).is_empty());
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
        for path in ["/media/..%2Fbantin.db", "/media/../bantin.db", "/media/x.jpg", "/media/0123456789abcdef0123456789abcdef.php"] {
            assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
    }

    async fn a_featured_image_comes_with_the_article(app) {
        app.create_user("bientap", Role::Editor).await;
        let b = app.login("bientap").await;
        let photo = photo_with_gps(1600, 900);
        // Without its text alternative the image is not kept, nor the article.
        let r = app.post_multipart("/admin/articles", &b,
            &[("title", "Lễ hội xuân"), ("body", "Lễ hội diễn ra sôi nổi."), ("featured_alt", "  "), ("action", "xuat-ban")],
            Some(("new_image", "le-hoi.jpg", &photo))).await;
        r.expect(StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Hãy ghi mô tả ảnh đại diện"), "{}", r.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
        assert_eq!(app.count_articles().await, 0);
        let r = app.post_multipart("/admin/articles", &b,
            &[("title", "Lễ hội xuân"), ("body", "Lễ hội diễn ra sôi nổi."), ("featured_alt", "Đoàn múa lân trước đình làng"), ("action", "xuat-ban")],
            Some(("new_image", "le-hoi.jpg", &photo))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get("/tin-tuc/le-hoi-xuan").await;
        let attr = |name| crate::common::html::attr_of(&page.body, "img", ("class", "featured"), name).unwrap_or_default();
        let img = attr("src");
        let img = img.as_str();
        assert!(img.starts_with("/media/") && img.ends_with("-1200.jpg"), "{img}");
        assert_eq!(app.get(img).await.status, StatusCode::OK);
        // A phone picks the 400 px copy; the page keeps its place as it loads.
        let base = img.trim_end_matches("-1200.jpg");
        assert_eq!(attr("srcset"), format!("{base}-400.jpg 400w, {base}-1200.jpg 1200w, {base}.jpg 1600w"));
        assert_eq!(attr("sizes"), "(max-width: 48rem) 100vw, 48rem");
        assert_eq!((attr("width"), attr("height")), ("1600".to_owned(), "900".to_owned()));
        assert_eq!(attr("alt"), "Đoàn múa lân trước đình làng");
        assert!(page.body.contains("<meta property=\"og:image:alt\" content=\"Đoàn múa lân trước đình làng\">"));
        // The editor shows it again, and the revision keeps it.
        let id = app.count("SELECT id FROM articles WHERE slug = 'le-hoi-xuan'").await;
        let form = app.get_as(&format!("/admin/articles/{id}"), &b).await;
        assert_eq!(crate::common::html::attr_of(&form.body, "input", ("id", "featured_alt"), "value").as_deref(), Some("Đoàn múa lân trước đình làng"));
        assert_eq!(app.scalar("SELECT r.featured_alt FROM article_revisions r JOIN articles a ON a.id = r.article_id WHERE a.slug = 'le-hoi-xuan'").await, "Đoàn múa lân trước đình làng");
        // A made-up image address is refused.
        let bad = app.post_multipart("/admin/articles", &b,
            &[("title", "Khác"), ("body", "x"), ("featured_image", "/media/../../etc/passwd"), ("featured_alt", "Ảnh"), ("action", "luu")], None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("Ảnh đại diện không hợp lệ."));
    }

    async fn a_preview_with_a_new_image_stores_nothing(app) {
        app.create_user("bientap", Role::Editor).await;
        let b = app.login("bientap").await;
        let photo = photo_with_gps(1600, 900);
        for _ in 0..3 {
            let r = app.post_multipart("/admin/articles", &b,
                &[("title", "Lễ hội xuân"), ("body", "Lễ hội diễn ra sôi nổi."), ("action", "xem-truoc")],
                Some(("new_image", "le-hoi.jpg", &photo))).await;
            r.good();
            // The image is shown from the page itself, not from the library.
            let src = crate::common::html::attr_of(&r.body, "img", ("class", "featured"), "src").unwrap();
            assert!(src.starts_with("data:image/jpeg;base64,"), "{}", &src[..40.min(src.len())]);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'image_upload'").await, 0);
        assert!(!app.data_dir.path().join("media").exists() || media_files(&app).is_empty());
        // Saving stores it once, with the article and its audit entries.
        let r = app.post_multipart("/admin/articles", &b,
            &[("title", "Lễ hội xuân"), ("body", "Lễ hội diễn ra sôi nổi."), ("featured_alt", "Lễ hội"), ("action", "luu")],
            Some(("new_image", "le-hoi.jpg", &photo))).await;
        r.expect(StatusCode::SEE_OTHER);
        assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
        assert_eq!(media_files(&app).len(), 3);
        assert_eq!(app.strings("SELECT action FROM audit_log ORDER BY id").await,
            ["login", "image_upload", "article_create"]);
    }
}

fn multipart_request(
    b: &crate::common::Browser,
    field: &str,
    name: &str,
    bytes: &[u8],
) -> axum::http::Request<axum::body::Body> {
    let boundary = "----bantin-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\r\n", b.csrf).into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    axum::http::Request::post("/admin/media")
        .header("cookie", &b.cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from(body))
        .unwrap()
}
