//! The interface file an import writes: the shape of [`crate::load::model::InterfaceFile`],
//! serializable, leaving out what is empty.

use serde::Serialize;

/// A scalar value as written in the spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Str(String),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Str(s) => write!(f, "{s}"),
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Draft {
    /// Page line of each top-level fact (`method`, `path`, `events`, ...), for messages.
    #[serde(skip)]
    pub lines: std::collections::BTreeMap<&'static str, usize>,
    /// Page line of each event and error code, in list order.
    #[serde(skip)]
    pub event_lines: Vec<usize>,
    #[serde(skip)]
    pub error_lines: Vec<usize>,
    /// What the page says an event or error code means, where it says it.
    #[serde(skip)]
    pub meanings: std::collections::BTreeMap<String, String>,
    pub operation: String,
    pub title: String,
    /// The page's "Method Name in Logs"; left out when the page gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_name: Option<String>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub prerequisites: Vec<String>,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Parameters::is_empty")]
    pub parameters: Parameters,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    pub response: Response,
    pub events: Vec<String>,
    pub errors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quirks: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Source {
    pub page: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Parameters {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Param>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<Param>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<Param>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Param>,
}

impl Parameters {
    pub fn is_empty(&self) -> bool {
        self.path.is_empty() && self.query.is_empty() && self.header.is_empty() && self.body.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &Param> {
        self.path.iter().chain(&self.query).chain(&self.header).chain(&self.body)
    }

    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Param> {
        self.path.iter_mut().chain(self.query.iter_mut()).chain(self.header.iter_mut()).chain(self.body.iter_mut())
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Param {
    /// Page line of the parameter's row (0 when it has none).
    #[serde(skip)]
    pub line: usize,
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Scalar>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_type: Option<String>,
    pub description: String,
    #[serde(skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Constraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chars: Option<Length>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<Length>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(skip_serializing_if = "is_false")]
    pub supported_only: bool,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self.range.is_none()
            && self.chars.is_none()
            && self.bytes.is_none()
            && self.pattern.is_none()
            && self.values.is_empty()
            && !self.supported_only
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Range {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Length {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    pub max: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    pub regex: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub value: Scalar,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Page line of the sentence the rule comes from.
    #[serde(skip)]
    pub line: usize,
    pub kind: String,
    pub param: String,
    pub when: Condition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Scalar>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    pub param: String,
    pub equals: Scalar,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Response {
    pub result: ResultDraft,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ResultDraft {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
}

/// A member of an object result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Example {
    /// Page line of the example.
    #[serde(skip)]
    pub line: usize,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    pub response: serde_json::Value,
}
