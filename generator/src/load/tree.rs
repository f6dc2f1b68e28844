//! One parse of a YAML document into nodes that know where they are.
//!
//! The same tree feeds both what `load` produces: the serde model
//! ([`super::de`]) and the [`PositionIndex`] that `check` points with. A
//! document is read once, by one parser.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::positions::{Location, MAX_DEPTH, Refusal, is_bidi_control};

/// saphyr-parser's message when flow collections nest past its own limit (255).
const FLOW_DEPTH_ERROR: &str = "recursion limit exceeded";

/// A parsed document: `nodes[0]` is the root; empty for an empty document.
#[derive(Debug, Default)]
pub(crate) struct Tree<'a> {
    pub nodes: Vec<Node<'a>>,
}

/// One node and where it starts.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub at: Location,
    pub kind: Kind<'a>,
}

/// What a node holds; children are indices into [`Tree::nodes`].
#[derive(Debug)]
pub(crate) enum Kind<'a> {
    /// A scalar's text after YAML's escapes and folding; `plain` when it
    /// was written without quotes or block indicators, the only style whose
    /// text YAML resolves to null, booleans and numbers.
    Scalar {
        text: Cow<'a, str>,
        plain: bool,
    },
    Sequence(Vec<u32>),
    /// Key and value of each entry, in document order.
    Mapping(Vec<(u32, u32)>),
    /// `*name`: the node anchored as `&name`.
    Alias(u32),
}

impl<'a> Tree<'a> {
    /// Parses the first document of `text`, refusing documents that are not
    /// valid YAML, nest too deep, carry tags, hold a second document or hide
    /// bidi controls behind escapes.
    pub fn parse(text: &'a str) -> Result<Self, Refusal> {
        let mut builder = Builder {
            text,
            chars: CharToByte::new(text),
            tree: Tree::default(),
            open: Vec::new(),
            anchors: HashMap::new(),
        };
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
                    return Err(Refusal::Syntax { at, info: e.info().to_owned() });
                }
            };
            if let Event::DocumentStart(_) = event {
                documents += 1;
                if documents > 1 {
                    return Err(Refusal::SecondDocument { at: builder.location(span) });
                }
            }
            builder.refuse(&event, span)?;
            builder.on_event(event, span);
        }
        Ok(builder.tree)
    }

    /// The root node; `None` for an empty document.
    pub fn root(&self) -> Option<u32> {
        (!self.nodes.is_empty()).then_some(0)
    }

    pub fn node(&self, index: u32) -> &Node<'a> {
        &self.nodes[index as usize]
    }
}

/// A collection whose end has not been seen yet.
enum Open {
    Sequence { node: u32, items: Vec<u32> },
    Mapping { node: u32, entries: Vec<(u32, u32)>, key: Option<u32> },
}

struct Builder<'a> {
    text: &'a str,
    chars: CharToByte,
    tree: Tree<'a>,
    open: Vec<Open>,
    /// The parser's anchor ids and the nodes they name.
    anchors: HashMap<usize, u32>,
}

impl<'a> Builder<'a> {
    /// Stops the walk at a collection nested too deep, a tag, or a scalar
    /// hiding a bidi control.
    fn refuse(&self, event: &Event<'_>, span: Span) -> Result<(), Refusal> {
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) if self.open.len() >= MAX_DEPTH => {
                Err(Refusal::TooDeep { at: self.location(span) })
            }
            Event::MappingStart(_, Some(tag))
            | Event::SequenceStart(_, Some(tag))
            | Event::Scalar(_, _, _, Some(tag)) => {
                // The parser expands `!!` to the core schema's prefix; shown as written.
                let handle = if tag.handle == "tag:yaml.org,2002:" { "!!" } else { tag.handle.as_str() };
                Err(Refusal::Tag { at: self.location(span), tag: format!("{handle}{}", tag.suffix) })
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

    /// Adds a node and hangs it under the collection open around it.
    fn add(&mut self, at: Location, kind: Kind<'a>, anchor: usize) -> u32 {
        let index = u32::try_from(self.tree.nodes.len()).expect("a spec file holds fewer than 2^32 nodes");
        self.tree.nodes.push(Node { at, kind });
        if anchor != 0 {
            self.anchors.insert(anchor, index);
        }
        match self.open.last_mut() {
            Some(Open::Sequence { items, .. }) => items.push(index),
            Some(Open::Mapping { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, index)),
                None => *key = Some(index),
            },
            None => {}
        }
        index
    }

    fn on_event(&mut self, event: Event<'a>, span: Span) {
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let mut at = self.location(span);
                // An empty value is placed on the `:` before it; the value
                // would be written after it.
                if text.is_empty() && self.text.as_bytes().get(at.offset) == Some(&b':') {
                    at = Location { column: at.column + 1, offset: at.offset + 1, len: 0, ..at };
                }
                self.add(at, Kind::Scalar { text, plain: style == ScalarStyle::Plain }, anchor);
            }
            Event::Alias(anchor) => {
                let at = self.location(span);
                // The parser refuses an alias to an anchor it has not seen.
                let target = self.anchors.get(&anchor).copied().unwrap_or(0);
                self.add(at, Kind::Alias(target), 0);
            }
            Event::SequenceStart(anchor, _) => {
                let node = self.add(self.location(span), Kind::Sequence(Vec::new()), anchor);
                self.open.push(Open::Sequence { node, items: Vec::new() });
            }
            Event::MappingStart(anchor, _) => {
                let node = self.add(self.location(span), Kind::Mapping(Vec::new()), anchor);
                self.open.push(Open::Mapping { node, entries: Vec::new(), key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.open.pop() {
                Some(Open::Sequence { node, items }) => self.tree.nodes[node as usize].kind = Kind::Sequence(items),
                Some(Open::Mapping { node, entries, .. }) => {
                    self.tree.nodes[node as usize].kind = Kind::Mapping(entries);
                }
                None => {}
            },
            _ => {}
        }
    }
}

/// Converts the parser's character indices to byte offsets.
pub(crate) struct CharToByte {
    /// Byte offset of each character, plus the end of the text; empty for
    /// ASCII text, where the two are the same.
    offsets: Vec<usize>,
    len: usize,
}

impl CharToByte {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self { offsets: Vec::new(), len: text.len() };
        }
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        Self { offsets, len: text.len() }
    }

    pub fn byte(&self, char_index: usize) -> usize {
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
    fn nodes_hang_under_their_collections_in_document_order() {
        let tree = Tree::parse("a: 1\nb: [x, 'y']\n").expect("parsed");
        let Kind::Mapping(entries) = &tree.node(0).kind else { panic!("{tree:?}") };
        assert_eq!(entries.len(), 2);
        let (key, value) = entries[1];
        assert!(matches!(&tree.node(key).kind, Kind::Scalar { text, plain: true } if text == "b"));
        let Kind::Sequence(items) = &tree.node(value).kind else { panic!("{tree:?}") };
        assert!(matches!(&tree.node(items[1]).kind, Kind::Scalar { text, plain: false } if text == "y"));
        assert_eq!((tree.node(items[1]).at.line, tree.node(items[1]).at.column), (2, 8));
    }

    #[test]
    fn an_alias_points_at_its_anchor() {
        let tree = Tree::parse("a: &x [1]\nb: *x\n").expect("parsed");
        let Kind::Mapping(entries) = &tree.node(0).kind else { panic!("{tree:?}") };
        let Kind::Alias(target) = tree.node(entries[1].1).kind else { panic!("{tree:?}") };
        assert_eq!(target, entries[0].1);
    }

    #[test]
    fn an_empty_document_has_no_root() {
        assert_eq!(Tree::parse("").expect("parsed").root(), None);
        assert_eq!(Tree::parse("# only a comment\n").expect("parsed").root(), None);
    }

    #[test]
    fn refuses_tags_and_second_documents() {
        assert!(matches!(Tree::parse("a: !!str 1\n"), Err(Refusal::Tag { tag, .. }) if tag == "!!str"));
        assert!(matches!(Tree::parse("a: !Thing {}\n"), Err(Refusal::Tag { .. })));
        match Tree::parse("a: 1\n---\nb: 2\n") {
            Err(Refusal::SecondDocument { at }) => assert_eq!(at.line, 2),
            other => panic!("{other:?}"),
        }
    }
}
