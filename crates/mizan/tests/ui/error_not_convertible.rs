use mizan::prelude::*;

#[mizan::function]
async fn wrong_error(input: u32) -> Result<u32, std::io::Error> {
    Ok(input)
}

fn main() {
    let _ = wrong_error();
}
