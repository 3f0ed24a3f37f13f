//! Function, composition, context and extension names.

/// Checks a function or composition name: `snake_case` segments (`[a-z][a-z0-9_]*`, no
/// leading, trailing or doubled underscore), optionally joined by dots (`posts.get`).
///
/// Returns why the name is invalid, phrased as a fix.
pub fn check_function_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty; use snake_case such as `get_post` or `posts.get`".into());
    }
    for segment in name.split('.') {
        check_segment(segment).map_err(|why| {
            format!("`{name}` is not a valid name: {why}; use snake_case segments joined by dots, such as `posts.get_by_id`")
        })?;
    }
    Ok(())
}

/// Checks a single snake_case identifier (a context group, an extension, a channel).
pub fn check_identifier(name: &str) -> Result<(), String> {
    check_segment(name).map_err(|why| {
        format!("`{name}` is not a valid identifier: {why}; use snake_case such as `chat_room`")
    })
}

fn check_segment(segment: &str) -> Result<(), &'static str> {
    let bytes = segment.as_bytes();
    match bytes.first() {
        None => return Err("it has an empty segment"),
        Some(b'a'..=b'z') => {}
        Some(_) => return Err("each segment must start with a lowercase ASCII letter"),
    }
    if !bytes
        .iter()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
    {
        return Err("only lowercase ASCII letters, digits and `_` are allowed");
    }
    if segment.ends_with('_') || segment.contains("__") {
        return Err("underscores may not trail or repeat");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_snake_case_and_dotted_names() {
        for ok in ["get_post", "posts.get", "a", "v2.items.list_all", "x1"] {
            assert_eq!(check_function_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_everything_else_with_a_fix() {
        for bad in [
            "", "GetPost", "get-post", "_x", "x_", "a__b", "posts.", ".posts", "1a", "a..b", "é",
        ] {
            let err = check_function_name(bad).unwrap_err();
            assert!(err.contains("snake_case"), "{bad}: {err}");
        }
        assert!(check_identifier("posts.get").is_err());
        assert!(check_identifier("chat_room").is_ok());
    }
}
