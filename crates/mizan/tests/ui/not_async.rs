use mizan::prelude::*;

#[mizan::function]
fn plain(input: u32) -> Result<u32, FunctionError> {
    Ok(input)
}

fn main() {}
