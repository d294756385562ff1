//! AEAD encryption of device secrets at rest.
