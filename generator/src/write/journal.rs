//! The staging folder and its journal: what lets a run killed between two
//! renames be finished by the next one.
//!
//! The folder has a fixed name inside the output, so the next run finds it,
//! and holds a `.gitignore` of its own, so git never lists it. The journal is
//! committed (written aside, synced, renamed) only once every new content is
//! staged in full; its presence means "these renames are under way".

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The staging folder, inside the output directory.
pub const STAGING: &str = ".ccgen-staging";
/// Folders of earlier ccgen versions, which staged in a randomly named folder.
const LEGACY_PREFIX: &str = ".ccgen-staging-";
const JOURNAL: &str = "journal.json";
const JOURNAL_TMP: &str = "journal.json.tmp";
const IGNORE: &str = ".gitignore";

/// One rename of a run, as the journal records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(super) enum Step {
    /// `staged` (a file in the staging folder, at its top or below a
    /// `dir-<k>` folder) replaces or creates `path`.
    Write { path: String, staged: String },
    /// `path` is removed.
    Remove { path: String },
}

/// What finishing an interrupted run did, paths relative to the output.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Files moved into place.
    pub written: Vec<String>,
    /// Files removed.
    pub removed: Vec<String>,
}

/// True when a run was interrupted during its renames.
pub(super) fn pending(out_dir: &Path) -> bool {
    out_dir.join(STAGING).join(JOURNAL).is_file()
}

/// A fresh, empty staging folder with its `.gitignore`.
pub(super) fn create(out_dir: &Path) -> io::Result<PathBuf> {
    let staging = out_dir.join(STAGING);
    fs::create_dir(&staging)?;
    fs::write(staging.join(IGNORE), "# ccgen's staging folder: never committed.\n*\n")?;
    Ok(staging)
}

/// Records `steps` as under way. Before this, an interruption has touched
/// nothing in the output; after it, the next run finishes the steps. The
/// staged files of `unsynced` are made durable with the journal.
pub(super) fn commit(staging: &Path, steps: &[Step], unsynced: &[&Path]) -> io::Result<()> {
    let text = serde_json::to_string_pretty(steps).map_err(io::Error::other)?;
    let tmp = staging.join(JOURNAL_TMP);
    fs::File::create(&tmp)?.write_all(text.as_bytes())?;
    let with_journal: Vec<&Path> = unsynced.iter().copied().chain([tmp.as_path()]).collect();
    super::durable::sync_files(staging, &with_journal)?;
    fs::rename(&tmp, staging.join(JOURNAL))?;
    // The rename itself must be durable before any output file moves.
    super::durable::sync(&fs::File::open(staging)?)
}

/// Names of files ccgen creates at the top of a staging folder; nothing else is ever deleted there.
fn is_ours(name: &str) -> bool {
    [JOURNAL, JOURNAL_TMP, IGNORE].contains(&name)
        || numbered(name, "new-")
        || numbered(name, "old-")
        || numbered(name, "removed-")
}

/// True for `<prefix><number>`.
fn numbered(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|n| n.parse::<usize>().is_ok())
}

/// True for a folder ccgen stages a new output folder in: `dir-<k>`.
fn is_our_folder(name: &str) -> bool {
    numbered(name, "dir-")
}

/// True for a staged name a journal may give: one of ours at the top, or a
/// path inside one of our folders.
fn is_staged_name(staged: &str) -> bool {
    match staged.split_once('/') {
        None => is_ours(staged),
        Some((folder, rest)) => is_our_folder(folder) && is_relative_inside(rest),
    }
}

/// Removes a staging folder: the journal first (after that there is nothing
/// left to finish), then the files ccgen put there, then the folder. A file
/// it did not put there is left alone, and the folder with it.
pub(super) fn discard(staging: &Path) -> io::Result<()> {
    match fs::remove_file(staging.join(JOURNAL)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut foreign = Vec::new();
    for entry in fs::read_dir(staging)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if is_ours(&name) && kind.is_file() {
            fs::remove_file(entry.path())?;
        } else if is_our_folder(&name) && kind.is_dir() {
            // Holds only what this run staged for a new output folder.
            fs::remove_dir_all(entry.path())?;
        } else {
            foreign.push(name);
        }
    }
    if !foreign.is_empty() {
        return Err(io::Error::other(format!(
            "{} holds files ccgen did not put there ({}); move them away",
            staging.display(),
            foreign.join(", ")
        )));
    }
    fs::remove_dir(staging)
}

/// Finishes a run interrupted during its renames, and clears what any
/// interrupted run left behind. `None` when there was nothing to finish.
pub(super) fn recover(out_dir: &Path) -> io::Result<Option<Recovered>> {
    for entry in fs::read_dir(out_dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // An earlier version kept no journal: its leftovers can only be cleared.
        if name.starts_with(LEGACY_PREFIX) && entry.file_type()?.is_dir() {
            discard(&entry.path())?;
        }
    }
    let staging = out_dir.join(STAGING);
    if !staging.is_dir() {
        return Ok(None);
    }
    let recovered = match fs::read_to_string(staging.join(JOURNAL)) {
        Ok(text) => {
            let steps: Vec<Step> = serde_json::from_str(&text)
                .map_err(|e| io::Error::other(format!("{}: unreadable journal: {e}", staging.display())))?;
            Some(roll_forward(out_dir, &staging, &steps)?)
        }
        // Interrupted while staging: nothing in the output was touched.
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    discard(&staging)?;
    Ok(recovered)
}

/// Does what is left of `steps`; each is skipped when already done.
fn roll_forward(out_dir: &Path, staging: &Path, steps: &[Step]) -> io::Result<Recovered> {
    let mut done = Recovered::default();
    for step in steps {
        let (Step::Write { path, .. } | Step::Remove { path }) = step;
        if !is_relative_inside(path) {
            return Err(io::Error::other(format!(
                "{}: journal names a path outside the output: {path}",
                staging.display()
            )));
        }
        let target = out_dir.join(path);
        match step {
            Step::Write { staged, .. } => {
                let from = staging.join(staged);
                if !is_staged_name(staged) || !from.is_file() {
                    continue;
                }
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::rename(&from, &target)?;
                done.written.push(path.clone());
            }
            Step::Remove { .. } => {
                if target.is_file() && super::is_generated(&super::head(&target)?) {
                    fs::remove_file(&target)?;
                    super::remove_empty_parents(out_dir, path);
                    done.removed.push(path.clone());
                }
            }
        }
    }
    Ok(done)
}

/// A `/`-separated relative path with no `.`, `..` or empty parts.
pub(super) fn is_relative_inside(path: &str) -> bool {
    !path.split('/').any(|part| part.is_empty() || part == "." || part == "..") && !path.contains('\\')
}
