use mizan::prelude::*;

#[mizan::function(cache(scope = "everyone"))]
async fn bad_scope(input: u32) -> Result<u32, FunctionError> {
    Ok(input)
}

#[mizan::function(cache(scope = "public", ttl = "10 minutes"))]
async fn bad_ttl(input: u32) -> Result<u32, FunctionError> {
    Ok(input)
}

#[mizan::function(cached)]
async fn unknown(input: u32) -> Result<u32, FunctionError> {
    Ok(input)
}

fn main() {}
