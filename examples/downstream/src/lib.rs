//! An agent-desktop back end built on `agentgateway` as an integrator would
//! build it: its own `reqwest::Client`, a retry policy, a tracing subscriber,
//! and the generated types stored and replayed with serde.
//!
//! ```no_run
//! # async fn run() -> downstream::Result<()> {
//! let ca = std::fs::read("gateway-ca.pem")?;
//! let client = downstream::client("https://gw.example.com:8043", &ca)?;
//! let desk = downstream::sign_in(&client, "205", "secret", "40038").await?;
//! println!("{}", serde_json::to_string(&desk.record)?);
//! # Ok(()) }
//! ```

use std::time::Duration;

use agentgateway::onlineagent::login;
use agentgateway::reqwest;
use agentgateway::{AgentId, Client, RetryPolicy, SecretString, Session};
use serde::{Deserialize, Serialize};

/// Everything that can go wrong here, boxed: this is an application.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A client over a `reqwest::Client` of this application's own: its pool,
/// its root certificate, its timeouts; redirects and plain HTTP stay off as
/// the builder's own client would keep them.
pub fn client(url: &str, ca_pem: &[u8]) -> Result<Client> {
    let http = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(ca_pem)?)
        .https_only(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .user_agent("downstream-desk/0.1")
        .build()?;
    let policy = RetryPolicy::new(3).base_delay(Duration::from_millis(50)).max_delay(Duration::from_millis(500));
    Ok(Client::builder(url).reqwest_client(http).retry(policy).build()?)
}

/// What this application stores about a sign-in: the gateway's own result,
/// through its serde implementations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInRecord {
    /// The agent, printed with `Display`.
    pub agent: String,
    /// The sign-in's result as the gateway sent it.
    pub result: login::Response,
}

/// A signed-in desk.
#[derive(Debug)]
pub struct Desk {
    /// The session calls go through.
    pub session: Session,
    /// What was stored about the sign-in.
    pub record: SignInRecord,
}

/// Signs `agent` in, parsing each value from text (`FromStr`) as a
/// configuration file would hold it.
pub async fn sign_in(client: &Client, agent: &str, password: &str, phone: &str) -> Result<Desk> {
    let agent: AgentId = agent.parse()?;
    let phone: login::PhoneNum = phone.parse()?;
    let request = login::Request::new(SecretString::new(password), phone);
    let (session, result) = client.login(&agent, &request).await?;
    Ok(Desk { record: SignInRecord { agent: agent.to_string(), result }, session })
}

/// Installs a subscriber printing this crate's and the client's spans and
/// events to stderr, as an application's `main` would. Returns false if one
/// was installed already.
pub fn install_logging() -> bool {
    tracing_subscriber::fmt().with_max_level(tracing::Level::DEBUG).with_writer(std::io::stderr).try_init().is_ok()
}
