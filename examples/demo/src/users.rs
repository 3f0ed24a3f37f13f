//! The seeded users and their permissions. Mizan never stores passwords: `check_login` is
//! the application's own credential check, which the built-in `mizan.token` runs.

use mizan::auth::Principal;
use mizan::prelude::*;

/// Read the members-only boards.
pub const READ_MEMBERS: &str = "boards.members";
/// Write posts and comments.
pub const WRITE_POSTS: &str = "posts.write";
/// Edit anyone's post.
pub const EDIT_ANY: &str = "posts.edit_any";
/// Open the operator page's data.
pub const OPERATE: &str = "mizan.purge";

/// The password of every seeded user.
pub const PASSWORD: &str = "mizan";

/// A seeded user.
#[derive(Debug, Clone, Copy)]
pub struct User {
    /// The user id and sign-in name; the rest of the record (the name shown) is in the
    /// `users` table.
    pub name: &'static str,
    /// What the user may do.
    pub permissions: &'static [&'static str],
}

/// admin may do everything, member reads the team room and writes, guest only reads.
pub const USERS: [User; 3] = [
    User {
        name: "admin",
        permissions: &[READ_MEMBERS, WRITE_POSTS, EDIT_ANY, OPERATE],
    },
    User {
        name: "member",
        permissions: &[READ_MEMBERS, WRITE_POSTS],
    },
    User {
        name: "guest",
        permissions: &[],
    },
];

/// The seeded user named `name`.
pub fn user(name: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.name == name)
}

/// What the sign-in form sends.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// `admin`, `member` or `guest`.
    pub user: String,
    /// `mizan` for every seeded user.
    pub password: String,
}

/// The credential check behind `mizan.token`.
pub async fn check_login(_: Ctx, login: Login) -> Result<Principal, FunctionError> {
    match user(&login.user) {
        Some(user) if login.password == PASSWORD => Ok(Principal {
            user_id: user.name.to_owned(),
            permissions: user.permissions.iter().map(|p| (*p).to_owned()).collect(),
        }),
        _ => Err(FunctionError::from_code(
            mizan::ErrorCode::Unauthenticated,
            "wrong user or password",
        )),
    }
}
