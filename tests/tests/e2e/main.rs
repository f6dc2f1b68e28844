//! End-to-end tests of the generated `agentgateway` client against a mock
//! gateway on loopback.

mod agent_desktop;
mod constraints;
mod desktop_interfaces;
mod interfaces;
mod more_interfaces;
mod session;
mod support;
mod validation;
mod wire;
