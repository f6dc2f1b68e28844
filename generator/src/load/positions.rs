//! Line:column of every node in a YAML file, keyed by its path from the root.
//!
//! serde_yaml reports positions only for parse errors, so a second, event-level
//! parse records where each mapping key and value starts. `check` looks nodes up
//! by the same path it walks, so semantic errors point at the offending node.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use saphyr_parser::{Event, Parser, Span};

pub use crate::text::is_bidi_control;

/// One step from a node to a child.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A node's path from the document root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NodePath(pub Vec<Seg>);

impl NodePath {
    /// The document root.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// The child under mapping key `key`.
    pub fn key(&self, key: &str) -> Self {
        let mut next = self.0.clone();
        next.push(Seg::Key(key.to_owned()));
        Self(next)
    }

    /// The `index`th item of a sequence.
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.0.clone();
        next.push(Seg::Index(index));
        Self(next)
    }
}

/// Where a node is, in characters from the start of the file, 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// Byte offset of the node's first character.
    pub offset: usize,
    /// Byte length of the node's text (0 when unknown).
    pub len: usize,
}

/// Paths are short, trusted and many (one per node of every spec file), so
/// they are hashed with FNV rather than SipHash.
type PathMap = HashMap<NodePath, Location, BuildHasherDefault<fnv::FnvHasher>>;

/// Positions of the keys and values of one file.
#[derive(Debug, Default)]
pub struct PositionIndex {
    values: PathMap,
    keys: PathMap,
}

/// How deep collections may nest. Real specs stay below 10; the bound keeps
/// serde_yaml's parser, whose cost grows with depth at every token, linear.
pub const MAX_DEPTH: usize = 32;

/// saphyr-parser's message when flow collections nest past its own limit (255).
const FLOW_DEPTH_ERROR: &str = "recursion limit exceeded";

/// Why the index walk refused a document before it reached serde_yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Collections nest deeper than [`MAX_DEPTH`]; `at` is the first one too deep.
    TooDeep { at: Location },
    /// A scalar holds a bidirectional-text control once YAML escapes are
    /// decoded (`"\u202E"`); `at` is the scalar.
    BidiControl { at: Location, c: char },
    /// The document is not valid YAML; `info` says why.
    Syntax { at: Location, info: String },
}

impl PositionIndex {
    /// Indexes `text`, refusing documents that are not valid YAML, nest too
    /// deep or hide bidi controls behind escapes.
    pub fn build(text: &str) -> Result<Self, Refusal> {
        let mut builder = Builder { text, chars: CharToByte::new(text), index: Self::default(), stack: Vec::new() };
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0;
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(next) => next,
                // The scanner looks ahead across open flow collections, so
                // bracket runs end here, before any event reaches `refuse`.
                Err(e) => {
                    let offset = builder.chars.byte(e.marker().index());
                    let at = Location { line: e.marker().line(), column: e.marker().col() + 1, offset, len: 1 };
                    if e.info() == FLOW_DEPTH_ERROR {
                        return Err(Refusal::TooDeep { at });
                    }
                    // serde_yaml is laxer and would go on, at a cost that
                    // grows with the nesting it finds; the slip is the error.
                    return Err(Refusal::Syntax { at, info: e.info().to_owned() });
                }
            };
            if let Event::DocumentStart(_) = event {
                documents += 1;
                // Only the first document is read by `load`.
                if documents > 1 {
                    break;
                }
            }
            builder.refuse(&event, span)?;
            builder.on_event(event, span);
        }
        Ok(builder.index)
    }

    /// Location of the value at `path`, or of the nearest ancestor that has one.
    pub fn value(&self, path: &NodePath) -> Option<Location> {
        self.nearest(path, &self.values)
    }

    /// Location of the mapping key that names `path`, or of its value when it has no key.
    pub fn key(&self, path: &NodePath) -> Option<Location> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }

    /// Location of exactly the value at `path`, without falling back to an ancestor.
    pub fn exact(&self, path: &NodePath) -> Option<Location> {
        self.values.get(path).copied()
    }

    /// Location of exactly the key that names `path`.
    pub fn exact_key(&self, path: &NodePath) -> Option<Location> {
        self.keys.get(path).copied()
    }

    fn nearest(&self, path: &NodePath, map: &PathMap) -> Option<Location> {
        let mut segs = path.0.clone();
        loop {
            if let Some(loc) = map.get(&NodePath(segs.clone())) {
                return Some(*loc);
            }
            segs.pop()?;
        }
    }
}

enum Frame {
    Mapping { path: NodePath, pending_key: Option<String> },
    Sequence { path: NodePath, next: usize },
}

struct Builder<'a> {
    text: &'a str,
    chars: CharToByte,
    index: PositionIndex,
    stack: Vec<Frame>,
}

impl Builder<'_> {
    /// Stops the walk at a collection nested too deep or a scalar hiding a bidi control.
    fn refuse(&self, event: &Event<'_>, span: Span) -> Result<(), Refusal> {
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) if self.stack.len() >= MAX_DEPTH => {
                Err(Refusal::TooDeep { at: self.location(span) })
            }
            Event::Scalar(text, ..) => match text.chars().find(|&c| is_bidi_control(c)) {
                Some(c) => Err(Refusal::BidiControl { at: self.escape_location(span, c), c }),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Where the escape that spells `c` sits in the scalar at `span`, or the
    /// scalar's first character when it is not written as an escape.
    fn escape_location(&self, span: Span, c: char) -> Location {
        let scalar = self.location(span);
        let source = self.text.get(scalar.offset..scalar.offset + scalar.len).unwrap_or_default();
        let code = u32::from(c);
        let spellings =
            [format!("\\u{code:04X}"), format!("\\u{code:04x}"), format!("\\U{code:08X}"), format!("\\U{code:08x}")];
        let found = spellings.iter().find_map(|e| source.find(e.as_str()).map(|at| (at, e.len())));
        let (at, len) = found.unwrap_or((0, source.chars().next().map_or(1, char::len_utf8)));
        let before = &source[..at];
        let line = scalar.line + before.matches('\n').count();
        let column = match before.rfind('\n') {
            Some(nl) => before[nl + 1..].chars().count() + 1,
            None => scalar.column + before.chars().count(),
        };
        Location { line, column, offset: scalar.offset + at, len }
    }

    fn location(&self, span: Span) -> Location {
        let start = self.chars.byte(span.start.index());
        let end = self.chars.byte(span.end.index()).max(start);
        let len = self.text.get(start..end).map_or(0, str::len);
        Location { line: span.start.line(), column: span.start.col() + 1, offset: start, len }
    }

    /// Path of the node that starts now, consuming the parent's pending slot.
    /// Returns `None` when the node is a mapping key.
    fn next_node_path(&mut self, key_text: Option<&str>) -> Option<NodePath> {
        match self.stack.last_mut() {
            None => Some(NodePath::root()),
            Some(Frame::Sequence { path, next }) => {
                let p = path.index(*next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Mapping { path, pending_key }) => match pending_key.take() {
                Some(key) => Some(path.key(&key)),
                None => {
                    // This node is a key; complex keys are recorded by their text if scalar.
                    *pending_key = Some(key_text.unwrap_or("").to_owned());
                    None
                }
            },
        }
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::Scalar(text, ..) => {
                let loc = self.location(span);
                match self.next_node_path(Some(&text)) {
                    Some(path) => {
                        self.index.values.insert(path, loc);
                    }
                    None => {
                        if let Some(Frame::Mapping { path, .. }) = self.stack.last() {
                            let key_path = path.key(&text);
                            self.index.keys.insert(key_path, loc);
                        }
                    }
                }
            }
            Event::Alias(_) => {
                let loc = self.location(span);
                if let Some(path) = self.next_node_path(Some("")) {
                    self.index.values.insert(path, loc);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let loc = self.location(span);
                let path = self.next_node_path(None).unwrap_or_default();
                self.index.values.entry(path.clone()).or_insert(loc);
                self.stack.push(match event {
                    Event::MappingStart(..) => Frame::Mapping { path, pending_key: None },
                    _ => Frame::Sequence { path, next: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Converts the parser's character indices to byte offsets.
struct CharToByte {
    /// Byte offset of each character, plus the end of the text; empty for
    /// ASCII text, where the two are the same.
    offsets: Vec<usize>,
    len: usize,
}

impl CharToByte {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self { offsets: Vec::new(), len: text.len() };
        }
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        Self { offsets, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.offsets.is_empty() {
            return char_index.min(self.len);
        }
        self.offsets.get(char_index).copied().unwrap_or(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_maps_characters_to_bytes_without_a_table() {
        let text = "a: 1\nlist:\n  - name: x\n";
        let fast = CharToByte::new(text);
        assert!(fast.offsets.is_empty());
        let mut table: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        table.push(text.len());
        let general = CharToByte { offsets: table, len: text.len() };
        for i in 0..text.len() + 3 {
            assert_eq!(fast.byte(i), general.byte(i), "{i}");
        }
    }

    #[test]
    fn indexes_nested_keys_and_values() {
        let text = "a: 1\nlist:\n  - name: x\n    type: string\n  - name: é\n";
        let index = PositionIndex::build(text).expect("indexed");
        let name1 = NodePath::root().key("list").index(1).key("name");
        let loc = index.value(&name1).expect("indexed");
        assert_eq!((loc.line, loc.column), (5, 11));
        assert_eq!(&text[loc.offset..loc.offset + loc.len], "é");
        let key = index.key(&NodePath::root().key("list").index(0).key("type")).expect("key");
        assert_eq!((key.line, key.column), (4, 5));
    }

    #[test]
    fn falls_back_to_nearest_ancestor() {
        let index = PositionIndex::build("a:\n  b: 1\n").expect("indexed");
        let loc = index.value(&NodePath::root().key("a").key("zzz")).expect("ancestor");
        assert_eq!(loc.line, 2);
    }

    #[test]
    fn flow_collections_are_indexed() {
        let index = PositionIndex::build("body: { \"callid\": \"1\", n: 2 }\n").expect("indexed");
        let loc = index.value(&NodePath::root().key("body").key("n")).expect("indexed");
        assert_eq!((loc.line, loc.column), (1, 27));
    }

    #[test]
    fn refuses_nesting_deeper_than_the_limit() {
        let ok = format!("a: {}{}\n", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(PositionIndex::build(&ok).is_ok());
        let deep = format!("a: {}{}\n", "[".repeat(MAX_DEPTH * 4), "]".repeat(MAX_DEPTH * 4));
        match PositionIndex::build(&deep) {
            Err(Refusal::TooDeep { at }) => assert_eq!((at.line, at.column), (1, 3 + MAX_DEPTH)),
            other => panic!("{other:?}"),
        }
        // Past the event parser's own limit the scanner stops first, still a refusal.
        let unclosed = format!("a: {}\n", "[".repeat(1000));
        assert!(matches!(PositionIndex::build(&unclosed), Err(Refusal::TooDeep { .. })));
        // Brackets at column 0 are a slip serde_yaml's parser would wade through.
        let unindented = format!("a: {}", "[\n".repeat(1000));
        assert!(matches!(PositionIndex::build(&unindented), Err(Refusal::Syntax { .. })));
    }

    #[test]
    fn refuses_escaped_bidi_controls() {
        match PositionIndex::build("a: ok\nsummary: \"abc\\u202Edef\"\n") {
            Err(Refusal::BidiControl { at, c }) => {
                assert_eq!(c, '\u{202E}');
                assert_eq!((at.line, at.column, at.len), (2, 14, 6), "points at the escape itself");
            }
            other => panic!("{other:?}"),
        }
    }
}
