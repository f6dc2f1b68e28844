//! The sections of a page, sorted into what each holds: the page before any fact is drawn
//! from it. [`read`] places every block under its heading; what a section holds that the
//! import cannot use is a warning at its line.

use std::collections::BTreeSet;

use regex_lite::Regex;

use super::Ctx;
use super::page::{self, Block, Line, Parsed, Table};

/// One section of the page: its heading and blocks.
struct Section {
    name: &'static str,
    line: usize,
    blocks: Vec<Block>,
}

/// What the page's sections hold, by section.
#[derive(Debug, Default)]
pub(super) struct PageSections {
    /// The title line, as printed ("Session Transfer: transfer").
    pub title: String,
    /// The "Updated on" date.
    pub updated: Option<String>,
    pub prerequisites: Vec<String>,
    /// Text lines of the description.
    pub description: Vec<String>,
    /// Request methods named by "Interface Method", with their lines.
    pub methods: Vec<(usize, String)>,
    /// The URI template line.
    pub uri: Option<(usize, String)>,
    /// The table of the URI's parameters.
    pub uri_table: Option<Table>,
    /// "Method Name in Logs", as printed, and its line.
    pub log_name: String,
    pub log_line: usize,
    pub header_tables: Vec<Table>,
    pub body_tables: Vec<Table>,
    /// The message body is said to be "None".
    pub body_none: bool,
    /// The first response table, then the tables of the result's members.
    pub response_table: Option<Table>,
    pub result_tables: Vec<Table>,
    /// The response is said to be "None".
    pub response_none: bool,
    /// Events and error codes, each with its page line.
    pub events: Vec<(String, usize)>,
    pub errors: Vec<(String, usize)>,
    /// What the page says an event or error code means, where it says it (`100-006: ...`).
    pub meanings: std::collections::BTreeMap<String, String>,
    /// Line of each section's heading, by its normalized name.
    pub headings: std::collections::BTreeMap<&'static str, usize>,
    /// Example parts (`header`, `request`, `response`), each with its label line and lines.
    pub example_parts: Vec<(&'static str, usize, Vec<Line>)>,
}

/// Sorts the page's blocks into its sections.
pub(super) fn read(parsed: &Parsed, cx: &mut Ctx) -> PageSections {
    let mut title_line: Option<Line> = None;
    let mut sections: Vec<Section> = Vec::new();
    for block in &parsed.blocks {
        match block {
            Block::Heading(l) => {
                sections.push(Section { name: page::heading(&l.text).unwrap_or("?"), line: l.no, blocks: Vec::new() });
            }
            other => match sections.last_mut() {
                Some(s) => s.blocks.push(other.clone()),
                None => match other {
                    Block::Text(l) if title_line.is_none() => title_line = Some(l.clone()),
                    _ => cx.unplaced(other, "before the first section"),
                },
            },
        }
    }
    let mut s = PageSections {
        title: title_line.map(|l| l.text).unwrap_or_default(),
        updated: parsed.updated.clone(),
        ..PageSections::default()
    };
    if s.title.is_empty() {
        cx.warn(0, "the page has no title line");
    }

    let mut seen = BTreeSet::new();
    let method_re = Regex::new(r"\b(GET|POST|PUT|DELETE|PATCH)\b").expect("static regex");

    for section in &sections {
        s.headings.entry(section.name).or_insert(section.line);
        if !seen.insert(section.name) {
            cx.warn(section.line, format!("section \"{}\" appears twice; both are read", section.name));
        }
        match section.name {
            "prerequisites" => {
                for b in &section.blocks {
                    match b {
                        Block::Text(l) | Block::Bullet(l) if l.text.eq_ignore_ascii_case("none") => {}
                        Block::Text(l) | Block::Bullet(l) => s.prerequisites.push(l.text.clone()),
                        other => cx.unplaced(other, "prerequisites"),
                    }
                }
            }
            "description" => {
                for b in &section.blocks {
                    match b {
                        Block::Text(l) | Block::Bullet(l) => s.description.push(l.text.clone()),
                        other => cx.unplaced(other, "description"),
                    }
                }
            }
            "interface method" => {
                for b in &section.blocks {
                    match b {
                        Block::Text(l) | Block::Bullet(l) => {
                            let found: Vec<String> =
                                method_re.captures_iter(&l.text).map(|c| c[1].to_owned()).collect();
                            if found.is_empty() {
                                cx.unplaced(b, "interface method");
                            }
                            for m in found {
                                s.methods.push((l.no, m));
                            }
                        }
                        other => cx.unplaced(other, "interface method"),
                    }
                }
            }
            "uri" => {
                for b in &section.blocks {
                    match b {
                        Block::Text(l) if s.uri.is_none() && (l.text.contains("://") || l.text.starts_with('/')) => {
                            s.uri = Some((l.no, l.text.clone()))
                        }
                        Block::Table(t) if s.uri_table.is_none() => s.uri_table = Some(t.clone()),
                        other => cx.unplaced(other, "URI"),
                    }
                }
            }
            "method name in logs" => {
                for b in &section.blocks {
                    match b {
                        Block::Text(l) | Block::Bullet(l) if s.log_name.is_empty() => {
                            s.log_line = l.no;
                            s.log_name = l.text.clone()
                        }
                        other => cx.unplaced(other, "method name in logs"),
                    }
                }
            }
            "request description" => {
                let mut mode: Option<&str> = None;
                for b in &section.blocks {
                    match b {
                        Block::Bullet(l) | Block::Text(l) if is_header_label(&l.text) => mode = Some("header"),
                        Block::Bullet(l) | Block::Text(l) if is_body_label(&l.text) => mode = Some("body"),
                        Block::Text(l) | Block::Bullet(l)
                            if l.text.eq_ignore_ascii_case("none") && mode == Some("body") =>
                        {
                            s.body_none = true
                        }
                        Block::Text(l) | Block::Bullet(l)
                            if l.text.eq_ignore_ascii_case("none") && mode == Some("header") => {}
                        Block::Table(t) => {
                            let cap = t.caption.as_deref().unwrap_or("").to_ascii_lowercase();
                            let kind = if cap.contains("header") {
                                "header"
                            } else if cap.contains("body") {
                                "body"
                            } else {
                                mode.unwrap_or("body")
                            };
                            if kind == "header" {
                                s.header_tables.push(t.clone())
                            } else {
                                s.body_tables.push(t.clone())
                            }
                        }
                        other => cx.unplaced(other, "request description"),
                    }
                }
            }
            "response description" => {
                for b in &section.blocks {
                    match b {
                        Block::Text(l) | Block::Bullet(l) if l.text.eq_ignore_ascii_case("none") => {
                            s.response_none = true
                        }
                        Block::Table(t) if s.response_table.is_none() => s.response_table = Some(t.clone()),
                        // Further tables describe the members of an object result.
                        Block::Table(t) => s.result_tables.push(t.clone()),
                        other => cx.unplaced(other, "response description"),
                    }
                }
            }
            "triggered event" | "triggered events" => {
                list_section(&section.blocks, (&mut s.events, &mut s.meanings), cx, "triggered event", |t| {
                    t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && t.contains('_')
                })
            }
            "error code" | "error codes" => {
                list_section(&section.blocks, (&mut s.errors, &mut s.meanings), cx, "error code", |t| {
                    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
            }
            "example" | "examples" => {
                for b in &section.blocks {
                    match b {
                        Block::Bullet(l) => {
                            let label = l.text.to_ascii_lowercase();
                            let part = if is_header_label(&l.text) {
                                "header"
                            } else if label.starts_with("request") {
                                "request"
                            } else if label.starts_with("response") {
                                "response"
                            } else {
                                cx.unplaced(b, "example");
                                continue;
                            };
                            s.example_parts.push((part, l.no, Vec::new()));
                        }
                        Block::Text(l) => match s.example_parts.last_mut() {
                            Some((_, _, lines)) => lines.push(l.clone()),
                            None => cx.unplaced(b, "example"),
                        },
                        other => cx.unplaced(other, "example"),
                    }
                }
            }
            _ => {
                for b in &section.blocks {
                    cx.unplaced(b, section.name);
                }
            }
        }
    }

    s
}

fn is_header_label(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "message header" | "request header" | "request message header")
}

fn is_body_label(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "message body" | "request body" | "request message body")
}

/// A list item that gives a meaning after the name: `100-006: The agent has not signed in.`
/// (also after ` - ` or a tab).
fn with_meaning(text: &str, ok: &impl Fn(&str) -> bool) -> Option<(String, String)> {
    let (head, rest) = [": ", " - ", " – ", "\t"].iter().find_map(|sep| text.split_once(sep))?;
    let rest = rest.trim();
    (ok(head.trim()) && !rest.is_empty()).then(|| (head.trim().to_owned(), rest.to_owned()))
}

/// The items of a list section, each with its page line; the meanings some items give.
type ListOut<'a> = (&'a mut Vec<(String, usize)>, &'a mut std::collections::BTreeMap<String, String>);

/// The items of a list section, each with its page line.
fn list_section(blocks: &[Block], out: ListOut<'_>, cx: &mut Ctx, what: &str, ok: impl Fn(&str) -> bool) {
    let (out, meanings) = out;
    for b in blocks {
        let described = match b {
            Block::Text(l) | Block::Bullet(l) if !ok(l.text.trim()) => with_meaning(l.text.trim(), &ok),
            _ => None,
        };
        match b {
            Block::Text(l) | Block::Bullet(l) if l.text.eq_ignore_ascii_case("none") => {}
            Block::Text(l) | Block::Bullet(l) if ok(l.text.trim()) || described.is_some() => {
                let t = match described {
                    Some((name, meaning)) => {
                        meanings.insert(name.clone(), meaning);
                        name
                    }
                    None => l.text.trim().to_owned(),
                };
                if out.iter().any(|(o, _)| *o == t) {
                    cx.warn(l.no, format!("{what} {t} is listed twice"));
                } else {
                    out.push((t, l.no));
                }
            }
            other => cx.unplaced(other, what),
        }
    }
}
