//! The JSON Schema of the spec format (`spec/schema/`): derived from the loader's model types,
//! so the checked-in files must equal what the code derives; every spec in `spec/` validates
//! against its schema and names it on its first line, so that an editor flags a misspelt key
//! while someone types.
//!
//! After changing `load::model`, refresh the files with
//! `CCGEN_UPDATE_SCHEMA=1 cargo test -p ccgen --test spec_schema` and review the diff.

use std::path::{Path, PathBuf};

use ccgen::load::schema;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn validator(file: &str) -> jsonschema::Validator {
    let path = spec_dir().join(schema::SCHEMA_DIR).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft7::new(&json).unwrap_or_else(|e| panic!("{file} is no valid schema: {e}"))
}

/// Every way `instance` breaks the schema, one line each.
fn problems(validator: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{}: {e}", e.instance_path)).collect()
}

#[test]
fn checked_in_schemas_are_what_the_model_derives() {
    let dir = spec_dir().join(schema::SCHEMA_DIR);
    let update = std::env::var_os("CCGEN_UPDATE_SCHEMA").is_some();
    let mut stale = Vec::new();
    for (name, text) in schema::schemas() {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).expect("create spec/schema");
            std::fs::write(&path, &text).expect("write schema");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "spec/schema/{stale:?} differ from what load::model derives; run `CCGEN_UPDATE_SCHEMA=1 cargo test -p ccgen --test spec_schema`"
    );
}

#[test]
fn every_spec_names_its_schema_and_validates_against_it() {
    let files = ccgen::load::read_dir(&spec_dir()).unwrap_or_else(|d| panic!("{}", d.render()));
    assert!(files.len() > 20, "the spec tree was read: {} files", files.len());
    let mut failures = Vec::new();
    for file in files {
        let text = String::from_utf8(file.bytes).expect("UTF-8");
        let modeline = schema::modeline(&file.rel_path).expect("every spec file has a schema");
        if text.lines().next() != Some(modeline.as_str()) {
            failures.push(format!("{}: the first line is not `{modeline}`", file.rel_path));
        }
        let schema_file = schema::schema_for(&file.rel_path).expect("known");
        let name = schema_file.rsplit('/').next().expect("a file name");
        let json = schema::yaml_to_json(&text).unwrap_or_else(|e| panic!("{}: {e}", file.rel_path));
        for p in problems(&validator(name), &json) {
            failures.push(format!("{}: {p}", file.rel_path));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_misspelt_key_is_flagged_by_the_schema() {
    let text = std::fs::read_to_string(spec_dir().join("voicecall/callinner.yaml")).expect("spec");
    assert_eq!(text.matches("\nsummary:").count(), 1);
    let misspelt = text.replace("\nsummary:", "\nsumary:");
    let validator = validator(schema::INTERFACE_SCHEMA);
    let found = problems(&validator, &schema::yaml_to_json(&misspelt).expect("still YAML"));
    assert!(found.iter().any(|p| p.contains("sumary")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("summary")), "the missing required key is named too: {found:?}");
    // And the same file as written is valid.
    assert_eq!(problems(&validator, &schema::yaml_to_json(&text).expect("YAML")), Vec::<String>::new());
}

#[test]
fn a_wrong_value_type_deep_inside_is_flagged() {
    let text = std::fs::read_to_string(spec_dir().join("voicecall/callinner.yaml")).expect("spec");
    let broken = text.replacen("required: true", "required: yes please", 1);
    let found = problems(&validator(schema::INTERFACE_SCHEMA), &schema::yaml_to_json(&broken).expect("still YAML"));
    assert!(found.iter().any(|p| p.contains("/parameters/path/0/required")), "{found:?}");
}
