//! What the generator emits per interface ([`Operation`]) and per call
//! ([`Call`]), and how the two become a URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use serde::Serialize;

use crate::constraint::Constraint;
use crate::error::{Error, RetCode, ValidationError};

/// Everything except RFC 3986 unreserved characters, so a value can never
/// add a path segment, a query or a fragment.
const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as sent, e.g. `GET`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// `GET` only: a read the gateway answers without acting, so sending it
    /// twice is harmless. Only such operations are retried by a
    /// [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_idempotent(self) -> bool {
        self == Method::Get
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One gateway interface, as constant data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// Operation name, e.g. `transfer_media_call`; appears in errors.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template relative to the base path, e.g.
    /// `/mediacall/{agentid}/transfer`.
    pub path: &'static str,
    /// Whether the request carries the session's `Guid` header.
    pub sends_guid: bool,
    /// The envelope member that carries the answer: `result` for almost
    /// every interface, `event` for event polling.
    pub result: &'static str,
    /// The path parameter holding the agent's ID, if the path has one: the
    /// runtime fills it in from the session (or, when signing in, from the
    /// agent ID given), so generated methods do not pass it.
    pub agent_id: Option<AgentIdParam>,
}

/// The path parameter of an [`Operation`] that carries the agent's ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentIdParam {
    /// Wire name of the path parameter, e.g. `agentid`.
    pub name: &'static str,
    /// The constraints this interface's page sets on the ID. They are
    /// checked when signing in; once signed in, the gateway has accepted the
    /// ID, so a narrower range on an older page does not lock the agent out.
    pub constraints: &'static [Constraint],
}

/// A JSON request body, serialized when the call is made so that the
/// request/response cycle itself is not generic over the request type.
#[derive(Clone)]
pub struct JsonBody(Result<bytes::Bytes, String>);

impl JsonBody {
    /// Serializes `body`; a failure is reported when the call is made.
    pub fn new<B: Serialize + ?Sized>(body: &B) -> Self {
        JsonBody(serde_json::to_vec(body).map(bytes::Bytes::from).map_err(|e| e.to_string()))
    }

    pub(crate) fn bytes<C: RetCode>(&self, op: &Operation) -> Result<bytes::Bytes, Error<C>> {
        self.0
            .clone()
            .map_err(|e| Error::Config(format!("operation `{}`: the request body cannot be serialized: {e}", op.name)))
    }
}

impl std::fmt::Debug for JsonBody {
    // Bodies may hold passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonBody(<redacted>)")
    }
}

/// The per-call inputs of an [`Operation`]: everything but the agent ID,
/// which comes from the session.
#[derive(Debug, Default, Clone)]
pub struct Call<'a> {
    /// A value for every `{name}` in the path template except the agent ID.
    pub path_params: &'a [(&'static str, &'a str)],
    /// Query parameters in order; `None` leaves the parameter out.
    pub query: &'a [(&'static str, Option<String>)],
    /// Extra request headers declared by the interface; `None` leaves one out.
    pub headers: &'a [(&'static str, Option<String>)],
    /// The JSON body, if the operation has one.
    pub body: Option<JsonBody>,
}

impl Operation {
    /// The full URL of this operation for `call` under `base` (scheme, host,
    /// port and base path).
    pub(crate) fn url<C: RetCode>(&self, base: &str, agent_id: Option<&str>, call: &Call<'_>) -> Result<Url, Error<C>> {
        let path = match (self.agent_id, agent_id) {
            (Some(param), Some(id)) => {
                let mut params = Vec::with_capacity(call.path_params.len() + 1);
                params.push((param.name, id));
                params.extend_from_slice(call.path_params);
                self.expand_path(&params)?
            }
            (Some(param), None) => {
                return Err(Error::Config(format!(
                    "operation `{}`: no agent ID for path parameter `{}`",
                    self.name, param.name
                )));
            }
            (None, _) => self.expand_path(call.path_params)?,
        };
        let mut url = Url::parse(&format!("{base}{path}"))
            .map_err(|e| Error::Config(format!("operation `{}`: the URL is invalid: {e}", self.name)))?;
        let mut present = call.query.iter().filter_map(|(name, value)| value.as_deref().map(|v| (*name, v))).peekable();
        // Calling query_pairs_mut at all would leave a bare `?` behind.
        if present.peek().is_some() {
            url.query_pairs_mut().extend_pairs(present);
        }
        Ok(url)
    }

    fn expand_path<C: RetCode>(&self, params: &[(&'static str, &str)]) -> Result<String, Error<C>> {
        let config = |problem: String| Error::Config(format!("operation `{}`: {problem}", self.name));
        let mut out = String::with_capacity(self.path.len() + 16);
        let mut used = vec![false; params.len()];
        let mut rest = self.path;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close =
                after.find('}').ok_or_else(|| config(format!("unclosed `{{` in path template `{}`", self.path)))?;
            let name = &after[..close];
            let index = params
                .iter()
                .position(|(n, _)| *n == name)
                .ok_or_else(|| config(format!("no value for path parameter `{name}`")))?;
            used[index] = true;
            let (name, value) = params[index];
            check_segment(name, value)?;
            out.extend(utf8_percent_encode(value, PATH_VALUE));
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(config(format!("stray `}}` in path template `{}`", self.path)));
        }
        out.push_str(rest);
        if let Some(unused) = used.iter().position(|u| !u) {
            return Err(config(format!("path parameter `{}` is not in the path template", params[unused].0)));
        }
        Ok(out)
    }
}

/// Values that would change which resource the path names even when
/// escaped: an empty segment collapses the path, and URL parsers treat `.`,
/// `..` and their `%2e` spellings as dot segments.
fn check_segment(name: &'static str, value: &str) -> Result<(), ValidationError> {
    let problem = match value {
        "" => "is empty",
        "." | ".." => "is a dot segment",
        _ => return Ok(()),
    };
    Err(ValidationError::new(name, problem, "a path parameter must be non-empty and not `.` or `..`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_code::Code;

    const TRANSFER: Operation = Operation {
        name: "transfer_media_call",
        method: Method::Post,
        path: "/mediacall/{agentid}/transfer/{callid}",
        sends_guid: true,
        result: "result",
        agent_id: None,
    };
    const BASE: &str = "https://gw.example:8043/agentgateway/resource";

    fn url(
        op: &Operation,
        params: &[(&'static str, &str)],
        query: &[(&'static str, Option<String>)],
    ) -> Result<String, Error<Code>> {
        let call = Call { path_params: params, query, headers: &[], body: None };
        op.url(BASE, None, &call).map(String::from)
    }

    #[test]
    fn path_values_are_escaped() {
        let got = url(&TRANSFER, &[("agentid", "101"), ("callid", "a/b c?#%é.~_-")], &[]);
        assert_eq!(
            got.ok().as_deref(),
            Some("https://gw.example:8043/agentgateway/resource/mediacall/101/transfer/a%2Fb%20c%3F%23%25%C3%A9.~_-")
        );
    }

    #[test]
    fn parameter_order_does_not_matter() {
        let got = url(&TRANSFER, &[("callid", "c1"), ("agentid", "101")], &[]);
        assert!(got.ok().is_some_and(|u| u.ends_with("/mediacall/101/transfer/c1")));
    }

    #[test]
    fn query_in_order_and_none_skipped() {
        let got = url(
            &TRANSFER,
            &[("agentid", "101"), ("callid", "c")],
            &[("b", Some("x y&z".into())), ("skip", None), ("a", Some("1".into()))],
        );
        assert!(got.ok().is_some_and(|u| u.ends_with("/transfer/c?b=x+y%26z&a=1")));
        let got = url(&TRANSFER, &[("agentid", "101"), ("callid", "c")], &[("skip", None)]);
        assert!(got.ok().is_some_and(|u| u.ends_with("/transfer/c")));
    }

    #[test]
    fn template_mismatches_are_config_errors() {
        assert!(matches!(url(&TRANSFER, &[("agentid", "101")], &[]), Err(Error::Config(m)) if m.contains("`callid`")));
        assert!(matches!(
            url(&TRANSFER, &[("agentid", "1"), ("callid", "c"), ("extra", "x")], &[]),
            Err(Error::Config(m)) if m.contains("`extra`")
        ));
        let unclosed = Operation { path: "/a/{agentid", ..TRANSFER };
        assert!(matches!(url(&unclosed, &[("agentid", "1")], &[]), Err(Error::Config(_))));
        let stray = Operation { path: "/a/}", ..TRANSFER };
        assert!(matches!(url(&stray, &[], &[]), Err(Error::Config(_))));
    }

    #[test]
    fn empty_and_dot_segments_are_rejected() {
        for bad in ["", ".", ".."] {
            let got = url(&TRANSFER, &[("agentid", "101"), ("callid", bad)], &[]);
            assert!(matches!(got, Err(Error::Validation(ref e)) if e.parameter == "callid"), "{bad:?}: {got:?}");
        }
        // Dots inside a value are ordinary characters.
        let got = url(&TRANSFER, &[("agentid", "101"), ("callid", "...")], &[]);
        assert!(got.ok().is_some_and(|u| u.ends_with("/mediacall/101/transfer/...")));
        let got = url(&TRANSFER, &[("agentid", "101"), ("callid", "a.b")], &[]);
        assert!(got.ok().is_some_and(|u| u.ends_with("/mediacall/101/transfer/a.b")));
    }
}

/// The text of a path, query or header value: strings as they are, numbers and
/// booleans in their JSON spelling. Generated code passes every parameter
/// through this one function rather than converting per type.
pub fn wire_text<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

#[cfg(test)]
mod wire_text_tests {
    use super::wire_text;

    #[test]
    fn strings_pass_through_and_numbers_are_spelt_out() {
        assert_eq!(wire_text("a b"), "a b");
        assert_eq!(wire_text(&42_i64), "42");
        assert_eq!(wire_text(&true), "true");
    }
}
