//! Generates the client from `SPEC_DIR` (default: this repository's `spec/`)
//! into `OUT_DIR/agentgateway.rs`, which `src/lib.rs` includes.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // A user's crate would keep its specs next to it, e.g. `manifest_dir.join("spec")`.
    let spec = manifest_dir.join("../../spec");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        eprintln!("OUT_DIR is not set: run this through cargo");
        return ExitCode::FAILURE;
    };
    println!("cargo::rerun-if-changed={}", spec.display());
    match ccgen::pipeline::generate_single_file(&spec, &PathBuf::from(out_dir).join("agentgateway.rs")) {
        Ok(_) => ExitCode::SUCCESS,
        Err(diagnostics) => {
            // Cargo shows a failed build script's stderr: every spec problem, located.
            eprint!("{}", diagnostics.render());
            ExitCode::FAILURE
        }
    }
}
