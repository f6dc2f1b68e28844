//! Edits a spec file in place: only the entries whose values changed are rewritten.
//!
//! `--update` merges on the YAML tree, but writing that tree out again would drop the curated
//! file's comments, its line breaks and its flow style. Instead the old and new trees are
//! compared node by node, and each difference becomes a text edit at the place the position
//! index (in `load`) gives for the node: a changed scalar or flow value is replaced where it
//! stands, a removed key or item loses its lines, an added one is rendered in the file's style
//! next to its neighbour. The result is parsed again and must equal the new tree, or no edit
//! is made at all (the caller then writes the whole tree).

use similar::{Algorithm, DiffTag, capture_diff_slices};

use crate::load::document::{self, Mapping, Value};
use crate::load::positions::{NodePath, PositionIndex};

use super::yaml;

/// `text` changed so that it reads as `new`, touching only what differs; `None` when the
/// edit cannot be made in place.
pub fn patch(text: &str, new: &Value) -> Option<String> {
    let old = document::parse(text).ok()?;
    if &old == new {
        return Some(text.to_owned());
    }
    let mut p = Patcher { text, index: PositionIndex::build(text).ok()?, edits: Vec::new() };
    p.node(&NodePath::root(), &[], &old, new).ok()?;
    let out = p.apply()?;
    (document::parse(&out).ok()? == *new).then_some(out)
}

/// The edit cannot be made at this node; the parent replaces the node as a whole.
struct Escalate;

struct Edit {
    start: usize,
    end: usize,
    text: String,
}

struct Patcher<'a> {
    text: &'a str,
    index: PositionIndex,
    edits: Vec<Edit>,
}

/// The mapping keys on the way to a node, as the renderer wants them.
fn sub_keys(keys: &[String], key: &str) -> Vec<String> {
    let mut out = keys.to_vec();
    out.push(key.to_owned());
    out
}

/// A sequence item's identity, so that items are matched by name rather than by position.
fn identity(v: &Value) -> String {
    if let Value::Mapping(m) = v {
        for k in ["name", "event", "value"] {
            if let Some(id) = m.get(Value::String(k.to_owned())) {
                return format!("{k}={}", document::inline(Some(id)));
            }
        }
    }
    document::inline(Some(v))
}

impl Patcher<'_> {
    fn apply(mut self) -> Option<String> {
        self.edits.sort_by_key(|e| (e.start, e.end));
        let mut out = String::new();
        let mut cursor = 0;
        for e in &self.edits {
            if e.start < cursor {
                return None;
            }
            out.push_str(&self.text[cursor..e.start]);
            out.push_str(&e.text);
            cursor = e.end;
        }
        out.push_str(&self.text[cursor..]);
        Some(out)
    }

    fn edit(&mut self, start: usize, end: usize, text: String) {
        self.edits.push(Edit { start, end, text });
    }

    fn line_start(&self, offset: usize) -> usize {
        self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self, offset: usize) -> usize {
        self.text[offset..].find('\n').map_or(self.text.len(), |i| offset + i)
    }

    /// Whether the value at `offset` is a flow collection (`{ ... }` or `[ ... ]`).
    fn is_flow(&self, offset: usize) -> bool {
        self.text[offset..].starts_with(['{', '['])
    }

    /// End of the block that starts on the line of `offset` and holds everything indented
    /// deeper than `column`: the start of the first later line at `column` or less (trailing
    /// blank lines stay outside). `dash_continues` keeps `- ` lines at `column` inside (a
    /// sequence written at its key's indentation).
    fn block_end(&self, offset: usize, column: usize, dash_continues: bool) -> usize {
        let mut pos = self.line_end(offset);
        let mut end = (pos + 1).min(self.text.len());
        while pos < self.text.len() {
            let start = pos + 1;
            let stop = self.line_end(start.min(self.text.len()));
            let line = &self.text[start.min(stop)..stop];
            let trimmed = line.trim_start();
            if !trimmed.is_empty() {
                let indent = line.len() - trimmed.len();
                let continues = indent > column || (dash_continues && indent == column && trimmed.starts_with('-'));
                if !continues {
                    break;
                }
                end = (stop + 1).min(self.text.len());
            }
            pos = stop;
        }
        end
    }

    /// Column of `offset` on its line.
    fn column(&self, offset: usize) -> usize {
        offset - self.line_start(offset)
    }

    /// Nothing but blanks before `offset` on its line.
    fn starts_line(&self, offset: usize) -> bool {
        self.text[self.line_start(offset)..offset].trim().is_empty()
    }

    fn node(&mut self, path: &NodePath, keys: &[String], old: &Value, new: &Value) -> Result<(), Escalate> {
        if old == new {
            return Ok(());
        }
        let at = self.index.exact(path).ok_or(Escalate)?;
        let mark = self.edits.len();
        let done = match (old, new) {
            (Value::Mapping(o), Value::Mapping(n)) if !o.is_empty() && !self.is_flow(at.offset) => {
                self.mapping(path, keys, o, n)
            }
            (Value::Sequence(o), Value::Sequence(n)) if !o.is_empty() && !self.is_flow(at.offset) => {
                self.sequence(path, keys, o, n)
            }
            _ => Err(Escalate),
        };
        if done.is_err() {
            // The parent rewrites this node whole; edits made inside it would overlap.
            self.edits.truncate(mark);
        }
        done
    }

    /// Where the entry of `key` starts (its line) and ends (past its last line), when it
    /// has a line of its own.
    fn entry_span(&self, path: &NodePath, value: &Value) -> Option<(usize, usize)> {
        let key_at = self.index.exact_key(path)?;
        if !self.starts_line(key_at.offset) {
            return None;
        }
        let column = self.column(key_at.offset);
        let end = self.block_end(key_at.offset, column, matches!(value, Value::Sequence(_)));
        Some((self.line_start(key_at.offset), end))
    }

    /// Replaces a changed value: in place when old and new fit on the key's line, else the
    /// whole entry.
    fn replace_entry(
        &mut self,
        path: &NodePath,
        keys: &[String],
        key: &Value,
        old: &Value,
        new: &Value,
    ) -> Result<(), Escalate> {
        let key_at = self.index.exact_key(path).ok_or(Escalate)?;
        let column = self.column(key_at.offset);
        let rendered = yaml::entry(key, new, column, keys);
        if let Some(value_at) = self.index.exact(path) {
            let old_end = match old {
                Value::Mapping(_) | Value::Sequence(_) if self.is_flow(value_at.offset) => {
                    flow_end(self.text, value_at.offset)
                }
                Value::Mapping(_) | Value::Sequence(_) => None,
                _ if self.text[value_at.offset..].starts_with(['>', '|']) => None,
                _ => Some(value_at.offset + value_at.len),
            };
            let line_end = self.line_end(key_at.offset);
            let rest_ok = |end: usize| {
                end <= line_end && {
                    let rest = self.text[end..line_end].trim();
                    rest.is_empty() || rest.starts_with('#')
                }
            };
            let prefix = format!("{}:", document::inline(Some(key)));
            // A flow value stays flow, however long: the file's author chose that style.
            let flow = match (old, key.as_str()) {
                (Value::Mapping(_) | Value::Sequence(_), Some(k)) if self.is_flow(value_at.offset) => {
                    yaml::flow_value(k, new, keys).filter(|_| matches!(new, Value::Mapping(_) | Value::Sequence(_)))
                }
                _ => None,
            };
            let single = match flow {
                Some(f) => Some(f),
                None if rendered.lines().count() == 1 => {
                    rendered.trim().strip_prefix(&prefix).map(|v| v.trim().to_owned())
                }
                None => None,
            };
            if let (Some(end), Some(v)) = (old_end, single)
                && value_at.offset > key_at.offset
                && rest_ok(end)
            {
                self.edit(value_at.offset, end, v);
                return Ok(());
            }
        }
        let (start, end) = self.entry_span(path, old).ok_or(Escalate)?;
        self.edit(start, end, rendered);
        Ok(())
    }

    fn mapping(&mut self, path: &NodePath, keys: &[String], old: &Mapping, new: &Mapping) -> Result<(), Escalate> {
        // Where the next inserted entry goes: after the last entry kept so far.
        let first_key = old.keys().next().and_then(|k| k.as_str()).ok_or(Escalate)?;
        let first_at = self.index.exact_key(&path.key(first_key)).ok_or(Escalate)?;
        let column = self.column(first_at.offset);
        let mut insert_at =
            if self.starts_line(first_at.offset) { Some(self.line_start(first_at.offset)) } else { None };
        for (k, v) in old {
            let name = k.as_str().ok_or(Escalate)?;
            if !new.contains_key(k) {
                let (start, end) = self.entry_span(&path.key(name), v).ok_or(Escalate)?;
                self.edit(start, end, String::new());
            }
        }
        for (k, v) in new {
            let name = k.as_str().ok_or(Escalate)?;
            let child = path.key(name);
            match old.get(k) {
                Some(o) => {
                    if self.node(&child, &sub_keys(keys, name), o, v).is_err() {
                        self.replace_entry(&child, keys, k, o, v)?;
                    }
                    let key_at = self.index.exact_key(&child).ok_or(Escalate)?;
                    insert_at = Some(self.block_end(key_at.offset, column, matches!(o, Value::Sequence(_))));
                }
                None => {
                    let at = insert_at.ok_or(Escalate)?;
                    self.edit(at, at, yaml::entry(k, v, column, keys));
                }
            }
        }
        Ok(())
    }

    /// The `- ` of the item whose value starts at `offset`, when the item starts its line.
    fn dash(&self, offset: usize) -> Option<usize> {
        let before = self.text[..offset].trim_end_matches(' ');
        let dash = before.len().checked_sub(1)?;
        (before.ends_with('-') && self.starts_line(dash)).then_some(dash)
    }

    fn item_span(&self, path: &NodePath) -> Option<(usize, usize, usize)> {
        let at = self.index.exact(path)?;
        let dash = self.dash(at.offset)?;
        let column = self.column(dash);
        Some((self.line_start(dash), self.block_end(dash, column, false), column))
    }

    fn sequence(&mut self, path: &NodePath, keys: &[String], old: &[Value], new: &[Value]) -> Result<(), Escalate> {
        let old_ids: Vec<String> = old.iter().map(identity).collect();
        let new_ids: Vec<String> = new.iter().map(identity).collect();
        let (_, _, column) = self.item_span(&path.index(0)).ok_or(Escalate)?;
        let render = |items: &[Value]| -> String { items.iter().map(|i| yaml::item(i, column, keys)).collect() };
        for op in capture_diff_slices(Algorithm::Myers, &old_ids, &new_ids) {
            let (tag, o, n) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => {
                    for (i, j) in o.clone().zip(n.clone()) {
                        if self.node(&path.index(i), keys, &old[i], &new[j]).is_err() {
                            let (start, end, _) = self.item_span(&path.index(i)).ok_or(Escalate)?;
                            self.edit(start, end, render(&new[j..=j]));
                        }
                    }
                }
                DiffTag::Insert => {
                    let at = match o.start {
                        0 => self.item_span(&path.index(0)).ok_or(Escalate)?.0,
                        i => self.item_span(&path.index(i - 1)).ok_or(Escalate)?.1,
                    };
                    self.edit(at, at, render(&new[n]));
                }
                DiffTag::Delete | DiffTag::Replace => {
                    let (start, _, _) = self.item_span(&path.index(o.start)).ok_or(Escalate)?;
                    let (_, end, _) = self.item_span(&path.index(o.end - 1)).ok_or(Escalate)?;
                    self.edit(start, end, render(&new[n]));
                }
            }
        }
        Ok(())
    }
}

/// Byte offset just past the bracket that closes the flow collection opening at `start`.
fn flow_end(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text[start..].char_indices() {
        match quote {
            // In double quotes a backslash escapes; in single quotes '' is a quote, which the
            // closing-and-reopening reading handles the same way.
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '[' => depth += 1,
                '}' | ']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(start + i + 1);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(text: &str, change: impl FnOnce(&mut Value)) -> String {
        let mut v = document::parse(text).expect("parses");
        change(&mut v);
        patch(text, &v).expect("patches")
    }

    fn at<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Value {
        path.iter().fold(v, |v, k| match k.parse::<usize>() {
            Ok(i) => &mut v.as_sequence_mut().expect("sequence")[i],
            Err(_) => v.get_mut(*k).expect("key"),
        })
    }

    const SPEC: &str = "# header\nname: x  # why\nlist:\n  # the first\n  - name: a\n    range: { min: 1, max: 2 }\n  - name: b\n    type: string\nerrors:\n  - \"1\"\n  - \"2\"\ntail: >-\n  long text\n  folded\n";

    #[test]
    fn a_changed_scalar_keeps_its_comment() {
        let out = with(SPEC, |v| *at(v, &["name"]) = Value::String("z".into()));
        assert_eq!(out, SPEC.replace("name: x  # why", "name: z  # why"));
    }

    #[test]
    fn a_changed_flow_value_stays_flow() {
        let out = with(SPEC, |v| *at(v, &["list", "0", "range", "max"]) = Value::Number(5.into()));
        assert_eq!(out, SPEC.replace("max: 2 }", "max: 5 }"));
    }

    #[test]
    fn items_are_added_and_removed_by_name() {
        let out = with(SPEC, |v| {
            let errors = at(v, &["errors"]).as_sequence_mut().expect("sequence");
            errors.remove(0);
            errors.push(Value::String("3".into()));
            let list = at(v, &["list"]).as_sequence_mut().expect("sequence");
            list.remove(1);
        });
        assert_eq!(
            out,
            SPEC.replace("  - name: b\n    type: string\n", "")
                .replace("  - \"1\"\n  - \"2\"\n", "  - \"2\"\n  - \"3\"\n")
        );
    }

    #[test]
    fn keys_are_added_after_their_neighbour_and_removed_with_their_lines() {
        let out = with(SPEC, |v| {
            let m = v.as_mapping_mut().expect("mapping");
            m.remove("tail");
            let item = at(v, &["list", "1"]).as_mapping_mut().expect("mapping");
            item.insert(Value::String("required".into()), Value::Bool(true));
        });
        assert_eq!(
            out,
            SPEC.replace("    type: string\n", "    type: string\n    required: true\n")
                .replace("tail: >-\n  long text\n  folded\n", "")
        );
    }

    #[test]
    fn a_changed_flow_value_keeps_its_trailing_comment() {
        let text = "a: { b: \"}\", c: [1, 2] }  # why\nz: 1\n";
        let out = with(text, |v| *at(v, &["a", "c"]) = Value::Sequence(vec![Value::Number(3.into())]));
        assert_eq!(out, "a: { b: \"}\", c: [3] }  # why\nz: 1\n");
    }

    #[test]
    fn a_folded_scalar_is_rewritten_whole() {
        let out = with(SPEC, |v| *at(v, &["tail"]) = Value::String("short".into()));
        assert_eq!(out, SPEC.replace("tail: >-\n  long text\n  folded\n", "tail: short\n"));
    }
}
