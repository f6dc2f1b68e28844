//! Diagnostics: what went wrong, where, and how to fix it, rendered like a compiler error.
//!
//! Every stage reports into a [`Report`], keeps going to find the rest of the
//! phase's errors, and stops at the phase boundary if any were found.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use crate::load::positions::Location;

/// A spec file's name as shown to the user and its full text.
#[derive(Debug)]
pub struct SourceFile {
    /// Display path, e.g. `spec/mediacall/transfer.yaml`.
    pub name: String,
    pub text: String,
    /// Byte offset of the start of every line, computed once so that
    /// rendering a diagnostic reads a few lines, not the file up to them.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file with its line index.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(line_breaks(&text)).collect();
        Self { name: name.into(), text, line_starts }
    }

    /// 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// Byte range of lines `first..=last` (clamped), newline included.
    fn lines_range(&self, first: usize, last: usize) -> std::ops::Range<usize> {
        let start = self.line_starts.get(first).copied().unwrap_or(self.text.len());
        let end = self.line_starts.get(last + 1).copied().unwrap_or(self.text.len());
        start..end.max(start)
    }
}

/// Offsets just past every `\n`.
fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1)
}

/// miette reads a snippet by scanning its source from the first byte; this
/// hands it only a window of whole lines around the span, so each diagnostic
/// costs the size of its snippet, not of the file before it.
impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let first_line = self.line_of(span.offset()).saturating_sub(before + 1);
        let last_line = self.line_of(span.offset() + span.len()) + after + 1;
        let window = self.lines_range(first_line, last_line);
        let shifted = SourceSpan::new(span.offset().saturating_sub(window.start).into(), span.len());
        let inner = self.text[window.clone()].read_span(&shifted, before, after)?;
        let data: &'a [u8] = inner.data();
        let at = SourceSpan::new((inner.span().offset() + window.start).into(), inner.span().len());
        let line_count = inner.line_count() + first_line;
        Ok(Box::new(miette::MietteSpanContents::new(data, at, inner.line() + first_line, inner.column(), line_count)))
    }
}

/// One problem found in the specs (or while generating from them).
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub message: String,
    /// File and node, when the problem has a place.
    pub at: Option<(Arc<SourceFile>, Location)>,
    /// Short text under the underlined node.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with no position (a missing file, an I/O failure).
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), at: None, label: None, help: None }
    }

    /// A problem at `location` in `file`.
    pub fn at(file: &Arc<SourceFile>, location: Location, message: impl Into<String>) -> Self {
        Self { message: message.into(), at: Some((Arc::clone(file), location)), label: None, help: None }
    }

    /// Adds the text shown under the node.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column`, or `None` for a problem with no place.
    pub fn position(&self) -> Option<String> {
        self.at.as_ref().map(|(file, loc)| format!("{}:{}:{}", file.name, loc.line, loc.column))
    }

    /// Renders the diagnostic with its source line, without colour.
    pub fn render(&self) -> String {
        self.render_styled(false)
    }

    /// Renders the diagnostic with its source line, in colour if `colour`.
    pub fn render_styled(&self, colour: bool) -> String {
        let mut out = String::new();
        let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        if handler.render_report(&mut out, &Rendered(self)).is_err() {
            out = self.to_string();
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position() {
            Some(pos) => write!(f, "{pos}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Adapter that lets miette draw a [`Diagnostic`] with its file:line:column.
struct Rendered<'a>(&'a Diagnostic);

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The headline keeps the position so it survives copy-paste and grep.
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.at.as_ref().map(|(file, _)| file.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, loc) = self.0.at.as_ref()?;
        let span = SourceSpan::new(loc.offset.into(), loc.len.max(1));
        let label = self.0.label.clone().unwrap_or_else(|| "here".to_owned());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some(label), span))))
    }
}

/// The diagnostics of one phase, in the order found.
#[derive(Debug, Default)]
pub struct Report {
    diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Records a problem and carries on.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records every problem of `other` after those already here.
    pub fn append(&mut self, mut other: Report) {
        self.diagnostics.append(&mut other.diagnostics);
    }

    /// How many problems have been reported so far.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// True when nothing has been reported.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// Ends the phase: `Ok(value)` when clean, the diagnostics otherwise.
    pub fn finish<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.diagnostics.is_empty() { Ok(value) } else { Err(Diagnostics(self.diagnostics)) }
    }
}

/// All problems of a failed phase.
#[derive(Debug)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A failure with one problem.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }

    /// Every diagnostic rendered, then a count.
    pub fn render(&self) -> String {
        self.render_styled(false)
    }

    /// Every diagnostic rendered, in colour if `colour`, then a count.
    pub fn render_styled(&self, colour: bool) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&d.render_styled(colour));
            out.push('\n');
        }
        let n = self.0.len();
        out.push_str(&format!("error: {n} problem{} found\n", if n == 1 { "" } else { "s" }));
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
