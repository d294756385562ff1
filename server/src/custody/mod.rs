//! Custody of the box: who holds it, who may move it, and what the keyholder's policy for it
//! says. `policy` is the one reader of the lock's policy (the session `config` over the server
//! defaults), used alike by the configuration page, the box view and the jobs.

pub mod policy;
