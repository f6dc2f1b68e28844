//! `generated/CHANGELOG.md`: what changed in the API, appended on regeneration.
//!
//! The IR that `generated/` was last made from is kept beside it
//! (`api.lock.json`), so each `generate` can classify what the specs changed
//! since then and add it under "Unreleased". Running `generate` again finds
//! nothing new and adds nothing; `--check` sees a pending entry as staleness.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::diff;
use crate::emit::{GENERATED_MARKER, OutputFile};
use crate::ir::Api;

/// The IR `generated/` was made from.
pub const LOCK_FILE: &str = "api.lock.json";
/// The changelog.
pub const CHANGELOG: &str = "CHANGELOG.md";
const UNRELEASED: &str = "## Unreleased";

/// The lock file for `api`: the IR, one line per error code, event and
/// interface. Compact where pretty-printing only added bulk (it was a third
/// of all output), yet a change to one interface is a one-line diff.
pub fn lock_file(api: &Api) -> Result<OutputFile, Diagnostics> {
    let lines = |items: Result<Vec<String>, Diagnostics>| -> Result<String, Diagnostics> {
        Ok(format!("[\n      {}\n    ]", items?.join(",\n      ")))
    };
    let header = format!("{GENERATED_MARKER} from spec/. Do not edit by hand: the IR this crate was generated from.");
    let mut contents = format!("{{\n  \"@generated\": {},\n  \"api\": {{\n", one_line(&header)?);
    contents.push_str(&format!("    \"settings\": {},\n", one_line(&api.settings)?));
    contents.push_str(&format!("    \"errors\": {},\n", lines(api.errors.iter().map(one_line).collect())?));
    contents.push_str(&format!("    \"events\": {},\n", lines(api.events.iter().map(one_line).collect())?));
    let interfaces = lines(api.interfaces.iter().map(one_line).collect())?;
    contents.push_str(&format!("    \"interfaces\": {interfaces}\n  }}\n}}\n"));
    Ok(OutputFile { path: LOCK_FILE.into(), contents })
}

/// A part of the IR as one line of JSON.
fn one_line<T: serde::Serialize>(part: &T) -> Result<String, Diagnostics> {
    serde_json::to_string(part)
        .map_err(|e| Diagnostics::one(Diagnostic::new(format!("internal error: cannot serialize the IR: {e}"))))
}

/// The changelog after this generation: the existing one, with the changes
/// since the last generation added under "Unreleased".
pub fn changelog(out_dir: &Path, api: &Api) -> OutputFile {
    let existing = std::fs::read_to_string(out_dir.join(CHANGELOG)).ok();
    let entries = match std::fs::read_to_string(out_dir.join(LOCK_FILE)) {
        // First generation: nothing to compare with.
        Err(_) => String::new(),
        Ok(text) => match previous_api(&text) {
            Some(old) => diff::render_changelog(&diff::diff(&old, api), UNRELEASED),
            // Say so rather than lose the changes silently: the record is
            // rewritten below, so this is the only chance to notice.
            None => format!(
                "{UNRELEASED}\n\n- The record of the previous generation ({LOCK_FILE}) could not be read, so the API \
                 changes made since then are not listed here; compare the specs with `ccgen diff`.\n"
            ),
        },
    };
    let base = existing.unwrap_or_else(|| {
        format!(
            "<!-- {GENERATED_MARKER}: `generate` adds the API changes it finds under Unreleased. -->\n# Changelog\n\nChanges to the API of the generated crate, classified by `ccgen diff`.\n"
        )
    });
    OutputFile { path: CHANGELOG.into(), contents: insert(&base, &entries) }
}

fn previous_api(text: &str) -> Option<Api> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::from_value::<Api>(value.get_mut("api")?.take()).ok()
}

/// Adds `entries` (which start with the Unreleased heading) to `base`,
/// merging into an existing Unreleased section.
fn insert(base: &str, entries: &str) -> String {
    if entries.is_empty() {
        return base.to_owned();
    }
    let body = entries.strip_prefix(UNRELEASED).unwrap_or(entries).trim_matches('\n');
    match base.find(UNRELEASED) {
        Some(at) => {
            let after = at + UNRELEASED.len();
            let end = base[after..].find("\n## ").map_or(base.len(), |i| after + i + 1);
            let section = base[after..end].trim_end_matches('\n');
            format!(
                "{}{UNRELEASED}{section}\n\n{body}\n{}{}",
                &base[..at],
                if end < base.len() { "\n" } else { "" },
                &base[end..]
            )
        }
        None => {
            // New section goes first, after the title and its introduction.
            let at = base.find("\n## ").map_or(base.len(), |i| i + 1);
            let head = base[..at].trim_end_matches('\n');
            format!("{head}\n\n{UNRELEASED}\n\n{body}\n{}{}", if at < base.len() { "\n" } else { "" }, &base[at..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::insert;

    #[test]
    fn new_section_goes_before_released_ones() {
        let base = "# Changelog\n\nIntro.\n\n## 0.1.0\n\n- old\n";
        let out = insert(base, "## Unreleased\n\n### Breaking\n\n- x\n");
        assert_eq!(out, "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Breaking\n\n- x\n\n## 0.1.0\n\n- old\n");
    }

    #[test]
    fn entries_join_an_existing_unreleased_section() {
        let base = "# Changelog\n\n## Unreleased\n\n- a\n\n## 0.1.0\n";
        let out = insert(base, "## Unreleased\n\n- b\n");
        assert_eq!(out, "# Changelog\n\n## Unreleased\n\n- a\n\n- b\n\n## 0.1.0\n");
    }

    #[test]
    fn an_unreadable_record_is_said_not_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(super::LOCK_FILE), "{ not json").expect("write");
        let api = crate::pipeline::validate(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"))
            .expect("valid");
        let log = super::changelog(dir.path(), &api).contents;
        assert!(log.contains("## Unreleased") && log.contains("could not be read"), "{log}");
    }

    #[test]
    fn the_lock_file_reads_back_as_the_ir_one_line_per_interface() {
        let api = crate::pipeline::validate(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"))
            .expect("valid");
        let lock = super::lock_file(&api).expect("lock").contents;
        let back = super::previous_api(&lock).expect("reads back");
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&api).unwrap());
        assert!(crate::write::is_generated(lock.as_bytes()), "still carries the marker");
        let lines = lock.lines().count();
        let parts = api.interfaces.len() + api.events.len() + api.errors.len();
        assert!(lines < parts + 20, "{lines} lines for {parts} parts");
    }

    #[test]
    fn nothing_to_add_changes_nothing() {
        assert_eq!(insert("# C\n", ""), "# C\n");
    }
}
