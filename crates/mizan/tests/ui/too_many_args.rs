use mizan::prelude::*;

#[mizan::function]
async fn three(_ctx: Ctx, a: u32, b: u32) -> Result<u32, FunctionError> {
    Ok(a + b)
}

fn main() {}
