//! The `ccgen import` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{Context, Imported, compare, import_page, load_interface, memory, options_from, read_context, validate};

/// Drafts interface specs from the plain-text form of vendor pages.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Plain-text vendor pages.
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
        return run_update(&args.pages[0], spec_file, &context, &options, args.allow_invalid);
    }
    let mut failed = false;
    let mut printed = 0;
    for page in &args.pages {
        let text = match std::fs::read_to_string(page) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", display(page));
                failed = true;
                continue;
            }
        };
        let imported = import_page(&text, &options);
        print_warnings(page, &imported);
        if incomplete(page, &imported) {
            failed = true;
            continue;
        }
        let yaml = imported.to_yaml();
        if let Err(d) = validate(&context, &imported.rel_path, &yaml) {
            // Point at the page, where the reader can look; the draft exists only in memory.
            let own = format!("/{}", imported.rel_path);
            for diag in &d.0 {
                if let Some((file, at)) = &diag.at
                    && file.name.ends_with(&own)
                {
                    let line = super::page_line(&imported, &yaml, at.line).map(|l| format!(":{l}")).unwrap_or_default();
                    eprintln!("{}{line}: error: {}", display(page), diag.message);
                }
            }
            eprintln!("in the draft (not written):");
            eprint!("{}", d.render());
            if !args.allow_invalid {
                eprintln!(
                    "error: the draft from {} does not pass load+check; nothing written (use --allow-invalid to keep it)",
                    display(page)
                );
                failed = true;
                continue;
            }
        }
        match &args.out {
            Some(dir) => {
                let target = dir.join(&imported.rel_path);
                if target.exists() {
                    eprintln!(
                        "error: {} exists; use --update {} to merge the page into it, or remove it first",
                        target.display(),
                        target.display()
                    );
                    failed = true;
                    continue;
                }
                if let Some(parent) = target.parent()
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    eprintln!("error: cannot create {}: {e}", parent.display());
                    failed = true;
                    continue;
                }
                if let Err(e) = std::fs::write(&target, &yaml) {
                    eprintln!("error: cannot write {}: {e}", target.display());
                    failed = true;
                    continue;
                }
                eprintln!("{} → {} ({} warning(s))", display(page), target.display(), imported.warnings.len());
            }
            None => {
                if printed > 0 {
                    println!("---");
                }
                print!("{yaml}");
                printed += 1;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
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
    spec_file: &Path,
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
    let updated = match super::update::update(&spec_text, &imported) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {}: {e}", spec_file.display());
            return ExitCode::FAILURE;
        }
    };
    let changes = match (load_interface(context, &rel, &spec_text), load_interface(context, &rel, &updated.yaml)) {
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
