//! One connection's bounded queue of outgoing frames, shared by both transports: the
//! fan-out and the connection push into its [`Outbox`] without waiting, the transport
//! drains its [`Outgoing`] stream, and a full queue raises [`Overflow`].

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::ws::Utf8Bytes;
use futures::Stream;
use mizan_core::channels::Publication;
use tokio::sync::{Notify, mpsc};

use super::frames;

/// What the transport of one connection sends.
#[derive(Debug, Clone)]
pub(crate) enum Outbound {
    /// A frame (JSON text) of the connection's own.
    Text(Utf8Bytes),
    /// A publication's `message` frame, one for all its subscribers. Behind one pointer:
    /// every queue slot of every connection is as large as the largest variant.
    Message(Arc<Shared>),
    /// The last thing sent: a close code of `spec/PROTOCOL.md` §3.5 and its reason.
    Close(u16, &'static str),
}

/// A `message` frame and, on channels with history, its resume point (SSE's event id).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) frame: Utf8Bytes,
    pub(crate) id: Option<Utf8Bytes>,
}

impl Outbound {
    pub(crate) fn message(publication: &Publication) -> Self {
        Self::Message(Arc::new(Shared {
            frame: frames::message(publication),
            id: frames::resume_id(publication),
        }))
    }
}

/// A bounded queue: the pushing side, the draining side, and their shared overflow flag.
pub(crate) fn bounded(len: usize) -> (Outbox, Outgoing) {
    let (queue, frames) = mpsc::channel(len.max(1));
    let overflow = Arc::new(Overflow::default());
    (
        Outbox {
            queue,
            overflow: overflow.clone(),
        },
        Outgoing { frames, overflow },
    )
}

/// Set once, when a connection's queue filled up: the client reads too slowly and is
/// dropped (`4008`). Any number of parties may wait for it.
#[derive(Debug, Default)]
pub(crate) struct Overflow {
    raised: AtomicBool,
    notify: Notify,
}

impl Overflow {
    fn raise(&self) {
        if !self.raised.swap(true, Ordering::AcqRel) {
            self.notify.notify_waiters();
        }
    }

    pub(crate) fn is_raised(&self) -> bool {
        self.raised.load(Ordering::Acquire)
    }

    /// Resolves once the queue overflowed. Keep one such future for the connection's
    /// whole life: arming one per frame took a lock per frame on the fan-out's hot path.
    pub(crate) async fn raised(&self) {
        let notified = self.notify.notified();
        tokio::pin!(notified);
        // Registered before the flag is read, so a raise in between is not missed.
        notified.as_mut().enable();
        if !self.is_raised() {
            notified.await;
        }
    }
}

/// The sending side of one connection's bounded queue. Never waits: a full queue marks
/// the connection as too slow.
#[derive(Clone)]
pub(crate) struct Outbox {
    queue: mpsc::Sender<Outbound>,
    overflow: Arc<Overflow>,
}

impl Outbox {
    pub(crate) fn push(&self, frame: Outbound) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send(frame) {
            self.overflow.raise();
        }
    }

    /// Queues a frame of the connection's own making (a history replay, which may be
    /// longer than the queue), waiting for room instead of overflowing.
    pub(crate) async fn push_waiting(&self, frame: Outbound) {
        // Fails only when the transport is gone, and then nobody reads the frame anyway.
        let _ = self.queue.send(frame).await;
    }

    /// How many frames the queue holds at most.
    pub(crate) fn capacity(&self) -> usize {
        self.queue.max_capacity()
    }

    /// Marks the connection as too slow (a backlog outgrew the queue elsewhere).
    pub(crate) fn overflow(&self) {
        self.overflow.raise();
    }

    pub(crate) fn overflowed(&self) -> Arc<Overflow> {
        self.overflow.clone()
    }
}

/// The draining side: the queued frames in order, ending when every [`Outbox`] is gone
/// (a transport stops at a `Close`). A transport takes what is [`ready`](Self::ready)
/// before it flushes, so the frames of one wakeup leave in one write.
pub(crate) struct Outgoing {
    frames: mpsc::Receiver<Outbound>,
    overflow: Arc<Overflow>,
}

impl Outgoing {
    pub(crate) fn overflowed(&self) -> Arc<Overflow> {
        self.overflow.clone()
    }

    /// The next frame if one is queued already, without waiting.
    pub(crate) fn ready(&mut self) -> Option<Outbound> {
        self.frames.try_recv().ok()
    }
}

impl Stream for Outgoing {
    type Item = Outbound;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Outbound>> {
        self.get_mut().frames.poll_recv(cx)
    }
}
