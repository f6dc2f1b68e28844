//! Line:column of every node in a YAML file, keyed by its path from the root.
//!
//! Kept from the one parse of each file ([`super::tree`]): where each mapping
//! key and value starts. `check` looks nodes up by the same path it walks, so
//! semantic errors point at the offending node.

use super::tree::{Kind, Tree};
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

/// Positions of the keys and values of one file, as a tree walked by path.
#[derive(Debug, Default)]
pub struct PositionIndex {
    /// `nodes[0]` is the root; empty for an empty document.
    nodes: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    at: Location,
    shape: Shape,
}

#[derive(Debug)]
enum Shape {
    /// A scalar, or an alias (whose children are the anchor's, not its own).
    Leaf,
    Sequence(Box<[u32]>),
    /// Each entry's key text (empty for a key that is not a scalar), the
    /// key's position and the value's node.
    Mapping(Box<[(Box<str>, Location, u32)]>),
}

/// How deep collections may nest. Real specs stay below 10; the bound keeps
/// every walk over a document, the deserializer's included, short.
pub const MAX_DEPTH: usize = 32;

/// Why a document was refused before it was deserialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Collections nest deeper than [`MAX_DEPTH`]; `at` is the first one too deep.
    TooDeep { at: Location },
    /// A scalar holds a bidirectional-text control once YAML escapes are
    /// decoded (`"\u202E"`); `at` is the scalar.
    BidiControl { at: Location, c: char },
    /// The document is not valid YAML; `info` says why.
    Syntax { at: Location, info: String },
    /// A node carries a YAML tag (`!!str`, `!Thing`), which spec files do
    /// not use: a tag would change what a value means without showing it.
    Tag { at: Location, tag: String },
    /// A second document starts at `at`; a spec file is one document.
    SecondDocument { at: Location },
}

impl Refusal {
    /// Where the document was refused.
    pub fn at(&self) -> Location {
        match self {
            Refusal::TooDeep { at }
            | Refusal::BidiControl { at, .. }
            | Refusal::Syntax { at, .. }
            | Refusal::Tag { at, .. }
            | Refusal::SecondDocument { at } => *at,
        }
    }

    /// Why, in the words every tool shows.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooDeep { .. } => format!("collections nest deeper than {MAX_DEPTH} levels"),
            Refusal::BidiControl { c, .. } => {
                format!("bidirectional control character U+{:04X} in a spec file", u32::from(*c))
            }
            Refusal::Syntax { info, .. } => format!("YAML syntax error: {info}"),
            Refusal::Tag { tag, .. } => format!("YAML tag `{tag}` in a spec file"),
            Refusal::SecondDocument { .. } => "a second YAML document in a spec file".to_owned(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.at();
        write!(f, "{}:{}: {}", at.line, at.column, self.message())
    }
}

impl PositionIndex {
    /// Indexes `text`, refusing what [`Tree::parse`] refuses.
    pub fn build(text: &str) -> Result<Self, Refusal> {
        Ok(Self::of(&Tree::parse(text)?))
    }

    /// The positions of a parsed document's nodes.
    pub(crate) fn of(tree: &Tree<'_>) -> Self {
        let nodes = tree
            .nodes
            .iter()
            .map(|node| {
                let shape = match &node.kind {
                    Kind::Scalar { .. } | Kind::Alias(_) => Shape::Leaf,
                    Kind::Sequence(items) => Shape::Sequence(items.clone().into_boxed_slice()),
                    Kind::Mapping(entries) => Shape::Mapping(
                        entries
                            .iter()
                            .map(|&(key, value)| {
                                let key = tree.node(key);
                                let text = match &key.kind {
                                    Kind::Scalar { text, .. } => Box::from(text.as_ref()),
                                    _ => Box::from(""),
                                };
                                (text, key.at, value)
                            })
                            .collect(),
                    ),
                };
                Entry { at: node.at, shape }
            })
            .collect();
        Self { nodes }
    }

    /// Location of the value at `path`, or of the nearest ancestor that has one.
    pub fn value(&self, path: &NodePath) -> Option<Location> {
        self.walk(path).map(|reached| self.nodes[reached.node as usize].at)
    }

    /// Location of the mapping key that names `path`, or of its value when it has no key.
    pub fn key(&self, path: &NodePath) -> Option<Location> {
        self.exact_key(path).or_else(|| self.value(path))
    }

    /// Location of exactly the value at `path`, without falling back to an ancestor.
    pub fn exact(&self, path: &NodePath) -> Option<Location> {
        self.walk(path).filter(|reached| reached.whole).map(|reached| self.nodes[reached.node as usize].at)
    }

    /// Location of exactly the key that names `path`.
    pub fn exact_key(&self, path: &NodePath) -> Option<Location> {
        self.walk(path).filter(|reached| reached.whole).and_then(|reached| reached.key)
    }

    /// Follows `path` from the root as far as the document goes. Of keys
    /// written twice the last counts, as it does for a map deserialized.
    fn walk(&self, path: &NodePath) -> Option<Reached> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut reached = Reached { node: 0, key: None, whole: true };
        for seg in &path.0 {
            let next = match (&self.nodes[reached.node as usize].shape, seg) {
                (Shape::Sequence(items), Seg::Index(i)) => items.get(*i).map(|&node| (node, None)),
                (Shape::Mapping(entries), Seg::Key(k)) => {
                    entries.iter().rev().find(|(text, ..)| **text == **k).map(|&(_, at, node)| (node, Some(at)))
                }
                _ => None,
            };
            match next {
                Some((node, key)) => reached = Reached { node, key, whole: true },
                None => {
                    reached.whole = false;
                    return Some(reached);
                }
            }
        }
        Some(reached)
    }
}

/// How far a walk got: the node, the key that named it, and whether it is
/// the whole path.
struct Reached {
    node: u32,
    key: Option<Location>,
    whole: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

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
