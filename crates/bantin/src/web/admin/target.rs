//! Whose users and settings an admin page changes: the staff member's own
//! site (`/admin/users`), or for the province IT office any site
//! (`/admin/sites/{id}/users`). Everyone else asking for another site is
//! refused, and an id of no site is a 404.

use std::sync::Arc;

use crate::site::Site;
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::state::AppState;

pub struct Target {
    pub site: Arc<Site>,
    /// Where its pages are: `/admin` or `/admin/sites/{id}`.
    pub base: String,
    pub own: bool,
}

impl Target {
    /// The staff member's own site; admins only.
    pub fn own(staff: &Staff) -> Result<Target, AppError> {
        staff.require(staff.role().can_administer())?;
        Ok(Target {
            site: staff.site.clone(),
            base: "/admin".into(),
            own: true,
        })
    }

    /// Site `id`, for the province IT office only.
    pub async fn other(state: &AppState, staff: &Staff, id: i64) -> Result<Target, AppError> {
        staff.require(staff.is_operator())?;
        let site = match state.site(id) {
            Some(s) => s,
            // Created a moment ago, perhaps through another server.
            None => {
                state.reload_sites().await?;
                state.site(id).ok_or(AppError::NotFound)?
            }
        };
        Ok(Target {
            own: site.id == staff.site.id,
            base: format!("/admin/sites/{}", site.id),
            site,
        })
    }
}
