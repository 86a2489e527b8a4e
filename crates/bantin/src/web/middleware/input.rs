//! Text arriving in paths, query strings and forms must be UTF-8 without
//! NUL bytes. Decoders elsewhere are lenient (invalid bytes become U+FFFD, NUL
//! passes through and PostgreSQL then refuses the row), so this is checked
//! once, on the raw bytes, and refused with a 400 in Vietnamese.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};

use crate::web::error::AppError;

/// Whether `raw` (an `application/x-www-form-urlencoded` string: a query
/// string or a form body) decodes to UTF-8 without NUL.
pub fn urlencoded_is_clean(raw: &[u8]) -> bool {
    if !raw.contains(&b'%') {
        return text_is_clean(raw);
    }
    let mut decoded = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'%'
            && let (Some(hi), Some(lo)) = (
                raw.get(i + 1).and_then(|c| hex(*c)),
                raw.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            decoded.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        decoded.push(b);
        i += 1;
    }
    text_is_clean(&decoded)
}

/// Whether `bytes` are UTF-8 without NUL.
pub fn text_is_clean(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

pub fn refused() -> AppError {
    AppError::BadRequest(
        "Dữ liệu gửi lên chứa ký tự không hợp lệ (không phải UTF-8 hoặc có ký tự rỗng).".into(),
    )
}

/// Whether a path, percent-decoded, is UTF-8 without NUL (`+` is a plus
/// sign in a path, not a space, which changes nothing here).
pub fn path_is_clean(path: &str) -> bool {
    urlencoded_is_clean(path.as_bytes())
}

/// The refusal of a request whose path or query string is not clean text.
pub fn refusal(request: &Request) -> Option<Response> {
    let uri = request.uri();
    let clean = path_is_clean(uri.path())
        && uri
            .query()
            .is_none_or(|q| urlencoded_is_clean(q.as_bytes()));
    (!clean).then(|| refused().into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_and_unclean() {
        for ok in [
            "q=S%C3%ADn+Ch%C3%A9ng",
            "q=Sín Chéng",
            "q=100%",
            "q=%zz",
            "a=1&b=%0A",
            "",
        ] {
            assert!(urlencoded_is_clean(ok.as_bytes()), "{ok}");
        }
        for bad in ["q=%FF", "q=a%00b", "q=%C3", "q=%ED%A0%80"] {
            assert!(!urlencoded_is_clean(bad.as_bytes()), "{bad}");
        }
        assert!(!urlencoded_is_clean(b"q=\xff"));
        assert!(!path_is_clean("/tin-tuc/%00"));
        assert!(!path_is_clean("/tin-tuc/%C3"));
        assert!(path_is_clean("/tin-tuc/thon-nan-sin"));
        assert!(path_is_clean("/tin-tuc/th%C3%B4n"));
        assert!(!text_is_clean(b"a\0b"));
    }
}
