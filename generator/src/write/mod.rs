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

mod durable;
mod journal;

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::{GENERATED_MARKER, OutputFile};
use journal::Step;
pub use journal::{Recovered, STAGING};

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
    write_beside(out_dir, files, mode, known, |_| ()).0
}

/// [`write_known`], running `beside` meanwhile: while the disk makes the
/// staged files durable, when anything is written (otherwise once the
/// output is found current). `beside` gets the [`Stats`] of the files
/// written. It does not run when writing failed before it could. It runs
/// on a thread of its own, which this thread waits for: when called from a
/// rayon worker, `beside`'s own parallel work needs another worker free.
pub fn write_beside<T: Send>(
    out_dir: &Path,
    files: &[OutputFile],
    mode: Mode,
    known: &(dyn Fn(&str) -> bool + Sync),
    beside: impl FnOnce(&Stats) -> T + Send,
) -> (Result<WriteReport, Diagnostics>, Option<T>) {
    let mut beside = Some(beside);
    let mut done = None;
    let report = compare_and_apply(out_dir, files, mode, known, &mut |stats| {
        done = beside.take().map(|f| f(stats));
    });
    (report, done)
}

fn compare_and_apply(
    out_dir: &Path,
    files: &[OutputFile],
    mode: Mode,
    known: &(dyn Fn(&str) -> bool + Sync),
    beside: &mut (dyn FnMut(&Stats) + Send),
) -> Result<WriteReport, Diagnostics> {
    let err = |m: String| Diagnostics::one(Diagnostic::new(m));
    let mut report = WriteReport::default();
    match mode {
        Mode::Check if journal::pending(out_dir) => {
            return Err(err(format!(
                "{} holds an interrupted `generate`: some files may be old and some new; \
                 run `cargo run -p ccgen -- generate` to finish it",
                out_dir.join(STAGING).display()
            )));
        }
        Mode::Check => {}
        Mode::Write => report.recovered = recover(out_dir)?,
    }
    let mut changes: Vec<(&OutputFile, PathBuf)> = Vec::new();
    for file in files {
        if !journal::is_relative_inside(&file.path) {
            return Err(err(format!("refusing to write outside the output directory: {}", file.path)));
        }
    }
    // Every existing file is read and compared on all cores; the verdicts are
    // then taken in order, so the report does not depend on the scheduling.
    // A file whose folder is missing is not looked for: in a fresh output
    // that is every file.
    let folders = folders_present(out_dir, files);
    let compared: Vec<(PathBuf, Option<std::io::Result<Vec<u8>>>)> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|file| {
                let target = out_dir.join(&file.path);
                let absent = file.path.rsplit_once('/').is_some_and(|(folder, _)| !folders[folder]);
                let existing = (mode == Mode::Check || !known(&file.path)).then(|| match absent {
                    true => Err(std::io::ErrorKind::NotFound.into()),
                    false => fs::read(&target),
                });
                (target, existing)
            })
            .collect()
    };
    // Every file in the way is named at once: naming the first only would
    // have the user clear them one run at a time.
    let mut foreign: Vec<String> = Vec::new();
    for (file, (target, existing)) in files.iter().zip(compared) {
        let Some(existing) = existing else {
            report.unchanged.push(file.path.clone());
            continue;
        };
        match existing {
            Ok(existing) if existing == file.contents.as_bytes() => report.unchanged.push(file.path.clone()),
            Ok(existing) => {
                if !is_generated(&existing) {
                    foreign.push(target.display().to_string());
                    continue;
                }
                if mode == Mode::Check {
                    report.diff.push_str(&unified(&file.path, &String::from_utf8_lossy(&existing), &file.contents));
                }
                report.written.push(file.path.clone());
                changes.push((file, target));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if mode == Mode::Check {
                    report.diff.push_str(&unified(&file.path, "", &file.contents));
                }
                report.written.push(file.path.clone());
                changes.push((file, target));
            }
            Err(e) => return Err(err(format!("cannot read {}: {e}", target.display()))),
        }
    }
    if !foreign.is_empty() {
        let list: String = foreign.iter().map(|path| format!("\n  {path}")).collect();
        return Err(err(format!(
            "{} file(s) in the way were not generated by ccgen; move them away or delete them first:{list}",
            foreign.len()
        )));
    }
    let produced: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut stale = Vec::new();
    for rel in owned_files(out_dir) {
        if !produced.contains(rel.as_str()) {
            if mode == Mode::Check {
                let old = fs::read_to_string(out_dir.join(&rel)).unwrap_or_default();
                report.diff.push_str(&unified(&rel, &old, ""));
            }
            stale.push(rel);
        }
    }
    report.removed = stale.clone();
    if mode == Mode::Check || (changes.is_empty() && stale.is_empty()) {
        beside(&Stats::new());
        return Ok(report);
    }
    apply(out_dir, &changes, &stale, beside).map_err(|e| err(format!("writing the output failed: {e}")))?;
    Ok(report)
}

/// Whether each folder that holds one of `files` may be in `out_dir`: false
/// only when it is known not to exist. Anything else in its place (a file,
/// a folder that cannot be searched) counts as present, so that reading the
/// file reports it as before.
fn folders_present<'a>(out_dir: &Path, files: &'a [OutputFile]) -> std::collections::HashMap<&'a str, bool> {
    let mut present = std::collections::HashMap::new();
    for file in files {
        if let Some((folder, _)) = file.path.rsplit_once('/') {
            present.entry(folder).or_insert_with(
                || !matches!(fs::metadata(out_dir.join(folder)), Err(e) if e.kind() == std::io::ErrorKind::NotFound),
            );
        }
    }
    present
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

fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
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

/// One rename that puts staged content into place: a file, or a whole
/// staged folder whose target folder does not exist yet.
struct Move {
    from: PathBuf,
    to: PathBuf,
    folder: bool,
}

/// Stages, then renames into place (see the module docs); `beside` runs
/// while the staged files are made durable.
fn apply(
    out_dir: &Path,
    changes: &[(&OutputFile, PathBuf)],
    stale: &[String],
    beside: &mut (dyn FnMut(&Stats) + Send),
) -> std::io::Result<()> {
    fs::create_dir_all(out_dir).map_err(at(out_dir))?;
    let staging = journal::create(out_dir).map_err(at(&out_dir.join(STAGING)))?;
    // Stage every new file first: a failure here has touched nothing.
    let moves = match stage(out_dir, &staging, changes, stale, beside) {
        Ok(moves) => moves,
        Err(e) => {
            let _ = journal::discard(&staging);
            return Err(e);
        }
    };
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
        return Err(roll_back(e, journal, &created_dirs, &staging));
    }
    journal::discard(&staging)?;
    // Folders emptied by removals go too, so a removed resource leaves no trace.
    for rel in stale {
        remove_empty_parents(out_dir, rel);
    }
    Ok(())
}

/// The outermost folder above `rel` (a file's path) that does not exist in
/// `out_dir`, as a relative path; `None` when the file's folder exists.
/// `exists` remembers what was looked up.
fn missing_folder(out_dir: &Path, rel: &str, exists: &mut std::collections::HashMap<String, bool>) -> Option<String> {
    let mut end = 0;
    while let Some(slash) = rel[end..].find('/') {
        let dir = &rel[..end + slash];
        let present = *exists.entry(dir.to_owned()).or_insert_with(|| out_dir.join(dir).is_dir());
        if !present {
            return Some(dir.to_owned());
        }
        end += slash + 1;
    }
    None
}

/// Where each change is staged and how it goes into place.
///
/// A file whose folder exists is staged as `new-<i>` and renamed alone. The
/// files below a folder that does not exist yet are staged in a folder of
/// their own, `dir-<k>/<path below it>`, which then goes into place with
/// one rename: a fresh output is a handful of renames, not one per file.
struct Plan {
    /// The staged name of each change, relative to the staging folder.
    names: Vec<String>,
    /// The folders to make in the staging folder, parents first.
    folders: std::collections::BTreeSet<String>,
    /// The renames, in order.
    moves: Vec<Move>,
}

fn plan(out_dir: &Path, staging: &Path, changes: &[(&OutputFile, PathBuf)]) -> Plan {
    let mut exists = std::collections::HashMap::new();
    let mut staged_folder: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut plan = Plan { names: Vec::with_capacity(changes.len()), folders: Default::default(), moves: Vec::new() };
    for (i, (file, target)) in changes.iter().enumerate() {
        let name = match missing_folder(out_dir, &file.path, &mut exists) {
            None => {
                let name = format!("new-{i}");
                plan.moves.push(Move { from: staging.join(&name), to: target.clone(), folder: false });
                name
            }
            Some(folder) => {
                let next = staged_folder.len();
                let k = *staged_folder.entry(folder.clone()).or_insert_with(|| {
                    let from = staging.join(format!("dir-{next}"));
                    plan.moves.push(Move { from, to: out_dir.join(&folder), folder: true });
                    next
                });
                let name = format!("dir-{k}/{}", &file.path[folder.len() + 1..]);
                if let Some((dir, _)) = name.rsplit_once('/') {
                    plan.folders.insert(dir.to_owned());
                }
                name
            }
        };
        plan.names.push(name);
    }
    plan
}

/// Writes each new content in full into the staging folder (see [`Plan`]),
/// then commits the journal; `beside` runs while they are made durable,
/// with the stat of each. Returns the renames that put them into place, in
/// order. The journal lists every file, so a run killed part-way is
/// finished file by file.
fn stage(
    out_dir: &Path,
    staging: &Path,
    changes: &[(&OutputFile, PathBuf)],
    stale: &[String],
    beside: &mut (dyn FnMut(&Stats) + Send),
) -> std::io::Result<Vec<Move>> {
    use rayon::prelude::*;
    let Plan { names, folders, moves } = plan(out_dir, staging, changes);
    for dir in &folders {
        let dir = staging.join(dir);
        fs::create_dir_all(&dir).map_err(at(&dir))?;
    }
    // Written on all cores; the journal lists them in order.
    let stats: Stats = changes
        .par_iter()
        .zip(&names)
        .map(|((file, _), name)| {
            let path = staging.join(name);
            let stage_one = || -> std::io::Result<_> {
                let mut staged = fs::File::create(&path)?;
                staged.write_all(file.contents.as_bytes())?;
                staged.metadata()
            };
            let meta = stage_one().map_err(at(&path))?;
            Ok((file.path.clone(), crate::record::stat_of(&meta)))
        })
        .collect::<std::io::Result<_>>()?;
    // Durable before the journal says "under way": one sync for them all.
    let staged: Vec<PathBuf> = names.iter().chain(&folders).map(|n| staging.join(n)).collect();
    let staged: Vec<&Path> = staged.iter().map(PathBuf::as_path).collect();
    // The sync mostly waits for the disk. It stays on this thread, which
    // the tests count syncs on.
    std::thread::scope(|scope| {
        let side = scope.spawn(|| beside(&stats));
        let synced = durable::sync_files(staging, &staged);
        side.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        synced
    })?;
    let writes = changes.iter().zip(names).map(|((file, _), staged)| Step::Write { path: file.path.clone(), staged });
    let steps: Vec<Step> = writes.chain(stale.iter().map(|rel| Step::Remove { path: rel.clone() })).collect();
    journal::commit(staging, &steps)?;
    Ok(moves)
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
        let (report, stats) = write_beside(dir.path(), &files, Mode::Write, &|_| false, Stats::clone);
        let (report, stats) = (report.unwrap(), stats.expect("beside ran"));
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
        let count = |stats: &Stats| {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            stats.len()
        };
        let (report, seen) = write_beside(dir.path(), &files, Mode::Write, &|_| false, count);
        assert!(report.unwrap().is_clean());
        assert_eq!((seen, runs.load(std::sync::atomic::Ordering::Relaxed)), (Some(0), 1));
        let (report, seen) = write_beside(dir.path(), &[file("../x.rs", "1")], Mode::Write, &|_| false, count);
        assert!(report.is_err() && seen.is_none());
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
