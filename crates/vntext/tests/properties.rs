//! Property tests: laws every input must obey.

use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;
use vntext::{fold, normalize, slugify};

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
}
