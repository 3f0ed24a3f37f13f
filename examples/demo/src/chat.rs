//! A chat per board: signed-in readers of a board subscribe to it and send lines; every
//! line is published to everyone on the board. Members-only boards refuse the others.
//! Each board keeps its last lines, so a reader whose connection dropped recovers what
//! was said meanwhile, and lists who is reading.

use std::time::Duration;

use mizan::channels::{Bidirectional, Channel, ChannelKey, History, Presence, Publisher};
use mizan::prelude::*;

use crate::boards::readable_board;
use crate::db::now;

/// Which board's chat.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardChat {
    /// The board's id.
    pub board_id: i64,
}

/// One line said in a board's chat.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChatLine {
    /// Who said it.
    pub user: String,
    /// What was said.
    pub text: String,
    /// When (Unix seconds).
    pub at: i64,
}

/// A handle to publish on `board_chat` from any server code.
pub const BOARD_CHAT: ChannelKey<BoardChat, ChatLine> = ChannelKey::new("board_chat");

/// The `board_chat` channel: bidirectional, parameters `{board_id}`; clients send a string.
/// Keeps the last 100 lines of each board for an hour, and who is there.
pub fn board_chat() -> Channel<BoardChat, ChatLine, Bidirectional<BoardChat, String>> {
    Channel::new("board_chat")
        .description("Lines said in one board's chat.")
        .params::<BoardChat>()
        .message::<ChatLine>()
        .history(History::new(100, Duration::from_secs(3600)))
        .presence(Presence::new())
        .client_message(|ctx: Ctx, chat: BoardChat, text: String| async move {
            let text = text.trim().to_owned();
            if text.is_empty() || text.chars().count() > 500 {
                return Err(FunctionError::validation(vec![FieldError::new(
                    "",
                    "length",
                    "say between 1 and 500 characters",
                )]));
            }
            let user = ctx.require_identity()?.user_id.clone();
            ctx.state::<Publisher>()?
                .publish(
                    &BOARD_CHAT,
                    &chat,
                    &ChatLine {
                        user,
                        text,
                        at: now(),
                    },
                )
                .await
                .map_err(|err| FunctionError::from_code(mizan::ErrorCode::Unavailable, err.to_string()))
        })
        .authenticated()
        .authorize(|ctx: Ctx, chat: BoardChat| async move {
            readable_board::<std::convert::Infallible>(&ctx, chat.board_id)
                .await
                .map(drop)
        })
}
