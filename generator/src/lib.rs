//! `ccgen`: turns declarative CC-Gateway interface specs into a typed Rust client and reference docs.
//!
//! The pipeline runs in stages that can be called and timed on their own:
//! [`load`] → [`check`] → emit → write.

pub mod diag;
pub mod load;
pub mod ident;
pub mod ir;
pub mod changelog;
pub mod check;
pub mod emit;
pub mod pipeline;
pub mod write;
pub mod diff;
pub mod import;
