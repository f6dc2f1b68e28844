//! Integration tests: one binary so the heavy dependency graph links once.

mod execute;
mod generated_shape;
mod support;
mod tls;
