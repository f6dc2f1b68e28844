//! Specs as editable YAML documents, for tools that merge or rewrite spec
//! files (`ccgen import --update`) rather than read them into the model.
//!
//! The YAML library stays behind `load`: other modules name these items only.

use serde::Serialize;

pub use serde_yaml::{Mapping, Value};

/// Parses a YAML document into a value tree.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}

/// Converts anything serializable into a value tree.
pub fn to_value<T: Serialize>(value: &T) -> Result<Value, String> {
    serde_yaml::to_value(value).map_err(|e| e.to_string())
}

/// A short one-line rendering of a value, for keys and messages.
pub fn inline(value: Option<&Value>) -> String {
    value.map(|v| serde_yaml::to_string(v).unwrap_or_default().trim().to_owned()).unwrap_or_else(|| "~".to_owned())
}
