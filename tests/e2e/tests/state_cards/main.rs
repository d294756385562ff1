//! The state card on top of the main page (issue 15), for every state the simulators produce:
//! release, release with the hub offline, desertion, hygiene opening running and late, a box
//! opened by hand, offline, jammed, quota used up, no box; and the history people can scan.
//! Each asserts text, roles and attributes. Webhooks reach the server as Chaster sends them;
//! time is never waited for: a late hygiene opening is one Chaster started 16 minutes ago.
//!
//! One test binary in three parts: how a lock's end and the box's openings show (`ending`), what
//! the card says of the box itself (`box_health`), and the history (`history`).

mod box_health;
mod ending;
mod history;
mod support;
