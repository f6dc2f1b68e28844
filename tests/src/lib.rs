//! Support code for the end-to-end tests of the generated `agentgateway` client.
//!
//! [`fake`] holds a fake CC-Gateway server ([`FakeGateway`]) that the tests, and the
//! `fake-gateway` binary, run on loopback.

pub mod behaviour;
#[cfg(doctest)]
pub mod book;
pub mod fake;
pub mod judge;
pub mod tls;

pub use fake::{Config, FakeGateway, Fault, RecordedRequest};
