use mizan::prelude::*;

#[derive(Debug, Serialize, JsonSchema, mizan::TypedError)]
enum E {
    #[mizan(status = 200)]
    NotAnError,
}

impl std::fmt::Display for E {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("e")
    }
}

fn main() {}
