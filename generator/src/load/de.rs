//! The serde model deserialized from a parsed [`Tree`].
//!
//! YAML's meaning is the one spec files have always been read with: the
//! core schema for plain scalars (null, booleans, integers in decimal, hex,
//! octal and binary, floats), quoted text always text, any scalar accepted
//! where text is expected, and an empty document or empty value read as an
//! empty collection. Errors name the node as a path (`parameters.body[1]`)
//! and carry the position of the innermost node they surfaced at.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer as _, Unexpected, Visitor};

use super::positions::Location;
use super::tree::{Kind, Node, Tree};

/// How deep deserialization may go, aliases followed. Documents themselves
/// nest at most [`super::positions::MAX_DEPTH`]; only aliases can go further.
const MAX_DEPTH: usize = 128;

/// Why a document does not fit the model.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    /// Where: the node, and its path from the root (`.` for the root).
    pub at: Option<(Location, String)>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some((_, path)) if path != "." => write!(f, "{path}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self { message: message.to_string(), at: None }
    }
}

/// Deserializes `T` from `tree`.
pub fn from_tree<'de, T: de::Deserialize<'de>>(tree: &Tree<'de>) -> Result<T, Error> {
    // Aliases can make a small document expand without bound: each jump to
    // an anchor costs a unit, as many in all as serde_yaml allowed.
    let budget = Cell::new(tree.nodes.len().saturating_mul(100).max(1_000));
    let doc = Doc { tree, budget };
    match tree.root() {
        Some(root) => T::deserialize(At { doc: &doc, node: root, path: Path::Root, depth: 0 }),
        // Nothing to point at but the start of the file.
        None => T::deserialize(Empty).map_err(|mut e| {
            e.at.get_or_insert((Location { line: 1, column: 1, offset: 0, len: 0 }, ".".to_owned()));
            e
        }),
    }
}

struct Doc<'t, 'de> {
    tree: &'t Tree<'de>,
    budget: Cell<usize>,
}

/// A node path for messages, spelled as `a.b[2].c`.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Seq { parent: &'p Path<'p>, index: usize },
    Map { parent: &'p Path<'p>, key: &'p str },
    Unknown { parent: &'p Path<'p> },
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Parent<'a>(&'a Path<'a>);
        impl fmt::Display for Parent<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.0 {
                    Path::Root => Ok(()),
                    path => write!(f, "{path}."),
                }
            }
        }
        match self {
            Path::Root => f.write_str("."),
            Path::Seq { parent, index } => write!(f, "{parent}[{index}]"),
            Path::Map { parent, key } => write!(f, "{}{key}", Parent(parent)),
            Path::Unknown { parent } => write!(f, "{}?", Parent(parent)),
        }
    }
}

/// A node to deserialize, with the path that names it.
#[derive(Clone, Copy)]
struct At<'d, 't, 'de, 'p> {
    doc: &'d Doc<'t, 'de>,
    node: u32,
    path: Path<'p>,
    depth: usize,
}

impl<'d, 't, 'de> At<'d, 't, 'de, '_> {
    fn node(&self) -> &'t Node<'de> {
        self.doc.tree.node(self.node)
    }

    /// The node itself, aliases followed, each jump paid for.
    fn resolve(self) -> Result<Self, Error> {
        let mut at = self;
        while let Kind::Alias(target) = at.node().kind {
            at.depth += 1;
            if at.depth > MAX_DEPTH {
                return Err(self.locate(too_deep()));
            }
            match self.doc.budget.get().checked_sub(1) {
                Some(left) => self.doc.budget.set(left),
                None => {
                    let message = "aliases repeat the document too often (repetition limit exceeded)".to_owned();
                    return Err(self.locate(Error { message, at: None }));
                }
            }
            at.node = target;
        }
        Ok(at)
    }

    /// Gives an error without a position this node's.
    fn locate(&self, mut error: Error) -> Error {
        if error.at.is_none() {
            error.at = Some((self.node().at, self.path.to_string()));
        }
        error
    }

    fn scalar(&self) -> Option<(&'t str, bool)> {
        match &self.node().kind {
            Kind::Scalar { text, plain } => Some((text.as_ref(), *plain)),
            _ => None,
        }
    }

    /// An empty plain scalar: a key with no value, read as an empty collection.
    fn is_empty_value(&self) -> bool {
        matches!(self.scalar(), Some(("", true)))
    }

    fn invalid_type(&self, expected: &dyn Expected) -> Error {
        let wide;
        let unexpected = match &self.node().kind {
            Kind::Scalar { text, plain: true } => match Plain::of(text) {
                Plain::Null => Unexpected::Unit,
                Plain::Bool(b) => Unexpected::Bool(b),
                Plain::Unsigned(n) => Unexpected::Unsigned(n),
                Plain::Signed(n) => Unexpected::Signed(n),
                // Past 64 bits serde names the width, as its own visitors do.
                Plain::Unsigned128(n) => {
                    wide = format!("integer `{n}` as u128");
                    Unexpected::Other(&wide)
                }
                Plain::Signed128(n) => {
                    wide = format!("integer `{n}` as i128");
                    Unexpected::Other(&wide)
                }
                Plain::Float(f) => Unexpected::Float(f),
                Plain::Str(text) => Unexpected::Str(text),
            },
            Kind::Scalar { text, plain: false } => Unexpected::Str(text),
            Kind::Sequence(_) => Unexpected::Seq,
            Kind::Mapping(_) => Unexpected::Map,
            Kind::Alias(_) => Unexpected::Other("alias"),
        };
        de::Error::invalid_type(unexpected, expected)
    }

    fn child<'q>(&self, node: u32, path: Path<'q>) -> At<'d, 't, 'de, 'q> {
        At { doc: self.doc, node, path, depth: self.depth + 1 }
    }

    fn visit_sequence<V: Visitor<'de>>(self, items: &'t [u32], visitor: V) -> Result<V::Value, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        let mut access = SeqAccess { at: self, items, next: 0 };
        let value = visitor.visit_seq(&mut access)?;
        if access.next < items.len() {
            return Err(de::Error::invalid_length(items.len(), &ExpectedLen("sequence of", access.next, "element")));
        }
        Ok(value)
    }

    fn visit_mapping<V: Visitor<'de>>(self, entries: &'t [(u32, u32)], visitor: V) -> Result<V::Value, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        let mut access = MapAccess { at: self, entries, next: 0 };
        let value = visitor.visit_map(&mut access)?;
        if access.next < entries.len() {
            return Err(de::Error::invalid_length(entries.len(), &ExpectedLen("map containing", access.next, "entry")));
        }
        Ok(value)
    }
}

/// Nesting, aliases followed, past [`MAX_DEPTH`]; serde_yaml's words.
fn too_deep() -> Error {
    de::Error::custom("recursion limit exceeded")
}

/// What a plain scalar is by YAML's core schema, in serde_yaml's order.
enum Plain<'a> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Unsigned128(u128),
    Signed128(i128),
    Float(f64),
    Str(&'a str),
}

impl<'a> Plain<'a> {
    fn of(text: &'a str) -> Self {
        if is_null(text) {
            Plain::Null
        } else if let Some(b) = parse_bool(text) {
            Plain::Bool(b)
        } else if let Some(n) = unsigned(text, u64::from_str_radix) {
            Plain::Unsigned(n)
        } else if let Some(n) = negative(text, i64::from_str_radix) {
            Plain::Signed(n)
        } else if let Some(n) = unsigned(text, u128::from_str_radix) {
            Plain::Unsigned128(n)
        } else if let Some(n) = negative(text, i128::from_str_radix) {
            Plain::Signed128(n)
        } else if let Some(f) = (!digits_but_not_number(text)).then(|| parse_f64(text)).flatten() {
            Plain::Float(f)
        } else {
            Plain::Str(text)
        }
    }
}

struct ExpectedLen(&'static str, usize, &'static str);

impl Expected for ExpectedLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, n, unit) = (self.0, self.1, self.2);
        match (n, unit) {
            (1, _) => write!(f, "{what} 1 {unit}"),
            (_, "entry") => write!(f, "{what} {n} entries"),
            _ => write!(f, "{what} {n} {unit}s"),
        }
    }
}

/// Runs a deserialization step on `at`, aliases followed, and gives its
/// errors `at`'s position when they have none yet.
macro_rules! step {
    ($at:expr, |$node:ident| $body:expr) => {{
        let at = $at;
        match at.resolve() {
            Ok($node) => {
                let result: Result<_, Error> = $body;
                result.map_err(|e| $node.locate(e))
            }
            Err(e) => Err(e),
        }
    }};
}

/// Deserializer methods that do what another one does.
macro_rules! forward {
    ($($($name:ident),+ => $to:ident;)+) => {
        $($(
            fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.$to(visitor)
            }
        )+)+
    };
}

macro_rules! plain_number {
    ($name:ident, $parse:expr, $visit:ident) => {
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            step!(self, |at| match at.scalar() {
                Some((text, true)) => match $parse(text) {
                    Some(n) => visitor.$visit(n),
                    None => Err(at.invalid_type(&visitor)),
                },
                _ => Err(at.invalid_type(&visitor)),
            })
        }
    };
}

impl<'de> de::Deserializer<'de> for At<'_, '_, 'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match &at.node().kind {
            Kind::Scalar { text, plain: true } => visit_plain(visitor, text),
            Kind::Scalar { text, plain: false } => visitor.visit_str(text),
            Kind::Sequence(items) => at.visit_sequence(items, visitor),
            Kind::Mapping(entries) => at.visit_mapping(entries, visitor),
            Kind::Alias(_) => unreachable!("resolved"),
        })
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match at.scalar() {
            Some((text, true)) => match parse_bool(text) {
                Some(b) => visitor.visit_bool(b),
                None => Err(at.invalid_type(&visitor)),
            },
            _ => Err(at.invalid_type(&visitor)),
        })
    }

    forward! {
        deserialize_i8, deserialize_i16, deserialize_i32 => deserialize_i64;
        deserialize_u8, deserialize_u16, deserialize_u32 => deserialize_u64;
        deserialize_f32 => deserialize_f64;
        deserialize_char, deserialize_string, deserialize_identifier => deserialize_str;
    }
    plain_number!(deserialize_i64, |t| signed(t, i64::from_str_radix), visit_i64);
    plain_number!(deserialize_i128, |t| signed(t, i128::from_str_radix), visit_i128);
    plain_number!(deserialize_u64, |t| unsigned(t, u64::from_str_radix), visit_u64);
    plain_number!(deserialize_u128, |t| unsigned(t, u128::from_str_radix), visit_u128);
    plain_number!(deserialize_f64, parse_f64, visit_f64);

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match at.scalar() {
            Some((text, _)) => visitor.visit_str(text),
            None => Err(at.invalid_type(&visitor)),
        })
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(self.locate(de::Error::custom("bytes are not read from YAML")))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match at.scalar() {
            Some((text, true)) if is_null(text) => visitor.visit_none(),
            _ => visitor.visit_some(at),
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match at.scalar() {
            Some((text, true)) if is_null(text) => visitor.visit_unit(),
            Some((text, _)) => Err(de::Error::invalid_value(Unexpected::Str(text), &"null")),
            None => Err(at.invalid_type(&visitor)),
        })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match &at.node().kind {
            Kind::Sequence(items) => at.visit_sequence(items, visitor),
            _ if at.is_empty_value() => at.visit_sequence(&[], visitor),
            _ => Err(at.invalid_type(&visitor)),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        step!(self, |at| match &at.node().kind {
            Kind::Mapping(entries) => at.visit_mapping(entries, visitor),
            _ if at.is_empty_value() => at.visit_mapping(&[], visitor),
            _ => Err(at.invalid_type(&visitor)),
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    /// A unit variant written as its name; the model has no other kind.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        step!(self, |at| match at.scalar() {
            Some((text, _)) => visitor.visit_enum(text.into_deserializer()),
            None => Err(at.invalid_type(&"a variant name")),
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// A plain scalar by YAML's core schema.
fn visit_plain<'de, V: Visitor<'de>>(visitor: V, text: &str) -> Result<V::Value, Error> {
    match Plain::of(text) {
        Plain::Null => visitor.visit_unit(),
        Plain::Bool(b) => visitor.visit_bool(b),
        Plain::Unsigned(n) => visitor.visit_u64(n),
        Plain::Signed(n) => visitor.visit_i64(n),
        Plain::Unsigned128(n) => visitor.visit_u128(n),
        Plain::Signed128(n) => visitor.visit_i128(n),
        Plain::Float(f) => visitor.visit_f64(f),
        Plain::Str(text) => visitor.visit_str(text),
    }
}

struct SeqAccess<'d, 't, 'de, 'p> {
    at: At<'d, 't, 'de, 'p>,
    items: &'t [u32],
    next: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, '_, 'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(&node) = self.items.get(self.next) else { return Ok(None) };
        let path = Path::Seq { parent: &self.at.path, index: self.next };
        self.next += 1;
        seed.deserialize(self.at.child(node, path)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct MapAccess<'d, 't, 'de, 'p> {
    at: At<'d, 't, 'de, 'p>,
    entries: &'t [(u32, u32)],
    next: usize,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, '_, 'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(&(key, _)) = self.entries.get(self.next) else { return Ok(None) };
        // A key is named by the mapping's path, as serde's own messages about
        // fields (unknown, duplicate) are about the mapping.
        seed.deserialize(self.at.child(key, self.at.path)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, value) = self.entries[self.next];
        self.next += 1;
        let key_text = match &self.at.doc.tree.node(key).kind {
            Kind::Scalar { text, .. } => Some(text.as_ref()),
            _ => None,
        };
        let path = match key_text {
            Some(key) => Path::Map { parent: &self.at.path, key },
            None => Path::Unknown { parent: &self.at.path },
        };
        seed.deserialize(self.at.child(value, path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

/// An empty document: nothing at all, read as null or an empty collection.
struct Empty;

impl<'de> de::Deserializer<'de> for Empty {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(de::value::SeqDeserializer::<std::iter::Empty<()>, Error>::new(std::iter::empty()))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(de::value::MapDeserializer::<std::iter::Empty<((), ())>, Error>::new(std::iter::empty()))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit_struct newtype_struct tuple tuple_struct enum identifier ignored_any
    }
}

/// Null by the core schema; an empty plain scalar (a key with no value) is too.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "null" | "Null" | "NULL" | "~")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros before digits make text, not a number (YAML 1.2).
fn digits_but_not_number(text: &str) -> bool {
    let text = text.strip_prefix(['-', '+']).unwrap_or(text);
    text.len() > 1 && text.starts_with('0') && text[1..].bytes().all(|b| b.is_ascii_digit())
}

/// An integer type's `from_str_radix`.
type FromRadix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

/// Digits after an optional radix prefix (`0x`, `0o`, `0b`), parsed by `parse`.
fn radix<T>(text: &str, parse: FromRadix<T>) -> Option<T> {
    for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = text.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = parse(rest, base) {
                return Some(n);
            }
        }
    }
    None
}

fn unsigned<T>(text: &str, parse: FromRadix<T>) -> Option<T> {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Some(n) = radix(unsigned, parse) {
        return Some(n);
    }
    if unsigned.starts_with(['+', '-']) || digits_but_not_number(text) {
        return None;
    }
    parse(unsigned, 10).ok()
}

fn negative<T>(text: &str, parse: FromRadix<T>) -> Option<T> {
    if let Some(rest) = text.strip_prefix('-')
        && ["0x", "0o", "0b"].iter().any(|p| rest.starts_with(p))
    {
        let base = match &rest[..2] {
            "0x" => 16,
            "0o" => 8,
            _ => 2,
        };
        if let Ok(n) = parse(&format!("-{}", &rest[2..]), base) {
            return Some(n);
        }
    }
    if digits_but_not_number(text) {
        return None;
    }
    parse(text, 10).ok()
}

/// `text` without a leading `+`; `None` when a second sign follows it.
fn without_plus(text: &str) -> Option<&str> {
    match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => None,
        Some(rest) => Some(rest),
        None => Some(text),
    }
}

fn signed<T>(text: &str, parse: FromRadix<T>) -> Option<T> {
    let unsigned = without_plus(text)?;
    if let Some(n) = radix(unsigned, parse) {
        return Some(n);
    }
    if text.starts_with('-')
        && let Some(n) = negative(text, parse)
    {
        return Some(n);
    }
    if digits_but_not_number(text) {
        return None;
    }
    parse(unsigned, 10).ok()
}

fn parse_f64(text: &str) -> Option<f64> {
    let unsigned = without_plus(text)?;
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match text {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}
