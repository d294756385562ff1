//! Integration tests of the Sesame layer and the store, against the Sesame simulator (and
//! wiremock for answers the simulator does not produce).

use test_support::sesame as helpers;
mod service;
mod store;
mod truth;
mod v3;
mod webapi;
mod wire_limits;
mod wire_v3;
mod wire_web;
