//! Integration tests: one binary so the heavy dependency graph links once.

mod answers;
mod events;
mod execute;
mod generated_shape;
mod options;
mod support;
mod tls;
