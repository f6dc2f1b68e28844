//! The AgentGateway client, generated at build time from the specs by
//! `build.rs` (see the repository README, "Generating the client in your own
//! build").
//!
//! The generated items sit at this crate's root, exactly as in the
//! checked-in `agentgateway` crate: `Client`, `Session`, one module per
//! resource, `Error`, `Event`.
#![deny(missing_docs)]
// Spec text may mention addresses; it is documentation, not links.
#![allow(rustdoc::bare_urls)]

include!(concat!(env!("OUT_DIR"), "/agentgateway.rs"));
