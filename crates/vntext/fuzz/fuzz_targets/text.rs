//! Every vntext function on arbitrary input: no panic, and the laws hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vntext::{LegacyEncoding, ToneStyle};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let normalized = vntext::normalize(text);
        assert_eq!(vntext::normalize(&normalized), normalized, "normalize is idempotent");
        let folded = vntext::fold(text);
        assert_eq!(vntext::fold(&vntext::place_tones(text, Some(ToneStyle::Old))), folded);
        let placed = vntext::place_tones(text, Some(ToneStyle::New));
        assert_eq!(vntext::place_tones(&placed, Some(ToneStyle::New)), placed);
        let slug = vntext::slugify(text);
        assert!(!slug.is_empty() && slug.len() <= vntext::MAX_SLUG_LEN);
        for issue in vntext::lint(text) {
            assert!(text.is_char_boundary(issue.range.start) && text.is_char_boundary(issue.range.end));
        }
    }
    // The legacy decoder sees bytes as Latin-1 characters, as mis-decoded text arrives.
    let latin1: String = data.iter().map(|&b| char::from(b)).collect();
    let _ = vntext::repair_legacy(&latin1);
    for encoding in [LegacyEncoding::Tcvn3, LegacyEncoding::Vni] {
        let _ = vntext::decode_legacy(&latin1, encoding);
    }
});
