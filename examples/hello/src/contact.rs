//! The contact form: its rules are checked on the server by `contact.submit` and travel in
//! the schema (`forms.contact`) so the browser checks the same ones before sending.

use mizan::prelude::*;
use validator::Validate;

/// A message to the team.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Contact")]
pub struct Contact {
    /// How we should address you.
    #[schemars(title = "Name")]
    #[validate(length(min = 2, max = 80))]
    pub name: String,
    /// Where the answer goes.
    #[schemars(title = "Email")]
    #[validate(email)]
    pub email: String,
    /// Your age, if you want to say.
    #[schemars(title = "Age")]
    #[validate(range(min = 18, max = 130))]
    pub age: Option<u8>,
    /// What it is about.
    #[schemars(title = "Topic")]
    pub topic: Topic,
    /// The message itself.
    #[schemars(title = "Message")]
    #[validate(length(min = 10, max = 2000))]
    pub message: String,
}

/// What a message is about.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Buying something.
    Sales,
    /// Something does not work.
    Support,
    /// Anything else.
    Other,
}

/// What the sender is told after submitting.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Received {
    /// Who the message is from.
    pub name: String,
    /// Its topic.
    pub topic: Topic,
}

/// Handles a contact message; only ever called with valid input.
pub async fn submit_contact(_ctx: Ctx, contact: Contact) -> Result<Received, FunctionError> {
    tracing::info!(topic = ?contact.topic, from = %contact.email, "contact message received");
    Ok(Received {
        name: contact.name,
        topic: contact.topic,
    })
}

#[cfg(test)]
mod tests {
    use mizan::RequestContext;
    use serde_json::{Value, json};

    /// Runs `contact.submit` in process: the error as the envelope carries it, or the output.
    async fn submit(input: Value) -> Result<Value, Value> {
        let registry = crate::registry();
        let f = registry.get_function("contact.submit").expect("registered");
        match f.call(RequestContext::default(), input).await {
            Ok(raw) => Ok(serde_json::from_str(raw.get()).unwrap()),
            Err(err) => Err(json!({"code": err.code(), "message": err.message(), "fields": err.fields()})),
        }
    }

    /// The example of `spec/PROTOCOL.md` §4.2, byte for byte.
    #[tokio::test]
    async fn the_protocol_example_holds() {
        let input =
            json!({"name": "A", "email": "nope", "age": 17, "topic": "sales", "message": "Hello there"});
        let expected = json!({"code": "validation_failed", "message": "3 fields are invalid",
          "fields": [
            {"path": "age", "code": "range", "message": "value must be between 18 and 130"},
            {"path": "email", "code": "email", "message": "must be an email address"},
            {"path": "name", "code": "length", "message": "length must be between 2 and 80"}]});
        assert_eq!(submit(input).await, Err(expected));
        let spec = include_str!("../../../spec/PROTOCOL.md");
        assert!(
            spec.contains(
                r#"{"path": "age", "code": "range", "message": "value must be between 18 and 130"}"#
            )
        );
    }

    #[tokio::test]
    async fn a_valid_message_is_received() {
        let input =
            json!({"name": "Ada", "email": "ada@example.com", "topic": "support", "message": "Hello there"});
        assert_eq!(
            submit(input).await,
            Ok(json!({"name": "Ada", "topic": "support"}))
        );
    }

    #[test]
    fn the_form_is_in_the_schema() {
        let schema = crate::registry().get_schema();
        let form = &schema["forms"]["contact"];
        assert_eq!(form["submit"], "contact.submit");
        let names: Vec<&str> = form["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["name", "email", "age", "topic", "message"]);
        assert_eq!(form["fields"][3]["choices"], json!(["sales", "support", "other"]));
    }
}
