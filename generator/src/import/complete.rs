//! Signs that a page is incomplete: a table row cut short, a section heading with nothing
//! under it, a page that ends inside a table, a section every interface page has that is
//! missing.
//!
//! `--update` takes the page's facts as the truth, so "absent from the page" would delete
//! facts from the spec. A page that is only partly there must therefore be refused, at its
//! line, rather than read: a vendor section that says "None" is content, a missing one is not.

use super::Warning;
use super::page::{self, Block, Parsed};

/// Sections every interface page has (an example is optional: some pages give none).
const REQUIRED: &[(&[&str], &str)] = &[
    (&["description"], "Description"),
    (&["interface method"], "Interface Method"),
    (&["uri"], "URI"),
    (&["method name in logs"], "Method Name in Logs"),
    (&["request description"], "Request Description"),
    (&["response description"], "Response Description"),
    (&["triggered event", "triggered events"], "Triggered Event"),
    (&["error code", "error codes"], "Error Code"),
];

/// Why the page looks incomplete, each at a line of the page; empty when it looks whole.
pub fn problems(parsed: &Parsed, last_line: usize) -> Vec<Warning> {
    let mut out = Vec::new();
    for (line, what) in &parsed.stray {
        if what.starts_with("incomplete table row") {
            out.push(Warning { line: *line, message: format!("a table row is cut short ({what})") });
        }
    }
    let headings: Vec<(usize, &'static str, bool)> = parsed
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Heading(l) => {
                let empty = !matches!(parsed.blocks.get(i + 1), Some(b) if !matches!(b, Block::Heading(_)));
                page::heading(&l.text).map(|h| (l.no, h, empty))
            }
            _ => None,
        })
        .collect();
    for (line, name, empty) in &headings {
        if *empty {
            out.push(Warning {
                line: *line,
                message: format!(
                    "the section \"{name}\" has nothing under it (a section with nothing to list says \"None\")"
                ),
            });
        }
    }
    if let Some(Block::Table(t)) = parsed.blocks.last() {
        out.push(Warning {
            line: t.rows.last().map_or(t.line, |r| r.line),
            message: "the page ends inside a table".to_owned(),
        });
    }
    for (names, title) in REQUIRED {
        if !headings.iter().any(|(_, h, _)| names.contains(h)) {
            out.push(Warning {
                line: last_line.max(1),
                message: format!("the page has no \"{title}\" section (every interface page has one)"),
            });
        }
    }
    out
}

/// The list a page stops at, with no example or page footer after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenList {
    Errors,
    Events,
}

/// The list the page ends in, at its heading's line, when nothing follows
/// it: every whole vendor page goes on with an example or its footer, so the
/// list may have lost its end. Only a sign: a page copied without its footer
/// ends so too. `--update` refuses such a page where it would remove entries
/// of that list from the spec.
pub fn open_end(parsed: &Parsed) -> Option<(usize, OpenList)> {
    if parsed.footer || !matches!(parsed.blocks.last(), Some(Block::Bullet(_))) {
        return None;
    }
    let (line, name) = parsed.blocks.iter().rev().find_map(|b| match b {
        Block::Heading(l) => page::heading(&l.text).map(|h| (l.no, h)),
        _ => None,
    })?;
    match name {
        "error code" | "error codes" => Some((line, OpenList::Errors)),
        "triggered event" | "triggered events" => Some((line, OpenList::Events)),
        _ => None,
    }
}
