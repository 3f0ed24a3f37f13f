//! Procedural macros for Mizan. Use them through the `mizan` crate: `#[mizan::function]`.

mod args;
mod function;
mod typed_error;

use proc_macro::TokenStream;

/// Turns an `async fn` into a constructor of a `mizan::ServerFunction`.
///
/// The function keeps its name; calling it returns the `ServerFunction` to register.
/// It may take `(ctx, input)`, just `(input)`, just `(ctx: Ctx)`, or nothing; without an
/// input its input is `()` (`null` on the wire).
///
/// ```text
/// /// One post by id.
/// #[mizan::function(context = "blog", cache(scope = "public", ttl = "60s", tags = ["posts"]))]
/// async fn get_post(ctx: Ctx, input: PostId) -> Result<Post, AppError> { /* ... */ }
///
/// registry.register(get_post());
/// ```
///
/// Arguments (all optional):
/// - `query` (default) or `mutation`
/// - `name = "posts.get"`: the registered name (default: the Rust name)
/// - `context = "blog"`: the context group
/// - `cache(scope = "public" | "permission" | "user", ttl = "60s", tags = ["posts"])`;
///   `ttl` takes `ms`, `s`, `m`, `h` or `d` suffixes
/// - `authenticated`, or `permissions = ["posts.write"]`
/// - `invalidates = ["posts"]` (mutations)
/// - `middleware = [audit, rate_limit(10)]`: middleware around this function only, in
///   order, after the global one; a bare path is a function returning the
///   `Arc<dyn Middleware>` (it is called), anything else an expression giving one
/// - `meta(key = "value", ...)` with literal values
///
/// Doc comments become the description. The expansion is exactly the builder calls
/// (`ServerFunction::query(..).context(..)...handler(..)`), so both produce the same schema.
#[proc_macro_attribute]
pub fn function(attr: TokenStream, item: TokenStream) -> TokenStream {
    function::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes an error type a typed Mizan error: each variant gets a stable machine code (its
/// name in `snake_case`) and a status (`#[mizan(status = 404)]` on the variant or the type;
/// default 400); the message is the type's `Display`; the serialized value travels as
/// `error.details`; and the type's JSON Schema appears as the function's `error` in the
/// schema, so generated clients get a typed union.
///
/// The type must implement `Display`, `serde::Serialize` and `schemars::JsonSchema`. A
/// handler returns it directly (`Result<Post, PostError>`), or as `mizan::Error<PostError>`
/// to also fail with a `FunctionError` or, through `?`, any library's error; that needs the
/// type to implement `std::error::Error` as well (here by `thiserror`).
///
/// ```text
/// #[derive(Debug, Serialize, JsonSchema, thiserror::Error, mizan::TypedError)]
/// #[serde(tag = "kind", rename_all = "snake_case")]
/// enum PostError {
///     #[error("no post has the id {id}")]
///     #[mizan(status = 404)]
///     NotFound { id: u64 },
///     #[error("the title is taken")]
///     #[mizan(status = 409)]
///     TitleTaken,
/// }
/// ```
#[proc_macro_derive(TypedError, attributes(mizan))]
pub fn typed_error(item: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(item as syn::DeriveInput);
    typed_error::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
