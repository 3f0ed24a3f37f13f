//! Expansion of `#[mizan::function]`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ItemFn, Lit, Meta, Result, parse2};

use crate::args::FunctionArgs;

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let mut args = FunctionArgs::default();
    let parser = syn::meta::parser(|meta| args.parse(&meta));
    syn::parse::Parser::parse2(parser, attr)?;
    let mut function: ItemFn = parse2(item)?;

    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "a Mizan function must be `async fn`",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "a Mizan function cannot be generic",
        ));
    }
    if let Some(receiver) = sig.receiver() {
        return Err(syn::Error::new_spanned(
            receiver,
            "a Mizan function cannot take `self`",
        ));
    }

    let rust_name = sig.ident.clone();
    let inner = format_ident!("__mizan_{}", rust_name);
    let handler = match sig.inputs.len() {
        2 => quote!(#inner),
        1 if takes_context(&sig.inputs[0]) => quote!(|ctx: ::mizan::Ctx, _: ()| #inner(ctx)),
        1 => quote!(|_: ::mizan::Ctx, input| #inner(input)),
        0 => quote!(|_: ::mizan::Ctx, _: ()| #inner()),
        _ => {
            return Err(syn::Error::new_spanned(
                &sig.inputs,
                "a Mizan function takes `(ctx: Ctx, input: T)`, `(input: T)`, `(ctx: Ctx)` or nothing",
            ));
        }
    };
    let registered = args
        .name
        .as_ref()
        .map(|lit| lit.value())
        .unwrap_or_else(|| rust_name.to_string());
    let docs = doc_text(&function.attrs);
    let vis = function.vis.clone();
    let outer_attrs: Vec<_> = function
        .attrs
        .iter()
        .filter(|attr| {
            attr.path().is_ident("doc") || attr.path().is_ident("allow") || attr.path().is_ident("cfg")
        })
        .cloned()
        .collect();
    function.attrs.retain(|attr| !attr.path().is_ident("doc"));
    function.sig.ident = inner;
    function.vis = syn::Visibility::Inherited;

    let constructor = if args.mutation {
        quote!(mutation)
    } else {
        quote!(query)
    };
    let mut calls = Vec::new();
    if let Some(docs) = docs {
        calls.push(quote!(.description(#docs)));
    }
    if let Some(context) = &args.context {
        calls.push(quote!(.context(#context)));
    }
    if let Some(cache) = &args.cache {
        let scope = match cache.scope.value().as_str() {
            "public" => quote!(public),
            "permission" => quote!(permission),
            "user" => quote!(user),
            _ => quote!(none),
        };
        let mut policy = quote!(::mizan::CachePolicy::#scope());
        if let Some(ms) = cache.ttl_millis {
            policy = quote!(#policy.ttl(::core::time::Duration::from_millis(#ms)));
        }
        if !cache.tags.is_empty() {
            let tags = &cache.tags;
            policy = quote!(#policy.tags([#(#tags),*]));
        }
        calls.push(quote!(.cache(#policy)));
    }
    if args.authenticated {
        calls.push(quote!(.authenticated()));
    }
    if let Some(perms) = &args.permissions {
        calls.push(quote!(.permissions([#(#perms),*])));
    }
    if !args.invalidates.is_empty() {
        let tags = &args.invalidates;
        calls.push(quote!(.invalidates([#(#tags),*])));
    }
    for middleware in &args.middleware {
        calls.push(quote!(.middleware(#middleware)));
    }
    for (key, value) in &args.meta {
        let value = match value {
            Lit::Str(s) => quote!(#s),
            Lit::Int(i) => quote!(#i),
            Lit::Bool(b) => quote!(#b),
            Lit::Float(f) => quote!(#f),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "meta values must be strings, numbers or booleans",
                ));
            }
        };
        calls.push(quote!(.meta(#key, #value)));
    }

    Ok(quote! {
        #(#outer_attrs)*
        #[must_use = "register the returned function: `registry.register(...)`"]
        #vis fn #rust_name() -> ::mizan::ServerFunction {
            #function
            ::mizan::ServerFunction::#constructor(#registered)
                #(#calls)*
                // Naming the two-argument form keeps the compiler's error about a wrong
                // output or error type specific (the builder also takes `Fn(Ctx)`).
                .handler::<_, (::mizan::Ctx, _)>(#handler)
        }
    })
}

/// Joins `///` lines the way rustdoc shows them: one leading space removed per line.
fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Whether the one argument is the context (`Ctx`, `RequestContext`, by any path) rather
/// than an input: such a function takes no input, which the schema says as `null`.
fn takes_context(arg: &syn::FnArg) -> bool {
    let syn::FnArg::Typed(typed) = arg else {
        return false;
    };
    let syn::Type::Path(path) = &*typed.ty else {
        return false;
    };
    path.path.segments.last().is_some_and(|last| {
        last.arguments.is_none() && (last.ident == "Ctx" || last.ident == "RequestContext")
    })
}
