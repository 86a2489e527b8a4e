//! The one file an asker may attach: an image (JPEG, PNG, WebP), decoded
//! and re-encoded as uploads are (which also drops its metadata: a phone
//! photo's GPS position), or a PDF. Recognised by its content; a name
//! that says otherwise is refused. Staff only ever see it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::content::media;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// The largest attachment.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;

/// A checked attachment, ready to store.
#[derive(Clone, Debug)]
pub struct Checked {
    pub ext: &'static str,
    pub original: String,
    pub data: Vec<u8>,
}

fn ext_of(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// What the file's content is; refused in Vietnamese when it is not an
/// image or a PDF, or when its name claims another kind (a program named
/// `anh.jpg`, a PDF named `anh.jpg`). CPU work: call on a blocking thread.
pub fn check(name: &str, bytes: &[u8]) -> Result<Checked, String> {
    let shown: String = crate::site::one_line(name, 120);
    if bytes.is_empty() {
        return Err("Tệp đính kèm rỗng.".into());
    }
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "Tệp đính kèm lớn quá {} MB.",
            MAX_BYTES / (1024 * 1024)
        ));
    }
    let claimed = ext_of(name);
    let refused = || {
        format!(
            "Tệp “{shown}” không phải ảnh (JPEG, PNG, WebP) hay PDF: bantin xem nội dung tệp, không xem tên."
        )
    };
    if bytes.starts_with(b"%PDF-") {
        if !matches!(claimed.as_str(), "pdf" | "") {
            return Err(refused());
        }
        return Ok(Checked {
            ext: "pdf",
            original: shown,
            data: bytes.to_vec(),
        });
    }
    let processed = media::process(bytes, MAX_BYTES).map_err(|e| match e {
        media::Rejection::NotAnImage | media::Rejection::Empty => refused(),
        other => other.to_string(),
    })?;
    let agrees = match processed.ext {
        "jpg" => matches!(claimed.as_str(), "jpg" | "jpeg" | "jfif" | ""),
        other => claimed == other || claimed.is_empty(),
    };
    if !agrees {
        return Err(refused());
    }
    let data = processed
        .files
        .into_iter()
        .find(|(w, _)| w.is_none())
        .map(|(_, b)| b)
        .ok_or_else(refused)?;
    Ok(Checked {
        ext: processed.ext,
        original: shown,
        data,
    })
}

pub async fn store(
    tx: &mut Tx,
    site_id: i64,
    question_id: i64,
    file: &Checked,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO question_files (question_id, site_id, ext, original, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(question_id).bind(site_id).bind(file.ext).bind(&file.original).bind(&file.data).bind(now)
        .execute(&mut *conn).await.map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct Stored {
    pub ext: String,
    pub original: String,
    pub data: Vec<u8>,
}

impl Stored {
    pub fn mime(&self) -> &'static str {
        match self.ext.as_str() {
            "pdf" => "application/pdf",
            "png" => "image/png",
            "webp" => "image/webp",
            _ => "image/jpeg",
        }
    }
}

/// A question's attachment, for its site's staff.
pub async fn find(db: &Db, site_id: i64, question_id: i64) -> sqlx::Result<Option<Stored>> {
    const SQL: &str =
        "SELECT ext, original, data FROM question_files WHERE site_id = $1 AND question_id = $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(question_id).fetch_optional(pool).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::new_rgb8(4, 3)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn images_and_pdfs_pass_by_content_and_nothing_else_does() {
        assert_eq!(check("giay-to.png", &png()).unwrap().ext, "png");
        assert_eq!(check("scan", &png()).unwrap().ext, "png");
        assert_eq!(
            check("don.pdf", b"%PDF-1.4\n%\xe2\xe3\n").unwrap().ext,
            "pdf"
        );
        for (name, bytes) in [
            ("anh.jpg", b"MZ\x90\x00 a program".to_vec()),
            ("don.pdf", b"<html><script>alert(1)</script>".to_vec()),
            ("anh.jpg", png()),
            ("don.jpg", b"%PDF-1.4\n".to_vec()),
            ("rong.png", Vec::new()),
        ] {
            assert!(check(name, &bytes).is_err(), "{name} passed");
        }
    }
}
