//! The three output formats of `ccgen diff`.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Area, Bump, Change, Class, Group, Report};

/// The suggested bump in words: `minor (0.1.0 → 0.2.0, breaking changes in a 0.x crate)`.
fn bump_line(report: &Report, version: &semver::Version) -> String {
    format!("{} ({})", report.bump(version).as_str(), bump_why(report, version))
}

/// What the bump does to `version`, and why: `0.1.0 → 0.2.0, breaking changes in a 0.x crate`.
fn bump_why(report: &Report, version: &semver::Version) -> String {
    let bump = report.bump(version);
    if bump == Bump::None {
        return format!("stays {version}");
    }
    let why = match (report.worst(), version.major, version.minor) {
        (_, 0, 0) => "every change is breaking in a 0.0.x crate",
        (Some(Class::Breaking), 0, _) => "breaking changes in a 0.x crate",
        (Some(Class::Review), 0, _) => "changes to review, counted as breaking, in a 0.x crate",
        (_, 0, _) => "no breaking change in a 0.x crate",
        (Some(Class::Breaking), _, _) => "breaking changes",
        (Some(Class::Review), _, _) => "changes to review, counted as breaking",
        (Some(Class::Compatible), _, _) => "compatible additions",
        _ => "documentation only",
    };
    format!("{version} → {}, {why}", super::next_version(version, bump))
}

/// One judgement in words; `docs` there means the side is unchanged.
fn side(class: Class) -> &'static str {
    if class == Class::Docs { "unchanged" } else { class.label() }
}

/// `[wire: x, Rust API: y]` when the two judgements differ.
fn judgements(c: &Change) -> String {
    if c.wire == c.rust { String::new() } else { format!(" [wire: {}, Rust API: {}]", side(c.wire), side(c.rust)) }
}

fn counts_line(report: &Report) -> String {
    format!(
        "{} breaking, {} to review, {} compatible, {} docs only",
        report.count(Class::Breaking),
        report.count(Class::Review),
        report.count(Class::Compatible),
        report.count(Class::Docs)
    )
}

fn heading(g: &Group<'_>) -> String {
    match (g.area, g.interface) {
        (Area::Interface, Some(op)) => format!("interface {op} ({})", g.source),
        _ => g.source.to_owned(),
    }
}

fn what(c: &Change) -> String {
    if c.subject.is_empty() { c.message.clone() } else { format!("{}: {}", c.subject, c.message) }
}

/// Plain text for a terminal; the bump is named for a crate at `version`.
pub fn render_text(report: &Report, version: &semver::Version) -> String {
    let mut out = String::new();
    if report.is_empty() {
        let _ = writeln!(out, "no changes\nsuggested version bump: {}", bump_line(report, version));
        return out;
    }
    let _ = writeln!(out, "{}", counts_line(report));
    let _ = writeln!(out, "suggested version bump: {}", bump_line(report, version));
    for g in report.groups() {
        let _ = writeln!(out, "\n{}", heading(&g));
        for c in g.changes {
            let _ = writeln!(out, "  {:<11} {}{}", c.class.as_str(), what(c), judgements(c));
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a pull-request comment; the bump is named for a crate at `version`.
pub fn render_markdown(report: &Report, version: &semver::Version) -> String {
    let mut out = String::from("### Spec changes\n\n");
    if report.is_empty() {
        let _ = writeln!(out, "No changes. Suggested version bump: **none** (stays {version}).");
        return out;
    }
    let (bump, why) = (report.bump(version).as_str(), bump_why(report, version));
    let _ = writeln!(out, "Suggested version bump: **{bump}** ({why}).\n\n{}.", counts_line(report));
    for g in report.groups() {
        let title = match (g.area, g.interface) {
            (Area::Interface, Some(op)) => format!("`{op}` (`{}`)", g.source),
            _ => format!("`{}`", g.source),
        };
        let _ = writeln!(out, "\n#### {title}\n\n| Class | Wire | Rust API | What | Change |\n|---|---|---|---|---|");
        for c in g.changes {
            let class = match c.class {
                Class::Breaking => "**breaking**".to_owned(),
                other => other.label().to_owned(),
            };
            let subject = if c.subject.is_empty() { "—".to_owned() } else { cell(&c.subject) };
            let (wire, rust) = (side(c.wire), side(c.rust));
            let _ = writeln!(out, "| {class} | {wire} | {rust} | {subject} | {} |", cell(&c.message));
        }
    }
    out
}

#[derive(Serialize)]
struct Counts {
    breaking: usize,
    review: usize,
    compatible: usize,
    docs: usize,
}

#[derive(Serialize)]
struct Json<'a> {
    crate_version: String,
    next_version: String,
    bump: Bump,
    counts: Counts,
    changes: &'a [Change],
}

/// JSON for tools: `{"crate_version", "next_version", "bump", "counts": {"breaking", "review",
/// "compatible", "docs"}, "changes": [...]}`, each change with `class`, `wire`, `rust`, `kind`,
/// `area`, `interface`, `source`, `subject` and `message`; `bump` is on `version`'s scale.
pub fn render_json(report: &Report, version: &semver::Version) -> String {
    let bump = report.bump(version);
    let json = Json {
        crate_version: version.to_string(),
        next_version: super::next_version(version, bump).to_string(),
        bump,
        counts: Counts {
            breaking: report.count(Class::Breaking),
            review: report.count(Class::Review),
            compatible: report.count(Class::Compatible),
            docs: report.count(Class::Docs),
        },
        changes: &report.changes,
    };
    let mut s = serde_json::to_string_pretty(&json).expect("a report serializes");
    s.push('\n');
    s
}

/// One side of a change's judgement: `wire` or `rust`.
type Side = fn(&Change) -> Class;

/// A changelog section for the generated crate: `heading` (e.g. `## 0.2.0`), then the changes
/// on the wire and in the Rust API, each grouped by the class `diff` gives it on that side
/// (Breaking, Needs review, Added and changed (compatible)), then the changes that are
/// documentation on both sides. A change that weighs on both sides is listed under each.
/// Empty when nothing changed.
pub fn render_changelog(report: &Report, heading: &str) -> String {
    if report.is_empty() {
        return String::new();
    }
    let mut out = format!("{heading}\n");
    let sides: [(&str, Side); 2] = [("Wire", |c| c.wire), ("Rust API", |c| c.rust)];
    for (side, class_of) in sides {
        if report.changes.iter().all(|c| class_of(c) == Class::Docs) {
            continue;
        }
        let _ = writeln!(out, "\n### {side}");
        for (class, title) in [
            (Class::Breaking, "Breaking"),
            (Class::Review, "Needs review"),
            (Class::Compatible, "Added and changed (compatible)"),
        ] {
            let changes: Vec<&Change> = report.changes.iter().filter(|c| class_of(c) == class).collect();
            if !changes.is_empty() {
                let _ = writeln!(out, "\n#### {title}\n");
                changes.into_iter().for_each(|c| changelog_line(&mut out, c));
            }
        }
    }
    let docs: Vec<&Change> = report.changes.iter().filter(|c| c.class == Class::Docs).collect();
    if !docs.is_empty() {
        let _ = writeln!(out, "\n### Documentation\n");
        docs.into_iter().for_each(|c| changelog_line(&mut out, c));
    }
    out
}

fn changelog_line(out: &mut String, c: &Change) {
    let place = match &c.interface {
        Some(op) => format!("`{op}`"),
        None => format!("`{}`", c.source),
    };
    let _ = writeln!(out, "- {place}: {}", what(c).replace('\n', " "));
}
