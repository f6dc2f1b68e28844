//! `ccgen`: turns declarative CC-Gateway interface specs into a typed Rust client and reference docs.
//!
//! The pipeline runs in stages that can be called and timed on their own:
//! [`load`] → [`check`] → emit → write.

pub mod changelog;
pub mod check;
pub mod cli;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod export;
pub mod fixture;
pub mod ident;
pub mod import;
pub mod incremental;
pub mod ir;
pub mod load;
pub mod pipeline;
pub mod record;
pub mod surface;
pub mod text;
pub mod write;
