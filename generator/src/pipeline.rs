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
        let r = &self.report;
        if self.check {
            if r.is_clean() {
                return writeln!(f, "up to date: {} files", r.unchanged.len());
            }
            f.write_str(&r.diff)?;
            return writeln!(
                f,
                "stale: {} to write, {} to remove; run `cargo run -p ccgen -- generate` to refresh",
                r.written.len(),
                r.removed.len()
            );
        }
        if let Some(done) = &r.recovered {
            writeln!(
                f,
                "finished an interrupted generate: {} moved into place, {} removed",
                done.written.len(),
                done.removed.len()
            )?;
        }
        writeln!(
            f,
            "generated: {} written, {} removed, {} unchanged",
            r.written.len(),
            r.removed.len(),
            r.unchanged.len()
        )
    }
}

/// Regenerates `out_dir` from `spec_dir`; with `check`, writes nothing and reports staleness.
pub fn generate(spec_dir: &Path, out_dir: &Path, check: bool) -> Result<Outcome, Diagnostics> {
    let api = validate(spec_dir)?;
    let mut files = emit_all(&api)?;
    // The changelog reads the lock file and itself: finish an interrupted
    // run first, so they are both from the same generation.
    let recovered = if check { None } else { write::recover(out_dir)? };
    files.push(crate::changelog::lock_file(&api)?);
    files.push(crate::changelog::changelog(out_dir, &api));
    let mode = if check { write::Mode::Check } else { write::Mode::Write };
    let mut report = write::write(out_dir, &files, mode)?;
    report.recovered = recovered.or(report.recovered);
    Ok(Outcome { report, check })
}
