//! Simulator of the CANDY HOUSE Sesame APIs (legacy v3 and Web API).
