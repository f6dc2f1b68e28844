//! The JSON Schema of the spec format, derived from the loader's model types so that it
//! cannot drift from what `load` accepts. Checked in under `spec/schema/`, where every spec
//! file's first line points editors at it (`# yaml-language-server: $schema=...`).

use schemars::JsonSchema;
use schemars::r#gen::SchemaSettings;

use super::model::{ApiFile, ErrorCatalogFile, EventCatalogFile, InterfaceFile};

/// Folder below the spec directory that holds the schemas.
pub const SCHEMA_DIR: &str = "schema";

/// File name of the schema of interface files.
pub const INTERFACE_SCHEMA: &str = "interface.schema.json";

/// Each schema's file name (in [`SCHEMA_DIR`]) and its pretty-printed JSON, newline-terminated.
pub fn schemas() -> Vec<(&'static str, String)> {
    vec![
        ("api.schema.json", render::<ApiFile>("api.yaml: settings that hold for every interface")),
        ("errors.schema.json", render::<ErrorCatalogFile>("errors.yaml: the gateway's error codes")),
        ("events.schema.json", render::<EventCatalogFile>("events.yaml: the events polling delivers")),
        (INTERFACE_SCHEMA, render::<InterfaceFile>("spec/<resource>/<name>.yaml: one interface")),
    ]
}

/// The schema file a spec file at `rel_path` (relative to the spec directory) follows, as a
/// path relative to that file; `None` for a path that is no spec file.
pub fn schema_for(rel_path: &str) -> Option<String> {
    let (dir, name) = rel_path.rsplit_once('/').map_or(("", rel_path), |(d, n)| (d, n));
    let file = match (dir.is_empty(), name) {
        (true, super::API_FILE) => "api.schema.json",
        (true, super::ERRORS_FILE) => "errors.schema.json",
        (true, super::EVENTS_FILE) => "events.schema.json",
        (false, n) if n.ends_with(".yaml") && !dir.contains('/') => INTERFACE_SCHEMA,
        _ => return None,
    };
    let up = if dir.is_empty() { "" } else { "../" };
    Some(format!("{up}{SCHEMA_DIR}/{file}"))
}

/// The first line of a spec file at `rel_path`: the editor's pointer to its schema.
pub fn modeline(rel_path: &str) -> Option<String> {
    schema_for(rel_path).map(|path| format!("# yaml-language-server: $schema={path}"))
}

fn render<T: JsonSchema>(title: &str) -> String {
    let settings = SchemaSettings::draft07().with(|s| s.option_add_null_type = false);
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    let metadata = schema.schema.metadata();
    metadata.title = Some(title.to_owned());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Converts a YAML document into JSON, for validating it against a schema.
/// Read as `load` reads spec files.
pub fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    let tree = super::tree::Tree::parse(text).map_err(|refusal| refusal.to_string())?;
    super::de::from_tree(&tree).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_spec_file_points_at_its_schema() {
        assert_eq!(schema_for("api.yaml").as_deref(), Some("schema/api.schema.json"));
        assert_eq!(schema_for("voicecall/callinner.yaml").as_deref(), Some("../schema/interface.schema.json"));
        assert_eq!(schema_for("README.md"), None);
        assert_eq!(schema_for("a/b/c.yaml"), None);
    }
}
