//! `ccgen diff` on the command line: reads both trees, prints the report, picks the exit status.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{FailOn, Report, load_tree, read_git_dir, render_json, render_markdown, render_text};
use crate::diag::Diagnostics;
use crate::ir::Api;

/// Output format of `ccgen diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text for a terminal.
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
    /// JSON for tools.
    Json,
}

/// Arguments of `ccgen diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Old spec directory (leave out when using --from).
    #[arg(required_unless_present = "from", conflicts_with = "from", requires = "new")]
    pub old: Option<PathBuf>,
    /// New spec directory.
    #[arg(conflicts_with = "from")]
    pub new: Option<PathBuf>,
    /// Read the old tree from this git revision of the repository's spec folder.
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,
    /// Read the new tree from this git revision (default: the spec folder in the working tree).
    #[arg(long, value_name = "REV", requires = "from")]
    pub to: Option<String>,
    /// Repository root, for --from and --to.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Spec folder relative to the repository root, for --from and --to.
    #[arg(long, default_value = "spec")]
    pub spec: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Version of the generated crate the bump is measured from (default: the version the
    /// nearest `Cargo.toml` at or above --repo declares).
    #[arg(long, value_name = "VERSION")]
    pub crate_version: Option<semver::Version>,
    /// Exit with status 1 when a change of this class or a more severe one is found
    /// (breaking > review > compatible > docs; `breaking` also fails on review items, which may
    /// be breaking).
    #[arg(long, value_enum, value_name = "CLASS")]
    pub fail_on: Option<FailOn>,
}

/// Runs `ccgen diff`: status 0, 1 when `--fail-on` is met, 3 when a tree cannot be read or
/// checked (as `validate` says of invalid specs), 2 when the crate version is unknown (a
/// command-line matter: pass `--crate-version`).
pub fn run(args: &DiffArgs) -> ExitCode {
    let trees = match (&args.from, &args.old, &args.new) {
        (Some(from), _, _) => git_trees(&args.repo, &args.spec, from, args.to.as_deref()),
        (None, Some(old), Some(new)) => dir_tree(old, "old").and_then(|o| dir_tree(new, "new").map(|n| (o, n))),
        _ => Err(Diagnostics::one(crate::diag::Diagnostic::new("give two spec directories, or --from REV"))),
    };
    let version = match &args.crate_version {
        Some(v) => Ok(v.clone()),
        None => super::crate_version(&args.repo),
    };
    let failed = |diagnostics: Diagnostics, code: u8| {
        eprint!("{}", diagnostics.render());
        ExitCode::from(code)
    };
    let (old, new) = match trees {
        Ok(trees) => trees,
        Err(diagnostics) => return failed(diagnostics, crate::cli::EXIT_INVALID_SPECS),
    };
    let version = match version {
        Ok(version) => version,
        Err(diagnostics) => return failed(diagnostics, crate::cli::EXIT_USAGE),
    };
    let report = super::diff(&old, &new);
    print!("{}", render(&report, &version, args.format));
    match args.fail_on {
        Some(level) if report.fails(level) => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}

/// The report in a format, the bump named for a crate at `version`.
pub fn render(report: &Report, version: &semver::Version, format: Format) -> String {
    match format {
        Format::Text => render_text(report, version),
        Format::Markdown => render_markdown(report, version),
        Format::Json => render_json(report, version),
    }
}

fn dir_tree(dir: &Path, side: &str) -> Result<Api, Diagnostics> {
    let files = crate::load::read_dir(dir)?;
    load_tree(&dir.display().to_string(), &files).map_err(|d| with_side(d, side))
}

fn git_trees(repo: &Path, spec: &str, from: &str, to: Option<&str>) -> Result<(Api, Api), Diagnostics> {
    let spec = spec.trim_matches('/');
    let old_files = read_git_dir(repo, from, spec)?;
    let old = load_tree(&format!("{from}:{spec}"), &old_files).map_err(|d| with_side(d, "old"))?;
    let new = match to {
        Some(to) => {
            let files = read_git_dir(repo, to, spec)?;
            load_tree(&format!("{to}:{spec}"), &files)
        }
        None => {
            let dir = repo.join(spec);
            let files = crate::load::read_dir(&dir)?;
            load_tree(&dir.display().to_string(), &files)
        }
    }
    .map_err(|d| with_side(d, "new"))?;
    Ok((old, new))
}

fn with_side(mut d: Diagnostics, side: &str) -> Diagnostics {
    d.0.push(crate::diag::Diagnostic::new(format!("the {side} spec tree does not check; fix it before comparing")));
    d
}
