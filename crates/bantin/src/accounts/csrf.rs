//! Cross-site request forgery, refused twice over:
//!
//! 1. a state-changing request (POST, PUT, PATCH, DELETE) that a browser
//!    marks as coming from another site (`Sec-Fetch-Site`), or whose
//!    `Origin` is not this site, is refused ([`is_same_origin`], applied to
//!    every request by `web::middleware::same_origin`);
//! 2. every staff form carries the session's CSRF token ([`token_matches`]).
//!
//! Session cookies are also `SameSite=Lax`.

use super::secret::constant_time_eq;
use super::session::Session;

/// What a request says about where it comes from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin<'a> {
    /// `Sec-Fetch-Site`.
    pub fetch_site: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Host`.
    pub host: Option<&'a str>,
}

/// Whether a state-changing request comes from this site, whose public
/// address is `public_url` when known.
pub fn is_same_origin(request: Origin<'_>, public_url: Option<&str>) -> bool {
    if let Some(site) = request.fetch_site {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = request.origin else {
        // Not a browser (or a very old one): the form token still applies.
        return true;
    };
    if public_url.is_some_and(|u| u.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, request.host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Whether a submitted form token is the session's.
pub fn token_matches(session: &Session, submitted: &str) -> bool {
    !session.csrf_token.is_empty()
        && constant_time_eq(session.csrf_token.as_bytes(), submitted.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let from = |fetch_site, origin, host| Origin {
            fetch_site,
            origin,
            host,
        };
        assert!(is_same_origin(from(Some("same-origin"), None, None), None));
        assert!(is_same_origin(from(Some("none"), None, None), None));
        assert!(!is_same_origin(
            from(Some("cross-site"), Some("https://xa.gov.vn"), None),
            Some("https://xa.gov.vn")
        ));
        assert!(is_same_origin(from(None, None, None), None), "curl");
        assert!(is_same_origin(
            from(None, Some("https://XA.gov.vn"), None),
            Some("https://xa.gov.vn")
        ));
        assert!(is_same_origin(
            from(None, Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")),
            None
        ));
        assert!(!is_same_origin(
            from(None, Some("https://evil.example"), Some("xa.gov.vn")),
            Some("https://xa.gov.vn")
        ));
    }
}
