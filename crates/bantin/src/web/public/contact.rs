//! `/lien-he`: how to reach the body — its address, phone, e-mail, the
//! focal point for requests for information (Law 104/2016 Art. 19) and who
//! is responsible for the content, from the settings; the text of the page
//! "Liên hệ" when it is published; a map image if one is chosen (no
//! third-party map script).

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::content::page;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::middleware::site::CurrentSite;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    name: String,
    address: String,
    phone: String,
    email: String,
    info_officer: String,
    content_responsible: String,
    body: String,
    map_image: String,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentSite(site): CurrentSite,
    headers: axum::http::HeaderMap,
) -> Result<Html<String>, AppError> {
    let (db, now) = (state.db(), state.now());
    let text = page::find_public(db, site.id, "lien-he", now).await?;
    let map_image = match site.map_image.as_str() {
        "" => String::new(),
        url => crate::content::media::find_by_url(db, site.id, url)
            .await?
            .map(|i| i.url_for_width(1200))
            .unwrap_or_default(),
    };
    let base = super::feeds::base_url(&state, &site, &headers);
    let view = ContactPage {
        layout: Layout::new(&site, "Liên hệ", "")
            .chrome(&super::chrome(&state, &site).await?, "/lien-he")
            .dublin_core("Liên hệ", &site.name, None, &format!("{base}/lien-he"))
            .sidebar(super::sidebar(&state, &site).await?),
        name: site.name.clone(),
        address: site.address.clone(),
        phone: site.phone.clone(),
        email: site.email.clone(),
        info_officer: site.info_officer.clone(),
        content_responsible: site.content_responsible.clone(),
        body: text.map(|p| p.body).unwrap_or_default(),
        map_image,
    };
    Ok(Html(view.render()?))
}
