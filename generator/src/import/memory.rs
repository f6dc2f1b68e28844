//! What the page said last time: `spec/import.lock`.
//!
//! Specs keep curated wording, so comparing a page's sentences with the spec says nothing
//! about whether the vendor reworded them. The lock file records, per spec file, a fingerprint
//! of the vendor's wording of each described item (the description, every parameter and
//! value, the result) as last imported. `--update` and `--compare` fingerprint the page again
//! and report every item whose wording changed, so a docs-only vendor change reaches the
//! reviewer; `--update` then records the new fingerprints. Only fingerprints are stored: the
//! vendor's text stays out of the repository.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use super::draft::Draft;

/// Name of the lock file in the spec directory (not YAML, so `load` does not read it).
pub const LOCK_FILE: &str = "import.lock";

/// Fingerprints of the vendor's wording, by item (`parameter called`, `value mode=2`).
pub type Wording = BTreeMap<String, String>;

/// The lock file: spec file (`voicecall/callinner.yaml`) → its page's wording.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lock(pub BTreeMap<String, Wording>);

fn fingerprint(text: &str) -> String {
    let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut h = fnv::FnvHasher::default();
    h.write(normalized.as_bytes());
    format!("{:016x}", h.finish())
}

/// The wording of a page's draft, fingerprinted per item.
pub fn wording(d: &Draft) -> Wording {
    let mut out = Wording::new();
    out.insert("description".to_owned(), fingerprint(d.description.as_deref().unwrap_or(&d.summary)));
    if !d.prerequisites.is_empty() {
        out.insert("prerequisites".to_owned(), fingerprint(&d.prerequisites.join("\n")));
    }
    for p in d.parameters.all() {
        out.insert(format!("parameter {}", p.name), fingerprint(&p.description));
        for v in &p.constraints.values {
            out.insert(format!("value {}={}", p.name, v.value), fingerprint(&v.description));
        }
    }
    if let Some(text) = &d.response.result.description {
        out.insert("result".to_owned(), fingerprint(text));
    }
    for f in d.response.result.fields.iter().flatten() {
        out.insert(format!("result field {}", f.name), fingerprint(&f.description));
    }
    out
}

/// The page line of an item of [`wording`] (0 when unknown).
pub fn item_line(d: &Draft, item: &str) -> usize {
    let param = |name: &str| d.parameters.all().find(|p| p.name == name).map_or(0, |p| p.line);
    match item.split_once(' ') {
        Some(("parameter", name)) => param(name),
        Some(("value", rest)) => param(rest.split_once('=').map_or(rest, |(n, _)| n)),
        _ => match item {
            "description" => d.lines.get("summary").copied().unwrap_or(0),
            "prerequisites" => d.lines.get("prerequisites").copied().unwrap_or(0),
            _ => d.lines.get("response").copied().unwrap_or(0),
        },
    }
}

/// Items whose wording differs between two records; items only one side has are facts
/// (added or removed), which the fact comparison reports.
pub fn reworded(before: &Wording, now: &Wording) -> Vec<String> {
    now.iter().filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v)).map(|(k, _)| k.clone()).collect()
}

/// The lock file of the spec directory that holds `spec_file` (`<dir>/<resource>/<name>.yaml`).
pub fn lock_path(spec_file: &Path) -> Option<PathBuf> {
    Some(spec_file.parent()?.parent()?.join(LOCK_FILE))
}

/// Reads a lock file; a missing one is empty.
pub fn read(path: &Path) -> Result<Lock, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The lock file's text: sorted, one item a line, ending in a newline.
pub fn render(lock: &Lock) -> String {
    let mut text = serde_json::to_string_pretty(lock).unwrap_or_default();
    text.push('\n');
    text
}
