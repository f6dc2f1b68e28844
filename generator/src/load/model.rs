//! The spec files exactly as written: serde shapes with no meaning checked yet.
//!
//! Every struct denies unknown fields so a misspelt key is an error at its
//! position rather than a silently ignored fact. Anything whose meaning needs
//! checking (types, names, codes) stays a plain string here; `check` decides.

use schemars::JsonSchema;
use serde::Deserialize;

/// A scalar as written in YAML: a default, an allowed value, a rule operand.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Anything quoted or otherwise textual.
    Str(String),
}

/// `spec/api.yaml`: settings that hold for every interface.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiFile {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub crate_name: String,
    pub base_path: String,
    pub default_port: u16,
    pub content_type: String,
    pub auth: AuthSpec,
    pub envelope: EnvelopeSpec,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// The session token header and where it comes from.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    pub header: String,
    pub description: String,
    /// Response header that hands out a new token, and the prefix its value carries.
    pub issued_in: IssuedIn,
    /// Operation names of interfaces that do not send the header.
    #[serde(default)]
    pub not_sent_by: Vec<String>,
}

/// The response header that carries a new token.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuedIn {
    pub header: String,
    #[serde(default)]
    pub prefix: String,
}

/// Field names of the JSON envelope wrapped around every response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSpec {
    pub message: String,
    pub retcode: String,
    pub result: String,
    pub success: String,
}

/// `spec/errors.yaml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCatalogFile {
    pub codes: Vec<ErrorCodeSpec>,
}

/// One `retcode` the gateway may answer with.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodeSpec {
    pub code: String,
    /// snake_case name; becomes the enum variant.
    pub name: String,
    /// `None` only when `source` is `unpublished`.
    #[serde(default)]
    pub meaning: Option<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    /// What a caller can do about the code, in our words.
    #[serde(default)]
    pub remedy: Option<String>,
}

/// `spec/events.yaml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventCatalogFile {
    pub events: Vec<EventSpec>,
}

/// One event the gateway delivers through polling.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// Wire name, e.g. `AgentEvent_Talking`.
    pub name: String,
    pub meaning: String,
    pub payload: PayloadSpec,
    #[serde(default)]
    pub note: Option<String>,
    /// The agent state this event puts the agent in, for events that change it.
    #[serde(default)]
    pub agent_state: Option<AgentStateSpec>,
}

/// An event's effect on the agent's state.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentStateSpec {
    /// `idle`, `not_ready`, `rest`, `work`, `busy` or `signed_out`.
    pub becomes: String,
    /// Payload field (a string) that carries the reason, for `not_ready` and `rest`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Shape of an event's `content`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayloadSpec {
    /// `null`, `call_id`, `string` or `object`.
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Only for `object`.
    #[serde(default)]
    pub fields: Option<Vec<FieldSpec>>,
}

/// A named field of a response result or event payload.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub items: Option<String>,
    #[serde(default)]
    pub required: bool,
    pub description: String,
    /// Known values of the field, for documentation and named constants.
    #[serde(default)]
    pub values: Option<Vec<ValueSpec>>,
    #[serde(default)]
    pub fields: Option<Vec<FieldSpec>>,
}

/// One interface: `spec/<resource>/<name>.yaml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterfaceFile {
    /// Unique snake_case name; becomes the client method.
    pub operation: String,
    /// Title of the vendor page.
    pub title: String,
    /// The page's "Method Name in Logs"; absent when the page gives none.
    #[serde(default)]
    pub log_name: Option<String>,
    /// One sentence on what the interface does.
    pub summary: String,
    /// Longer explanation, in our own words.
    #[serde(default)]
    pub description: Option<String>,
    /// Conditions that must hold before calling, one sentence each.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// Path below `base_path`, with `{name}` for each path parameter.
    pub path: String,
    /// Request parameters grouped by where they travel.
    #[serde(default)]
    pub parameters: ParametersSpec,
    /// Rules tying one parameter to another's value.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// What a successful response carries.
    pub response: ResponseSpec,
    /// Events the call may trigger (names from `events.yaml`).
    #[serde(default)]
    pub events: Vec<EventRefSpec>,
    /// Error codes the page lists, quoted, in page order (from `errors.yaml`).
    #[serde(default)]
    pub errors: Vec<String>,
    /// Request/response pairs, checked against the declarations.
    #[serde(default)]
    pub examples: Vec<ExampleSpec>,
    /// Defects of the vendor page and how the spec resolves them.
    #[serde(default)]
    pub quirks: Vec<String>,
    /// The vendor page the facts come from.
    #[serde(default)]
    pub source: Option<SourceSpec>,
    /// True for sign-out: after success the session may not be used again.
    #[serde(default)]
    pub ends_session: bool,
}

/// Where the facts of an interface were read.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub page: String,
    #[serde(default)]
    pub updated: Option<String>,
}

/// Parameters grouped by where they travel.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParametersSpec {
    #[serde(default)]
    pub path: Vec<ParamSpec>,
    #[serde(default)]
    pub query: Vec<ParamSpec>,
    #[serde(default)]
    pub header: Vec<ParamSpec>,
    #[serde(default)]
    pub body: Vec<ParamSpec>,
}

/// One request parameter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Wire name, kept exactly.
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub items: Option<String>,
    pub required: bool,
    #[serde(default)]
    pub default: Option<Scalar>,
    pub description: String,
    /// Secrets are redacted from `Debug` output and logs.
    #[serde(default)]
    pub secret: bool,
    /// `agent_id` marks the signed-in agent's ID, which the session supplies.
    #[serde(default)]
    pub role: Option<String>,
    /// Type name as the vendor's table prints it, when it differs from `type`.
    #[serde(default)]
    pub vendor_type: Option<String>,
    /// UpperCamelCase name of the generated type for a constrained value
    /// (default: derived from `name`), e.g. `DeviceType` for `devicetype`.
    #[serde(default)]
    pub type_name: Option<String>,
    #[serde(default)]
    pub constraints: ConstraintsSpec,
}

/// Limits on one parameter's value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstraintsSpec {
    #[serde(default)]
    pub range: Option<RangeSpec>,
    #[serde(default)]
    pub chars: Option<LengthSpec>,
    #[serde(default)]
    pub bytes: Option<LengthSpec>,
    #[serde(default)]
    pub pattern: Option<PatternSpec>,
    #[serde(default)]
    pub values: Option<Vec<ValueSpec>>,
    /// The wire format accepts more, but the server supports only `values`.
    #[serde(default)]
    pub supported_only: bool,
}

/// Inclusive integer range.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    pub min: i64,
    pub max: i64,
}

/// Inclusive length bounds; a missing `min` is 0.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LengthSpec {
    #[serde(default)]
    pub min: Option<u64>,
    pub max: u64,
}

/// A whole-value regular expression and the words a person would use for it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternSpec {
    pub regex: String,
    pub description: String,
}

/// One allowed value with a meaningful name.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    pub value: Scalar,
    pub name: String,
    pub description: String,
}

/// A rule that ties one parameter to another's value.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// `only_when`, `required_when` or `allowed_values`.
    pub kind: String,
    pub param: String,
    pub when: ConditionSpec,
    /// For `allowed_values`: the values `param` may take under `when`.
    #[serde(default)]
    pub values: Option<Vec<Scalar>>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `param == equals`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    pub param: String,
    pub equals: Scalar,
}

/// What a successful response carries.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    pub result: ResultSpec,
    #[serde(default)]
    pub headers: Vec<ResponseHeaderSpec>,
}

/// The `result` member of the envelope.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// `none`, `reserved`, `call_id`, `object`, `list` or `event`.
    pub kind: String,
    /// Envelope member that carries the answer, when not `result` (polling answers in `event`).
    #[serde(default)]
    pub member: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub vendor_type: Option<String>,
    /// Members of an `object` result, or of each item of a `list` result.
    #[serde(default)]
    pub fields: Option<Vec<FieldSpec>>,
    /// With `kind: object`: the object may also arrive as the only element of a list.
    #[serde(default)]
    pub one_or_list: bool,
}

/// A response header that carries data.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseHeaderSpec {
    pub name: String,
    pub description: String,
    /// `guid` when the header hands out a new session token.
    #[serde(default)]
    pub role: Option<String>,
}

/// A triggered event, optionally only when a request value holds.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EventRefSpec {
    /// Always (may be) triggered.
    Always(String),
    /// Triggered when the condition holds.
    When(ConditionalEventSpec),
}

impl EventRefSpec {
    /// The event's name, conditional or not.
    pub fn event(&self) -> &str {
        match self {
            EventRefSpec::Always(name) => name,
            EventRefSpec::When(c) => &c.event,
        }
    }
}

/// An event that depends on a request value.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionalEventSpec {
    pub event: String,
    pub when: ConditionSpec,
}

/// A request/response pair.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    pub name: String,
    #[serde(default)]
    pub path: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub query: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    pub response: serde_json::Value,
}
