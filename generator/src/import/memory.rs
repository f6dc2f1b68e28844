//! What the page said last time: `spec/import.lock`.
//!
//! Specs keep curated wording, so comparing a page's sentences with the spec says nothing
//! about whether the vendor reworded them. The lock file records, per spec file, the vendor's
//! wording of each described item (the description, prerequisites, every parameter and value,
//! the result and its fields) as last imported, with its whitespace collapsed to single
//! spaces. `--update` and `--compare` read the page again and report every item whose wording
//! changed with the old and the new text, so a docs-only vendor change reaches the reviewer;
//! `--update` then records the new wording.
//!
//! Locks written before the text was kept hold a 16-digit FNV-1a fingerprint of the text
//! instead; such an entry still tells whether the wording changed, only not what it said.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use super::draft::Draft;

/// Name of the lock file in the spec directory (not YAML, so `load` does not read it).
pub const LOCK_FILE: &str = "import.lock";

/// The vendor's wording (whitespace collapsed), by item (`parameter called`, `value mode=2`).
pub type Wording = BTreeMap<String, String>;

/// The lock file: spec file (`voicecall/callinner.yaml`) → its page's wording.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lock(pub BTreeMap<String, Wording>);

/// The text as recorded: whitespace runs (line breaks of the page) collapsed to one space.
fn fingerprint(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint older locks recorded in place of `recorded` text.
fn legacy_fingerprint(recorded: &str) -> String {
    let mut h = fnv::FnvHasher::default();
    h.write(recorded.as_bytes());
    format!("{:016x}", h.finish())
}

/// True when `before` (a recorded text, or an older lock's fingerprint) says what `now` says.
fn same(before: &str, now: &str) -> bool {
    before == now || before == legacy_fingerprint(now)
}

/// True when `recorded` is an older lock's fingerprint rather than the text.
fn is_legacy(recorded: &str) -> bool {
    recorded.len() == 16 && recorded.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The wording of a page's draft, per item.
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

/// One item the vendor reworded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewording {
    /// `parameter skillid`, `description`, …
    pub item: String,
    /// What the page said at the last import; `None` when an older lock kept only a fingerprint.
    pub before: Option<String>,
    /// What the page says now.
    pub now: String,
}

impl Rewording {
    /// The old and the new wording, one indented line each, for the reviewer.
    pub fn texts(&self) -> String {
        let before = self.before.as_deref().map_or_else(|| "(not recorded by the older lock)".to_owned(), quoted);
        format!("    was: {before}\n    now: {}", quoted(&self.now))
    }
}

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// Items whose wording differs between two records; items only one side has are facts
/// (added or removed), which the fact comparison reports.
pub fn reworded(before: &Wording, now: &Wording) -> Vec<Rewording> {
    now.iter()
        .filter_map(|(k, v)| {
            let b = before.get(k).filter(|b| !same(b, v))?;
            Some(Rewording { item: k.clone(), before: (!is_legacy(b)).then(|| b.clone()), now: v.clone() })
        })
        .collect()
}

/// True when `before` records the same wording as `now` (older fingerprints included), so
/// the lock needs no rewrite.
pub fn unchanged(before: &Wording, now: &Wording) -> bool {
    before.len() == now.len() && now.iter().all(|(k, v)| before.get(k).is_some_and(|b| b == v))
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

/// The lock file's text: sorted by file and item, one item a line, ending in a newline.
pub fn render(lock: &Lock) -> String {
    let mut text = serde_json::to_string_pretty(lock).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wording(items: &[(&str, &str)]) -> Wording {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_rewording_shows_the_old_and_the_new_text() {
        let before = wording(&[("parameter skillid", "Skill for the call."), ("result", "Call ID.")]);
        let now = wording(&[("parameter skillid", "The skill the call uses."), ("result", "Call ID.")]);
        let found = reworded(&before, &now);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].item, "parameter skillid");
        assert_eq!(found[0].texts(), "    was: \"Skill for the call.\"\n    now: \"The skill the call uses.\"");
    }

    #[test]
    fn an_older_fingerprint_still_tells_whether_the_wording_changed() {
        let text = fingerprint("Skill  for the\ncall.");
        let legacy = wording(&[("parameter skillid", &legacy_fingerprint(&text))]);
        assert!(reworded(&legacy, &wording(&[("parameter skillid", &text)])).is_empty());
        let found = reworded(&legacy, &wording(&[("parameter skillid", "Another skill.")]));
        assert_eq!(found[0].before, None, "the old text is not claimed");
        assert!(found[0].texts().contains("not recorded"), "{}", found[0].texts());
    }
}
