//! URL slugs.

use crate::fold;

/// Longest slug [`slugify`] makes, in bytes (it is ASCII).
pub const MAX_SLUG_LEN: usize = 80;

/// Turns a title into a tone-less ASCII slug: lower-case words of `a-z0-9`
/// joined by `-`, at most [`MAX_SLUG_LEN`] bytes, cut on a word boundary.
/// Never empty: a title with no letters or digits gives `bai-viet`.
///
/// ```
/// assert_eq!(vntext::slugify("Đảng bộ xã Sín Chéng"), "dang-bo-xa-sin-cheng");
/// ```
pub fn slugify(title: &str) -> String {
    let folded = fold(title);
    let mut ascii = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else if c.is_alphanumeric() {
            // Letters of other scripts: transliterate rather than drop.
            ascii.push_str(
                &deunicode::deunicode_char(c)
                    .unwrap_or(" ")
                    .to_ascii_lowercase(),
            );
        } else {
            ascii.push(' ');
        }
    }

    let mut slug = String::with_capacity(ascii.len().min(MAX_SLUG_LEN));
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let needed = word.len() + usize::from(!slug.is_empty());
        if slug.len() + needed > MAX_SLUG_LEN {
            if slug.is_empty() {
                // A single overlong word: cut it (ASCII, so any byte is a boundary).
                slug.push_str(&word[..MAX_SLUG_LEN]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        slug.push_str("bai-viet");
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_titles() {
        assert_eq!(slugify("Đảng bộ xã Sín Chéng"), "dang-bo-xa-sin-cheng");
        assert_eq!(
            slugify("Đảng bộ xã Sín chéng chú trọng công tác xây dựng tổ chức, cơ sở đảng."),
            "dang-bo-xa-sin-cheng-chu-trong-cong-tac-xay-dung-to-chuc-co-so-dang"
        );
        assert_eq!(
            slugify("  Hội nghị -- “Tổng kết” năm 2024!  "),
            "hoi-nghi-tong-ket-nam-2024"
        );
    }

    #[test]
    fn bounded_on_a_word_boundary() {
        let title = "Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ của lãnh đạo xã trong tháng mười hai năm hai nghìn không trăm hai mươi sáu";
        let slug = slugify(title);
        assert!(slug.len() <= MAX_SLUG_LEN, "{slug}");
        assert!(!slug.ends_with('-'));
        assert!(fold(title).replace(' ', "-").starts_with(&slug));
        let long_word = "a".repeat(200);
        assert_eq!(slugify(&long_word).len(), MAX_SLUG_LEN);
    }

    #[test]
    fn never_empty() {
        assert_eq!(slugify(""), "bai-viet");
        assert_eq!(slugify("!!! ... ???"), "bai-viet");
        assert_eq!(slugify("北京"), "bei-jing");
    }
}
