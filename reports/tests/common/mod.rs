pub mod fixture;
pub mod large;
pub mod schema;
