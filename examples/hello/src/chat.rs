//! A chat channel: clients subscribe to a room and send lines; every line is published to
//! everyone in the room.

use mizan::channels::{Bidirectional, Channel, ChannelKey, Publisher};
use mizan::prelude::*;

/// Which room.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Room {
    /// The room number.
    pub room: u32,
}

/// One line said in a room.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Line {
    /// Who said it (`anonymous` without a token).
    pub user: String,
    /// What was said.
    pub text: String,
}

/// A handle to publish on `chat` from any server code.
pub const CHAT: ChannelKey<Room, Line> = ChannelKey::new("chat");

/// The `chat` channel: bidirectional, parameters `{room}`; clients send a string.
pub fn chat() -> Channel<Room, Line, Bidirectional<Room, String>> {
    Channel::new("chat")
        .description("Lines said in one chat room.")
        .params::<Room>()
        .message::<Line>()
        .client_message(|ctx: Ctx, room: Room, text: String| async move {
            if text.trim().is_empty() || text.len() > 500 {
                return Err(FunctionError::validation(vec![FieldError::new(
                    "",
                    "length",
                    "say between 1 and 500 characters",
                )]));
            }
            let user = ctx.identity().map_or("anonymous".into(), |i| i.user_id.clone());
            ctx.state::<Publisher>()?
                .publish(&CHAT, &room, &Line { user, text })
                .await
                .map_err(|err| FunctionError::from_code(mizan::ErrorCode::Unavailable, err.to_string()))
        })
}
