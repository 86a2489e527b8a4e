//! Mail: messages are queued in the database (`mail_outbox`) in the same
//! transaction as what they tell of, and a background task sends them over
//! SMTP (`--smtp-url`). A request never waits for a mail server; a message
//! that cannot be sent is tried again later, with a growing delay, by
//! whichever server gets to it first.

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::FromRow;

use crate::clock::Clock;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx};

/// Tries before a message is given up on (the last about a day after the first).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a server may hold a message it is sending before another may try.
const CLAIM: chrono::Duration = chrono::Duration::minutes(5);
/// How often the queue is looked at when nothing wakes the sender.
const POLL: Duration = Duration::from_secs(30);
/// Messages sent in one round.
const BATCH: i64 = 20;

/// The wait before try `attempt` + 1 (1, 2, 4 … minutes, at most 6 hours).
pub fn backoff(attempt: i64) -> chrono::Duration {
    chrono::Duration::minutes((1i64 << attempt.clamp(0, 9)).min(360))
}

/// Whether `raw` is an address mail can be sent to.
pub fn is_address(raw: &str) -> bool {
    raw.len() <= 200 && raw.parse::<lettre::Address>().is_ok()
}

/// Whether `raw` is a sender: an address, or `Name <address>`.
pub fn is_mailbox(raw: &str) -> bool {
    raw.parse::<Mailbox>().is_ok()
}

/// The SMTP server's URL, which may hold a password: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(pub String);

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpUrl(…)")
    }
}

/// A message to queue.
pub struct Outgoing<'a> {
    pub site_id: i64,
    /// The question it is about: its messages go when its asker's contact
    /// details are removed.
    pub question_id: Option<i64>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Queues a message, inside the transaction of the change it tells of.
pub async fn enqueue(tx: &mut Tx, m: &Outgoing<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO mail_outbox (site_id, question_id, recipient, subject, body, next_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)";
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(m.site_id).bind(m.question_id).bind(m.recipient).bind(m.subject).bind(m.body).bind(now)
        .execute(&mut *conn).await.map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct Queued {
    pub id: i64,
    pub site_id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    pub sent_at: Option<DateTime<Utc>>,
    pub error: String,
}

/// A site's messages, newest first (for staff and tests).
pub async fn of_site(db: &Db, site_id: i64, limit: i64) -> sqlx::Result<Vec<Queued>> {
    const SQL: &str = "SELECT id, site_id, recipient, subject, body, attempts, sent_at, error FROM mail_outbox \
         WHERE site_id = $1 ORDER BY id DESC LIMIT $2";
    with_db!(db, pool => sqlx::query_as(SQL).bind(site_id).bind(limit).fetch_all(pool).await)
}

/// Sent messages older than this are deleted (they hold addresses).
pub const KEEP_SENT: chrono::Duration = chrono::Duration::days(30);

/// Deletes sent and given-up messages older than [`KEEP_SENT`].
pub async fn prune(db: &Db, now: DateTime<Utc>) -> sqlx::Result<u64> {
    const SQL: &str =
        "DELETE FROM mail_outbox WHERE created_at < $1 AND (sent_at IS NOT NULL OR attempts >= $2)";
    with_db!(db, pool => sqlx::query(SQL).bind(now - KEEP_SENT).bind(MAX_ATTEMPTS).execute(pool).await.map(|r| r.rows_affected()))
}

/// The SMTP connection and the queue's sender.
pub struct Mailer {
    db: Db,
    clock: Arc<dyn Clock>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    wake: Arc<tokio::sync::Notify>,
}

impl Mailer {
    /// `url`: `smtp://[user:password@]host[:port][?tls=required]` or
    /// `smtps://…` (lettre's form); `from`: `Tên <dia-chi@…>` or an address.
    pub fn new(db: Db, clock: Arc<dyn Clock>, url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("invalid smtp_url: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid mail_from {from:?}: {e}"))?;
        Ok(Mailer {
            db,
            clock,
            transport,
            from,
            wake: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// Asks the sender to look at the queue now (after a commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the sender; it stops when the mailer is dropped.
    pub fn start(self: &Arc<Self>) {
        tokio::spawn(run(Arc::downgrade(self)));
    }

    /// Sends what is due; returns how many were sent.
    pub async fn send_due(&self) -> sqlx::Result<usize> {
        const DUE: &str = "SELECT id, site_id, recipient, subject, body, attempts, sent_at, error FROM mail_outbox \
             WHERE sent_at IS NULL AND attempts < $1 AND next_at <= $2 ORDER BY next_at, id LIMIT $3";
        // A claim: whoever moves `next_at` on first sends it.
        const CLAIM_SQL: &str = "UPDATE mail_outbox SET attempts = attempts + 1, next_at = $1 \
             WHERE id = $2 AND attempts = $3 AND sent_at IS NULL";
        const SENT: &str = "UPDATE mail_outbox SET sent_at = $1, error = '' WHERE id = $2";
        const FAILED: &str = "UPDATE mail_outbox SET error = $1, next_at = $2 WHERE id = $3";
        let now = self.clock.now();
        let due: Vec<Queued> = with_db!(&self.db, pool => sqlx::query_as(DUE)
            .bind(MAX_ATTEMPTS).bind(now).bind(BATCH).fetch_all(pool).await)?;
        let mut sent = 0;
        for m in due {
            let claimed = with_db!(&self.db, pool => sqlx::query(CLAIM_SQL)
                .bind(now + CLAIM).bind(m.id).bind(m.attempts).execute(pool).await.map(|r| r.rows_affected()))?;
            if claimed != 1 {
                continue;
            }
            match self.send(&m).await {
                Ok(()) => {
                    with_db!(&self.db, pool => sqlx::query(SENT).bind(self.clock.now()).bind(m.id).execute(pool).await.map(|_| ()))?;
                    sent += 1;
                }
                Err(e) => {
                    // The error names the server's reply, never the URL.
                    tracing::warn!(mail = m.id, attempt = m.attempts + 1, error = %e, "cannot send mail; will retry");
                    let next = self.clock.now() + backoff(m.attempts);
                    let error: String = e.chars().take(500).collect();
                    with_db!(&self.db, pool => sqlx::query(FAILED).bind(&error).bind(next).bind(m.id).execute(pool).await.map(|_| ()))?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(&self, m: &Queued) -> Result<(), String> {
        let to: Mailbox = m.recipient.parse().map_err(|e| format!("{e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

async fn run(mailer: Weak<Mailer>) {
    loop {
        let Some(m) = mailer.upgrade() else { return };
        if let Err(e) = m.send_due().await {
            tracing::warn!(error = %e, "cannot read the mail queue; will retry");
        }
        // A wake-up given while sending is kept (a permit) for this wait.
        let wake = m.wake.clone();
        drop(m);
        let _ = tokio::time::timeout(POLL, wake.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_but_not_forever() {
        assert_eq!(backoff(0), chrono::Duration::minutes(1));
        assert_eq!(backoff(3), chrono::Duration::minutes(8));
        assert_eq!(backoff(20), chrono::Duration::minutes(360));
    }

    #[test]
    fn addresses() {
        assert!(is_address("nguyen.van.a@gmail.com"));
        assert!(!is_address("nguyen van a"));
        assert!(!is_address("a@"));
    }
}
