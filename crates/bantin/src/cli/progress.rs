//! How a long import shows itself: a progress bar with counts and the time
//! left on a terminal, a plain line every few seconds otherwise (a log, a
//! pipe), every skipped or failed item on its own line, and the counts per
//! kind at the end.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::content::import::incoming::{Done, Outcome};
use crate::content::import::ledger::Kind;
use crate::content::import::wordpress::Finish;

/// How often a plain progress line is written when not on a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

const KINDS: [(Kind, &str); 5] = [
    (Kind::Post, "bài viết"),
    (Kind::Page, "trang"),
    (Kind::Category, "chuyên mục"),
    (Kind::Author, "tác giả"),
    (Kind::Other, "mục khác"),
];

#[derive(Default, Clone, Copy)]
struct Count {
    added: u64,
    known: u64,
    skipped: u64,
    failed: u64,
}

pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
    started: Instant,
    last_line: Instant,
    counts: Vec<(Kind, Count)>,
    images: u64,
    redirects: u64,
}

impl Progress {
    /// `total`: the items the run expects (a bar may stop short of it when
    /// the source holds items that are not reported one by one).
    pub fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:32} {pos}/{len} mục · {per_sec} · còn {eta}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
            started: Instant::now(),
            last_line: Instant::now(),
            counts: KINDS.iter().map(|(k, _)| (*k, Count::default())).collect(),
            images: 0,
            redirects: 0,
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn label(kind: Kind) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("ảnh", |(_, l)| *l)
    }

    /// One item done.
    pub fn item(&mut self, done: &Done) {
        self.done += 1;
        self.images += done.images as u64;
        self.redirects += done.redirects as u64;
        let label = Self::label(done.kind);
        if let Some((_, c)) = self.counts.iter_mut().find(|(k, _)| *k == done.kind) {
            match &done.outcome {
                Outcome::Added(_) => c.added += 1,
                Outcome::Known => c.known += 1,
                Outcome::Skipped(_) => c.skipped += 1,
                Outcome::Failed(_) => c.failed += 1,
            }
        }
        match &done.outcome {
            Outcome::Skipped(why) => self.line(&format!("bỏ qua {label} “{}”: {why}", done.title)),
            Outcome::Failed(why) => {
                self.line(&format!("lỗi: {label} “{}”: {why}; không nhập", done.title))
            }
            _ => {}
        }
        for note in &done.notes {
            self.line(&format!("lưu ý: {label} “{}”: {note}", done.title));
        }
        match &self.bar {
            Some(bar) => bar.inc(1),
            None if self.last_line.elapsed() >= PLAIN_EVERY => {
                self.last_line = Instant::now();
                eprintln!("{}", self.plain_line());
            }
            None => {}
        }
    }

    fn plain_line(&self) -> String {
        let total = self.total.max(self.done);
        let percent = (self.done * 100).checked_div(total).unwrap_or(100);
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = if self.done == 0 {
            String::from("chưa rõ")
        } else {
            let secs = elapsed / self.done as f64 * (total - self.done) as f64;
            format!("{} giây", secs.round() as u64)
        };
        format!(
            "đã xử lý {}/{total} mục ({percent}%), còn khoảng {left}",
            self.done
        )
    }

    /// Ends the run: the counts per kind on standard output, and the exit
    /// code (1 when an item failed or the run did not finish).
    pub fn finish(self, from: &str, result: anyhow::Result<Finish>) -> anyhow::Result<ExitCode> {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let mut failed = false;
        println!("Kết quả nhập từ {from}:");
        for ((_, c), (_, label)) in self.counts.iter().zip(KINDS) {
            if c.added + c.known + c.skipped + c.failed == 0 {
                continue;
            }
            failed |= c.failed > 0;
            println!(
                "  {label}: {} đã nhập, {} đã có, {} bỏ qua, {} lỗi",
                c.added, c.known, c.skipped, c.failed
            );
        }
        println!("  ảnh: {} đã nhập", self.images);
        println!("  địa chỉ cũ chuyển hướng: {}", self.redirects);
        println!(
            "  thời gian: {:.1} giây",
            self.started.elapsed().as_secs_f64()
        );
        match result {
            Ok(Finish::Complete) if !failed => Ok(ExitCode::SUCCESS),
            Ok(_) => Ok(ExitCode::FAILURE),
            Err(e) => {
                eprintln!("lỗi: {e}; phần đã nhập được giữ, chạy lại lệnh để nhập tiếp");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
