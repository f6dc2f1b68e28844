//! Reusing the two files of each interface whose inputs did not change.
//!
//! An interface's Rust module and docs page are made from its own part of
//! the IR and from API-wide facts: the settings, the error and event
//! catalogs, the event-polling interface (named in every sequence figure)
//! and the types several interfaces share. Each generation leaves, in
//! `.ccgen-cache/emit.json` beside the record, a key per interface (a hash of
//! the generator, those API-wide facts and the interface's IR) with a hash of
//! each file made from it, the Rust module's public surface, and where its
//! method is in `src/client.rs`. The next `generate` emits again only the
//! interfaces whose key changed; the others' files, and their methods, are
//! read back from the output, and used only when their bytes are still the
//! ones recorded. `--check` never reuses anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::emit::OutputFile;
use crate::emit::rust::SessionMethod;
use crate::ir::{Api, Interface, ResultShape};
use crate::record;

const FILE: &str = "emit.json";

/// What the last generation made from each interface, by spec source.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    interfaces: BTreeMap<String, Made>,
}

/// The files made from one interface under one key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Made {
    key: String,
    /// Each file's path, with a hash of its bytes.
    files: BTreeMap<String, String>,
    /// The public surface of its Rust module.
    surface: Vec<String>,
    /// Its method in `src/client.rs`, for an interface that acts for a
    /// signed-in agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<MethodAt>,
    /// A hash of the method's text, checked before the text is used: the
    /// rest of `src/client.rs` may have changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method_hash: Option<String>,
}

/// Where a session method's text is in `src/client.rs` as written, and its
/// public surface. The text itself is the file's: a third of the crate's
/// lines, which the cache need not hold twice. (A cache that held the text
/// does not read as this one, and is not used: its keys name an older
/// generator anyway.)
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MethodAt {
    start: usize,
    len: usize,
    surface: Vec<String>,
}

/// The interfaces of a generation whose files are reused, and those files.
#[derive(Debug, Default)]
pub struct Reuse {
    /// The key of every interface, by spec source; `None` until worked
    /// out (a fresh output has no cache to compare them with, so they are
    /// needed only for saving one: see [`Reuse::set_keys`]).
    keys: Option<BTreeMap<String, String>>,
    /// Spec sources of the interfaces not emitted again.
    sources: BTreeSet<String>,
    /// Their files, read back from the output.
    pub files: Vec<OutputFile>,
    /// The public surface of their Rust modules, by path.
    pub surfaces: BTreeMap<String, Vec<String>>,
    /// Their methods in `src/client.rs`, by spec source.
    pub methods: BTreeMap<String, SessionMethod>,
    /// Each interface's line of the lock file, when the keys were made
    /// from them here: the lock file needs the same lines.
    pub lines: Option<Vec<String>>,
}

impl Reuse {
    /// True when `it`'s files are reused rather than emitted.
    pub fn covers(&self, it: &Interface) -> bool {
        self.sources.contains(&it.source)
    }

    /// How many interfaces are reused.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// True when no interface is reused.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// True when the keys are still to be worked out ([`keys`]).
    pub fn lacks_keys(&self) -> bool {
        self.keys.is_none()
    }

    /// The keys [`keys`] worked out for the same API.
    pub fn set_keys(&mut self, keys: BTreeMap<String, String>) {
        self.keys = Some(keys);
    }
}

/// The two files of `it`.
fn paths(it: &Interface) -> [String; 2] {
    [crate::emit::rust::interface_path(it), crate::emit::docs::pages::interface_path(it)]
}

/// The key of every interface of `api`, given each interface's IR as JSON
/// (its line of the lock file, [`crate::changelog::interface_lines`]), in
/// `api`'s order. Every fact outside the interface that its module or page
/// shows belongs in `wide`; `tests/incremental.rs` edits each kind and
/// compares with a generation that reuses nothing. `shared_digest` is
/// [`crate::emit::rust::shared_digest`] of `api`.
pub fn keys_with(api: &Api, own: &[String], shared_digest: &str) -> BTreeMap<String, String> {
    let poll = api.interfaces.iter().find(|it| matches!(it.result, ResultShape::Event { .. }));
    let wide = serde_json::to_string(&(
        record::generator(),
        &api.settings,
        &api.errors,
        &api.events,
        poll.map(|it| (it.method.as_str(), &it.path)),
        shared_digest,
    ));
    // Without a key nothing is reused (`generate` reports the same failure
    // when it writes the lock file).
    let Ok(wide) = wide.map(|w| key(&[w.as_bytes()])) else { return BTreeMap::new() };
    api.interfaces
        .iter()
        .zip(own)
        .map(|(it, own)| (it.source.clone(), key(&[wide.as_bytes(), own.as_bytes()])))
        .collect()
}

/// A 128-bit hash of `parts`, each part's length included.
fn key(parts: &[&[u8]]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        h.update(&part.len().to_le_bytes());
        h.update(part);
    }
    format!("{:032x}", h.digest128())
}

/// What of `out_dir` can be reused for `api`: the files of every interface
/// whose key ([`keys`], with `shared_digest`) is as recorded and whose files
/// are on disk as written then.
pub fn plan(api: &Api, out_dir: &Path, shared_digest: &str) -> Reuse {
    use rayon::prelude::*;
    let Some(cache) = load(out_dir) else { return Reuse::default() };
    // Without a key nothing is reused.
    let lines = crate::changelog::interface_lines(api).ok();
    let keys = lines.as_deref().map(|lines| keys_with(api, lines, shared_digest)).unwrap_or_default();
    let found: Vec<(&Interface, Vec<OutputFile>, &Made)> = api
        .interfaces
        .par_iter()
        .filter_map(|it| {
            let made = cache.interfaces.get(&it.source)?;
            let expected: BTreeSet<String> = paths(it).into_iter().collect();
            if keys.get(&it.source) != Some(&made.key) || !made.files.keys().eq(expected.iter()) {
                return None;
            }
            let files = made
                .files
                .iter()
                .map(|(path, hash)| {
                    let bytes = fs::read(out_dir.join(path)).ok()?;
                    (record::hash(&bytes) == *hash).then_some(())?;
                    Some(OutputFile { path: path.clone(), contents: String::from_utf8(bytes).ok()? })
                })
                .collect::<Option<Vec<_>>>()?;
            Some((it, files, made))
        })
        .collect();
    let client = found
        .iter()
        .any(|(_, _, made)| made.method.is_some())
        .then(|| fs::read_to_string(out_dir.join(crate::emit::rust::CLIENT_PATH)).ok())
        .flatten()
        .unwrap_or_default();
    let mut reuse = Reuse::default();
    for (it, files, made) in found {
        reuse.sources.insert(it.source.clone());
        reuse.surfaces.insert(crate::emit::rust::interface_path(it), made.surface.clone());
        reuse.files.extend(files);
        if let Some(method) =
            made.method.as_ref().filter(|_| it.sends_guid).and_then(|at| read_method(&client, at, made))
        {
            reuse.methods.insert(it.source.clone(), method);
        }
    }
    reuse.keys = Some(keys);
    reuse.lines = lines;
    reuse
}

/// The session method `at` says is in `client` (the text of
/// `src/client.rs`), when its text there is the one `made` recorded.
fn read_method(client: &str, at: &MethodAt, made: &Made) -> Option<SessionMethod> {
    let text = client.get(at.start..at.start.checked_add(at.len)?)?;
    (made.method_hash.as_deref() == Some(record::hash(text.as_bytes()).as_str()))
        .then(|| SessionMethod { text: text.to_owned(), surface: at.surface.clone() })
}

/// The session methods of `src/client.rs` and where each starts there, by
/// the spec source of its interface.
pub struct Methods<'a> {
    pub methods: &'a BTreeMap<String, SessionMethod>,
    pub starts: &'a BTreeMap<String, usize>,
}

/// What to record, for the next generation, of what was made from each
/// interface of `api` under `reuse`'s keys: `hashes` are those of all the
/// files written ([`record::hashes`]), `surfaces` the public surface of each
/// Rust source. The bytes [`aside`] writes.
pub fn prepare(
    api: &Api,
    reuse: &Reuse,
    hashes: &BTreeMap<String, String>,
    surfaces: &BTreeMap<String, Vec<String>>,
    methods: Methods<'_>,
) -> io::Result<Vec<u8>> {
    use rayon::prelude::*;
    // Without keys (their IR would not serialize) nothing is recorded.
    let Some(keys) = &reuse.keys else { return Err(io::Error::other("no reuse keys were worked out")) };
    // Each interface's entry is serialized on its own, on every core, from
    // borrowed parts; they are then joined as `Cache` serializes them (the
    // test `prepared_bytes_are_the_caches_own_serialization` holds that).
    let mut entries: Vec<(&str, Vec<u8>)> = api
        .interfaces
        .par_iter()
        .filter_map(|it| {
            let (Some(key), [rust, page]) = (keys.get(&it.source), paths(it)) else { return None };
            let (rust_hash, page_hash) = (hashes.get(&rust)?, hashes.get(&page)?);
            let mut files = [(rust.as_str(), rust_hash.as_str()), (page.as_str(), page_hash.as_str())];
            files.sort_unstable();
            let method = methods.methods.get(&it.source).zip(methods.starts.get(&it.source));
            let method_hash = method.map(|(m, _)| record::hash(m.text.as_bytes()));
            let method = method.map(|(m, &start)| MethodAtRef { start, len: m.text.len(), surface: &m.surface });
            let made = MadeRef { key, files, surface: surfaces.get(&rust)?, method, method_hash };
            Some(serde_json::to_vec(&made).map(|bytes| (it.source.as_str(), bytes)))
        })
        .collect::<Result<_, _>>()
        .map_err(io::Error::other)?;
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries.dedup_by(|later, earlier| later.0 == earlier.0);
    let size = entries.iter().map(|(source, bytes)| source.len() + bytes.len() + 8).sum::<usize>();
    let mut out = Vec::with_capacity(size + 20);
    out.extend_from_slice(b"{\"interfaces\":{");
    for (i, (source, bytes)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, source).map_err(io::Error::other)?;
        out.push(b':');
        out.extend_from_slice(bytes);
    }
    out.extend_from_slice(b"}}");
    Ok(out)
}

/// [`Made`] from borrowed parts, serialized alike.
#[derive(Serialize)]
struct MadeRef<'a> {
    key: &'a str,
    #[serde(serialize_with = "as_map")]
    files: [(&'a str, &'a str); 2],
    surface: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<MethodAtRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method_hash: Option<String>,
}

/// [`MethodAt`] from borrowed parts, serialized alike.
#[derive(Serialize)]
struct MethodAtRef<'a> {
    start: usize,
    len: usize,
    surface: &'a [String],
}

/// Pairs sorted by their first member, as a map (as a `BTreeMap` is serialized).
fn as_map<S: serde::Serializer>(pairs: &[(&str, &str); 2], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().copied())
}

/// The [`prepare`]d bytes written aside in `out_dir`'s cache, to be put in
/// place once the output is. Only saves work next time.
pub fn aside(out_dir: &Path, prepared: &[u8]) -> io::Result<record::Aside> {
    record::write_aside(out_dir, FILE, prepared)
}

fn load(out_dir: &Path) -> Option<Cache> {
    serde_json::from_slice(&fs::read(out_dir.join(record::FOLDER).join(FILE)).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `prepare` joins entries serialized apart; the bytes are those of the
    /// whole `Cache` serialized at once, and read back as it.
    #[test]
    fn prepared_bytes_are_the_caches_own_serialization() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let out = tempfile::tempdir().unwrap();
        crate::pipeline::generate(&spec, out.path(), false).unwrap_or_else(|d| panic!("{}", d.render()));
        let written = fs::read(out.path().join(record::FOLDER).join(FILE)).unwrap();
        let cache: Cache = serde_json::from_slice(&written).expect("the cache reads back");
        assert!(cache.interfaces.values().any(|m| m.method.is_some() && m.method_hash.is_some()));
        assert!(cache.interfaces.values().any(|m| m.method.is_none() && m.method_hash.is_none()));
        assert!(cache.interfaces.len() > 30, "{}", cache.interfaces.len());
        assert_eq!(
            String::from_utf8(serde_json::to_vec(&cache).unwrap()).unwrap(),
            String::from_utf8(written).unwrap()
        );
    }

    #[test]
    fn a_cached_method_whose_text_does_not_match_its_hash_is_made_again() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let out = tempfile::tempdir().unwrap();
        crate::pipeline::generate(&spec, out.path(), false).unwrap_or_else(|d| panic!("{}", d.render()));
        let api = crate::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
        let digest = crate::emit::rust::shared_digest(&api);
        let sessions = api.interfaces.iter().filter(|it| it.sends_guid).count();
        let client = out.path().join(crate::emit::rust::CLIENT_PATH);
        let written = fs::read_to_string(&client).unwrap();
        let reuse = plan(&api, out.path(), &digest);
        assert_eq!(reuse.methods.len(), sessions, "all reused as written");
        for method in reuse.methods.values() {
            assert_eq!(written.matches(method.text.as_str()).count(), 1, "read back whole: {}", method.text);
        }
        let path = out.path().join(record::FOLDER).join(FILE);
        let mut cache: Cache = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        // One method's text changed in place, its length kept: only it is
        // made again.
        let (source, made) = cache.interfaces.iter().find(|(_, m)| m.method.is_some()).unwrap();
        let at = made.method.as_ref().unwrap();
        let text = &written[at.start..at.start + at.len];
        let changed =
            format!("{}{}{}", &written[..at.start], text.replacen("pub", "pbu", 1), &written[at.start + at.len..]);
        assert_eq!(changed.len(), written.len());
        fs::write(&client, changed).unwrap();
        let reuse = plan(&api, out.path(), &digest);
        assert_eq!(reuse.methods.len(), sessions - 1);
        assert!(!reuse.methods.contains_key(source), "{source}");
        // A place past the end of the file is no method.
        let source = source.clone();
        cache.interfaces.get_mut(&source).unwrap().method.as_mut().unwrap().start = usize::MAX;
        fs::write(&path, serde_json::to_vec(&cache).unwrap()).unwrap();
        fs::write(&client, &written).unwrap();
        let reuse = plan(&api, out.path(), &digest);
        assert_eq!(reuse.methods.len(), sessions - 1);
        assert!(!reuse.methods.contains_key(&source), "{source}");
    }
}
