//! The `ccgen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Generates the typed `agentgateway` client and its docs from CC-Gateway interface specs.
#[derive(Parser)]
#[command(name = "ccgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check the specs; print every problem, or a one-line summary.
    Validate {
        /// Spec directory.
        #[arg(long, default_value = "spec")]
        spec: PathBuf,
    },
    /// Regenerate the client crate and docs from the specs.
    Generate {
        /// Spec directory.
        #[arg(long, default_value = "spec")]
        spec: PathBuf,
        /// Output directory (the generated crate's root).
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Write nothing; fail with a diff if the output is stale.
        #[arg(long)]
        check: bool,
    },
    /// Draft interface specs from plain-text vendor pages, or compare a page with a spec.
    Import(ccgen::import::cli::ImportArgs),
    /// Compare two spec trees and classify every change for users of the generated crate.
    Diff(ccgen::diff::cli::DiffArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Import(args) => ccgen::import::cli::run(args),
        Command::Diff(args) => ccgen::diff::cli::run(&args),
        Command::Validate { spec } => match ccgen::pipeline::validate(&spec) {
            Ok(api) => {
                println!("{}", ccgen::pipeline::summary(&api));
                ExitCode::SUCCESS
            }
            Err(diagnostics) => {
                eprint!("{}", diagnostics.render());
                ExitCode::FAILURE
            }
        },
        Command::Generate { spec, out, check } => match ccgen::pipeline::generate(&spec, &out, check) {
            Ok(outcome) => {
                print!("{outcome}");
                if outcome.is_stale() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
            }
            Err(diagnostics) => {
                eprint!("{}", diagnostics.render());
                ExitCode::FAILURE
            }
        },
    }
}
