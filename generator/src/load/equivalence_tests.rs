//! The model read from the one parse agrees with serde_yaml's reading, which
//! spec files were read with before: on the project's own spec files and on
//! thousands of slips made in them, the same value or the same message at
//! the same place.

use std::fmt::Debug;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::model::{ApiFile, ErrorCatalogFile, EventCatalogFile, InterfaceFile};
use super::{de, location_of, tree};

/// What a reading came to: the value's debug form, or the message and line:column.
#[derive(Debug, PartialEq)]
enum Reading {
    Value(String),
    Error { message: String, line: usize, column: usize },
    Refused,
}

fn ours<T: DeserializeOwned + Debug>(text: &str) -> Reading {
    let Ok(tree) = tree::Tree::parse(text) else { return Reading::Refused };
    match de::from_tree::<T>(&tree) {
        Ok(value) => Reading::Value(format!("{value:?}")),
        Err(e) => {
            let (line, column) = e.at.as_ref().map_or((0, 0), |(at, _)| {
                let loc = location_of(text, at.offset, 1);
                (loc.line, loc.column)
            });
            Reading::Error { message: e.to_string(), line, column }
        }
    }
}

fn theirs<T: DeserializeOwned + Debug>(text: &str) -> Reading {
    // Documents the one parse refuses never reached serde_yaml.
    if tree::Tree::parse(text).is_err() {
        return Reading::Refused;
    }
    match serde_yaml::from_str::<T>(text) {
        Ok(value) => Reading::Value(format!("{value:?}")),
        Err(e) => {
            let full = e.to_string();
            let message = full.rfind(" at line ").map_or(full.clone(), |i| full[..i].to_owned());
            let (line, column) = e.location().map_or((0, 0), |l| {
                let loc = location_of(text, l.index(), 1);
                (loc.line, loc.column)
            });
            Reading::Error { message, line, column }
        }
    }
}

/// Values a slip might leave where another value was.
const VALUES: &[&str] = &[
    "yes",
    "\"yes\"",
    "'x'",
    "1",
    "-1",
    "+5",
    "0x1F",
    "007",
    "1.5",
    ".inf",
    "~",
    "",
    "true",
    "\"true\"",
    "[a, b]",
    "{a: 1}",
    "99999999999999999999",
    "-99999999999999999999",
];

/// Every slip tried on `text`: each line removed, repeated, its key
/// misspelt, and its value replaced by each of [`VALUES`].
fn slips(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let with = |i: usize, replacement: &[String]| {
        let mut next: Vec<String> = lines[..i].iter().map(|l| (*l).to_owned()).collect();
        next.extend(replacement.iter().cloned());
        next.extend(lines[i + 1..].iter().map(|l| (*l).to_owned()));
        next.join("\n") + "\n"
    };
    for (i, line) in lines.iter().enumerate() {
        out.push(with(i, &[]));
        out.push(with(i, &[(*line).to_owned(), (*line).to_owned()]));
        if let Some(colon) = line.find(": ") {
            let key = &line[..colon];
            out.push(with(i, &[format!("{key}x{}", &line[colon..])]));
            for value in VALUES {
                out.push(with(i, &[format!("{key}: {value}")]));
            }
        }
    }
    out
}

/// The file's first `lines` lines or a few more, cut before a list item,
/// so that slips in long catalogs are tried on a document of a test's size.
fn head(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let end = (lines..all.len()).find(|&i| all[i].starts_with("  - ")).unwrap_or(all.len());
    all[..end].join("\n") + "\n"
}

fn agree<T: DeserializeOwned + Debug>(path: &Path, lines: usize) -> usize {
    let text = head(&std::fs::read_to_string(path).expect("spec file"), lines);
    let mut documents = slips(&text);
    documents.push(text);
    for document in &documents {
        let (ours, theirs) = (ours::<T>(document), theirs::<T>(document));
        if ours != theirs && !block_scalar_pointed_at_its_text(document, &ours, &theirs) {
            assert_eq!(ours, theirs, "{}:\n{document}", path.display());
        }
    }
    documents.len()
}

/// The one difference kept: serde_yaml put a block scalar (`|`, `>`) at its
/// indicator, the one parse at its first line of text, which is what to
/// change.
fn block_scalar_pointed_at_its_text(document: &str, ours: &Reading, theirs: &Reading) -> bool {
    let (Reading::Error { message: a, line: ours, .. }, Reading::Error { message: b, line, column }) = (ours, theirs)
    else {
        return false;
    };
    let indicator = document.lines().nth(line - 1).and_then(|l| l.chars().nth(column - 1));
    a == b && ours > line && matches!(indicator, Some('|' | '>'))
}

#[test]
fn the_one_parse_reads_spec_files_and_their_slips_as_serde_yaml_did() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut tried = agree::<ApiFile>(&spec.join("api.yaml"), usize::MAX);
    tried += agree::<ErrorCatalogFile>(&spec.join("errors.yaml"), 30);
    tried += agree::<EventCatalogFile>(&spec.join("events.yaml"), 40);
    for interface in ["mediacall/transfer.yaml", "calldata/assignuserinqueue.yaml"] {
        tried += agree::<InterfaceFile>(&spec.join(interface), usize::MAX);
    }
    assert!(tried > 3_000, "{tried} documents");
}

#[test]
fn empty_values_read_as_serde_yaml_read_them() {
    for text in ["code:\n", "codes:\n", "codes: \n", "codes: []\n", "codes: ~\n", "codes:\n  - code:\n"] {
        assert_eq!(ours::<ErrorCatalogFile>(text), theirs::<ErrorCatalogFile>(text), "{text:?}");
    }
}

#[test]
fn an_empty_document_is_read_as_serde_yaml_read_it_and_pointed_at_its_start() {
    // serde_yaml pointed at the end of the stream; the start is where to write.
    for text in ["", "# nothing\n", "\n\n"] {
        let Reading::Error { message, .. } = theirs::<ErrorCatalogFile>(text) else { panic!("{text:?}") };
        assert_eq!(ours::<ErrorCatalogFile>(text), Reading::Error { message, line: 1, column: 1 }, "{text:?}");
    }
}

#[test]
fn a_block_scalar_of_the_wrong_type_is_pointed_at_its_first_line_of_text() {
    // serde_yaml pointed at the `|`; the text is what to change.
    let text = "codes: |\n  one\n  two\n";
    let Reading::Error { message, .. } = theirs::<ErrorCatalogFile>(text) else { panic!() };
    assert_eq!(ours::<ErrorCatalogFile>(text), Reading::Error { message, line: 2, column: 3 });
}

#[test]
fn aliases_read_as_their_anchors() {
    let text = "codes:\n  - &c { code: \"1\", name: a, source: s }\n  - *c\n";
    assert_eq!(ours::<ErrorCatalogFile>(text), theirs::<ErrorCatalogFile>(text));
    assert!(matches!(ours::<ErrorCatalogFile>(text), Reading::Value(_)), "{:?}", ours::<ErrorCatalogFile>(text));
}

#[test]
fn an_anchor_used_many_times_reads_as_serde_yaml_read_it() {
    let mut text = String::from("codes:\n  - &c {code: \"1\", name: a, source: s, meaning: m, note: n}\n");
    for _ in 0..500 {
        text.push_str("  - *c\n");
    }
    assert_eq!(ours::<ErrorCatalogFile>(&text), theirs::<ErrorCatalogFile>(&text));
    assert!(matches!(ours::<ErrorCatalogFile>(&text), Reading::Value(_)));
}

#[test]
fn aliases_that_expand_without_bound_are_stopped() {
    // Each level doubles the one below: 2^40 nodes if expanded.
    let mut text = String::from("a0: &a0 [x, x]\n");
    for i in 1..=40 {
        text.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
    }
    let tree = tree::Tree::parse(&text).expect("parsed");
    let value = de::from_tree::<serde_json::Value>(&tree);
    let e = value.expect_err("stopped");
    assert!(e.message.contains("repetition limit"), "{e}");
    // An alias inside its own anchor is a cycle.
    let tree = tree::Tree::parse("a: &x [*x]\n").expect("parsed");
    let e = de::from_tree::<serde_json::Value>(&tree).expect_err("stopped");
    assert!(e.message.contains("recursion limit"), "{e}");
}
