//! Writing: the `new_post` form, editing a post, commenting. Each declares the tags it
//! invalidates, so every open browser refetches what changed (over `mizan_revisions`).

use std::sync::LazyLock;

use mizan::forms::{FORM_META_KEY, FORM_ROLE_META_KEY, FormRole, form_functions};
use mizan::prelude::*;
use regex::Regex;
use validator::Validate;

use crate::boards::{POST_COLUMNS, Post, no_post, post_of, readable_board};
use crate::db::{Db, now};
use crate::middleware::audit;
use crate::users::{EDIT_ANY, WRITE_POSTS};

/// A title starts with a letter or digit and holds only letters, digits, spaces and
/// `- , . ! ? ' :`.
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{N}][\p{L}\p{N} \-,.!?':]*$").unwrap());

/// A new post. Its rules travel in the schema, so the browser checks them first.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schemars(title = "New post")]
pub struct NewPost {
    /// The board to post on.
    #[schemars(title = "Board")]
    pub board_id: i64,
    /// Between 4 and 80 characters; starts with a letter or digit.
    #[schemars(title = "Title")]
    #[validate(length(min = 4, max = 80), regex(path = *TITLE))]
    pub title: String,
    /// What you have to say.
    #[schemars(title = "Text")]
    #[validate(length(min = 10, max = 4000))]
    pub body: String,
    /// Keep it as a draft only you see.
    #[schemars(title = "Save as draft")]
    #[serde(default)]
    pub draft: bool,
}

/// A change to a post (its author's, or anyone's with `posts.edit_any`).
#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EditPost {
    /// The post.
    pub post_id: i64,
    /// The new title.
    #[validate(length(min = 4, max = 80), regex(path = *TITLE))]
    pub title: String,
    /// The new text.
    #[validate(length(min = 10, max = 4000))]
    pub body: String,
    /// Whether it stays (or becomes) a draft.
    pub draft: bool,
}

/// A comment.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// The post.
    pub post_id: i64,
    /// The text.
    #[validate(length(min = 1, max = 1000))]
    pub body: String,
}

/// What only the server can tell about a post.
#[derive(Debug, Serialize, JsonSchema, mizan::TypedError)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PostError {
    /// Another post on the board has this title.
    #[mizan(status = 409)]
    TitleTaken {
        /// The field the error belongs to, for the form.
        field: String,
        /// The title asked for.
        title: String,
    },
    /// The post is someone else's.
    #[mizan(status = 403)]
    NotYours {
        /// The post.
        post_id: i64,
    },
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TitleTaken { title, .. } => {
                write!(f, "a post on this board is already titled \"{title}\"")
            }
            Self::NotYours { .. } => f.write_str("only its author can change this post"),
        }
    }
}

// So that `?` turns it into a `mizan::Error<PostError>`, beside database errors.
impl std::error::Error for PostError {}

impl PostError {
    fn title_taken(title: &str) -> Self {
        Self::TitleTaken {
            field: "title".into(),
            title: title.to_owned(),
        }
    }
}

/// Whether another post on `board_id` is titled `title`.
async fn title_taken(db: &Db, board_id: i64, title: &str, except: i64) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM posts WHERE board_id = $1 AND title = $2 AND id <> $3")
        .bind(board_id)
        .bind(title.to_owned())
        .bind(except)
        .fetch_one(db.pool())
        .await?;
    Ok(sqlx::Row::try_get::<i64, _>(&row, "n")? > 0)
}

async fn post_by_id<E: std::error::Error + 'static>(db: &Db, id: i64) -> Result<Post, mizan::Error<E>> {
    let row = sqlx::query(&format!("{POST_COLUMNS} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| no_post(id))?;
    Ok(post_of(&row)?)
}

/// Writes a new post; only ever called with valid input.
pub async fn submit_new_post(ctx: Ctx, input: NewPost) -> Result<Post, mizan::Error<PostError>> {
    let author = ctx.require_identity()?.user_id.clone();
    let board = readable_board::<PostError>(&ctx, input.board_id).await?;
    let db = ctx.state::<Db>()?;
    let title = input.title.trim();
    if title_taken(db, board.id, title, 0).await? {
        return Err(PostError::title_taken(title).into());
    }
    let at = now();
    let row = sqlx::query(
        "INSERT INTO posts (board_id, author, title, body, draft, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(board.id)
    .bind(author)
    .bind(title.to_owned())
    .bind(input.body)
    .bind(i64::from(input.draft))
    .bind(at)
    .fetch_one(db.pool())
    .await
    // Two writers racing for one title: the unique index decides.
    .map_err(
        |err| match err.as_database_error().map(|e| e.is_unique_violation()) {
            Some(true) => mizan::Error::typed(PostError::title_taken(title)),
            _ => err.into(),
        },
    )?;
    let id = sqlx::Row::try_get::<i64, _>(&row, "id")?;
    post_by_id(db, id).await
}

/// The `new_post` form's two functions. `form_functions` builds `new_post.validate`; the
/// submit function is built the same way by hand because a form's submit cannot declare
/// what it invalidates yet.
pub fn new_post_form() -> [ServerFunction; 2] {
    const FORM: &str = "new_post";
    let access = Access::permissions([WRITE_POSTS]);
    let [validate, _] = form_functions(FORM, access.clone(), submit_new_post).expect("NewPost is a struct");
    let submit = ServerFunction::mutation(FormRole::Submit.function_name(FORM))
        .description("Checks and submits a `new_post` form.")
        .meta(FORM_META_KEY, FORM)
        .meta(FORM_ROLE_META_KEY, FormRole::Submit.as_str())
        .access(access)
        .invalidates(["posts"])
        .middleware(audit())
        .validated_handler(submit_new_post);
    [validate, submit]
}

/// Changes a post: its author may, and anyone with `posts.edit_any`.
pub fn edit_post() -> ServerFunction {
    ServerFunction::mutation("edit_post")
        .description("Changes a post's title, text or draft state.")
        .permissions([WRITE_POSTS])
        .invalidates(["posts"])
        .middleware(audit())
        .validated_handler(|ctx: Ctx, input: EditPost| async move {
            let identity = ctx.require_identity()?;
            let db = ctx.state::<Db>()?;
            let post = post_by_id::<PostError>(db, input.post_id).await?;
            if post.author != identity.user_id && !identity.has_all(&[EDIT_ANY]) {
                return Err(PostError::NotYours { post_id: post.id }.into());
            }
            let title = input.title.trim();
            if title_taken(db, post.board_id, title, post.id).await? {
                return Err(PostError::title_taken(title).into());
            }
            sqlx::query("UPDATE posts SET title = $1, body = $2, draft = $3, updated_at = $4 WHERE id = $5")
                .bind(title.to_owned())
                .bind(input.body)
                .bind(i64::from(input.draft))
                .bind(now())
                .bind(post.id)
                .execute(db.pool())
                .await?;
            post_by_id::<PostError>(db, post.id).await
        })
}

/// Comments on a published post.
#[mizan::function(mutation, permissions = ["posts.write"], invalidates = ["comments"], middleware = [audit])]
pub async fn add_comment(ctx: Ctx, input: NewComment) -> Result<i64, mizan::Error> {
    mizan::forms::check_rules(&input)?;
    let author = ctx.require_identity()?.user_id.clone();
    let db = ctx.state::<Db>()?;
    let post = post_by_id::<std::convert::Infallible>(db, input.post_id).await?;
    // Drafts have no readers to comment.
    if post.draft {
        return Err(no_post(post.id).into());
    }
    readable_board::<std::convert::Infallible>(&ctx, post.board_id).await?;
    let row = sqlx::query(
        "INSERT INTO comments (post_id, author, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(post.id)
    .bind(author)
    .bind(input.body)
    .bind(now())
    .fetch_one(db.pool())
    .await?;
    Ok(sqlx::Row::try_get::<i64, _>(&row, "id")?)
}
