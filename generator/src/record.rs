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

use std::collections::{BTreeMap, HashMap};
use std::fs;
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
    /// Size and modification time of each input when it was hashed, and
    /// when that was: a file whose stat is unchanged and older than the
    /// hashing is not read again (see [`Inputs::since`]).
    #[serde(default)]
    pub input_stats: BTreeMap<String, (u64, u128)>,
    /// When the inputs were hashed, in nanoseconds since the Unix epoch.
    #[serde(default)]
    pub read_at: u128,
    /// Every output file, relative to the output directory.
    pub outputs: BTreeMap<String, Output>,
}

/// The spec files of a generation: a hash of each, its stat, and when they were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub hashes: BTreeMap<String, String>,
    pub stats: BTreeMap<String, (u64, u128)>,
    /// Nanoseconds since the Unix epoch, taken before the first file was read.
    pub read_at: u128,
}

/// A file's stat is trusted only when it is older than the hashing by this
/// much: file times come from a coarse clock, so a file written again just
/// after it was hashed could keep its time (git calls this "racily clean").
const RACY_NANOS: u128 = 100_000_000;

impl Inputs {
    /// Every file below `spec_dir`, each hashed.
    pub fn read(spec_dir: &Path) -> io::Result<Self> {
        Self::since(spec_dir, &Record::default())
    }

    /// Every file below `spec_dir`, reusing `record`'s hash of each file
    /// whose size and time are as recorded and were so well before the
    /// record's hashing; every other file is read and hashed.
    pub fn since(spec_dir: &Path, record: &Record) -> io::Result<Self> {
        Self::gather(spec_dir, now(), |rel, path| {
            let stat = stat(path)?;
            let hash = match record.inputs.get(rel) {
                Some(hash) if record.trusts(rel, stat) => hash.clone(),
                _ => hash(&fs::read(path)?),
            };
            Ok((hash, stat))
        })
    }

    /// Every file below `spec_dir`: the ones in `read` (by path relative
    /// to `spec_dir`: their stat just before reading, and their bytes)
    /// hashed as read, every other file read here. `read_at` was taken
    /// before the first was read. Hashing the bytes that were loaded, rather
    /// than reading the files again, also leaves no moment in between for
    /// an edit to slip into the record unseen.
    pub fn with_read(spec_dir: &Path, read_at: u128, read: &HashMap<&str, (Stat, &[u8])>) -> io::Result<Self> {
        Self::gather(spec_dir, read_at, |rel, path| match read.get(rel) {
            Some((stat, bytes)) => Ok((hash(bytes), *stat)),
            None => {
                let stat = stat(path)?;
                Ok((hash(&fs::read(path)?), stat))
            }
        })
    }

    /// Every file below `spec_dir` with the hash and stat `each` gives it
    /// (from its path relative to `spec_dir` and its path), on every core.
    fn gather(
        spec_dir: &Path,
        read_at: u128,
        each: impl Fn(&str, &Path) -> io::Result<(String, Stat)> + Sync,
    ) -> io::Result<Self> {
        use rayon::prelude::*;
        let hashed: Vec<(String, String, Stat)> = files_below(spec_dir)?
            .into_par_iter()
            .map(|(rel, path)| each(&rel, &path).map(|(hash, stat)| (rel, hash, stat)))
            .collect::<io::Result<_>>()?;
        let mut inputs = Inputs { read_at, ..Inputs::default() };
        for (rel, hash, stat) in hashed {
            inputs.stats.insert(rel.clone(), stat);
            inputs.hashes.insert(rel, hash);
        }
        Ok(inputs)
    }
}

impl Record {
    /// True when an input at `rel` with `stat` is the one hashed in this
    /// record without reading it: same size and time, and that time well
    /// before the hashing.
    pub fn trusts(&self, rel: &str, stat: (u64, u128)) -> bool {
        self.input_stats.get(rel) == Some(&stat) && stat.1 + RACY_NANOS < self.read_at
    }
}

/// Now, in nanoseconds since the Unix epoch.
pub fn now() -> u128 {
    std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
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
    format!("{:016x}-{}", xxhash_rust::xxh3::xxh3_64(bytes), bytes.len())
}

/// Every file below `spec_dir` (hidden ones too): its path relative to
/// `spec_dir` and its path.
fn files_below(spec_dir: &Path) -> io::Result<Vec<(String, std::path::PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![(spec_dir.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            // Links are followed, as the loader follows them.
            if crate::load::entry_is_dir(&entry)? {
                stack.push((entry.path(), child));
            } else {
                out.push((child, entry.path()));
            }
        }
    }
    Ok(out)
}

/// A file's size and modification time (nanoseconds since the Unix epoch).
pub type Stat = (u64, u128);

/// Size and modification time of a file.
fn stat(path: &Path) -> io::Result<Stat> {
    Ok(stat_of(&fs::metadata(path)?))
}

/// Size and modification time (nanoseconds since the Unix epoch; 0 where
/// the platform has none) of a file's metadata.
pub fn stat_of(meta: &fs::Metadata) -> Stat {
    let modified = meta.modified().ok().and_then(|m| m.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    (meta.len(), modified)
}

/// The [`hash`] of each of `files`, by path, worked out on every core.
pub fn hashes(files: &[OutputFile]) -> BTreeMap<String, String> {
    use rayon::prelude::*;
    files.par_iter().map(|f| (f.path.clone(), hash(f.contents.as_bytes()))).collect()
}

/// The record of a generation that left the files of `hashes` (their
/// [`hashes`]) in `out_dir` from `inputs`. `known` holds the stat of the
/// files just written; the others are asked of the disk.
pub fn of(
    inputs: Inputs,
    out_dir: &Path,
    hashes: &BTreeMap<String, String>,
    known: &HashMap<String, Stat>,
) -> io::Result<Record> {
    use rayon::prelude::*;
    let outputs = hashes
        .par_iter()
        .map(|(path, hash)| {
            let (size, modified) = match known.get(path) {
                Some(&stat) => stat,
                None => stat(&out_dir.join(path))?,
            };
            Ok((path.clone(), Output { hash: hash.clone(), size, modified }))
        })
        .collect::<io::Result<_>>()?;
    let Inputs { hashes, stats, read_at } = inputs;
    Ok(Record { generator: generator(), inputs: hashes, input_stats: stats, read_at, outputs })
}

/// The record left in `out_dir`, if there is one that reads.
pub fn load(out_dir: &Path) -> Option<Record> {
    serde_json::from_slice(&fs::read(out_dir.join(FOLDER).join(FILE)).ok()?).ok()
}

/// The record's folder in `out_dir`, made if missing, with the `.gitignore`
/// that keeps it out of commits.
pub fn folder(out_dir: &Path) -> io::Result<std::path::PathBuf> {
    let folder = out_dir.join(FOLDER);
    fs::create_dir_all(&folder)?;
    fs::write(folder.join(".gitignore"), "# ccgen's record of the last generation: never committed.\n*\n")?;
    Ok(folder)
}

/// Leaves `record` in `out_dir` (written aside, then renamed into place).
pub fn save(out_dir: &Path, record: &Record) -> io::Result<()> {
    aside(out_dir, record)?.put()
}

/// `record` written aside in `out_dir`, to be [put](Aside::put) in place
/// once the output it describes is.
pub fn aside(out_dir: &Path, record: &Record) -> io::Result<Aside> {
    write_aside(out_dir, FILE, &serde_json::to_vec(record).map_err(io::Error::other)?)
}

/// A file of the record's folder written under a temporary name, so that
/// it says nothing until it is put in place.
#[derive(Debug)]
pub struct Aside {
    written: std::path::PathBuf,
    place: std::path::PathBuf,
}

impl Aside {
    /// Renames the file into its place.
    pub fn put(self) -> io::Result<()> {
        fs::rename(self.written, self.place)
    }

    /// Removes the file, which is not to be put in place.
    pub fn discard(self) -> io::Result<()> {
        fs::remove_file(self.written)
    }
}

/// Writes `bytes` aside, for the file `name` of the record's folder in `out_dir`.
pub fn write_aside(out_dir: &Path, name: &str, bytes: &[u8]) -> io::Result<Aside> {
    let folder = folder(out_dir)?;
    let written = folder.join(format!("{name}.tmp"));
    fs::write(&written, bytes)?;
    Ok(Aside { written, place: folder.join(name) })
}

/// True when this very generator wrote `bytes` as the output `rel` of
/// `out_dir`, as its record says.
pub fn written_here(out_dir: &Path, rel: &str, bytes: &[u8]) -> bool {
    load(out_dir)
        .is_some_and(|r| r.generator == generator() && r.outputs.get(rel).is_some_and(|o| o.hash == hash(bytes)))
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
    use rayon::prelude::*;
    // Each output: Some(None) as recorded, Some(Some(stat)) same bytes with a new stat, None changed.
    let checked: Option<Vec<Option<(String, u64, u128)>>> = record
        .outputs
        .par_iter()
        .map(|(rel, want)| {
            let path = out_dir.join(rel);
            match stat(&path) {
                Ok((size, modified)) if size == want.size && modified == want.modified => Some(None),
                Ok((size, modified)) if size == want.size => fs::read(&path)
                    .is_ok_and(|bytes| hash(&bytes) == want.hash)
                    .then(|| Some((rel.clone(), size, modified))),
                _ => None,
            }
        })
        .collect();
    match checked {
        Some(all) => {
            restamped.extend(all.into_iter().flatten());
            true
        }
        None => false,
    }
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
        let record = of(Inputs::default(), dir.path(), &hashes(&files), &HashMap::new()).unwrap();
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
    fn an_input_older_than_the_record_is_not_read_again_and_a_newer_one_is() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("api.yaml"), "one").unwrap();
        let first = Inputs::read(dir.path()).unwrap();
        assert_eq!(first.hashes["api.yaml"], hash(b"one"));
        let mut record = Record { inputs: first.hashes.clone(), input_stats: first.stats.clone(), ..Record::default() };
        // A hash the file could not give: seen again only if the file is not read.
        record.inputs.insert("api.yaml".into(), "recorded".into());
        let stat = first.stats["api.yaml"];
        record.read_at = stat.1 + RACY_NANOS + 1;
        assert_eq!(Inputs::since(dir.path(), &record).unwrap().hashes["api.yaml"], "recorded", "trusted by its stat");
        // Hashed so soon after it was written that a rewrite could keep its time: read again.
        record.read_at = stat.1 + RACY_NANOS;
        assert_eq!(Inputs::since(dir.path(), &record).unwrap().hashes["api.yaml"], hash(b"one"), "too new to trust");
        // Rewritten with the same size: a new time, so read again.
        record.read_at = u128::MAX / 2;
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(dir.path().join("api.yaml"), "two").unwrap();
        assert_eq!(Inputs::since(dir.path(), &record).unwrap().hashes["api.yaml"], hash(b"two"), "edited");
    }

    #[test]
    fn files_already_loaded_are_recorded_as_loaded_and_the_rest_as_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("voicecall")).unwrap();
        fs::write(dir.path().join("voicecall/callout.yaml"), "on disk now").unwrap();
        fs::write(dir.path().join("README.md"), "notes").unwrap();
        let read: HashMap<&str, ((u64, u128), &[u8])> = [("voicecall/callout.yaml", ((6, 7), &b"loaded"[..]))].into();
        let inputs = Inputs::with_read(dir.path(), 42, &read).unwrap();
        // What was loaded is what the record vouches for, even if the file changed since.
        assert_eq!(inputs.hashes["voicecall/callout.yaml"], hash(b"loaded"));
        assert_eq!(inputs.stats["voicecall/callout.yaml"], (6, 7));
        assert_eq!(inputs.hashes["README.md"], hash(b"notes"));
        assert_eq!(inputs.read_at, 42);
        assert_eq!(inputs.hashes.len(), 2);
    }

    #[test]
    fn hashes_differ_for_different_bytes_and_lengths() {
        assert_ne!(hash(b"a"), hash(b"b"));
        assert_ne!(hash(b""), hash(b"\0"));
        assert_eq!(hash(b"same"), hash(b"same"));
    }
}
