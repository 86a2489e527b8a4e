//! Uploaded images. An upload is decoded (so it must really be a JPEG, PNG
//! or WebP, within size and pixel limits), re-encoded — which drops EXIF,
//! GPS and every other metadata — and stored under a generated name with
//! smaller variants for article pages and lists. A rejected file stores
//! nothing; files are written before the database row (in the transaction
//! of the action that uploads them) and removed again if it fails.

use std::io::Cursor;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sqlx::FromRow;

use crate::accounts::secret::random_hex;
use crate::audit;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// Widths of the smaller copies: the article page, and lists.
pub const VARIANT_WIDTHS: [u32; 2] = [1200, 400];
/// Largest accepted side, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// Largest accepted image, in pixels, read from its header before anything
/// is decoded: a 48 MP phone photo (8000×6000) passes; a 12000×12000
/// "decompression bomb" of a few hundred kilobytes (0.9 GB to decode) does
/// not.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Images decoded at once, whatever the number of uploads: each may take a
/// few hundred MB and seconds of CPU.
const DECODES_AT_ONCE: usize = 2;
const JPEG_QUALITY: u8 = 85;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejection {
    #[error("Tệp quá lớn: tối đa {0} MB.")]
    TooLarge(u64),
    #[error("Chưa chọn tệp ảnh.")]
    Empty,
    #[error("Tệp không phải ảnh JPEG, PNG hoặc WebP.")]
    NotAnImage,
    #[error("Ảnh quá lớn: tối đa 50 triệu điểm ảnh (ví dụ 8000×6000) và {MAX_SIDE} điểm mỗi cạnh.")]
    TooManyPixels,
    #[error("Không đọc được ảnh: tệp bị hỏng.")]
    Corrupt,
}

/// A verified, re-encoded image and its variants, ready to store.
pub struct Processed {
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
    /// (variant width or `None` for the full image, encoded bytes)
    pub files: Vec<(Option<u32>, Vec<u8>)>,
}

/// Decodes, checks and re-encodes an upload (CPU work: call it on a
/// blocking thread).
pub fn process(bytes: &[u8], max_bytes: u64) -> Result<Processed, Rejection> {
    if bytes.is_empty() {
        return Err(Rejection::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(Rejection::TooLarge(max_bytes / (1024 * 1024)));
    }
    let format = image::guess_format(bytes).map_err(|_| Rejection::NotAnImage)?;
    let ext = match format {
        ImageFormat::Jpeg => "jpg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        _ => return Err(Rejection::NotAnImage),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    // The size from the header alone, before a pixel is decoded.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    header.limits(limits.clone());
    let (w, h) = header.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => Rejection::TooManyPixels,
        _ => Rejection::Corrupt,
    })?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Rejection::TooManyPixels);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => Rejection::TooManyPixels,
        _ => Rejection::Corrupt,
    })?;
    let (width, height) = (image.width(), image.height());
    let mut files = vec![(None, encode(&image, format)?)];
    for w in VARIANT_WIDTHS {
        if width > w {
            let h = ((u64::from(height) * u64::from(w)) / u64::from(width)).max(1) as u32;
            files.push((
                Some(w),
                encode(&image.resize_exact(w, h, FilterType::CatmullRom), format)?,
            ));
        }
    }
    Ok(Processed {
        ext,
        width,
        height,
        files,
    })
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::new();
    let result = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)),
        ImageFormat::Png => image.write_with_encoder(PngEncoder::new(&mut out)),
        _ => {
            let image = if image.has_alpha() {
                DynamicImage::ImageRgba8(image.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(image.to_rgb8())
            };
            image.write_with_encoder(WebPEncoder::new_lossless(&mut out))
        }
    };
    result.map_err(|_| Rejection::Corrupt)?;
    Ok(out)
}

/// `NAME.EXT`, or `NAME-WIDTH.EXT` for a variant.
pub fn file_name(name: &str, width: Option<u32>, ext: &str) -> String {
    match width {
        Some(w) => format!("{name}-{w}.{ext}"),
        None => format!("{name}.{ext}"),
    }
}

/// Whether a requested file name is one this module makes (no paths, no
/// dots but the extension's): the only names `/media/` serves.
pub fn is_media_file_name(file: &str) -> bool {
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let (name, width) = match stem.split_once('-') {
        Some((n, w)) => (n, Some(w)),
        None => (stem, None),
    };
    matches!(ext, "jpg" | "png" | "webp")
        && name.len() == 32
        && name
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && width.is_none_or(|w| VARIANT_WIDTHS.iter().any(|v| v.to_string() == w))
}

#[derive(Clone, Debug, FromRow)]
pub struct Image {
    pub id: i64,
    pub name: String,
    pub ext: String,
    pub original: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
}

impl Image {
    pub fn url(&self) -> String {
        format!("/media/{}", file_name(&self.name, None, &self.ext))
    }

    /// The variant at most `width` wide (the original if it is narrower).
    pub fn url_for_width(&self, width: u32) -> String {
        let variant = (self.width > i64::from(width)).then_some(width);
        format!("/media/{}", file_name(&self.name, variant, &self.ext))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Rejected(#[from] Rejection),
    #[error("cannot write the image: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Where a site's images are kept, and how large an upload may be.
#[derive(Clone, Debug)]
pub struct Library {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

/// An upload as it arrived: its file name and bytes.
#[derive(Clone, Debug)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An upload that passed every check, decoded and re-encoded, not stored.
pub struct Checked {
    pub original: String,
    pub size: i64,
    pub processed: Processed,
}

impl Checked {
    /// The image (its 1200 px variant, or itself) as a `data:` URL, for a
    /// preview that must not store anything.
    pub fn data_url(&self) -> String {
        let p = &self.processed;
        let bytes = p
            .files
            .iter()
            .find(|(w, _)| *w == Some(VARIANT_WIDTHS[0]))
            .or_else(|| p.files.first())
            .map_or(&[][..], |(_, b)| b.as_slice());
        let mime = match p.ext {
            "jpg" => "image/jpeg",
            "png" => "image/png",
            _ => "image/webp",
        };
        format!("data:{mime};base64,{}", base64(bytes))
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Verifies and re-encodes an upload on a blocking thread (at most
/// [`DECODES_AT_ONCE`] at a time); stores nothing.
pub async fn check(upload: Upload, max_bytes: u64) -> Result<Checked, StoreError> {
    static DECODES: std::sync::LazyLock<tokio::sync::Semaphore> =
        std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(DECODES_AT_ONCE));
    let size = upload.bytes.len() as i64;
    let bytes = upload.bytes;
    let _turn = DECODES
        .acquire()
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let processed = tokio::task::spawn_blocking(move || process(&bytes, max_bytes))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    Ok(Checked {
        original: vntext::normalize(&upload.file_name)
            .chars()
            .take(200)
            .collect(),
        size,
        processed,
    })
}

/// An image's files on disk, removed again when dropped unless the
/// transaction that records them committed ([`Written::keep`]).
pub struct Written {
    paths: Vec<PathBuf>,
    kept: bool,
}

impl Written {
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if !self.kept {
            for p in &self.paths {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// Writes a checked image's files under a new name and records it in the
/// transaction (with its audit entry). The files go when the returned
/// guard is dropped without [`Written::keep`] (the transaction failed).
pub async fn store(
    tx: &mut Tx,
    library: &Library,
    site_id: i64,
    user_id: Option<i64>,
    checked: &Checked,
    now: DateTime<Utc>,
) -> Result<(Image, Written), StoreError> {
    let processed = &checked.processed;
    let name = random_hex(16);
    tokio::fs::create_dir_all(&library.dir).await?;
    let mut written = Written {
        paths: Vec::new(),
        kept: false,
    };
    for (width, data) in &processed.files {
        let path = library.dir.join(file_name(&name, *width, processed.ext));
        let tmp = path.with_extension("tmp");
        let result = async {
            tokio::fs::write(&tmp, data).await?;
            tokio::fs::rename(&tmp, &path).await
        }
        .await;
        if let Err(e) = result {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        written.paths.push(path);
    }
    const SQL: &str = "INSERT INTO images (site_id, name, ext, original, width, height, bytes, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(SQL)
        .bind(site_id).bind(&name).bind(processed.ext).bind(&checked.original)
        .bind(i64::from(processed.width)).bind(i64::from(processed.height)).bind(checked.size)
        .bind(user_id).bind(now)
        .fetch_one(&mut *conn).await)?;
    let image = Image {
        id,
        name,
        ext: processed.ext.to_owned(),
        original: checked.original.clone(),
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        bytes: checked.size,
        created_at: now,
    };
    audit::record(
        tx,
        audit::Record {
            site_id,
            user_id,
            action: audit::Action::ImageUpload,
            target: &image.url(),
            detail: &image.original,
        },
        now,
    )
    .await?;
    // A featured image may name this file before it existed.
    tx.content_changed();
    Ok((image, written))
}

/// An upload to the library: checked, stored and audited, or nothing.
pub async fn upload(
    db: &Db,
    library: &Library,
    site_id: i64,
    user_id: Option<i64>,
    upload: Upload,
    now: DateTime<Utc>,
) -> Result<Image, StoreError> {
    let checked = check(upload, library.max_bytes).await?;
    let mut tx = db.begin().await?;
    let (image, written) = store(&mut tx, library, site_id, user_id, &checked, now).await?;
    tx.commit().await?;
    written.keep();
    Ok(image)
}

/// How many images one staff member may upload in a while: enough for a
/// photo report, not for flooding the library or the CPU.
pub fn upload_quota() -> crate::quota::Quota<i64> {
    crate::quota::Quota::new(60, std::time::Duration::from_secs(600))
}

/// Which site each image belongs to, as asked by `/media/`: a name never
/// changes site, so answers are kept (found ones only, at most
/// [`OWNERS_KEPT`]; past it the memory starts over).
#[derive(Default)]
pub struct Owners(std::sync::Mutex<std::collections::HashMap<Box<str>, i64>>);

const OWNERS_KEPT: usize = 65_536;

impl Owners {
    /// The site of the image whose files are `NAME[-WIDTH].EXT`.
    pub async fn site_of(&self, db: &Db, file: &str) -> sqlx::Result<Option<i64>> {
        const SQL: &str = "SELECT site_id FROM images WHERE name = $1";
        let Some(name) = file.get(..32).filter(|_| is_media_file_name(file)) else {
            return Ok(None);
        };
        let known = self.lock().get(name).copied();
        if known.is_some() {
            return Ok(known);
        }
        let found: Option<i64> =
            with_db!(db, pool => sqlx::query_scalar(SQL).bind(name).fetch_optional(pool).await)?;
        if let Some(site) = found {
            let mut owners = self.lock();
            if owners.len() >= OWNERS_KEPT {
                owners.clear();
            }
            owners.insert(name.into(), site);
        }
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Box<str>, i64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub async fn list(db: &Db, site_id: i64, limit: i64) -> sqlx::Result<Vec<Image>> {
    const SQL: &str = "SELECT id, name, ext, original, width, height, bytes, created_at FROM images \
         WHERE site_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(limit).fetch_all(pool).await)
}

/// A list's picture of an image: its 400 px variant's address and size.
pub type Thumb = (String, i64, i64);

/// The thumbnails of images by their `/media/…` address, kept (an image
/// never changes), at most [`OWNERS_KEPT`].
#[derive(Default)]
pub struct Thumbs(std::sync::Mutex<std::collections::HashMap<(i64, String), Option<Thumb>>>);

impl Thumbs {
    /// The 400 px variant of each of these images that is one of this
    /// site's.
    pub async fn of(
        &self,
        db: &Db,
        site_id: i64,
        urls: &[&str],
    ) -> sqlx::Result<std::collections::HashMap<String, Thumb>> {
        let mut out = std::collections::HashMap::new();
        for url in urls.iter().filter(|u| !u.is_empty()) {
            let key = (site_id, (*url).to_owned());
            let known = self
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&key)
                .cloned();
            let thumb = match known {
                Some(t) => t,
                None => {
                    let t = find_by_url(db, site_id, url).await?.map(|image| {
                        let w = image.width.min(i64::from(VARIANT_WIDTHS[1]));
                        let h = (image.height * w)
                            .checked_div(image.width)
                            .unwrap_or(0)
                            .max(1);
                        (image.url_for_width(VARIANT_WIDTHS[1]), w, h)
                    });
                    let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
                    if kept.len() >= OWNERS_KEPT {
                        kept.clear();
                    }
                    kept.insert(key, t.clone());
                    t
                }
            };
            if let Some(t) = thumb {
                out.insert((*url).to_owned(), t);
            }
        }
        Ok(out)
    }
}

/// The image a `/media/...` URL points at, if it is one of this site's.
/// An image of the site by its id, inside a transaction (an import finds
/// the images it stored earlier).
pub async fn find_in(tx: &mut Tx, site_id: i64, id: i64) -> sqlx::Result<Option<Image>> {
    const SQL: &str = "SELECT id, name, ext, original, width, height, bytes, created_at FROM images \
         WHERE site_id = $1 AND id = $2";
    with_tx!(tx, conn => sqlx::query_as(SQL).bind(site_id).bind(id).fetch_optional(&mut *conn).await)
}

pub async fn find_by_url(db: &Db, site_id: i64, url: &str) -> sqlx::Result<Option<Image>> {
    const SQL: &str = "SELECT id, name, ext, original, width, height, bytes, created_at FROM images \
         WHERE site_id = $1 AND name = $2";
    let Some(file) = url
        .strip_prefix("/media/")
        .filter(|f| is_media_file_name(f))
    else {
        return Ok(None);
    };
    let name = &file[..32];
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(name).fetch_optional(pool).await)
}

/// How wide the body's images are shown: the screen on a phone, the
/// article's column (48rem) on wider screens.
pub const BODY_SIZES: &str = "(max-width: 48rem) 100vw, 48rem";

impl Image {
    /// `srcset` over the copies this image has (400, 1200 and the original).
    pub fn srcset(&self) -> String {
        let mut parts: Vec<String> = VARIANT_WIDTHS
            .iter()
            .rev()
            .filter(|w| self.width > i64::from(**w))
            .map(|w| format!("{} {w}w", self.url_for_width(*w)))
            .collect();
        parts.push(format!("{} {}w", self.url(), self.width));
        parts.join(", ")
    }

    /// The body's `<img>` of this image: its size, so the page does not
    /// jump as it loads, and the copies a phone picks the small one from.
    pub fn body_tag(&self, alt: &str, title: &str) -> String {
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", crate::content::html::escape(title))
        };
        self.tag(&self.url(), "", alt, &format!("{title} loading=\"lazy\""))
    }

    /// An article's featured image: at the top of the page, so loaded at
    /// once; its plain `src` the 1200 px copy for browsers without
    /// `srcset`.
    pub fn featured_tag(&self, alt: &str) -> String {
        self.tag(
            &self.url_for_width(VARIANT_WIDTHS[0]),
            " class=\"featured\"",
            alt,
            " fetchpriority=\"high\"",
        )
    }

    fn tag(&self, src: &str, class: &str, alt: &str, rest: &str) -> String {
        let srcset = if self.width > i64::from(VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1]) {
            format!(" srcset=\"{}\" sizes=\"{BODY_SIZES}\"", self.srcset())
        } else {
            String::new()
        };
        format!(
            "<img{class} src=\"{src}\"{srcset} width=\"{}\" height=\"{}\" alt=\"{}\"{rest}>",
            self.width,
            self.height,
            crate::content::html::escape(alt)
        )
    }
}

/// An article's featured image as its page shows it.
#[derive(Clone, Debug, Default)]
pub struct Featured {
    /// The `<img>`, escaped; empty without an image.
    pub tag: String,
    /// The copy social sites show (`/media/…`, 1200 px), or empty.
    pub share: String,
    pub alt: String,
}

impl Featured {
    /// The featured image at `url` (a site's `/media/…`, or the `data:`
    /// URL of a preview's new image) with its text alternative.
    pub async fn of(db: &Db, site_id: i64, url: &str, alt: &str) -> sqlx::Result<Featured> {
        if url.starts_with("data:image/") {
            return Ok(Featured {
                tag: format!(
                    "<img class=\"featured\" src=\"{}\" alt=\"{}\">",
                    crate::content::html::escape(url),
                    crate::content::html::escape(alt)
                ),
                share: String::new(),
                alt: alt.to_owned(),
            });
        }
        Ok(match find_by_url(db, site_id, url).await? {
            Some(image) => Featured {
                tag: image.featured_tag(alt),
                share: image.url_for_width(VARIANT_WIDTHS[0]),
                alt: alt.to_owned(),
            },
            None => Featured::default(),
        })
    }
}

/// The value of `name="…"` in a tag as the sanitiser writes it.
fn attr_of<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(&tag[at..end])
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The body's images of this site given their size and their small copies
/// (sanitised HTML in, the same with each `/media/` image's tag rebuilt);
/// other images are left as they are.
pub async fn responsive(db: &Db, site_id: i64, html: &str) -> sqlx::Result<String> {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        let Some(len) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..at + len + 1];
        out.push_str(&rest[..at]);
        let image = match attr_of(tag, "src") {
            Some(src) if src.starts_with("/media/") => find_by_url(db, site_id, src).await?,
            _ => None,
        };
        match image {
            Some(image) => {
                let alt = unescape(attr_of(tag, "alt").unwrap_or(""));
                let title = unescape(attr_of(tag, "title").unwrap_or(""));
                out.push_str(&image.body_tag(&alt, &title));
            }
            None => out.push_str(tag),
        }
        rest = &rest[at + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            width,
            height,
            image::Rgb([200, 30, 30]),
        ));
        let mut out = Vec::new();
        img.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    #[test]
    fn images_are_verified_and_resized() {
        let p = process(&png(1600, 800), 10 << 20).unwrap();
        assert_eq!((p.ext, p.width, p.height), ("png", 1600, 800));
        assert_eq!(
            p.files.iter().map(|(w, _)| *w).collect::<Vec<_>>(),
            vec![None, Some(1200), Some(400)]
        );
        let small = process(&png(300, 200), 10 << 20).unwrap();
        assert_eq!(small.files.len(), 1, "no upscaled variants");
    }

    #[test]
    fn anything_else_is_rejected() {
        assert_eq!(process(b"", 10).err(), Some(Rejection::Empty));
        assert_eq!(
            process(b"<?php echo 1; ?>", 1 << 20).err(),
            Some(Rejection::NotAnImage)
        );
        assert_eq!(
            process(b"GIF89a....", 1 << 20).err(),
            Some(Rejection::NotAnImage)
        );
        let mut broken = png(50, 50);
        broken.truncate(60);
        assert_eq!(process(&broken, 1 << 20).err(), Some(Rejection::Corrupt));
        assert_eq!(
            process(&png(50, 50), 10).err(),
            Some(Rejection::TooLarge(0))
        );
    }

    #[test]
    fn decompression_bombs_are_refused_from_the_header() {
        // 8000×8000 of one colour: a few hundred kB, 64 million pixels.
        let img = image::GrayImage::from_pixel(8_000, 8_000, image::Luma([0]));
        let mut bomb = Vec::new();
        image::DynamicImage::ImageLuma8(img)
            .write_with_encoder(PngEncoder::new(&mut bomb))
            .unwrap();
        assert!(bomb.len() < 2 << 20, "{}", bomb.len());
        assert_eq!(
            process(&bomb, 10 << 20).err(),
            Some(Rejection::TooManyPixels)
        );
        // A phone photo's size passes the check.
        assert!(u64::from(8000u32) * 6000 <= MAX_PIXELS);
    }

    #[test]
    fn base64_as_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn only_generated_names_are_served() {
        let name = "0123456789abcdef0123456789abcdef";
        assert!(is_media_file_name(&format!("{name}.jpg")));
        assert!(is_media_file_name(&format!("{name}-400.webp")));
        for bad in [
            "../etc/passwd",
            "x.jpg",
            &format!("{name}.php"),
            &format!("{name}-999.jpg"),
            &format!("../{name}.jpg"),
            &format!("{}.jpg", name.to_uppercase()),
        ] {
            assert!(!is_media_file_name(bad), "{bad}");
        }
    }
}
