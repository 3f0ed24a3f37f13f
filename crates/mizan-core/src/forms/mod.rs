//! Forms: a Rust type whose rules the server enforces and the client knows.
//!
//! [`register_form`] turns a form type `T` (serde + schemars + `validator`) and a submit
//! handler into two ordinary [`ServerFunction`]s, so forms need no registry extension:
//!
//! - `<form>.validate` decodes and checks the input and does nothing else: `null` when the
//!   input is valid, `validation_failed` (422) with field errors when not. It is a
//!   mutation, so it is never cached and always sent with POST (form contents stay out of
//!   URLs, logs and shared caches).
//! - `<form>.submit` decodes and checks the input again (a client's check is never
//!   trusted), then runs the handler, which receives only valid input.
//!
//! Both carry `meta.form = "<form>"` and `meta.form_role = "validate" | "submit"`;
//! [`get_forms`] finds forms by that metadata and describes their fields
//! ([`FieldDef`]) from the input schema, which is also what the schema document lists under
//! `forms` (`spec/SCHEMA.md`, "Forms"). The field-error codes are in `spec/PROTOCOL.md` §4.
//!
//! The form type derives `validator::Validate`, whose derive refers to the `validator`
//! crate by name: an application adds `validator = { version = "0.21", features =
//! ["derive"] }` to its own dependencies. Use only rules that carry into the schema (and
//! so to the client): `length`, `range` (inclusive `min`/`max`), `email`, `url`,
//! `regex(path = ..)`, `contains`, `required`, and `nested` for nested objects and lists
//! of objects ([`FieldErrorCode`](crate::FieldErrorCode), `spec/PROTOCOL.md` §4.2).

mod fields;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

pub use fields::{CONSTRAINT_KEYWORDS, FieldDef};

use crate::error::FunctionError;
use crate::function::{Access, HandlerFn, RequestContext, ServerFunction};
use crate::registry::Registry;

/// The `meta` key naming the form a function belongs to.
pub const FORM_META_KEY: &str = "form";
/// The `meta` key saying which part of its form a function is (`validate` or `submit`).
pub const FORM_ROLE_META_KEY: &str = "form_role";

/// Which part of a form a function is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormRole {
    /// `<form>.validate`: checks only.
    Validate,
    /// `<form>.submit`: checks, then runs the handler.
    Submit,
}

impl FormRole {
    /// The wire name, also the function name's suffix.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Validate => "validate",
            Self::Submit => "submit",
        }
    }

    /// The function name of this part of `form` (`contact.validate`).
    pub fn function_name(self, form: &str) -> String {
        format!("{form}.{}", self.as_str())
    }
}

/// Why a form could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// The form type's schema is not an object with named fields (a form needs a struct).
    #[error("form `{form}`: its input type must be a struct with named fields, so it has fields to show")]
    NotAnObject {
        /// The form's name.
        form: String,
    },
}

/// A registered form as [`get_forms`] describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Form {
    /// The form's name.
    #[serde(skip)]
    pub name: String,
    /// The name of its validate function, if registered.
    pub validate: Option<String>,
    /// The name of its submit function, if registered.
    pub submit: Option<String>,
    /// The form's title: the type's name, or `#[schemars(title = ..)]` on the type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The form's description (the type's doc comment), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The top-level fields, in declaration order.
    pub fields: Vec<FieldDef>,
}

/// Registers the form `name` for the type `T`: `<name>.validate` and `<name>.submit`
/// (see the [module docs](self)), callable by anyone; [`form_functions`] builds them with
/// an access rule.
///
/// ```
/// use mizan_core::forms::{get_forms, register_form};
/// use mizan_core::{Ctx, FunctionError, Registry};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
/// use validator::Validate;
///
/// /// A newsletter signup.
/// #[derive(Deserialize, JsonSchema, Validate)]
/// #[serde(deny_unknown_fields)]
/// struct Signup {
///     /// Where the newsletter goes.
///     #[schemars(title = "Email")]
///     #[validate(email)]
///     email: String,
/// }
///
/// async fn subscribe(_: Ctx, signup: Signup) -> Result<String, FunctionError> {
///     Ok(format!("subscribed {}", signup.email))
/// }
///
/// let mut registry = Registry::new();
/// register_form(&mut registry, "signup", subscribe).unwrap();
/// registry.validate_registry().unwrap();
///
/// let form = &get_forms(&registry)["signup"];
/// assert_eq!(form.submit.as_deref(), Some("signup.submit"));
/// assert_eq!(form.fields[0].name, "email");
/// assert_eq!(form.fields[0].label.as_deref(), Some("Email"));
/// assert_eq!(form.fields[0].help.as_deref(), Some("Where the newsletter goes."));
/// assert_eq!(form.fields[0].constraints["format"], "email");
/// ```
pub fn register_form<'r, H, A>(
    registry: &'r mut Registry,
    name: &str,
    submit: H,
) -> Result<&'r mut Registry, FormError>
where
    H: HandlerFn<A, Input: validator::Validate>,
    A: 'static,
{
    let [validate, submit] = form_functions(name, Access::Public, submit)?;
    Ok(registry.register(validate).register(submit))
}

/// The two functions [`register_form`] registers, callable only as `access` allows (both
/// of them: who may not submit may not probe the rules either). Register them with
/// [`Registry::register`].
///
/// ```
/// use mizan_core::forms::form_functions;
/// use mizan_core::{Access, Ctx, FunctionError, Registry};
/// # #[derive(serde::Deserialize, schemars::JsonSchema, validator::Validate)]
/// # struct Profile { #[validate(length(max = 200))] bio: String }
///
/// async fn save(_: Ctx, profile: Profile) -> Result<(), FunctionError> {
///     Ok(())
/// }
///
/// let [validate, submit] = form_functions("profile", Access::Authenticated, save).unwrap();
/// assert_eq!(submit.access(), &Access::Authenticated);
/// let mut registry = Registry::new();
/// registry.register(validate).register(submit);
/// ```
pub fn form_functions<H, A>(name: &str, access: Access, submit: H) -> Result<[ServerFunction; 2], FormError>
where
    H: HandlerFn<A, Input: validator::Validate>,
    A: 'static,
{
    let part = |role: FormRole| {
        ServerFunction::mutation(role.function_name(name))
            .meta(FORM_META_KEY, name)
            .meta(FORM_ROLE_META_KEY, role.as_str())
            .access(access.clone())
    };
    let validate = part(FormRole::Validate)
        .description(format!("Checks a `{name}` form without submitting it."))
        .validated_handler(|_: RequestContext, _: H::Input| async { Ok::<(), FunctionError>(()) });
    if validate.input_schema().get("properties").is_none() {
        return Err(FormError::NotAnObject {
            form: name.to_owned(),
        });
    }
    let submit = part(FormRole::Submit)
        .description(format!("Checks and submits a `{name}` form."))
        .validated_handler(submit);
    Ok([validate, submit])
}

/// Every form in `registry`, by name, found through the functions' `meta.form` and
/// `meta.form_role` (a function with `meta.form` but no role is not part of a form).
pub fn get_forms(registry: &Registry) -> BTreeMap<String, Form> {
    let mut forms: BTreeMap<String, Form> = BTreeMap::new();
    for f in registry.get_all_functions() {
        let Some(name) = f.meta().get(FORM_META_KEY).and_then(Value::as_str) else {
            continue;
        };
        let role = f.meta().get(FORM_ROLE_META_KEY).and_then(Value::as_str);
        if !matches!(role, Some("validate" | "submit")) {
            continue;
        }
        let form = forms.entry(name.to_owned()).or_insert_with(|| Form {
            name: name.to_owned(),
            validate: None,
            submit: None,
            title: None,
            description: None,
            fields: Vec::new(),
        });
        match role {
            Some("validate") => form.validate = Some(f.name().to_owned()),
            Some("submit") => form.submit = Some(f.name().to_owned()),
            _ => continue,
        }
        // The submit function's input is the form's; validate's serves until it is seen.
        if role == Some("submit") || form.fields.is_empty() {
            let schema = f.input_schema();
            form.fields = fields::fields_of(schema);
            form.title = schema.get("title").and_then(Value::as_str).map(str::to_owned);
            form.description = schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
    }
    forms
}

/// The schema document's `forms` section.
pub(crate) fn forms_section(registry: &Registry) -> Value {
    get_forms(registry)
        .into_iter()
        .map(|(name, form)| (name, serde_json::to_value(form).unwrap_or(Value::Null)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}
