//! Importing captured pages: idempotence, slug collisions, rejections.

use crate::common::{TestApp, fixture, fixture_text};
use bantin::content::import::{self, ImportError, Rejection};

async fn import_path(
    app: &TestApp,
    path: &std::path::Path,
) -> Result<import::Imported, ImportError> {
    let site = app.site();
    import::import_file(&app.db, &site, None, path, app.clock_now()).await
}

both_databases! {
    async fn importing_twice_creates_no_duplicate(app) {
        let first = import_path(&app, &fixture("ngay-hoi-dai-doan-ket.txt")).await.unwrap();
        let again = import_path(&app, &fixture("ngay-hoi-dai-doan-ket.txt")).await.unwrap();
        assert!(first.created);
        assert!(!again.created);
        assert_eq!(first.path, again.path);
        assert_eq!(app.count_articles().await, 1);
    }

    async fn same_title_other_text_gets_its_own_slug(app) {
        let a = app.import_text("Thông báo\n\nNội dung thứ nhất.\n").await;
        let b = app.import_text("Thông báo\n\nNội dung thứ hai.\n").await;
        assert_eq!(a.path, "/tin-tuc/thong-bao");
        assert_eq!(b.path, "/tin-tuc/thong-bao-2");
        assert_eq!(app.count_articles().await, 2);
    }

    async fn concurrent_imports_of_one_page_store_it_once(app) {
        let text = fixture_text("ngay-hoi-dai-doan-ket.txt");
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (db, site_id, now, text) = (app.db.clone(), app.site().id, app.clock_now(), text.clone());
            tasks.push(tokio::spawn(async move {
                let page = import::parse(&text, None).unwrap();
                import::store(&db, site_id, None, &page, now).await.unwrap()
            }));
        }
        let mut paths = Vec::new();
        for t in tasks {
            paths.push(t.await.unwrap().path);
        }
        paths.dedup();
        assert_eq!(paths.len(), 1, "{paths:?}");
        assert_eq!(app.count_articles().await, 1);
    }

    async fn bad_files_are_rejected_and_store_nothing(app) {
        let dir = tempfile::tempdir().unwrap();
        let latin1 = dir.path().join("latin1.txt");
        // "Tiêu đề" in Windows-1258-ish bytes: not UTF-8.
        std::fs::write(&latin1, b"Ti\xeau \xf0\xea\n\nN\xf4i dung.\n").unwrap();
        let empty = dir.path().join("rong.txt");
        std::fs::write(&empty, "  \n\u{a0}\n").unwrap();
        let title_only = dir.path().join("chi-tieu-de.txt");
        std::fs::write(&title_only, "Chỉ có tiêu đề\n\nTin tức\nĐăng nhập\nThống kê truy cập\n • Đang online: 1\n").unwrap();
        let missing = dir.path().join("khong-co.txt");

        for (file, expected) in [
            (&latin1, Rejection::NotUtf8),
            (&empty, Rejection::Empty),
            (&title_only, Rejection::NoBody),
        ] {
            let err = import_path(&app, file).await.unwrap_err();
            let message = err.to_string();
            assert!(message.contains(&file.display().to_string()), "names the file: {message}");
            match err {
                ImportError::Rejected { reason, .. } => assert_eq!(reason, expected),
                other => panic!("unexpected {other}"),
            }
        }
        assert!(matches!(
            import_path(&app, &missing).await,
            Err(ImportError::Rejected { reason: Rejection::Unreadable(_), .. })
        ));
        assert_eq!(app.count_articles().await, 0);
    }

    async fn many_files_are_stored_in_batches_and_reported_in_order(app) {
        let dir = tempfile::tempdir().unwrap();
        let n = import::BATCH + 10;
        let mut paths = Vec::new();
        for i in 0..n {
            let path = dir.path().join(format!("{i:04}.txt"));
            let text = match i {
                // The same content twice, in one batch and across batches.
                7 | 8 | 255 => "Bản tin lặp lại\n\nNội dung giống nhau.\n".to_owned(),
                // Rejected in the first and in the second batch.
                3 | 252 => "Chỉ có tiêu đề\n".to_owned(),
                _ => format!("Bản tin số {i}\n\nNội dung của bản tin số {i}.\n"),
            };
            std::fs::write(&path, text).unwrap();
            paths.push(path);
        }
        let site = app.site();
        let mut seen = Vec::new();
        import::import_files(&app.db, &site, None, &paths, app.clock_now(), |path, outcome| {
            seen.push((path.to_owned(), outcome));
        })
        .await;
        assert_eq!(seen.len(), n);
        for (i, (path, outcome)) in seen.iter().enumerate() {
            assert_eq!(path, &paths[i], "reported in order");
            match (i, outcome) {
                (3 | 252, Err(ImportError::Rejected { reason: Rejection::NoBody, .. })) => {}
                (7, Ok(done)) => assert!(done.created && done.path == "/tin-tuc/ban-tin-lap-lai"),
                (8 | 255, Ok(done)) => assert!(!done.created && done.path == "/tin-tuc/ban-tin-lap-lai", "{i}: {done:?}"),
                (_, Ok(done)) => assert!(done.created && done.path == format!("/tin-tuc/ban-tin-so-{i}"), "{i}: {done:?}"),
                (_, Err(e)) => panic!("{i}: {e}"),
            }
        }
        assert_eq!(app.count_articles().await, n as i64 - 4);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'article_import'").await, n as i64 - 4);
        // Found by search, as one at a time would be.
        let found = app.get("/tim-kiem?q=ban+tin+so+259").await;
        assert!(found.good().body.contains("/tin-tuc/ban-tin-so-259"));
    }

    async fn legacy_tcvn3_text_is_converted(app) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("thong-bao-cu.txt");
        // A TCVN3 document opened as Latin-1 and saved as UTF-8.
        std::fs::write(&file, "Th\u{AB}ng b\u{B8}o l\u{DE}ch ti\u{D5}p d\u{A9}n\n\nUBND x\u{B7} th\u{AB}ng b\u{B8}o l\u{DE}ch ti\u{D5}p c\u{AB}ng d\u{A9}n.\n\nV\u{A8}n ph\u{DF}ng.\n").unwrap();
        let done = import_path(&app, &file).await.unwrap();
        assert_eq!(done.legacy, Some(vntext::LegacyEncoding::Tcvn3));
        assert_eq!(done.path, "/tin-tuc/thong-bao-lich-tiep-dan");
        let page = app.get(&done.path).await;
        assert!(page.body.contains("<h1>Thông báo lịch tiếp dân</h1>"), "{}", page.body);
        assert!(page.body.contains("<p>UBND xã thông báo lịch tiếp công dân.</p>"));
        assert!(page.body.contains("<p class=\"byline\">Văn phòng.</p>"));
    }

    async fn the_house_tone_style_applies_to_stored_text(app) {
        let site = app.site();
        bantin::site::set_tone_style(&app.db, site.id, Some(vntext::ToneStyle::Old), app.clock_now()).await.unwrap();
        app.state.reload_sites().await.unwrap();
        let done = app.import_text("Hoà giải ở cơ sở\n\nTổ hoà giải thôn đã giúp bà con khoẻ mạnh, thuỷ lợi tốt, số lựơng lớn.\n").await;
        assert_eq!(done.path, "/tin-tuc/hoa-giai-o-co-so");
        let page = app.get(&done.path).await;
        assert!(page.body.contains("<h1>Hòa giải ở cơ sở</h1>"), "{}", page.body);
        assert!(page.body.contains("Tổ hòa giải thôn đã giúp bà con khỏe mạnh, thủy lợi tốt, số lượng lớn."));
    }
}
