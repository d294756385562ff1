//! Simulator of the Chaster Extensions API.
