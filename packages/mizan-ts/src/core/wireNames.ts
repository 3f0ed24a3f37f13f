/**
 * Names this package and the server must agree on, declared once here as the Rust core
 * declares them once there; `spec/vectors/codes.json` pins both (`constants`).
 */

/** Header a cookie-authenticated mutation carries, unless configured otherwise. */
export const DEFAULT_CSRF_HEADER = "x-mizan-csrf";

/** Cookie that carries the token, unless configured otherwise. */
export const DEFAULT_TOKEN_COOKIE = "mizan_token";

/** The built-in function that issues a token for credentials. */
export const TOKEN_FUNCTION = "mizan.token";

/** The built-in function that issues a fresh token for the caller. */
export const REFRESH_FUNCTION = "mizan.refresh";
/** Signs out: clears the token cookie of a cookie sign-in server. */
export const LOGOUT_FUNCTION = "mizan.logout";

/** The system channel on which every purge announces the new revisions. */
export const REVISIONS_CHANNEL = "mizan_revisions";
