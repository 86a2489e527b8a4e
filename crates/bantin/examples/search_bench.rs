//! Search latency over a generated corpus: `bench/search.sh` runs it on
//! SQLite and PostgreSQL. Usage:
//!   search_bench DATABASE_URL [ARTICLES=100000] [QUERIES=500]
//! Articles are generated once (a seeded generator, so every run and every
//! database gets the same corpus) and reused when the database has them.
//! `BENCH_STAGES=1`: each step of a search alone (medians of 50 queries);
//! `BENCH_SLOW=1`: also print every query that took 20 ms or more.

use std::time::Instant;

use bantin::db::Db;
use bantin::search::{self, Query};
use chrono::{Duration, Utc};

/// Common Vietnamese words of local news.
const WORDS: &[&str] = &[
    "đảng",
    "bộ",
    "xã",
    "thôn",
    "bản",
    "nhân",
    "dân",
    "cán",
    "chi",
    "ủy",
    "ban",
    "hội",
    "nghị",
    "công",
    "tác",
    "phát",
    "triển",
    "kinh",
    "tế",
    "nông",
    "nghiệp",
    "thu",
    "hoạch",
    "lúa",
    "ngô",
    "chè",
    "quế",
    "trâu",
    "bò",
    "đường",
    "giao",
    "thông",
    "trường",
    "học",
    "sinh",
    "giáo",
    "viên",
    "y",
    "tế",
    "trạm",
    "tiêm",
    "phòng",
    "văn",
    "hóa",
    "gia",
    "đình",
    "lễ",
    "mùa",
    "xuân",
    "tết",
    "hòa",
    "bình",
    "an",
    "ninh",
    "trật",
    "tự",
    "quân",
    "sự",
    "dân",
    "quân",
    "huấn",
    "luyện",
    "phụ",
    "nữ",
    "thanh",
    "niên",
    "đoàn",
    "kết",
    "nạp",
    "đảng",
    "viên",
    "mới",
    "tuyên",
    "truyền",
    "nghị",
    "quyết",
    "kế",
    "hoạch",
    "năm",
    "tháng",
    "tuần",
    "họp",
    "lãnh",
    "đạo",
    "huyện",
    "tỉnh",
    "Sín",
    "Chéng",
    "Nàn",
    "Sín",
    "Cán",
    "Hồ",
    "Lào",
    "Cai",
    "Bắc",
    "Hà",
    "Si",
    "Ma",
    "Cai",
    "rừng",
    "bảo",
    "vệ",
    "môi",
    "trường",
    "nước",
    "sạch",
    "điện",
    "nhà",
    "văn",
    "hóa",
    "chợ",
    "phiên",
    "du",
    "lịch",
    "cộng",
    "đồng",
    "hỗ",
    "trợ",
    "hộ",
    "nghèo",
    "vay",
    "vốn",
    "ngân",
    "hàng",
    "chính",
    "sách",
    "bầu",
    "cử",
    "đại",
    "biểu",
    "tiếp",
    "xúc",
    "cử",
    "tri",
    "thể",
    "thao",
    "bóng",
    "đá",
    "kéo",
    "co",
    "ném",
    "còn",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn word(&mut self) -> &'static str {
        WORDS[(self.next() % WORDS.len() as u64) as usize]
    }
    /// Text: 40% common news words, the rest a Zipf tail over other syllables.
    fn text_word(&mut self, tail: &[String]) -> String {
        if self.next() % 10 < 4 {
            return self.word().to_owned();
        }
        // Zipf: rank r with probability ~ 1/r, by inverting the harmonic CDF approximately.
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let r = ((tail.len() as f64).powf(u) as usize).clamp(1, tail.len());
        tail[r - 1].clone()
    }
    fn words(&mut self, n: usize, tail: &[String]) -> String {
        (0..n)
            .map(|_| self.text_word(tail))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Syllables other than the common words: initials × rhymes × tones.
fn tail_vocabulary() -> Vec<String> {
    let initials = [
        "b", "c", "ch", "d", "đ", "g", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "s", "t", "th",
        "tr", "v", "x",
    ];
    let rhymes = [
        "a", "an", "anh", "ao", "at", "ay", "e", "em", "en", "i", "iêu", "im", "in", "o", "oi",
        "om", "on", "ông", "u", "un", "ung", "ư", "ươn", "ương", "ai",
    ];
    let tones = [
        '\u{0}', '\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}',
    ];
    let mut out = Vec::new();
    for i in initials {
        for r in rhymes {
            for t in tones {
                let mut w = format!("{i}{r}");
                if t != '\u{0}' {
                    w.push(t);
                }
                out.push(vntext::place_tones(&vntext::compose(&w), None));
            }
        }
    }
    out
}

async fn generate(db: &Db, site_id: i64, count: i64) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO articles (site_id, title, slug, summary, body, byline, status, published_at, \
         created_at, updated_at, version, search_title, search_body) \
         VALUES ($1, $2, $3, $4, $5, '', 'published', $6, $6, $6, 1, $7, $8)";
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let tail = tail_vocabulary();
    let start = Utc::now() - Duration::days(3650);
    let mut done = 0;
    while done < count {
        let batch = (count - done).min(2000);
        bantin::with_db!(db, pool => {
            let mut tx = pool.begin().await?;
            for i in done..done + batch {
                let title = rng.words(9, &tail);
                let summary = rng.words(25, &tail);
                let body: String = (0..4).map(|_| format!("<p>{}.</p>\n", rng.words(40, &tail))).collect();
                let (st, sb) = search::folded_fields(&title, &summary, &body);
                let at = start + Duration::minutes(i * 50);
                sqlx::query(SQL).bind(site_id).bind(&title).bind(format!("bai-{i}")).bind(&summary).bind(&body)
                    .bind(at).bind(st).bind(sb).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), anyhow::Error>(())
        })?;
        done += batch;
        eprint!("\rgenerated {done}/{count}");
    }
    eprintln!();
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite://bench-search.db".into());
    let articles: i64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let queries: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(500);
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let site = bantin::site::load_default(&db).await?;
    let scope = search::Scope::One(site.id);
    let have: i64 = bantin::with_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(pool).await)?;
    if have < articles {
        let t = Instant::now();
        generate(&db, site.id, articles - have).await?;
        eprintln!("generation took {:.1}s", t.elapsed().as_secs_f64());
    }
    if let Db::Postgres(pool) = &db {
        sqlx::query("ANALYZE articles").execute(pool).await?;
    }
    let mut rng = Rng(0x0dd_ba11);
    let now = Utc::now();
    if std::env::var_os("BENCH_STAGES").is_some() {
        // BENCH_STAGES=1: where the time goes, each stage alone (medians of 50).
        let mut stages: [Vec<f64>; 4] = Default::default();
        for _ in 0..50 {
            let q = Query::parse(&format!("{} {}", rng.word(), rng.word()));
            let t = Instant::now();
            search::store::count(&db, &scope, &q, now, 1001).await?;
            stages[0].push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let hits =
                search::store::hits(&db, &scope, &q, search::store::Field::Anywhere, now, 120, 0)
                    .await?;
            stages[1].push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            search::store::hits(&db, &scope, &q, search::store::Field::Title, now, 60, 0).await?;
            stages[2].push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let cands: Vec<search::rank::Candidate<'_>> = hits
                .iter()
                .map(|h| search::rank::Candidate {
                    title: &h.title,
                    summary: &h.summary,
                    body: &h.body,
                    published_at: h.published_at,
                })
                .collect();
            let _ = search::rank::order(&q, &cands);
            stages[3].push(t.elapsed().as_secs_f64() * 1000.0);
        }
        for (name, mut times) in ["count", "hits", "title hits", "rank"]
            .into_iter()
            .zip(stages)
        {
            times.sort_by(f64::total_cmp);
            println!(
                "{name}: median {:.2} ms, max {:.2} ms",
                times[times.len() / 2],
                times[times.len() - 1]
            );
        }
        return Ok(());
    }
    let mut times = Vec::with_capacity(queries);
    let mut total_hits = 0i64;
    // Warm-up, then measured two-word queries, half typed without diacritics.
    for round in 0..(queries + 50) {
        let (a, b) = (rng.word(), rng.word());
        let q = if round % 2 == 0 {
            format!("{a} {b}")
        } else {
            vntext::fold(&format!("{a} {b}"))
        };
        let t = Instant::now();
        let found = search::search(&db, &scope, &Query::parse(&q), now, 1, 10).await?;
        let elapsed = t.elapsed();
        if std::env::var_os("BENCH_SLOW").is_some() && elapsed.as_millis() >= 20 {
            eprintln!("slow: round {round} {q:?} {elapsed:?}");
        }
        if round >= 50 {
            times.push(elapsed);
            total_hits += found.total;
        }
    }
    times.sort();
    let pct = |p: f64| {
        times[((times.len() as f64 * p).ceil() as usize)
            .saturating_sub(1)
            .min(times.len() - 1)]
    };
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "{backend}: {articles} articles, {queries} two-word queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean hits {}",
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
        total_hits / queries as i64
    );
    db.close().await;
    Ok(())
}
