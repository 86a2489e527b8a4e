//! Text from people (imports, the editor) on its way into the database.

use vntext::ToneStyle;

/// Normalises text (NFC, spacing, punctuation, invisible characters) and
/// places tone marks by the site's house style; misplaced marks are
/// repaired whatever the style.
pub fn clean(text: &str, style: Option<ToneStyle>) -> String {
    vntext::place_tones(&vntext::normalize(text), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_and_applies_the_house_style() {
        assert_eq!(clean("Hoà  bình , lựơng", None), "Hoà bình, lượng");
        assert_eq!(
            clean("Hoà  bình , lựơng", Some(ToneStyle::Old)),
            "Hòa bình, lượng"
        );
    }
}
