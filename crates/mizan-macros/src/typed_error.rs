//! Expansion of `#[derive(mizan::TypedError)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Data, DeriveInput, Fields, LitInt, Result};

pub(crate) fn expand(input: &DeriveInput) -> Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "a typed error cannot be generic",
        ));
    }
    let default_status = status_of(&input.attrs)?.unwrap_or(400);
    let arms = match &input.data {
        Data::Enum(data) => data
            .variants
            .iter()
            .map(|variant| {
                let ident = &variant.ident;
                let code = snake_case(&ident.to_string());
                let status = status_of(&variant.attrs)?.unwrap_or(default_status);
                let pattern = match variant.fields {
                    Fields::Named(_) => quote!(#name::#ident { .. }),
                    Fields::Unnamed(_) => quote!(#name::#ident(..)),
                    Fields::Unit => quote!(#name::#ident),
                };
                Ok(quote!(#pattern => (#code, #status)))
            })
            .collect::<Result<Vec<_>>>()?,
        Data::Struct(_) => {
            let code = snake_case(&name.to_string());
            vec![quote!(_ => (#code, #default_status))]
        }
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                name,
                "a typed error must be an enum or a struct",
            ));
        }
    };
    Ok(quote! {
        impl ::mizan::IntoFunctionError for #name {
            fn into_function_error(self) -> ::mizan::FunctionError {
                let (code, status): (&'static str, u16) = match &self { #(#arms,)* };
                let message = ::std::string::ToString::to_string(&self);
                let error = ::mizan::FunctionError::new(code, status, message);
                match ::mizan::__private::serde_json::to_value(&self) {
                    ::std::result::Result::Ok(details) => error.with_details(details),
                    ::std::result::Result::Err(_) => error,
                }
            }

            fn error_schema(
                generator: &mut ::mizan::__private::schemars::SchemaGenerator,
            ) -> ::std::option::Option<::mizan::__private::schemars::Schema> {
                ::std::option::Option::Some(generator.root_schema_for::<Self>())
            }
        }
    })
}

/// `#[mizan(status = 404)]`, if present.
fn status_of(attrs: &[Attribute]) -> Result<Option<u16>> {
    let mut status = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("mizan")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("status") {
                let lit: LitInt = meta.value()?.parse()?;
                let value: u16 = lit.base10_parse()?;
                if !(400..600).contains(&value) {
                    return Err(syn::Error::new(
                        lit.span(),
                        "an error status must be between 400 and 599",
                    ));
                }
                status = Some(value);
                Ok(())
            } else {
                Err(meta.error("expected `status = <400..=599>`"))
            }
        })?;
    }
    Ok(status)
}

/// `TitleTaken` -> `title_taken`.
fn snake_case(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
