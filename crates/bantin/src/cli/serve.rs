//! `bantin serve`: the web server, its background work (visitor counts,
//! housekeeping), and a clean stop on SIGTERM.

use std::sync::Arc;

use anyhow::Context;

use super::open;
use crate::accounts::session;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, LogFormat};
use crate::db::{self, Db};
use crate::web::state::{AppState, Settings};
use crate::web::workers::Workers;
use crate::web::{listener, router};

pub async fn serve(config: Config) -> anyhow::Result<()> {
    init_tracing(config.log_format);
    let db = open(&config).await?;
    let state = AppState::new(
        db.clone(),
        Arc::new(SystemClock),
        Settings::from_config(&config),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    // Kept until the database is closed (see `web::workers`).
    let workers = Workers::per_core().context("cannot start the serving threads")?;
    let maintenance = tokio::spawn(maintain(db.clone()));
    let flusher = tokio::spawn(flush_stats(state.clone(), config.stats_flush));
    tracing::info!(
        database = %db::redact_url(&config.database_url),
        threads = workers.len(),
        "bantin is serving on http://{address}"
    );
    // One signal stops both listeners; in-flight requests then get
    // `shutdown_timeout` to finish.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let metrics_server = match config.metrics_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for metrics"))?;
            tracing::info!("metrics on http://{}/metrics", l.local_addr()?);
            let router = router::metrics_router(state.clone());
            let stop = stopped(stop_rx.clone());
            Some(tokio::spawn(async move {
                axum::serve(l, router).with_graceful_shutdown(stop).await
            }))
        }
        None => None,
    };
    let server = listener::serve(
        listener,
        router::app(state.clone()),
        listener::Limits {
            max_connections: config.max_connections,
            per_client: config.max_connections_per_client,
            trusted_proxies: config.trusted_proxies.clone(),
        },
        &workers,
        stopped(stop_rx.clone()),
    );
    let deadline = async {
        stopped(stop_rx.clone()).await;
        tracing::info!("stopping: no new connections; finishing requests in flight");
        tokio::time::sleep(config.shutdown_timeout).await;
    };
    tokio::select! {
        () = server => {}
        () = deadline => tracing::warn!(
            "requests still running after {}s were cut off",
            config.shutdown_timeout.as_secs()
        ),
    }
    if let Some(m) = metrics_server {
        m.abort();
    }
    tracing::info!("shutting down");
    maintenance.abort();
    flusher.abort();
    // Whatever was counted since the last flush is written before exit.
    if let Err(e) = state.stats().flush().await {
        tracing::error!(error = %e, "cannot write the last visitor counts");
    }
    db.close().await;
    drop(workers);
    Ok(())
}

/// Writes visitor counts every `interval`.
async fn flush_stats(state: AppState, interval: std::time::Duration) {
    let mut every = tokio::time::interval(interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = state.stats().flush().await {
            tracing::warn!(error = %e, "cannot write visitor counts; will retry");
        }
    }
}

/// Housekeeping while serving: expired sessions, old login failures,
/// askers' contact details past retention, old sent mail.
async fn maintain(db: Db) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        let now = SystemClock.now();
        if let Err(e) = session::purge_expired(&db, now).await {
            tracing::warn!(error = %e, "cannot purge expired sessions");
        }
        if let Err(e) = crate::accounts::throttle::purge_old(&db, now).await {
            tracing::warn!(error = %e, "cannot purge old login attempts");
        }
        // Askers' contact details past their site's retention (Decree 13/2023).
        match crate::content::question::remove_expired_contacts(&db, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                questions = n,
                "removed askers' contact details past retention"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot remove expired contact details"),
        }
        if let Err(e) = crate::mail::prune(&db, now).await {
            tracing::warn!(error = %e, "cannot prune sent mail");
        }
    }
}

/// Logs go to standard output (journald keeps them under systemd). What
/// they never hold: passwords, session tokens, query strings, and visitor
/// addresses unless access logging is on.
fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BANTIN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
