//! Where each new content is staged, and how it goes into place.
//!
//! A file whose folder exists is staged as `new-<i>` and renamed alone. The
//! files below a folder that does not exist yet are staged in a folder of
//! their own, `dir-<k>/<path below it>`, which then goes into place with
//! one rename: a fresh output is a handful of renames, not one per file.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::compare::Change;
use super::{Stats, at};

/// One rename that puts staged content into place: a file, or a whole
/// staged folder whose target folder does not exist yet.
pub(super) struct Move {
    pub from: PathBuf,
    pub to: PathBuf,
    pub folder: bool,
}

/// The staging of every change planned so far.
#[derive(Default)]
pub(super) struct Plan {
    /// The staged name of each change, relative to the staging folder.
    pub names: Vec<String>,
    /// The renames, in order.
    pub moves: Vec<Move>,
    /// Whether each folder of the output exists, as looked up.
    exists: HashMap<String, bool>,
    /// The staged folder (its `k`) of each output folder that does not exist yet.
    staged_folder: HashMap<String, usize>,
}

impl Plan {
    /// Plans `changes` after those planned before, and returns the folders
    /// to make for them in the staging folder (relative to it), parents
    /// first. Their staged names are the last `changes.len()` of `names`.
    pub fn add(&mut self, out_dir: &Path, staging: &Path, changes: &[Change<'_>]) -> BTreeSet<String> {
        let mut folders = BTreeSet::new();
        for (file, target) in changes {
            let i = self.names.len();
            let name = match missing_folder(out_dir, &file.path, &mut self.exists) {
                None => {
                    let name = format!("new-{i}");
                    self.moves.push(Move { from: staging.join(&name), to: target.clone(), folder: false });
                    name
                }
                Some(folder) => {
                    let next = self.staged_folder.len();
                    let moves = &mut self.moves;
                    let k = *self.staged_folder.entry(folder.clone()).or_insert_with(|| {
                        let from = staging.join(format!("dir-{next}"));
                        moves.push(Move { from, to: out_dir.join(&folder), folder: true });
                        next
                    });
                    let name = format!("dir-{k}/{}", &file.path[folder.len() + 1..]);
                    // Every folder above the file, so that each folder's
                    // entry is made durable where folders are synced one by one.
                    let mut dir = name.as_str();
                    while let Some((parent, _)) = dir.rsplit_once('/') {
                        folders.insert(parent.to_owned());
                        dir = parent;
                    }
                    name
                }
            };
            self.names.push(name);
        }
        folders
    }
}

/// The outermost folder above `rel` (a file's path) that does not exist in
/// `out_dir`, as a relative path; `None` when the file's folder exists.
/// `exists` remembers what was looked up.
fn missing_folder(out_dir: &Path, rel: &str, exists: &mut HashMap<String, bool>) -> Option<String> {
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

/// Makes `folders` in `staging`, then writes each change in full under its
/// staged name, on all cores. Returns the stat of each, by output path.
pub(super) fn files(
    staging: &Path,
    changes: &[Change<'_>],
    names: &[String],
    folders: &BTreeSet<String>,
) -> std::io::Result<Stats> {
    use rayon::prelude::*;
    for dir in folders {
        let dir = staging.join(dir);
        fs::create_dir_all(&dir).map_err(at(&dir))?;
    }
    changes
        .par_iter()
        .zip(names)
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
        .collect()
}

/// The staged paths of `names` and the folders made for them, to be made durable.
pub(super) fn paths(staging: &Path, names: &[String], folders: &BTreeSet<String>) -> Vec<PathBuf> {
    names.iter().chain(folders).map(|n| staging.join(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::OutputFile;

    #[test]
    fn a_new_folder_is_staged_whole_with_every_folder_above_each_file_listed() {
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir(out.path().join("kept")).unwrap();
        let staging = out.path().join(".staging");
        let files = ["kept/a.rs", "n/m/c.rs"].map(|path| OutputFile { path: path.into(), contents: String::new() });
        let changes: Vec<Change<'_>> = files.iter().map(|f| (f, out.path().join(&f.path))).collect();
        let mut plan = Plan::default();
        let folders = plan.add(out.path(), &staging, &changes);
        assert_eq!(plan.names, ["new-0", "dir-0/m/c.rs"]);
        // `dir-0` holds the entry of `m`: where folders are synced one by one, both are.
        assert_eq!(folders.into_iter().collect::<Vec<_>>(), ["dir-0", "dir-0/m"]);
        let moves: Vec<_> =
            plan.moves.iter().map(|m| (m.to.strip_prefix(out.path()).unwrap().to_owned(), m.folder)).collect();
        assert_eq!(moves, [("kept/a.rs".into(), false), ("n".into(), true)]);
        // A later batch goes on with the same numbering and staged folders.
        let late = [OutputFile { path: "n/late.rs".into(), contents: String::new() }];
        let later: Vec<Change<'_>> = late.iter().map(|f| (f, out.path().join(&f.path))).collect();
        assert_eq!(plan.add(out.path(), &staging, &later).into_iter().collect::<Vec<_>>(), ["dir-0"]);
        assert_eq!(plan.names[2], "dir-0/late.rs");
        assert_eq!(plan.moves.len(), 2, "no rename of its own: it goes with its folder");
    }
}
