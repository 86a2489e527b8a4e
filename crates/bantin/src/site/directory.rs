//! Which site a request is for: every site and its hosts, read from the
//! database into memory (a few hundred rows at most), and re-read every
//! few seconds so that a site created, renamed or disabled by another
//! server is served accordingly without a restart.
//!
//! The rule: the site whose host or alias is the request's `Host` (port and
//! case ignored). A deployment where no site has a host yet serves its one
//! (default) site for any host, as a single site always has. Once sites
//! have hosts, an unknown host, or a disabled site's, is answered by no
//! site at all.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Site, load_all, normalize_host};
use crate::db::Db;
use crate::with_db;

#[derive(Debug, Default)]
pub struct Directory {
    sites: HashMap<i64, Arc<Site>>,
    /// Every host and alias → site id.
    hosts: HashMap<String, i64>,
    /// Aliases of each site (not its own host), for the admin pages.
    aliases: HashMap<i64, Vec<String>>,
    /// The site that answers every host while none has one.
    default: Option<i64>,
}

impl Directory {
    pub async fn load(db: &Db) -> sqlx::Result<Directory> {
        const HOSTS: &str = "SELECT host, site_id FROM site_hosts";
        let sites = load_all(db).await?;
        let hosts: Vec<(String, i64)> =
            with_db!(db, pool => sqlx::query_as(HOSTS).fetch_all(pool).await)?;
        Ok(Directory::of(sites, hosts))
    }

    pub fn of(sites: Vec<Site>, hosts: Vec<(String, i64)>) -> Directory {
        let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
        for (host, id) in &hosts {
            let own = sites
                .iter()
                .any(|s| s.id == *id && s.host.as_deref() == Some(host.as_str()));
            if !own {
                aliases.entry(*id).or_default().push(host.clone());
            }
        }
        for list in aliases.values_mut() {
            list.sort();
        }
        let default = if hosts.is_empty() {
            sites.iter().find(|s| s.host.is_none()).map(|s| s.id)
        } else {
            None
        };
        Directory {
            sites: sites.into_iter().map(|s| (s.id, Arc::new(s))).collect(),
            hosts: hosts.into_iter().collect(),
            aliases,
            default,
        }
    }

    /// The site a request with this `Host` header is for, if any.
    pub fn resolve(&self, host: Option<&str>) -> Option<Arc<Site>> {
        let id = match host.and_then(normalize_host) {
            Some(h) if self.hosts.contains_key(&h) => self.hosts[&h],
            _ => self.default?,
        };
        self.sites.get(&id).filter(|s| !s.disabled).cloned()
    }

    /// Whether sites are chosen by host (some site has one).
    pub fn by_host(&self) -> bool {
        self.default.is_none()
    }

    pub fn get(&self, id: i64) -> Option<Arc<Site>> {
        self.sites.get(&id).cloned()
    }

    /// Every site, oldest first.
    pub fn all(&self) -> Vec<Arc<Site>> {
        let mut all: Vec<Arc<Site>> = self.sites.values().cloned().collect();
        all.sort_by_key(|s| s.id);
        all
    }

    /// The communes' sites a province's portal shows: enabled, and not
    /// left out by their admins.
    pub fn shown_children(&self, parent_id: i64) -> Vec<Arc<Site>> {
        self.all()
            .into_iter()
            .filter(|s| s.parent_id == Some(parent_id) && !s.disabled && s.show_in_parent)
            .collect()
    }

    pub fn has_children(&self, parent_id: i64) -> bool {
        self.sites
            .values()
            .any(|s| s.parent_id == Some(parent_id) && !s.disabled && s.show_in_parent)
    }

    /// A site's aliases (its other hosts).
    pub fn aliases(&self, id: i64) -> &[String] {
        self.aliases.get(&id).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: i64, host: Option<&str>) -> Site {
        Site {
            id,
            host: host.map(str::to_owned),
            name: format!("Trang {id}"),
            description: String::new(),
            tone_style: "author".into(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            stats_start_total: 0,
            public_url: None,
            parent_id: None,
            disabled: false,
            show_in_parent: true,
            require_2fa: "none".into(),
            info_officer: String::new(),
            content_responsible: String::new(),
            licence: String::new(),
            map_image: String::new(),
            question_retention_months: 12,
        }
    }

    #[test]
    fn one_site_without_hosts_answers_every_host() {
        let d = Directory::of(vec![site(1, None)], vec![]);
        assert_eq!(d.resolve(Some("anything.example:8080")).unwrap().id, 1);
        assert_eq!(d.resolve(None).unwrap().id, 1);
        assert!(!d.by_host());
    }

    #[test]
    fn with_hosts_each_answers_its_own_and_aliases() {
        let mut off = site(3, Some("c.tinh.gov.vn"));
        off.disabled = true;
        let d = Directory::of(
            vec![
                site(1, Some("tinh.gov.vn")),
                site(2, Some("a.tinh.gov.vn")),
                off,
            ],
            vec![
                ("tinh.gov.vn".into(), 1),
                ("a.tinh.gov.vn".into(), 2),
                ("www.a.tinh.gov.vn".into(), 2),
                ("c.tinh.gov.vn".into(), 3),
            ],
        );
        assert_eq!(d.resolve(Some("A.Tinh.Gov.Vn:443")).unwrap().id, 2);
        assert_eq!(d.resolve(Some("www.a.tinh.gov.vn")).unwrap().id, 2);
        assert_eq!(d.resolve(Some("tinh.gov.vn")).unwrap().id, 1);
        assert!(d.resolve(Some("unknown.gov.vn")).is_none());
        assert!(d.resolve(None).is_none());
        assert!(d.resolve(Some("c.tinh.gov.vn")).is_none(), "disabled");
        assert_eq!(d.aliases(2), ["www.a.tinh.gov.vn".to_owned()]);
    }
}
