//! Parsing of `#[mizan::function(...)]` arguments.

use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprArray, Lit, LitStr, Result};

#[derive(Default)]
pub(crate) struct FunctionArgs {
    pub(crate) mutation: bool,
    pub(crate) name: Option<LitStr>,
    pub(crate) context: Option<LitStr>,
    pub(crate) cache: Option<CacheArgs>,
    pub(crate) authenticated: bool,
    pub(crate) permissions: Option<Vec<LitStr>>,
    pub(crate) invalidates: Vec<LitStr>,
    pub(crate) meta: Vec<(String, Lit)>,
    /// Expressions giving an `Arc<dyn Middleware>`, in order.
    pub(crate) middleware: Vec<Expr>,
}

pub(crate) struct CacheArgs {
    pub(crate) scope: LitStr,
    pub(crate) ttl_millis: Option<u64>,
    pub(crate) tags: Vec<LitStr>,
}

impl FunctionArgs {
    pub(crate) fn parse(&mut self, meta: &ParseNestedMeta<'_>) -> Result<()> {
        let path = &meta.path;
        if path.is_ident("query") {
            self.mutation = false;
        } else if path.is_ident("mutation") {
            self.mutation = true;
        } else if path.is_ident("authenticated") {
            self.authenticated = true;
        } else if path.is_ident("name") {
            self.name = Some(meta.value()?.parse()?);
        } else if path.is_ident("context") {
            self.context = Some(meta.value()?.parse()?);
        } else if path.is_ident("permissions") {
            self.permissions = Some(string_list(&meta.value()?.parse()?)?);
        } else if path.is_ident("invalidates") {
            self.invalidates = string_list(&meta.value()?.parse()?)?;
        } else if path.is_ident("middleware") {
            self.middleware = middleware_list(meta.value()?.parse()?)?;
        } else if path.is_ident("cache") {
            self.cache = Some(parse_cache(meta)?);
        } else if path.is_ident("meta") {
            meta.parse_nested_meta(|entry| {
                let key = entry
                    .path
                    .get_ident()
                    .ok_or_else(|| entry.error("expected `key = literal`"))?
                    .to_string();
                self.meta.push((key, entry.value()?.parse()?));
                Ok(())
            })?;
        } else {
            return Err(meta.error(
                "unknown argument; expected one of `query`, `mutation`, `name`, `context`, `cache(...)`, \
                 `authenticated`, `permissions`, `invalidates`, `middleware`, `meta(...)`",
            ));
        }
        Ok(())
    }
}

fn parse_cache(meta: &ParseNestedMeta<'_>) -> Result<CacheArgs> {
    let mut scope = None;
    let mut ttl_millis = None;
    let mut tags = Vec::new();
    meta.parse_nested_meta(|entry| {
        if entry.path.is_ident("scope") {
            let lit: LitStr = entry.value()?.parse()?;
            if !matches!(lit.value().as_str(), "none" | "public" | "permission" | "user") {
                return Err(syn::Error::new(
                    lit.span(),
                    "cache scope must be \"none\", \"public\", \"permission\" or \"user\"",
                ));
            }
            scope = Some(lit);
        } else if entry.path.is_ident("ttl") {
            let lit: LitStr = entry.value()?.parse()?;
            ttl_millis =
                Some(parse_duration_millis(&lit.value()).map_err(|why| syn::Error::new(lit.span(), why))?);
        } else if entry.path.is_ident("tags") {
            tags = string_list(&entry.value()?.parse()?)?;
        } else {
            return Err(entry.error("unknown cache argument; expected `scope`, `ttl` or `tags`"));
        }
        Ok(())
    })?;
    let scope = scope
        .ok_or_else(|| meta.error("`cache(...)` needs `scope = \"public\" | \"permission\" | \"user\"`"))?;
    Ok(CacheArgs {
        scope,
        ttl_millis,
        tags,
    })
}

/// `[audit, rate_limit(10)]`: a bare path names a function returning the middleware and is
/// called; any other expression is the middleware itself.
fn middleware_list(expr: Expr) -> Result<Vec<Expr>> {
    let Expr::Array(ExprArray { elems, .. }) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            "expected a list of middleware: [audit, rate_limit(10)]",
        ));
    };
    Ok(elems
        .into_iter()
        .map(|elem| match elem {
            Expr::Path(path) => syn::parse_quote!(#path()),
            other => other,
        })
        .collect())
}

fn string_list(expr: &Expr) -> Result<Vec<LitStr>> {
    let Expr::Array(ExprArray { elems, .. }) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            "expected a list of strings: [\"a\", \"b\"]",
        ));
    };
    elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Ok(s.clone()),
            other => Err(syn::Error::new_spanned(other, "expected a string literal")),
        })
        .collect()
}

/// `"500ms"`, `"60s"`, `"5m"`, `"1h"`, `"7d"` or plain seconds (`"30"`).
fn parse_duration_millis(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let amount: u64 = digits
        .parse()
        .map_err(|_| format!("invalid ttl `{text}`: expected a number with a unit, like \"60s\""))?;
    let factor = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => return Err(format!("invalid ttl unit `{other}`: use ms, s, m, h or d")),
    };
    amount
        .checked_mul(factor)
        .ok_or_else(|| format!("ttl `{text}` is too large"))
}
