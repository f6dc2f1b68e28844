//! Structure of a vendor interface page in its plain-text form.
//!
//! Two layouts occur: tables flattened into `|`-terminated cells with a `---|` separator, and
//! tables with each cell on its own line (blank lines between them are insignificant). Both
//! are read into the same [`Block`]s: headings, text lines, bullet items and tables.

/// One non-blank line of the page.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in the page.
    pub no: usize,
    /// Text without indentation, bullet marker or trailing blanks.
    pub text: String,
    /// The line started with a bullet (`•` or `-`).
    pub bullet: bool,
}

/// A column of a table, by what its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    No,
    Name,
    Type,
    Mandatory,
    Default,
    Description,
    Other,
}

/// One table cell: its lines.
pub type Cell = Vec<Line>;

/// One table row.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell of a column kind, joined into one line.
    pub fn get(&self, table: &Table, col: Col) -> Option<String> {
        let i = table.columns.iter().position(|(c, _)| *c == col)?;
        Some(join(self.cells.get(i)?))
    }

    /// Line number of a column's cell.
    pub fn get_line(&self, table: &Table, col: Col) -> Option<usize> {
        let i = table.columns.iter().position(|(c, _)| *c == col)?;
        self.cells.get(i)?.first().map(|l| l.no)
    }

    /// The lines of a column's cell.
    pub fn lines(&self, table: &Table, col: Col) -> Vec<Line> {
        table.columns.iter().position(|(c, _)| *c == col).and_then(|i| self.cells.get(i).cloned()).unwrap_or_default()
    }
}

/// Joins cell lines with spaces.
pub fn join(lines: &[Line]) -> String {
    lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ")
}

/// A parsed table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Line of the caption or first header cell.
    pub line: usize,
    /// `Table N ...` caption without the number, when present.
    pub caption: Option<String>,
    pub columns: Vec<(Col, String)>,
    pub rows: Vec<Row>,
    pub flattened: bool,
}

/// A piece of the page.
#[derive(Debug, Clone)]
pub enum Block {
    Heading(Line),
    Text(Line),
    Bullet(Line),
    Table(Table),
}

/// What the reader found besides the blocks.
#[derive(Debug, Default)]
pub struct Parsed {
    pub blocks: Vec<Block>,
    /// `Updated on YYYY-MM-DD` date.
    pub updated: Option<String>,
    /// Caption numbers of the tables the page contains.
    pub table_numbers: Vec<u32>,
    /// Lines that were recognised as part of a structure but could not be used.
    pub stray: Vec<(usize, String)>,
    /// Whether the page's footer ("Was this page helpful?") is there: what
    /// comes before it is not cut off.
    pub footer: bool,
}

const HEADINGS: &[&str] = &[
    "prerequisites",
    "description",
    "interface method",
    "uri",
    "method name in logs",
    "request description",
    "response description",
    "triggered event",
    "triggered events",
    "error code",
    "error codes",
    "example",
    "examples",
];

/// Normalized name of a section heading, when the line is one.
pub fn heading(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    HEADINGS.iter().copied().find(|h| *h == t)
}

fn boilerplate(text: &str) -> bool {
    const EXACT: &[&str] = &["Feedback", "Was this page helpful?", "Chatbot"];
    const PREFIX: &[&str] = &["Provide feedback", "For any further questions", "In the URL, ip indicates"];
    EXACT.contains(&text) || PREFIX.iter().any(|p| text.starts_with(p))
}

fn header_col(text: &str) -> Option<Col> {
    let t = text.trim().trim_end_matches('|').trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "no." | "no" | "s/n" => Col::No,
        "parameter" | "parameter name" | "field" | "name" => Col::Name,
        "data type" | "value type" | "type" => Col::Type,
        "mandatory (yes/no)" | "mandatory" | "mandatory or not" | "required" => Col::Mandatory,
        "default value" | "default" => Col::Default,
        "description" => Col::Description,
        _ => return None,
    })
}

/// Type words a table's type column may hold.
pub fn is_type_word(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "string"
            | "int"
            | "integer"
            | "long"
            | "number"
            | "bool"
            | "boolean"
            | "object"
            | "map"
            | "list"
            | "array"
            | "json"
            | "string[]"
            | "int[]"
            | "list<string>"
    )
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_mandatory_word(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "yes" | "no" | "y" | "n" | "mandatory" | "optional")
}

fn is_separator(text: &str) -> bool {
    !text.is_empty()
        && text.split('|').all(|p| p.trim().is_empty() || p.trim().chars().all(|c| c == '-' || c == ':'))
        && text.contains("---")
}

/// `Table N caption` → (N, caption).
fn caption(text: &str) -> Option<(u32, String)> {
    let rest = text.strip_prefix("Table ")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n = digits.parse().ok()?;
    let after = &rest[digits.len()..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((n, after.trim().to_owned()))
}

/// Splits the page into lines, dropping blank lines and boilerplate.
pub fn lines(text: &str, updated: &mut Option<String>) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("Updated on ") {
            *updated = rest.split_whitespace().next().map(str::to_owned);
            continue;
        }
        let (bullet, text) = if let Some(rest) = trimmed.strip_prefix("• ") {
            (true, rest.trim())
        } else if let Some(rest) = trimmed.strip_prefix("- ") {
            (true, rest.trim())
        } else {
            (false, trimmed)
        };
        if boilerplate(text) {
            continue;
        }
        out.push(Line { no: i + 1, text: text.to_owned(), bullet });
    }
    out
}

/// Reads a page into blocks.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let lines = lines(text, &mut parsed.updated);
    parsed.footer = text.lines().any(|l| matches!(l.trim(), "Feedback" | "Was this page helpful?"));
    let mut i = 0;
    while i < lines.len() {
        if let Some((table, next)) = table_at(&lines, i, &mut parsed) {
            parsed.blocks.push(Block::Table(table));
            i = next;
            continue;
        }
        let line = lines[i].clone();
        if line.bullet {
            parsed.blocks.push(Block::Bullet(line));
        } else if heading(&line.text).is_some() {
            parsed.blocks.push(Block::Heading(line));
        } else {
            parsed.blocks.push(Block::Text(line));
        }
        i += 1;
    }
    parsed
}

fn ends_table(line: &Line) -> bool {
    line.bullet || heading(&line.text).is_some() || caption(&line.text).is_some()
}

/// Tries to read a table starting at `lines[start]`; returns it and the index after it.
fn table_at(lines: &[Line], start: usize, parsed: &mut Parsed) -> Option<(Table, usize)> {
    let first = &lines[start];
    if first.bullet {
        return None;
    }
    let mut i = start;
    let mut columns: Vec<(Col, String)> = Vec::new();
    let mut cap = None;
    let mut flattened = false;
    if let Some((n, mut c)) = caption(&first.text) {
        // The flattened layout sometimes glues the first header cell onto the caption.
        if let Some(stripped) = c.strip_suffix(" No.") {
            c = stripped.to_owned();
            columns.push((Col::No, "No.".to_owned()));
        }
        parsed.table_numbers.push(n);
        cap = Some(c);
        i += 1;
    } else {
        let starts = match header_col(&first.text) {
            Some(Col::No) => true,
            Some(Col::Name) => lines.get(start + 1).is_some_and(|l| matches!(header_col(&l.text), Some(Col::Type))),
            _ => false,
        };
        if !starts {
            return None;
        }
    }
    while let Some(line) = lines.get(i) {
        if line.bullet {
            break;
        }
        // "Description" is both a heading and a header cell: inside a header it is a cell.
        let Some(col) = header_col(&line.text) else { break };
        if line.text.trim_end().ends_with('|') {
            flattened = true;
        }
        columns.push((col, line.text.trim().trim_end_matches('|').trim().to_owned()));
        i += 1;
    }
    if !columns.iter().any(|(c, _)| *c == Col::Name) {
        // Not a table (a caption without one stays text).
        if cap.is_some() {
            parsed.table_numbers.pop();
        }
        return None;
    }
    if lines.get(i).is_some_and(|l| is_separator(&l.text)) {
        flattened = true;
        i += 1;
    }
    let mut table = Table { line: first.no, caption: cap, columns, rows: Vec::new(), flattened };
    let next =
        if flattened { flat_rows(lines, i, &mut table, parsed) } else { line_rows(lines, i, &mut table, parsed) };
    Some((table, next))
}

/// Rows of a flattened table: each cell ends with `|`, possibly after continuation lines.
fn flat_rows(lines: &[Line], mut i: usize, table: &mut Table, parsed: &mut Parsed) -> usize {
    let mut cells: Vec<Cell> = Vec::new();
    let mut pending: Cell = Vec::new();
    let mut pending_start = i;
    while let Some(line) = lines.get(i) {
        if ends_table(line) || (line.bullet && pending.is_empty()) {
            break;
        }
        if pending.is_empty() {
            pending_start = i;
        }
        let t = line.text.trim_end();
        if let Some(body) = t.strip_suffix('|') {
            let body = body.trim();
            if !body.is_empty() {
                pending.push(Line { no: line.no, text: body.to_owned(), bullet: false });
            }
            cells.push(std::mem::take(&mut pending));
        } else {
            pending.push(line.clone());
        }
        i += 1;
    }
    if !pending.is_empty() {
        // Lines after the last cell that no `|` closes are not part of the table.
        i = pending_start;
    }
    let n = table.columns.len();
    let mut chunks = cells.chunks(n);
    for chunk in chunks.by_ref() {
        if chunk.len() < n {
            for cell in chunk {
                for l in cell {
                    parsed.stray.push((l.no, format!("incomplete table row: {}", l.text)));
                }
            }
            break;
        }
        let line = chunk.iter().flatten().next().map_or(table.line, |l| l.no);
        table.rows.push(Row { line, cells: chunk.to_vec() });
    }
    i
}

/// Rows of a table with one cell per line: a row starts where the fixed cells (everything
/// but the last column) look right; the last column takes every line up to the next row.
fn line_rows(lines: &[Line], mut i: usize, table: &mut Table, parsed: &mut Parsed) -> usize {
    let body_start = i;
    while let Some(line) = lines.get(i) {
        if ends_table(line) || (i > body_start && header_col(&line.text) == Some(Col::No) && line.text.trim() != "No") {
            break;
        }
        i += 1;
    }
    let body = &lines[body_start..i];
    let fixed: Vec<Col> = table.columns[..table.columns.len().saturating_sub(1)].iter().map(|(c, _)| *c).collect();
    let starts_at = |j: usize| -> bool {
        fixed.iter().enumerate().all(|(k, col)| {
            let Some(l) = body.get(j + k) else { return false };
            let t = l.text.trim();
            match col {
                Col::No => t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty(),
                Col::Name => is_name(t),
                Col::Type => is_type_word(t),
                Col::Mandatory => is_mandatory_word(t),
                Col::Default | Col::Description | Col::Other => true,
            }
        }) && body.get(j + fixed.len()).is_some()
    };
    let mut j = 0;
    let mut row_starts = Vec::new();
    while j < body.len() {
        if starts_at(j) {
            row_starts.push(j);
            j += fixed.len() + 1;
        } else {
            j += 1;
        }
    }
    if let Some(&first) = row_starts.first() {
        for l in &body[..first] {
            parsed.stray.push((l.no, format!("text inside a table before its first row: {}", l.text)));
        }
    } else {
        for l in body {
            parsed.stray.push((l.no, format!("table row not understood: {}", l.text)));
        }
    }
    for (k, &s) in row_starts.iter().enumerate() {
        let end = row_starts.get(k + 1).copied().unwrap_or(body.len());
        let mut cells: Vec<Cell> = body[s..s + fixed.len()].iter().map(|l| vec![l.clone()]).collect();
        let mut last = body[s + fixed.len()..end].to_vec();
        if fixed.first() == Some(&Col::No)
            && let Some(cut) = unread_row(&body[s].text, &last)
        {
            for l in last.drain(cut..) {
                parsed.stray.push((l.no, format!("incomplete table row: {}", l.text)));
            }
        }
        cells.push(last);
        table.rows.push(Row { line: body[s].no, cells });
    }
    i
}

/// Where, in the last cell of the row numbered `number`, the next row starts
/// although its cells do not all follow: a line holding only the next number,
/// then nothing or a parameter name. Left in the cell, a row cut short would
/// read as words of the row before, and its parameter as removed.
fn unread_row(number: &str, last_cell: &[Line]) -> Option<usize> {
    let next = number.trim().parse::<u64>().ok()?.checked_add(1)?.to_string();
    (0..last_cell.len())
        .find(|&j| last_cell[j].text.trim() == next && last_cell.get(j + 1).is_none_or(|l| is_name(l.text.trim())))
}
