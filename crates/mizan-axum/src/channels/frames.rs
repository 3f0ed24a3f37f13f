//! The frames of the channel protocol (`spec/PROTOCOL.md` §3): one JSON object per
//! WebSocket text frame, discriminated by `type`.
//!
//! Client → server:
//!
//! - `{"type":"auth","id":ID,"token":MWT}`: authenticate (or re-authenticate) the
//!   connection; later subscribes and sends run as that identity.
//! - `{"type":"subscribe","id":ID,"channel":NAME,"params":PARAMS}`, optionally with
//!   `"since":{"offset":N,"epoch":E}` on a channel with history: the last position the
//!   client saw, to recover what came after it (§3.7).
//! - `{"type":"unsubscribe","id":ID,"channel":NAME,"params":PARAMS}`
//! - `{"type":"send","id":ID,"channel":NAME,"params":PARAMS,"data":MESSAGE}`: a client
//!   message on a bidirectional channel.
//! - `{"type":"ping","id":ID}`: an application-level ping (browsers cannot send
//!   WebSocket pings).
//! - `{"type":"presence","id":ID,"channel":NAME,"params":PARAMS}`: who is subscribed to a
//!   topic the connection is subscribed to, on a channel with presence (§3.8).
//!
//! `id` (a string or number the client picks, optional) is echoed by the answer; `params`
//! defaults to `null`, `data` to `null`.
//!
//! Server → client:
//!
//! - `{"type":"ack","id":ID}`; for subscribe and unsubscribe also `"channel"` and
//!   `"params"`, the topic's canonical parameters, byte for byte what message frames carry.
//!   A subscribe to a channel with history also carries `"offset"` and `"epoch"`, the
//!   topic's newest position, and, when it had `since`, `"recovered"`: `true` when the
//!   missed messages follow (then live ones, none twice), `false` when they are lost.
//! - `{"type":"error","id":ID,"error":{"code":..,"message":..,"fields":[..]}}`: the
//!   `error` object of the HTTP envelope (§2.3); `id` is `null` when the frame that caused
//!   it had none or could not be read.
//! - `{"type":"message","channel":NAME,"params":PARAMS,"data":MESSAGE}`, with
//!   `"offset":N` on channels with history.
//! - `{"type":"pong","id":ID}`
//! - `{"type":"unsubscribed","channel":NAME,"params":PARAMS,"error":ERROR}`: the server
//!   ended a subscription; `error` says why (`unauthenticated` with reason `expired`: the
//!   connection's token expired and no fresh one came in an `auth` frame; §3.1).
//! - `{"type":"presence","id":ID,"channel":NAME,"params":PARAMS,"members":[MEMBER,..]}`:
//!   the answer to a presence query; `MEMBER` is `{"client":ID,"user":SUB,"claims":{..}}`.
//! - `{"type":"join","channel":NAME,"params":PARAMS,"member":MEMBER}` and
//!   `{"type":"leave",...}`: a member came or went, on a subscribed topic with presence.

use axum::extract::ws::Utf8Bytes;
use mizan_core::FunctionError;
use mizan_core::channels::{Member, PresenceChange, PresenceEvent, Publication, StreamPosition, Topic};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use mizan_core::executor::ErrorBody;

/// A frame from the client.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ClientFrame {
    Auth {
        token: String,
    },
    Subscribe {
        channel: String,
        #[serde(default)]
        params: Value,
        #[serde(default)]
        since: Option<StreamPosition>,
    },
    Unsubscribe {
        channel: String,
        #[serde(default)]
        params: Value,
    },
    Send {
        channel: String,
        #[serde(default)]
        params: Value,
        #[serde(default)]
        data: Value,
    },
    Ping,
    Presence {
        channel: String,
        #[serde(default)]
        params: Value,
    },
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerFrame<'a> {
    Ack {
        id: &'a Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        channel: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        params: Option<&'a RawValue>,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        epoch: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        recovered: Option<bool>,
    },
    Error {
        id: &'a Value,
        error: ErrorBody<'a>,
    },
    Pong {
        id: &'a Value,
    },
    Unsubscribed {
        channel: &'a str,
        params: &'a RawValue,
        error: ErrorBody<'a>,
    },
    Message {
        channel: &'a str,
        params: &'a RawValue,
        data: &'a RawValue,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
    },
    Presence {
        id: &'a Value,
        channel: &'a str,
        params: &'a RawValue,
        members: &'a [Member],
    },
    Join {
        channel: &'a str,
        params: &'a RawValue,
        member: &'a Member,
    },
    Leave {
        channel: &'a str,
        params: &'a RawValue,
        member: &'a Member,
    },
}

fn render(frame: &ServerFrame<'_>) -> Utf8Bytes {
    serde_json::to_string(frame)
        .expect("server frames always serialize")
        .into()
}

fn raw_params(topic: &Topic) -> &RawValue {
    // A topic's parameters are canonical JSON, so they are valid JSON text.
    serde_json::from_str(topic.params()).expect("canonical params are JSON")
}

pub(crate) fn ack(id: &Value, topic: Option<&Topic>) -> Utf8Bytes {
    render(&ServerFrame::Ack {
        id,
        channel: topic.map(Topic::channel),
        params: topic.map(raw_params),
        offset: None,
        epoch: None,
        recovered: None,
    })
}

/// The ack of a subscribe to a channel with history: where the topic's stream stands,
/// and whether what came after `since` follows (when the subscribe asked).
pub(crate) fn ack_with_position(
    id: &Value,
    topic: &Topic,
    position: &StreamPosition,
    recovered: Option<bool>,
) -> Utf8Bytes {
    render(&ServerFrame::Ack {
        id,
        channel: Some(topic.channel()),
        params: Some(raw_params(topic)),
        offset: Some(position.offset),
        epoch: Some(&position.epoch),
        recovered,
    })
}

pub(crate) fn error(id: &Value, error: &FunctionError) -> Utf8Bytes {
    render(&ServerFrame::Error {
        id,
        error: ErrorBody::from(error),
    })
}

pub(crate) fn pong(id: &Value) -> Utf8Bytes {
    render(&ServerFrame::Pong { id })
}

pub(crate) fn message(publication: &Publication) -> Utf8Bytes {
    let topic = &publication.topic;
    render(&ServerFrame::Message {
        channel: topic.channel(),
        params: raw_params(topic),
        data: &publication.data,
        offset: publication.position.as_ref().map(|p| p.offset),
    })
}

pub(crate) fn unsubscribed(topic: &Topic, error: &FunctionError) -> Utf8Bytes {
    render(&ServerFrame::Unsubscribed {
        channel: topic.channel(),
        params: raw_params(topic),
        error: ErrorBody::from(error),
    })
}

/// The answer to a presence query: the topic's members.
pub(crate) fn presence(id: &Value, topic: &Topic, members: &[Member]) -> Utf8Bytes {
    render(&ServerFrame::Presence {
        id,
        channel: topic.channel(),
        params: raw_params(topic),
        members,
    })
}

/// A member joined or left a topic.
pub(crate) fn presence_change(event: &PresenceEvent) -> Utf8Bytes {
    let (channel, params, member) = (event.topic.channel(), raw_params(&event.topic), &event.member);
    render(&match event.change {
        PresenceChange::Join => ServerFrame::Join {
            channel,
            params,
            member,
        },
        PresenceChange::Leave => ServerFrame::Leave {
            channel,
            params,
            member,
        },
    })
}

/// Where a subscriber stands after a publication on a channel with history, for a
/// transport that resumes by itself (SSE's event id, sent back as `Last-Event-ID`):
/// `{"channel":NAME,"params":PARAMS,"offset":N,"epoch":E}`, one line of JSON.
#[derive(Serialize, Deserialize)]
pub(crate) struct ResumePoint<'a> {
    #[serde(borrow)]
    pub(crate) channel: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) params: &'a RawValue,
    pub(crate) offset: u64,
    #[serde(borrow)]
    pub(crate) epoch: std::borrow::Cow<'a, str>,
}

pub(crate) fn resume_id(publication: &Publication) -> Option<Utf8Bytes> {
    let position = publication.position.as_ref()?;
    let topic = &publication.topic;
    let point = ResumePoint {
        channel: topic.channel().into(),
        params: raw_params(topic),
        offset: position.offset,
        epoch: position.epoch.as_str().into(),
    };
    Some(
        serde_json::to_string(&point)
            .expect("resume points always serialize")
            .into(),
    )
}
