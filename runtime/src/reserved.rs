//! The vendor's "reserved field" result.

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `result` the vendor documents as a reserved field: whatever the gateway
/// sends (nothing, `null`, an object) is accepted and ignored.
///
/// Serializes as `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Reserved;

impl<'de> Deserialize<'de> for Reserved {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_ignored_any(IgnoredAny)?;
        Ok(Reserved)
    }
}

impl Serialize for Reserved {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_anything() {
        for json in ["null", "{}", "{\"a\":[1,2,{\"b\":null}]}", "\"text\"", "7", "[]"] {
            assert_eq!(serde_json::from_str::<Reserved>(json).ok(), Some(Reserved), "{json}");
        }
        assert_eq!(serde_json::from_value::<Reserved>(serde_json::Value::Null).ok(), Some(Reserved));
    }

    #[test]
    fn serializes_as_empty_object() {
        assert_eq!(serde_json::to_string(&Reserved).ok().as_deref(), Some("{}"));
    }
}
