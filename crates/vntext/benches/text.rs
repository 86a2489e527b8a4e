//! `normalize` and `fold` on ~1.5 MB of Vietnamese (NFC and NFD halves),
//! against the baseline a developer would write with the general crates:
//! `unicode-normalization` NFC for normalising, `deunicode` + lower-casing
//! for folding. Run: `cargo bench -p vntext`.

use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use unicode_normalization::UnicodeNormalization;

/// The corpus repeated to over 1 MB; every other copy decomposed (NFD), as
/// text pasted from a Mac or from Word arrives.
static TEXT: LazyLock<String> = LazyLock::new(|| {
    let corpus = include_str!("corpus.txt");
    let nfd: String = corpus.nfd().collect();
    let mut text = String::new();
    while text.len() < 1_500_000 {
        text.push_str(corpus);
        text.push_str(&nfd);
    }
    text
});

fn bytes() -> BytesCount {
    BytesCount::new(TEXT.len())
}

fn main() {
    divan::main();
}

#[divan::bench]
fn fold_vntext(b: Bencher<'_, '_>) {
    b.counter(bytes()).bench(|| vntext::fold(black_box(&TEXT)));
}

#[divan::bench]
fn fold_baseline_deunicode(b: Bencher<'_, '_>) {
    b.counter(bytes())
        .bench(|| deunicode::deunicode(black_box(&TEXT)).to_lowercase());
}

#[divan::bench]
fn normalize_vntext(b: Bencher<'_, '_>) {
    b.counter(bytes())
        .bench(|| vntext::normalize(black_box(&TEXT)));
}

#[divan::bench]
fn normalize_baseline_nfc(b: Bencher<'_, '_>) {
    b.counter(bytes())
        .bench(|| black_box(&TEXT).nfc().collect::<String>());
}

#[divan::bench]
fn place_tones_old_style(b: Bencher<'_, '_>) {
    b.counter(bytes())
        .bench(|| vntext::place_tones(black_box(&TEXT), Some(vntext::ToneStyle::Old)));
}
