//! The three output formats of `ccgen diff`.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Area, Bump, Change, Class, Group, Report};

/// A note on reading the suggested bump for a `0.x` crate.
const ZERO_X_NOTE: &str = "while the generated crate is 0.x, Cargo treats 0.1 → 0.2 as the breaking bump: apply a suggested major bump as a minor one, and a minor bump as a patch";

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

/// Plain text for a terminal.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    if report.is_empty() {
        out.push_str("no changes\nsuggested version bump: none\n");
        return out;
    }
    let _ = writeln!(out, "{}", counts_line(report));
    let _ = writeln!(out, "suggested version bump: {}", report.bump().as_str());
    for g in report.groups() {
        let _ = writeln!(out, "\n{}", heading(&g));
        for c in g.changes {
            let _ = writeln!(out, "  {:<11} {}", c.class.as_str(), what(c));
        }
    }
    if report.bump() != Bump::None {
        let _ = writeln!(out, "\nnote: {ZERO_X_NOTE}");
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a pull-request comment.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::from("### Spec changes\n\n");
    if report.is_empty() {
        out.push_str("No changes. Suggested version bump: **none**.\n");
        return out;
    }
    let _ = writeln!(out, "Suggested version bump: **{}** ({}).", report.bump().as_str(), counts_line(report));
    for g in report.groups() {
        let title = match (g.area, g.interface) {
            (Area::Interface, Some(op)) => format!("`{op}` (`{}`)", g.source),
            _ => format!("`{}`", g.source),
        };
        let _ = writeln!(out, "\n#### {title}\n\n| Class | What | Change |\n|---|---|---|");
        for c in g.changes {
            let class = match c.class {
                Class::Breaking => "**breaking**".to_owned(),
                other => other.label().to_owned(),
            };
            let subject = if c.subject.is_empty() { "—".to_owned() } else { cell(&c.subject) };
            let _ = writeln!(out, "| {class} | {subject} | {} |", cell(&c.message));
        }
    }
    let _ = writeln!(out, "\n> Note: {ZERO_X_NOTE}.");
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
    bump: Bump,
    counts: Counts,
    changes: &'a [Change],
}

/// JSON for tools: `{"bump", "counts": {"breaking", "review", "compatible", "docs"}, "changes": [...]}`,
/// each change with `class`, `kind`, `area`, `interface`, `source`, `subject` and `message`.
pub fn render_json(report: &Report) -> String {
    let json = Json {
        bump: report.bump(),
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

/// A changelog section for the generated crate: `heading` (e.g. `## 0.2.0`), then the changes
/// grouped under Breaking, Needs review, Added and changed (compatible) and Documentation.
/// Empty when nothing changed.
pub fn render_changelog(report: &Report, heading: &str) -> String {
    if report.is_empty() {
        return String::new();
    }
    let mut out = format!("{heading}\n");
    for (class, title) in [
        (Class::Breaking, "Breaking"),
        (Class::Review, "Needs review"),
        (Class::Compatible, "Added and changed (compatible)"),
        (Class::Docs, "Documentation"),
    ] {
        let changes: Vec<&Change> = report.changes.iter().filter(|c| c.class == class).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        for c in changes {
            let place = match &c.interface {
                Some(op) => format!("`{op}`"),
                None => format!("`{}`", c.source),
            };
            let _ = writeln!(out, "- {place}: {}", what(c).replace('\n', " "));
        }
    }
    out
}
