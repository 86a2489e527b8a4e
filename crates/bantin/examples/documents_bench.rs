//! The documents library under load: `bench/documents.sh` runs it on SQLite
//! and PostgreSQL. Usage:
//!   documents_bench DATABASE_URL [DOCUMENTS=20000] [QUERIES=300]
//! Generates (once, seeded) documents of ten types, six issuing bodies and
//! eight fields over ten years, each with a file of ~400 words of text and
//! one in ten replacing an older one; then times, through the same domain
//! functions the pages call, the list with two filters (type and year) and
//! the number search typed in the ways readers type it. Prints p50/p99.

use std::time::Instant;

use bantin::content::document::{self, Filter, number_key};
use bantin::db::Db;
use bantin::search::Query;
use chrono::{Datelike, Duration, NaiveDate, Utc};

const TYPES: &[(&str, &str)] = &[
    ("Nghị quyết", "NQ"),
    ("Quyết định", "QĐ"),
    ("Chỉ thị", "CT"),
    ("Kế hoạch", "KH"),
    ("Thông báo", "TB"),
    ("Báo cáo", "BC"),
    ("Công văn", "CV"),
    ("Hướng dẫn", "HD"),
    ("Quy chế", "QC"),
    ("Chương trình", "CTr"),
];
const ISSUERS: &[(&str, &str)] = &[
    ("Đảng ủy xã", "ĐU"),
    ("Hội đồng nhân dân xã", "HĐND"),
    ("Ủy ban nhân dân xã", "UBND"),
    ("Ủy ban Mặt trận Tổ quốc xã", "MTTQ"),
    ("Đoàn Thanh niên xã", "ĐTN"),
    ("Hội Nông dân xã", "HND"),
];
const FIELDS: &[&str] = &[
    "Nông nghiệp",
    "Đất đai",
    "Giáo dục",
    "Y tế",
    "An ninh trật tự",
    "Văn hoá",
    "Tài chính",
    "Xây dựng",
];
const WORDS: &[&str] = &[
    "xây",
    "dựng",
    "nông",
    "thôn",
    "mới",
    "kế",
    "hoạch",
    "thực",
    "hiện",
    "nghị",
    "quyết",
    "đảng",
    "bộ",
    "xã",
    "năm",
    "giai",
    "đoạn",
    "phát",
    "triển",
    "kinh",
    "tế",
    "hộ",
    "nghèo",
    "đường",
    "giao",
    "thông",
    "kênh",
    "mương",
    "trường",
    "học",
    "trạm",
    "y",
    "tế",
    "tiêm",
    "chủng",
    "phòng",
    "chống",
    "thiên",
    "tai",
    "bão",
    "lũ",
    "rừng",
    "bảo",
    "vệ",
    "môi",
    "trường",
    "an",
    "ninh",
    "trật",
    "tự",
    "quân",
    "sự",
    "tuyển",
    "quân",
    "thu",
    "ngân",
    "sách",
    "dự",
    "toán",
    "quyết",
    "toán",
    "đất",
    "đai",
    "giao",
    "đất",
    "cấp",
    "giấy",
    "chứng",
    "nhận",
    "văn",
    "hoá",
    "gia",
    "đình",
    "lễ",
    "hội",
    "du",
    "lịch",
    "chè",
    "quế",
    "lúa",
    "ngô",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn term(db: &Db, site_id: i64, list: &str, name: &str) -> anyhow::Result<i64> {
    const FIND: &str = "SELECT id FROM doc_terms WHERE site_id = $1 AND list = $2 AND slug = $3";
    const ADD: &str =
        "INSERT INTO doc_terms (site_id, list, name, slug) VALUES ($1, $2, $3, $4) RETURNING id";
    let slug = vntext::slugify(name);
    let found: Option<i64> = bantin::with_db!(db, pool => sqlx::query_scalar(FIND)
        .bind(site_id).bind(list).bind(&slug).fetch_optional(pool).await)?;
    if let Some(id) = found {
        return Ok(id);
    }
    Ok(bantin::with_db!(db, pool => sqlx::query_scalar(ADD)
        .bind(site_id).bind(list).bind(name).bind(&slug).fetch_one(pool).await)?)
}

/// A document's number, as its register writes it.
fn number_of(seq: usize, year: i32, kind: &str, issuer: &str) -> String {
    if kind == "QĐ" || kind == "NQ" {
        format!("{seq}/{year}/{kind}-{issuer}")
    } else {
        format!("{seq}/{kind}-{issuer}")
    }
}

async fn generate(db: &Db, site_id: i64, count: usize) -> anyhow::Result<Vec<String>> {
    const ARTICLE: &str = "INSERT INTO articles (site_id, title, slug, summary, body, byline, status, published_at, \
         created_at, updated_at, version, search_title, search_body, search_extra, kind) \
         VALUES ($1, $2, $3, '', $4, '', 'published', $5, $5, $5, 1, $6, $7, $8, 'document') RETURNING id";
    const DOC: &str = "INSERT INTO documents (article_id, site_id, number, number_key, type_id, issuer_id, field_id, \
         signer, issued_on, effective_on) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Lù Văn Sáng', $8, $9)";
    const FILE: &str = "INSERT INTO document_files (site_id, article_id, name, ext, original, bytes, sha256, has_text, \
         text, position, created_at) VALUES ($1, $2, $3, 'pdf', 'van-ban.pdf', 120000, $4, TRUE, $5, 1, $6)";
    const LINK: &str = "INSERT INTO document_links (site_id, from_id, to_id, relation) VALUES ($1, $2, $3, 'replaces')";
    let mut types = Vec::new();
    for (name, _) in TYPES {
        types.push(term(db, site_id, "type", name).await?);
    }
    let mut issuers = Vec::new();
    for (name, _) in ISSUERS {
        issuers.push(term(db, site_id, "issuer", name).await?);
    }
    let mut fields = Vec::new();
    for name in FIELDS {
        fields.push(term(db, site_id, "field", name).await?);
    }
    let mut rng = Rng(0x0d0c_5eed_1234_abcd);
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).expect("a date");
    let mut numbers = Vec::with_capacity(count);
    let mut ids: Vec<i64> = Vec::with_capacity(count);
    let mut seq = std::collections::HashMap::new();
    let mut done = 0;
    while done < count {
        let batch = (count - done).min(1000);
        bantin::with_db!(db, pool => {
            let mut tx = pool.begin().await?;
            for i in done..done + batch {
                let day = start + Duration::days((i as i64 * 3650) / count as i64);
                let (t, i_) = (rng.below(TYPES.len()), rng.below(ISSUERS.len()));
                let n = seq.entry((day.year(), t, i_)).or_insert(0);
                *n += 1;
                let number = number_of(*n, day.year(), TYPES[t].1, ISSUERS[i_].1);
                let title = format!("Về việc {}", rng.words(12));
                let body = format!("<p>{}.</p>", rng.words(60));
                let file_text = rng.words(400);
                let (search_title, folded_body) = bantin::search::folded_fields(&title, "", &body);
                let extra = format!(" {} {} {}", vntext::fold(&number), number_key(&number), vntext::fold(&file_text));
                let at = day.and_hms_opt(8, 0, 0).expect("a time").and_utc();
                let slug = format!("{}-{i}", vntext::slugify(&number));
                let id: i64 = sqlx::query_scalar(ARTICLE).bind(site_id).bind(&title).bind(&slug).bind(&body)
                    .bind(at).bind(&search_title).bind(format!("{folded_body}{extra}")).bind(&extra)
                    .fetch_one(&mut *tx).await?;
                sqlx::query(DOC).bind(id).bind(site_id).bind(&number).bind(number_key(&number))
                    .bind(types[t]).bind(issuers[i_]).bind(fields[rng.below(fields.len())])
                    .bind(day).bind(day + Duration::days(10)).execute(&mut *tx).await?;
                sqlx::query(FILE).bind(site_id).bind(id).bind(format!("{i:032x}")).bind(format!("{i:064x}"))
                    .bind(&file_text).bind(at).execute(&mut *tx).await?;
                if i > 100 && rng.below(10) == 0 {
                    let older = ids[rng.below(ids.len())];
                    sqlx::query(LINK).bind(site_id).bind(id).bind(older).execute(&mut *tx).await?;
                }
                ids.push(id);
                numbers.push(number);
            }
            tx.commit().await?;
            Ok::<(), anyhow::Error>(())
        })?;
        done += batch;
        eprint!("\rgenerated {done}/{count}");
    }
    eprintln!();
    if let Db::Postgres(pool) = db {
        // What autovacuum does after a bulk load on a production server
        // (it is off on the test server). SQLite gets no statistics: the
        // queries are written to need none.
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    Ok(numbers)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<f64>) {
    times.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    println!(
        "{name:<44} p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite://bench-documents.db".into());
    let count: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let queries: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(300);
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let site = bantin::site::load_default(&db).await?;
    const HAVE: &str = "SELECT COUNT(*) FROM documents";
    let have: i64 = bantin::with_db!(&db, pool => sqlx::query_scalar(HAVE).fetch_one(pool).await)?;
    let started = Instant::now();
    let numbers = if have == 0 {
        let n = generate(&db, site.id, count).await?;
        eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
        n
    } else {
        const ALL: &str = "SELECT number FROM documents ORDER BY article_id";
        bantin::with_db!(&db, pool => sqlx::query_scalar(ALL).fetch_all(pool).await)?
    };
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("{backend}: {} documents", numbers.len());
    let now = Utc::now();
    let mut types = Vec::new();
    for (name, _) in TYPES {
        types.push(term(&db, site.id, "type", name).await?);
    }
    let mut rng = Rng(0xbeef);
    // Warm the caches once.
    document::list(&db, site.id, &Filter::default(), now, 20, 0).await?;
    let mut list = Vec::new();
    for _ in 0..queries {
        let filter = Filter {
            type_id: Some(types[rng.below(types.len())]),
            year: Some(2016 + rng.below(10) as i32),
            ..Filter::default()
        };
        let t = Instant::now();
        let (total, rows) = document::list(&db, site.id, &filter, now, 20, 0).await?;
        list.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(total >= rows.len() as i64);
    }
    report("list, type + year filters (page 1 + count)", list);
    let mut deep = Vec::new();
    for _ in 0..queries / 3 {
        let filter = Filter {
            type_id: Some(types[rng.below(types.len())]),
            validity: Some(document::Validity::InForce),
            ..Filter::default()
        };
        let t = Instant::now();
        document::list(&db, site.id, &filter, now, 20, 0).await?;
        deep.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report("list, type + validity filters", deep);
    let mut by_number = Vec::new();
    let mut first_right = 0;
    for i in 0..queries {
        let number = &numbers[rng.below(numbers.len())];
        // As readers type it: exact, lower case without diacritics, spaced.
        let typed = match i % 3 {
            0 => number.clone(),
            1 => vntext::fold(number),
            _ => number.replace(['/', '-'], " "),
        };
        let query = Query::parse(&typed);
        let t = Instant::now();
        let (_, rows) =
            document::search(&db, site.id, &Filter::default(), &typed, &query, now, 20, 0).await?;
        by_number.push(t.elapsed().as_secs_f64() * 1000.0);
        if rows
            .first()
            .is_some_and(|r| number_key(&r.number) == number_key(number))
        {
            first_right += 1;
        }
    }
    report("number search (3 ways of typing)", by_number);
    println!("  the number typed came first in {first_right} of {queries}");
    let mut words = Vec::new();
    for _ in 0..queries / 3 {
        let typed = format!(
            "{} {}",
            WORDS[rng.below(WORDS.len())],
            WORDS[rng.below(WORDS.len())]
        );
        let filter = Filter {
            type_id: Some(types[rng.below(types.len())]),
            ..Filter::default()
        };
        let query = Query::parse(&typed);
        let t = Instant::now();
        document::search(&db, site.id, &filter, &typed, &query, now, 20, 0).await?;
        words.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report("two words + type filter (files' text too)", words);
    db.close().await;
    Ok(())
}
