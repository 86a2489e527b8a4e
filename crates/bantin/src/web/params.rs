//! Query parameters, parsed strictly: a bad value is a 400 with a
//! Vietnamese message, never a 500.

use crate::web::error::AppError;

/// Highest page number accepted in `?trang=`.
const MAX_PAGE: u32 = 100_000;

/// The page number from `?trang=N` (1 when absent).
pub fn page(raw_query: Option<&str>) -> Result<u32, AppError> {
    let bad = || AppError::BadRequest("Số trang không hợp lệ.".into());
    let pairs: Vec<(String, String)> = match raw_query {
        Some(q) => serde_urlencoded::from_str(q).map_err(|_| bad())?,
        None => return Ok(1),
    };
    match pairs.iter().rev().find(|(k, _)| k == "trang") {
        None => Ok(1),
        Some((_, v)) if v.is_empty() => Ok(1),
        Some((_, v)) => match v.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(bad()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        assert_eq!(page(None).unwrap(), 1);
        assert_eq!(page(Some("trang=3")).unwrap(), 3);
        assert_eq!(page(Some("x=1&trang=")).unwrap(), 1);
        for bad in [
            "trang=abc",
            "trang=-1",
            "trang=0",
            "trang=1e3",
            "trang=999999999999",
            "trang=%FF",
        ] {
            assert!(page(Some(bad)).is_err(), "{bad}");
        }
        let huge = format!("trang={}", "9".repeat(10_000));
        assert!(page(Some(&huge)).is_err());
    }
}
