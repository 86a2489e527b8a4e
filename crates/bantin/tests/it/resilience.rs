//! What the server does when things go wrong: a crash mid-write, slow or
//! greedy clients, more load than it can take.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::phone;
use crate::common::process::{self, exchange, multipart, request, serve, sigterm};
use axum::http::StatusCode;
use bantin::accounts::Role;

fn get(address: &str, path: &str, user_agent: &str) -> Option<process::Reply> {
    exchange(
        address,
        &request("GET", path, &[("User-Agent", user_agent)], b""),
    )
}

both_databases! {
    async fn kill_9_loses_no_acknowledged_save_and_little_counting(app) {
        app.create_user("bientap", Role::Editor).await;
        let url = app.database_url.clone();
        let flush = Duration::from_millis(200);
        let (mut child, address, _lines) =
            serve(&["--database-url", &url, "--stats-flush-ms", "200"]);
        let (cookie, csrf) = process::login(&address, "bientap", crate::common::PASSWORD);

        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // An editor publishing article after article.
        let saved = Arc::new(Mutex::new(Vec::<String>::new()));
        let editor = {
            let (address, saved, stop) = (address.clone(), saved.clone(), stop.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let title = format!("Tin số {i} trước sự cố");
                    let (content_type, body) = multipart(&[
                        ("csrf", &csrf),
                        ("title", &title),
                        ("body", "<p>Nội dung được lưu.</p>"),
                        ("byline", "Lồ Sinh"),
                        ("action", "xuat-ban"),
                    ]);
                    let reply = exchange(&address, &request("POST", "/admin/articles", &[
                        ("Cookie", &cookie),
                        ("Content-Type", &content_type),
                        ("Sec-Fetch-Site", "same-origin"),
                    ], &body));
                    match reply {
                        Some(r) if r.status == 303 => saved.lock().unwrap().push(title),
                        Some(r) => panic!("save refused: {} {}", r.status, r.body),
                        None => break,
                    }
                }
            })
        };
        // Readers: each request a new visitor; remember when it was answered.
        let started = Instant::now();
        let readers: Vec<_> = (0..2)
            .map(|t| {
                let (address, stop) = (address.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut answered = Vec::new();
                    for i in 0.. {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        // A busy portal's pace (hundreds of new visitors a
                        // second), not a flood: a flush must keep up.
                        std::thread::sleep(Duration::from_millis(3));
                        match get(&address, "/", &phone(t * 1_000_000 + i)) {
                            Some(r) if r.status == 200 => answered.push(started.elapsed()),
                            Some(r) => panic!("home page failed: {}", r.status),
                            None => break,
                        }
                    }
                    answered
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        let killed_at = started.elapsed();
        child.kill().unwrap();
        child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        editor.join().unwrap();
        let answered: Vec<Duration> = readers.into_iter().flat_map(|r| r.join().unwrap()).collect();
        let saved = saved.lock().unwrap().clone();
        assert!(saved.len() >= 3 && answered.len() >= 20, "load ran: {} saves, {} visits", saved.len(), answered.len());

        if app.database_url.starts_with("sqlite") {
            let check: String = app.scalar("PRAGMA integrity_check").await;
            assert_eq!(check, "ok");
        }
        // The server starts again on what was left.
        let (mut child, address, _lines) = serve(&["--database-url", &url]);
        let stats = get(&address, "/api/v1/stats", "curl/8").unwrap();
        sigterm(&mut child);
        let stored: BTreeSet<String> = app.strings("SELECT title FROM articles WHERE kind = 'news'").await.into_iter().collect();
        for title in &saved {
            assert!(stored.contains(title), "acknowledged save lost: {title}");
        }
        let total = serde_json::from_str::<serde_json::Value>(stats.body.trim()).unwrap()["total"]
            .as_i64()
            .unwrap() as usize;
        // At risk are the visits since the last flush began: one interval,
        // plus the time a flush takes (allowed 500 ms here, a debug build on
        // a busy machine). Everything older was written; nothing twice.
        let window = flush + Duration::from_millis(500);
        let safe = answered.iter().filter(|t| **t + window < killed_at).count();
        assert!(
            (safe..=answered.len()).contains(&total),
            "{total} counted; {safe} answered more than {window:?} before the crash, {} in all",
            answered.len()
        );
    }

    async fn past_the_in_flight_limit_requests_wait_then_get_503(app) {
        let (state, router) = app.with_settings(|s| s.max_in_flight = 1).await;
        let busy = state.in_flight().acquire().await.unwrap();
        let started = Instant::now();
        let r = crate::common::send(&router, axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(started.elapsed() >= bantin::web::middleware::overload::QUEUE_WAIT);
        assert_eq!(r.header("retry-after"), "5");
        assert!(r.body.contains("Máy chủ đang quá tải"), "{}", r.body);
        assert!(r.header("content-security-policy").contains("default-src"));
        // A request that finds a slot within the wait is served.
        let waiter = tokio::spawn({
            let router = router.clone();
            async move { crate::common::send(&router, axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap()).await.status }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(busy);
        assert_eq!(waiter.await.unwrap(), StatusCode::OK);
    }
}

/// Opens a connection and sends half a request head, then nothing.
fn slowloris(address: &str) -> std::net::TcpStream {
    let mut s = std::net::TcpStream::connect(address).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    s
}

#[test]
fn slow_clients_are_cut_off_and_do_not_hold_connections() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().display().to_string();
    let (mut child, address, _lines) = serve(&["--data-dir", &dir, "--max-connections", "4"]);
    let started = Instant::now();
    let mut slow: Vec<_> = (0..4).map(|_| slowloris(&address)).collect();
    std::thread::sleep(Duration::from_millis(200));
    // Every connection slot is held: a newcomer is told so at once.
    let refused = get(&address, "/", "curl/8").expect("an answer, not a reset");
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert!(refused.body.contains("quá tải"), "{}", refused.body);
    assert_eq!(refused.header("retry-after"), "5");
    // The slow clients are dropped once the head deadline passes…
    for s in &mut slow {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
    }
    let waited = started.elapsed();
    assert!(
        waited >= bantin::web::listener::HEADER_READ_TIMEOUT
            && waited < bantin::web::listener::HEADER_READ_TIMEOUT + Duration::from_secs(5),
        "slow connections closed after {waited:?}"
    );
    // …and their slots serve readers again.
    assert_eq!(get(&address, "/", "curl/8").unwrap().status, 200);
    sigterm(&mut child);
}

#[test]
fn oversized_heads_and_bodies_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().display().to_string();
    let (mut child, address, _lines) = serve(&["--data-dir", &dir]);
    let cookie = "a".repeat(bantin::web::listener::MAX_HEADER_BYTES + 1);
    let r = exchange(&address, &request("GET", "/", &[("Cookie", &cookie)], b"")).unwrap();
    assert_eq!(r.status, 431);
    let long_path = format!("/tim-kiem?q={}", "a".repeat(20_000));
    let r = exchange(&address, &request("GET", &long_path, &[], b"")).unwrap();
    assert_eq!(r.status, 431);
    // Forms are small; a 3 MB login form is refused without reading it all.
    let big = vec![b'a'; 3 * 1024 * 1024];
    let r = exchange(
        &address,
        &request(
            "POST",
            "/dang-nhap",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &big,
        ),
    );
    if let Some(r) = r {
        assert_eq!(r.status, 413, "{}", r.body);
        assert!(r.body.contains("quá lớn"), "{}", r.body);
    }
    assert_eq!(get(&address, "/healthz", "curl/8").unwrap().status, 200);
    sigterm(&mut child);
}

#[test]
fn ten_times_the_connections_get_answers_or_503_never_a_crash() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().display().to_string();
    let (mut child, address, _lines) = serve(&["--data-dir", &dir, "--max-connections", "16"]);
    let clients: Vec<_> = (0..160)
        .map(|i| {
            let address = address.clone();
            std::thread::spawn(move || get(&address, "/", &phone(i)).map(|r| r.status))
        })
        .collect();
    let statuses: Vec<Option<u16>> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let ok = statuses.iter().filter(|s| **s == Some(200)).count();
    let busy = statuses.iter().filter(|s| **s == Some(503)).count();
    assert_eq!(
        ok + busy,
        statuses.len(),
        "every client answered 200 or 503: {statuses:?}"
    );
    assert!(ok >= 16, "{ok} served");
    assert_eq!(get(&address, "/healthz", "curl/8").unwrap().status, 200);
    sigterm(&mut child);
}
