//! The `ccgen import` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{
    Context, Imported, batch, catalogs, compare, import_page, load_interface, memory, options_from, read_context,
    validate,
};

/// Drafts interface specs from the plain-text form of vendor pages.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Plain-text vendor pages, or directories holding them (their `.txt` files). Without
    /// --compare or --update, all are imported in one all-or-nothing run: nothing is written
    /// if any page is refused.
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// Spec directory whose api.yaml, errors.yaml and events.yaml the drafts are checked against.
    #[arg(long, default_value = "spec")]
    pub spec: PathBuf,
    /// Write each draft to DIR/<resource>/<name>.yaml instead of printing it; an existing file
    /// is never overwritten (use --update to merge into it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Keep a draft that fails load+check (the diagnostics are still printed).
    #[arg(long)]
    pub allow_invalid: bool,
    /// Compare the page's facts with this checked-in spec instead of writing a draft; exits
    /// with 1 when they differ, 2 when either cannot be read. Takes one page.
    #[arg(long, value_name = "SPEC_FILE", conflicts_with = "out")]
    pub compare: Option<PathBuf>,
    /// Merge the page's facts into this checked-in spec, keeping what people wrote (operation
    /// name, descriptions, value names, type names, rules, examples, quirks); rewrites the file
    /// and prints what changed. Takes one page.
    #[arg(long, value_name = "SPEC_FILE", conflicts_with_all = ["out", "compare"])]
    pub update: Option<PathBuf>,
    /// Write the pages that were accepted even when others were refused (the exit status still
    /// says that some were).
    #[arg(long, conflicts_with_all = ["compare", "update"])]
    pub keep_going: bool,
    /// How the report of a batch is printed: for people, or as JSON for tools.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

fn display(page: &Path) -> String {
    page.display().to_string()
}

fn print_warnings(page: &Path, imported: &Imported) {
    for w in &imported.warnings {
        if w.line == 0 {
            eprintln!("{}: warning: {}", display(page), w.message);
        } else {
            eprintln!("{}:{}: warning: {}", display(page), w.line, w.message);
        }
    }
}

/// Reports why a page looks incomplete; true when it does (and must not be used).
fn incomplete(page: &Path, imported: &Imported) -> bool {
    for w in &imported.incomplete {
        eprintln!("{}:{}: error: {}", display(page), w.line, w.message);
    }
    if !imported.incomplete.is_empty() {
        eprintln!(
            "error: {} looks incomplete; it is not used, since facts missing from it would be taken as removed (nothing written)",
            display(page)
        );
    }
    !imported.incomplete.is_empty()
}

/// Reports the entries of `spec` that `--update` would remove from the list
/// the page ends in with nothing after it ([`super::complete::open_end`]);
/// true when there are any (the page must not be used).
fn cut_list(page: &Path, imported: &Imported, spec: &crate::load::model::InterfaceFile) -> bool {
    use super::complete::OpenList;
    let Some((line, list)) = imported.open_end else { return false };
    let d = &imported.draft;
    let (title, missing): (&str, Vec<&str>) = match list {
        OpenList::Errors => {
            ("Error Code", spec.errors.iter().filter(|c| !d.errors.contains(c)).map(String::as_str).collect())
        }
        OpenList::Events => (
            "Triggered Event",
            spec.events.iter().map(|e| e.event()).filter(|n| !d.events.iter().any(|e| e == n)).collect(),
        ),
    };
    if missing.is_empty() {
        return false;
    }
    eprintln!(
        "{}:{line}: error: the page ends in its \"{title}\" list, with no example or page footer after it, and the list lacks {} the spec has: the list may be cut short",
        display(page),
        missing.join(", ")
    );
    eprintln!(
        "error: {} looks incomplete; it is not used, since facts missing from it would be taken as removed (nothing written)",
        display(page)
    );
    true
}

/// Runs the command.
pub fn run(args: ImportArgs) -> ExitCode {
    let context = match read_context(&args.spec) {
        Ok(c) => c,
        Err(d) => {
            eprint!("{}", d.render());
            return ExitCode::FAILURE;
        }
    };
    let options = options_from(&context);
    if let Some(spec_file) = &args.compare {
        if args.pages.len() != 1 {
            eprintln!("error: --compare takes exactly one page");
            return ExitCode::FAILURE;
        }
        return run_compare(&args.pages[0], spec_file, &context, &options);
    }
    if let Some(spec_file) = &args.update {
        if args.pages.len() != 1 {
            eprintln!("error: --update takes exactly one page");
            return ExitCode::FAILURE;
        }
        return run_update(&args.pages[0], (spec_file, &args.spec), &context, &options, args.allow_invalid);
    }
    run_batch(&args, &context, &options)
}

/// How the batch report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// One JSON object, for tools.
    Json,
}

/// Imports every page (directories stand for their `.txt` pages) in one all-or-nothing run.
fn run_batch(args: &ImportArgs, context: &Context, options: &super::Options) -> ExitCode {
    // A directory without pages is a mistake, not an empty success.
    if let Some(dir) = args.pages.iter().find(|p| p.is_dir() && batch::expand(std::slice::from_ref(p)).is_empty()) {
        eprintln!("error: {} holds no .txt page; nothing imported", dir.display());
        return ExitCode::from(2);
    }
    let inputs = read_pages(&batch::expand(&args.pages));
    let exists = |rel: &str| args.out.as_ref().is_some_and(|dir| dir.join(rel).exists());
    let settings = batch::Settings {
        writing: args.out.is_some(),
        exists: &exists,
        allow_invalid: args.allow_invalid,
        keep_going: args.keep_going,
    };
    let mut plan = batch::plan(context, options, inputs, &settings);
    print_refusals(&plan.report);
    let proceed = plan.report.ok() || (args.keep_going && plan.report.problems.is_empty() && !plan.drafts.is_empty());
    // Written or not, a refused page makes the run a failure.
    let ok = proceed && finish(&mut plan, args) && plan.report.ok();
    print_report(&plan, args);
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The pages' texts, with a progress line per page where stderr is a terminal.
fn read_pages(pages: &[PathBuf]) -> Vec<batch::Input> {
    use std::io::IsTerminal;
    let progress = std::io::stderr().is_terminal() && pages.len() > 1;
    let mut inputs = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if progress {
            eprintln!("[{}/{}] {}", i + 1, pages.len(), display(page));
        }
        inputs
            .push(batch::Input { page: display(page), text: std::fs::read_to_string(page).map_err(|e| e.to_string()) });
    }
    inputs
}

/// Each refusal at its page line (stderr), and the diagnostics of drafts that failed.
fn print_refusals(report: &batch::Report) {
    for p in &report.pages {
        for l in &p.problems {
            match l.line {
                0 => eprintln!("{}: error: {}", p.page, l.message),
                n => eprintln!("{}:{n}: error: {}", p.page, l.message),
            }
        }
        if !p.rendered.is_empty() {
            eprintln!("in the draft from {} (not written):", p.page);
            eprint!("{}", p.rendered);
        }
    }
}

/// Writes an accepted plan (or prints its drafts without --out); false when that fails.
fn finish(plan: &mut batch::Plan, args: &ImportArgs) -> bool {
    let Some(dir) = &args.out else {
        if args.format == Format::Human {
            for (i, (_, yaml)) in plan.drafts.iter().enumerate() {
                if i > 0 {
                    println!("---");
                }
                print!("{yaml}");
            }
        }
        return true;
    };
    if !plan.catalogs.is_empty() && !same_dir(dir, &args.spec) {
        // Catalog entries belong in the tree the drafts are checked against; writing the
        // drafts elsewhere without them would leave a tree that does not validate.
        plan.report.problems.push(format!(
            "the pages need catalog entries, which are added to {}'s catalogs only when --out is that directory; run with --out {} or add the entries by hand (nothing written)",
            args.spec.display(),
            args.spec.display()
        ));
        return false;
    }
    match batch::write(plan, dir, &args.spec) {
        Ok(_) => {
            plan.report.written = true;
            true
        }
        Err(e) => {
            plan.report.problems.push(e);
            false
        }
    }
}

/// The report: JSON, or for people (on stdout, or stderr when the drafts take stdout).
fn print_report(plan: &batch::Plan, args: &ImportArgs) {
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&plan.report).unwrap_or_default());
        return;
    }
    let refused = plan.report.pages.iter().any(|p| p.status == batch::Status::Refused);
    let mut text = batch::render(&plan.report);
    text.push_str(&match (plan.report.written, &args.out) {
        (true, Some(dir)) if refused => format!(
            "written to {} (catalogs in {}) without the {} refused page(s) (--keep-going)\n",
            dir.display(),
            args.spec.display(),
            plan.report.refused()
        ),
        (true, Some(dir)) => format!("written to {} (catalogs in {})\n", dir.display(), args.spec.display()),
        (false, Some(_)) if refused => {
            "nothing written: the run is all-or-nothing, and a page was refused\n".to_owned()
        }
        (false, Some(_)) => "nothing written\n".to_owned(),
        (_, None) if refused && !args.keep_going => "nothing printed or written: a page was refused\n".to_owned(),
        (_, None) => "nothing written (no --out); the drafts are printed\n".to_owned(),
    });
    if args.out.is_some() { print!("{text}") } else { eprint!("{text}") }
}

/// Whether two paths name the same directory.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn run_compare(page: &Path, spec_file: &Path, context: &Context, options: &super::Options) -> ExitCode {
    let (text, spec_text) = match (std::fs::read_to_string(page), std::fs::read_to_string(spec_file)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) => {
            eprintln!("error: cannot read {}: {e}", display(page));
            return ExitCode::from(2);
        }
        (_, Err(e)) => {
            eprintln!("error: cannot read {}: {e}", spec_file.display());
            return ExitCode::from(2);
        }
    };
    let imported = import_page(&text, options);
    print_warnings(page, &imported);
    if incomplete(page, &imported) {
        return ExitCode::from(2);
    }
    let page_doc = match load_interface(context, &imported.rel_path, &imported.to_yaml()) {
        Ok(d) => d,
        Err(d) => {
            eprint!("{}", d.render());
            return ExitCode::from(2);
        }
    };
    let rel = rel_path(spec_file);
    let spec_doc = match load_interface(context, &rel, &spec_text) {
        Ok(d) => d,
        Err(d) => {
            eprint!("{}", d.render());
            return ExitCode::from(2);
        }
    };
    let mut differences = compare::compare(&page_doc, &spec_doc);
    match reworded(spec_file, &rel, &imported) {
        Ok((items, _)) => differences.extend(items.iter().map(|r| {
            let line = memory::item_line(&imported.draft, &r.item);
            format!(
                "the vendor reworded {} since the last import (page line {line}; docs only; run --update to record it)\n{}",
                r.item,
                r.texts()
            )
        })),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    if differences.is_empty() {
        println!("{}: the page's facts agree with {}", display(page), spec_file.display());
        ExitCode::SUCCESS
    } else {
        println!("{}: {} difference(s) from {}:", display(page), differences.len(), spec_file.display());
        for d in differences {
            println!("  - {d}");
        }
        ExitCode::FAILURE
    }
}

/// A lock file to write: its path and text.
type LockWrite = (PathBuf, String);

/// Items the vendor reworded since the spec was last imported (per the lock file next to the
/// spec tree), and the lock file's new text when the page's wording is not recorded yet.
fn reworded(
    spec_file: &Path,
    rel: &str,
    imported: &Imported,
) -> Result<(Vec<memory::Rewording>, Option<LockWrite>), String> {
    let Some(path) = memory::lock_path(spec_file) else { return Ok((Vec::new(), None)) };
    let mut lock = memory::read(&path)?;
    let now = memory::wording(&imported.draft);
    let items = lock.0.get(rel).map(|before| memory::reworded(before, &now)).unwrap_or_default();
    if lock.0.get(rel).is_some_and(|before| memory::unchanged(before, &now)) {
        return Ok((items, None));
    }
    lock.0.insert(rel.to_owned(), now);
    Ok((items, Some((path, memory::render(&lock)))))
}

/// Reports the problems of a spec merged from `page`: each at the page line of the fact it
/// concerns (where the reader can look), then all of them in the merged spec, which exists
/// only in memory.
fn on_page(page: &Path, imported: &Imported, rel: &str, merged: &str, d: &crate::diag::Diagnostics) {
    let own = format!("/{rel}");
    for diag in &d.0 {
        if let Some((file, at)) = &diag.at
            && file.name.ends_with(&own)
        {
            // A problem in curated content has no page line; the full report below shows it.
            if let Some(line) = super::origin::page_line(imported, merged, at.line) {
                eprintln!("{}:{line}: error: {}", display(page), diag.message);
            }
        }
    }
    eprintln!("in the updated spec (not written):");
    eprint!("{}", d.render());
}

/// `resource/name.yaml` of a spec file path, so diagnostics name the right file.
fn rel_path(spec_file: &Path) -> String {
    let parts: Vec<String> = spec_file.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    parts[parts.len().saturating_sub(2)..].join("/")
}

fn run_update(
    page: &Path,
    (spec_file, spec_dir): (&Path, &Path),
    context: &Context,
    options: &super::Options,
    allow_invalid: bool,
) -> ExitCode {
    let (text, spec_text) = match (std::fs::read_to_string(page), std::fs::read_to_string(spec_file)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) => {
            eprintln!("error: cannot read {}: {e}", display(page));
            return ExitCode::FAILURE;
        }
        (_, Err(e)) => {
            eprintln!("error: cannot read {}: {e}", spec_file.display());
            return ExitCode::FAILURE;
        }
    };
    let imported = import_page(&text, options);
    print_warnings(page, &imported);
    if incomplete(page, &imported) {
        return ExitCode::FAILURE;
    }
    let rel = rel_path(spec_file);
    // Events and codes the page names that the catalogs lack are added, as a batch import does.
    let page_name = display(page);
    let (additions, _) = catalogs::needed(&context.catalogs, &[(page_name.as_str(), &imported)]);
    let changed_catalogs = match catalogs::apply(&context.catalogs, &additions) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let grown = Context { catalogs: catalogs::replaced(&context.catalogs, &changed_catalogs), ..context.clone() };
    let context = &grown;
    let updated = match super::update::update(&spec_text, &imported) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {}: {e}", spec_file.display());
            return ExitCode::FAILURE;
        }
    };
    let changes = match (load_interface(context, &rel, &spec_text), load_interface(context, &rel, &updated.yaml)) {
        (Ok(before), _) if cut_list(page, &imported, &before) => return ExitCode::FAILURE,
        (Ok(before), Ok(after)) => compare::compare(&after, &before),
        (Err(d), _) => {
            eprint!("{}", d.render());
            return ExitCode::FAILURE;
        }
        (_, Err(d)) => {
            on_page(page, &imported, &rel, &updated.yaml, &d);
            return ExitCode::FAILURE;
        }
    };
    if let Err(d) = validate(context, &rel, &updated.yaml) {
        on_page(page, &imported, &rel, &updated.yaml, &d);
        if !allow_invalid {
            eprintln!(
                "error: the updated {} does not pass load+check; nothing written (use --allow-invalid to write it anyway)",
                spec_file.display()
            );
            return ExitCode::FAILURE;
        }
    }
    for q in &updated.unmerged {
        eprintln!("{}: note: page quirk not merged (the spec's quirks are kept): {q}", display(page));
    }
    let (rewordings, lock) = match reworded(spec_file, &rel, &imported) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for r in &rewordings {
        let line = match memory::item_line(&imported.draft, &r.item) {
            0 => String::new(),
            n => format!(":{n}"),
        };
        println!(
            "{}{line}: note: the vendor reworded {} since the last import; {} keeps its own wording: check that it still says the same\n{}",
            display(page),
            r.item,
            spec_file.display(),
            r.texts()
        );
    }
    let unchanged = changes.is_empty() && updated.notes.is_empty();
    if !unchanged && let Err(e) = std::fs::write(spec_file, &updated.yaml) {
        eprintln!("error: cannot write {}: {e}", spec_file.display());
        return ExitCode::FAILURE;
    }
    // Catalogs after the spec they serve; a failure here leaves the spec naming an entry the
    // catalogs lack, which `validate` reports, so say exactly what is missing.
    for f in &changed_catalogs {
        let path = spec_dir.join(&f.rel_path);
        if let Err(e) = std::fs::write(&path, &f.bytes) {
            eprintln!("error: cannot write {}: {e}; add these entries by hand:", path.display());
            for a in &additions {
                eprintln!("  {}", catalogs::describe(a));
            }
            return ExitCode::FAILURE;
        }
    }
    for a in &additions {
        println!("{}", catalogs::describe(a));
    }
    // After the spec: a lock that says "imported" must not outlive a spec that was not written.
    if let Some((path, text)) = &lock {
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{}: recorded the page's wording for spec {rel}", path.display());
    }
    if unchanged {
        println!("{}: already agrees with {}; nothing to change", spec_file.display(), display(page));
        return ExitCode::SUCCESS;
    }
    println!("{}: updated from {}", spec_file.display(), display(page));
    for c in changes {
        println!("  - {c}");
    }
    for n in updated.notes {
        // Located at the spec as it was, so the reviewer finds the curated item in the diff.
        match n.line {
            0 => println!("{}: note: {}", spec_file.display(), n.message),
            line => println!("{}:{line}: note: {}", spec_file.display(), n.message),
        }
    }
    ExitCode::SUCCESS
}
