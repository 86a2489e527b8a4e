//! The `bantin` binary itself: import-text, migrate, configuration
//! precedence, and serve with a clean shutdown.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::common::fixture;
use crate::common::process::{bantin, eventually, get_on, http_get, run, serve, sigterm};

both_databases! {
    async fn import_text_prints_paths_and_is_idempotent(app) {
        let url = app.database_url.clone();
        let files = [fixture("ngay-hoi-dai-doan-ket.txt"), fixture("lich-tiep-cong-dan.txt")];
        let (out, stdout, stderr) = run(bantin().args(["--database-url", &url, "import-text"]).args(&files));
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            stdout,
            "/tin-tuc/xa-nam-xe-to-chuc-ngay-hoi-dai-doan-ket-toan-dan-toc-nam-2026\n\
             /tin-tuc/ubnd-xa-thong-bao-lich-tiep-cong-dan-thang-12\n"
        );
        let (out, stdout, _) = run(bantin().args(["--database-url", &url, "import-text"]).arg(&files[0]));
        assert!(out.status.success());
        assert!(stdout.contains("(đã có"), "{stdout}");
        assert_eq!(app.count_articles().await, 2);
    }

    async fn a_captured_page_keeps_its_date_and_its_tcvn3_article_is_converted(app) {
        let url = app.database_url.clone();
        let dir = tempfile::tempdir().unwrap();
        // The article typed in TCVN3 (read as Latin-1), the site around it
        // already Unicode, and the date the page showed.
        let mixed = dir.path().join("hoa-giai.txt");
        std::fs::write(&mixed, "Trang chủ\nTin tức\nTh«ng b¸o vÒ viÖc hoµ gi¶i ë th«n\n\
            Thứ Hai, 16/02/2026\n\nUBND x· tæ chøc hoµ gi¶i t¹i tr\u{AD}êng häc.\n\n\
            Bµ con th«n Nµn SÝn ®Õn ®«ng ®ñ.\n\nV¨n phßng.\n\nĐăng nhập\nThống kê truy cập\n").unwrap();
        let dated = dir.path().join("dated.txt");
        std::fs::write(&dated, "Xã tổ chức ngày hội đại đoàn kết\nNgày đăng: 15/01/2026 09:30\n\
            Sáng nay, bà con các thôn về dự ngày hội.\nCác thôn đã tham gia văn nghệ.\n").unwrap();
        let foreign = dir.path().join("foreign.txt");
        std::fs::write(&foreign, "Lorem ipsum dolor sit amet\nConsectetur adipiscing elit.\n").unwrap();
        let (out, stdout, stderr) = run(bantin()
            .args(["--database-url", &url, "import-text"])
            .args([&mixed, &dated, &foreign]));
        assert!(out.status.success(), "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines[0], "/tin-tuc/thong-bao-ve-viec-hoa-giai-o-thon (đã chuyển từ bảng mã TCVN3 sang Unicode; ngày đăng theo trang: 16/02/2026 00:00)");
        assert_eq!(lines[1], "/tin-tuc/xa-to-chuc-ngay-hoi-dai-doan-ket (ngày đăng theo trang: 15/01/2026 09:30)");
        assert!(lines[2].starts_with("/tin-tuc/lorem-ipsum-dolor-sit-amet (cảnh báo: tiêu đề"), "{stdout}");
        let body = app.scalar("SELECT body FROM articles WHERE slug = 'thong-bao-ve-viec-hoa-giai-o-thon'").await;
        assert_eq!(body, "<p>UBND xã tổ chức hoà giải tại trường học.</p>\n<p>Bà con thôn Nàn Sín đến đông đủ.</p>\n");
        assert_eq!(app.scalar("SELECT byline FROM articles WHERE slug = 'thong-bao-ve-viec-hoa-giai-o-thon'").await, "Văn phòng.");
        // Dated as the page was, not at the import.
        let page = app.get("/tin-tuc/xa-to-chuc-ngay-hoi-dai-doan-ket").await;
        assert!(page.good().body.contains("15/01/2026 09:30"), "{}", page.body);
        assert!(!page.body.contains("Ngày đăng:"), "the date line is not kept in the body");
        // Running it again adds nothing.
        let (out, stdout, _) = run(bantin().args(["--database-url", &url, "import-text"]).args([&mixed, &dated]));
        assert!(out.status.success());
        assert_eq!(stdout.matches("đã có").count(), 2, "{stdout}");
        assert_eq!(app.count_articles().await, 3);
    }

    async fn a_bad_file_fails_named_and_the_good_ones_still_import(app) {
        let url = app.database_url.clone();
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bao-cao-cu.txt");
        std::fs::write(&bad, b"B\xb6o c\xb6o\n\nN\xe9i dung\n").unwrap();
        let (out, stdout, stderr) = run(bantin()
            .args(["--database-url", &url, "import-text"])
            .arg(&bad)
            .arg(fixture("ngay-hoi-dai-doan-ket.txt")));
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr.contains("bao-cao-cu.txt") && stderr.contains("UTF-8"), "{stderr}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert_eq!(app.count_articles().await, 1);
    }
}

fn user_cmd(url: &str, args: &[&str], stdin: Option<&str>) -> (Output, String, String) {
    let mut cmd = bantin();
    cmd.args(["--database-url", url, "user"]).args(args);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

both_databases! {
    async fn user_commands_manage_accounts(app) {
        let url = app.database_url.clone();
        let (out, stdout, stderr) = user_cmd(&url, &["add", "quantri", "--role", "admin", "--display-name", "Quản trị xã"], None);
        assert!(out.status.success(), "{stderr}");
        let password = stdout.split("Mật khẩu (chỉ hiện một lần): ").nth(1).unwrap().trim().to_owned();
        assert_eq!(password.len(), 20);
        assert_eq!(app.post_login("quantri", &password, None).await.status, axum::http::StatusCode::SEE_OTHER);

        let (out, _, stderr) = user_cmd(&url, &["add", "vanthu", "--role", "author", "--password-stdin"], Some("matkhau123\n"));
        assert!(!out.status.success());
        assert!(stderr.contains("quá phổ biến"), "{stderr}");
        let (out, stdout, _) = user_cmd(&url, &["add", "vanthu", "--role", "author", "--password-stdin"], Some("Nương ngô Tả Phìn 88\n"));
        assert!(out.status.success());
        assert!(!stdout.contains("Mật khẩu"), "a password given is not printed");
        let (out, _, stderr) = user_cmd(&url, &["add", "vanthu", "--role", "author"], None);
        assert!(!out.status.success() && stderr.contains("đã có"), "{stderr}");
        let (out, _, stderr) = user_cmd(&url, &["add", "Nguyễn", "--role", "author"], None);
        assert!(!out.status.success() && stderr.contains("3-32"), "{stderr}");

        let (_, list, _) = user_cmd(&url, &["list"], None);
        assert!(list.contains("quantri\tadmin\thoạt động\tQuản trị xã") && list.contains("vanthu\tauthor"), "{list}");

        let (out, stdout, _) = user_cmd(&url, &["passwd", "vanthu"], None);
        assert!(out.status.success());
        let new_password = stdout.split("(chỉ hiện một lần): ").nth(1).unwrap().trim().to_owned();
        assert_eq!(app.post_login("vanthu", "Nương ngô Tả Phìn 88", None).await.status, axum::http::StatusCode::UNAUTHORIZED);
        assert_eq!(app.post_login("vanthu", &new_password, None).await.status, axum::http::StatusCode::SEE_OTHER);

        let (out, _, _) = user_cmd(&url, &["disable", "vanthu"], None);
        assert!(out.status.success());
        assert_eq!(app.post_login("vanthu", &new_password, None).await.status, axum::http::StatusCode::UNAUTHORIZED);
        let (_, list, _) = user_cmd(&url, &["list"], None);
        assert!(list.contains("vanthu\tauthor\tđã khoá"));
    }
}

#[test]
fn data_dir_flag_beats_environment_which_beats_the_config_file() {
    let root = tempfile::tempdir().unwrap();
    let (flag, env, file) = (
        root.path().join("flag"),
        root.path().join("env"),
        root.path().join("file"),
    );
    let config = root.path().join("bantin.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", file.display().to_string()),
    )
    .unwrap();

    let migrate = |cmd: &mut Command| {
        let (out, _, stderr) = run(cmd.arg("--config").arg(&config).arg("migrate"));
        assert!(out.status.success(), "{stderr}");
    };
    migrate(
        bantin()
            .arg("--data-dir")
            .arg(&flag)
            .env("BANTIN_DATA_DIR", &env),
    );
    assert!(flag.join("bantin.db").exists() && !env.exists() && !file.exists());
    migrate(bantin().env("BANTIN_DATA_DIR", &env));
    assert!(env.join("bantin.db").exists() && !file.exists());
    migrate(&mut bantin());
    assert!(file.join("bantin.db").exists());
}

#[tokio::test]
async fn backup_copies_the_database_as_it_is() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let data_s = data.display().to_string();
    let (out, _, stderr) = run(bantin()
        .args(["--data-dir", &data_s, "import-text"])
        .arg(fixture("ngay-hoi-dai-doan-ket.txt")));
    assert!(out.status.success(), "{stderr}");
    // As if the database were left by an older bantin: the newest migration
    // not applied, an article without its search text.
    let db = bantin::db::Db::connect(&bantin::db::sqlite_url_in(&data))
        .await
        .unwrap();
    let latest = bantin::db::latest_version();
    bantin::with_db!(&db, pool => {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1").bind(latest).execute(pool).await.unwrap();
        sqlx::query("UPDATE articles SET search_title = '' WHERE kind = 'news'").execute(pool).await.unwrap();
    });
    db.close().await;
    let archive = root.path().join("sao-luu.tar.gz");
    let (out, _, stderr) = run(bantin()
        .args(["--data-dir", &data_s, "backup"])
        .arg(&archive));
    assert!(out.status.success(), "{stderr}");
    let db = bantin::db::Db::connect(&bantin::db::sqlite_url_in(&data))
        .await
        .unwrap();
    let (applied, unindexed): (i64, i64) = bantin::with_db!(&db, pool => sqlx::query_as(
        "SELECT (SELECT MAX(version) FROM _sqlx_migrations), (SELECT COUNT(*) FROM articles WHERE search_title = '' AND kind = 'news')"
    ).fetch_one(pool).await.unwrap());
    db.close().await;
    assert_eq!(applied, latest - 1, "backup must not migrate");
    assert_eq!(unindexed, 1, "backup must not reindex");
}

#[test]
fn a_broken_config_file_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("bantin.toml");
    std::fs::write(&config, "lisen = \"127.0.0.1:1\"\n").unwrap();
    let (out, _, stderr) = run(bantin().arg("--config").arg(&config).arg("migrate"));
    assert!(!out.status.success());
    assert!(
        stderr.contains("bantin.toml") && stderr.contains("lisen"),
        "{stderr}"
    );
}

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().display().to_string();
    let (mut child, address, mut lines) =
        serve(&["--site-name", "Xã Nậm Xe", "--data-dir", &data_dir]);
    assert!(http_get(&address, "/healthz", "curl/8").starts_with("HTTP/1.1 200"));
    let home = http_get(&address, "/", "curl/8");
    assert!(home.starts_with("HTTP/1.1 200"));
    assert!(
        home.contains("<title>Xã Nậm Xe</title>"),
        "--site-name is stored and shown"
    );
    sigterm(&mut child);
    assert!(lines.any(|l| l.unwrap().contains("shutting down")));
}

both_databases! {
    async fn visitor_counts_survive_a_clean_shutdown(app) {
        let url = app.database_url.clone();
        // A flush interval far longer than the test: only the shutdown flush writes.
        let (mut child, address, _lines) = serve(&["--database-url", &url, "--stats-flush-ms", "60000"]);
        for i in 0..12 {
            let r = http_get(&address, "/", &format!("Mozilla/5.0 (Linux; Android 13; Phone {i}) Chrome/124.0 Mobile"));
            assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        }
        sigterm(&mut child);
        let (mut child, address, _lines) = serve(&["--database-url", &url]);
        let stats = http_get(&address, "/api/v1/stats", "curl/8");
        sigterm(&mut child);
        let body = stats.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
        assert_eq!((v["today"].as_i64(), v["total"].as_i64()), (Some(12), Some(12)), "{body}");
    }
}

#[test]
fn backup_while_serving_then_restore_elsewhere() {
    let root = tempfile::tempdir().unwrap();
    let live = root.path().join("live");
    let live_s = live.display().to_string();
    let (out, _, stderr) = run(bantin()
        .args(["--data-dir", &live_s, "import-text"])
        .arg(fixture("ngay-hoi-dai-doan-ket.txt")));
    assert!(out.status.success(), "{stderr}");
    let (mut child, address, _lines) = serve(&["--data-dir", &live_s]);
    let archive = root.path().join("sao-luu.tar.gz");
    let (out, stdout, stderr) = run(bantin()
        .args(["--data-dir", &live_s, "backup"])
        .arg(&archive));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("1 bài viết"), "{stdout}");
    assert!(http_get(&address, "/", "curl/8").starts_with("HTTP/1.1 200"));
    sigterm(&mut child);

    let copy = root.path().join("copy").display().to_string();
    let (out, stdout, stderr) = run(bantin()
        .args(["--data-dir", &copy, "restore"])
        .arg(&archive));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Đã khôi phục"), "{stdout}");
    // Not over existing data without --force.
    let (out, _, stderr) = run(bantin()
        .args(["--data-dir", &copy, "restore"])
        .arg(&archive));
    assert!(!out.status.success());
    assert!(stderr.contains("--force"), "{stderr}");
    let (mut child, address, _lines) = serve(&["--data-dir", &copy]);
    let news = http_get(&address, "/tin-tuc", "curl/8");
    sigterm(&mut child);
    assert!(
        news.contains("Ngày hội") || news.contains("NGÀY HỘI"),
        "{news}"
    );

    // A site nobody can administer must be fixed (issue 21): doctor says so
    // and fails, then passes once an admin exists.
    let (out, stdout, _) = run(bantin().args(["--data-dir", &copy, "doctor"]));
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("lược đồ mới nhất")
            && stdout.contains("[LỖI]    chưa có tài khoản quản trị"),
        "{stdout}"
    );
    let (out, _, stderr) = run(bantin().args([
        "--data-dir",
        &copy,
        "user",
        "add",
        "quantri",
        "--role",
        "admin",
    ]));
    assert!(out.status.success(), "{stderr}");
    let (out, stdout, _) = run(bantin().args(["--data-dir", &copy, "doctor"]));
    assert!(out.status.success(), "{stdout}");
}

#[test]
fn doctor_names_what_is_wrong() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("bantin.toml");
    std::fs::write(&config, "lisen = \"x\"\n").unwrap();
    let (out, stdout, _) = run(bantin().arg("--config").arg(&config).arg("doctor"));
    assert!(!out.status.success());
    assert!(
        stdout.contains("[LỖI]") && stdout.contains("cấu hình"),
        "{stdout}"
    );

    let (out, stdout, _) = run(bantin().args([
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "doctor",
    ]));
    assert!(!out.status.success());
    assert!(
        stdout.contains("không kết nối được cơ sở dữ liệu"),
        "{stdout}"
    );
}

#[test]
fn json_logs_request_ids_and_a_metrics_address() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().display().to_string();
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let (mut child, address, mut lines) = serve(&[
        "--data-dir",
        &data_dir,
        "--log-format",
        "json",
        "--metrics-listen",
        &metrics_addr,
    ]);
    let home = http_get(&address, "/?q=secret-term", "curl/8");
    assert!(home.to_lowercase().contains("x-request-id: "), "{home}");
    // /metrics is not on the public address; it is on the metrics one.
    assert!(http_get(&address, "/metrics", "curl/8").starts_with("HTTP/1.1 404"));
    let metrics = http_get(&metrics_addr, "/metrics", "curl/8");
    assert!(
        metrics.contains("bantin_http_requests_total{method=\"GET\",route=\"/\""),
        "{metrics}"
    );
    sigterm(&mut child);
    let logged: Vec<String> = lines.by_ref().map(|l| l.unwrap()).collect();
    assert!(!logged.is_empty());
    for line in &logged {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
        // No query strings, no visitor addresses (access log is off).
        assert!(
            !line.contains("secret-term") && v.get("client").is_none(),
            "{line}"
        );
    }
}

both_databases! {
    async fn sites_from_the_command_line_served_by_two_servers(app) {
        let url = app.database_url.clone();
        let site = |args: &[&str]| {
            let (out, stdout, stderr) = run(bantin().args(["--database-url", &url, "site"]).args(args));
            assert!(out.status.success(), "site {args:?}: {stderr}");
            stdout
        };
        let said = site(&["add", "xa-a.tinh.gov.vn", "--name", "Xã A"]);
        assert!(said.contains("https://xa-a.tinh.gov.vn") && said.contains("chưa có tên miền"), "{said}");
        site(&["set", "1", "--host", "tinh.gov.vn", "--name", "Cổng tỉnh"]);
        site(&["set", "xa-a.tinh.gov.vn", "--parent", "tinh.gov.vn", "--alias", "www.xa-a.tinh.gov.vn"]);
        let (out, _, stderr) = run(bantin().args(["--database-url", &url, "site", "add", "www.xa-a.tinh.gov.vn", "--name", "Trùng"]));
        assert!(!out.status.success() && stderr.contains("đã thuộc một trang khác"), "{stderr}");
        // The same username on two sites; accounts are the site's own.
        let (out, _, stderr) = user_cmd(&url, &["add", "bientap", "--role", "editor", "--site", "xa-a.tinh.gov.vn", "--password-stdin"], Some("Nương ngô Tả Phìn 88\n"));
        assert!(out.status.success(), "{stderr}");
        let (out, _, stderr) = user_cmd(&url, &["add", "bientap", "--role", "admin", "--site", "tinh.gov.vn", "--operator"], None);
        assert!(out.status.success(), "{stderr}");
        let (out, _, stderr) = user_cmd(&url, &["add", "vanphong", "--role", "admin", "--site", "xa-a.tinh.gov.vn", "--operator"], None);
        assert!(!out.status.success() && stderr.contains("cổng tỉnh"), "operators belong to the province: {stderr}");
        let (_, list, _) = user_cmd(&url, &["list", "--site", "xa-a.tinh.gov.vn"], None);
        assert!(list.contains("bientap\teditor") && !list.contains("admin"), "{list}");
        let (out, stdout, stderr) = run(bantin().args(["--database-url", &url, "import-text", "--site", "xa-a.tinh.gov.vn"]).arg(fixture("ngay-hoi-dai-doan-ket.txt")));
        assert!(out.status.success(), "{stderr}");
        let path = stdout.trim().to_owned();
        let listed = site(&["list"]);
        let row = listed.lines().find(|l| l.contains("\txa-a.tinh.gov.vn\t")).unwrap();
        assert!(row.contains("\ttinh.gov.vn\thoạt động\t1\t1\t") && row.contains("www.xa-a.tinh.gov.vn"), "{listed}");
        let (_, doctor, _) = run(bantin().args(["--database-url", &url, "doctor"]));
        assert!(doctor.contains("chưa có quản trị viên") && doctor.contains("Xã A"), "{doctor}");

        // Two servers on one database serve every site.
        let (mut one, first, _l1) = serve(&["--database-url", &url]);
        let (mut two, second, _l2) = serve(&["--database-url", &url]);
        for address in [&first, &second] {
            let r = get_on(address, "www.xa-a.tinh.gov.vn", &path).unwrap();
            assert_eq!(r.status, 200, "{}", r.body);
            assert!(r.body.contains("Ngày hội Đại đoàn kết"));
            assert_eq!(get_on(address, "xa-b.tinh.gov.vn", "/").unwrap().status, 404);
        }
        site(&["add", "xa-b.tinh.gov.vn", "--name", "Xã B", "--parent", "tinh.gov.vn"]);
        for address in [&first, &second] {
            assert!(eventually(6, || get_on(address, "xa-b.tinh.gov.vn", "/").is_some_and(|r| r.status == 200 && r.body.contains("Xã B"))),
                "a site added while serving is served by {address}");
        }
        site(&["disable", "xa-a.tinh.gov.vn"]);
        for address in [&first, &second] {
            assert!(eventually(6, || get_on(address, "xa-a.tinh.gov.vn", &path).is_some_and(|r| r.status == 404)), "disabled on {address}");
        }
        site(&["enable", "xa-a.tinh.gov.vn"]);
        assert!(eventually(6, || get_on(&second, "xa-a.tinh.gov.vn", &path).is_some_and(|r| r.status == 200)));
        sigterm(&mut one);
        sigterm(&mut two);
    }
}
