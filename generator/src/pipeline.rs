//! The stages strung together, as the CLI and tests run them.

use std::fmt;
use std::path::Path;

use crate::diag::Diagnostics;
use crate::ir::Api;
use crate::{check, emit, load, write};

/// Load and check a spec directory.
pub fn validate(spec_dir: &Path) -> Result<Api, Diagnostics> {
    check::check(&load::load_dir(spec_dir)?)
}

/// One line about a valid spec tree.
pub fn summary(api: &Api) -> String {
    let params: usize = api.interfaces.iter().map(|i| i.params.len()).sum();
    format!(
        "ok: {} interfaces, {} parameters, {} events, {} error codes",
        api.interfaces.len(),
        params,
        api.events.len(),
        api.errors.len()
    )
}

/// Every file the emitters produce for `api`, paths relative to the output root.
pub fn emit_all(api: &Api) -> Result<Vec<emit::OutputFile>, Diagnostics> {
    let mut files = emit::rust::emit(api)?;
    files.extend(emit::docs::emit(api)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// What `generate` did or would do.
#[derive(Debug)]
pub struct Outcome {
    pub report: write::WriteReport,
    pub check: bool,
}

impl Outcome {
    /// In check mode: true when the output differs from what the specs give.
    pub fn is_stale(&self) -> bool {
        self.check && !self.report.is_clean()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_stale() {
            f.write_str(&self.report.diff)?;
        }
        if let Some(done) = &self.report.recovered {
            writeln!(
                f,
                "finished an interrupted generate: {} moved into place, {} removed",
                done.written.len(),
                done.removed.len()
            )?;
        }
        writeln!(f, "{}", self.headline())
    }
}

impl Outcome {
    /// The last line of the report: up to date, stale, or what was written.
    pub fn headline(&self) -> String {
        let r = &self.report;
        match (self.check, r.is_clean()) {
            (true, true) => format!("up to date: {} files", r.unchanged.len()),
            (true, false) => format!(
                "stale: {} to write, {} to remove; run `cargo run -p ccgen -- generate` to refresh",
                r.written.len(),
                r.removed.len()
            ),
            (false, _) => format!(
                "generated: {} written, {} removed, {} unchanged",
                r.written.len(),
                r.removed.len(),
                r.unchanged.len()
            ),
        }
    }

    /// One line per file written or removed (or, checking, that would be).
    pub fn file_lines(&self) -> Vec<String> {
        let (write, remove) = if self.check { ("would write", "would remove") } else { ("wrote", "removed") };
        let written = self.report.written.iter().map(|p| format!("{write} {p}"));
        written.chain(self.report.removed.iter().map(|p| format!("{remove} {p}"))).collect()
    }
}

/// Regenerates `out_dir` from `spec_dir`; with `check`, writes nothing and reports staleness.
pub fn generate(spec_dir: &Path, out_dir: &Path, check: bool) -> Result<Outcome, Diagnostics> {
    generate_api(&validate(spec_dir)?, out_dir, check)
}

/// [`generate`] for specs already validated: every error here is one of
/// emitting or writing, not of the specs.
pub fn generate_api(api: &Api, out_dir: &Path, check: bool) -> Result<Outcome, Diagnostics> {
    let mut files = emit_all(api)?;
    // The changelog reads the lock file and itself: finish an interrupted
    // run first, so they are both from the same generation.
    let recovered = if check { None } else { write::recover(out_dir)? };
    let surface = crate::surface::surface(&files);
    files.push(crate::changelog::lock_file(api, &surface)?);
    files.push(crate::changelog::changelog(out_dir, api, &surface));
    let mode = if check { write::Mode::Check } else { write::Mode::Write };
    let mut report = write::write(out_dir, &files, mode)?;
    report.recovered = recovered.or(report.recovered);
    Ok(Outcome { report, check })
}

/// For a `build.rs`: writes the client as one file at `out_file` (see
/// [`emit::rust::emit_single_file`]), leaving it untouched when its bytes
/// would not change so that the including crate is not rebuilt for nothing.
/// Returns whether the file was written.
pub fn generate_single_file(spec_dir: &Path, out_file: &Path) -> Result<bool, Diagnostics> {
    let api = validate(spec_dir)?;
    let source = emit::rust::emit_single_file(&api)?;
    if std::fs::read(out_file).is_ok_and(|old| old == source.as_bytes()) {
        return Ok(false);
    }
    let failed = |e: std::io::Error| {
        Diagnostics::one(crate::diag::Diagnostic::new(format!("cannot write {}: {e}", out_file.display())))
    };
    if let Some(parent) = out_file.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    std::fs::write(out_file, source).map_err(failed)?;
    Ok(true)
}
