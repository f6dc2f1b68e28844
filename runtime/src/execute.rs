//! One request/response cycle: the shared body of every generated method.

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue, SET_COOKIE};
use serde::de::DeserializeOwned;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, RetCode, SERVER_TEXT_CHARS, ValidationError, quote_server_text};
use crate::operation::{Call, Operation};
use crate::secret::Guid;
use crate::session::{AgentId, SessionState};
use crate::transport::Transport;

/// Characters of a body quoted in [`Error::Status`] and [`Error::Decode`].
const SNIPPET_CHARS: usize = SERVER_TEXT_CHARS;

/// The vendor marks `Content-Type` mandatory on every request, body or not.
const REQUEST_CONTENT_TYPE: &str = "application/json; charset=UTF-8";

const GUID: HeaderName = HeaderName::from_static("guid");
const SET_GUID: HeaderName = HeaderName::from_static("set-guid");

/// Sends one request for `op` and decodes the `result` of the gateway's
/// `{ "message", "retcode", "result" }` envelope into `T`.
///
/// With a `session`, its cookies are replayed, a `Set-GUID` or `Set-Cookie`
/// in the response updates it (even when the call then fails), and an ended
/// session fails with [`Error::SessionEnded`] before any I/O. An operation
/// with `sends_guid` needs a session; without one the call fails with
/// [`Error::Config`], since only a generator bug can cause it.
///
/// A success (`retcode` `"0"`) is never turned into an error because the
/// answer's member has an unexpected shape: the action was done, and a caller
/// that retried would do it twice. A member that is missing, `null` or not
/// readable as `T` gives `T::default()` (`None` for an optional call ID, a
/// result with every field unset), so `T` says what could be known.
///
/// ```no_run
/// use agentgateway_runtime::{execute, Call, Error, Method, Operation, Reserved, RetCode, SessionState, Transport};
///
/// static SAY_BUSY: Operation = Operation {
///     name: "say_busy",
///     method: Method::Post,
///     path: "/onlineagent/{agentid}/saybusy",
///     sends_guid: true,
///     result: "result",
/// };
///
/// async fn say_busy<C: RetCode>(transport: &Transport, session: &SessionState) -> Result<(), Error<C>> {
///     let _: Reserved = execute(
///         transport,
///         Some(session),
///         &SAY_BUSY,
///         Call::<()> {
///             path_params: &[("agentid", session.agent_id().as_str())],
///             ..Call::default()
///         },
///     )
///     .await?;
///     Ok(())
/// }
/// ```
pub async fn execute<T, C, B>(
    transport: &Transport,
    session: Option<&SessionState>,
    op: &'static Operation,
    call: Call<'_, B>,
) -> Result<T, Error<C>>
where
    T: DeserializeOwned + Default,
    C: RetCode,
    B: Serialize + ?Sized,
{
    let (mut result, mut sent) = attempt::<T, C, B>(transport, session, op, &call).await;
    // The vendor's "authentication failed" code means nothing was done. When
    // the session's Guid rotated while the request was on its way (the
    // gateway keeps only the previous one valid), the request is sent again
    // with the current Guid rather than failing an action the agent was
    // entitled to; a few times at most, as rotations can follow each other.
    for _ in 0..MAX_ROTATION_RESENDS {
        match (&result, session, &sent) {
            (Err(Error::Api { code, .. }), Some(session), Some(guid))
                if code.code() == AUTH_FAILED && session.guid() != *guid =>
            {
                (result, sent) = attempt(transport, Some(session), op, &call).await;
            }
            _ => break,
        }
    }
    result
}

/// How often a request refused for a Guid that rotated meanwhile is sent again.
const MAX_ROTATION_RESENDS: usize = 3;

/// The vendor's code for a request whose `Guid` the gateway did not accept.
const AUTH_FAILED: &str = "000-003";

/// One exchange; also gives the Guid the request carried.
async fn attempt<T, C, B>(
    transport: &Transport,
    session: Option<&SessionState>,
    op: &'static Operation,
    call: &Call<'_, B>,
) -> (Result<T, Error<C>>, Option<Guid>)
where
    T: DeserializeOwned + Default,
    C: RetCode,
    B: Serialize + ?Sized,
{
    if session.is_some_and(SessionState::is_ended) {
        return (Err(Error::SessionEnded { operation: op.name }), None);
    }
    let outgoing = session.map(SessionState::outgoing);
    let guid = match (op.sends_guid, &outgoing) {
        (true, Some(outgoing)) => Some(outgoing.guid.clone()),
        (true, None) => {
            let problem = format!("operation `{}` needs a signed-in session but was called without one", op.name);
            return (Err(Error::Config(problem)), None);
        }
        (false, _) => None,
    };
    let cookies = match outgoing.map(|o| o.cookie_header) {
        Some(Err(_)) => {
            let problem = "a stored cookie contains characters not allowed in a header".to_owned();
            return (Err(Error::Config(problem)), guid);
        }
        Some(Ok(header)) => header,
        None => None,
    };
    let result = async {
        let response = send(transport, op, call, guid.as_ref(), cookies).await?;
        let update = SessionUpdate::from_headers(response.headers());
        if let Some(session) = session {
            update.apply(session, guid.as_ref());
        }
        read_body(op, transport.max_body_bytes(), response).await?.decode(op)
    }
    .await;
    (result, guid)
}

/// Sends a sign-in request for `agent_id` and starts a session from the
/// `Set-GUID` (and any `Set-Cookie`) headers of its successful answer.
///
/// Fails with [`Error::MissingGuid`] if the gateway accepted the sign-in but
/// sent no usable `Set-GUID`, and with [`Error::Config`] if `op` is marked
/// `sends_guid` (there is no token yet to send).
pub async fn start_session<T, C, B>(
    transport: &Transport,
    agent_id: AgentId,
    op: &'static Operation,
    call: Call<'_, B>,
) -> Result<(T, SessionState), Error<C>>
where
    T: DeserializeOwned + Default,
    C: RetCode,
    B: Serialize + ?Sized,
{
    if op.sends_guid {
        return Err(Error::Config(format!(
            "operation `{}` sends a session token, so it cannot start a session",
            op.name
        )));
    }
    let response = send(transport, op, &call, None, None).await?;
    let update = SessionUpdate::from_headers(response.headers());
    let body = read_body(op, transport.max_body_bytes(), response).await?;
    let value = body.decode(op)?;
    let guid = update.guid.clone().ok_or(Error::MissingGuid { operation: op.name })?;
    let session = SessionState::new(agent_id, guid);
    update.apply(&session, None);
    Ok((value, session))
}

async fn send<C: RetCode, B: Serialize + ?Sized>(
    transport: &Transport,
    op: &'static Operation,
    call: &Call<'_, B>,
    guid: Option<&Guid>,
    cookies: Option<HeaderValue>,
) -> Result<reqwest::Response, Error<C>> {
    let url = op.url(transport.base_url(), call)?;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(REQUEST_CONTENT_TYPE));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(guid) = guid {
        let value = sensitive_header(guid.expose())
            .ok_or_else(|| Error::Config("the session token contains characters not allowed in a header".to_owned()))?;
        headers.insert(GUID, value);
    }
    if let Some(cookies) = cookies {
        headers.insert(COOKIE, cookies);
    }
    for (name, value) in call.headers {
        let Some(value) = value else { continue };
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("operation `{}`: `{name}` is not a header name", op.name)))?;
        // Header parameters may carry tokens (service_token): never shown.
        let value = sensitive_header(value).ok_or_else(|| {
            Error::Validation(ValidationError::new(
                name.as_str().to_owned(),
                "contains characters not allowed in a header",
                "visible ASCII",
            ))
        })?;
        headers.insert(name, value);
    }
    let mut request = transport.client().request(op.method.to_reqwest(), url).headers(headers);
    if let Some(body) = call.body {
        let json = serde_json::to_vec(body).map_err(|e| {
            Error::Config(format!("operation `{}`: the request body cannot be serialized: {e}", op.name))
        })?;
        request = request.body(json);
    }
    request.send().await.map_err(|error| transport_error(op, error))
}

/// Query values may be sensitive, and the operation names the request well
/// enough, so the URL is left out.
fn transport_error<C: RetCode>(op: &'static Operation, error: reqwest::Error) -> Error<C> {
    Error::Transport { operation: op.name, error: error.without_url() }
}

/// Marked sensitive so the http crate's own `Debug` hides it too.
fn sensitive_header(value: &str) -> Option<HeaderValue> {
    let mut header = HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// What a response asks the session to remember.
struct SessionUpdate {
    guid: Option<Guid>,
    cookies: Vec<CookieChange>,
}

enum CookieChange {
    Set(String, String),
    Remove(String),
}

impl SessionUpdate {
    fn from_headers(headers: &HeaderMap) -> Self {
        let guid =
            headers.get_all(SET_GUID).iter().rev().filter_map(|v| v.to_str().ok()).find_map(Guid::from_set_guid_header);
        let cookies =
            headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).filter_map(parse_set_cookie).collect();
        SessionUpdate { guid, cookies }
    }

    /// `sent` is the token the request carried: a new one replaces only that,
    /// so a slow answer cannot roll back a newer rotation.
    fn apply(&self, session: &SessionState, sent: Option<&Guid>) {
        if let Some(guid) = &self.guid {
            match sent {
                Some(sent) => {
                    session.rotate_guid(sent, guid.clone());
                }
                None => session.set_guid(guid.clone()),
            }
        }
        for change in &self.cookies {
            match change {
                CookieChange::Set(name, value) => session.set_cookie(name.as_str(), value.as_str()),
                CookieChange::Remove(name) => session.remove_cookie(name),
            }
        }
    }
}

/// Only `name=value` matters for replay; an empty value or `Max-Age=0` is
/// how servers delete a cookie.
fn parse_set_cookie(header: &str) -> Option<CookieChange> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return None;
    }
    let expired = parts.any(|attribute| {
        attribute
            .split_once('=')
            .is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("max-age") && v.trim().starts_with(['0', '-']))
    });
    Some(if value.is_empty() || expired {
        CookieChange::Remove(name.to_owned())
    } else {
        CookieChange::Set(name.to_owned(), value.to_owned())
    })
}

/// A fully read response.
struct Body {
    status: u16,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

async fn read_body<C: RetCode>(
    op: &'static Operation,
    limit: usize,
    mut response: reqwest::Response,
) -> Result<Body, Error<C>> {
    let too_large = || Error::BodyTooLarge { operation: op.name, limit };
    let status = response.status().as_u16();
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if response.content_length().is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // A missing or lying Content-Length must not let the body grow past the
    // limit, so the limit is enforced chunk by chunk as well.
    while let Some(chunk) = response.chunk().await.map_err(|error| transport_error(op, error))? {
        if chunk.len() > limit - bytes.len() {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body { status, content_type, bytes })
}

/// The gateway's `{ "message", "retcode", "result" }` envelope, keeping only
/// the member the operation answers in.
struct Envelope {
    message: Option<String>,
    retcode: String,
    /// `result`, or whichever member the operation reads its answer from;
    /// `Null` when absent.
    member: serde_json::Value,
}

impl Envelope {
    /// Reads the envelope of `body`, skipping members nobody reads without
    /// building values for them.
    fn read(body: &[u8], member: &'static str) -> Result<Envelope, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let envelope = EnvelopeSeed { member }.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(envelope)
    }
}

struct EnvelopeSeed {
    member: &'static str,
}

/// Which envelope member a key names.
enum Key {
    Message,
    Retcode,
    Member,
    Other,
}

impl<'de> DeserializeSeed<'de> for &EnvelopeSeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for &EnvelopeSeed {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "message" => Key::Message,
            "retcode" => Key::Retcode,
            k if k == self.member => Key::Member,
            _ => Key::Other,
        })
    }
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed {
    type Value = Envelope;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Envelope, D::Error> {
        struct Members(EnvelopeSeed);

        impl<'de> Visitor<'de> for Members {
            type Value = Envelope;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the gateway's envelope, a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
                let (mut message, mut retcode, mut member) = (None, None, serde_json::Value::Null);
                while let Some(key) = map.next_key_seed(&self.0)? {
                    match key {
                        Key::Message => message = map.next_value::<Lenient>()?.0,
                        Key::Retcode => retcode = Some(string_or_integer(map.next_value::<serde_json::Value>()?)?),
                        Key::Member => member = map.next_value()?,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let retcode = retcode.ok_or_else(|| serde::de::Error::missing_field("retcode"))?;
                Ok(Envelope { message, retcode, member })
            }
        }

        deserializer.deserialize_map(Members(self))
    }
}

/// A `message` in any form, read as text where it has one.
struct Lenient(Option<String>);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lenient::opt_string(deserializer).map(Lenient)
    }
}

impl Envelope {
    fn api_error<C: RetCode>(self, op: &'static Operation, status: u16) -> Error<C> {
        Error::Api {
            operation: op.name,
            code: C::from_code(&self.retcode),
            message: quote_server_text(self.message.as_deref().unwrap_or_default(), SERVER_TEXT_CHARS),
            status,
        }
    }
}

/// The documented type is a string, but a number is unambiguous enough to
/// accept rather than fail the whole call over.
fn string_or_integer<E: serde::de::Error>(value: serde_json::Value) -> Result<String, E> {
    match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(E::custom(format!("expected a string or an integer, found {other}"))),
    }
}

impl Body {
    fn decode<T: DeserializeOwned + Default, C: RetCode>(self, op: &'static Operation) -> Result<T, Error<C>> {
        if !(200..300).contains(&self.status) {
            // A gateway error code is worth more than the status it came with.
            return Err(match Envelope::read(&self.bytes, op.result) {
                Ok(envelope) if envelope.retcode != "0" => envelope.api_error(op, self.status),
                _ => Error::Status { operation: op.name, status: self.status, body_snippet: snippet(&self.bytes) },
            });
        }
        let envelope = Envelope::read(&self.bytes, op.result).map_err(|source| self.decode_error(op, source))?;
        if envelope.retcode != "0" {
            return Err(envelope.api_error(op, self.status));
        }
        // The gateway did what was asked: an odd member costs what it would
        // have told, never the success itself.
        Ok(T::deserialize(envelope.member).unwrap_or_default())
    }

    fn decode_error<C: RetCode>(&self, op: &'static Operation, error: serde_json::Error) -> Error<C> {
        Error::Decode {
            operation: op.name,
            status: self.status,
            content_type: self.content_type.as_deref().map(|t| quote_server_text(t, SERVER_TEXT_CHARS)),
            body_snippet: snippet(&self.bytes),
            error,
        }
    }
}

/// The first [`SNIPPET_CHARS`] characters of `body`, decoded lossily, safe
/// to print.
fn snippet(body: &[u8]) -> String {
    // Four bytes per character at most, so this prefix always holds enough
    // characters, and decoding it stays cheap for a 16 MiB body.
    let prefix = &body[..body.len().min(SNIPPET_CHARS * 4)];
    let text: String = String::from_utf8_lossy(prefix).chars().take(SNIPPET_CHARS).collect();
    quote_server_text(&text, SNIPPET_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookie(header: &str) -> Option<(String, Option<String>)> {
        parse_set_cookie(header).map(|change| match change {
            CookieChange::Set(n, v) => (n, Some(v)),
            CookieChange::Remove(n) => (n, None),
        })
    }

    #[test]
    fn set_cookie_parsing() {
        assert_eq!(cookie("JSESSIONID=abc; Path=/; Secure; HttpOnly"), Some(("JSESSIONID".into(), Some("abc".into()))));
        assert_eq!(cookie(" route = r1 "), Some(("route".into(), Some("r1".into()))));
        assert_eq!(cookie("a=b=c"), Some(("a".into(), Some("b=c".into()))));
        assert_eq!(cookie("gone=; Path=/"), Some(("gone".into(), None)));
        assert_eq!(cookie("gone=x; Max-Age=0"), Some(("gone".into(), None)));
        assert_eq!(cookie("gone=x; max-age=-1"), Some(("gone".into(), None)));
        assert_eq!(cookie("kept=x; Max-Age=60"), Some(("kept".into(), Some("x".into()))));
        assert_eq!(cookie("=x"), None);
        assert_eq!(cookie("novalue"), None);
    }

    #[test]
    fn snippet_is_512_characters() {
        assert_eq!(snippet(b"short"), "short");
        let long = "é".repeat(600);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 512);
        let invalid = [0xffu8; 3000];
        assert_eq!(snippet(&invalid).chars().count(), 512);
        assert_eq!(snippet(&[0xe2, 0x82]), "\u{fffd}");
    }
}
