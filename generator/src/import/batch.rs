//! Importing many pages in one run.
//!
//! Every page is drafted, then all drafts are checked together, next to the catalog entries
//! they need ([`super::catalogs`]) and the interfaces already in the tree: two pages naming the
//! same new event must agree on it, two pages must not claim one file, operation or method and
//! path. A page with a problem is refused, and the rest are checked again without it, so that
//! each page's verdict is its own. The plan is all-or-nothing: [`write`] writes it only when no
//! page was refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::catalogs::{self, Addition};
use super::{Context, Imported, Options, import_page, page_line};
use crate::diag::Diagnostic;
use crate::load::{RawFile, document};

/// A page's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Drafted with nothing left for a person to look at but the wording.
    Imported,
    /// Drafted; some facts need a person (see the page's `curation`).
    ImportedWithNotes,
    /// Not used; see the page's `problems`.
    Refused,
}

/// A message at a page line (0: the page as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    pub line: usize,
    pub message: String,
}

/// What became of one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    /// The page as given on the command line.
    pub page: String,
    pub status: Status,
    /// The interface file drafted (`voicecall/callinner.yaml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Why the page was refused.
    pub problems: Vec<Located>,
    /// Facts a person must look at: what the import could not place or had to interpret.
    pub curation: Vec<Located>,
    /// Diagnostics of the draft as rendered (file:line:column in the draft), when it was checked
    /// and failed.
    #[serde(skip)]
    pub rendered: String,
}

/// The outcome of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub pages: Vec<PageReport>,
    /// Catalog entries the pages need (added when the batch is written).
    pub catalog_additions: Vec<Addition>,
    /// Problems of the batch as a whole (a catalog that cannot be edited).
    pub problems: Vec<String>,
    /// Whether the spec tree was written.
    pub written: bool,
}

impl Report {
    /// True when no page was refused and the batch has no problem of its own.
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.refused() == 0
    }

    /// How many pages were refused.
    pub fn refused(&self) -> usize {
        self.pages.iter().filter(|p| p.status == Status::Refused).count()
    }
}

/// A page to import: how to name it, and its text (or why it could not be read).
pub struct Input {
    pub page: String,
    pub text: Result<String, String>,
}

/// What a batch would write.
pub struct Plan {
    pub report: Report,
    /// Drafts, by path below the output directory, with their text.
    pub drafts: Vec<(String, String)>,
    /// Catalogs (below the spec directory) that change.
    pub catalogs: Vec<RawFile>,
}

/// The `.txt` pages of a directory (sorted), or the path itself.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut pages: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten().map(|e| e.path()).filter(|f| f.extension().is_some_and(|x| x == "txt")).collect()
                })
                .unwrap_or_default();
            pages.sort();
            out.extend(pages);
        } else {
            out.push(p.clone());
        }
    }
    out
}

struct Entry {
    report: PageReport,
    imported: Option<Imported>,
    yaml: String,
}

impl Entry {
    fn refuse(&mut self, line: usize, message: impl Into<String>) {
        self.report.status = Status::Refused;
        self.report.problems.push(Located { line, message: message.into() });
    }

    fn live(&self) -> bool {
        self.report.status != Status::Refused
    }
}

/// How a batch is planned.
pub struct Settings<'a> {
    /// Whether the drafts are to be written: then a file, operation or route the tree already
    /// holds refuses the page. Otherwise (drafts printed) a draft stands in for the spec of
    /// its path, as a page compared with its spec would.
    pub writing: bool,
    /// Whether a draft's path is taken in the output directory.
    pub exists: &'a dyn Fn(&str) -> bool,
    /// Keep drafts that fail load+check, as notes instead of refusals.
    pub allow_invalid: bool,
    /// The accepted pages are to be written even if others were refused.
    pub keep_going: bool,
}

/// Drafts every page and checks the drafts together.
pub fn plan(context: &Context, options: &Options, inputs: Vec<Input>, settings: &Settings<'_>) -> Plan {
    let mut entries: Vec<Entry> = inputs.into_iter().map(|i| draft(i, options)).collect();
    let mut context = context.clone();
    if !settings.writing {
        let drafted: BTreeSet<String> = entries.iter().filter_map(|e| e.report.spec.clone()).collect();
        context.interfaces.retain(|f| !drafted.contains(&f.rel_path));
    }
    let context = &context;
    claims(context, &mut entries, settings);
    let allow_invalid = settings.allow_invalid;
    // Problems the tree has without the drafts are not the drafts' problems.
    let baseline: BTreeSet<String> = {
        let mut tree = context.catalogs.clone();
        tree.extend(context.interfaces.iter().cloned());
        super::load_and_check(&tree).iter().map(Diagnostic::render).collect()
    };
    let mut problems = Vec::new();
    let mut additions = Vec::new();
    let mut changed = Vec::new();
    // Each round refuses at least one page or ends.
    for _ in 0..=entries.len() {
        let live: Vec<(&str, &Imported)> = entries
            .iter()
            .filter(|e| e.live())
            .filter_map(|e| e.imported.as_ref().map(|i| (e.report.page.as_str(), i)))
            .collect();
        let (adds, disagreements) = catalogs::needed(&context.catalogs, &live);
        if !disagreements.is_empty() {
            refuse_disagreements(&mut entries, &disagreements);
            continue;
        }
        additions = adds;
        changed = match catalogs::apply(&context.catalogs, &additions) {
            Ok(c) => c,
            Err(e) => {
                problems.push(e);
                break;
            }
        };
        if !check(
            context,
            &catalogs::replaced(&context.catalogs, &changed),
            &baseline,
            &mut entries,
            allow_invalid,
            &mut problems,
        ) {
            break;
        }
    }
    let pages_ok = entries.iter().all(Entry::live);
    let drafts = entries
        .iter()
        .filter(|e| e.live())
        .filter_map(|e| e.report.spec.clone().map(|s| (s, e.yaml.clone())))
        .collect();
    let report = Report {
        pages: entries.into_iter().map(|e| e.report).collect(),
        // Entries are listed only when they will be added.
        catalog_additions: if pages_ok || settings.keep_going { additions } else { Vec::new() },
        problems,
        written: false,
    };
    Plan { report, drafts, catalogs: changed }
}

/// Refuses every page naming a new entry that pages of the batch give different meanings.
fn refuse_disagreements(entries: &mut [Entry], disagreements: &[catalogs::Disagreement]) {
    for d in disagreements {
        let said: Vec<String> = d
            .uses
            .iter()
            .filter_map(|o| o.meaning.as_ref().map(|m| format!("{}:{} says \"{m}\"", o.page, o.line)))
            .collect();
        for u in &d.uses {
            for e in entries.iter_mut().filter(|e| e.report.page == u.page) {
                e.refuse(u.line, format!("the pages disagree on what {} means: {}", d.key, said.join("; ")));
            }
        }
    }
}

/// Drafts one page.
fn draft(input: Input, options: &Options) -> Entry {
    let mut report = PageReport {
        page: input.page,
        status: Status::Imported,
        spec: None,
        operation: None,
        problems: Vec::new(),
        curation: Vec::new(),
        rendered: String::new(),
    };
    let text = match input.text {
        Ok(t) => t,
        Err(e) => {
            report.status = Status::Refused;
            report.problems.push(Located { line: 0, message: format!("cannot read the page: {e}") });
            return Entry { report, imported: None, yaml: String::new() };
        }
    };
    let imported = import_page(&text, options);
    report.spec = Some(imported.rel_path.clone());
    report.operation = Some(imported.draft.operation.clone());
    report.curation = imported.warnings.iter().map(|w| Located { line: w.line, message: w.message.clone() }).collect();
    if !report.curation.is_empty() {
        report.status = Status::ImportedWithNotes;
    }
    let mut entry = Entry { yaml: imported.to_yaml(), report, imported: None };
    for w in &imported.incomplete {
        entry.refuse(w.line, w.message.clone());
    }
    if !imported.incomplete.is_empty() {
        entry.refuse(
            0,
            "the page looks incomplete; it is not used, since facts missing from it would be taken as removed",
        );
    }
    entry.imported = Some(imported);
    entry
}

/// The method and path of an interface file, `PUT /voicecall/{agentid}/callinner`.
fn route(text: &str) -> Option<String> {
    let doc = document::parse(text).ok()?;
    let s = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Some(format!("{} {}", s("method")?, s("path")?))
}

/// The operation name of an interface file.
fn operation(text: &str) -> Option<String> {
    document::parse(text).ok()?.get("operation")?.as_str().map(str::to_owned)
}

/// Refuses drafts that claim a file, operation or route an existing spec or an earlier page
/// of the batch holds: a collision is reported, never overwritten.
fn claims(context: &Context, entries: &mut [Entry], settings: &Settings<'_>) {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut ops: BTreeMap<String, String> = BTreeMap::new();
    let mut routes: BTreeMap<String, String> = BTreeMap::new();
    for f in context.interfaces.iter().filter(|_| settings.writing) {
        let text = String::from_utf8_lossy(&f.bytes);
        let owner = format!("the spec {}", f.rel_path);
        files.insert(f.rel_path.clone(), owner.clone());
        ops.extend(operation(&text).map(|o| (o, owner.clone())));
        routes.extend(route(&text).map(|r| (r, owner.clone())));
    }
    for e in entries.iter_mut().filter(|e| e.imported.is_some()) {
        let d = &e.imported.as_ref().expect("filtered").draft;
        let rel = e.report.spec.clone().unwrap_or_default();
        let (op, rt) = (d.operation.clone(), format!("{} {}", d.method, d.path));
        let (op_line, rt_line) =
            (d.lines.get("log_name").copied().unwrap_or(0), d.lines.get("path").copied().unwrap_or(0));
        let mine = format!("the page {}", e.report.page);
        let mut refused = false;
        if let Some(owner) = files.get(&rel) {
            e.refuse(0, format!("{rel} is already taken by {owner}; use --update to merge the page into it"));
            refused = true;
        } else if (settings.exists)(&rel) {
            e.refuse(0, format!("{rel} exists in the output directory; use --update to merge the page into it"));
            refused = true;
        }
        if let Some(owner) = ops.get(&op) {
            e.refuse(op_line, format!("the operation name `{op}` is already taken by {owner}"));
            refused = true;
        }
        if let Some(owner) = routes.get(&rt) {
            e.refuse(rt_line, format!("{rt} is already described by {owner}; use --update to merge the page into it"));
            refused = true;
        }
        if !refused {
            files.insert(rel, mine.clone());
            ops.insert(op, mine.clone());
            routes.insert(rt, mine);
        }
    }
}

/// Checks the tree with every live draft; refuses the drafts with problems of their own.
/// True when a page was refused (the rest must be checked again).
fn check(
    context: &Context,
    catalogs: &[RawFile],
    baseline: &BTreeSet<String>,
    entries: &mut [Entry],
    allow_invalid: bool,
    problems: &mut Vec<String>,
) -> bool {
    let mut tree = catalogs.to_vec();
    tree.extend(context.interfaces.iter().cloned());
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate().filter(|(_, e)| e.live() && e.imported.is_some()) {
        let rel = e.report.spec.clone().unwrap_or_default();
        owners.insert(format!("spec/{rel}"), i);
        tree.push(RawFile { rel_path: rel, bytes: e.yaml.as_bytes().to_vec() });
    }
    let mut by_page: BTreeMap<usize, Vec<Diagnostic>> = BTreeMap::new();
    for d in super::load_and_check(&tree).into_iter().filter(|d| !baseline.contains(&d.render())) {
        match d.at.as_ref().and_then(|(f, _)| owners.get(&f.name)) {
            Some(i) => by_page.entry(*i).or_default().push(d),
            None => {
                let text = d.render();
                if !problems.contains(&text) {
                    problems.push(text);
                }
            }
        }
    }
    let mut refused = false;
    for (i, diags) in by_page {
        let e = &mut entries[i];
        let imported = e.imported.as_ref().expect("checked drafts are imported");
        let located: Vec<Located> = diags
            .iter()
            .map(|d| {
                let line = d.at.as_ref().and_then(|(_, at)| page_line(imported, &e.yaml, at.line)).unwrap_or(0);
                Located { line, message: d.message.clone() }
            })
            .collect();
        e.report.rendered = crate::diag::Diagnostics(diags).render();
        if allow_invalid {
            for l in located {
                e.report.status = Status::ImportedWithNotes;
                e.report
                    .curation
                    .push(Located { line: l.line, message: format!("kept although invalid: {}", l.message) });
            }
        } else {
            for l in located {
                e.refuse(l.line, l.message);
            }
            refused = true;
        }
    }
    refused
}

/// Writes a plan: the drafts below `out`, the catalogs below `spec`. All or nothing: every file
/// is first written next to its target, then renamed into place; on a failure the files
/// already renamed are restored (or removed) and nothing else is touched.
pub fn write(plan: &Plan, out: &Path, spec: &Path) -> Result<Vec<PathBuf>, String> {
    let mut targets: Vec<(PathBuf, &[u8])> =
        plan.drafts.iter().map(|(rel, text)| (out.join(rel), text.as_bytes())).collect();
    targets.extend(plan.catalogs.iter().map(|f| (spec.join(&f.rel_path), f.bytes.as_slice())));
    let staged: Vec<PathBuf> = targets.iter().map(|(t, _)| staging_path(t)).collect();
    let mut created_dirs = Vec::new();
    let undo = |staged: &[PathBuf], dirs: &[PathBuf]| {
        for s in staged {
            let _ = std::fs::remove_file(s);
        }
        for d in dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    };
    for ((target, bytes), stage) in targets.iter().zip(&staged) {
        if let Some(parent) = target.parent()
            && !parent.exists()
        {
            if let Err(e) = std::fs::create_dir_all(parent) {
                undo(&staged, &created_dirs);
                return Err(format!("cannot create {}: {e} (nothing written)", parent.display()));
            }
            created_dirs.push(parent.to_path_buf());
        }
        if let Err(e) = std::fs::write(stage, bytes) {
            undo(&staged, &created_dirs);
            return Err(format!("cannot write {}: {e} (nothing written)", stage.display()));
        }
    }
    let originals: Vec<Option<Vec<u8>>> = targets.iter().map(|(t, _)| std::fs::read(t).ok()).collect();
    for (i, ((target, _), stage)) in targets.iter().zip(&staged).enumerate() {
        if let Err(e) = std::fs::rename(stage, target) {
            for ((done, _), original) in targets[..i].iter().zip(&originals) {
                let _ = match original {
                    Some(bytes) => std::fs::write(done, bytes),
                    None => std::fs::remove_file(done),
                };
            }
            undo(&staged[i..], &created_dirs);
            return Err(format!("cannot write {}: {e} (nothing written)", target.display()));
        }
    }
    Ok(targets.into_iter().map(|(t, _)| t).collect())
}

/// Where a file is staged before it is renamed into place.
fn staging_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.ccgen-import"))
}

/// The report for people, one paragraph per page.
pub fn render(report: &Report) -> String {
    let count = |s: Status| report.pages.iter().filter(|p| p.status == s).count();
    let mut out = format!(
        "import: {} page(s): {} imported, {} imported with notes, {} refused; {} catalog entr{} to add\n",
        report.pages.len(),
        count(Status::Imported),
        count(Status::ImportedWithNotes),
        count(Status::Refused),
        report.catalog_additions.len(),
        if report.catalog_additions.len() == 1 { "y" } else { "ies" }
    );
    let at = |page: &str, line: usize| if line == 0 { page.to_owned() } else { format!("{page}:{line}") };
    for p in &report.pages {
        let status = match p.status {
            Status::Imported => "imported",
            Status::ImportedWithNotes => "imported with notes",
            Status::Refused => "refused",
        };
        let spec = match (&p.spec, &p.operation) {
            (Some(s), Some(o)) => format!(" → {s} (`{o}`)"),
            _ => String::new(),
        };
        out.push_str(&format!("{}: {status}{spec}\n", p.page));
        for l in &p.problems {
            out.push_str(&format!("  {}: error: {}\n", at(&p.page, l.line), l.message));
        }
        for l in &p.curation {
            out.push_str(&format!("  {}: needs curation: {}\n", at(&p.page, l.line), l.message));
        }
    }
    if !report.catalog_additions.is_empty() {
        out.push_str("catalog entries:\n");
        for a in &report.catalog_additions {
            out.push_str(&format!("  {}\n", catalogs::describe(a)));
        }
    }
    for p in &report.problems {
        out.push_str(&format!("error: {p}\n"));
    }
    out
}
