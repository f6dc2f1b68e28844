//! `generated/CHANGELOG.md`: what changed in the API, appended on regeneration.
//!
//! The IR that `generated/` was last made from is kept beside it (`api.lock.json`), with the
//! public surface of the generated crate (see [`crate::surface`]), so each `generate` can
//! classify what the specs changed since then and add it under "Unreleased", split into the
//! wire and the Rust API as `ccgen diff` judges them. A change of the crate's public API that
//! the specs did not cause (the generator's emitters changed) is recorded too: the recorded
//! surface is compared with the surface the current generator gives for the recorded IR.
//! Running `generate` again finds nothing new and adds nothing; `--check` sees a pending entry
//! as staleness.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::diff;
use crate::emit::{GENERATED_MARKER, OutputFile};
use crate::ir::{Api, Interface};

/// The IR `generated/` was made from.
pub const LOCK_FILE: &str = "api.lock.json";
/// The changelog.
pub const CHANGELOG: &str = "CHANGELOG.md";
const UNRELEASED: &str = "## Unreleased";

/// The lock file for `api`, whose generated crate has the public `surface`: the IR, one line
/// per error code, event and interface, then one line per public item. Compact where
/// pretty-printing only added bulk (it was a third of all output), yet a change to one
/// interface is a one-line diff.
pub fn lock_file(api: &Api, surface: &[String]) -> Result<OutputFile, Diagnostics> {
    lock_head(api, &interface_lines(api)?)?.finish(surface)
}

/// Each interface of `api` as its line of the lock file, worked out on every core.
pub fn interface_lines(api: &Api) -> Result<Vec<String>, Diagnostics> {
    use rayon::prelude::*;
    api.interfaces.par_iter().map(one_line).collect()
}

/// The lock file up to the crate's public surface, which is known last.
pub struct LockHead(String);

/// The lock file's IR part, from the [`interface_lines`]: all of it but the
/// public surface, so that it is worked out while the crate is emitted.
pub fn lock_head(api: &Api, interfaces: &[String]) -> Result<LockHead, Diagnostics> {
    let lines = |items: &[String]| format!("[\n      {}\n    ]", items.join(",\n      "));
    let header = format!("{GENERATED_MARKER} from spec/. Do not edit by hand: the IR this crate was generated from.");
    let mut contents = format!("{{\n  \"@generated\": {},\n  \"api\": {{\n", one_line(&header)?);
    contents.push_str(&format!("    \"settings\": {},\n", one_line(&api.settings)?));
    contents.push_str(&format!(
        "    \"errors\": {},\n",
        lines(&api.errors.iter().map(one_line).collect::<Result<Vec<_>, _>>()?)
    ));
    contents.push_str(&format!(
        "    \"events\": {},\n",
        lines(&api.events.iter().map(one_line).collect::<Result<Vec<_>, _>>()?)
    ));
    contents.push_str(&format!("    \"interfaces\": {}\n  }},\n", lines(interfaces)));
    Ok(LockHead(contents))
}

impl LockHead {
    /// The whole lock file, for a crate whose public surface is `surface`.
    ///
    /// Written on this thread into one buffer: it runs while the reuse cache
    /// is worked out on every core, behind which work handed to them waits.
    pub fn finish(self, surface: &[String]) -> Result<OutputFile, Diagnostics> {
        let failed = |e: &dyn std::fmt::Display| {
            Diagnostics::one(Diagnostic::new(format!("internal error: cannot serialize the public API: {e}")))
        };
        let mut items = Vec::with_capacity(surface.iter().map(|line| line.len() + 8).sum::<usize>() + 32);
        items.extend_from_slice(b"  \"public_api\": [\n    ");
        for (i, line) in surface.iter().enumerate() {
            if i > 0 {
                items.extend_from_slice(b",\n    ");
            }
            serde_json::to_writer(&mut items, line).map_err(|e| failed(&e))?;
        }
        items.extend_from_slice(b"\n  ]\n}\n");
        let mut contents = self.0;
        contents.push_str(std::str::from_utf8(&items).map_err(|e| failed(&e))?);
        Ok(OutputFile { path: LOCK_FILE.into(), contents })
    }
}

/// A part of the IR as one line of JSON.
fn one_line<T: serde::Serialize>(part: &T) -> Result<String, Diagnostics> {
    serde_json::to_string(part)
        .map_err(|e| Diagnostics::one(Diagnostic::new(format!("internal error: cannot serialize the IR: {e}"))))
}

/// The changelog after this generation: the existing one, with the changes since the last
/// generation added under "Unreleased". `surface` is the public surface of the crate now.
pub fn changelog(out_dir: &Path, api: &Api, surface: &[String]) -> OutputFile {
    prepare(out_dir, api, None).finish(surface)
}

/// The changelog as far as it can be worked out before the new crate's
/// surface is known: the previous record read and compared with `api`.
/// That is most of the work, and it runs beside the emitters.
pub struct Pending {
    existing: Option<String>,
    entries: Entries,
}

enum Entries {
    /// Complete: the spec changes (possibly none), or why they are unknown.
    Done(String),
    /// The spec changes, and what the generator's changes are told from.
    WithGenerator { specs: String, old: Box<Api>, report: diff::Report, recorded: Vec<String> },
}

/// Reads the previous generation's record and changelog in `out_dir` and
/// compares the recorded API with `api`. `lines` are `api`'s
/// [`interface_lines`], when worked out: an interface whose line is the
/// recorded one is not compared again.
pub fn prepare(out_dir: &Path, api: &Api, lines: Option<&[String]>) -> Pending {
    let existing = std::fs::read_to_string(out_dir.join(CHANGELOG)).ok();
    let entries = match std::fs::read_to_string(out_dir.join(LOCK_FILE)) {
        // First generation: nothing to compare with.
        Err(_) => Entries::Done(String::new()),
        Ok(text) => match recorded(&text) {
            Some(Recorded { api: old, surface: recorded_surface, lines: recorded_lines }) => {
                let same = |i: usize, j: usize| match (&recorded_lines, lines) {
                    (Some(was), Some(now)) => was.get(i).zip(now.get(j)).is_some_and(|(a, b)| *a == b.as_str()),
                    _ => false,
                };
                let report = diff::diff_known(&old, api, &same);
                let specs = diff::render_changelog(&report, UNRELEASED);
                match recorded_surface {
                    // A record from before the surface was kept: nothing to compare it with.
                    None => Entries::Done(specs),
                    // This generator wrote the record from `old`: it would list
                    // the same surface for it again, and its own changes are none.
                    Some(_) if crate::record::written_here(out_dir, LOCK_FILE, text.as_bytes()) => Entries::Done(specs),
                    Some(lines) => Entries::WithGenerator {
                        specs,
                        old: Box::new(old),
                        report,
                        recorded: crate::surface::tidy(lines),
                    },
                }
            }
            // Say so rather than lose the changes silently: the record is
            // rewritten below, so this is the only chance to notice.
            None => Entries::Done(format!(
                "{UNRELEASED}\n\n- The record of the previous generation ({LOCK_FILE}) could not be read, so the API \
                 changes made since then are not listed here; compare the specs with `ccgen diff`.\n"
            )),
        },
    };
    Pending { existing, entries }
}

impl Pending {
    /// The changelog, given the public surface of the crate just emitted.
    pub fn finish(self, surface: &[String]) -> OutputFile {
        let entries = match self.entries {
            Entries::Done(entries) => entries,
            Entries::WithGenerator { specs, old, report, recorded } => {
                with_generator(specs, &generator_changes(&old, &report, &recorded, surface))
            }
        };
        let base = self.existing.unwrap_or_else(|| {
            format!(
                "<!-- {GENERATED_MARKER}: `generate` adds the API changes it finds under Unreleased. -->\n# Changelog\n\nChanges to the API of the generated crate, classified by `ccgen diff`.\n"
            )
        });
        OutputFile { path: CHANGELOG.into(), contents: insert(&base, &entries) }
    }
}

/// What the generator, not the specs, changed in the public surface since `recorded` was
/// taken from the crate made from `old`.
#[derive(Debug, Default, PartialEq, Eq)]
struct GeneratorChanges {
    removed: Vec<String>,
    added: Vec<String>,
    /// Set when the comparison could not be made.
    unknown: Option<String>,
}

fn generator_changes(old: &Api, report: &diff::Report, recorded: &[String], now: &[String]) -> GeneratorChanges {
    if recorded == now {
        return GeneratorChanges::default();
    }
    // The surface today's generator gives for the recorded IR: the part of the difference
    // that the specs explain is then left out. Only emitted again when the specs changed.
    let baseline = if report.is_empty() {
        now.to_vec()
    } else {
        match crate::emit::rust::emit(old) {
            Ok(files) => crate::surface::surface(&files),
            Err(d) => {
                let why = d.0.first().map_or_else(String::new, |d| d.message.clone());
                return GeneratorChanges { unknown: Some(why), ..GeneratorChanges::default() };
            }
        }
    };
    let (before, after): (BTreeSet<&String>, BTreeSet<&String>) =
        (recorded.iter().collect(), baseline.iter().collect());
    GeneratorChanges {
        removed: before.difference(&after).map(|l| (*l).clone()).collect(),
        added: after.difference(&before).map(|l| (*l).clone()).collect(),
        unknown: None,
    }
}

/// `entries` (the spec changes, possibly empty) with a section for the generator's changes.
fn with_generator(entries: String, g: &GeneratorChanges) -> String {
    if g.removed.is_empty() && g.added.is_empty() && g.unknown.is_none() {
        return entries;
    }
    let mut out = if entries.is_empty() { format!("{UNRELEASED}\n") } else { entries };
    out.push_str(
        "\n### Rust API, changed by the generator\n\nThe specs did not cause these; a removed or changed item \
         may break users' code (check with `scripts/semver-oracle.sh`).\n",
    );
    if let Some(why) = &g.unknown {
        out.push_str(&format!(
            "\n- The public API changed, but the previous IR could not be generated again to tell the generator's \
             part from the specs' ({why}); compare the crates with `scripts/semver-oracle.sh`.\n"
        ));
    }
    for (title, word, lines) in
        [("Breaking", "removed or changed", &g.removed), ("Added and changed (compatible)", "added", &g.added)]
    {
        if !lines.is_empty() {
            out.push_str(&format!("\n#### {title}\n\n"));
            for l in lines {
                out.push_str(&format!("- {word}: `{l}`\n"));
            }
        }
    }
    out
}

/// What a lock file records: the IR, the public surface (as recorded, not
/// yet [`crate::surface::tidy`]; `None` in a lock written before it was
/// kept), and each interface's line as written, when the file has one per
/// interface.
struct Recorded<'t> {
    api: Api,
    surface: Option<Vec<String>>,
    lines: Option<Vec<&'t str>>,
}

/// The record in a lock file's text; `None` when it cannot be read.
fn recorded(text: &str) -> Option<Recorded<'_>> {
    recorded_by_lines(text).or_else(|| {
        let lock: Lock = serde_json::from_str(text).ok()?;
        Some(Recorded { api: lock.api, surface: lock.public_api, lines: None })
    })
}

#[derive(serde::Deserialize)]
struct Lock {
    api: Api,
    #[serde(default)]
    public_api: Option<Vec<String>>,
}

/// [`recorded`] for a lock file laid out as [`lock_file`] writes it,
/// each interface on a line of its own: those lines, most of the file, are
/// read on every core. `None` for any other layout.
fn recorded_by_lines(text: &str) -> Option<Recorded<'_>> {
    use rayon::prelude::*;
    const OPEN: &str = "\n    \"interfaces\": [\n";
    const CLOSE: &str = "\n    ]\n";
    let start = text.find(OPEN)? + OPEN.len();
    let end = start + text[start..].find(CLOSE)?;
    // The rest of the file, with the list left empty.
    let rest = format!("{}]{}", &text[..start - 1], &text[end + CLOSE.len() - 1..]);
    let lines: Vec<&str> = text[start..end]
        .split('\n')
        .map(|line| line.trim_start().strip_suffix(',').unwrap_or(line.trim_start()))
        .collect();
    let interfaces: Vec<Interface> =
        lines.par_iter().map(|line| serde_json::from_str(line).ok()).collect::<Option<_>>()?;
    let mut lock: Lock = serde_json::from_str(&rest).ok()?;
    lock.api.interfaces = interfaces;
    Some(Recorded { api: lock.api, surface: lock.public_api, lines: Some(lines) })
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
    fn interfaces_whose_line_is_unchanged_are_skipped_with_the_same_verdict() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let api = crate::pipeline::validate(&spec).expect("valid");
        let mut changed = api.clone();
        changed.interfaces[0].summary.push_str(" More.");
        changed.interfaces[1].path.push_str("/more");
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join(super::LOCK_FILE), super::lock_file(&api, &[]).unwrap().contents).unwrap();
        let lines = super::interface_lines(&changed).unwrap();
        let skipping = super::prepare(out.path(), &changed, Some(&lines)).finish(&[]).contents;
        let walking = super::prepare(out.path(), &changed, None).finish(&[]).contents;
        assert_eq!(skipping, walking);
        assert!(skipping.contains("path changed") && skipping.contains("summary changed"), "{skipping}");
    }

    #[test]
    fn a_lock_file_read_line_by_line_is_the_lock_file_read_whole() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let api = crate::pipeline::validate(&spec).expect("valid");
        let lock = super::lock_file(&api, &["crate: pub mod a".to_owned()]).unwrap().contents;
        let text = lock.as_str();
        let whole: super::Lock = serde_json::from_str(text).expect("whole");
        let by_lines = super::recorded_by_lines(text).expect("the layout this generator writes");
        assert!(!whole.api.interfaces.is_empty());
        assert_eq!(serde_json::to_string(&by_lines.api).unwrap(), serde_json::to_string(&whole.api).unwrap());
        assert_eq!(by_lines.surface, whole.public_api);
        // Each line is the interface's line as `interface_lines` gives it.
        assert_eq!(
            by_lines.lines,
            Some(super::interface_lines(&whole.api).unwrap().iter().map(String::as_str).collect())
        );
        // Laid out otherwise, the file is read whole; one bad line makes it unreadable.
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert!(super::recorded_by_lines(&pretty).is_none());
        assert!(super::recorded(&pretty).is_some());
        let broken = text.replacen("{\"source\":", "{\"sourc\":", 1);
        assert!(super::recorded(&broken).is_none());
    }

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
        let log = super::changelog(dir.path(), &api, &[]).contents;
        assert!(log.contains("## Unreleased") && log.contains("could not be read"), "{log}");
    }

    fn spec_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
    }

    /// The crate made from `api` and its surface, as `generate` records them.
    fn generated(api: &crate::ir::Api) -> (Vec<crate::emit::OutputFile>, Vec<String>) {
        let files = crate::emit::rust::emit(api).expect("emits");
        let surface = crate::surface::surface(&files);
        (files, surface)
    }

    /// The specs stay as they were, but the generator used to name a constructor differently:
    /// the changelog records the public API change, removed and added items apart.
    #[test]
    fn a_generator_change_with_unchanged_specs_is_recorded() {
        let api = crate::pipeline::validate(&spec_dir()).expect("valid");
        let (mut files, now) = generated(&api);
        let file = files.iter_mut().find(|f| f.path == "src/voicecall/callinner.rs").expect("callinner");
        assert!(file.contents.contains("pub fn new("), "the module has a constructor");
        file.contents = file.contents.replacen("pub fn new(", "pub fn create(", 1);
        let before = crate::surface::surface(&files);
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = super::lock_file(&api, &before).expect("lock");
        std::fs::write(dir.path().join(super::LOCK_FILE), lock.contents).expect("write");

        let log = super::changelog(dir.path(), &api, &now).contents;
        assert!(log.contains("### Rust API, changed by the generator"), "{log}");
        let removed = log.lines().find(|l| l.starts_with("- removed or changed: `crate::voicecall::callinner::"));
        assert!(removed.is_some_and(|l| l.contains("fn create(")), "{log}");
        let added = log.lines().find(|l| l.starts_with("- added: `crate::voicecall::callinner::"));
        assert!(added.is_some_and(|l| l.contains("fn new(")), "{log}");
        assert!(!log.contains("### Wire"), "no spec change is claimed: {log}");

        // Recorded: the next generation adds nothing.
        std::fs::write(dir.path().join(super::LOCK_FILE), super::lock_file(&api, &now).expect("lock").contents)
            .expect("write");
        std::fs::remove_file(dir.path().join(super::CHANGELOG)).ok();
        assert!(!super::changelog(dir.path(), &api, &now).contents.contains("## Unreleased"));
    }

    /// Locks written before the surface was listed from the syntax tree hold the
    /// formatted text's lines: trailing commas in wrapped lists, docs on
    /// variants' fields. Read today, they describe the same API, and nothing is
    /// recorded as changed by the generator.
    #[test]
    fn a_lock_listed_from_the_formatted_text_reads_as_the_same_api() {
        let api = crate::pipeline::validate(&spec_dir()).expect("valid");
        let now = generated(&api).1;
        let old: Vec<String> = now
            .iter()
            .map(|l| match l.strip_prefix("crate::events::Event::Unknown{ event_type: ") {
                Some(rest) => format!(
                    "crate::events::Event::Unknown{{ #[doc = \" The `eventType` as \\\"sent\\\".\"] event_type: {rest}"
                ),
                None => l.replacen(") ->", ",) ->", 1),
            })
            .collect();
        assert!(old.iter().any(|l| l.contains("#[doc")), "the catalog has an Unknown event");
        assert_ne!(old, now);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(super::LOCK_FILE), super::lock_file(&api, &old).expect("lock").contents)
            .expect("write");
        let log = super::changelog(dir.path(), &api, &now).contents;
        assert!(!log.contains("## Unreleased"), "{log}");
    }

    /// An event payload whose derived `Deserialize` became a hand-written
    /// impl still implements the trait: no change is recorded. Without the
    /// impl, the removal is recorded as breaking.
    #[test]
    fn a_derive_that_becomes_an_impl_of_the_same_trait_is_no_change() {
        let api = crate::pipeline::validate(&spec_dir()).expect("valid");
        let recorded =
            vec!["crate::events::P: struct #[derive(Debug, serde::Deserialize)] #[non_exhaustive]".to_owned()];
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(super::LOCK_FILE), super::lock_file(&api, &recorded).expect("lock").contents)
            .expect("write");
        let written = crate::surface::tidy(vec![
            "crate::events::P: struct #[derive(Debug)] #[non_exhaustive]".to_owned(),
            "crate::events: impl<'de> serde::Deserialize<'de> for P".to_owned(),
        ]);
        let log = super::changelog(dir.path(), &api, &written).contents;
        assert!(!log.contains("## Unreleased"), "{log}");

        let without =
            crate::surface::tidy(vec!["crate::events::P: struct #[derive(Debug)] #[non_exhaustive]".to_owned()]);
        let log = super::changelog(dir.path(), &api, &without).contents;
        assert!(log.contains("#### Breaking") && log.contains("impl serde::Deserialize for P"), "{log}");
    }

    /// A spec change moves the public API too; none of that is put on the generator.
    #[test]
    fn a_spec_change_is_not_put_on_the_generator() {
        let new = crate::pipeline::validate(&spec_dir()).expect("valid");
        let mut files = crate::load::read_dir(&spec_dir()).expect("spec tree");
        let file = files.iter_mut().find(|f| f.rel_path == "mediacall/transfer.yaml").expect("transfer");
        let text = String::from_utf8(file.bytes.clone()).expect("utf-8");
        let renamed = "name: system_access_code,";
        assert!(text.contains(renamed));
        file.bytes = text.replacen(renamed, "name: access_code,", 1).into_bytes();
        let old = crate::check::check(&crate::load::load("spec", &files).expect("loads")).expect("checks");
        let out = tempfile::tempdir().expect("tempdir");
        let lock = super::lock_file(&old, &generated(&old).1).expect("lock");
        std::fs::write(out.path().join(super::LOCK_FILE), lock.contents).expect("write");
        assert_ne!(generated(&old).1, generated(&new).1, "the spec change moves the surface");

        let log = super::changelog(out.path(), &new, &generated(&new).1).contents;
        assert!(log.contains("### Rust API"), "{log}");
        assert!(log.contains("SystemAccessCode") || log.contains("system_access_code"), "{log}");
        assert!(!log.contains("changed by the generator"), "{log}");
    }

    #[test]
    fn the_lock_file_reads_back_as_the_ir_one_line_per_interface() {
        let api = crate::pipeline::validate(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"))
            .expect("valid");
        let surface = vec!["crate: pub mod a".to_owned(), "crate: pub mod b".to_owned()];
        let lock = super::lock_file(&api, &surface).expect("lock").contents;
        let back = super::recorded(&lock).expect("reads back");
        assert_eq!(back.surface, Some(surface));
        assert_eq!(serde_json::to_value(&back.api).unwrap(), serde_json::to_value(&api).unwrap());
        assert!(crate::write::is_generated(lock.as_bytes()), "still carries the marker");
        let lines = lock.lines().count();
        let parts = api.interfaces.len() + api.events.len() + api.errors.len();
        assert!(lines < parts + 25, "{lines} lines for {parts} parts");
    }

    #[test]
    fn nothing_to_add_changes_nothing() {
        assert_eq!(insert("# C\n", ""), "# C\n");
    }
}
