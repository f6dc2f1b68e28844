//! Stage 4, write: put emitted files on disk, or say how they differ.
//!
//! Only files whose bytes change are written (so cargo rebuilds nothing
//! needlessly). Every new content is staged in full in one folder,
//! `.ccgen-staging/` inside the output (git ignores it: it holds its own
//! `.gitignore`), before the first rename; then a journal of the renames is
//! committed there, and each file is renamed into place, so no file is ever
//! half-written. An error part-way restores every file it touched. A run
//! killed part-way leaves the journal behind: the next `generate` finishes
//! that run before doing its own, and `--check` reports it. Files that carry
//! the generated marker but that no spec produces any more are removed; files
//! without the marker are never touched.

mod compare;
mod durable;
mod journal;
mod stage;

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::{GENERATED_MARKER, OutputFile};
use compare::Change;
use journal::Step;
pub use journal::{Recovered, STAGING};
use stage::{Move, Plan};

/// Write for real, or only compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What changed (or, in check mode, would change).
#[derive(Debug, Default)]
pub struct WriteReport {
    pub written: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: Vec<String>,
    /// Unified diff of every change (check mode only).
    pub diff: String,
    /// What finishing an interrupted earlier run did before this one.
    pub recovered: Option<Recovered>,
}

/// Size and modification time of each file written, by path, as it was
/// staged: renaming it into place keeps both.
pub type Stats = std::collections::HashMap<String, crate::record::Stat>;

impl WriteReport {
    /// True when nothing differs.
    pub fn is_clean(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

thread_local! {
    /// Test hook: a failure injected before the n-th rename on this thread, to prove rollback.
    #[doc(hidden)]
    pub static FAIL_AT_RENAME: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
    /// Test hook: the process "dies" before the n-th rename on this thread:
    /// `write` returns at once, undoing and clearing nothing, as after `kill -9`.
    #[doc(hidden)]
    pub static CRASH_AT_RENAME: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Brings `out_dir` in line with `files`.
pub fn write(out_dir: &Path, files: &[OutputFile], mode: Mode) -> Result<WriteReport, Diagnostics> {
    write_known(out_dir, files, mode, &|_| false)
}

/// [`write`], taking the files `known` names as already on disk with their
/// bytes (the caller read and compared them in this run), so that they are
/// not read again.
pub fn write_known(
    out_dir: &Path,
    files: &[OutputFile],
    mode: Mode,
    known: &(dyn Fn(&str) -> bool + Sync),
) -> Result<WriteReport, Diagnostics> {
    let nothing_late = || Ok(Vec::new());
    write_beside(out_dir, files, nothing_late, mode, known, |_, _| ()).report
}

/// [`write_known`] for `files` and the files `late` makes, running `beside`
/// meanwhile.
///
/// `late` runs while the disk makes the other files durable, and its files
/// are then staged and made durable in turn: work that waits on the rest
/// of a generation (the lock file waits on the crate's whole surface) then
/// costs no time of its own. When nothing else is written, or in check
/// mode, `late` runs first and its files are compared with the rest. They
/// come after `files` in the report.
///
/// `beside` gets the [`Stats`] of the files staged before the sync began
/// (when nothing is written, none), and [`LateStaged`] to wait on the late
/// files. It runs when anything is written, beside `late` while the disk
/// makes the staged files durable (otherwise once the output is found
/// current); not when writing failed before it could. While the disk
/// syncs, both run on threads of their own, which this thread waits for:
/// when called from a rayon worker, their own parallel work needs other
/// workers free. Otherwise they run on this thread.
pub fn write_beside<T: Send>(
    out_dir: &Path,
    files: &[OutputFile],
    late: impl FnOnce() -> Result<Vec<OutputFile>, Diagnostics> + Send,
    mode: Mode,
    known: &(dyn Fn(&str) -> bool + Sync),
    beside: impl for<'l> FnOnce(&Stats, LateStaged<'l>) -> T + Send,
) -> Written<T> {
    let late_files = std::sync::OnceLock::new();
    let mut done = None;
    let late = || -> Result<&[OutputFile], Diagnostics> {
        let files = late()?;
        Ok(late_files.get_or_init(|| files))
    };
    let beside = |stats: &Stats, late: LateStaged<'_>| done = Some(beside(stats, late));
    let report = compare_and_apply(out_dir, files, late, mode, known, beside);
    Written { report, beside: done }
}

/// The late files of [`write_beside`] once staged, for `beside` to wait on.
pub struct LateStaged<'a>(std::sync::mpsc::Receiver<(Stats, &'a [OutputFile])>);

impl<'a> LateStaged<'a> {
    /// Waits until the late files are staged, and gives the stats of those
    /// written and all of them; `None` when writing failed meanwhile.
    pub fn wait(self) -> Option<(Stats, &'a [OutputFile])> {
        self.0.recv().ok()
    }

    /// Late files already staged with the others (`stats` of those written).
    fn ready(stats: Stats, late: &'a [OutputFile]) -> Self {
        let (send, receive) = std::sync::mpsc::channel();
        let _ = send.send((stats, late));
        LateStaged(receive)
    }
}

/// What [`write_beside`] did.
#[derive(Debug)]
pub struct Written<T> {
    pub report: Result<WriteReport, Diagnostics>,
    /// What `beside` gave, when it ran.
    pub beside: Option<T>,
}

/// What is written after the first files are staged: the late files that
/// differ from the disk, and the earlier outputs to remove.
struct Rest<'a> {
    late: &'a [OutputFile],
    changes: Vec<Change<'a>>,
    stale: Vec<String>,
}

fn compare_and_apply<'a>(
    out_dir: &Path,
    files: &'a [OutputFile],
    late: impl FnOnce() -> Result<&'a [OutputFile], Diagnostics> + Send,
    mode: Mode,
    known: &(dyn Fn(&str) -> bool + Sync),
    beside: impl FnOnce(&Stats, LateStaged<'a>) + Send,
) -> Result<WriteReport, Diagnostics> {
    let mut report = WriteReport::default();
    match mode {
        Mode::Check if journal::pending(out_dir) => {
            return Err(Diagnostics::one(Diagnostic::new(format!(
                "{} holds an interrupted `generate`: some files may be old and some new; \
                 run `cargo run -p ccgen -- generate` to finish it",
                out_dir.join(STAGING).display()
            ))));
        }
        Mode::Check => {}
        Mode::Write => report.recovered = recover(out_dir)?,
    }
    let (first, foreign) = compare::changes(out_dir, files, mode, known, &mut report)?;
    if mode == Mode::Check || first.is_empty() || !foreign.is_empty() {
        // Nothing to stage meanwhile, or nothing to be staged: the late
        // files are waited for, and compared with the rest.
        let Rest { late, changes: late_changes, stale } =
            compare_late(out_dir, files, late, mode, foreign, &mut report)?;
        let mut changes = first;
        changes.extend(late_changes);
        if mode == Mode::Check || (changes.is_empty() && stale.is_empty()) {
            report.removed = stale;
            beside(&Stats::new(), LateStaged::ready(Stats::new(), late));
            return Ok(report);
        }
        report.removed = apply(out_dir, &changes, || Ok(Rest { late, changes: Vec::new(), stale }), beside)?;
        return Ok(report);
    }
    // The late files' verdicts land in a report of their own, taken on the
    // side thread while this one syncs; they are joined in order after.
    let mut late_report = WriteReport::default();
    let rest = || compare_late(out_dir, files, late, mode, Vec::new(), &mut late_report);
    let stale = apply(out_dir, &first, rest, beside)?;
    report.written.append(&mut late_report.written);
    report.unchanged.append(&mut late_report.unchanged);
    report.removed = stale;
    Ok(report)
}

/// The late files compared with the disk, and the earlier outputs that
/// neither they nor `files` make any more. Refused when any file is in the
/// way: those of `foreign` (found among `files`) and the late ones together.
fn compare_late<'a>(
    out_dir: &Path,
    files: &'a [OutputFile],
    late: impl FnOnce() -> Result<&'a [OutputFile], Diagnostics>,
    mode: Mode,
    foreign: Vec<String>,
    report: &mut WriteReport,
) -> Result<Rest<'a>, Diagnostics> {
    let late = late()?;
    let (changes, late_foreign) = compare::changes(out_dir, late, mode, &|_| false, report)?;
    if !foreign.is_empty() || !late_foreign.is_empty() {
        return Err(compare::in_the_way(&[foreign, late_foreign].concat()));
    }
    let stale = compare::stale(out_dir, files.iter().chain(late), mode, report);
    Ok(Rest { late, changes, stale })
}

/// Finishes a `generate` interrupted during its renames (see the module
/// docs) and clears what interrupted runs left in `out_dir`.
pub fn recover(out_dir: &Path) -> Result<Option<Recovered>, Diagnostics> {
    if !out_dir.is_dir() {
        return Ok(None);
    }
    journal::recover(out_dir)
        .map_err(|e| Diagnostics::one(Diagnostic::new(format!("finishing an interrupted `generate` failed: {e}"))))
}

/// True when a file starts with the header ccgen writes: the marker as the
/// first comment of the file (`// `, `# `, `<!-- `), or as the first member
/// of a JSON object. A file that merely mentions the marker is not ours.
pub fn is_generated(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let commented =
        ["// ", "# ", "<!-- "].iter().any(|c| first.strip_prefix(c).is_some_and(|r| r.starts_with(GENERATED_MARKER)));
    let json = first == "{"
        && lines.next().is_some_and(|l| l.trim_start().starts_with(&format!("\"@generated\": \"{GENERATED_MARKER}")));
    commented || json
}

/// The first bytes of a file, enough for [`is_generated`].
fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    fs::File::open(path)?.take(512).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Removes the folders above `rel` that it leaves empty, up to `out_dir`.
fn remove_empty_parents(out_dir: &Path, rel: &str) {
    let mut dir = out_dir.join(rel);
    while dir.pop() && dir != out_dir {
        if fs::remove_dir(&dir).is_err() {
            break;
        }
    }
}

/// Every file below `dir` (not `target/` or hidden folders) that carries the marker.
pub fn owned_files(dir: &Path) -> Vec<String> {
    owned_files_except(dir, |_| false)
}

/// [`owned_files`] but for the files `known` names, which are left out
/// without being opened.
pub fn owned_files_except(dir: &Path, known: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&path) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || (rel.is_empty() && name == "target") {
                continue;
            }
            let child_rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                stack.push((entry.path(), child_rel));
            } else if kind.is_file() && !known(&child_rel) && head(&entry.path()).is_ok_and(|b| is_generated(&b)) {
                out.push(child_rel);
            }
        }
    }
    out.sort();
    out
}

/// One step done, so it can be undone.
enum Done {
    /// `target` did not exist; it was moved there from `staged`.
    Created { target: PathBuf, staged: PathBuf },
    /// `target` existed; its old contents are in `backup`.
    Replaced { target: PathBuf, backup: PathBuf },
}

/// `create_dir_all` that records each folder it creates, outermost first.
fn create_dirs(dir: &Path, created: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, created)?;
    }
    fs::create_dir(dir)?;
    created.push(dir.to_path_buf());
    Ok(())
}

/// An I/O error that names the file or folder it happened on.
fn at(path: &Path) -> impl FnOnce(std::io::Error) -> std::io::Error + '_ {
    move |e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// The message of every failure to write, naming what failed.
fn failed(e: std::io::Error) -> Diagnostics {
    Diagnostics::one(Diagnostic::new(format!("writing the output failed: {e}")))
}

/// Stages `changes`, then what `rest` gives, and renames them into place
/// (see the module docs); `beside` runs while the staged files are made
/// durable. Returns the outputs removed.
fn apply<'a>(
    out_dir: &Path,
    changes: &[Change<'a>],
    rest: impl FnOnce() -> Result<Rest<'a>, Diagnostics> + Send,
    beside: impl FnOnce(&Stats, LateStaged<'a>) + Send,
) -> Result<Vec<String>, Diagnostics> {
    fs::create_dir_all(out_dir).map_err(at(out_dir)).map_err(failed)?;
    let staging = journal::create(out_dir).map_err(at(&out_dir.join(STAGING))).map_err(failed)?;
    // Stage every new file first: a failure here has touched nothing.
    let (moves, stale) = match stage_all(out_dir, &staging, changes, rest, beside) {
        Ok(staged) => staged,
        Err(e) => {
            let _ = journal::discard(&staging);
            return Err(e);
        }
    };
    rename_into_place(out_dir, &staging, &moves, &stale).map_err(failed)?;
    Ok(stale)
}

/// Writes each new content in full into the staging folder (see
/// [`stage::Plan`]), those `rest` gives after the others, then commits the
/// journal. While the first ones are made durable, `rest` is worked out
/// and staged, and `beside` runs with their stats; the rest is made durable
/// after. Returns the renames that put them into place, in order, and the
/// outputs to remove. The journal lists every file, so a run killed
/// part-way is finished file by file.
fn stage_all<'a>(
    out_dir: &Path,
    staging: &Path,
    changes: &[Change<'a>],
    rest: impl FnOnce() -> Result<Rest<'a>, Diagnostics> + Send,
    beside: impl FnOnce(&Stats, LateStaged<'a>) + Send,
) -> Result<(Vec<Move>, Vec<String>), Diagnostics> {
    let mut plan = Plan::default();
    let folders = plan.add(out_dir, staging, changes);
    let stats = stage::files(staging, changes, &plan.names, &folders).map_err(failed)?;
    let first = stage::paths(staging, &plan.names, &folders);
    let (synced, side) = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::channel();
        let beside = scope.spawn(|| beside(&stats, LateStaged(receive)));
        let plan = &mut plan;
        let side = scope.spawn(move || -> Result<_, Diagnostics> {
            let rest = rest()?;
            let folders = plan.add(out_dir, staging, &rest.changes);
            let names = &plan.names[changes.len()..];
            let late_stats = stage::files(staging, &rest.changes, names, &folders).map_err(failed)?;
            let _ = send.send((late_stats, rest.late));
            Ok((rest, stage::paths(staging, names, &folders)))
        });
        // Durable before the journal says "under way": one sync for them
        // all. The sync mostly waits for the disk. It stays on this thread,
        // which the tests count syncs on.
        let synced = durable::sync_files(staging, &first.iter().map(PathBuf::as_path).collect::<Vec<_>>());
        let side = joined(side);
        joined(beside);
        (synced, side)
    });
    synced.map_err(failed)?;
    let (Rest { changes: late, stale, .. }, staged) = side?;
    let writes = changes.iter().chain(&late).zip(&plan.names);
    let writes = writes.map(|((file, _), staged)| Step::Write { path: file.path.clone(), staged: staged.clone() });
    let steps: Vec<Step> = writes.chain(stale.iter().map(|rel| Step::Remove { path: rel.clone() })).collect();
    // The late files are made durable with the journal, in one sync.
    journal::commit(staging, &steps, &staged.iter().map(PathBuf::as_path).collect::<Vec<_>>()).map_err(failed)?;
    Ok((plan.moves, stale))
}

/// What a scoped thread returned; its panic goes on in this thread.
fn joined<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Renames every staged file into place and removes `stale` (see the module
/// docs). A failure part-way undoes what was done.
fn rename_into_place(out_dir: &Path, staging: &Path, moves: &[Move], stale: &[String]) -> std::io::Result<()> {
    let mut journal: Vec<Done> = Vec::new();
    let mut created_dirs: Vec<std::path::PathBuf> = Vec::new();
    let crashed = std::cell::Cell::new(false);
    let result = (|| -> std::io::Result<()> {
        let mut step = 0;
        let mut fail_point = || -> std::io::Result<()> {
            step += 1;
            if step == CRASH_AT_RENAME.get() {
                crashed.set(true);
                return Err(std::io::Error::other("simulated crash"));
            }
            if step == FAIL_AT_RENAME.get() {
                return Err(std::io::Error::other("injected failure"));
            }
            Ok(())
        };
        for (i, Move { from, to, folder }) in moves.iter().enumerate() {
            let mut step = || -> std::io::Result<()> {
                fail_point()?;
                if let Some(parent) = to.parent() {
                    create_dirs(parent, &mut created_dirs)?;
                }
                if *folder && to.exists() {
                    // Something took the folder's place since staging: never merged into.
                    return Err(std::io::Error::other("something is in the way of a new output folder"));
                }
                if !*folder && to.exists() {
                    let backup = staging.join(format!("old-{i}"));
                    fs::rename(to, &backup)?;
                    journal.push(Done::Replaced { target: to.clone(), backup });
                } else {
                    journal.push(Done::Created { target: to.clone(), staged: from.clone() });
                }
                fs::rename(from, to)
            };
            step().map_err(at(to))?;
        }
        for (i, rel) in stale.iter().enumerate() {
            let target = out_dir.join(rel);
            let mut step = || -> std::io::Result<()> {
                fail_point()?;
                let backup = staging.join(format!("removed-{i}"));
                fs::rename(&target, &backup)?;
                journal.push(Done::Replaced { target: target.clone(), backup });
                Ok(())
            };
            step().map_err(at(&target))?;
        }
        Ok(())
    })();
    if crashed.get() {
        return result;
    }
    if let Err(e) = result {
        return Err(roll_back(e, journal, &created_dirs, staging));
    }
    journal::discard(staging)?;
    // Folders emptied by removals go too, so a removed resource leaves no trace.
    for rel in stale {
        remove_empty_parents(out_dir, rel);
    }
    Ok(())
}

/// Undoes the renames done so far, newest first. When every one is undone
/// the staging folder goes; otherwise its journal stays for the next run.
fn roll_back(e: std::io::Error, journal: Vec<Done>, created_dirs: &[PathBuf], staging: &Path) -> std::io::Error {
    let mut unrestored = Vec::new();
    for done in journal.into_iter().rev() {
        let (target, undone) = match done {
            Done::Created { target, staged } => {
                let undone = fs::rename(&target, &staged);
                (target, undone)
            }
            Done::Replaced { target, backup } => {
                let undone = fs::rename(&backup, &target);
                (target, undone)
            }
        };
        if undone.is_err() {
            unrestored.push(target.display().to_string());
        }
    }
    // Folders created for new files go too; one that holds anything else stays.
    for dir in created_dirs.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
    if !unrestored.is_empty() {
        return std::io::Error::other(format!("{e}; and these files could not be restored: {}", unrestored.join(", ")));
    }
    match journal::discard(staging) {
        Ok(()) => e,
        Err(cleanup) => std::io::Error::other(format!("{e}; the output was restored, but {cleanup}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, body: &str) -> OutputFile {
        OutputFile { path: path.into(), contents: format!("// {GENERATED_MARKER}\n{body}") }
    }

    fn snapshot(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    // Folders count too: a rollback must not leave new empty ones behind.
                    let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                    out.push((format!("{rel}/"), String::new()));
                    stack.push(e.path());
                } else {
                    let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                    out.push((rel, fs::read_to_string(e.path()).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn writes_only_changed_files_and_removes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("a.rs", "1"), file("m/b.rs", "2"), file("old/c.rs", "3")], Mode::Write).unwrap();
        fs::write(dir.path().join("hand.rs"), "mine").unwrap();
        let before = fs::metadata(dir.path().join("a.rs")).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let r = write(dir.path(), &[file("a.rs", "1"), file("m/b.rs", "changed")], Mode::Write).unwrap();
        assert_eq!(r.written, vec!["m/b.rs"]);
        assert_eq!(r.removed, vec!["old/c.rs"]);
        assert_eq!(r.unchanged, vec!["a.rs"]);
        assert_eq!(fs::metadata(dir.path().join("a.rs")).unwrap().modified().unwrap(), before);
        assert!(!dir.path().join("old").exists(), "emptied folder removed");
        assert_eq!(fs::read_to_string(dir.path().join("hand.rs")).unwrap(), "mine");
    }

    #[test]
    fn check_mode_writes_nothing_and_diffs() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("a.rs", "1\n")], Mode::Write).unwrap();
        let before = snapshot(dir.path());
        let r = write(dir.path(), &[file("a.rs", "2\n")], Mode::Check).unwrap();
        assert!(!r.is_clean());
        assert!(r.diff.contains("-1") && r.diff.contains("+2"), "{}", r.diff);
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn refuses_to_overwrite_hand_written_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.rs"), "hand").unwrap();
        assert!(write(dir.path(), &[file("a.rs", "x")], Mode::Write).is_err());
        assert_eq!(fs::read_to_string(dir.path().join("a.rs")).unwrap(), "hand");
    }

    /// Every hand-written file in the way is named in one run, not the first only.
    #[test]
    fn names_every_hand_written_file_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.rs"), "hand").unwrap();
        fs::write(dir.path().join("c.rs"), "hand too").unwrap();
        let files = [file("a.rs", "x"), file("b.rs", "y"), file("c.rs", "z")];
        let message = write(dir.path(), &files, Mode::Write).unwrap_err().render();
        assert!(message.contains("2 file(s) in the way"), "{message}");
        for name in ["a.rs", "c.rs"] {
            assert!(message.contains(&dir.path().join(name).display().to_string()), "{name}: {message}");
        }
        assert!(!dir.path().join("b.rs").exists(), "nothing written");
    }

    /// A failed write names the file it failed on.
    #[test]
    fn a_failed_write_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("a.rs", "1"), file("b.rs", "2")], Mode::Write).unwrap();
        FAIL_AT_RENAME.set(2);
        let result = write(dir.path(), &[file("a.rs", "new"), file("b.rs", "new")], Mode::Write);
        FAIL_AT_RENAME.set(usize::MAX);
        let message = result.unwrap_err().render();
        assert!(message.contains(&dir.path().join("b.rs").display().to_string()), "{message}");
        assert!(message.contains("injected failure"), "{message}");
    }

    #[test]
    fn failure_at_any_step_leaves_the_directory_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("a.rs", "1"), file("b.rs", "2"), file("gone.rs", "3")], Mode::Write).unwrap();
        let before = snapshot(dir.path());
        let next = [file("a.rs", "new"), file("b.rs", "new"), file("n/m/c.rs", "new")];
        for step in 1..=4 {
            FAIL_AT_RENAME.set(step);
            let r = write(dir.path(), &next, Mode::Write);
            FAIL_AT_RENAME.set(usize::MAX);
            assert!(r.is_err(), "step {step}");
            assert_eq!(snapshot(dir.path()), before, "step {step}");
        }
    }

    /// Writes `next` with a crash before rename `step`; returns the files on disk then.
    fn crash_at(dir: &Path, next: &[OutputFile], step: usize) -> Vec<(String, String)> {
        CRASH_AT_RENAME.set(step);
        let r = write(dir, next, Mode::Write);
        CRASH_AT_RENAME.set(usize::MAX);
        assert!(r.is_err(), "step {step}");
        snapshot(dir)
    }

    /// Files on disk, without the staging folder.
    fn output(dir: &Path) -> Vec<(String, String)> {
        snapshot(dir).into_iter().filter(|(p, _)| !p.starts_with(STAGING)).collect()
    }

    fn first_run() -> (tempfile::TempDir, [OutputFile; 3]) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("a.rs", "1"), file("b.rs", "2"), file("gone.rs", "3")], Mode::Write).unwrap();
        (dir, [file("a.rs", "new"), file("b.rs", "new"), file("n/m/c.rs", "new")])
    }

    #[test]
    fn a_run_killed_at_any_rename_is_finished_by_the_next() {
        let (reference, next) = first_run();
        write(reference.path(), &next, Mode::Write).unwrap();
        let finished = output(reference.path());
        for step in 1..=4 {
            let (dir, next) = first_run();
            let mid = crash_at(dir.path(), &next, step);
            assert!(mid.iter().any(|(p, _)| p.starts_with(STAGING)), "step {step}: the journal stays behind");
            // Every file on disk is whole: old or new contents, never a part.
            for (path, text) in mid.iter().filter(|(p, _)| !p.starts_with(STAGING) && !p.ends_with('/')) {
                assert!(
                    [
                        "// @generated by ccgen\n1",
                        "// @generated by ccgen\n2",
                        "// @generated by ccgen\n3",
                        "// @generated by ccgen\nnew"
                    ]
                    .contains(&text.as_str()),
                    "step {step}: {path} holds {text:?}"
                );
            }
            let done = recover(dir.path()).unwrap().expect("an interrupted run to finish");
            assert!(!done.written.is_empty() || !done.removed.is_empty(), "step {step}");
            assert_eq!(snapshot(dir.path()), finished, "step {step}: finished, staging folder gone");
        }
    }

    #[test]
    fn a_run_killed_at_any_rename_of_late_files_is_finished_by_the_next() {
        let late = || Ok(vec![file("lock.json", "new"), file("n/m/late.rs", "new")]);
        let (reference, next) = first_run();
        write_late(reference.path(), &next, late(), Mode::Write).0.unwrap();
        let finished = output(reference.path());
        assert!(finished.iter().any(|(p, _)| p == "n/m/late.rs"), "{finished:?}");
        // a.rs, b.rs, the new folder n/ with c.rs and late.rs, lock.json, then gone.rs removed.
        for step in 1..=5 {
            let (dir, next) = first_run();
            CRASH_AT_RENAME.set(step);
            let r = write_late(dir.path(), &next, late(), Mode::Write).0;
            CRASH_AT_RENAME.set(usize::MAX);
            assert!(r.is_err(), "step {step}");
            recover(dir.path()).unwrap().expect("an interrupted run to finish");
            assert_eq!(snapshot(dir.path()), finished, "step {step}: finished, staging folder gone");
        }
    }

    /// 30 files in each of two new folders, one nested, and one beside them.
    fn fresh_tree() -> Vec<OutputFile> {
        let mut files: Vec<OutputFile> = (0..30).map(|i| file(&format!("m/f{i}.rs"), "m")).collect();
        files.extend((0..30).map(|i| file(&format!("n/x/g{i}.rs"), "n")));
        files.push(file("top.rs", "t"));
        files
    }

    #[test]
    fn new_folders_go_into_place_whole() {
        let dir = tempfile::tempdir().unwrap();
        // Three renames: `m/`, `n/` and `top.rs`. A crash hook set beyond
        // them never fires: one rename per file would reach it.
        CRASH_AT_RENAME.set(4);
        let r = write(dir.path(), &fresh_tree(), Mode::Write);
        CRASH_AT_RENAME.set(usize::MAX);
        assert_eq!(r.unwrap().written.len(), 61);
        let reference = tempfile::tempdir().unwrap();
        for f in fresh_tree() {
            let path = reference.path().join(&f.path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, &f.contents).unwrap();
        }
        assert_eq!(snapshot(dir.path()), snapshot(reference.path()));
    }

    #[test]
    fn a_run_killed_between_folder_renames_is_finished_file_by_file() {
        let reference = tempfile::tempdir().unwrap();
        write(reference.path(), &fresh_tree(), Mode::Write).unwrap();
        for step in 1..=3 {
            let dir = tempfile::tempdir().unwrap();
            let mid = crash_at(dir.path(), &fresh_tree(), step);
            assert!(mid.iter().any(|(p, _)| p.starts_with(STAGING)), "step {step}");
            recover(dir.path()).unwrap().expect("an interrupted run to finish");
            assert_eq!(snapshot(dir.path()), snapshot(reference.path()), "step {step}");
        }
    }

    #[test]
    fn a_failure_after_a_folder_went_into_place_takes_it_back() {
        for step in 1..=3 {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), &[file("keep.rs", "k")], Mode::Write).unwrap();
            let before = snapshot(dir.path());
            FAIL_AT_RENAME.set(step);
            let r = write(dir.path(), &fresh_tree(), Mode::Write);
            FAIL_AT_RENAME.set(usize::MAX);
            assert!(r.is_err(), "step {step}");
            assert_eq!(snapshot(dir.path()), before, "step {step}");
        }
    }

    #[test]
    fn the_next_generate_finishes_then_writes_its_own() {
        let (dir, next) = first_run();
        crash_at(dir.path(), &next, 2);
        let third = [file("a.rs", "third")];
        let r = write(dir.path(), &third, Mode::Write).unwrap();
        assert!(r.recovered.is_some(), "says it finished the interrupted run");
        assert_eq!(snapshot(dir.path()), vec![("a.rs".to_owned(), "// @generated by ccgen\nthird".to_owned())]);
    }

    #[test]
    fn check_mode_reports_an_interrupted_run() {
        let (dir, next) = first_run();
        crash_at(dir.path(), &next, 2);
        let e = write(dir.path(), &next, Mode::Check).expect_err("stale");
        assert!(e.to_string().contains("holds an interrupted `generate`"), "{e}");
    }

    #[test]
    fn a_run_killed_while_staging_left_the_output_untouched_and_is_cleared() {
        let (dir, _) = first_run();
        let before = output(dir.path());
        // What a kill before the journal is committed leaves: staged files only.
        let staging = journal::create(dir.path()).unwrap();
        fs::write(staging.join("new-0"), "half").unwrap();
        assert_eq!(output(dir.path()), before);
        assert!(write(dir.path(), &[], Mode::Check).is_ok(), "nothing to finish: check sees the output as it is");
        assert_eq!(recover(dir.path()).unwrap(), None);
        assert_eq!(snapshot(dir.path()), before, "staging leftovers removed");
    }

    #[test]
    fn leftovers_of_earlier_versions_are_removed() {
        let (dir, _) = first_run();
        let before = snapshot(dir.path());
        let legacy = dir.path().join(".ccgen-staging-Ab12Cd");
        fs::create_dir(&legacy).unwrap();
        fs::write(legacy.join("new-0"), "x").unwrap();
        fs::write(legacy.join("old-3"), "y").unwrap();
        write(dir.path(), &[file("a.rs", "1"), file("b.rs", "2"), file("gone.rs", "3")], Mode::Write).unwrap();
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn the_staging_folder_is_ignored_by_git() {
        let (dir, next) = first_run();
        crash_at(dir.path(), &next, 2);
        let ignore = fs::read_to_string(dir.path().join(STAGING).join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
        let git = |args: &[&str]| std::process::Command::new("git").args(args).current_dir(dir.path()).output();
        if git(&["init", "-q"]).is_ok_and(|o| o.status.success()) {
            let status = git(&["status", "--porcelain", "--untracked-files=all"]).unwrap();
            let listed = String::from_utf8_lossy(&status.stdout).into_owned();
            assert!(!listed.contains(STAGING), "{listed}");
            assert!(listed.contains("a.rs"), "git sees the output itself: {listed}");
        }
    }

    #[test]
    fn a_wrong_out_directory_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let theirs = [
            (
                "Cargo.lock",
                "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\n",
            ),
            ("README.md", "# Tools\n\nFiles marked `@generated by ccgen` are rebuilt by `ccgen generate`.\n"),
            ("notes/todo.rs", "fn main() {} // see the @generated by ccgen header\n"),
            ("data.json", "{\n  \"note\": \"@generated by ccgen is a marker\"\n}\n"),
        ];
        for (path, text) in theirs {
            fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
            fs::write(dir.path().join(path), text).unwrap();
        }
        let r = write(dir.path(), &[file("a.rs", "1")], Mode::Write).unwrap();
        assert!(r.removed.is_empty(), "{:?}", r.removed);
        for (path, text) in theirs {
            assert_eq!(fs::read_to_string(dir.path().join(path)).unwrap(), text, "{path}");
        }
    }

    #[test]
    fn recognises_every_header_ccgen_writes() {
        for head in [
            "// @generated by ccgen from spec/. Do not edit by hand.\n",
            "# @generated by ccgen from spec/api.yaml.\n",
            "<!-- @generated by ccgen from spec/. Do not edit. -->\n",
            "{\n  \"@generated\": \"@generated by ccgen from spec/.\",\n",
        ] {
            assert!(is_generated(head.as_bytes()), "{head}");
        }
        assert!(!is_generated(b"//! hand-written\n// @generated by ccgen\n"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn many_files_cost_a_fixed_number_of_syncs_and_an_unchanged_output_none() {
        let dir = tempfile::tempdir().unwrap();
        let many: Vec<OutputFile> = (0..40).map(|i| file(&format!("m/f{i}.rs"), &i.to_string())).collect();
        let before = durable::syncs();
        write(dir.path(), &many, Mode::Write).unwrap();
        // The staged files together, then the journal and its folder.
        assert_eq!(durable::syncs() - before, 3, "not one sync per file");
        let before = durable::syncs();
        let r = write(dir.path(), &many, Mode::Write).unwrap();
        assert_eq!((r.unchanged.len(), durable::syncs() - before), (40, 0));
        assert!(!dir.path().join(STAGING).exists());
    }

    #[test]
    fn the_stats_given_beside_are_those_of_the_files_in_place() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("old")).unwrap();
        fs::write(dir.path().join("old/kept.rs"), file("old/kept.rs", "same").contents).unwrap();
        let files = [file("old/kept.rs", "same"), file("old/new.rs", "1"), file("fresh/a/b.rs", "22")];
        let written =
            write_beside(dir.path(), &files, || Ok(Vec::new()), Mode::Write, &|_| false, |stats, _| stats.clone());
        let (report, stats) = (written.report.unwrap(), written.beside.expect("beside ran"));
        assert_eq!(report.written, ["old/new.rs", "fresh/a/b.rs"]);
        let on_disk = |rel: &str| crate::record::stat_of(&fs::metadata(dir.path().join(rel)).unwrap());
        let expected: Stats = report.written.iter().map(|rel| (rel.clone(), on_disk(rel))).collect();
        assert_eq!(stats, expected, "every file written, as it is in place; none other");
    }

    #[test]
    fn beside_runs_once_when_nothing_changes_and_not_when_writing_fails_first() {
        let dir = tempfile::tempdir().unwrap();
        let files = [file("a.rs", "1")];
        write(dir.path(), &files, Mode::Write).unwrap();
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let count = |stats: &Stats, _: LateStaged<'_>| {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            stats.len()
        };
        let written = write_beside(dir.path(), &files, || Ok(Vec::new()), Mode::Write, &|_| false, count);
        let (report, seen) = (written.report, written.beside);
        assert!(report.unwrap().is_clean());
        assert_eq!((seen, runs.load(std::sync::atomic::Ordering::Relaxed)), (Some(0), 1));
        let written =
            write_beside(dir.path(), &[file("../x.rs", "1")], || Ok(Vec::new()), Mode::Write, &|_| false, count);
        assert!(written.report.is_err() && written.beside.is_none());
    }

    /// What `beside` saw: see [`write_late`].
    type Seen = (Vec<String>, Option<(Vec<String>, usize)>);

    /// `write_beside` with `late`: the report; and the files whose stats
    /// `beside` was given, and those it waited for with how many late files
    /// there are.
    fn write_late(
        dir: &Path,
        files: &[OutputFile],
        late: Result<Vec<OutputFile>, Diagnostics>,
        mode: Mode,
    ) -> (Result<WriteReport, Diagnostics>, Option<Seen>) {
        let beside = |stats: &Stats, late: LateStaged<'_>| {
            let paths = |stats: &Stats| {
                let mut paths: Vec<String> = stats.keys().cloned().collect();
                paths.sort();
                paths
            };
            let late = late.wait().map(|(stats, late)| (paths(&stats), late.len()));
            (paths(stats), late)
        };
        let written = write_beside(dir, files, || late, mode, &|_| false, beside);
        (written.report, written.beside)
    }

    #[test]
    fn late_files_are_compared_and_written_with_the_others_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let files = [file("m/b.rs", "2"), file("a.rs", "1")];
        let late = vec![file("lock.json", "L"), file("m/late.rs", "3"), file("new/late.rs", "4")];
        let (report, seen) = write_late(dir.path(), &files, Ok(late.clone()), Mode::Write);
        assert_eq!(report.unwrap().written, ["m/b.rs", "a.rs", "lock.json", "m/late.rs", "new/late.rs"]);
        let first = vec!["a.rs".to_owned(), "m/b.rs".to_owned()];
        let late_written = ["lock.json", "m/late.rs", "new/late.rs"].map(String::from).to_vec();
        assert_eq!(
            seen,
            Some((first, Some((late_written, 3)))),
            "the files staged before the sync, then the late ones"
        );
        let expected: Vec<(String, String)> =
            files.iter().chain(&late).map(|f| (f.path.clone(), f.contents.clone())).collect();
        let mut expected_dirs = expected.clone();
        expected_dirs.extend([("m/".into(), String::new()), ("new/".into(), String::new())]);
        expected_dirs.sort();
        assert_eq!(snapshot(dir.path()), expected_dirs);

        // The others changed, the late files not: they stay, unchanged.
        let changed = [file("m/b.rs", "2"), file("a.rs", "one")];
        let (report, ..) = write_late(dir.path(), &changed, Ok(late.clone()), Mode::Write);
        let report = report.unwrap();
        assert_eq!((report.written, report.removed), (vec!["a.rs".to_owned()], vec![]));
        assert_eq!(report.unchanged, ["m/b.rs", "lock.json", "m/late.rs", "new/late.rs"]);

        // Only a late file changed, and one is no longer made: both are seen.
        let fewer = vec![file("lock.json", "L2"), file("m/late.rs", "3")];
        let (report, ..) = write_late(dir.path(), &changed, Ok(fewer.clone()), Mode::Check);
        let report = report.unwrap();
        assert_eq!((report.written, report.removed), (vec!["lock.json".to_owned()], vec!["new/late.rs".to_owned()]));
        assert!(report.diff.contains("+L2") && report.diff.contains("-4"), "{}", report.diff);
        let (report, ..) = write_late(dir.path(), &changed, Ok(fewer), Mode::Write);
        let report = report.unwrap();
        assert_eq!((report.written, report.removed), (vec!["lock.json".to_owned()], vec!["new/late.rs".to_owned()]));
        assert_eq!(fs::read_to_string(dir.path().join("lock.json")).unwrap(), file("lock.json", "L2").contents);
        assert!(!dir.path().join("new").exists() && !dir.path().join(STAGING).exists());
    }

    #[test]
    fn a_late_failure_or_a_late_file_in_the_way_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("a.rs", "1"), file("lock.json", "L")], Mode::Write).unwrap();
        fs::write(dir.path().join("notes.md"), "mine").unwrap();
        let before = snapshot(dir.path());
        let next = [file("a.rs", "2"), file("fresh/b.rs", "3")];
        let refused = Diagnostics::one(Diagnostic::new("the surface could not be listed"));
        let in_the_way = vec![file("lock.json", "L2"), file("notes.md", "generated now")];
        for (late, says) in [(Err(refused), "the surface could not be listed"), (Ok(in_the_way), "notes.md")] {
            let (report, seen) = write_late(dir.path(), &next, late, Mode::Write);
            let e = report.unwrap_err().render();
            assert!(e.contains(says), "{e}");
            assert_eq!(seen.and_then(|(_, late)| late), None, "beside waits for late files in vain");
            assert_eq!(snapshot(dir.path()), before, "{e}");
        }
    }

    #[test]
    fn hand_written_files_in_the_way_of_late_files_are_named_with_the_others() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.rs"), "mine").unwrap();
        fs::write(dir.path().join("lock.json"), "mine too").unwrap();
        let before = snapshot(dir.path());
        for mode in [Mode::Write, Mode::Check] {
            let files = [file("a.rs", "1"), file("b.rs", "2")];
            let (report, _) = write_late(dir.path(), &files, Ok(vec![file("lock.json", "L")]), mode);
            let e = report.unwrap_err().render();
            assert!(e.contains("2 file(s) in the way") && e.contains("a.rs") && e.contains("lock.json"), "{e}");
            assert_eq!(snapshot(dir.path()), before, "{mode:?}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn late_files_that_change_cost_no_sync_more() {
        let dir = tempfile::tempdir().unwrap();
        let many: Vec<OutputFile> = (0..40).map(|i| file(&format!("m/f{i}.rs"), &i.to_string())).collect();
        let before = durable::syncs();
        let (report, ..) = write_late(dir.path(), &many, Ok(vec![file("lock.json", "L")]), Mode::Write);
        assert_eq!(report.unwrap().written.len(), 41);
        // The staged files, then the late one with the journal, then its folder.
        assert_eq!(durable::syncs() - before, 3);
    }

    #[test]
    fn a_file_where_a_folder_must_go_is_an_error_that_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("src"), "hand-written, in the way").unwrap();
        fs::write(dir.path().join("lib.rs"), file("lib.rs", "old").contents).unwrap();
        let before = snapshot(dir.path());
        for files in [vec![file("lib.rs", "new"), file("src/a.rs", "1")], vec![file("src/deeper/a.rs", "1")]] {
            // Refused before anything is staged, in both modes: `--check`
            // must not call stale what `generate` could never write.
            for mode in [Mode::Check, Mode::Write] {
                let e = write(dir.path(), &files, mode).unwrap_err().render();
                assert!(e.contains("cannot read") && e.contains("src"), "{mode:?}: {e}");
                assert_eq!(snapshot(dir.path()), before);
            }
        }
    }

    #[test]
    fn rejects_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(dir.path(), &[file("../x.rs", "1")], Mode::Write).is_err());
    }
}
