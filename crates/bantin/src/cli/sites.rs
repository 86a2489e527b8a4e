//! `bantin site add | list | set | disable | enable`: the sites of a
//! province's deployment (see `site::manage`). A site is named by its host,
//! one of its aliases, or its number in `site list`.

use std::process::ExitCode;

use clap::Subcommand;

use super::open;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::content::article;
use crate::db::Db;
use crate::site::{self, Directory, manage};
use crate::{accounts, stats};

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a site (with the category "Tin tức"); then `bantin user add … --site HOST`.
    Add {
        /// Its host, e.g. sincheng.laocai.gov.vn.
        host: String,
        /// Its name, e.g. "Xã Sín Chéng".
        #[arg(long)]
        name: String,
        /// The province's portal it is part of (host or number).
        #[arg(long)]
        parent: Option<String>,
        /// Another host it answers to, e.g. www.sincheng.laocai.gov.vn (repeatable).
        #[arg(long = "alias", value_name = "HOST")]
        aliases: Vec<String>,
        /// How readers reach it [default: https://HOST].
        #[arg(long)]
        public_url: Option<String>,
    },
    /// List the sites, with their articles, accounts and visitors.
    List,
    /// Change a site.
    Set {
        /// The site: a host, an alias, or its number.
        site: String,
        #[arg(long)]
        name: Option<String>,
        /// A new host (the old one stops answering).
        #[arg(long)]
        host: Option<String>,
        #[arg(long)]
        public_url: Option<String>,
        /// The province's portal it is part of (host or number).
        #[arg(long, conflicts_with = "no_parent")]
        parent: Option<String>,
        /// No longer part of a province's portal.
        #[arg(long)]
        no_parent: bool,
        /// Another host it answers to (repeatable).
        #[arg(long = "alias", value_name = "HOST")]
        add_aliases: Vec<String>,
        /// A host it no longer answers to (repeatable).
        #[arg(long = "remove-alias", value_name = "HOST")]
        remove_aliases: Vec<String>,
    },
    /// Stop serving a site (its data is kept).
    Disable { site: String },
    /// Serve a disabled site again.
    Enable { site: String },
}

async fn site_id(db: &Db, reference: &str) -> anyhow::Result<i64> {
    Ok(site::lookup(db, Some(reference)).await?.id)
}

pub async fn run(config: Config, cmd: SiteCommand) -> anyhow::Result<ExitCode> {
    let db = open(&config).await?;
    let result = command(&db, cmd).await;
    db.close().await;
    result.map(|()| ExitCode::SUCCESS)
}

fn refused(e: manage::Error) -> anyhow::Error {
    match e {
        manage::Error::NotFound => anyhow::anyhow!("không có trang này"),
        e => e.into(),
    }
}

async fn command(db: &Db, cmd: SiteCommand) -> anyhow::Result<()> {
    let now = SystemClock.now();
    match cmd {
        SiteCommand::Add {
            host,
            name,
            parent,
            aliases,
            public_url,
        } => {
            let parent = match parent {
                Some(p) => Some(site_id(db, &p).await?),
                None => None,
            };
            let new = manage::NewSite {
                host: &host,
                name: &name,
                parent,
                aliases: &aliases,
                public_url: public_url.as_deref(),
            };
            let created = manage::create(db, None, new, now).await.map_err(refused)?;
            println!(
                "Đã tạo trang số {} “{}” tại {}.",
                created.id,
                created.name,
                created.public_url.as_deref().unwrap_or("")
            );
            let default = site::load_all(db)
                .await?
                .into_iter()
                .find(|s| s.host.is_none());
            if let Some(d) = default {
                println!(
                    "Lưu ý: trang số {} “{}” chưa có tên miền nên không còn được phục vụ; \
                     đặt cho nó bằng: bantin site set {} --host TEN-MIEN",
                    d.id, d.name, d.id
                );
            }
            println!(
                "Tiếp theo: bantin user add TEN --role admin --site {}",
                created.host.as_deref().unwrap_or("")
            );
        }
        SiteCommand::List => list(db, now).await?,
        SiteCommand::Set {
            site,
            name,
            host,
            public_url,
            parent,
            no_parent,
            add_aliases,
            remove_aliases,
        } => {
            let id = site_id(db, &site).await?;
            let parent = match (parent, no_parent) {
                (Some(p), _) => Some(Some(site_id(db, &p).await?)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            let change = manage::Change {
                name,
                host,
                public_url,
                parent,
                add_aliases,
                remove_aliases,
                disabled: None,
            };
            let s = manage::update(db, None, id, change, now)
                .await
                .map_err(refused)?;
            println!("Đã lưu trang số {} “{}”.", s.id, s.name);
        }
        SiteCommand::Disable { site } => set_disabled(db, &site, true, now).await?,
        SiteCommand::Enable { site } => set_disabled(db, &site, false, now).await?,
    }
    Ok(())
}

async fn set_disabled(
    db: &Db,
    site: &str,
    disabled: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let id = site_id(db, site).await?;
    let change = manage::Change {
        disabled: Some(disabled),
        ..manage::Change::default()
    };
    let s = manage::update(db, None, id, change, now)
        .await
        .map_err(refused)?;
    if disabled {
        println!("Đã ngừng trang “{}” (dữ liệu vẫn được giữ).", s.name);
    } else {
        println!("Đã mở lại trang “{}”.", s.name);
    }
    Ok(())
}

async fn list(db: &Db, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    let directory = Directory::load(db).await?;
    let today = stats::local_day(now);
    let visitors = stats::store::totals_by_site(db, today, stats::monday_of(today)).await?;
    let articles = article::public_by_site(db, now).await?;
    let accounts = accounts::user::count_by_site(db).await?;
    println!(
        "số\ttên miền\ttên\tthuộc\ttrạng thái\tbài viết\ttài khoản\tkhách hôm nay\ttổng khách\tđịa chỉ\ttên miền khác"
    );
    for s in directory.all() {
        let v = visitors.iter().find(|v| v.site_id == s.id);
        let a = articles
            .iter()
            .find(|a| a.site_id == s.id)
            .map_or(0, |a| a.articles);
        let u = accounts.iter().find(|u| u.0 == s.id).map_or(0, |u| u.1);
        println!(
            "{}\t{}\t{}\t{}\t{}\t{a}\t{u}\t{}\t{}\t{}\t{}",
            s.id,
            s.label(),
            s.name,
            s.parent_id
                .and_then(|p| directory.get(p))
                .map(|p| p.label())
                .unwrap_or_else(|| "-".into()),
            if s.disabled {
                "đã ngừng"
            } else {
                "hoạt động"
            },
            v.map_or(0, |v| v.today),
            v.map_or(0, |v| v.total).saturating_add(s.stats_start_total),
            s.public_url.as_deref().unwrap_or("-"),
            directory.aliases(s.id).join(","),
        );
    }
    Ok(())
}
