//! Loopback HTTP simulators of the Chaster Extensions API and of both CANDY HOUSE Sesame APIs.
//! The product reaches them only through base URLs, exactly as it reaches the real services.

pub mod chaster;
pub mod sesame;
