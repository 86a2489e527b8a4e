//! What holds off abuse of the question form without a third-party
//! captcha or tracking: a signed time stamp in the form (too quick a
//! submission is a script's), a hidden field only scripts fill in, a cap on
//! links, and a fingerprint that finds the same question sent again. The
//! visitor key's daily limit is counted in the database (`super::submit`).

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// A person needs longer than this to write a question.
pub const MIN_FILL_SECS: i64 = 5;
/// A form left open longer than this is refused (and shown again fresh).
pub const FORM_VALID_SECS: i64 = 24 * 3600;
/// Links a question may hold.
pub const MAX_LINKS: usize = 2;

fn mac(secret: &str, site_id: i64, issued: i64) -> String {
    let mut mac =
        <Hmac<Sha1> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("question-form:{site_id}:{issued}").as_bytes());
    crate::accounts::secret::hex(&mac.finalize().into_bytes())
}

/// The token a form carries: when it was shown, signed.
pub fn form_token(secret: &str, site_id: i64, now: DateTime<Utc>) -> String {
    let issued = now.timestamp();
    format!("{issued}.{}", mac(secret, site_id, issued))
}

/// What is wrong with a form's token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    Fine,
    /// Sent sooner after showing than a person could.
    TooSoon,
    /// Missing, forged, from another site, or too old.
    Stale,
}

pub fn check_token(secret: &str, site_id: i64, token: &str, now: DateTime<Utc>) -> Timing {
    let Some((issued, sig)) = token.trim().split_once('.') else {
        return Timing::Stale;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return Timing::Stale;
    };
    let expected = mac(secret, site_id, issued);
    if !crate::accounts::secret::constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
        return Timing::Stale;
    }
    let age = now.timestamp() - issued;
    if age < MIN_FILL_SECS {
        Timing::TooSoon
    } else if age > FORM_VALID_SECS {
        Timing::Stale
    } else {
        Timing::Fine
    }
}

/// Links in a text: `http://`, `https://` and `www.` each count.
pub fn links(text: &str) -> usize {
    let lower = text.to_lowercase();
    ["http://", "https://", "www."]
        .iter()
        .map(|p| lower.matches(p).count())
        .sum::<usize>()
        - lower.matches("http://www.").count()
        - lower.matches("https://www.").count()
}

/// The folded words of a text, space-separated with a space at each end,
/// so `LIKE '% word%'` finds a word (or its beginning) anywhere.
pub fn folded_words(text: &str) -> String {
    let folded = vntext::fold(text);
    let mut out = String::with_capacity(folded.len() + 2);
    out.push(' ');
    for w in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push_str(w);
        out.push(' ');
    }
    out
}

/// The same question, however its spacing, case or diacritics were typed.
pub fn fingerprint(title: &str, body: &str) -> String {
    crate::accounts::secret::sha256_hex(
        format!("{}\n{}", folded_words(title), folded_words(body)).as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_780_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_token_is_good_after_a_while_and_for_a_day_on_its_own_site() {
        let t = form_token("bi-mat", 1, at(0));
        assert_eq!(check_token("bi-mat", 1, &t, at(2)), Timing::TooSoon);
        assert_eq!(check_token("bi-mat", 1, &t, at(60)), Timing::Fine);
        assert_eq!(
            check_token("bi-mat", 1, &t, at(FORM_VALID_SECS + 1)),
            Timing::Stale
        );
        assert_eq!(check_token("bi-mat", 2, &t, at(60)), Timing::Stale);
        assert_eq!(check_token("khac", 1, &t, at(60)), Timing::Stale);
        assert_eq!(check_token("bi-mat", 1, "", at(60)), Timing::Stale);
        // A forged time stamp does not carry the signature along.
        let sig = t.split_once('.').unwrap().1;
        let forged = format!("{}.{sig}", at(-100).timestamp());
        assert_eq!(check_token("bi-mat", 1, &forged, at(60)), Timing::Stale);
    }

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(links("Xem https://www.a.vn và http://b.vn, www.c.vn"), 3);
        assert_eq!(links("Không có liên kết, chỉ có 1.000 đồng."), 0);
    }

    #[test]
    fn the_same_question_typed_differently_has_one_fingerprint() {
        let a = fingerprint("Cấp giấy khai sinh", "Thủ tục  như thế nào?");
        let b = fingerprint("CẤP GIẤY KHAI SINH ", "thu tuc nhu the nao");
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("Cấp giấy khai tử", "Thủ tục như thế nào?"));
        assert_eq!(folded_words("Hoà  bình, Đảng!"), " hoa binh dang ");
    }
}
