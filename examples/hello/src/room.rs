//! A room channel that keeps a history and lists who is there: a client that was away
//! recovers the lines it missed, and everyone sees who joins and leaves.

use std::time::Duration;

use mizan::channels::{Bidirectional, Channel, ChannelKey, History, Presence, Publisher};
use mizan::prelude::*;

use crate::chat::{Line, Room};

/// A handle to publish on `room` from any server code.
pub const ROOM: ChannelKey<Room, Line> = ChannelKey::new("room");

/// The `room` channel: bidirectional, parameters `{room}`, signed-in callers only; keeps
/// the last 100 lines of each room for 10 minutes and lists the members by user id.
pub fn room() -> Channel<Room, Line, Bidirectional<Room, String>> {
    Channel::new("room")
        .description("Lines said in a room that remembers them and shows who is there.")
        .params::<Room>()
        .message::<Line>()
        .authenticated()
        .history(History::new(100, Duration::from_secs(600)))
        .presence(Presence::new())
        .client_message(|ctx: Ctx, room: Room, text: String| async move {
            let user = ctx.require_identity()?.user_id.clone();
            ctx.state::<Publisher>()?
                .publish(&ROOM, &room, &Line { user, text })
                .await
                .map_err(|err| FunctionError::from_code(mizan::ErrorCode::Unavailable, err.to_string()))
        })
}
