//! Stage 1, load: read the spec files and deserialize them, nothing more.
//!
//! Each file is parsed once, by saphyr's event parser, into a tree that
//! yields both the [`model`] types and a [`positions::PositionIndex`];
//! everything after this stage sees only those. serde_yaml (deprecated
//! upstream) stays behind [`document`], for tools that rewrite spec files.

mod de;
pub mod document;
#[cfg(test)]
mod equivalence_tests;
pub mod model;
pub mod positions;
pub mod schema;
mod tree;

use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, Report, SourceFile};
use model::{ApiFile, ErrorCatalogFile, EventCatalogFile, InterfaceFile};
use positions::{Location, PositionIndex, Refusal, is_bidi_control};

/// The API-wide file.
pub const API_FILE: &str = "api.yaml";
/// The error-code catalog.
pub const ERRORS_FILE: &str = "errors.yaml";
/// The event catalog.
pub const EVENTS_FILE: &str = "events.yaml";

/// Spec files larger than this are refused before parsing: no real interface
/// page comes close, and it bounds the memory a hostile file can claim.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// One deserialized file with what is needed to point into it.
#[derive(Debug)]
pub struct Loaded<T> {
    /// Path relative to the spec directory, `/`-separated.
    pub rel_path: String,
    pub file: Arc<SourceFile>,
    pub positions: PositionIndex,
    pub doc: T,
}

/// Every spec file of a tree, deserialized.
#[derive(Debug)]
pub struct LoadedSpec {
    pub api: Loaded<ApiFile>,
    pub errors: Loaded<ErrorCatalogFile>,
    pub events: Loaded<EventCatalogFile>,
    /// Sorted by `rel_path`.
    pub interfaces: Vec<Loaded<InterfaceFile>>,
}

/// A spec file's path relative to the spec directory and its raw bytes.
#[derive(Debug, Clone)]
pub struct RawFile {
    pub rel_path: String,
    pub bytes: Vec<u8>,
}

/// Reads every `.yaml` file of a spec directory (the top level and one folder deep).
pub fn read_dir(dir: &Path) -> Result<Vec<RawFile>, Diagnostics> {
    Ok(read_dir_stated(dir)?.into_iter().map(|(file, _)| file).collect())
}

/// [`read_dir`], with each file's size and modification time as they were
/// just before it was read ([`crate::record::stat_of`]).
pub fn read_dir_stated(dir: &Path) -> Result<Vec<(RawFile, crate::record::Stat)>, Diagnostics> {
    let mut report = Report::default();
    // Found in folder order, then read on every core.
    let mut found: Vec<(std::path::PathBuf, String)> = Vec::new();
    let top = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Err(Diagnostics::one(Diagnostic::new(format!(
                "cannot read spec directory {}: {e}",
                dir.display()
            ))));
        }
    };
    for entry in top.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry_is_dir(&entry).unwrap_or(false) {
            let Ok(inner) = std::fs::read_dir(&path) else {
                report.push(Diagnostic::new(format!("cannot read {}", path.display())));
                continue;
            };
            for item in inner.flatten() {
                let item_name = item.file_name().to_string_lossy().into_owned();
                let item_path = item.path();
                if entry_is_dir(&item).unwrap_or(false) {
                    report.push(
                        Diagnostic::new(format!("{}/{}/{item_name}: folders nest one level only", dir.display(), name))
                            .help("put each interface in spec/<resource>/<name>.yaml"),
                    );
                } else if is_spec_file(&item_name, &mut report, &item_path) {
                    found.push((item_path, format!("{name}/{item_name}")));
                }
            }
        } else if is_spec_file(&name, &mut report, &path) {
            found.push((path, name));
        }
    }
    use rayon::prelude::*;
    let read: Vec<Result<_, String>> = found.par_iter().map(|(path, _)| read_capped(path)).collect();
    let mut files = Vec::with_capacity(found.len());
    for ((path, rel_path), read) in found.into_iter().zip(read) {
        match read {
            Ok((bytes, stat)) => files.push((RawFile { rel_path, bytes }, stat)),
            Err(why) => report.push(Diagnostic::new(format!("cannot read {}: {why}", path.display()))),
        }
    }
    files.sort_by(|(a, _), (b, _)| a.rel_path.cmp(&b.rel_path));
    report.finish(files)
}

/// True when `entry` is a folder, a link to one included (links are
/// followed). Only a link costs a `stat`: the listing tells the rest.
pub(crate) fn entry_is_dir(entry: &std::fs::DirEntry) -> std::io::Result<bool> {
    match entry.file_type()? {
        kind if kind.is_symlink() => Ok(std::fs::metadata(entry.path())?.is_dir()),
        kind => Ok(kind.is_dir()),
    }
}

fn is_spec_file(name: &str, report: &mut Report, path: &Path) -> bool {
    if name.ends_with(".yml") {
        report.push(Diagnostic::new(format!("{}: spec files end in .yaml", path.display())).help("rename it to .yaml"));
        return false;
    }
    name.ends_with(".yaml")
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] (plus one byte, so
/// that `decode` can say it is too large). Anything else is refused before
/// it is opened: a FIFO would block the open, a device (a link to
/// `/dev/zero`) would never end.
fn read_capped(path: &Path) -> Result<(Vec<u8>, crate::record::Stat), String> {
    use std::io::Read as _;
    let not_regular = "not a regular file (spec files are plain files; links to them are followed)";
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(not_regular.to_owned());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // Checked again on the open handle: the path may have been swapped since.
    let opened = file.metadata().map_err(|e| e.to_string())?;
    if !opened.is_file() {
        return Err(not_regular.to_owned());
    }
    let cap = MAX_FILE_BYTES as u64 + 1;
    // Sized from the handle, the buffer is allocated once and never moved to
    // grow.
    let mut bytes = Vec::with_capacity(opened.len().min(cap) as usize + 1);
    file.take(cap).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok((bytes, crate::record::stat_of(&meta)))
}

/// Deserializes a spec tree. `display_root` prefixes file names in diagnostics
/// (e.g. `spec`). Reports every file's problems, not only the first.
pub fn load(display_root: &str, files: &[RawFile]) -> Result<LoadedSpec, Diagnostics> {
    let mut report = Report::default();
    let mut api = None;
    let mut errors = None;
    let mut events = None;
    let mut interfaces = Vec::new();
    // Files parse independently, on every core; their problems are reported
    // in file order, as if parsed one after the other.
    let parsed: Vec<(Option<Parsed>, Report)> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|raw| {
                let mut own = Report::default();
                (parse_any(display_root, raw, &mut own), own)
            })
            .collect()
    };
    for (one, own) in parsed {
        if let Err(found) = own.finish(()) {
            found.0.into_iter().for_each(|d| report.push(d));
        }
        match one {
            Some(Parsed::Api(doc)) => api = doc.map(|d| *d),
            Some(Parsed::Errors(doc)) => errors = doc,
            Some(Parsed::Events(doc)) => events = doc,
            Some(Parsed::Interface(doc)) => interfaces.extend(doc.map(|d| *d)),
            None => {}
        }
    }
    for (found, name) in [(api.is_some(), API_FILE), (errors.is_some(), ERRORS_FILE), (events.is_some(), EVENTS_FILE)] {
        let present = files.iter().any(|f| f.rel_path == name);
        if !found && !present {
            report.push(
                Diagnostic::new(format!("{}: missing", display_name(display_root, name)))
                    .help("every spec tree has api.yaml, errors.yaml and events.yaml at its top"),
            );
        }
    }
    interfaces.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    let loaded = match (api, errors, events) {
        (Some(api), Some(errors), Some(events)) => Some(LoadedSpec { api, errors, events, interfaces }),
        _ => None,
    };
    report.finish(())?;
    loaded.ok_or_else(|| Diagnostics::one(Diagnostic::new("spec tree is incomplete")))
}

/// One spec file parsed as what its path says it is (`None` inside: it did not parse).
enum Parsed {
    Api(Option<Box<Loaded<ApiFile>>>),
    Errors(Option<Loaded<ErrorCatalogFile>>),
    Events(Option<Loaded<EventCatalogFile>>),
    Interface(Option<Box<Loaded<InterfaceFile>>>),
}

/// Decodes and parses one file by its place in the tree; `None` when it is
/// not text or has no place.
fn parse_any(display_root: &str, raw: &RawFile, report: &mut Report) -> Option<Parsed> {
    let text = decode(display_root, raw, report)?;
    let name = display_name(display_root, &raw.rel_path);
    let file = Arc::new(SourceFile::new(name, text));
    Some(match raw.rel_path.as_str() {
        API_FILE => Parsed::Api(parse(raw, &file, report).map(Box::new)),
        ERRORS_FILE => Parsed::Errors(parse(raw, &file, report)),
        EVENTS_FILE => Parsed::Events(parse(raw, &file, report)),
        rel if rel.contains('/') => Parsed::Interface(parse(raw, &file, report).map(Box::new)),
        _ => {
            report.push(
                Diagnostic::new(format!("{}: unknown top-level spec file", file.name))
                    .help("the top level holds api.yaml, errors.yaml and events.yaml; interfaces go in spec/<resource>/<name>.yaml"),
            );
            return None;
        }
    })
}

/// Reads and loads a spec directory.
pub fn load_dir(dir: &Path) -> Result<LoadedSpec, Diagnostics> {
    let files = read_dir(dir)?;
    load(&dir.display().to_string(), &files)
}

fn display_name(root: &str, rel: &str) -> String {
    if root.is_empty() || root == "." { rel.to_owned() } else { format!("{}/{rel}", root.trim_end_matches('/')) }
}

fn decode(root: &str, raw: &RawFile, report: &mut Report) -> Option<String> {
    if raw.bytes.len() > MAX_FILE_BYTES {
        // Reading stops one byte past the limit, so the size itself is unknown.
        report.push(Diagnostic::new(format!(
            "{}: larger than the {} byte limit for a spec file",
            display_name(root, &raw.rel_path),
            MAX_FILE_BYTES
        )));
        return None;
    }
    let bytes = raw.bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&raw.bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_owned()),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            report.push(
                Diagnostic::new(format!(
                    "{}:{line}:{column}: not valid UTF-8 (byte offset {})",
                    display_name(root, &raw.rel_path),
                    e.valid_up_to()
                ))
                .help("save the file as UTF-8"),
            );
            None
        }
    }
}

fn parse<T: DeserializeOwned>(raw: &RawFile, file: &Arc<SourceFile>, report: &mut Report) -> Option<Loaded<T>> {
    if let Some((offset, c)) = file.text.char_indices().find(|&(_, c)| is_bidi_control(c)) {
        let loc = location_of(&file.text, offset, c.len_utf8());
        let d =
            Diagnostic::at(file, loc, format!("bidirectional control character U+{:04X} in a spec file", u32::from(c)));
        report.push(
            d.label("invisible control character").help("remove it: it can make text read differently from what it is"),
        );
        return None;
    }
    if file.text.contains('\t')
        && let Some(offset) = leading_tab(&file.text)
    {
        let loc = location_of(&file.text, offset, 1);
        report.push(
            Diagnostic::at(file, loc, "tab used for indentation").label("tab").help("YAML indents with spaces only"),
        );
        return None;
    }
    let tree = match tree::Tree::parse(&file.text) {
        Ok(tree) => tree,
        Err(refusal) => {
            report.push(refused(file, refusal));
            return None;
        }
    };
    match de::from_tree::<T>(&tree) {
        Ok(doc) => Some(Loaded {
            rel_path: raw.rel_path.clone(),
            file: Arc::clone(file),
            positions: PositionIndex::of(&tree),
            doc,
        }),
        Err(e) => {
            report.push(model_error(file, &e));
            None
        }
    }
}

/// What the user sees when the event walk refuses a file.
fn refused(file: &Arc<SourceFile>, refusal: Refusal) -> Diagnostic {
    // The event parser's spans may end inside a character; widen to whole
    // ones. A bidirectional control is pointed at as its escape is written.
    let at = match refusal {
        Refusal::BidiControl { at, .. } => at,
        _ => {
            let at = refusal.at();
            location_of(&file.text, at.offset, at.len.max(1))
        }
    };
    let (label, help) = match refusal {
        Refusal::TooDeep { .. } => ("too deep", "no spec needs this depth; check for brackets left open"),
        Refusal::BidiControl { .. } => {
            ("written as an escape here", "remove it: it can make text read differently from what it is")
        }
        Refusal::Tag { .. } => ("tag", "spec files use no tags: remove it, and quote the value if it is meant as text"),
        Refusal::SecondDocument { .. } => (
            "starts here",
            "a spec file is one document: remove this `---` and what follows, or move it to a file of its own",
        ),
        Refusal::Syntax { .. } => ("here", "check the indentation here, and for a bracket or quote left open above"),
    };
    Diagnostic::at(file, at, refusal.message()).label(label).help(help)
}

/// The byte offset of the first tab in a line's indentation.
fn leading_tab(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(i) = line[..indent].find('\t') {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}

fn model_error(file: &Arc<SourceFile>, e: &de::Error) -> Diagnostic {
    let message = e.to_string();
    let help = if message.contains("unknown field") {
        Some("check the spelling; spec/README.md lists every key")
    } else if message.contains("missing field") {
        Some("add the field; spec/README.md says what it holds")
    } else if message.contains("invalid type") && message.contains("expected a boolean") {
        Some("write true or false, without quotes")
    } else if message.contains("invalid type")
        && (message.contains("expected i64") || message.contains("expected u64") || message.contains("expected u16"))
    {
        Some("write a whole number, without quotes")
    } else if message.contains("invalid type") && message.contains("expected a string") {
        Some("quote the value if it is meant as text")
    } else if message.contains("invalid type") {
        Some("spec/README.md says what this key holds")
    } else if message.contains("duplicate") {
        Some("each key may appear once")
    } else {
        None
    };
    let diagnostic = match &e.at {
        Some((at, _)) => Diagnostic::at(file, location_of(&file.text, at.offset, 1), message).label("here"),
        None => Diagnostic::new(format!("{}: {message}", file.name)),
    };
    match help {
        Some(h) => diagnostic.help(h),
        None => diagnostic,
    }
}

/// Line and column (1-based, column in characters) of a byte offset.
pub fn location_of(text: &str, offset: usize, len: usize) -> Location {
    let offset = offset.min(text.len());
    let offset = (0..=offset).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let len = text[offset..].chars().next().map_or(0, |c| c.len_utf8()).max(len.min(text.len() - offset));
    Location { line, column, offset, len }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(rel: &str, text: &str) -> RawFile {
        RawFile { rel_path: rel.to_owned(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn unknown_field_points_at_the_key() {
        let file = Arc::new(SourceFile::new("x.yaml", "code: \"0\"\nnme: x\n"));
        let mut report = Report::default();
        let r = parse::<model::ErrorCodeSpec>(&raw("x.yaml", &file.text), &file, &mut report);
        assert!(r.is_none());
        let d = report.finish(()).expect_err("error");
        assert_eq!(d.0[0].position().as_deref(), Some("x.yaml:2:1"), "{}", d.0[0]);
        assert!(d.0[0].message.contains("unknown field `nme`"), "{}", d.0[0].message);
    }

    #[test]
    fn a_tag_or_a_second_document_is_refused_where_it_is() {
        for (text, message, at) in [
            ("code: !!str 0\nname: x\n", "YAML tag `!!str` in a spec file", "x.yaml:1:7"),
            ("code: \"0\"\n---\nname: x\n", "a second YAML document in a spec file", "x.yaml:2:1"),
        ] {
            let file = Arc::new(SourceFile::new("x.yaml", text));
            let mut report = Report::default();
            assert!(parse::<model::ErrorCodeSpec>(&raw("x.yaml", text), &file, &mut report).is_none());
            let d = report.finish(()).expect_err("refused");
            assert_eq!(d.0[0].message, message);
            assert_eq!(d.0[0].position().as_deref(), Some(at), "{}", d.0[0]);
        }
    }

    #[test]
    fn location_counts_characters() {
        let loc = location_of("é: 1\nab: é\n", 10, 2);
        assert_eq!((loc.line, loc.column), (2, 5));
    }
}
