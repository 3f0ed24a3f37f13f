//! The WebSocket transport: one text frame per channel frame, WebSocket pings, close
//! codes in the close frame. A reader feeds the connection; a writer drains its queue.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use mizan_core::executor::{Caller, Executor};

use super::close;
use super::connection::{Connection, End, Incoming};
use super::hub::Hub;
use super::queue::{self, Outbound, Outgoing};
use crate::config::Config;

/// How long a closing handshake may take before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Serves one upgraded connection until either side ends it.
pub(crate) async fn serve(
    socket: WebSocket,
    executor: Arc<Executor>,
    hub: Arc<Hub>,
    config: Arc<Config>,
    caller: Caller,
) {
    let limits = config.limits.channels;
    let (sink, stream) = socket.split();
    let (outbox, outgoing) = queue::bounded(limits.queue_len);
    let mut writer = tokio::spawn(write(sink, outgoing, limits.heartbeat_interval));
    let connection = Connection::new(executor, hub, config, caller, outbox);
    let incoming = stream.map(|message| match message {
        Ok(Message::Text(text)) => Incoming::Text(text.as_str().to_owned()),
        Ok(Message::Binary(bytes)) => Incoming::Binary(bytes.len()),
        Ok(Message::Close(_)) => Incoming::End(End::Gone),
        Err(err) => Incoming::End(classify(err)),
        // Pings are answered by the WebSocket layer; any frame counts as alive.
        Ok(Message::Ping(_) | Message::Pong(_)) => Incoming::Alive,
    });
    // `None`: the writer ended first (slow consumer, dead socket) and must not be polled
    // again below.
    let end = tokio::select! {
        end = connection.serve(incoming) => Some(end),
        _ = &mut writer => None,
    };
    if end.is_some() && tokio::time::timeout(CLOSE_GRACE * 2, &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Drains the queue into the socket, pings, and closes on a `Close`, on overflow (`4008`)
/// or when the connection is gone (`1000`).
async fn write(mut sink: SplitSink<WebSocket, Message>, mut outgoing: Outgoing, heartbeat: Duration) {
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    let overflow = outgoing.overflowed();
    let overflowed = overflow.raised();
    tokio::pin!(overflowed);
    loop {
        let first = tokio::select! {
            biased;
            () = &mut overflowed => {
                return close_with(&mut sink, close::SLOW_CONSUMER, "slow consumer: queue full").await;
            }
            _ = pings.tick() => Message::Ping(Default::default()),
            frame = outgoing.next() => message(frame.unwrap_or(Outbound::Close(close::NORMAL, ""))),
        };
        // A client that stops reading blocks the write; the overflow still ends it.
        let written = tokio::select! {
            written = write_batch(&mut sink, &mut outgoing, first) => written,
            () = &mut overflowed => Err(()),
        };
        if written.is_err() {
            return;
        }
    }
}

/// Writes `first` and whatever else is queued by then, and flushes once: the frames of
/// one wakeup (a fan-out burst, a history replay) leave in one write, not one each.
/// `Err` when the connection is done: closed, or the socket failed.
async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    outgoing: &mut Outgoing,
    first: Message,
) -> Result<(), ()> {
    let mut next = Some(first);
    while let Some(frame) = next {
        if let Message::Close(_) = frame {
            // `send` flushes what was fed before the close.
            let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(frame)).await;
            return Err(());
        }
        sink.feed(frame).await.map_err(drop)?;
        next = outgoing.ready().map(message);
    }
    sink.flush().await.map_err(drop)
}

/// The WebSocket message of a queued frame.
fn message(frame: Outbound) -> Message {
    match frame {
        Outbound::Text(text) => Message::Text(text),
        Outbound::Message(shared) => Message::Text(shared.frame.clone()),
        Outbound::Close(code, reason) => Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })),
    }
}

async fn close_with(sink: &mut SplitSink<WebSocket, Message>, code: u16, reason: &'static str) {
    let frame = message(Outbound::Close(code, reason));
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(frame)).await;
}

fn classify(err: axum::Error) -> End {
    match err.into_inner().downcast::<tungstenite::Error>() {
        Ok(err) if matches!(*err, tungstenite::Error::Capacity(_)) => End::TooBig,
        Ok(err)
            if matches!(
                *err,
                tungstenite::Error::Protocol(_) | tungstenite::Error::Utf8(_)
            ) =>
        {
            End::Protocol
        }
        _ => End::Gone,
    }
}
