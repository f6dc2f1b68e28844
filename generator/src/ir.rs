//! The checked, typed model of an API: the only input the emitters see.
//!
//! Nodes keep the wire name exactly as the vendor spells it, the Rust name
//! derived from it once (by [`crate::ident`]), and where in the spec they came
//! from. Collections are in a fixed order so everything emitted from the IR is
//! deterministic.

use agentgateway_constraint::Constraint;
use serde::{Deserialize, Serialize};

/// Line and column (1-based) of a node in its spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A name as sent on the wire and as written in Rust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// Exactly as in the spec; never altered.
    pub wire: String,
    /// A valid Rust identifier (possibly raw, `r#type`).
    pub rust: String,
    #[serde(skip)]
    pub pos: Pos,
}

/// The whole API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Api {
    pub settings: Settings,
    /// Sorted by code.
    pub errors: Vec<ErrorCode>,
    /// Sorted by wire name.
    pub events: Vec<Event>,
    /// Sorted by resource, then module.
    pub interfaces: Vec<Interface>,
}

impl Api {
    /// The event with this wire name.
    pub fn event(&self, wire: &str) -> Option<&Event> {
        // The checker sorts the catalogs; an IR built by hand may not be.
        match self.events.binary_search_by(|e| e.name.wire.as_str().cmp(wire)) {
            Ok(i) => Some(&self.events[i]),
            Err(_) => self.events.iter().find(|e| e.name.wire == wire),
        }
    }

    /// The error code with this code.
    pub fn error(&self, code: &str) -> Option<&ErrorCode> {
        match self.errors.binary_search_by(|e| e.code.as_str().cmp(code)) {
            Ok(i) => Some(&self.errors[i]),
            Err(_) => self.errors.iter().find(|e| e.code == code),
        }
    }
}

/// API-wide settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub crate_name: String,
    pub base_path: String,
    pub default_port: u16,
    pub content_type: String,
    pub auth_header: String,
    pub auth_description: String,
    pub token_header: String,
    pub token_prefix: String,
    pub envelope: Envelope,
    pub sources: Vec<String>,
}

/// Member names of the response envelope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub message: String,
    pub retcode: String,
    pub result: String,
    pub success: String,
}

/// Where a meaning of an error code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// The vendor's API reference.
    Official,
    /// A vendor sample or community client, not the reference.
    Unofficial,
    /// Named by an interface page, meaning never published.
    Unpublished,
}

/// One `retcode`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorCode {
    pub code: String,
    /// `rust` is the UpperCamel variant name.
    pub name: Name,
    pub meaning: Option<String>,
    pub provenance: Provenance,
    pub note: Option<String>,
    /// What a caller can do about the code; `None` where no remedy is clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
}

/// One event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    /// `rust` is the UpperCamel variant name.
    pub name: Name,
    pub meaning: String,
    pub payload: Payload,
    pub note: Option<String>,
    /// The agent state this event puts the agent in; `None` if it changes none.
    #[serde(default)]
    pub agent_state: Option<StateChange>,
}

/// The state an agent is in after a state event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStateKind {
    /// Ready for calls.
    Idle,
    /// Set busy: no calls are routed to the agent.
    NotReady,
    /// Resting.
    Rest,
    /// After-call work (wrap-up).
    Work,
    /// Handling a call (the vendor's `AgentState_Busy`).
    Busy,
    /// Signed out.
    SignedOut,
}

impl AgentStateKind {
    /// Every kind, with its spec word.
    pub const ALL: [(AgentStateKind, &'static str); 6] = [
        (AgentStateKind::Idle, "idle"),
        (AgentStateKind::NotReady, "not_ready"),
        (AgentStateKind::Rest, "rest"),
        (AgentStateKind::Work, "work"),
        (AgentStateKind::Busy, "busy"),
        (AgentStateKind::SignedOut, "signed_out"),
    ];

    /// The spec's word for this state.
    pub fn spec_name(self) -> &'static str {
        Self::ALL.iter().find(|(k, _)| *k == self).map_or("", |(_, w)| w)
    }

    /// Whether the state carries a reason.
    pub fn has_reason(self) -> bool {
        matches!(self, AgentStateKind::NotReady | AgentStateKind::Rest)
    }
}

/// An event's effect on the agent's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    pub becomes: AgentStateKind,
    /// The payload field carrying the reason (a string field of the payload).
    pub reason: Option<Name>,
}

/// Shape of an event's `content`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    Null {
        description: Option<String>,
    },
    CallId {
        description: Option<String>,
    },
    String {
        description: Option<String>,
    },
    Object {
        description: Option<String>,
        fields: Vec<Field>,
    },
    /// Not documented (an event a vendor page names without describing it): the content is
    /// kept as JSON, as sent, so nothing the gateway sends is dropped.
    Unknown {
        description: Option<String>,
    },
}

/// A named member of a result or payload object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// `rust` is the snake_case field name.
    pub name: Name,
    pub ty: Type,
    pub required: bool,
    pub description: String,
    pub values: Vec<EnumValue>,
}

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "name", content = "items", rename_all = "snake_case")]
pub enum Type {
    String,
    Integer,
    Boolean,
    /// A JSON object with fields named in the spec.
    Object(Vec<Field>),
    /// A JSON object of arbitrary keys.
    Map,
    List(Box<Type>),
}

impl Type {
    /// The spec's word for this type.
    pub fn spec_name(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Integer => "integer".into(),
            Type::Boolean => "boolean".into(),
            Type::Object(_) => "object".into(),
            Type::Map => "map".into(),
            Type::List(item) => format!("list of {}", item.spec_name()),
        }
    }
}

/// A literal value in a spec: allowed value, default, rule operand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => f.write_str(s),
        }
    }
}

/// One named allowed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumValue {
    pub value: Value,
    /// `rust` is the UpperCamel variant name; `wire` the spec's snake_case name.
    pub name: Name,
    pub description: String,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "DELETE")]
    Delete,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Path,
    Query,
    Header,
    Body,
}

impl Location {
    /// Lower-case name as used in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Body => "body",
        }
    }
}

/// What a parameter stands for beyond its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The signed-in agent's ID: supplied by the session, not by the caller.
    AgentId,
}

/// Limits on a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    /// Inclusive; on a string, the string is a decimal integer in range.
    pub range: Option<(i64, i64)>,
    /// Inclusive length in characters.
    pub chars: Option<(u64, u64)>,
    /// Inclusive size in UTF-8 bytes.
    pub bytes: Option<(u64, u64)>,
    pub pattern: Option<Pattern>,
    /// Named allowed values; empty when any value of the type is allowed.
    pub values: Vec<EnumValue>,
    /// The format accepts more, but the server supports only `values`.
    pub supported_only: bool,
}

impl Constraints {
    /// True when the value is free apart from its type.
    pub fn is_empty(&self) -> bool {
        self.range.is_none()
            && self.chars.is_none()
            && self.bytes.is_none()
            && self.pattern.is_none()
            && self.values.is_empty()
    }

    /// The rules as the runtime evaluates them, in the order of the emitted
    /// tables (range, characters, bytes, pattern), then the allowed values as
    /// one rule over `values` (their texts, from [`Constraints::value_texts`]),
    /// which the emitted code enforces with an enum instead. Pass no texts to
    /// leave that rule out.
    pub fn rules<'a>(&'a self, values: &'a [&'a str]) -> Vec<Constraint<'a>> {
        let mut rules = Vec::new();
        if let Some((min, max)) = self.range {
            rules.push(Constraint::Range { min, max });
        }
        if let Some((min, max)) = self.chars {
            rules.push(Constraint::Chars { min, max });
        }
        if let Some((min, max)) = self.bytes {
            rules.push(Constraint::Bytes { min, max });
        }
        if let Some(p) = &self.pattern {
            rules.push(Constraint::Pattern { regex: &p.regex, description: &p.description });
        }
        if !values.is_empty() {
            rules.push(Constraint::OneOf { values });
        }
        rules
    }

    /// The allowed values as the runtime compares them: as text, an integer
    /// in its decimal form.
    pub fn value_texts(&self) -> Vec<String> {
        self.values.iter().map(|v| v.value.to_string()).collect()
    }
}

/// A whole-value regular expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    /// As written; matched against whole values (`agentgateway_constraint::anchored`).
    pub regex: String,
    pub description: String,
}

/// One request parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Param {
    /// `rust` is the snake_case field name.
    pub name: Name,
    pub location: Location,
    pub ty: Type,
    pub required: bool,
    pub default: Option<Value>,
    pub description: String,
    pub secret: bool,
    pub role: Option<Role>,
    pub vendor_type: Option<String>,
    /// UpperCamel name of the parameter's own type, used when it is constrained.
    pub type_name: Name,
    pub constraints: Constraints,
}

/// A condition on a request value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// Index into [`Interface::params`].
    pub param: usize,
    pub equals: Value,
}

/// A cross-field rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// `param` may be set only when `when` holds.
    OnlyWhen { param: usize, when: Condition, description: Option<String> },
    /// `param` must be set when `when` holds.
    RequiredWhen { param: usize, when: Condition, description: Option<String> },
    /// Under `when`, `param` takes one of `values`.
    AllowedValues { param: usize, when: Condition, values: Vec<Value>, description: Option<String> },
}

/// The `result` member of a successful response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResultShape {
    /// The page documents no result member.
    None { description: Option<String>, vendor_type: Option<String> },
    /// A reserved, content-free object.
    Reserved { description: Option<String>, vendor_type: Option<String> },
    /// The ID of the call the request created.
    CallId { description: Option<String>, vendor_type: Option<String> },
    /// An object with named fields.
    Object {
        description: Option<String>,
        vendor_type: Option<String>,
        fields: Vec<Field>,
        /// The object may also arrive as the only element of a list (the
        /// page's type and example disagree); the client reads both.
        #[serde(default)]
        one_or_list: bool,
    },
    /// A list of objects, each with the named fields.
    List { description: Option<String>, vendor_type: Option<String>, fields: Vec<Field> },
    /// One polled event (or none), from the events catalog.
    Event { description: Option<String>, vendor_type: Option<String> },
}

impl ResultShape {
    /// The result's description, whatever its kind.
    pub fn description(&self) -> Option<&str> {
        match self {
            ResultShape::None { description, .. }
            | ResultShape::Reserved { description, .. }
            | ResultShape::CallId { description, .. }
            | ResultShape::Object { description, .. }
            | ResultShape::List { description, .. }
            | ResultShape::Event { description, .. } => description.as_deref(),
        }
    }
}

/// What a response header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderRole {
    /// A new session token.
    Guid,
}

/// A response header that carries data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseHeader {
    pub name: String,
    pub description: String,
    pub role: Option<HeaderRole>,
}

/// A triggered event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventUse {
    /// Wire name; present in [`Api::events`].
    pub event: String,
    pub when: Option<Condition>,
}

/// A request/response example, checked against the declared parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub name: String,
    pub path: Vec<(String, serde_json::Value)>,
    pub query: Vec<(String, serde_json::Value)>,
    pub headers: Vec<(String, serde_json::Value)>,
    pub body: Option<serde_json::Value>,
    pub response: serde_json::Value,
}

/// One path segment of a URI template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Segment {
    Literal(String),
    /// Index into [`Interface::params`].
    Param(usize),
}

/// What a successful call does to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEffect {
    /// Nothing beyond picking up a rotated Guid.
    None,
    /// Sign-in: sends no Guid, receives one; the call returns a new session.
    Starts,
    /// Sign-out: the session ends.
    Ends,
}

/// One interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Interface {
    /// Spec file relative to the spec directory, e.g. `mediacall/transfer.yaml`.
    pub source: String,
    /// Folder name, e.g. `mediacall`; `rust` is the module name.
    pub resource: Name,
    /// File stem, e.g. `transfer`; `rust` is the module name.
    pub module: Name,
    /// `rust` is the method name.
    pub operation: Name,
    pub title: String,
    /// The page's "Method Name in Logs"; `None` when the page gives none.
    pub log_name: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    pub prerequisites: Vec<String>,
    pub method: Method,
    /// The template as written, e.g. `/mediacall/{agentid}/transfer`.
    pub path: String,
    pub segments: Vec<Segment>,
    /// Path, then query, header and body parameters, each in spec order.
    pub params: Vec<Param>,
    pub rules: Vec<Rule>,
    pub result: ResultShape,
    pub response_headers: Vec<ResponseHeader>,
    pub events: Vec<EventUse>,
    /// Codes, in spec order; present in [`Api::errors`].
    pub errors: Vec<String>,
    /// Envelope member that carries the answer (`result` unless the spec says otherwise).
    pub result_member: String,
    pub examples: Vec<Example>,
    pub quirks: Vec<String>,
    /// False for interfaces the API declares as not sending the auth header.
    pub sends_guid: bool,
    /// What a successful call does to the agent's session.
    pub session: SessionEffect,
    pub source_page: Option<String>,
    pub source_updated: Option<String>,
}

impl Interface {
    /// Parameters at one location, with their indices.
    pub fn params_at(&self, location: Location) -> impl Iterator<Item = (usize, &Param)> {
        self.params.iter().enumerate().filter(move |(_, p)| p.location == location)
    }

    /// True when a request body is sent.
    pub fn has_body(&self) -> bool {
        self.params.iter().any(|p| p.location == Location::Body)
    }
}
