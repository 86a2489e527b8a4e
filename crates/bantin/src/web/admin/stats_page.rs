//! `/admin/stats`: visitors and page views per day for 30 days and per hour
//! today, as an SVG chart drawn on the server (no JavaScript) beside the
//! table, and the most read articles.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::Duration;

use super::AdminLayout;
use crate::content::import::public_path;
use crate::stats::{self, store};
use crate::web::auth::Staff;
use crate::web::error::AppError;
use crate::web::layout::format_count;
use crate::web::state::AppState;

const DAYS: i64 = 30;

struct Bar {
    label: String,
    visitors: i64,
    page_views: i64,
}

/// An SVG bar chart: page views (light) behind visitors (dark), one pair a bar.
struct Chart {
    width: u32,
    height: u32,
    bars: Vec<ChartBar>,
    max_label: String,
    caption: String,
}

struct ChartBar {
    x: String,
    w: String,
    views_y: String,
    views_h: String,
    visitors_y: String,
    visitors_h: String,
    title: String,
}

const CHART_W: u32 = 720;
const CHART_H: u32 = 200;

fn chart(bars: &[Bar], caption: &str) -> Chart {
    let max = bars
        .iter()
        .map(|b| b.page_views.max(b.visitors))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = f64::from(CHART_W) / bars.len().max(1) as f64;
    let scale = |n: i64| (n as f64 / max as f64) * f64::from(CHART_H - 20);
    Chart {
        width: CHART_W,
        height: CHART_H,
        bars: bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (vh, uh) = (scale(b.page_views), scale(b.visitors));
                ChartBar {
                    x: format!("{:.1}", i as f64 * slot + slot * 0.15),
                    w: format!("{:.1}", slot * 0.7),
                    views_y: format!("{:.1}", f64::from(CHART_H) - vh),
                    views_h: format!("{vh:.1}"),
                    visitors_y: format!("{:.1}", f64::from(CHART_H) - uh),
                    visitors_h: format!("{uh:.1}"),
                    title: format!(
                        "{}: {} khách, {} lượt xem",
                        b.label,
                        format_count(b.visitors),
                        format_count(b.page_views)
                    ),
                }
            })
            .collect(),
        max_label: format_count(max),
        caption: caption.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "admin/stats.html")]
struct Page {
    layout: AdminLayout,
    days_chart: Chart,
    hours_chart: Chart,
    days: Vec<Bar>,
    hours: Vec<Bar>,
    top: Vec<(String, String, String)>,
    totals: (String, String, String, String),
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Result<Html<String>, AppError> {
    let s = state.stats();
    s.flush().await?;
    let (db, site, now) = (state.db(), staff.site.clone(), state.now());
    let today = stats::local_day(now);
    let from = today - Duration::days(DAYS - 1);
    let rows = store::days(db, site.id, from, today).await?;
    let days: Vec<Bar> = (0..DAYS)
        .map(|i| {
            let day = from + Duration::days(i);
            let row = rows.iter().find(|r| r.day == day);
            Bar {
                label: day.format("%d/%m").to_string(),
                visitors: row.map_or(0, |r| r.visitors),
                page_views: row.map_or(0, |r| r.page_views),
            }
        })
        .collect();
    let hour_rows = store::hours(db, site.id, today).await?;
    let hours: Vec<Bar> = (0..24)
        .map(|h| {
            let row = hour_rows.iter().find(|r| r.hour == h);
            Bar {
                label: format!("{h:02}:00"),
                visitors: row.map_or(0, |r| r.visitors),
                page_views: row.map_or(0, |r| r.page_views),
            }
        })
        .collect();
    let top = store::most_read(db, site.id, from, now, 10).await?;
    let counts = s.counts(site.id, site.stats_start_total).await?;
    let page = Page {
        layout: AdminLayout::new(&staff, "stats", "Thống kê"),
        days_chart: chart(&days, "Khách và lượt xem 30 ngày qua"),
        hours_chart: chart(&hours, "Khách mới và lượt xem theo giờ hôm nay"),
        days,
        hours,
        top: top
            .into_iter()
            .map(|m| (m.title, public_path(&m.slug), format_count(m.views)))
            .collect(),
        totals: (
            format_count(counts.online),
            format_count(counts.today),
            format_count(counts.week),
            format_count(counts.total),
        ),
    };
    Ok(Html(page.render()?))
}
