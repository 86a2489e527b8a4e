//! Running it for real: backup and restore, /metrics, request ids.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{TestApp, fixture_text, phone};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bantin::accounts::Role;
use bantin::db::Db;
use bantin::ops::backup::{self, Target};
use image::{Rgb, RgbImage};
use sha2::{Digest, Sha256};

fn jpeg(seed: u8) -> Vec<u8> {
    let img = RgbImage::from_fn(640, 480, |x, y| {
        Rgb([(x as u8).wrapping_add(seed), (y as u8) ^ seed, seed])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

/// Content, accounts, statistics and images, as a site has them.
async fn populate(app: &TestApp) {
    let imported = app
        .import_text(&fixture_text("ngay-hoi-dai-doan-ket.txt"))
        .await;
    let _ = imported;
    let user = app.create_user("bientap", Role::Editor).await;
    for seed in [1u8, 2] {
        let upload = bantin::content::media::Upload {
            file_name: "anh.jpg".into(),
            bytes: jpeg(seed),
        };
        bantin::content::media::upload(
            &app.db,
            &app.state.library(),
            app.site().id,
            Some(user),
            upload,
            app.clock_now(),
        )
        .await
        .unwrap();
    }
    let slug: String = bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM articles WHERE kind = 'news' LIMIT 1").fetch_one(pool).await).unwrap();
    for n in 0..5 {
        let r = app
            .visit(
                &format!("/tin-tuc/{slug}"),
                &format!("203.0.113.{n}"),
                &phone(n),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    app.state.stats().flush().await.unwrap();
}

/// Every row of every ordinary table, as text, sorted: equal dumps mean
/// equal data.
async fn dump_sqlite(db: &Db) -> BTreeMap<String, Vec<String>> {
    let Db::Sqlite(pool) = db else {
        panic!("SQLite only")
    };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {row} FROM \"{table}\""
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

fn media_digests(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| {
                    let e = e.unwrap();
                    let bytes = std::fs::read(e.path()).unwrap();
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        format!("{:x}", Sha256::digest(&bytes)),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_restores_everything_identically() {
    let app = TestApp::sqlite().await;
    populate(&app).await;
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("sao-luu.tar.gz");
    // Taken while the site keeps serving.
    let (manifest, served) = tokio::join!(
        backup::create(
            &app.db,
            &app.state.settings().media_dir,
            &archive,
            app.clock_now()
        ),
        app.get("/")
    );
    let manifest = manifest.unwrap();
    assert_eq!(served.status, StatusCode::OK);
    assert!(manifest.database_included);
    assert_eq!(manifest.articles, 1);
    assert!(manifest.media_files >= 4, "{manifest:?}");
    assert_eq!(manifest.schema_version, bantin::db::latest_version());
    // No temporary files are left beside the archive.
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["sao-luu.tar.gz"]);
    // An existing archive is never overwritten.
    assert!(
        backup::create(
            &app.db,
            &app.state.settings().media_dir,
            &archive,
            app.clock_now()
        )
        .await
        .is_err()
    );

    let restored_dir = tempfile::tempdir().unwrap();
    let data_dir = restored_dir.path().join("data");
    let target = Target {
        data_dir: data_dir.clone(),
        sqlite_file: Some(data_dir.join("bantin.db")),
        media_dir: data_dir.join("media"),
    };
    let back = backup::restore(&archive, &target, false).await.unwrap();
    assert_eq!(back, manifest);
    let restored = Db::connect(&bantin::db::sqlite_url_in(&data_dir))
        .await
        .unwrap();
    let (before, after) = (dump_sqlite(&app.db).await, dump_sqlite(&restored).await);
    for table in ["articles", "users", "stats_daily", "images", "categories"] {
        assert!(
            before.get(table).is_some_and(|rows| !rows.is_empty()),
            "{table} should have rows"
        );
    }
    assert_eq!(before, after);
    assert_eq!(
        media_digests(&app.state.settings().media_dir),
        media_digests(&target.media_dir)
    );
    // The restored search index answers too.
    let Db::Sqlite(pool) = &restored else {
        unreachable!()
    };
    let word: String = sqlx::query_scalar(
        "SELECT substr(search_title, 1, instr(search_title, ' ') - 1) FROM articles WHERE kind = 'news'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let hits: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH $1")
            .bind(&word)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(hits, 1, "{word}");
    restored.close().await;

    // A second restore into the now non-empty folder is refused and
    // changes nothing; with force it replaces.
    let err = backup::restore(&archive, &target, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("không trống") && err.contains("--force"),
        "{err}"
    );
    backup::restore(&archive, &target, true).await.unwrap();
    let leftovers: Vec<String> = std::fs::read_dir(&data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_archives_restore_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let target = Target {
        data_dir: data_dir.clone(),
        sqlite_file: Some(data_dir.join("bantin.db")),
        media_dir: data_dir.join("media"),
    };
    // Not an archive at all.
    let junk = dir.path().join("junk.tar.gz");
    std::fs::write(&junk, b"not a backup").unwrap();
    assert!(backup::restore(&junk, &target, false).await.is_err());
    // A real archive cut in half.
    let app = TestApp::sqlite().await;
    populate(&app).await;
    let archive = dir.path().join("full.tar.gz");
    backup::create(
        &app.db,
        &app.state.settings().media_dir,
        &archive,
        app.clock_now(),
    )
    .await
    .unwrap();
    let bytes = std::fs::read(&archive).unwrap();
    let cut = dir.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(backup::restore(&cut, &target, false).await.is_err());
    // An archive with a path escaping the data folder.
    let evil = dir.path().join("evil.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&evil).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let manifest = br#"{"format":"bantin-backup","version":1,"created_at":"2026-03-02T01:30:00Z","database":"sqlite","database_included":false,"schema_version":6,"articles":0,"media_files":1}"#;
        let mut h = tar::Header::new_gnu();
        h.set_size(manifest.len() as u64);
        h.set_mode(0o600);
        tar.append_data(&mut h, "manifest.json", &manifest[..])
            .unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o600);
        // `append_data` refuses `..`; write the name into the header directly.
        h.as_gnu_mut().unwrap().name[..16].copy_from_slice(b"media/../../evil");
        h.set_cksum();
        tar.append(&h, &b"bad"[..]).unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    assert!(backup::restore(&evil, &target, false).await.is_err());
    assert!(!dir.path().join("evil").exists());
    // Nothing of any of them is left in the data folder.
    let left: Vec<_> = std::fs::read_dir(&data_dir)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    app.finish().await;
}

both_databases! {
    async fn backup_holds_the_images_and_says_what_it_holds(app) {
        populate(&app).await;
        let out = tempfile::tempdir().unwrap();
        let archive = out.path().join("b.tar.gz");
        let m = backup::create(&app.db, &app.state.settings().media_dir, &archive, app.clock_now())
            .await
            .unwrap();
        let postgres = matches!(app.db, Db::Postgres(_));
        assert_eq!(m.database_included, !postgres);
        assert_eq!(m.database, if postgres { "postgres" } else { "sqlite" });
        assert!(m.media_files >= 4);
        // Images come back on either database (PostgreSQL's rows come back
        // through pg_restore).
        let data_dir = out.path().join("data");
        let target = Target {
            data_dir: data_dir.clone(),
            sqlite_file: (!postgres).then(|| data_dir.join("bantin.db")),
            media_dir: data_dir.join("media"),
        };
        backup::restore(&archive, &target, false).await.unwrap();
        assert_eq!(
            media_digests(&app.state.settings().media_dir),
            media_digests(&target.media_dir)
        );
    }

    async fn metrics_are_off_the_public_site_unless_a_token_is_given(app) {
        assert_eq!(app.get("/metrics").await.status, StatusCode::NOT_FOUND);
        let token = "0123456789abcdef-metrics";
        let (state, router) = app
            .with_settings(|s| s.metrics_token = Some(token.into()))
            .await;
        let slug: String = {
            app.import_text(&fixture_text("ngay-hoi-dai-doan-ket.txt")).await;
            bantin::with_db!(&app.db, pool => sqlx::query_scalar("SELECT slug FROM articles WHERE kind = 'news' LIMIT 1").fetch_one(pool).await).unwrap()
        };
        use tower::ServiceExt;
        let call = |req: Request<Body>| {
            let router = router.clone();
            async move {
                let r = router.oneshot(req).await.unwrap();
                let status = r.status();
                let headers = r.headers().clone();
                let body = http_body_util::BodyExt::collect(r.into_body()).await.unwrap().to_bytes();
                (status, headers, String::from_utf8_lossy(&body).into_owned())
            }
        };
        let (status, headers, _) = call(crate::common::visit_request(&format!("/tin-tuc/{slug}"), "203.0.113.9", &phone(1))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!headers["x-request-id"].is_empty());
        let (status, _, _) = call(Request::get("/metrics").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, _) = call(Request::get("/metrics").header("authorization", "Bearer wrong-token-0000000").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        state.stats().flush().await.unwrap();
        let (status, headers, body) = call(Request::get("/metrics").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        for needle in [
            "bantin_http_requests_total{method=\"GET\",route=\"/tin-tuc/{slug}\",status=\"2xx\"} 1\n",
            "bantin_http_request_duration_seconds_count{method=\"GET\",route=\"/tin-tuc/{slug}\"} 1\n",
            "bantin_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"4xx\"} 2\n",
            "bantin_stats_flush_duration_seconds_count 1\n",
            "bantin_articles_published 1\n",
            "bantin_db_connections{state=\"max\"}",
        ] {
            assert!(body.contains(needle), "{needle} not in:\n{body}");
        }
        // The separate monitoring address serves it without a token.
        let r = bantin::web::router::metrics_router(state.clone())
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}
