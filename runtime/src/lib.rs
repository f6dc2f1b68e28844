//! Support code for the generated Huawei CC-Gateway AgentGateway client.
//!
//! The generated crate describes each interface as constant data
//! ([`Operation`]) and each parameter's rules as a constant table
//! ([`Constraint`]); everything that acts on that data lives here:
//! validation ([`Constrained`]), the HTTPS transport ([`Transport`]), the
//! request/response cycle ([`execute`]), session state ([`SessionState`]),
//! and errors ([`Error`]).
//!
//! # Cargo features
//!
//! - `rustls` (default): TLS with rustls and its default crypto provider
//!   (aws-lc-rs, which builds C code).
//! - `rustls-ring`: rustls with the *ring* provider instead (lighter to
//!   build); turn default features off to drop aws-lc-rs.
//! - `native-tls`: the platform's TLS library (OpenSSL, Secure Transport,
//!   SChannel).
//! - `secrecy`: `From<secrecy::SecretString>` for [`SecretString`].
//!
//! # Tracing
//!
//! Every request runs in a `tracing` span `agentgateway.request` and every
//! event stream in `agentgateway.events`, with debug events for polls,
//! retries and Guid rotations. Nothing is recorded unless the application
//! installs a subscriber; tokens, cookies, passwords and bodies never are.

#![warn(missing_docs)]

#[cfg(not(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls")))]
compile_error!("agentgateway-runtime needs a TLS backend: enable `rustls` (default), `rustls-ring` or `native-tls`");

mod agent_state;
mod constraint;
mod error;
mod events;
mod execute;
pub mod lenient;
mod one_or_list;
mod operation;
mod protocol;
mod reserved;
mod retry;
mod secret;
mod session;
mod transport;

#[cfg(test)]
mod test_code;

pub use agent_state::{AgentState, AgentStateFeed, AgentStateView, StateEvent};
pub use constraint::{Constrained, Constraint, Rule, RuleValue, check_int, check_str};
pub use error::{Error, RetCode, SERVER_TEXT_CHARS, ValidationError};
pub use events::{DecodeEvent, EventStream, Received, StreamConfig, WaitError};
pub use execute::{execute, execute_as, start_session};
pub use one_or_list::OneOrList;
pub use operation::{AgentIdParam, Call, JsonBody, Method, Operation, wire_text};
pub use protocol::Protocol;
pub use reserved::Reserved;
pub use retry::RetryPolicy;
pub use secret::{Guid, SecretString};
pub use session::{AgentId, SessionState, SignOut};
pub use transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, Transport, TransportBuilder};

/// Re-exported so that a client given to
/// [`TransportBuilder::reqwest_client`] is built with the same version.
pub use reqwest;
/// Re-exported so generated code can derive with
/// `#[serde(crate = "::agentgateway_runtime::serde")]` without its own
/// dependency.
pub use serde;
/// Re-exported for generated code that builds or inspects JSON values.
pub use serde_json;
