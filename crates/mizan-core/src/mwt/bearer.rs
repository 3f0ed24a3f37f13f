//! Reading a token out of an `Authorization` header (`spec/PROTOCOL.md` §2.1).

/// The token of an `Authorization: Bearer <token>` header value, or `None` when the value
/// is not of that form (the request then fails as `unauthenticated`, reason `malformed`).
///
/// The grammar is RFC 7235's `credentials = auth-scheme 1*SP token68`: the scheme is
/// matched case-insensitively (`bearer`, `BEARER`), one or more spaces separate it from
/// the token, and the token is one word. Surrounding spaces and tabs are not part of a
/// field value (RFC 7230 §3.2). The edge reads the header with the same rules; the cases
/// are in `spec/vectors/auth_headers.json`.
///
/// ```
/// use mizan_core::bearer_token;
///
/// assert_eq!(bearer_token("Bearer mwt1.abc.def"), Some("mwt1.abc.def"));
/// assert_eq!(bearer_token("BEARER  mwt1.abc.def "), Some("mwt1.abc.def"));
/// assert_eq!(bearer_token("Basic dXNlcjpwdw=="), None);
/// assert_eq!(bearer_token("Bearer a b"), None);
/// ```
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let value = authorization.trim_matches([' ', '\t']);
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    let one_word = !token.is_empty() && !token.contains([' ', '\t']);
    (scheme.eq_ignore_ascii_case("bearer") && one_word).then_some(token)
}
