//! The threads that serve connections: one per core, each running its own
//! single-threaded tokio runtime, as nginx runs one worker process per core.
//!
//! The accept loop (`listener::serve`) hands each accepted connection to the
//! thread with the fewest open connections, and the connection then lives on
//! that thread: its requests, its timers and the tasks its handlers spawn.
//! With tokio's work-stealing runtime, each request woke the other worker
//! thread, which searched for work and parked again; on two cores that cost a
//! third more CPU per request than one thread serving alone (figures in
//! `bench/RESULTS.md`). Here a thread that is busy stays busy and an idle one
//! sleeps in its own `epoll_wait`.
//!
//! The cost: a request that computes for long without awaiting holds up the
//! other connections of its thread (not those of the other threads), so
//! heavy work (password hashing, Word conversion, imports) goes to
//! `spawn_blocking`, as it already must.
//!
//! The threads live as long as the [`Workers`] value. Keep it until the
//! database is closed: a PostgreSQL connection opened by a request is
//! registered with its thread's reactor, and the final flush of visitor
//! counts may use it.

use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The serving threads.
pub struct Workers {
    threads: Vec<Worker>,
}

struct Worker {
    jobs: mpsc::UnboundedSender<Job>,
    /// Connections open on this thread.
    open: Arc<AtomicUsize>,
}

/// Counts a connection on its thread while it lives.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Workers {
    /// One thread per core the process may use.
    pub fn per_core() -> std::io::Result<Workers> {
        Workers::start(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }

    /// `n` threads (at least one).
    pub fn start(n: usize) -> std::io::Result<Workers> {
        let mut threads = Vec::with_capacity(n.max(1));
        for i in 0..n.max(1) {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
            std::thread::Builder::new()
                .name(format!("bantin-serve-{i}"))
                .spawn(move || {
                    runtime.block_on(async move {
                        while let Some(job) = queue.recv().await {
                            tokio::spawn(job);
                        }
                    });
                })?;
            threads.push(Worker {
                jobs,
                open: Arc::new(AtomicUsize::new(0)),
            });
        }
        Ok(Workers { threads })
    }

    /// How many threads serve.
    pub fn len(&self) -> usize {
        self.threads.len()
    }

    /// Always false: there is at least one thread.
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }

    /// Runs `connection` on the thread with the fewest open connections.
    /// The future is first polled there, so a socket it registers belongs
    /// to that thread's reactor.
    pub fn spawn(&self, connection: impl Future<Output = ()> + Send + 'static) {
        let worker = self
            .threads
            .iter()
            .min_by_key(|w| w.open.load(Ordering::Relaxed))
            .expect("at least one serving thread");
        worker.open.fetch_add(1, Ordering::Relaxed);
        let open = Open(worker.open.clone());
        let job: Job = Box::pin(async move {
            connection.await;
            drop(open);
        });
        // A thread that is gone (its runtime panicked) leaves the work to
        // the caller's runtime rather than dropping the connection.
        if let Err(mpsc::error::SendError(job)) = worker.jobs.send(job) {
            tokio::spawn(job);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_the_least_busy_serving_thread() {
        let workers = Workers::start(2).unwrap();
        assert_eq!(workers.len(), 2);
        // One long connection on the first thread…
        let (hold_tx, hold_rx) = tokio::sync::oneshot::channel::<()>();
        let (first_tx, first_rx) = tokio::sync::oneshot::channel();
        workers.spawn(async move {
            let _ = first_tx.send(std::thread::current().name().map(str::to_owned));
            let _ = hold_rx.await;
        });
        let first = first_rx.await.unwrap().unwrap();
        // …so the next goes to the other one.
        let (second_tx, second_rx) = tokio::sync::oneshot::channel();
        workers.spawn(async move {
            let _ = second_tx.send(std::thread::current().name().map(str::to_owned));
        });
        let second = second_rx.await.unwrap().unwrap();
        assert!(first.starts_with("bantin-serve-"), "{first}");
        assert!(second.starts_with("bantin-serve-"), "{second}");
        assert_ne!(first, second);
        drop(hold_tx);
    }
}
