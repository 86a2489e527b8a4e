//! The commune's leaders (Lãnh đạo: name, office, duties, a photo, and a
//! phone and e-mail only if the admin chooses to show them) and the bodies
//! of its organisation (Cơ cấu tổ chức: name, duties, contacts), as
//! structured data shown on the pages that ask for them. Each change is one
//! transaction with its audit entry.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::media;
use crate::audit;
use crate::db::Db;
use crate::site::one_line;
use crate::{with_db, with_tx};

#[derive(Clone, Debug, FromRow)]
pub struct Leader {
    pub id: i64,
    pub name: String,
    pub position: String,
    pub duties: String,
    pub phone: String,
    pub email: String,
    pub show_contact: bool,
    pub photo: String,
    pub photo_alt: String,
    pub sort: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub duties: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub sort: i64,
}

pub async fn leaders(db: &Db, site_id: i64) -> sqlx::Result<Vec<Leader>> {
    const SQL: &str = "SELECT id, name, position, duties, phone, email, show_contact, photo, photo_alt, sort \
         FROM leaders WHERE site_id = $1 ORDER BY sort, id";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}

pub async fn units(db: &Db, site_id: i64) -> sqlx::Result<Vec<Unit>> {
    const SQL: &str = "SELECT id, name, duties, address, phone, email, sort \
         FROM units WHERE site_id = $1 ORDER BY sort, id";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).fetch_all(pool).await)
}

/// A leader or a body, as typed in the admin form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    pub name: String,
    pub position: String,
    pub duties: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub show_contact: Option<String>,
    pub photo: String,
    pub photo_alt: String,
    pub sort: String,
}

/// The checked values: (name, position, duties, address, phone, email, sort).
struct Clean {
    name: String,
    position: String,
    duties: String,
    address: String,
    phone: String,
    email: String,
    sort: i64,
}

fn clean(t: &Typed) -> Result<Clean, String> {
    let name = one_line(&t.name, 200);
    if name.is_empty() {
        return Err("Hãy ghi tên.".into());
    }
    let phone = one_line(&t.phone, 50);
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +().-".contains(c))
    {
        return Err("Số điện thoại chỉ gồm chữ số và các dấu + ( ) . -".into());
    }
    let email = t.email.trim().to_owned();
    if !email.is_empty()
        && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 200)
    {
        return Err("Địa chỉ thư điện tử không hợp lệ.".into());
    }
    let duties: String = vntext::normalize(&t.duties).chars().take(4000).collect();
    Ok(Clean {
        name,
        position: one_line(&t.position, 200),
        duties,
        address: one_line(&t.address, 300),
        phone,
        email,
        sort: t.sort.trim().parse().unwrap_or(0),
    })
}

fn entry<'a>(
    site_id: i64,
    user_id: Option<i64>,
    target: &'a str,
    detail: &'a str,
) -> audit::Record<'a> {
    audit::Record {
        site_id,
        user_id,
        action: audit::Action::OrganisationUpdate,
        target,
        detail,
    }
}

/// Adds (`id` = `None`) or changes a leader; `Err` says what is wrong.
pub async fn save_leader(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: Option<i64>,
    typed: &Typed,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), String>> {
    const INSERT: &str = "INSERT INTO leaders (site_id, name, position, duties, phone, email, show_contact, \
         photo, photo_alt, sort, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    const UPDATE: &str = "UPDATE leaders SET name = $2, position = $3, duties = $4, phone = $5, email = $6, \
         show_contact = $7, photo = $8, photo_alt = $9, sort = $10, updated_at = $11 WHERE site_id = $1 AND id = $12";
    let c = match clean(typed) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let photo = match typed.photo.trim() {
        "" => String::new(),
        url => match media::find_by_url(db, site_id, url).await? {
            Some(image) => image.url(),
            None => return Ok(Err("Ảnh không hợp lệ.".into())),
        },
    };
    let alt = one_line(&typed.photo_alt, 200);
    if !photo.is_empty() && alt.is_empty() {
        // Circular 32/2017 Art. 18: every image has a text alternative.
        return Ok(Err(
            "Hãy ghi mô tả ảnh (cho người dùng trình đọc màn hình).".into(),
        ));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => {
        let q = sqlx::query(if id.is_some() { UPDATE } else { INSERT })
            .bind(site_id).bind(&c.name).bind(&c.position).bind(&c.duties).bind(&c.phone).bind(&c.email)
            .bind(typed.show_contact.is_some()).bind(&photo).bind(&alt).bind(c.sort).bind(now);
        let q = match id { Some(id) => q.bind(id), None => q };
        q.execute(&mut *conn).await.map(|r| r.rows_affected())
    })?;
    if n != 1 {
        return Ok(Err("Không có người này.".into()));
    }
    audit::record(&mut tx, entry(site_id, user_id, &c.name, "lãnh đạo"), now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}

/// Adds (`id` = `None`) or changes a body of the organisation.
pub async fn save_unit(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    id: Option<i64>,
    typed: &Typed,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), String>> {
    const INSERT: &str = "INSERT INTO units (site_id, name, duties, address, phone, email, sort, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    const UPDATE: &str = "UPDATE units SET name = $2, duties = $3, address = $4, phone = $5, email = $6, \
         sort = $7, updated_at = $8 WHERE site_id = $1 AND id = $9";
    let c = match clean(typed) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => {
        let q = sqlx::query(if id.is_some() { UPDATE } else { INSERT })
            .bind(site_id).bind(&c.name).bind(&c.duties).bind(&c.address).bind(&c.phone).bind(&c.email)
            .bind(c.sort).bind(now);
        let q = match id { Some(id) => q.bind(id), None => q };
        q.execute(&mut *conn).await.map(|r| r.rows_affected())
    })?;
    if n != 1 {
        return Ok(Err("Không có cơ quan này.".into()));
    }
    audit::record(
        &mut tx,
        entry(site_id, user_id, &c.name, "cơ cấu tổ chức"),
        now,
    )
    .await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes a leader (`units` false) or a body (`units` true).
pub async fn remove(
    db: &Db,
    site_id: i64,
    user_id: Option<i64>,
    units: bool,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    const LEADER: &str = "DELETE FROM leaders WHERE site_id = $1 AND id = $2";
    const UNIT: &str = "DELETE FROM units WHERE site_id = $1 AND id = $2";
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, conn => sqlx::query(if units { UNIT } else { LEADER }).bind(site_id).bind(id)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    let target = format!("#{id}");
    audit::record(&mut tx, entry(site_id, user_id, &target, "xoá"), now).await?;
    tx.content_changed();
    tx.commit().await?;
    Ok(true)
}
