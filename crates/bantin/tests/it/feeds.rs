//! Feeds, sitemap, robots.txt and sharing metadata: valid, escaped, current.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;

async fn add(app: &TestApp, title: &str, body: &str) -> String {
    let path = app.import_text(&format!("{title}\n\n{body}\n")).await.path;
    app.clock.advance(Duration::minutes(10));
    path
}

async fn get_host(app: &TestApp, uri: &str) -> crate::common::TestResponse {
    app.request(
        Request::get(uri)
            .header("host", "sincheng.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

both_databases! {
    async fn rss_is_valid_and_lists_the_latest_twenty(app) {
        for i in 0..25 {
            add(&app, &format!("Tin số {i} <b>&</b> “ngoặc”"), "Nội dung.").await;
        }
        let r = get_host(&app, "/rss.xml").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.header("content-type").starts_with("application/rss+xml"));
        let doc = roxmltree::Document::parse(&r.body).expect("well-formed XML");
        let rss = doc.root_element();
        assert_eq!(rss.tag_name().name(), "rss");
        assert_eq!(rss.attribute("version"), Some("2.0"));
        let channel = rss.children().find(|n| n.has_tag_name("channel")).unwrap();
        let items: Vec<_> = channel.children().filter(|n| n.has_tag_name("item")).collect();
        assert_eq!(items.len(), 20);
        let first = items[0];
        let text = |n: roxmltree::Node<'_, '_>, tag: &str| n.children().find(|c| c.has_tag_name(tag)).and_then(|c| c.text()).unwrap().to_owned();
        assert_eq!(text(first, "title"), "Tin số 24 <b>&</b> “ngoặc”", "escaped and parsed back");
        assert!(text(first, "link").starts_with("http://sincheng.example/tin-tuc/tin-so-24"));
        let pub_date = text(first, "pubDate");
        assert!(chrono::DateTime::parse_from_rfc2822(&pub_date).is_ok(), "{pub_date}");
        assert!(pub_date.ends_with("+0700"));
        // A feed per category, and none for a category that does not exist.
        assert_eq!(get_host(&app, "/chuyen-muc/tin-tuc/rss.xml").await.status, StatusCode::OK);
        assert_eq!(get_host(&app, "/chuyen-muc/khong-co/rss.xml").await.status, StatusCode::NOT_FOUND);
    }

    async fn sitemap_and_robots(app) {
        let a = add(&app, "Bài một", "Nội dung.").await;
        let b = add(&app, "Bài hai", "Nội dung.").await;
        let r = get_host(&app, "/sitemap.xml").await;
        assert_eq!(r.status, StatusCode::OK);
        let doc = roxmltree::Document::parse(&r.body).unwrap();
        let locs: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
        assert!(locs.contains(&format!("http://sincheng.example{a}").as_str()));
        assert!(locs.contains(&format!("http://sincheng.example{b}").as_str()));
        assert!(doc.descendants().filter(|n| n.has_tag_name("lastmod")).all(|n| chrono::DateTime::parse_from_rfc3339(n.text().unwrap()).is_ok()));
        let robots = get_host(&app, "/robots.txt").await;
        assert!(robots.body.contains("Disallow: /admin") && robots.body.contains("Sitemap: http://sincheng.example/sitemap.xml"));
        // A hostile Host header does not end up in the documents.
        let evil = app.request(Request::get("/robots.txt").header("host", "evil\"><x").body(Body::empty()).unwrap()).await;
        assert!(evil.body.contains("Sitemap: http://localhost/sitemap.xml"), "{}", evil.body);
        // With a public URL configured, it is used.
        let (_, router) = app.with_settings(|s| s.public_url = Some("https://sincheng.gov.vn".into())).await;
        let r = tower::ServiceExt::oneshot(router, Request::get("/sitemap.xml").header("host", "other").body(Body::empty()).unwrap()).await.unwrap();
        let body = http_body_util::BodyExt::collect(r.into_body()).await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("<loc>https://sincheng.gov.vn/tin-tuc/bai-mot</loc>"));
    }

    async fn articles_carry_sharing_metadata(app) {
        let path = add(&app, "Lễ hội “Gầu Tào” </script> 2026", "Lễ hội diễn ra sôi nổi & vui.").await;
        let r = get_host(&app, &path).await;
        let b = &r.body;
        assert!(b.contains(&format!("<link rel=\"canonical\" href=\"http://sincheng.example{path}\">")));
        assert!(b.contains("<meta property=\"og:type\" content=\"article\">"));
        assert!(b.contains("<meta property=\"og:title\" content=\"Lễ hội “Gầu Tào” &#60;/script&#62; 2026\">"), "{b}");
        assert!(b.contains("<meta name=\"twitter:card\" content=\"summary\">"));
        let ld = b.split("<script type=\"application/ld+json\">").nth(1).unwrap().split("</script>").next().unwrap();
        let v: serde_json::Value = serde_json::from_str(ld).expect("valid JSON-LD");
        assert_eq!(v["@type"], "NewsArticle");
        assert_eq!(v["headline"], "Lễ hội “Gầu Tào” </script> 2026");
        assert!(!ld.contains("</script"), "cannot close the script element early");
    }
}
