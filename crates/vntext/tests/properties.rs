//! Property tests: laws every input must obey.

use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;
use vntext::{ToneStyle, fold, lint, normalize, place_tones, repair_legacy, slugify};

/// Text that looks like what editors type: Vietnamese letters, punctuation,
/// digits, odd spaces and invisible characters.
fn vietnamese_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[a-zA-ZđĐÐðàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ0-9 ,.;:?!…()“”\u{00A0}\u{200B}\n/@-]{0,80}",
    )
    .unwrap()
}

proptest! {
    #[test]
    fn normalize_is_idempotent(s in vietnamese_like()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn normalize_is_idempotent_on_anything(s in any::<String>()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn fold_ignores_composition(s in vietnamese_like()) {
        let nfd: String = s.nfd().collect();
        let nfc: String = s.nfc().collect();
        prop_assert_eq!(fold(&nfd), fold(&s));
        prop_assert_eq!(fold(&nfc), fold(&s));
    }

    #[test]
    fn slug_shape(s in any::<String>()) {
        let slug = slugify(&s);
        prop_assert!(!slug.is_empty());
        prop_assert!(slug.len() <= vntext::MAX_SLUG_LEN);
        prop_assert!(slug.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())), "{}", slug);
    }

    #[test]
    fn fold_ignores_tone_placement(s in vietnamese_like()) {
        let old = place_tones(&s, Some(ToneStyle::Old));
        let new = place_tones(&s, Some(ToneStyle::New));
        prop_assert_eq!(fold(&old), fold(&s));
        prop_assert_eq!(fold(&new), fold(&s));
    }

    #[test]
    fn tone_placement_is_idempotent(s in vietnamese_like()) {
        for style in [None, Some(ToneStyle::Old), Some(ToneStyle::New)] {
            let once = place_tones(&s, style);
            prop_assert_eq!(place_tones(&once, style), once);
        }
    }

    #[test]
    fn nothing_panics_and_lint_ranges_are_in_bounds(s in any::<String>()) {
        let _ = fold(&s);
        let _ = place_tones(&s, Some(ToneStyle::New));
        let _ = repair_legacy(&s);
        for issue in lint(&s) {
            prop_assert!(issue.range.start <= issue.range.end && issue.range.end <= s.len());
            prop_assert!(s.is_char_boundary(issue.range.start) && s.is_char_boundary(issue.range.end));
        }
    }

    #[test]
    fn normalized_text_has_no_spacing_issues(s in vietnamese_like()) {
        let clean = normalize(&s);
        let spacing: Vec<_> = lint(&clean).into_iter()
            .filter(|i| matches!(i.kind, vntext::IssueKind::RepeatedSpaces | vntext::IssueKind::InvisibleCharacter | vntext::IssueKind::Decomposed | vntext::IssueKind::EthForDBar))
            .collect();
        prop_assert!(spacing.is_empty(), "{:?} in {:?}", spacing, clean);
    }
}
