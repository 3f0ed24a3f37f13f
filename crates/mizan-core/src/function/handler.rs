//! Handlers: the async code behind a function, erased to JSON in and raw JSON out.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::context::RequestContext;
use crate::error::{ErrorCode, FunctionError, IntoFunctionError};

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a handler resolves to: the serialized output or an error.
pub type HandlerResult = Result<Box<RawValue>, FunctionError>;

/// The type-erased handler the executor calls. Implemented for you by
/// [`FunctionBuilder::handler`](super::FunctionBuilder::handler); implement it yourself only
/// for handlers that work on raw JSON.
pub trait Handler: Send + Sync + 'static {
    /// Runs the handler on an already-parsed input.
    fn call(&self, ctx: RequestContext, input: Value) -> BoxFuture<HandlerResult>;

    /// Runs the handler on JSON text that passed the adapter's size and depth limits.
    ///
    /// The default parses a [`Value`] and calls [`call`](Self::call); typed handlers decode
    /// straight into their input type, skipping the intermediate value. A syntax error is
    /// `invalid_json`; a shape error is `validation_failed`, as with `call`.
    fn call_json(&self, ctx: RequestContext, json: &[u8]) -> BoxFuture<HandlerResult> {
        match parse_json_input(json) {
            Ok(value) => self.call(ctx, value),
            Err(err) => Box::pin(std::future::ready(Err(err))),
        }
    }
}

/// Parses input JSON text into a value; empty text is `null` (a call without input).
pub(crate) fn parse_json_input(json: &[u8]) -> Result<Value, FunctionError> {
    if json.trim_ascii().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(json).map_err(|err| invalid_json(&err))
}

fn invalid_json(err: &serde_json::Error) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::InvalidJson,
        format!("the input is not valid JSON: {err}"),
    )
}

/// What a typed handler checks once the input decoded: nothing, or the input's
/// `#[validate(...)]` rules ([`check_rules`](crate::check_rules)).
pub(crate) type Check<I> = fn(&I) -> Result<(), FunctionError>;

/// The check of handlers without rules.
pub(crate) fn no_check<I>(_: &I) -> Result<(), FunctionError> {
    Ok(())
}

/// Adapts `async fn(Ctx, I) -> Result<O, E>` to [`Handler`].
pub(crate) struct TypedHandler<F, I, O, E> {
    f: F,
    check: Check<I>,
    _types: PhantomData<fn(I) -> (O, E)>,
}

impl<F, I, O, E> TypedHandler<F, I, O, E> {
    pub(crate) fn new(f: F, check: Check<I>) -> Self {
        Self {
            f,
            check,
            _types: PhantomData,
        }
    }
}

impl<F, Fut, I, O, E> TypedHandler<F, I, O, E>
where
    F: Fn(RequestContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    I: DeserializeOwned + 'static,
    O: Serialize + 'static,
    E: IntoFunctionError,
{
    fn run(&self, ctx: RequestContext, input: Result<I, FunctionError>) -> BoxFuture<HandlerResult> {
        let input = match input.and_then(|input| (self.check)(&input).map(|()| input)) {
            Ok(input) => input,
            Err(err) => return Box::pin(std::future::ready(Err(err))),
        };
        let fut = (self.f)(ctx, input);
        Box::pin(async move {
            let output = fut.await.map_err(IntoFunctionError::into_function_error)?;
            encode_output(&output)
        })
    }
}

impl<F, Fut, I, O, E> Handler for TypedHandler<F, I, O, E>
where
    F: Fn(RequestContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    I: DeserializeOwned + 'static,
    O: Serialize + 'static,
    E: IntoFunctionError,
{
    fn call(&self, ctx: RequestContext, input: Value) -> BoxFuture<HandlerResult> {
        self.run(ctx, decode_input(input))
    }

    fn call_json(&self, ctx: RequestContext, json: &[u8]) -> BoxFuture<HandlerResult> {
        self.run(ctx, decode_json(json))
    }
}

/// Serializes a handler's output once, straight to the bytes that are sent and cached.
pub fn encode_output<O: Serialize + ?Sized>(output: &O) -> HandlerResult {
    serde_json::value::to_raw_value(output).map_err(|err| {
        tracing::error!(%err, "function output could not be serialized");
        FunctionError::internal()
    })
}

/// Decodes an input value into `I`, turning serde's complaints into field errors with the
/// path of the offending field.
pub fn decode_input<I: DeserializeOwned>(input: Value) -> Result<I, FunctionError> {
    crate::value_de::decode(input)
}

/// Decodes JSON text straight into `I` (the fast path of valid input). On any failure it
/// decodes again through a [`Value`], so errors are exactly those of [`decode_input`]
/// whichever way the input came (serde_json reports some shape problems, such as a number
/// where an enum is expected, as syntax errors when reading text); text that is not JSON at
/// all is `invalid_json`.
fn decode_json<I: DeserializeOwned>(json: &[u8]) -> Result<I, FunctionError> {
    let json = json.trim_ascii();
    if json.is_empty() {
        return decode_input(Value::Null);
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    match I::deserialize(&mut de).and_then(|input| de.end().map(|()| input)) {
        Ok(input) => Ok(input),
        Err(_) => decode_input(parse_json_input(json)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldError;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        qty: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Order {
        title: String,
        items: Vec<Item>,
    }

    fn field_error(input: Value) -> FieldError {
        let err = decode_input::<Order>(input).unwrap_err();
        assert_eq!(err.code(), "validation_failed");
        err.fields()[0].clone()
    }

    #[test]
    fn wrong_type_points_at_the_field() {
        let e = field_error(json!({"title": "t", "items": [{"qty": 1}, {"qty": "x"}]}));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("items.1.qty", "type"));
    }

    #[test]
    fn missing_and_unknown_fields_name_the_child() {
        let e = field_error(json!({"items": []}));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("title", "required"));
        let e = field_error(json!({"title": "t", "items": [{"qty": 1, "extra": 2}]}));
        assert_eq!(
            (e.path.as_str(), e.code.as_str()),
            ("items.0.extra", "unknown_field")
        );
    }

    #[test]
    fn an_integer_outside_its_type_is_a_range_error() {
        let e = field_error(json!({"title": "t", "items": [{"qty": -1}]}));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("items.0.qty", "range"));
    }

    #[test]
    fn text_input_gives_the_same_field_errors_and_flags_bad_json() {
        let from_text = |text: &str| decode_json::<Order>(text.as_bytes()).unwrap_err();
        let e = from_text(r#"{"title": "t", "items": [{"qty": 1}, {"qty": "x"}]}"#);
        let field = &e.fields()[0];
        assert_eq!(
            (field.path.as_str(), field.code.as_str()),
            ("items.1.qty", "type")
        );
        assert!(!field.message.contains(" at line "), "{}", field.message);
        // serde_json calls a number where an enum belongs a syntax error when reading text;
        // it is still a field error here, as it is from a value.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Topic {
            Sales,
        }
        let e = decode_json::<Topic>(b"5").unwrap_err();
        assert_eq!(
            (e.code(), e.fields()[0].code.as_str()),
            ("validation_failed", "type")
        );
        let e = from_text(r#"{"items": []}"#);
        assert_eq!(
            (e.fields()[0].path.as_str(), e.fields()[0].code.as_str()),
            ("title", "required")
        );
        for bad in [r#"{"title": "#, r#"{"title": "t", "items": []} trailing"#, "nul"] {
            assert_eq!(from_text(bad).code(), "invalid_json", "{bad}");
        }
        assert_eq!(decode_json::<Option<u8>>(b"  ").unwrap(), None);
    }

    #[test]
    fn a_non_object_is_a_whole_input_error() {
        let e = field_error(json!(3));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("", "type"));
    }
}
