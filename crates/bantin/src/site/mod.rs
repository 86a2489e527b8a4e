//! Sites: a deployment serves one site or many (a province's portal and its
//! communes'), each chosen by the request's host ([`directory`]), each with
//! its own settings, stored in the database. The first migration creates
//! the default site; `--site-name` or the admin pages rename it, `bantin
//! site` and the province office's admin pages add more ([`manage`]).

pub mod directory;
pub mod manage;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::audit;
use crate::db::Db;
use crate::{with_db, with_tx};

pub use directory::Directory;

#[derive(Clone, Debug, FromRow)]
pub struct Site {
    pub id: i64,
    /// The host it answers to (lower case); `None` for the default site of
    /// a deployment that has no hosts.
    pub host: Option<String>,
    pub name: String,
    pub description: String,
    /// `author`, `old` or `new`: see [`Site::tone_style`].
    pub tone_style: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// Added to "Tất cả", so a site moving to bantin keeps its old total.
    pub stats_start_total: i64,
    /// How readers reach it (`https://xa.tinh.gov.vn`, no trailing slash).
    pub public_url: Option<String>,
    /// The province's portal this commune's site is part of.
    pub parent_id: Option<i64>,
    pub disabled: bool,
    /// Its news appears on the parent's portal.
    pub show_in_parent: bool,
    /// Who must use two-factor login (see [`Site::two_factor`]).
    pub require_2fa: String,
    /// Who answers requests for information (Law 104/2016 Art. 19).
    pub info_officer: String,
    /// Who is responsible for the content.
    pub content_responsible: String,
    /// The licence line of the footer.
    pub licence: String,
    /// `/media/…` of a map image for the contact page.
    pub map_image: String,
    /// Months an asker's phone, email and attachment are kept.
    pub question_retention_months: i64,
}

impl Site {
    /// The house style for tone marks in stored text; `None` keeps the
    /// author's choice (misplaced marks are still repaired).
    pub fn tone_style(&self) -> Option<vntext::ToneStyle> {
        match self.tone_style.as_str() {
            "old" => Some(vntext::ToneStyle::Old),
            "new" => Some(vntext::ToneStyle::New),
            _ => None,
        }
    }

    /// Who must use two-factor login on the site.
    pub fn two_factor(&self) -> crate::accounts::two_factor::Policy {
        crate::accounts::two_factor::Policy::parse(&self.require_2fa)
            .unwrap_or(crate::accounts::two_factor::Policy::None)
    }

    /// Served over https: cookies are `Secure`, HSTS is sent.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// How the site is named to operators: its host, or "(mặc định)".
    pub fn label(&self) -> String {
        self.host.clone().unwrap_or_else(|| "(mặc định)".into())
    }
}

const COLUMNS: &str = "id, host, name, description, tone_style, address, phone, email, \
     stats_start_total, public_url, parent_id, disabled, show_in_parent, require_2fa, \
     info_officer, content_responsible, licence, map_image, question_retention_months";

/// Every site, in the order they were created.
pub async fn load_all(db: &Db) -> sqlx::Result<Vec<Site>> {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM sites ORDER BY id"));
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str())).fetch_all(pool).await)
}

pub async fn find(db: &Db, id: i64) -> sqlx::Result<Option<Site>> {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM sites WHERE id = $1"));
    with_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str())).bind(id).fetch_optional(pool).await)
}

/// The site a host (or alias) belongs to.
pub async fn find_by_host(db: &Db, host: &str) -> sqlx::Result<Option<Site>> {
    const SQL: &str = "SELECT site_id FROM site_hosts WHERE host = $1";
    let Some(host) = normalize_host(host) else {
        return Ok(None);
    };
    let id: Option<i64> =
        with_db!(db, pool => sqlx::query_scalar(SQL).bind(&host).fetch_optional(pool).await)?;
    match id {
        Some(id) => find(db, id).await,
        None => Ok(None),
    }
}

/// The default site: the one without a host, or the only site there is.
pub async fn load_default(db: &Db) -> sqlx::Result<Site> {
    let sites = load_all(db).await?;
    let only = sites.len() == 1;
    sites
        .into_iter()
        .find(|s| s.host.is_none() || only)
        .ok_or(sqlx::Error::RowNotFound)
}

/// The site an operator names on the command line: a host or alias, its
/// number (`bantin site list` shows both), or nothing for the default site.
pub async fn lookup(db: &Db, reference: Option<&str>) -> anyhow::Result<Site> {
    let Some(reference) = reference.map(str::trim).filter(|r| !r.is_empty()) else {
        return load_default(db).await.map_err(|_| {
            anyhow::anyhow!(
                "có nhiều trang và không trang nào là mặc định: hãy chọn trang bằng --site TÊN-MIỀN"
            )
        });
    };
    let found = match reference.parse::<i64>() {
        Ok(id) => find(db, id).await?,
        Err(_) => find_by_host(db, reference).await?,
    };
    found.ok_or_else(|| anyhow::anyhow!("không có trang {reference}"))
}

/// A host as stored and compared: lower case, without port or trailing
/// dot; `None` when it cannot be a host name.
pub fn normalize_host(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let host = if let Some(rest) = raw.strip_prefix('[') {
        // [::1]:8080
        let end = rest.find(']')?;
        return Some(format!("[{}]", rest[..end].to_ascii_lowercase()));
    } else {
        match raw.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => raw,
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then_some(host)
}

/// A public address as typed: `http(s)://host[:port]`, no path, no
/// trailing slash.
pub fn normalize_public_url(raw: &str) -> Option<String> {
    let url = raw.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let host = normalize_host(rest)?;
    let port = rest
        .rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()) && !rest.starts_with('['))
        .map(|(_, p)| format!(":{p}"))
        .unwrap_or_default();
    Some(format!("{scheme}://{host}{port}"))
}

/// The settings admins edit.
#[derive(Clone, Debug)]
pub struct Settings {
    pub name: String,
    pub description: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub stats_start_total: i64,
    pub tone_style: Option<vntext::ToneStyle>,
    /// The site's news appears on its province's portal.
    pub show_in_parent: bool,
    pub two_factor: crate::accounts::two_factor::Policy,
    pub info_officer: String,
    pub content_responsible: String,
    pub licence: String,
    /// `/media/…` of one of the site's images, or empty.
    pub map_image: String,
    /// Months an asker's contact details are kept.
    pub question_retention_months: i64,
}

pub fn tone_style_value(style: Option<vntext::ToneStyle>) -> &'static str {
    match style {
        None => "author",
        Some(vntext::ToneStyle::Old) => "old",
        Some(vntext::ToneStyle::New) => "new",
    }
}

/// The settings as typed in the admin form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    pub name: String,
    pub description: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub stats_start_total: String,
    pub tone_style: String,
    /// The checkbox: present when ticked.
    pub show_in_parent: Option<String>,
    pub require_2fa: String,
    pub info_officer: String,
    pub content_responsible: String,
    pub licence: String,
    pub map_image: String,
    pub question_retention_months: String,
}

impl Typed {
    pub fn of(site: &Site) -> Typed {
        Typed {
            name: site.name.clone(),
            description: site.description.clone(),
            address: site.address.clone(),
            phone: site.phone.clone(),
            email: site.email.clone(),
            stats_start_total: site.stats_start_total.to_string(),
            tone_style: tone_style_value(site.tone_style()).to_owned(),
            show_in_parent: site.show_in_parent.then(|| "1".to_owned()),
            require_2fa: site.require_2fa.clone(),
            info_officer: site.info_officer.clone(),
            content_responsible: site.content_responsible.clone(),
            licence: site.licence.clone(),
            map_image: site.map_image.clone(),
            question_retention_months: site.question_retention_months.to_string(),
        }
    }
}

/// The largest starting total: far above any portal's, far below where
/// sums overflow.
pub const MAX_START_TOTAL: i64 = 1_000_000_000_000;

/// Normalised, on one line, at most `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    vntext::normalize(s)
        .replace('\n', " ")
        .chars()
        .take(max)
        .collect()
}

/// The typed settings, checked; or what is wrong, in Vietnamese.
pub fn checked(form: &Typed) -> Result<Settings, &'static str> {
    let name = one_line(&form.name, 200);
    if name.is_empty() {
        return Err("Tên trang không được để trống.");
    }
    let email = form.email.trim().to_owned();
    if !email.is_empty()
        && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 200)
    {
        return Err("Địa chỉ thư điện tử không hợp lệ.");
    }
    let phone = one_line(&form.phone, 50);
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +().-".contains(c))
    {
        return Err("Số điện thoại chỉ gồm chữ số và các dấu + ( ) . -");
    }
    let stats_start_total = match form.stats_start_total.trim().replace('.', "") {
        s if s.is_empty() => 0,
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=MAX_START_TOTAL).contains(n))
            .ok_or("Số lượt truy cập ban đầu phải là số không âm, tối đa 1.000.000.000.000.")?,
    };
    let tone_style = match form.tone_style.as_str() {
        "old" => Some(vntext::ToneStyle::Old),
        "new" => Some(vntext::ToneStyle::New),
        "author" | "" => None,
        _ => return Err("Kiểu bỏ dấu không hợp lệ."),
    };
    Ok(Settings {
        name,
        description: one_line(&form.description, 500),
        address: one_line(&form.address, 300),
        phone,
        email,
        stats_start_total,
        tone_style,
        show_in_parent: form.show_in_parent.is_some(),
        two_factor: match form.require_2fa.as_str() {
            "" => crate::accounts::two_factor::Policy::None,
            p => crate::accounts::two_factor::Policy::parse(p)
                .ok_or("Yêu cầu xác thực hai bước không hợp lệ.")?,
        },
        info_officer: one_line(&form.info_officer, 300),
        content_responsible: one_line(&form.content_responsible, 300),
        licence: one_line(&form.licence, 300),
        map_image: form.map_image.trim().to_owned(),
        question_retention_months: match form.question_retention_months.trim() {
            "" => crate::content::question::DEFAULT_RETENTION_MONTHS,
            m => m
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=crate::content::question::MAX_RETENTION_MONTHS).contains(m))
                .ok_or("Thời gian giữ thông tin liên hệ của người hỏi phải từ 1 đến 60 tháng.")?,
        },
    })
}

/// Saves the settings, with their audit entry; `Err` when the map image
/// is not one of the site's images.
pub async fn update(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    s: &Settings,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), &'static str>> {
    const SQL: &str = "UPDATE sites SET name = $1, description = $2, address = $3, phone = $4, email = $5, \
         stats_start_total = $6, tone_style = $7, updated_at = $8, show_in_parent = $10, \
         require_2fa = $11, info_officer = $12, content_responsible = $13, licence = $14, \
         map_image = $15, question_retention_months = $16 WHERE id = $9";
    let map_image = match s.map_image.as_str() {
        "" => String::new(),
        url => match crate::content::media::find_by_url(db, site_id, url).await? {
            Some(image) => image.url(),
            None => {
                return Ok(Err(
                    "Ảnh bản đồ phải là một ảnh đã tải lên trang này (/media/…).",
                ));
            }
        },
    };
    let mut tx = db.begin().await?;
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(&s.name).bind(&s.description).bind(&s.address).bind(&s.phone).bind(&s.email)
        .bind(s.stats_start_total).bind(tone_style_value(s.tone_style)).bind(now).bind(site_id)
        .bind(s.show_in_parent).bind(s.two_factor.as_str())
        .bind(&s.info_officer).bind(&s.content_responsible).bind(&s.licence).bind(&map_image)
        .bind(s.question_retention_months)
        .execute(&mut *conn).await.map(|_| ()))?;
    let entry = audit::Record {
        site_id,
        user_id,
        action: audit::Action::SettingsUpdate,
        target: "",
        detail: &s.name,
    };
    audit::record(&mut tx, entry, now).await?;
    // Every page's frame shows the settings (footer, name).
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}

pub async fn set_tone_style(
    db: &Db,
    site_id: i64,
    style: Option<vntext::ToneStyle>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let value = tone_style_value(style);
    const SQL: &str = "UPDATE sites SET tone_style = $1, updated_at = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(SQL).bind(value).bind(now).bind(site_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn rename(db: &Db, site_id: i64, name: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE sites SET name = $1, updated_at = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(SQL).bind(name).bind(now).bind(site_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores the address readers reach the site at (`--public-url`).
pub async fn set_public_url(
    db: &Db,
    site_id: i64,
    url: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE sites SET public_url = $1, updated_at = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(SQL).bind(url).bind(now).bind(site_id).execute(pool).await.map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_compare_without_case_port_or_dot() {
        assert_eq!(
            normalize_host("SinCheng.LaoCai.gov.vn:8080").as_deref(),
            Some("sincheng.laocai.gov.vn")
        );
        assert_eq!(normalize_host("xa.gov.vn.").as_deref(), Some("xa.gov.vn"));
        assert_eq!(normalize_host("[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(normalize_host("127.0.0.1:80").as_deref(), Some("127.0.0.1"));
        for bad in ["", "a..b", "-x.vn", "x_y.vn", "xã.vn", "a b", "evil.vn/x"] {
            assert_eq!(normalize_host(bad), None, "{bad}");
        }
    }

    #[test]
    fn public_urls() {
        assert_eq!(
            normalize_public_url("https://XA.gov.vn/").as_deref(),
            Some("https://xa.gov.vn")
        );
        assert_eq!(
            normalize_public_url("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "xa.gov.vn",
            "ftp://xa.gov.vn",
            "https://xa.gov.vn/tin-tuc",
            "https://a@b.vn",
        ] {
            assert_eq!(normalize_public_url(bad), None, "{bad}");
        }
    }
}
