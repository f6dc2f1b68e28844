//! A fake CC-Gateway ("AgentGateway") for end-to-end tests.
//!
//! [`FakeGateway`] is a small HTTP server on `127.0.0.1` (OS-assigned port, plain HTTP) that
//! behaves like the gateway for the interfaces described in `spec/`: sign-in hands out a session
//! token in `Set-GUID`, every other interface checks the `Guid` header, events are collected by
//! long-polling `GET /agentevent/{agentid}`, and voice-call interfaces keep a minimal call state
//! and queue the events the vendor documents. Every answer is HTTP 200 with the gateway's
//! `{"message", "retcode", "result"}` envelope (the event poll carries `event` instead of
//! `result`); an unknown path is HTTP 404.
//!
//! Test hooks: [`FakeGateway::push_event`], [`FakeGateway::rotate_guid`],
//! [`FakeGateway::drop_session`], [`FakeGateway::fail_next`] and [`FakeGateway::requests`].
//!
//! Conventions of the fake (not of the real gateway):
//! - a transfer to address `"0000"` fails (`AgentEvent_Connect_Fail`);
//! - a new sign-in starts with an empty event queue, so events are to be pushed after sign-in;
//! - when a session ends (sign-out, [`FakeGateway::drop_session`], poll timeout, forced sign-in
//!   elsewhere), a poll that is already waiting receives the session's remaining events (among
//!   them `AgentOther_ShutdownService`); any later request gets `100-006`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Query, Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

use ccgen::ir::{Interface, Payload, ResultShape, Role};

use crate::judge::{Judge, Refusal};

mod desk;
use crate::tls::Certificates;

/// Prefix of every interface path.
pub const BASE_PATH: &str = "/agentgateway/resource";

/// Largest request body the fake reads (the vendor's largest documented field is 16 KB).
const MAX_BODY: usize = 1024 * 1024;

/// Behaviour settings of a [`FakeGateway`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Dynamic authentication (AUTHMODE=2): the Guid is replaced every `rotate_every_polls`
    /// successful polls, the new one travelling in the poll response's `Set-GUID` header.
    pub dynamic_auth: bool,
    /// Polls between two rotations in dynamic mode; 0 disables periodic rotation.
    pub rotate_every_polls: u32,
    /// How long a poll waits for an event before answering with `"event": null`
    /// (the real gateway waits about 10 s).
    pub poll_wait: Duration,
    /// An agent that neither polls nor sends a heartbeat for this long is signed out
    /// (the real gateway: 2 minutes). Keep it above `poll_wait`.
    pub no_poll_timeout: Duration,
    /// How long the previous Guid stays usable after a rotation (GUIDTIMEOUT, 120 s by default).
    pub guid_timeout: Duration,
    /// The spec tree requests are judged by; `None` for the repository's `spec/`.
    pub spec_dir: Option<PathBuf>,
    /// Serve HTTPS with a fresh private CA ([`FakeGateway::ca_pem`]) instead of plain HTTP.
    pub https: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dynamic_auth: false,
            rotate_every_polls: 5,
            poll_wait: Duration::from_millis(200),
            no_poll_timeout: Duration::from_secs(120),
            guid_timeout: Duration::from_secs(120),
            spec_dir: None,
            https: false,
        }
    }
}

/// A transport-level misbehaviour for [`FakeGateway::fault_next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer as usual, but only after this long.
    Delay(Duration),
    /// Announce a full answer, send only its first bytes, then close.
    CutBody,
    /// An HTML error page with this HTTP status, as a proxy in front of the gateway sends.
    HtmlPage(u16),
}

/// One request as it reached the fake, in arrival order.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, `POST`, `DELETE`, ...
    pub method: String,
    /// Full path, e.g. `/agentgateway/resource/voicecall/205/transfer`.
    pub path: String,
    /// Raw query string without `?`, if any.
    pub query: Option<String>,
    /// All headers, names lower-case, in arrival order (values that are not UTF-8 are lossy).
    pub headers: Vec<(String, String)>,
    /// Value of the `Guid` header, if sent.
    pub guid: Option<String>,
    /// Raw body as text (lossy UTF-8); empty when there was none.
    pub body: String,
    /// The rule the request broke, when the specs refused it.
    pub refused: Option<String>,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path below [`BASE_PATH`], e.g. `/voicecall/205/transfer`.
    pub fn operation_path(&self) -> &str {
        self.path.strip_prefix(BASE_PATH).unwrap_or(&self.path)
    }
}

// ------------------------------------------------------------------ state

#[derive(Debug, Clone)]
struct Event {
    event_type: String,
    gen_time: u64,
    content: Value,
}

#[derive(Debug)]
struct Session {
    epoch: u64,
    guid: String,
    previous_guid: Option<(String, Instant)>,
    login_time: u64,
    polls: u32,
    rotate_pending: bool,
    last_poll: Instant,
    active_call: Option<Call>,
    held_calls: Vec<Call>,
    desk: desk::Desk,
}

#[derive(Debug, Clone)]
struct Call {
    id: String,
}

#[derive(Debug, Default)]
struct Agent {
    password: String,
    /// Wakes this agent's waiting polls only: waking every poll on every
    /// change costs O(agents) per request under load.
    notify: Arc<Notify>,
    session: Option<Session>,
    /// Events of the session with epoch `queue_epoch`.
    events: VecDeque<Event>,
    queue_epoch: u64,
}

#[derive(Debug, Default)]
struct State {
    agents: HashMap<String, Agent>,
    requests: Vec<RecordedRequest>,
    fail_next: Vec<(String, String)>,
    faults: Vec<(String, Fault)>,
    next_epoch: u64,
}

struct Shared {
    judge: Arc<Judge>,
    state: Mutex<State>,
    config: Config,
    seed: u64,
    counter: AtomicU64,
    calls: AtomicU64,
    start_secs: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the polls waiting for `agent_id`'s events.
    fn wake(&self, agent_id: &str) {
        let notify = self.lock().agents.get(agent_id).map(|a| Arc::clone(&a.notify));
        if let Some(notify) = notify {
            notify.notify_waiters();
        }
    }

    /// Wakes every waiting poll.
    fn wake_all(&self) {
        let all: Vec<Arc<Notify>> = self.lock().agents.values().map(|a| Arc::clone(&a.notify)).collect();
        for notify in all {
            notify.notify_waiters();
        }
    }

    /// A token shaped like the gateway's: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.AgentGateway1`.
    fn new_guid(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = splitmix(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let b = splitmix(a ^ self.seed.rotate_left(17) ^ n);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}.AgentGateway1",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn push(agent: &mut Agent, event_type: &str, content: Value) {
    agent.events.push_back(Event { event_type: event_type.to_owned(), gen_time: now_ms(), content });
}

/// Ends the agent's session, if any, and queues `AgentOther_ShutdownService`.
fn end_session(agent: &mut Agent) -> bool {
    match agent.session.take() {
        Some(session) => {
            push(agent, "AgentOther_ShutdownService", json!({ "loginTime": session.login_time.to_string() }));
            true
        }
        None => false,
    }
}

// ------------------------------------------------------------ the handle

/// A running fake gateway; the server stops when this is dropped.
pub struct FakeGateway {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// The CA certificate (PEM) when serving HTTPS.
    ca_pem: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    watchdog: JoinHandle<()>,
}

impl std::fmt::Debug for FakeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGateway").field("addr", &self.addr).finish()
    }
}

impl FakeGateway {
    /// Starts a fake with [`Config::default`] on `127.0.0.1` with an OS-assigned port.
    pub async fn start() -> FakeGateway {
        Self::start_with(Config::default()).await
    }

    /// Starts a fake with the given settings on `127.0.0.1` with an OS-assigned port.
    pub async fn start_with(config: Config) -> FakeGateway {
        Self::start_on(0, config).await.expect("bind the fake gateway to 127.0.0.1:0")
    }

    /// Starts a fake on `127.0.0.1:port` (0 = OS-assigned).
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the specs do not validate.
    pub async fn start_on(port: u16, config: Config) -> std::io::Result<FakeGateway> {
        let judge = match &config.spec_dir {
            Some(dir) => Arc::new(Judge::load(dir).map_err(std::io::Error::other)?),
            None => default_judge()?,
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let shared = Arc::new(Shared {
            judge,
            state: Mutex::new(State::default()),
            seed: splitmix(now.as_nanos() as u64 ^ u64::from(addr.port()) << 48),
            counter: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            start_secs: now.as_secs(),
            config,
        });
        let app = Router::new()
            .route(&format!("{BASE_PATH}/{{*rest}}"), any(handle))
            .fallback(|| async { StatusCode::NOT_FOUND })
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = rx.await;
        };
        let (server, ca_pem) = if shared.config.https {
            let certificates = Certificates::generate().map_err(std::io::Error::other)?;
            let listener = certificates.listener(listener)?;
            let server = tokio::spawn(async move {
                let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
            });
            (server, Some(certificates.ca_pem))
        } else {
            let server = tokio::spawn(async move {
                let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
            });
            (server, None)
        };
        let watchdog = tokio::spawn(watchdog(shared.clone()));
        Ok(FakeGateway { shared, addr, ca_pem, shutdown: Some(tx), server, watchdog })
    }

    /// `https://127.0.0.1:PORT` (or `http://` for a plain fake), without the base path.
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM certificate of the CA that signed the fake's certificate, when it serves HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers (or re-registers with a new password) an agent that may sign in.
    pub fn add_agent(&self, agent_id: &str, password: &str) {
        let mut state = self.shared.lock();
        state.agents.entry(agent_id.to_owned()).or_default().password = password.to_owned();
    }

    /// Queues any event (also names the fake does not know) for the agent's current session.
    /// Ignored for an agent that was never added.
    pub fn push_event(&self, agent_id: &str, event_type: &str, content: Value) {
        let mut state = self.shared.lock();
        if let Some(agent) = state.agents.get_mut(agent_id) {
            push(agent, event_type, content);
        }
        drop(state);
        self.shared.wake(agent_id);
    }

    /// The next successful poll (or heartbeat) of the agent carries a new `Set-GUID`.
    pub fn rotate_guid(&self, agent_id: &str) {
        let mut state = self.shared.lock();
        if let Some(session) = state.agents.get_mut(agent_id).and_then(|a| a.session.as_mut()) {
            session.rotate_pending = true;
        }
    }

    /// Signs the agent out on the server side; later requests get `100-006`.
    pub fn drop_session(&self, agent_id: &str) {
        let mut state = self.shared.lock();
        if let Some(agent) = state.agents.get_mut(agent_id) {
            end_session(agent);
        }
        drop(state);
        self.shared.wake(agent_id);
    }

    /// The next request whose path (without query) ends with `operation_path_suffix` meets
    /// `fault`. Several can be queued.
    pub fn fault_next(&self, operation_path_suffix: &str, fault: Fault) {
        self.shared.lock().faults.push((operation_path_suffix.to_owned(), fault));
    }

    /// Restarts the gateway as far as clients can tell: every session is gone without a
    /// sign-out event, so every Guid is invalid and later requests get `100-006`.
    pub fn restart(&self) {
        let mut state = self.shared.lock();
        for agent in state.agents.values_mut() {
            agent.session = None;
            agent.events.clear();
        }
        drop(state);
        self.shared.wake_all();
    }

    /// The next request whose path (without query) ends with `operation_path_suffix` is answered
    /// with `retcode` (HTTP 200, nothing else happens). Several can be queued.
    pub fn fail_next(&self, operation_path_suffix: &str, retcode: &str) {
        self.shared.lock().fail_next.push((operation_path_suffix.to_owned(), retcode.to_owned()));
    }

    /// Every request received so far, oldest first (also the 404 ones).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The agent's current Guid (without the `JSESSIONID=` prefix), if signed in.
    pub fn current_guid(&self, agent_id: &str) -> Option<String> {
        let state = self.shared.lock();
        state.agents.get(agent_id).and_then(|a| a.session.as_ref()).map(|s| s.guid.clone())
    }

    pub fn is_signed_in(&self, agent_id: &str) -> bool {
        let state = self.shared.lock();
        state.agents.get(agent_id).is_some_and(|a| a.session.is_some())
    }

    /// ID of the agent's call in progress, if any.
    pub fn active_call(&self, agent_id: &str) -> Option<String> {
        let state = self.shared.lock();
        state
            .agents
            .get(agent_id)
            .and_then(|a| a.session.as_ref())
            .and_then(|s| s.active_call.as_ref())
            .map(|c| c.id.clone())
    }

    /// Number of events queued for the agent and not yet polled.
    pub fn pending_events(&self, agent_id: &str) -> usize {
        let state = self.shared.lock();
        state.agents.get(agent_id).map_or(0, |a| a.events.len())
    }
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.watchdog.abort();
        // Graceful shutdown lets waiting polls finish (at most `poll_wait`); the accept loop
        // itself is gone at once. Abort as well so nothing outlives the handle for long.
        let server = self.server.abort_handle();
        let wait = self.shared.config.poll_wait;
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                tokio::time::sleep(wait + Duration::from_millis(100)).await;
                server.abort();
            });
        } else {
            server.abort();
        }
    }
}

/// The repository's specs, loaded once per process.
fn default_judge() -> std::io::Result<Arc<Judge>> {
    static JUDGE: OnceLock<Result<Arc<Judge>, String>> = OnceLock::new();
    JUDGE
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
            Judge::load(&dir).map(Arc::new)
        })
        .clone()
        .map_err(std::io::Error::other)
}

async fn watchdog(shared: Arc<Shared>) {
    let timeout = shared.config.no_poll_timeout;
    let tick = (timeout / 10).clamp(Duration::from_millis(10), Duration::from_secs(1));
    loop {
        tokio::time::sleep(tick).await;
        let mut ended = false;
        {
            let mut state = shared.lock();
            for agent in state.agents.values_mut() {
                if agent.session.as_ref().is_some_and(|s| s.last_poll.elapsed() > timeout) {
                    ended |= end_session(agent);
                }
            }
        }
        if ended {
            shared.wake_all();
        }
    }
}

// ------------------------------------------------------------- responses

fn message_for(retcode: &str) -> &'static str {
    match retcode {
        "0" => "success",
        "000-002" => "invalid parameter",
        "000-003" => "invalid or expired guid",
        "100-002" => "the agent is already signed in",
        "100-004" => "wrong agent ID or password",
        "100-006" => "the agent is not signed in",
        "200-012" => "no call to transfer",
        "200-013" => "no call to hold",
        "200-015" => "no held call",
        "200-017" => "no call to release",
        _ => "operation failed",
    }
}

fn envelope(retcode: &str, message: &str, result: Value) -> Response {
    json_response(json!({ "message": message, "retcode": retcode, "result": result }))
}

fn ok(result: Value) -> Response {
    envelope("0", "success", result)
}

fn err(retcode: &str) -> Response {
    envelope(retcode, message_for(retcode), Value::Null)
}

fn err_msg(retcode: &str, message: &str) -> Response {
    envelope(retcode, message, Value::Null)
}

fn json_response(body: Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}

fn html_page(status: u16) -> Response {
    let mut response = Response::new(Body::from("<html><body><h1>Bad Gateway</h1></body></html>"));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert("content-type", HeaderValue::from_static("text/html"));
    response
}

/// Claims a 200-byte envelope and sends 20 bytes of it: the connection closes
/// with the body short.
fn cut_body() -> Response {
    let body = Body::from(&br#"{"message":"","retco"#[..]);
    let mut response = Response::new(body);
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response.headers_mut().insert("content-length", HeaderValue::from_static("200"));
    response
}

fn with_guid(mut response: Response, guid: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("JSESSIONID={guid}")) {
        response.headers_mut().insert("set-guid", value);
    }
    response
}

// ---------------------------------------------------------------- routing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Login,
    ForceLogin,
    Logout,
    Handshake,
    Poll,
    CallInner,
    CallOut,
    Answer,
    Release,
    Hold,
    GetHold,
    ConnectHold,
    Transfer,
    ConfJoin,
    RequestCall,
    ThirdPartyConfTransmitNum,
    MediaTransfer,
    AssignUserInQueue,
}

impl Op {
    fn has_body(self) -> bool {
        matches!(
            self,
            Op::Login
                | Op::ForceLogin
                | Op::CallInner
                | Op::CallOut
                | Op::Transfer
                | Op::ConfJoin
                | Op::MediaTransfer
                | Op::AssignUserInQueue
        )
    }
}

/// Matches method and path segments; returns the operation, the agent ID and any further
/// path parameters.
fn route<'a>(method: &Method, segments: &[&'a str]) -> Option<(Op, &'a str, Vec<&'a str>)> {
    let m = method.as_str();
    let op = match (m, segments) {
        ("PUT", ["onlineagent", _]) => Op::Login,
        ("PUT", ["onlineagent", _, "forcelogin"]) => Op::ForceLogin,
        ("DELETE", ["onlineagent", _, "logout"]) => Op::Logout,
        ("POST", ["onlineagent", _, "handshake"]) => Op::Handshake,
        ("GET", ["agentevent", _]) => Op::Poll,
        ("PUT", ["voicecall", _, "callinner"]) => Op::CallInner,
        ("PUT", ["voicecall", _, "callout"]) => Op::CallOut,
        ("PUT", ["voicecall", _, "answer"]) => Op::Answer,
        ("DELETE", ["voicecall", _, "release"]) => Op::Release,
        ("POST", ["voicecall", _, "hold"]) => Op::Hold,
        ("POST", ["voicecall", _, "gethold"]) => Op::GetHold,
        ("POST", ["voicecall", _, "connecthold", _]) => Op::ConnectHold,
        ("POST", ["voicecall", _, "transfer"]) => Op::Transfer,
        ("POST", ["voicecall", _, "confjoin"]) => Op::ConfJoin,
        ("POST", ["voicecall", _, "requestcall", _, _]) => Op::RequestCall,
        ("POST", ["voicecall", _, "thirdPartyConfTransmitNum"]) => Op::ThirdPartyConfTransmitNum,
        ("POST", ["mediacall", _, "transfer"]) => Op::MediaTransfer,
        ("PUT", ["calldata", _, "assignuserinqueue"]) => Op::AssignUserInQueue,
        _ => return None,
    };
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    Some((op, segments[1], segments[2..].to_vec()))
}

async fn handle(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            record(&shared, &parts.method, &parts.uri, &parts.headers, b"");
            return err_msg("000-002", "request body too large or unreadable");
        }
    };
    record(&shared, &parts.method, &parts.uri, &parts.headers, &bytes);

    let path = parts.uri.path();
    let rest = path.strip_prefix(BASE_PATH).unwrap_or(path);

    // Every request is judged by the specs before the fake acts on it.
    let judged = shared.judge.route(parts.method.as_str(), rest).and_then(|route| {
        let query: Vec<(String, String)> = Query::try_from_uri(&parts.uri).map(|Query(q)| q).unwrap_or_default();
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        shared.judge.judge(&route, &query, header, &bytes).map(|()| route.interface.clone())
    });
    let interface = match judged {
        Ok(interface) => interface,
        Err(refusal) => return refuse(&shared, refusal),
    };

    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let Some((op, agent_id, params)) = route(&parts.method, &segments) else {
        // The agent-desktop interfaces, then any other the specs describe.
        if let Some(response) = desk::serve(&shared, &interface, &parts.headers, &parts.uri, rest) {
            return response;
        }
        return generic(&shared, &interface, &parts.headers, rest);
    };

    // A transport fault, if one is queued for this path.
    let fault = {
        let mut state = shared.lock();
        let found = state.faults.iter().position(|(suffix, _)| path.ends_with(suffix.as_str()));
        found.map(|i| state.faults.remove(i).1)
    };
    match fault {
        Some(Fault::Delay(pause)) => tokio::time::sleep(pause).await,
        Some(Fault::HtmlPage(status)) => return html_page(status),
        Some(Fault::CutBody) => return cut_body(),
        None => {}
    }

    // Forced failure, if one is queued for this path.
    {
        let mut state = shared.lock();
        if let Some(i) = state.fail_next.iter().position(|(suffix, _)| path.ends_with(suffix.as_str())) {
            let (_, retcode) = state.fail_next.remove(i);
            return err_msg(&retcode, "forced failure (fail_next)");
        }
    }

    // Sign-in checks its body before anything else; every other interface checks the Guid
    // first (below).
    let body = if op.has_body() { parse_body(&bytes) } else { Ok(Map::new()) };
    let query: HashMap<String, String> = Query::try_from_uri(&parts.uri).map(|Query(q)| q).unwrap_or_default();
    let guid = parts.headers.get("guid").and_then(|v| v.to_str().ok()).map(str::to_owned);

    match op {
        Op::Login | Op::ForceLogin => match body {
            Ok(body) => login(&shared, agent_id, &body, op == Op::ForceLogin),
            Err(message) => err_msg("000-002", &message),
        },
        Op::Poll => poll(&shared, agent_id, guid.as_deref()).await,
        _ => {
            let mut state = shared.lock();
            let mut rotated = None;
            let response = {
                let agent = match authenticate(&shared.config, &mut state, agent_id, guid.as_deref()) {
                    Ok(agent) => agent,
                    Err(response) => return response,
                };
                let body = match body {
                    Ok(body) => body,
                    Err(message) => return err_msg("000-002", &message),
                };
                if op == Op::Handshake {
                    if let Some(session) = agent.session.as_mut() {
                        session.last_poll = Instant::now();
                        if session.rotate_pending {
                            rotated = Some(rotate(&shared, session));
                        }
                    }
                    ok(json!({}))
                } else {
                    let next_call = &mut state_next_call(&shared);
                    operate(op, agent_id, agent, &body, &query, &params, next_call)
                }
            };
            drop(state);
            shared.wake(agent_id);
            match rotated {
                Some(guid) => with_guid(response, &guid),
                None => response,
            }
        }
    }
}

/// Call IDs look like the gateway's: `<seconds at start>-<sequence>`.
fn state_next_call(shared: &Shared) -> impl FnMut() -> String + '_ {
    move || {
        let n = shared.calls.fetch_add(1, Ordering::Relaxed);
        format!("{}-{}", shared.start_secs, n + 1)
    }
}

fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) {
    let recorded = RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        guid: headers.get("guid").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        body: String::from_utf8_lossy(body).into_owned(),
        refused: None,
    };
    shared.lock().requests.push(recorded);
}

/// Marks the request recorded last as refused for `rule`.
fn refuse(shared: &Shared, refusal: Refusal) -> Response {
    if let Some(last) = shared.lock().requests.last_mut() {
        last.refused = Some(refusal.rule.clone());
    }
    let mut response = err_msg(refusal.retcode, &format!("invalid parameter: {}", refusal.rule));
    *response.status_mut() = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::OK);
    response
}

fn parse_body(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("request body is not a JSON object".to_owned()),
        Err(e) => Err(format!("malformed JSON body: {e}")),
    }
}

/// Checks the Guid header against the agent's session (current Guid, or the previous one
/// within `guid_timeout`).
#[allow(clippy::result_large_err)] // the error is the ready-made answer
fn authenticate<'s>(
    config: &Config,
    state: &'s mut State,
    agent_id: &str,
    guid: Option<&str>,
) -> Result<&'s mut Agent, Response> {
    let Some(agent) = state.agents.get_mut(agent_id) else {
        return Err(err("100-006"));
    };
    let Some(session) = agent.session.as_mut() else {
        return Err(err("100-006"));
    };
    let Some(guid) = guid else {
        return Err(err("000-003"));
    };
    let previous_valid = matches!(
        &session.previous_guid,
        Some((previous, since)) if guid == previous && since.elapsed() <= config.guid_timeout
    );
    if guid == session.guid || previous_valid { Ok(agent) } else { Err(err("000-003")) }
}

fn rotate(shared: &Shared, session: &mut Session) -> String {
    let new = shared.new_guid();
    let old = std::mem::replace(&mut session.guid, new.clone());
    session.previous_guid = Some((old, Instant::now()));
    session.rotate_pending = false;
    new
}

fn str_field<'b>(body: &'b Map<String, Value>, name: &str) -> Option<&'b str> {
    body.get(name).and_then(Value::as_str)
}

/// An integer sent as a number or as a numeric string (the vendor's examples do both).
fn int_field(body: &Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| format!("{name} is not an integer")),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| format!("{name} is not an integer")),
        Some(_) => Err(format!("{name} is not an integer")),
    }
}

// ------------------------------------------------------------- sign-in

fn login(shared: &Shared, agent_id: &str, body: &Map<String, Value>, force: bool) -> Response {
    let (Some(password), Some(_phonenum)) = (str_field(body, "password"), str_field(body, "phonenum")) else {
        return err_msg("000-002", "password and phonenum are required strings");
    };
    let status = match int_field(body, "status") {
        Ok(None) => 4,
        Ok(Some(s @ 3..=5)) => s,
        Ok(Some(_)) => return err_msg("000-002", "status must be 3, 4 or 5"),
        Err(message) => return err_msg("000-002", &message),
    };
    let mut state = shared.lock();
    let epoch = {
        state.next_epoch += 1;
        state.next_epoch
    };
    let Some(agent) = state.agents.get_mut(agent_id) else {
        return err("100-004");
    };
    if agent.password != password {
        return err("100-004");
    }
    if agent.session.is_some() {
        if !force {
            return err("100-002");
        }
        end_session(agent);
    }
    let guid = shared.new_guid();
    let login_time = now_ms();
    agent.session = Some(Session {
        epoch,
        guid: guid.clone(),
        previous_guid: None,
        login_time,
        polls: 0,
        rotate_pending: false,
        last_poll: Instant::now(),
        active_call: None,
        held_calls: Vec::new(),
        desk: desk::Desk::after_login(status),
    });
    // The new session starts with an empty queue; a poll still waiting for a replaced
    // session ends with 100-006.
    agent.events.clear();
    agent.queue_epoch = epoch;
    push(agent, "AgentOther_InService", Value::Null);
    push(agent, "AgentState_Ready", Value::Null);
    match status {
        3 => push(agent, "AgentState_SetNotReady_Success", json!({ "reason": "1" })),
        5 => push(agent, "AgentState_Work", Value::Null),
        _ => {}
    }
    drop(state);
    shared.wake(agent_id);

    let mut response = envelope(
        "0",
        "",
        json!({
            "vdnid": 1,
            "workno": agent_id,
            "mediatype": "TTF",
            "loginTime": login_time.to_string(),
            "isForceChange": "false",
            "serverName": "AgentGateway",
            "timeRemaining": "9",
        }),
    );
    response.headers_mut().insert("set-cookie", HeaderValue::from_static("route=r1; Path=/"));
    with_guid(response, &guid)
}

// ------------------------------------------------------------- polling

async fn poll(shared: &Shared, agent_id: &str, guid: Option<&str>) -> Response {
    let (epoch, notify) = {
        let mut state = shared.lock();
        match authenticate(&shared.config, &mut state, agent_id, guid) {
            Ok(agent) => match agent.session.as_mut() {
                Some(session) => {
                    session.last_poll = Instant::now();
                    (session.epoch, Arc::clone(&agent.notify))
                }
                None => return err("100-006"),
            },
            Err(response) => return response,
        }
    };
    let deadline = tokio::time::Instant::now() + shared.config.poll_wait;
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(response) = try_answer(shared, agent_id, epoch, false) {
            return response;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            break;
        }
    }
    try_answer(shared, agent_id, epoch, true).unwrap_or_else(|| err("100-006"))
}

/// The next event of session `epoch`, if there is one; with `last`, the empty answer
/// (`"event": null`) when there is none. `None` while the poll should keep waiting.
fn try_answer(shared: &Shared, agent_id: &str, epoch: u64, last: bool) -> Option<Response> {
    let mut state = shared.lock();
    let agent = state.agents.get_mut(agent_id)?;
    let alive = agent.session.as_ref().is_some_and(|s| s.epoch == epoch);
    let event = if agent.queue_epoch == epoch { agent.events.pop_front() } else { None };
    let event_json = match &event {
        Some(e) => json!({
            "eventType": e.event_type,
            "workNo": agent_id,
            "eventGenTime": e.gen_time,
            "content": e.content,
        }),
        None if !alive => return Some(err("100-006")),
        None if !last => return None,
        None => Value::Null,
    };
    let mut rotated = None;
    if let Some(session) = agent.session.as_mut().filter(|_| alive) {
        session.last_poll = Instant::now();
        session.polls = session.polls.wrapping_add(1);
        let every = shared.config.rotate_every_polls;
        let periodic = shared.config.dynamic_auth && every > 0 && session.polls % every == 0;
        if periodic || session.rotate_pending {
            rotated = Some(rotate(shared, session));
        }
    }
    drop(state);
    let response = json_response(json!({ "message": "", "retcode": "0", "event": event_json }));
    Some(match rotated {
        Some(guid) => with_guid(response, &guid),
        None => response,
    })
}

/// The content of `AgentEvent_Talking`.
fn talking(caller: &str, call_id: &str, called: &str, feature: &str) -> Value {
    json!({
        "caller": caller,
        "callid": call_id,
        "called": called,
        "feature": feature,
        "type": "main",
        "mediaAbility": "1",
    })
}

// -------------------------------------------------- interfaces from the specs

/// Answers an interface the specs describe and the state model does not
/// know: checks the session when the interface needs one, queues the events
/// its spec lists unconditionally (with empty content of their documented
/// shape), and succeeds with the result its first example shows, or the
/// empty value of its result's shape.
fn generic(shared: &Shared, it: &Interface, headers: &HeaderMap, rest: &str) -> Response {
    let agent_id = shared.judge.route(it.method.as_str(), rest).ok().and_then(|route| {
        route.path.into_iter().find(|(index, _)| it.params[*index].role == Some(Role::AgentId)).map(|(_, v)| v)
    });
    let guid = headers.get("guid").and_then(|v| v.to_str().ok());
    let call_id = state_next_call(shared)();
    {
        let mut state = shared.lock();
        let agent = match (it.sends_guid, agent_id.as_deref()) {
            (true, Some(agent_id)) => match authenticate(&shared.config, &mut state, agent_id, guid) {
                Ok(agent) => Some(agent),
                Err(response) => return response,
            },
            _ => None,
        };
        if let Some(agent) = agent {
            for event in it.events.iter().filter(|e| e.when.is_none()) {
                let Some(known) = shared.judge.api().event(&event.event) else { continue };
                let content = match known.payload {
                    Payload::Null { .. } => Value::Null,
                    Payload::CallId { .. } => json!(call_id),
                    Payload::String { .. } => json!(""),
                    Payload::Object { .. } => json!({}),
                };
                push(agent, &event.event, content);
            }
        }
    }
    if let Some(agent_id) = &agent_id {
        shared.wake(agent_id);
    }
    let example = it.examples.first().and_then(|e| e.response.get(&it.result_member)).cloned();
    let result = match &it.result {
        ResultShape::CallId { .. } => json!(call_id),
        ResultShape::Object { .. } => example.unwrap_or_else(|| json!({})),
        ResultShape::Reserved { .. } => json!({}),
        ResultShape::None { .. } | ResultShape::Event { .. } => Value::Null,
    };
    json_response(json!({ "message": "success", "retcode": "0", it.result_member.as_str(): result }))
}

// ------------------------------------------------------------ operations

fn operate(
    op: Op,
    agent_id: &str,
    agent: &mut Agent,
    body: &Map<String, Value>,
    query: &HashMap<String, String>,
    params: &[&str],
    next_call: &mut impl FnMut() -> String,
) -> Response {
    // `authenticate` guaranteed a session.
    let Some(session) = agent.session.as_mut() else {
        return err("100-006");
    };
    let mut events: Vec<(&str, Value)> = Vec::new();
    let response = match op {
        Op::Logout => {
            end_session(agent);
            return ok(json!({}));
        }
        Op::CallInner | Op::CallOut => {
            let Some(called) = str_field(body, "called") else {
                return err_msg("000-002", "called is required");
            };
            let valid = called == "*"
                || called == "#"
                || (!called.is_empty() && called.len() <= 24 && called.bytes().all(|b| b.is_ascii_digit()));
            if !valid {
                return err_msg("000-002", "called must be 1-24 digits, * or #");
            }
            let call_id = next_call();
            let inner = op == Op::CallInner;
            events.push(("AgentOther_PhoneAlerting", Value::Null));
            events.push(("AgentOther_PhoneOffhook", json!({ "type": "main" })));
            events.push(("AgentState_Busy", Value::Null));
            events.push((
                "AgentEvent_Customer_Alerting",
                json!({
                    "callid": call_id,
                    "otherPhoneWorkno": if inner { called } else { "" },
                    "otherPhone": called,
                    "type": "main",
                }),
            ));
            events.push((
                "AgentEvent_Talking",
                json!({
                    "caller": agent_id,
                    "callid": call_id,
                    "called": called,
                    "feature": if inner { "6" } else { "7" },
                    "type": "main",
                    "mediaAbility": "1",
                }),
            ));
            session.active_call = Some(Call { id: call_id.clone() });
            ok(Value::String(call_id))
        }
        Op::Answer => {
            if let Some(call) = &session.active_call {
                events.push((
                    "AgentEvent_Talking",
                    json!({
                        "caller": "",
                        "callid": call.id,
                        "called": agent_id,
                        "feature": "0",
                        "type": "main",
                        "mediaAbility": "1",
                    }),
                ));
            }
            ok(json!({}))
        }
        Op::Release => {
            let Some(call) = session.active_call.take() else {
                return err("200-017");
            };
            events.push(("AgentEvent_Call_Release", Value::String(call.id)));
            events.push(("AgentState_Ready", Value::Null));
            ok(json!({}))
        }
        Op::Hold => {
            let Some(call) = session.active_call.take() else {
                return err("200-013");
            };
            events.push(("AgentEvent_Hold", Value::String(call.id.clone())));
            session.held_calls.push(call);
            ok(json!({}))
        }
        Op::GetHold => {
            let index = match query.get("callid") {
                Some(id) => session.held_calls.iter().position(|c| &c.id == id),
                None => session.held_calls.len().checked_sub(1),
            };
            if let Some(i) = index {
                let call = session.held_calls.remove(i);
                // The agent talks on the resumed call again.
                events.push(("AgentEvent_Talking", talking(agent_id, &call.id, "", "0")));
                if let Some(previous) = session.active_call.replace(call) {
                    session.held_calls.push(previous);
                }
            }
            ok(json!({}))
        }
        Op::ConnectHold => {
            let held = params.first().copied().unwrap_or_default();
            if let Some(i) = session.held_calls.iter().position(|c| c.id == held) {
                session.held_calls.remove(i);
                if let Some(call) = session.active_call.take() {
                    events.push(("AgentEvent_Call_Release", Value::String(call.id)));
                }
            }
            ok(json!({}))
        }
        Op::Transfer => {
            let (devicetype, mode) = match (int_field(body, "devicetype"), int_field(body, "mode")) {
                (Ok(Some(d)), Ok(Some(m))) => (d, m),
                _ => return err_msg("000-002", "devicetype and mode are required integers"),
            };
            let Some(address) = str_field(body, "address") else {
                return err_msg("000-002", "address is required");
            };
            if !(1..=5).contains(&devicetype) || !(0..=4).contains(&mode) {
                return err_msg("000-002", "devicetype or mode out of range");
            }
            let Some(call) = session.active_call.clone() else {
                return err("200-012");
            };
            if address == "0000" {
                // Failed transfer: the agent keeps the call.
                events.push(("AgentEvent_Connect_Fail", Value::String(call.id)));
            } else {
                match mode {
                    2 => events.push(("AgentEvent_SuccTransResult", json!({ "result": 0, "callId": call.id }))),
                    4 => events.push(("AgentEvent_Conference", json!({ "callid": call.id, "partner": address }))),
                    _ => {}
                }
                events.push(("AgentEvent_Call_Release", Value::String(call.id)));
                session.active_call = None;
            }
            ok(json!({}))
        }
        Op::MediaTransfer => {
            let (Some(callid), Some(address)) = (str_field(body, "callid"), str_field(body, "address")) else {
                return err_msg("000-002", "callid and address are required");
            };
            match (int_field(body, "devicetype"), int_field(body, "mode")) {
                (Ok(Some(_)), Ok(Some(_))) => {}
                _ => return err_msg("000-002", "devicetype and mode are required integers"),
            }
            if address == "0000" {
                events.push(("AgentEvent_Connect_Fail", Value::String(callid.to_owned())));
            } else {
                events.push(("AgentEvent_SuccTransResult", json!({ "result": 0, "callId": callid })));
                // The session has left this agent.
                events.push(("AgentEvent_Call_Release", Value::String(callid.to_owned())));
            }
            ok(json!({}))
        }
        Op::ConfJoin => {
            if str_field(body, "callid").is_none_or(|c| c.trim().is_empty()) {
                return err_msg("000-002", "callid is required");
            }
            ok(json!({}))
        }
        Op::AssignUserInQueue => {
            if str_field(body, "callid").is_none() {
                return err_msg("000-002", "callid is required");
            }
            if !matches!(int_field(body, "skillid"), Ok(Some(_))) {
                return err_msg("000-002", "skillid is required");
            }
            ok(json!({}))
        }
        Op::RequestCall => {
            // The queued call named in the path comes to this agent, who talks on it.
            // The path is requestcall/{callid}/{skilltype}.
            let call_id = params.get(1).copied().unwrap_or_default().to_owned();
            events.push(("AgentOther_PhoneAlerting", Value::Null));
            events.push(("AgentOther_PhoneOffhook", json!({ "type": "main" })));
            events.push(("AgentEvent_Talking", talking("", &call_id, agent_id, "0")));
            if let Some(previous) = session.active_call.replace(Call { id: call_id }) {
                session.held_calls.push(previous);
            }
            ok(json!({}))
        }
        Op::ThirdPartyConfTransmitNum | Op::Handshake => ok(json!({})),
        Op::Login | Op::ForceLogin | Op::Poll => err("000-002"),
    };
    for (event_type, content) in events {
        push(agent, event_type, content);
    }
    response
}
