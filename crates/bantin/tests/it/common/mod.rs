//! The test harness: the real router on a fresh database per test.
//!
//! Every test runs on SQLite (a file in a temporary folder) and on
//! PostgreSQL (its own schema in the database `BANTIN_TEST_POSTGRES_URL`
//! names). Without that variable the PostgreSQL half is skipped locally and
//! fails under CI, so CI can never silently test one database only.

#![allow(dead_code)]

pub mod html;
pub mod process;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header::HeaderMap};
use bantin::clock::ManualClock;
use bantin::content::import::{self, CapturedPage, Imported};
use bantin::db::Db;
use bantin::web::router;
use bantin::web::state::{AppState, Settings};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Runs each test body once per database: `mod name { fn sqlite(); fn postgres(); }`.
#[macro_export]
macro_rules! both_databases {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::common::TestApp::sqlite().await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::common::TestApp::postgres().await else { return };
                $body
                $app.finish().await;
            }
        }
    )*};
}

pub const SAMPLE_DAY: (i32, u32, u32) = (2026, 3, 2);

/// 02/03/2026 08:30 in Vietnam (01:30 UTC).
pub fn sample_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(SAMPLE_DAY.0, SAMPLE_DAY.1, SAMPLE_DAY.2, 1, 30, 0)
        .unwrap()
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

enum Storage {
    Sqlite,
    Postgres { admin_url: String, schema: String },
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: ManualClock,
    pub db: Db,
    /// A URL for the CLI that reaches this test's database.
    pub database_url: String,
    /// The data folder (SQLite file, media): removed with the test.
    pub data_dir: tempfile::TempDir,
    storage: Storage,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The start of the body, for failure messages.
    fn excerpt(&self) -> &str {
        let end = self
            .body
            .char_indices()
            .nth(1500)
            .map_or(self.body.len(), |(i, _)| i);
        &self.body[..end]
    }

    /// Asserts a successful (2xx) answer; otherwise says what came instead.
    #[track_caller]
    pub fn good(&self) -> &Self {
        assert!(
            self.status.is_success(),
            "expected a 2xx answer, got {}: {}",
            self.status,
            self.excerpt()
        );
        self
    }

    /// Asserts this status; otherwise says what came instead.
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status,
            status,
            "expected {status}, got {}: {}",
            self.status,
            self.excerpt()
        );
        self
    }

    /// Asserts a redirect; returns where to.
    #[track_caller]
    pub fn redirect(&self) -> &str {
        assert!(
            self.status.is_redirection(),
            "expected a redirect, got {}: {}",
            self.status,
            self.excerpt()
        );
        self.header("location")
    }

    /// The value the page's form would send for the field `name`.
    #[track_caller]
    pub fn field(&self, name: &str) -> String {
        html::field(&self.body, name)
            .unwrap_or_else(|| panic!("no form field {name:?} in: {}", self.excerpt()))
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);
/// Schemas left by crashed runs older than this are dropped.
const STALE_SCHEMA_SECS: u64 = 3600;
const SCHEMA_PREFIX: &str = "bantin_t_";

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = bantin::db::sqlite_url_in(dir.path());
        TestApp::start(url, dir, Storage::Sqlite).await
    }

    pub async fn postgres() -> Option<TestApp> {
        let Ok(admin_url) = std::env::var("BANTIN_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "BANTIN_TEST_POSTGRES_URL must be set in CI: every test runs on PostgreSQL too"
            );
            eprintln!("BANTIN_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run");
            return None;
        };
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let schema = format!(
            "{SCHEMA_PREFIX}{secs}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL for tests");
        let Db::Postgres(pool) = &admin else {
            panic!("BANTIN_TEST_POSTGRES_URL is not PostgreSQL")
        };
        drop_stale_schemas(pool, secs).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(pool)
            .await
            .unwrap();
        admin.close().await;
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options[search_path]={schema}");
        let dir = tempfile::tempdir().unwrap();
        Some(TestApp::start(url, dir, Storage::Postgres { admin_url, schema }).await)
    }

    async fn start(database_url: String, data_dir: tempfile::TempDir, storage: Storage) -> TestApp {
        let db = Db::connect(&database_url).await.unwrap();
        db.migrate().await.unwrap();
        let clock = ManualClock::new(sample_time());
        bantin::content::page::furnish_all(&db, sample_time())
            .await
            .unwrap();
        let settings = Settings {
            public_url: None,
            trusted_proxies: Vec::new(),
            media_dir: data_dir.path().join("media"),
            max_upload_bytes: 10 * 1024 * 1024,
            max_document_bytes: 20 * 1024 * 1024,
            count_visits: true,
            metrics_token: None,
            access_log: false,
            max_in_flight: 128,
            max_in_flight_per_client: 16,
            smtp_url: None,
            mail_from: "Xã thử nghiệm <noreply@xa.example.vn>".into(),
        };
        let state = AppState::new(db.clone(), Arc::new(clock.clone()), settings)
            .await
            .unwrap();
        let router = router::router(state.clone());
        TestApp {
            state,
            router,
            clock,
            db,
            database_url,
            data_dir,
            storage,
        }
    }

    /// The same database and clock, served with other settings (as by a
    /// second server, or one behind a proxy).
    pub async fn with_settings(&self, adjust: impl FnOnce(&mut Settings)) -> (AppState, Router) {
        let mut settings = self.state.settings().clone();
        adjust(&mut settings);
        let state = AppState::new(self.db.clone(), Arc::new(self.clock.clone()), settings)
            .await
            .unwrap();
        let router = router::router(state.clone());
        (state, router)
    }

    /// Drops what the test created (the PostgreSQL schema; the SQLite
    /// folder goes with its guard).
    pub async fn finish(self) {
        self.db.close().await;
        if let Storage::Postgres { admin_url, schema } = &self.storage {
            let admin = Db::connect(admin_url).await.unwrap();
            if let Db::Postgres(pool) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            admin.close().await;
        }
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        send(&self.router, request).await
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// Imports a captured page's text at the clock's current time.
    pub async fn import_text(&self, text: &str) -> Imported {
        let page = import::parse(text, self.site().tone_style()).unwrap();
        self.store(&page).await
    }

    pub async fn store(&self, page: &CapturedPage) -> Imported {
        let site = self.site();
        let category = bantin::content::category::find_by_slug(&self.db, site.id, "tin-tuc")
            .await
            .unwrap()
            .map(|c| c.id);
        import::store(&self.db, site.id, category, page, self.clock_now())
            .await
            .unwrap()
    }

    /// The site every test starts with (the default one).
    pub fn site(&self) -> std::sync::Arc<bantin::site::Site> {
        let sites = self.state.sites().all();
        sites
            .iter()
            .find(|s| s.host.is_none())
            .or(sites.first())
            .cloned()
            .expect("a site")
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use bantin::clock::Clock;
        self.clock.now()
    }

    pub async fn count_articles(&self) -> i64 {
        bantin::with_db!(&self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE kind = 'news'")
            .fetch_one(pool).await.unwrap())
    }
}

async fn drop_stale_schemas(pool: &sqlx::PgPool, now_secs: u64) {
    let schemas: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'bantin\\_t\\_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap_or_default();
    for schema in schemas {
        let created = schema
            .strip_prefix(SCHEMA_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|c| c + STALE_SCHEMA_SECS < now_secs) {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(pool)
            .await;
        }
    }
}

/// A logged-in browser: its session cookie and the CSRF token its pages carry.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
    /// The site's host it talks to (`None`: no Host header).
    pub host: Option<String>,
}

/// Adds a Host header when there is one.
fn on_host(
    builder: axum::http::request::Builder,
    host: Option<&str>,
) -> axum::http::request::Builder {
    match host {
        Some(h) => builder.header("host", h),
        None => builder,
    }
}

/// A strong password for test accounts.
pub const PASSWORD: &str = "Rừng xanh Sín Chéng 2026";

impl TestApp {
    pub async fn create_user(&self, username: &str, role: bantin::accounts::Role) -> i64 {
        self.create_user_on(self.site().id, username, role).await
    }

    /// An account of another site.
    pub async fn create_user_on(
        &self,
        site_id: i64,
        username: &str,
        role: bantin::accounts::Role,
    ) -> i64 {
        let hash = bantin::accounts::password::hash(PASSWORD.into())
            .await
            .unwrap();
        let display = format!("Cán bộ {username}");
        let mut tx = self.db.begin().await.unwrap();
        let id = bantin::accounts::user::insert(
            &mut tx,
            site_id,
            username,
            &display,
            &hash,
            role,
            self.clock_now(),
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// Posts the login form; returns the response.
    pub async fn post_login(
        &self,
        username: &str,
        password: &str,
        addr: Option<&str>,
    ) -> TestResponse {
        self.post_login_on(None, username, password, addr).await
    }

    /// Posts the login form of the site at `host`.
    pub async fn post_login_on(
        &self,
        host: Option<&str>,
        username: &str,
        password: &str,
        addr: Option<&str>,
    ) -> TestResponse {
        let body = serde_urlencoded::to_string([
            ("username", username),
            ("password", password),
            ("tiep", "/admin"),
        ])
        .unwrap();
        let mut req = on_host(Request::post("/dang-nhap"), host)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        if let Some(addr) = addr {
            let socket: std::net::SocketAddr = format!("{addr}:40000").parse().unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(socket));
        }
        self.request(req).await
    }

    /// Logs in through the form and reads the CSRF token from `/admin`.
    pub async fn login(&self, username: &str) -> Browser {
        self.login_on(None, username).await
    }

    /// Turns on two-factor login for an account (as if enrolled); returns
    /// its secret.
    pub async fn give_totp(&self, user_id: i64) -> String {
        let secret = bantin::accounts::totp::new_secret();
        bantin::with_db!(&self.db, pool => sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(&secret).bind(user_id).execute(pool).await.map(|_| ()).unwrap());
        secret
    }

    /// The code an authenticator app shows now for `secret`.
    pub fn totp_now(&self, secret: &str) -> String {
        let raw = bantin::accounts::totp::from_base32(secret).unwrap();
        bantin::accounts::totp::code_at(&raw, bantin::accounts::totp::step_of(self.clock_now()))
    }

    /// Logs in with a password and then a two-factor code.
    pub async fn login_with_code(
        &self,
        host: Option<&str>,
        username: &str,
        secret: &str,
    ) -> Browser {
        let r = self.post_login_on(host, username, PASSWORD, None).await;
        assert_eq!(r.redirect(), "/dang-nhap/ma-xac-thuc");
        let challenge = r.header("set-cookie").split(';').next().unwrap().to_owned();
        let body = serde_urlencoded::to_string([("code", self.totp_now(secret))]).unwrap();
        let r = self
            .request(
                on_host(Request::post("/dang-nhap/ma-xac-thuc"), host)
                    .header("cookie", &challenge)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        r.expect(StatusCode::SEE_OTHER);
        self.browser_of(host, &r).await
    }

    /// The browser a successful login answer makes (cookie, CSRF token).
    async fn browser_of(&self, host: Option<&str>, r: &TestResponse) -> Browser {
        let cookie = r
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("bantin_phien="))
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut browser = Browser {
            cookie,
            csrf: String::new(),
            host: host.map(str::to_owned),
        };
        let admin = self.get_as("/admin/tai-khoan", &browser).await;
        browser.csrf = admin.good().field("csrf");
        browser
    }

    /// Logs in on the site at `host`.
    pub async fn login_on(&self, host: Option<&str>, username: &str) -> Browser {
        let r = self.post_login_on(host, username, PASSWORD, None).await;
        r.expect(StatusCode::SEE_OTHER);
        let cookie = r.header("set-cookie").split(';').next().unwrap().to_owned();
        let mut browser = Browser {
            cookie,
            csrf: String::new(),
            host: host.map(str::to_owned),
        };
        let admin = self.get_as("/admin", &browser).await;
        browser.csrf = admin.good().field("csrf");
        browser
    }

    /// A GET of the site at `host`, as an anonymous reader.
    pub async fn get_on(&self, host: &str, uri: &str) -> TestResponse {
        self.request(
            Request::get(uri)
                .header("host", host)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn get_as(&self, uri: &str, browser: &Browser) -> TestResponse {
        self.request(
            on_host(Request::get(uri), browser.host.as_deref())
                .header("cookie", &browser.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A same-origin urlencoded POST, with the session's CSRF token added.
    pub async fn post_form(
        &self,
        uri: &str,
        browser: &Browser,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &browser.csrf)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.request(
            on_host(Request::post(uri), browser.host.as_deref())
                .header("cookie", &browser.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// A same-origin multipart POST (the article editor, uploads), with the
    /// CSRF token added; `file` is (field, file name, bytes).
    pub async fn post_multipart(
        &self,
        uri: &str,
        browser: &Browser,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> TestResponse {
        let boundary = "----bantin-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &browser.csrf)];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        if let Some((field, file_name, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.request(
            on_host(Request::post(uri), browser.host.as_deref())
                .header("cookie", &browser.cookie)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    pub async fn count(&self, table_sql: &'static str) -> i64 {
        bantin::with_db!(&self.db, pool => sqlx::query_scalar(table_sql).fetch_one(pool).await.unwrap())
    }
}

impl TestApp {
    /// One text column of a query's rows (`SELECT title FROM …`).
    pub async fn strings(&self, sql: &'static str) -> Vec<String> {
        bantin::with_db!(&self.db, pool => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap())
    }

    /// A query's single text value (`PRAGMA integrity_check`).
    pub async fn scalar(&self, sql: &'static str) -> String {
        bantin::with_db!(&self.db, pool => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap())
    }
}

/// Sends a request through a router (the app's, or one from `with_settings`).
pub async fn send(router: &Router, request: Request<Body>) -> TestResponse {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    html::field(html, "csrf").unwrap_or_default()
}

/// The id in a `Location: /admin/articles/{id}?…` header.
pub fn article_id_of(r: &TestResponse) -> i64 {
    let location = r.header("location");
    location
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no article id in {location:?} (status {}): {}",
                r.status, r.body
            )
        })
}

/// A phone's browser, numbered so each is a distinct visitor.
pub fn phone(n: usize) -> String {
    format!(
        "Mozilla/5.0 (Linux; Android 13; SM-A{n:03}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
    )
}

impl TestApp {
    /// A GET as a browser at `ip` with `user_agent` would send it.
    pub async fn visit(&self, uri: &str, ip: &str, user_agent: &str) -> TestResponse {
        self.request(visit_request(uri, ip, user_agent)).await
    }

    /// `/api/v1/stats` as numbers: (online, today, week, total).
    pub async fn stats(&self) -> (i64, i64, i64, i64) {
        let r = self.get("/api/v1/stats").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        (
            v["online"].as_i64().unwrap(),
            v["today"].as_i64().unwrap(),
            v["week"].as_i64().unwrap(),
            v["total"].as_i64().unwrap(),
        )
    }
}

pub fn visit_request(uri: &str, ip: &str, user_agent: &str) -> Request<Body> {
    let mut req = Request::get(uri)
        .header("user-agent", user_agent)
        .body(Body::empty())
        .unwrap();
    let socket = std::net::SocketAddr::new(ip.parse().unwrap(), 40000);
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(socket));
    req
}
