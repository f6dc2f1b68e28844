//! The `ccgen` command line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ccgen::cli::{EXIT_CODES_HELP, EXIT_INVALID_SPECS, EXIT_NOT_WRITTEN, EXIT_STALE, Verbosity};
use clap::{Args, Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generates the typed `agentgateway` client and its docs from CC-Gateway interface specs.
#[derive(Parser)]
#[command(name = "ccgen", version, about, after_help = EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check the specs; print every problem, or a one-line summary.
    #[command(after_help = EXIT_CODES_HELP)]
    Validate {
        /// Spec directory [default: spec/ at the repository root, found from the current folder].
        #[arg(long)]
        spec: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Regenerate the client crate and docs from the specs.
    #[command(after_help = EXIT_CODES_HELP)]
    Generate {
        /// Spec directory [default: spec/ at the repository root, found from the current folder].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Output directory, the generated crate's root [default: generated/ at the repository root].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 with a diff if the output is stale (3 if the specs are invalid).
        #[arg(long)]
        check: bool,
        /// Print how long each stage took (load, check, emit, write) to stderr, with the CPU time the whole
        /// process used meanwhile; docs and the comparison with the last record run beside the Rust, the
        /// surface, lock file and changelog beside the write.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Draft interface specs from plain-text vendor pages, or compare a page with a spec.
    Import(ccgen::import::cli::ImportArgs),
    /// Compare two spec trees and classify every change for users of the generated crate.
    Diff(ccgen::diff::cli::DiffArgs),
    /// Write the API in another format.
    #[command(subcommand)]
    Export(Export),
    /// Benchmark fixture: turn the endpoint catalogue into a spec tree, `--copies` times over.
    #[command(hide = true)]
    Fixture {
        /// The endpoint catalogue (one `METHOD /path` line per operation).
        #[arg(long)]
        catalogue: PathBuf,
        /// Spec tree whose api.yaml, errors.yaml and events.yaml the fixture shares
        /// [default: spec/ at the repository root].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// How many times over to write the catalogue.
        #[arg(long, default_value_t = 1)]
        copies: usize,
        /// Folder to write the spec tree into.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum Export {
    /// The API as an OpenAPI document (JSON): paths, parameters with their
    /// constraints, bodies, the response envelope; error codes, events and
    /// rules as `x-` extensions.
    #[command(after_help = EXIT_CODES_HELP)]
    Openapi {
        /// Spec directory [default: spec/ at the repository root, found from the current folder].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// File to write [default: standard output].
        #[arg(long)]
        out: Option<PathBuf>,
        /// OpenAPI version: 3.1, or 3.0 for tools that read only 3.0.
        #[arg(long = "openapi-version", default_value = "3.1", value_parser = ["3.0", "3.1"])]
        version: String,
    },
}

#[derive(Args)]
struct OutputArgs {
    /// Print nothing on success; failures still say why.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print the paths used and every file written or removed.
    #[arg(short, long)]
    verbose: bool,
}

impl OutputArgs {
    fn verbosity(&self) -> Verbosity {
        Verbosity::from_flags(self.quiet, self.verbose)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match cli.command {
        Command::Import(args) => ccgen::import::cli::run(args),
        Command::Diff(args) => ccgen::diff::cli::run(&args),
        Command::Export(Export::Openapi { spec, out, version }) => {
            let spec = ccgen::cli::resolve(spec, "spec", &cwd);
            let version = if version == "3.0" { ccgen::export::Version::V3_0 } else { ccgen::export::Version::V3_1 };
            export_openapi(&spec, out.as_deref(), version)
        }
        Command::Fixture { catalogue, spec, copies, out } => {
            let spec = ccgen::cli::resolve(spec, "spec", &cwd);
            fixture(&catalogue, &spec, copies, &out)
        }
        Command::Validate { spec, output } => {
            let spec = ccgen::cli::resolve(spec, "spec", &cwd);
            validate(&spec, output.verbosity())
        }
        Command::Generate { spec, out, check, timings, output } => {
            let spec = ccgen::cli::resolve(spec, "spec", &cwd);
            let out = ccgen::cli::resolve(out, "generated", &cwd);
            generate(&spec, &out, check, timings, output.verbosity())
        }
    }
}

fn validate(spec: &Path, verbosity: Verbosity) -> ExitCode {
    if verbosity == Verbosity::Verbose {
        eprintln!("spec: {}", spec.display());
    }
    match ccgen::pipeline::validate(spec) {
        Ok(api) => {
            if verbosity == Verbosity::Verbose {
                for it in &api.interfaces {
                    println!("{}: {} {}", it.source, it.method.as_str(), it.path);
                }
            }
            if verbosity != Verbosity::Quiet {
                println!("{}", ccgen::pipeline::summary(&api));
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => failed(&diagnostics, EXIT_INVALID_SPECS),
    }
}

fn generate(spec: &Path, out: &Path, check: bool, timings: bool, verbosity: Verbosity) -> ExitCode {
    if verbosity == Verbosity::Verbose {
        eprintln!("spec: {}\nout: {}", spec.display(), out.display());
    }
    // Validated apart from writing, so that the exit code tells invalid
    // specs from an output that could not be written.
    let mut stages = ccgen::pipeline::Timings::default();
    let proven = if check { None } else { ccgen::pipeline::up_to_date(spec, out) };
    let outcome = match proven {
        Some(outcome) => outcome,
        None => {
            let (api, inputs) = match ccgen::pipeline::validate_recorded(spec, &mut stages) {
                Ok(loaded) => loaded,
                Err(diagnostics) => return failed(&diagnostics, EXIT_INVALID_SPECS),
            };
            let outcome = match ccgen::pipeline::generate_recorded(&api, inputs, out, check) {
                Ok(outcome) => outcome,
                Err(diagnostics) => return failed(&diagnostics, EXIT_NOT_WRITTEN),
            };
            // The process ends next, and the system takes its memory back
            // at once; freeing the IR node by node first is time for nothing.
            std::mem::forget(api);
            outcome
        }
    };
    if timings {
        stages.0.extend(outcome.timings.0.iter().copied());
        // One write: standard error is not buffered.
        let text = stages.to_string();
        eprint!("{text}");
    }
    match verbosity {
        Verbosity::Quiet if outcome.is_stale() => eprintln!("{}", outcome.headline()),
        Verbosity::Quiet => {}
        Verbosity::Normal => {
            // A removed file is named even without --verbose: it may hold
            // what a reader relied on (a page, a guide). `--check` shows
            // removals in its diff.
            if !outcome.check {
                for line in outcome.removal_lines() {
                    println!("{line}");
                }
            }
            print!("{outcome}");
        }
        Verbosity::Verbose => {
            for line in outcome.file_lines() {
                println!("{line}");
            }
            print!("{outcome}");
        }
    }
    if outcome.is_stale() { ExitCode::from(EXIT_STALE) } else { ExitCode::SUCCESS }
}

fn export_openapi(spec: &Path, out: Option<&Path>, version: ccgen::export::Version) -> ExitCode {
    let api = match ccgen::pipeline::validate(spec) {
        Ok(api) => api,
        Err(diagnostics) => return failed(&diagnostics, EXIT_INVALID_SPECS),
    };
    let text = ccgen::export::openapi(&api, version);
    let written = match out {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes()).map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_NOT_WRITTEN)
        }
    }
}

fn fixture(catalogue: &Path, spec: &Path, copies: usize, out: &Path) -> ExitCode {
    let written = std::fs::read_to_string(catalogue)
        .map_err(|e| format!("{}: {e}", catalogue.display()))
        .and_then(|text| ccgen::fixture::write_tree(&text, spec, copies, out).map_err(|e| e.to_string()));
    match written {
        Ok(n) => {
            println!("wrote {n} interfaces to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_NOT_WRITTEN)
        }
    }
}

/// Prints every problem to stderr, coloured only where that helps a reader.
fn failed(diagnostics: &ccgen::diag::Diagnostics, code: u8) -> ExitCode {
    let colour = ccgen::cli::use_colour(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR").as_deref());
    eprint!("{}", diagnostics.render_styled(colour));
    ExitCode::from(code)
}
