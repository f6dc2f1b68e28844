//! The stages strung together, as the CLI and tests run them.

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::diag::Diagnostics;
use crate::incremental::Reuse;
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

/// Every file the emitters produce for `api`, sorted by path, relative to the output root.
pub fn emit_all(api: &Api) -> Result<Vec<emit::OutputFile>, Diagnostics> {
    let mut files = emit::rust::emit(api)?;
    files.extend(emit::docs::emit(api)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Every file of a generation but the lock file and the changelog, sorted
/// by path; and what those two are made from.
///
/// Three branches run at once, each filling the cores the others leave
/// idle while they wait for their slowest job: the Rust modules and their
/// surface; the docs pages; and each interface's line of the lock file
/// (unless `reuse` made them for its keys; with `keys`, also the keys
/// `reuse` lacks), then the comparison with the
/// previous generation's record and the lock file but for the crate's
/// surface. The lock file's end and the changelog, which need the whole
/// surface, are left to [`Lock::finish`].
fn emit_and_lock(
    api: &Api,
    shared: &emit::rust::Shared<'_>,
    reuse: &mut Reuse,
    keys: bool,
    out_dir: &Path,
    timings: &mut Timings,
) -> Result<(emit::rust::Emitted, Lock), Diagnostics> {
    let (mut reused_files, reused_surfaces) = (std::mem::take(&mut reuse.files), std::mem::take(&mut reuse.surfaces));
    let reused_methods = std::mem::take(&mut reuse.methods);
    let known_lines = reuse.lines.take();
    let whole = &mut *reuse;
    let reuse = &*whole;
    let skip = |it: &crate::ir::Interface| reuse.covers(it);
    let (mut rust_timings, mut docs_timings, mut compare_timings) =
        (Timings::default(), Timings::default(), Timings::default());
    let (rust, docs) = rayon::join(
        || -> Result<_, Diagnostics> {
            let mut rust =
                rust_timings.time("emit rust", || emit::rust::emit_except_with(api, shared, &skip, &reused_methods))?;
            rust.surfaces.extend(reused_surfaces);
            Ok(rust)
        },
        || {
            rayon::join(
                || docs_timings.time("emit docs", || emit::docs::emit_except(api, &skip)),
                || {
                    // Each interface's line of the lock file, and the reuse
                    // keys made from the same text, are worked out on the
                    // side; so is the comparison with the previous record,
                    // which need not walk an interface whose line it has.
                    let lines = known_lines.map_or_else(|| crate::changelog::interface_lines(api), Ok);
                    let worked_out = match &lines {
                        Ok(lines) if keys && reuse.lacks_keys() => {
                            Some(crate::incremental::keys_with(api, lines, &shared.digest()))
                        }
                        _ => None,
                    };
                    let known = lines.as_deref().ok();
                    let changelog =
                        compare_timings.time("compare record", || crate::changelog::prepare(out_dir, api, known));
                    let head = lines.and_then(|lines| crate::changelog::lock_head(api, &lines));
                    (head, worked_out, changelog)
                },
            )
        },
    );
    let (docs, (head, worked_out, changelog)) = docs;
    timings.0.extend(rust_timings.0.into_iter().chain(docs_timings.0).chain(compare_timings.0));
    if let Some(keys) = worked_out {
        whole.set_keys(keys);
    }
    let mut rust = rust?;
    rust.files.extend(docs?);
    rust.files.append(&mut reused_files);
    rust.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((rust, Lock { head: head?, changelog }))
}

/// The lock file and the changelog, but for the crate's public surface.
struct Lock {
    head: crate::changelog::LockHead,
    changelog: crate::changelog::Pending,
}

impl Lock {
    /// The lock file and the changelog of the crate whose modules' surfaces
    /// are `surfaces` (by file), in that order: the last files of a generation.
    fn finish(
        self,
        surfaces: &std::collections::BTreeMap<String, Vec<String>>,
        timings: &mut Timings,
    ) -> Result<Vec<emit::OutputFile>, Diagnostics> {
        let surface = timings.time("surface", || emit::rust::surface_of(surfaces));
        // One after the other on this thread: both are quick, and work handed
        // to the cores would wait behind the reuse cache's.
        timings.time("lock, changelog", || Ok(vec![self.head.finish(&surface)?, self.changelog.finish(&surface)]))
    }
}

/// How long each stage of a run took, in the order they ran. "emit docs"
/// and "compare record" run at the same time as "emit rust"; "surface" and
/// "lock, changelog" at the same time as "write", which they follow.
#[derive(Debug, Default, Clone)]
pub struct Timings(pub Vec<Stage>);

/// One stage's wall time, and the CPU time of the whole process meanwhile
/// (every core; `None` where the platform does not tell).
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub name: &'static str,
    pub wall: Duration,
    pub cpu: Option<Duration>,
}

impl Timings {
    /// Runs `f` as the stage `name`.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let (start, cpu_start) = (Instant::now(), process_cpu());
        let out = f();
        let cpu = process_cpu().zip(cpu_start).map(|(end, start)| end.saturating_sub(start));
        self.0.push(Stage { name, wall: start.elapsed(), cpu });
        out
    }
}

/// CPU time the process has used so far, on every core.
#[cfg(target_os = "linux")]
fn process_cpu() -> Option<Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Some(Duration::new(u64::try_from(t.tv_sec).ok()?, u32::try_from(t.tv_nsec).ok()?))
}

#[cfg(not(target_os = "linux"))]
fn process_cpu() -> Option<Duration> {
    None
}

impl fmt::Display for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for stage in &self.0 {
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            write!(f, "stage {:<16} {:>10.3} ms", stage.name, ms(stage.wall))?;
            match stage.cpu {
                // The whole process's: stages that run at once count each other's work.
                Some(cpu) => writeln!(f, "  process cpu {:>10.3} ms", ms(cpu))?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}

/// Load then check, each timed, also hashing every spec file for the record
/// of this generation beside loading, from the very bytes loaded
/// ([`crate::record::Inputs::with_read`]).
/// The inputs are `None` when the tree could not be read again for them:
/// the next run is then a full one.
pub fn validate_recorded(
    spec_dir: &Path,
    timings: &mut Timings,
) -> Result<(Api, Option<crate::record::Inputs>), Diagnostics> {
    let read_at = crate::record::now();
    let (files, loaded, inputs) = timings.time("load", || -> Result<_, Diagnostics> {
        let (files, stats): (Vec<load::RawFile>, Vec<crate::record::Stat>) =
            load::read_dir_stated(spec_dir)?.into_iter().unzip();
        let (loaded, inputs) = rayon::join(
            || load::load(&spec_dir.display().to_string(), &files),
            || {
                let read = files.iter().zip(&stats).map(|(f, stat)| (f.rel_path.as_str(), (*stat, f.bytes.as_slice())));
                crate::record::Inputs::with_read(spec_dir, read_at, &read.collect()).ok()
            },
        );
        Ok((files, loaded?, inputs))
    })?;
    let api = timings.time("check", || check::check(&loaded));
    // Freeing every file's bytes, text, tree and positions took about 10 ms
    // of one core at ×6; a worker does it while the next stages run.
    rayon::spawn(move || drop((files, loaded)));
    Ok((api?, inputs))
}

/// What `generate` did or would do.
#[derive(Debug)]
pub struct Outcome {
    pub report: write::WriteReport,
    pub check: bool,
    /// The stages after checking, timed.
    pub timings: Timings,
    /// How many interfaces' files were reused from the last generation
    /// rather than emitted again (see [`crate::incremental`]).
    pub reused: usize,
    /// How many of their methods in `src/client.rs` were reused too.
    pub reused_methods: usize,
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

    /// One line per file removed (or, checking, that would be).
    pub fn removal_lines(&self) -> Vec<String> {
        let remove = if self.check { "would remove" } else { "removed" };
        self.report.removed.iter().map(|p| format!("{remove} {p}")).collect()
    }

    /// One line per file written or removed (or, checking, that would be).
    pub fn file_lines(&self) -> Vec<String> {
        let write = if self.check { "would write" } else { "wrote" };
        let written = self.report.written.iter().map(|p| format!("{write} {p}"));
        written.chain(self.removal_lines()).collect()
    }
}

/// Regenerates `out_dir` from `spec_dir`; with `check`, writes nothing and reports staleness.
pub fn generate(spec_dir: &Path, out_dir: &Path, check: bool) -> Result<Outcome, Diagnostics> {
    if !check && let Some(outcome) = up_to_date(spec_dir, out_dir) {
        return Ok(outcome);
    }
    let (api, inputs) = validate_recorded(spec_dir, &mut Timings::default())?;
    generate_recorded(&api, inputs, out_dir, check)
}

/// [`generate`] for specs already validated: every error here is one of
/// emitting or writing, not of the specs.
pub fn generate_api(api: &Api, out_dir: &Path, check: bool) -> Result<Outcome, Diagnostics> {
    generate_recorded(api, None, out_dir, check)
}

/// The outcome of a `generate` that would change nothing, when the record
/// of the last generation proves it (see [`crate::record`]): same
/// generator, same spec files, every output as written and no other output
/// left. `None` means "run every stage".
pub fn up_to_date(spec_dir: &Path, out_dir: &Path) -> Option<Outcome> {
    let mut timings = Timings::default();
    let proven = timings.time("verify record", || {
        use crate::record;
        if out_dir.join(write::STAGING).exists() {
            return None;
        }
        let mut rec = record::load(out_dir).filter(|r| r.generator == record::generator())?;
        let inputs = record::Inputs::since(spec_dir, &rec).ok()?;
        if inputs.hashes != rec.inputs {
            return None;
        }
        let mut restamped = Vec::new();
        if !record::outputs_intact(out_dir, &rec, &mut restamped) {
            return None;
        }
        // Recorded outputs are known to be ours; only other files are opened.
        if !write::owned_files_except(out_dir, |f| rec.outputs.contains_key(f)).is_empty() {
            return None;
        }
        // Inputs read again (touched, or too new to trust their time) were
        // the same: recording their stat and this time spares the next run.
        let reread = inputs.stats.iter().any(|(rel, stat)| !rec.trusts(rel, *stat));
        if !restamped.is_empty() || reread {
            for (rel, size, modified) in restamped {
                if let Some(o) = rec.outputs.get_mut(&rel) {
                    (o.size, o.modified) = (size, modified);
                }
            }
            (rec.input_stats, rec.read_at) = (inputs.stats, inputs.read_at);
            // Only saves re-reading next time; a failure changes nothing else.
            let _ = record::save(out_dir, &rec);
        }
        Some(rec.outputs.into_keys().collect::<Vec<_>>())
    })?;
    let report = write::WriteReport { unchanged: proven, ..Default::default() };
    Some(Outcome { report, check: false, timings, reused: 0, reused_methods: 0 })
}

/// [`generate_api`], leaving a record of `inputs` (the spec files' hashes)
/// after a successful write, so that the next run may skip every stage.
pub fn generate_recorded(
    api: &Api,
    inputs: Option<crate::record::Inputs>,
    out_dir: &Path,
    check: bool,
) -> Result<Outcome, Diagnostics> {
    let mut timings = Timings::default();
    // The changelog reads the lock file and itself, and reuse reads the
    // outputs: finish an interrupted run first, so they are all from the
    // same generation.
    let recovered = if check { None } else { write::recover(out_dir)? };
    // Only `generate` reuses the files of unchanged interfaces; `--check` makes every one.
    // The shared types are planned once, for the emitter and the reuse keys.
    let shared = emit::rust::Shared::plan(api);
    let mut reuse = if check {
        Reuse::default()
    } else {
        timings.time("reuse", || crate::incremental::plan(api, out_dir, &shared.digest()))
    };
    // Reused files were read and found as recorded moments ago: the write
    // stage need not read them again.
    let read_back: std::collections::BTreeSet<String> = reuse.files.iter().map(|f| f.path.clone()).collect();
    let reused_methods = reuse.methods.len();
    let (emit::rust::Emitted { files, surfaces, session_methods, session_starts }, lock) =
        emit_and_lock(api, &shared, &mut reuse, !check, out_dir, &mut timings)?;
    let mode = if check { write::Mode::Check } else { write::Mode::Write };
    if !check {
        // The output is about to change: the old record must not outlive it.
        crate::record::forget(out_dir).map_err(|e| {
            Diagnostics::one(crate::diag::Diagnostic::new(format!("cannot remove the old record: {e}")))
        })?;
    }
    let known = |path: &str| read_back.contains(path);
    // The lock file and the changelog wait on the whole crate's surface:
    // they are made while the other files are written.
    let mut late_timings = Timings::default();
    let late = || lock.finish(&surfaces, &mut late_timings);
    // What the record and the reuse cache will say is worked out and written
    // aside while the disk makes the output durable; both are put in place
    // only once the output is. The record waits for the late files.
    let beside = |stats: &write::Stats, late: write::LateStaged<'_>| {
        (!check).then(|| {
            let mut hashes = crate::record::hashes(&files);
            let methods = crate::incremental::Methods { methods: &session_methods, starts: &session_starts };
            let cache = crate::incremental::prepare(api, &reuse, &hashes, &surfaces, methods)
                .and_then(|bytes| crate::incremental::aside(out_dir, &bytes));
            let record = late.wait().and_then(|(late_stats, late)| {
                hashes.extend(crate::record::hashes(late));
                let stats: write::Stats = stats.iter().map(|(k, v)| (k.clone(), *v)).chain(late_stats).collect();
                let record = inputs.map(|inputs| crate::record::of(inputs, out_dir, &hashes, &stats));
                record.map(|record| record.and_then(|record| crate::record::aside(out_dir, &record)))
            });
            [record, Some(cache)]
        })
    };
    let had_record_folder = out_dir.join(crate::record::FOLDER).is_dir();
    let written = timings.time("write", || write::write_beside(out_dir, &files, late, mode, &known, beside));
    timings.0.append(&mut late_timings.0);
    let asides = written.beside.flatten().map(|asides| asides.into_iter().flatten().flatten());
    let mut report = match written.report {
        Ok(report) => report,
        Err(failed) => {
            // The output is as it was: so is the record's folder, but for
            // the old record, which `forget` took away.
            for aside in asides.into_iter().flatten() {
                let _ = aside.discard();
            }
            if !had_record_folder {
                let _ = std::fs::remove_dir_all(out_dir.join(crate::record::FOLDER));
            }
            return Err(failed);
        }
    };
    report.recovered = recovered.or(report.recovered);
    if let Some(asides) = asides {
        // Both only speed up the next run; without them it does more work.
        timings.time("record", || {
            for aside in asides {
                let _ = aside.put();
            }
        });
    }
    let reused = reuse.len();
    // Every output and its surface, freed on a worker: the caller need not wait.
    rayon::spawn(move || drop((files, surfaces, session_methods, reuse)));
    Ok(Outcome { report, check, timings, reused, reused_methods })
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
