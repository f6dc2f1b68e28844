//! The record of the last generation, kept beside the output in
//! `.ccgen-cache/record.json` (git ignores it: the folder holds its own
//! `.gitignore`): which generator made the output, from which spec files (a
//! hash of each), and what it wrote (a hash, size and modification time of
//! each output file). With it, a `generate` whose inputs did not change
//! proves the output current without loading, checking or emitting, and
//! without reading an output whose size and time are as recorded.
//!
//! It is local state, like a build folder, not part of the committed lock
//! file: it names the generator down to a hash of its sources, which
//! changes with every edit of the generator. Only `generate` trusts it;
//! `--check` never does, and compares every byte.

use std::collections::BTreeMap;
use std::fs;
use std::hash::Hasher as _;
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::emit::OutputFile;

/// The folder of the record, inside the output directory.
pub const FOLDER: &str = ".ccgen-cache";
const FILE: &str = "record.json";

/// What a generation was made by and from, and what it wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The generator: its version and a hash of its sources.
    pub generator: String,
    /// Every file of the spec tree, relative to it, with a hash of its bytes.
    pub inputs: BTreeMap<String, String>,
    /// Every output file, relative to the output directory.
    pub outputs: BTreeMap<String, Output>,
}

/// One output file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub hash: String,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub modified: u128,
}

/// This generator: a change to its sources changes what it may emit.
pub fn generator() -> String {
    format!("ccgen {}+{}", env!("CARGO_PKG_VERSION"), env!("CCGEN_SOURCE_HASH"))
}

/// A hash of `bytes`, with their length.
pub fn hash(bytes: &[u8]) -> String {
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    format!("{:016x}-{}", h.finish(), bytes.len())
}

/// Every file below `spec_dir` (hidden ones too), with its hash.
pub fn inputs(spec_dir: &Path) -> io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(spec_dir.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            // Links are followed, as the loader follows them.
            if fs::metadata(entry.path())?.is_dir() {
                stack.push((entry.path(), child));
            } else {
                out.insert(child, hash(&fs::read(entry.path())?));
            }
        }
    }
    Ok(out)
}

/// Size and modification time of a file.
fn stat(path: &Path) -> io::Result<(u64, u128)> {
    let meta = fs::metadata(path)?;
    let modified = meta.modified()?.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    Ok((meta.len(), modified))
}

/// The record of a generation that left `files` in `out_dir` from `inputs`.
pub fn of(inputs: BTreeMap<String, String>, out_dir: &Path, files: &[OutputFile]) -> io::Result<Record> {
    let mut outputs = BTreeMap::new();
    for f in files {
        let (size, modified) = stat(&out_dir.join(&f.path))?;
        outputs.insert(f.path.clone(), Output { hash: hash(f.contents.as_bytes()), size, modified });
    }
    Ok(Record { generator: generator(), inputs, outputs })
}

/// The record left in `out_dir`, if there is one that reads.
pub fn load(out_dir: &Path) -> Option<Record> {
    serde_json::from_slice(&fs::read(out_dir.join(FOLDER).join(FILE)).ok()?).ok()
}

/// Leaves `record` in `out_dir` (written aside, then renamed into place).
pub fn save(out_dir: &Path, record: &Record) -> io::Result<()> {
    let folder = out_dir.join(FOLDER);
    fs::create_dir_all(&folder)?;
    fs::write(folder.join(".gitignore"), "# ccgen's record of the last generation: never committed.\n*\n")?;
    let tmp = folder.join("record.json.tmp");
    fs::write(&tmp, serde_json::to_vec(record).map_err(io::Error::other)?)?;
    fs::rename(tmp, folder.join(FILE))
}

/// Forgets the record, before the output changes under it.
pub fn forget(out_dir: &Path) -> io::Result<()> {
    match fs::remove_file(out_dir.join(FOLDER).join(FILE)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// True when every output in `record` is on disk as recorded: same size and
/// time, or else same bytes. `restamped` gets the outputs whose time moved
/// but whose bytes did not (a checkout touched them), with their new stat.
pub fn outputs_intact(out_dir: &Path, record: &Record, restamped: &mut Vec<(String, u64, u128)>) -> bool {
    record.outputs.iter().all(|(rel, want)| {
        let path = out_dir.join(rel);
        match stat(&path) {
            Ok((size, modified)) if size == want.size && modified == want.modified => true,
            Ok((size, modified)) if size == want.size => {
                let same = fs::read(&path).is_ok_and(|bytes| hash(&bytes) == want.hash);
                if same {
                    restamped.push((rel.clone(), size, modified));
                }
                same
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(dir: &Path, files: &[(&str, &str)]) -> Vec<OutputFile> {
        files
            .iter()
            .map(|(p, c)| {
                fs::write(dir.join(p), c).unwrap();
                OutputFile { path: (*p).into(), contents: (*c).into() }
            })
            .collect()
    }

    #[test]
    fn a_saved_record_loads_and_sees_an_edit_of_the_same_size() {
        let dir = tempfile::tempdir().unwrap();
        let files = out(dir.path(), &[("a.rs", "one"), ("b.rs", "two")]);
        let record = of(BTreeMap::new(), dir.path(), &files).unwrap();
        save(dir.path(), &record).unwrap();
        assert_eq!(load(dir.path()).as_ref(), Some(&record));
        assert!(outputs_intact(dir.path(), &record, &mut Vec::new()));
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(dir.path().join("b.rs"), "TWO").unwrap();
        assert!(!outputs_intact(dir.path(), &record, &mut Vec::new()), "same size, other bytes");
        fs::write(dir.path().join("b.rs"), "two").unwrap();
        let mut restamped = Vec::new();
        assert!(outputs_intact(dir.path(), &record, &mut restamped), "touched, same bytes");
        assert_eq!(restamped.len(), 1);
        forget(dir.path()).unwrap();
        assert_eq!(load(dir.path()), None);
    }

    #[test]
    fn hashes_differ_for_different_bytes_and_lengths() {
        assert_ne!(hash(b"a"), hash(b"b"));
        assert_ne!(hash(b""), hash(b"\0"));
        assert_eq!(hash(b"same"), hash(b"same"));
    }
}
