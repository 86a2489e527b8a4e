//! A request body with a read deadline: if no byte of it arrives for
//! [`BODY_IDLE_TIMEOUT`], reading it fails (and the request is answered
//! 408), so a client that sends headers and then nothing cannot keep a
//! request open. Bodies that are already complete (GET) cost nothing.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};

/// How long a body may go without a byte arriving.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Reading stopped: nothing arrived for [`BODY_IDLE_TIMEOUT`].
#[derive(Debug, thiserror::Error)]
#[error("the request body stopped arriving")]
pub struct BodyTimedOut;

pub struct TimedBody<B> {
    inner: B,
    idle: Duration,
    /// Set when the body is waited for, reset by every frame.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<B> TimedBody<B> {
    pub fn new(inner: B, idle: Duration) -> TimedBody<B> {
        TimedBody {
            inner,
            idle,
            deadline: None,
        }
    }
}

impl<B> Body for TimedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.deadline = None;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let idle = this.idle;
                let deadline = this
                    .deadline
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                match deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether an error (of reading a body) is, somewhere in its chain, the
/// body's read deadline.
pub fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = e {
        if err.is::<BodyTimedOut>() {
            return true;
        }
        e = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body that sends one chunk and then nothing, ever.
    struct Stalled(bool);

    impl Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.0 {
                Poll::Pending
            } else {
                self.0 = true;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"username=")))))
            }
        }
    }

    #[tokio::test]
    async fn a_stalled_body_fails_after_the_idle_time() {
        let body = TimedBody::new(Stalled(false), Duration::from_millis(50));
        let err = body.collect().await.err().unwrap();
        assert!(timed_out(err.as_ref()));
    }

    #[tokio::test]
    async fn a_complete_body_is_read_as_it_is() {
        let body = TimedBody::new(
            http_body_util::Full::new(Bytes::from_static(b"abc")),
            Duration::from_secs(10),
        );
        assert_eq!(body.collect().await.unwrap().to_bytes(), "abc");
    }
}
