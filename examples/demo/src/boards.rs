//! What the board shows: boards, posts, comments, drafts, and who is signed in. Every query
//! is cached, each with the narrowest scope its answer allows:
//!
//! | function             | access          | cache scope | why                                     |
//! | -------------------- | --------------- | ----------- | --------------------------------------- |
//! | `list_public_boards` | anyone          | public      | the same for everyone                   |
//! | `member_boards`      | `boards.members`| permission  | the same for everyone allowed           |
//! | `board_posts`        | anyone          | permission  | members-only boards refuse the others   |
//! | `post_detail`        | anyone          | permission  | as `board_posts`                        |
//! | `my_drafts`, `me`    | signed in       | user        | each caller's own                       |

use mizan::prelude::*;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::Db;
use crate::middleware::Viewer;
use crate::users::READ_MEMBERS;

/// A board and how many published posts it has.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Board {
    /// Its id.
    pub id: i64,
    /// Its short name, for URLs.
    pub slug: String,
    /// Its title.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Whether only `boards.members` may read it.
    pub members_only: bool,
    /// Published posts.
    pub posts: i64,
}

/// A post.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Post {
    /// Its id.
    pub id: i64,
    /// The board it is on.
    pub board_id: i64,
    /// Who wrote it.
    pub author: String,
    /// Its title, unique on its board.
    pub title: String,
    /// Its text.
    pub body: String,
    /// A draft is seen by its author only.
    pub draft: bool,
    /// When it was written (Unix seconds).
    pub created_at: i64,
    /// When it was last changed (Unix seconds).
    pub updated_at: i64,
    /// How many comments it has.
    pub comments: i64,
}

/// A comment on a post.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Comment {
    /// Its id.
    pub id: i64,
    /// Who wrote it.
    pub author: String,
    /// Its text.
    pub body: String,
    /// When it was written (Unix seconds).
    pub created_at: i64,
}

/// A board with its published posts, newest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardPage {
    /// The board.
    pub board: Board,
    /// Its posts.
    pub posts: Vec<Post>,
}

/// A post with its comments, oldest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PostPage {
    /// The post.
    pub post: Post,
    /// Its comments.
    pub comments: Vec<Comment>,
}

/// Which board.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardId {
    /// The board's id.
    pub board_id: i64,
}

/// Which post.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostId {
    /// The post's id.
    pub post_id: i64,
}

/// Who is signed in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    /// The user id.
    pub user: String,
    /// The name to show.
    pub display_name: String,
    /// What the user may do, sorted.
    pub permissions: Vec<String>,
}

const BOARD_COLUMNS: &str = "SELECT b.id, b.slug, b.name, b.description, b.members_only, \
     (SELECT COUNT(*) FROM posts p WHERE p.board_id = b.id AND p.draft = 0) AS posts FROM boards b";

pub(crate) const POST_COLUMNS: &str = "SELECT p.id, p.board_id, p.author, p.title, p.body, p.draft, \
     p.created_at, p.updated_at, (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id) AS comments \
     FROM posts p";

fn board_of(row: &AnyRow) -> Result<Board, sqlx::Error> {
    Ok(Board {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        members_only: row.try_get::<i64, _>("members_only")? != 0,
        posts: row.try_get("posts")?,
    })
}

pub(crate) fn post_of(row: &AnyRow) -> Result<Post, sqlx::Error> {
    Ok(Post {
        id: row.try_get("id")?,
        board_id: row.try_get("board_id")?,
        author: row.try_get("author")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        draft: row.try_get::<i64, _>("draft")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        comments: row.try_get("comments")?,
    })
}

async fn boards_where(db: &Db, members_only: bool) -> Result<Vec<Board>, mizan::Error> {
    let rows = sqlx::query(&format!(
        "{BOARD_COLUMNS} WHERE b.members_only = $1 ORDER BY b.id"
    ))
    .bind(i64::from(members_only))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(board_of).collect::<Result<_, _>>()?)
}

/// `not_found` for the post `id`: also what a post the caller may not read answers.
pub(crate) fn no_post(id: i64) -> FunctionError {
    FunctionError::from_code(mizan::ErrorCode::NotFound, format!("no post has the id {id}"))
}

/// The board `id`, if the caller may read it: members-only boards answer `not_found` to
/// everyone without `boards.members`, so their existence does not leak either. Generic
/// over the typed error so that handlers with and without one share it.
pub(crate) async fn readable_board<E>(ctx: &Ctx, id: i64) -> Result<Board, mizan::Error<E>>
where
    E: std::error::Error + 'static,
{
    let row = sqlx::query(&format!("{BOARD_COLUMNS} WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(ctx.state::<Db>()?.pool())
        .await?;
    let board = row.as_ref().map(board_of).transpose()?;
    let allowed = |b: &Board| !b.members_only || ctx.identity().is_some_and(|i| i.has_all(&[READ_MEMBERS]));
    Ok(board.filter(allowed).ok_or_else(|| {
        FunctionError::from_code(mizan::ErrorCode::NotFound, format!("no board has the id {id}"))
    })?)
}

/// The boards everyone may read.
#[mizan::function(context = "boards", cache(scope = "public", ttl = "60s", tags = ["boards", "posts"]))]
pub async fn list_public_boards(ctx: Ctx) -> Result<Vec<Board>, mizan::Error> {
    boards_where(ctx.state::<Db>()?, false).await
}

/// The members-only boards.
#[mizan::function(
    context = "boards",
    permissions = ["boards.members"],
    cache(scope = "permission", ttl = "60s", tags = ["boards", "posts"])
)]
pub async fn member_boards(ctx: Ctx) -> Result<Vec<Board>, mizan::Error> {
    boards_where(ctx.state::<Db>()?, true).await
}

/// A board and its published posts, newest first.
#[mizan::function(cache(scope = "permission", ttl = "30s", tags = ["posts", "comments"]))]
pub async fn board_posts(ctx: Ctx, input: BoardId) -> Result<BoardPage, mizan::Error> {
    let board = readable_board(&ctx, input.board_id).await?;
    let rows = sqlx::query(&format!(
        "{POST_COLUMNS} WHERE p.board_id = $1 AND p.draft = 0 ORDER BY p.created_at DESC, p.id DESC"
    ))
    .bind(board.id)
    .fetch_all(ctx.state::<Db>()?.pool())
    .await?;
    let posts = rows.iter().map(post_of).collect::<Result<_, _>>()?;
    Ok(BoardPage { board, posts })
}

/// A published post and its comments.
#[mizan::function(cache(scope = "permission", ttl = "30s", tags = ["posts", "comments"]))]
pub async fn post_detail(ctx: Ctx, input: PostId) -> Result<PostPage, mizan::Error> {
    let db = ctx.state::<Db>()?;
    let row = sqlx::query(&format!("{POST_COLUMNS} WHERE p.id = $1 AND p.draft = 0"))
        .bind(input.post_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| no_post(input.post_id))?;
    let post = post_of(&row)?;
    if readable_board::<std::convert::Infallible>(&ctx, post.board_id)
        .await
        .is_err()
    {
        return Err(no_post(post.id).into());
    }
    let rows = sqlx::query(
        "SELECT id, author, body, created_at FROM comments WHERE post_id = $1 ORDER BY created_at, id",
    )
    .bind(post.id)
    .fetch_all(db.pool())
    .await?;
    let comments = rows
        .iter()
        .map(|row| {
            Ok(Comment {
                id: row.try_get("id")?,
                author: row.try_get("author")?,
                body: row.try_get("body")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(PostPage { post, comments })
}

/// The caller's unpublished posts, newest first.
#[mizan::function(context = "account", authenticated, cache(scope = "user", ttl = "60s", tags = ["posts"]))]
pub async fn my_drafts(ctx: Ctx) -> Result<Vec<Post>, mizan::Error> {
    let author = ctx.require_identity()?.user_id.clone();
    let rows = sqlx::query(&format!(
        "{POST_COLUMNS} WHERE p.author = $1 AND p.draft = 1 ORDER BY p.updated_at DESC, p.id DESC"
    ))
    .bind(author)
    .fetch_all(ctx.state::<Db>()?.pool())
    .await?;
    Ok(rows.iter().map(post_of).collect::<Result<_, _>>()?)
}

/// Who is signed in: the user record the `load_viewer` middleware read for this call.
#[mizan::function(context = "account", authenticated, cache(scope = "user", ttl = "300s"))]
pub async fn me(ctx: Ctx) -> Result<Me, FunctionError> {
    let identity = ctx.require_identity()?;
    let viewer = Viewer::of(&ctx)?;
    Ok(Me {
        user: viewer.name.clone(),
        display_name: viewer.display_name.clone(),
        permissions: identity.permissions.iter().cloned().collect(),
    })
}
