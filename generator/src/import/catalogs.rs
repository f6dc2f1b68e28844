//! Catalog entries the imported pages need: events and error codes a page names that
//! `events.yaml` / `errors.yaml` lack are added to them, marked as coming from the page.
//!
//! A page that gives a meaning (`100-006: The agent has not signed in.`) lends it to the entry,
//! in the vendor's words, for a person to rewrite; a page that gives none leaves the entry
//! explicitly undocumented (`source: unpublished` for a code; for an event a meaning saying so
//! and `payload: { kind: unknown }`, which keeps the content as sent). Entries are inserted in
//! sorted position with [`super::patch`], so the catalogs' comments and layout stay as they are.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::load::document::{self, Value};
use crate::load::{self, RawFile};

use super::Imported;

/// The catalog an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Catalog {
    Events,
    Errors,
}

impl Catalog {
    /// The catalog's file name.
    pub fn file(self) -> &'static str {
        match self {
            Catalog::Events => load::EVENTS_FILE,
            Catalog::Errors => load::ERRORS_FILE,
        }
    }

    fn list_key(self) -> &'static str {
        match self {
            Catalog::Events => "events",
            Catalog::Errors => "codes",
        }
    }

    fn id_key(self) -> &'static str {
        match self {
            Catalog::Events => "name",
            Catalog::Errors => "code",
        }
    }
}

/// One page naming an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    /// The page as given on the command line.
    pub page: String,
    /// The page line naming the entry.
    pub line: usize,
    /// The interface file drafted from the page (`voicecall/callinner.yaml`).
    pub spec: String,
    /// The page's title.
    pub title: String,
    /// What the page says the entry means, if it says.
    pub meaning: Option<String>,
}

/// An entry to add to a catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Addition {
    pub catalog: Catalog,
    /// The event name or the error code.
    pub key: String,
    /// The error code's snake_case name (codes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The meaning the pages give, `None` when none does.
    pub meaning: Option<String>,
    /// Every page naming it, in page order.
    pub uses: Vec<Use>,
}

/// An entry two pages give different meanings to: it is not added, and the pages are refused.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub catalog: Catalog,
    pub key: String,
    pub uses: Vec<Use>,
}

/// The event names and error codes (with the codes' names) a catalog file already holds.
fn existing(catalogs: &[RawFile], catalog: Catalog) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut keys = BTreeSet::new();
    let mut names = BTreeSet::new();
    let file = catalogs.iter().find(|f| f.rel_path == catalog.file());
    let doc = file.and_then(|f| document::parse(&String::from_utf8_lossy(&f.bytes)).ok());
    let list = doc.as_ref().and_then(|d| d.get(catalog.list_key())).and_then(Value::as_sequence);
    for entry in list.into_iter().flatten() {
        let text = |k: &str| {
            entry.get(k).and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string())))
        };
        keys.extend(text(catalog.id_key()));
        names.extend(text("name"));
    }
    (keys, names)
}

/// What the drafts (each with the page it came from) need from the catalogs.
pub fn needed(catalogs: &[RawFile], drafts: &[(&str, &Imported)]) -> (Vec<Addition>, Vec<Disagreement>) {
    let mut found: BTreeMap<(Catalog, String), Vec<Use>> = BTreeMap::new();
    for catalog in [Catalog::Events, Catalog::Errors] {
        let (have, _) = existing(catalogs, catalog);
        for (page, imported) in drafts {
            let d = &imported.draft;
            let (keys, lines) = match catalog {
                Catalog::Events => (&d.events, &d.event_lines),
                Catalog::Errors => (&d.errors, &d.error_lines),
            };
            for (i, key) in keys.iter().enumerate().filter(|(_, k)| !have.contains(*k)) {
                found.entry((catalog, key.clone())).or_default().push(Use {
                    page: (*page).to_owned(),
                    line: lines.get(i).copied().unwrap_or(0),
                    spec: imported.rel_path.clone(),
                    title: d.source.page.clone(),
                    meaning: d.meanings.get(key).cloned(),
                });
            }
        }
    }
    let mut additions = Vec::new();
    let mut disagreements = Vec::new();
    let (_, mut taken) = existing(catalogs, Catalog::Errors);
    for ((catalog, key), uses) in found {
        let meanings: BTreeSet<&String> = uses.iter().filter_map(|u| u.meaning.as_ref()).collect();
        if meanings.len() > 1 {
            disagreements.push(Disagreement { catalog, key, uses });
            continue;
        }
        let meaning = meanings.into_iter().next().cloned();
        let name = (catalog == Catalog::Errors).then(|| code_name(&key, &uses[0].spec, &mut taken));
        additions.push(Addition { catalog, key, name, meaning, uses });
    }
    (additions, disagreements)
}

/// A unique snake_case name for a code: the resource of the first page naming it, and the code
/// (`voicecall_200_018`).
fn code_name(code: &str, spec: &str, taken: &mut BTreeSet<String>) -> String {
    let resource = spec.split('/').next().unwrap_or("code");
    let code: String =
        code.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let base = format!("{resource}_{code}");
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// `"Title" (resource/name.yaml)` for each page naming an entry.
fn pages(uses: &[Use]) -> String {
    let mut seen = Vec::new();
    for u in uses {
        let s = format!("\"{}\" ({})", u.title, u.spec);
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    let noun = if seen.len() == 1 { "page" } else { "pages" };
    format!("the vendor {noun} {}", seen.join(", "))
}

/// "names" after one page, "name" after several.
fn names_verb(uses: &[Use]) -> &'static str {
    let first = &uses[0].spec;
    if uses.iter().all(|u| &u.spec == first) { "names" } else { "name" }
}

#[derive(Serialize)]
struct ErrorEntry {
    code: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    meaning: Option<String>,
    source: &'static str,
    note: String,
}

#[derive(Serialize)]
struct PayloadEntry {
    kind: &'static str,
}

#[derive(Serialize)]
struct EventEntry {
    name: String,
    meaning: String,
    payload: PayloadEntry,
    note: String,
}

/// The catalog entry for an addition.
fn entry(a: &Addition) -> Result<Value, String> {
    let from = pages(&a.uses);
    match (a.catalog, &a.meaning) {
        (Catalog::Errors, None) => document::to_value(&ErrorEntry {
            code: a.key.clone(),
            name: a.name.clone().unwrap_or_default(),
            meaning: None,
            source: "unpublished",
            note: format!("Listed by {from} without a meaning; added by `ccgen import`."),
        }),
        (Catalog::Errors, Some(m)) => document::to_value(&ErrorEntry {
            code: a.key.clone(),
            name: a.name.clone().unwrap_or_default(),
            meaning: Some(m.clone()),
            source: "official",
            note: format!(
                "Meaning as {from} gives it, in the vendor's words (rewrite it in ours); added by `ccgen import`."
            ),
        }),
        (Catalog::Events, meaning) => document::to_value(&EventEntry {
            name: a.key.clone(),
            meaning: meaning.clone().unwrap_or_else(|| {
                format!("Not documented: {from} {} this event without describing it.", names_verb(&a.uses))
            }),
            payload: PayloadEntry { kind: "unknown" },
            note: match meaning {
                Some(_) => format!(
                    "Meaning as {from} gives it, in the vendor's words (rewrite it in ours); payload unpublished; added by `ccgen import`."
                ),
                None => format!("Named by {from}; meaning and payload unpublished; added by `ccgen import`."),
            },
        }),
    }
}

/// The catalogs with the additions made, each in place at its sorted position; only the
/// catalogs that change are returned.
pub fn apply(catalogs: &[RawFile], additions: &[Addition]) -> Result<Vec<RawFile>, String> {
    let mut changed = Vec::new();
    for catalog in [Catalog::Events, Catalog::Errors] {
        let mine: Vec<&Addition> = additions.iter().filter(|a| a.catalog == catalog).collect();
        if mine.is_empty() {
            continue;
        }
        let file = catalogs
            .iter()
            .find(|f| f.rel_path == catalog.file())
            .ok_or_else(|| format!("{} is missing", catalog.file()))?;
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        let mut doc = document::parse(&text).map_err(|e| format!("{}: {e}", catalog.file()))?;
        let list = doc
            .get_mut(catalog.list_key())
            .and_then(Value::as_sequence_mut)
            .ok_or_else(|| format!("{} has no `{}` list", catalog.file(), catalog.list_key()))?;
        let was_empty = list.is_empty();
        for a in mine {
            let key_of = |v: &Value| v.get(catalog.id_key()).and_then(Value::as_str).unwrap_or("").to_owned();
            let at = list.iter().position(|v| key_of(v).as_str() > a.key.as_str()).unwrap_or(list.len());
            list.insert(at, entry(a)?);
        }
        let edited =
            if was_empty { first_entries(&text, catalog.list_key(), &doc) } else { super::patch::patch(&text, &doc) };
        let patched = edited.ok_or_else(|| {
            format!("{} could not be edited in place; add the entries by hand (nothing written)", catalog.file())
        })?;
        changed.push(RawFile { rel_path: file.rel_path.clone(), bytes: patched.into_bytes() });
    }
    Ok(changed)
}

/// A catalog whose list was empty (`events: []`, as in a fresh tree) with its first entries:
/// the list's line becomes a block list, the rest of the text stays.
fn first_entries(text: &str, key: &str, doc: &Value) -> Option<String> {
    let mut only = document::Mapping::new();
    only.insert(Value::String(key.to_owned()), doc.get(key)?.clone());
    let block = super::yaml::to_string(&Value::Mapping(only));
    let mut out = String::new();
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        let empty_list = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')).is_some_and(|r| {
            let r = r.split(" #").next().unwrap_or("").trim();
            r == "[]" || r.is_empty()
        });
        if empty_list && !replaced {
            out.push_str(&block);
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    (replaced && document::parse(&out).ok().as_ref() == Some(doc)).then_some(out)
}

/// The catalogs with `changed` in place of their old text.
pub fn replaced(catalogs: &[RawFile], changed: &[RawFile]) -> Vec<RawFile> {
    catalogs.iter().map(|f| changed.iter().find(|c| c.rel_path == f.rel_path).unwrap_or(f).clone()).collect()
}

/// One line per addition, for people: `events.yaml: AgentEvent_X (page.txt:12): meaning not documented`.
pub fn describe(a: &Addition) -> String {
    let at: Vec<String> = a.uses.iter().map(|u| format!("{}:{}", u.page, u.line)).collect();
    let name = a.name.as_ref().map(|n| format!(" as `{n}`")).unwrap_or_default();
    let meaning = match &a.meaning {
        Some(m) => format!("meaning from the page: {m}"),
        None if a.catalog == Catalog::Events => "meaning and payload not documented (payload kept as JSON)".to_owned(),
        None => "meaning not published (source: unpublished)".to_owned(),
    };
    format!("{}: added {}{name}, named at {}; {meaning}", a.catalog.file(), a.key, at.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogs(errors: &str, events: &str) -> Vec<RawFile> {
        vec![
            RawFile { rel_path: "errors.yaml".into(), bytes: errors.as_bytes().to_vec() },
            RawFile { rel_path: "events.yaml".into(), bytes: events.as_bytes().to_vec() },
        ]
    }

    fn addition(catalog: Catalog, key: &str, meaning: Option<&str>) -> Addition {
        let u =
            Use { page: "p.txt".into(), line: 3, spec: "voicecall/x.yaml".into(), title: "T".into(), meaning: None };
        let name = (catalog == Catalog::Errors).then(|| format!("voicecall_{}", key.replace('-', "_")));
        Addition { catalog, key: key.into(), name, meaning: meaning.map(str::to_owned), uses: vec![u] }
    }

    #[test]
    fn entries_go_in_sorted_position_and_comments_stay() {
        let errors = "# codes\ncodes:\n  # first\n  - code: \"100-001\"\n    name: a\n    meaning: A.\n    source: official\n  # last\n  - code: \"300-001\"\n    name: b\n    meaning: B.\n    source: official\n";
        let events = "# events\nevents: []\n";
        let adds = [addition(Catalog::Errors, "200-018", None), addition(Catalog::Events, "Z_Y", Some("It rang."))];
        let out = apply(&catalogs(errors, events), &adds).expect("applies");
        let errors_out =
            String::from_utf8(out.iter().find(|f| f.rel_path == "errors.yaml").unwrap().bytes.clone()).unwrap();
        assert!(errors_out.starts_with("# codes\ncodes:\n  # first\n"), "{errors_out}");
        let (a, b, c) = (
            errors_out.find("100-001").unwrap(),
            errors_out.find("200-018").unwrap(),
            errors_out.find("300-001").unwrap(),
        );
        assert!(a < b && b < c, "{errors_out}");
        assert!(errors_out.contains("# last"), "{errors_out}");
        assert!(errors_out.contains("source: unpublished"), "{errors_out}");
        let events_out =
            String::from_utf8(out.iter().find(|f| f.rel_path == "events.yaml").unwrap().bytes.clone()).unwrap();
        assert!(events_out.contains("kind: unknown") && events_out.contains("It rang."), "{events_out}");
        // An empty list (a fresh tree) becomes a block list; the comment stays.
        assert!(events_out.starts_with("# events\nevents:\n  - name: Z_Y\n"), "{events_out}");
    }
}
