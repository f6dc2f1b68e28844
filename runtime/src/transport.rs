//! The HTTPS client shared by every call: where the gateway is and how to
//! reach it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Certificate, Client, Proxy, Url, redirect};

use crate::error::{Error, RetCode, cause_chain};
use crate::protocol::{Protocol, ProtocolHeaders};
use crate::retry::{Retrier, RetryPolicy};

/// Response bodies larger than this are refused unless configured otherwise.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Time allowed for a whole request, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time allowed to establish a connection, unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A configured connection to one gateway; clones share the connection pool.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
    /// Overrides the client's timeout for calls made through this clone.
    timeout: Option<Duration>,
}

struct Inner {
    client: Client,
    /// Scheme, host, port and base path, without a trailing slash.
    base: String,
    max_body_bytes: usize,
    protocol: &'static Protocol,
    headers: ProtocolHeaders,
    retry: Option<Retrier>,
}

impl Transport {
    /// Scheme, host, port and base path every operation path is appended to,
    /// e.g. `https://gw.example:8043/agentgateway/resource`.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The response body size limit in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// The wire settings requests follow.
    pub fn protocol(&self) -> &'static Protocol {
        self.inner.protocol
    }

    /// A clone (sharing connections) whose calls must complete within
    /// `timeout`, instead of the builder's timeout, e.g. a shorter one for a
    /// call a user waits on. It applies to each send, body included, and
    /// fails with [`Error::Timeout`].
    #[must_use]
    pub fn with_timeout(&self, timeout: Duration) -> Transport {
        Transport { inner: Arc::clone(&self.inner), timeout: Some(timeout) }
    }

    /// The timeout set with [`Transport::with_timeout`], if any.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    pub(crate) fn client(&self) -> &Client {
        &self.inner.client
    }

    pub(crate) fn headers(&self) -> &ProtocolHeaders {
        &self.inner.headers
    }

    pub(crate) fn retrier(&self) -> Option<&Retrier> {
        self.inner.retry.as_ref()
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.inner.base)
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .field("call_timeout", &self.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Transport`].
///
/// Defaults: HTTPS only (rustls, the system's roots plus any added with
/// [`TransportBuilder::add_root_certificate_pem`]), 30 s per request, 10 s to
/// connect, 16 MiB response limit, redirects not followed (a redirect would
/// carry the session's `Guid` header to wherever it points), and the proxy
/// from the usual environment variables unless one is set here.
///
/// ```no_run
/// # async fn demo() -> Result<(), agentgateway_runtime::Error<MyCode>> {
/// use std::time::Duration;
/// use agentgateway_runtime::TransportBuilder;
///
/// let transport = TransportBuilder::new("https://gw.example:8043", "/agentgateway/resource")
///     .timeout(Duration::from_secs(10))
///     .add_root_certificate_pem(include_bytes!("../tests/it/fixtures/ca.pem"))
///     .build::<MyCode>()?;
/// assert_eq!(transport.base_url(), "https://gw.example:8043/agentgateway/resource");
/// # Ok(()) }
/// # #[derive(Debug, Clone)] struct MyCode(String);
/// # impl std::fmt::Display for MyCode {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) }
/// # }
/// # impl agentgateway_runtime::RetCode for MyCode {
/// #     fn from_code(code: &str) -> Self { MyCode(code.into()) }
/// #     fn code(&self) -> &str { &self.0 }
/// # }
/// ```
#[must_use]
pub struct TransportBuilder {
    base_url: String,
    base_path: &'static str,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    root_pems: Vec<Vec<u8>>,
    proxy: Option<String>,
    user_agent: Option<String>,
    client: Option<Client>,
    allow_http: bool,
    max_body_bytes: usize,
    protocol: &'static Protocol,
    retry: Option<RetryPolicy>,
}

impl std::fmt::Debug for TransportBuilder {
    // A proxy URL may carry a password, and certificates are noise: neither is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_url", &self.base_url)
            .field("base_path", &self.base_path)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("root_certificates", &self.root_pems.len())
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("user_agent", &self.user_agent)
            .field("client", &self.client.as_ref().map(|_| "<yours>"))
            .field("allow_http", &self.allow_http)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("protocol", &self.protocol)
            .field("retry", &self.retry)
            .finish()
    }
}

impl TransportBuilder {
    /// Starts a builder for the gateway at `base_url` (scheme, host and
    /// port, e.g. `https://gw.example:8043`) serving the API under
    /// `base_path` (e.g. `/agentgateway/resource`).
    pub fn new(base_url: impl AsRef<str>, base_path: &'static str) -> Self {
        TransportBuilder {
            base_url: base_url.as_ref().to_owned(),
            base_path,
            timeout: None,
            connect_timeout: None,
            root_pems: Vec::new(),
            proxy: None,
            user_agent: None,
            client: None,
            allow_http: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            protocol: &Protocol::CC_GATEWAY,
            retry: None,
        }
    }

    /// The wire settings (header names, token prefix, content type,
    /// envelope) of the API; [`Protocol::CC_GATEWAY`] unless set. Generated
    /// clients pass the ones their spec declares.
    pub fn protocol(mut self, protocol: &'static Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Retries idempotent reads (`GET`, e.g. event polling) that failed
    /// without an answer, with jittered delays. Off unless set; actions are
    /// never retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Time allowed for a whole request, body included; a call that takes
    /// longer fails with [`Error::Timeout`]. [`Transport::with_timeout`]
    /// overrides it per call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Trusts the certificate(s) in `pem` in addition to the system's roots,
    /// for a gateway whose certificate comes from a private CA. A bad PEM is
    /// reported by [`TransportBuilder::build`].
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.root_pems.push(pem.to_vec());
        self
    }

    /// Sends every request through the proxy at `url`.
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        self.proxy = Some(url.as_ref().to_owned());
        self
    }

    /// The `User-Agent` header of every request, instead of
    /// `agentgateway-runtime/<version>`. A value that is not a valid header
    /// is reported by [`TransportBuilder::build`].
    pub fn user_agent(mut self, value: impl Into<String>) -> Self {
        self.user_agent = Some(value.into());
        self
    }

    /// Sends requests through `client`, a `reqwest::Client` of your own (a
    /// shared connection pool, a proxy, DNS or TLS set-up this builder does
    /// not offer). Timeouts, root certificates, proxy and user agent are then
    /// the client's: setting any of them here as well makes
    /// [`TransportBuilder::build`] fail rather than ignore them.
    ///
    /// The built-in client refuses redirects and plain HTTP, so that the
    /// session token is sent to the configured gateway only; set
    /// `redirect(reqwest::redirect::Policy::none())` and `https_only(true)`
    /// on yours to keep that. The base URL is checked here either way.
    pub fn reqwest_client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Allows an `http://` base URL. Without it, plain HTTP is refused: the
    /// session token and passwords would travel in clear text.
    pub fn danger_allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// Largest response body accepted, in bytes.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build<C: RetCode>(mut self) -> Result<Transport, Error<C>> {
        let base = self.base()?;
        let client = match self.client.take() {
            Some(client) => self.given(client)?,
            None => self.own_client()?,
        };
        let headers = self.protocol.headers().map_err(|problem| Error::Config(format!("the protocol: {problem}")))?;
        let inner = Inner {
            client,
            base,
            max_body_bytes: self.max_body_bytes,
            protocol: self.protocol,
            headers,
            retry: self.retry.map(Retrier::new),
        };
        Ok(Transport { inner: Arc::new(inner), timeout: None })
    }

    /// A client of the caller's, refused when settings it cannot take were made too.
    fn given<C: RetCode>(&self, client: Client) -> Result<Client, Error<C>> {
        let settings = [
            ("timeout", self.timeout.is_some()),
            ("connect_timeout", self.connect_timeout.is_some()),
            ("add_root_certificate_pem", !self.root_pems.is_empty()),
            ("proxy", self.proxy.is_some()),
            ("user_agent", self.user_agent.is_some()),
        ];
        let clashing: Vec<&str> = settings.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect();
        if clashing.is_empty() {
            return Ok(client);
        }
        Err(Error::Config(format!(
            "{} cannot apply to a reqwest client given with reqwest_client(); configure that client instead",
            clashing.join(", ")
        )))
    }

    /// The built-in client, configured from this builder.
    fn own_client<C: RetCode>(&self) -> Result<Client, Error<C>> {
        // reqwest without its aws-lc default needs a process-wide provider;
        // one installed already (by the application) is kept.
        #[cfg(feature = "rustls-ring")]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let user_agent =
            self.user_agent.as_deref().unwrap_or(concat!("agentgateway-runtime/", env!("CARGO_PKG_VERSION")));
        let mut client = Client::builder()
            .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .redirect(redirect::Policy::none())
            .https_only(!self.allow_http)
            // Header names are case-insensitive, but the vendor documents
            // `Guid` and `Content-Type`; matching the docs costs nothing
            // against a gateway that is picky.
            .http1_title_case_headers()
            .user_agent(user_agent);
        let mut roots = Vec::new();
        for pem in &self.root_pems {
            roots.extend(parse_pem_certificates(pem)?);
        }
        if !roots.is_empty() {
            client = client.tls_certs_merge(roots);
        }
        if let Some(proxy) = &self.proxy {
            let proxy =
                Proxy::all(proxy.as_str()).map_err(|e| Error::Config(format!("the proxy URL is not usable: {e}")))?;
            client = client.proxy(proxy);
        }
        client.build().map_err(|e| Error::Config(format!("the HTTP client could not be built: {}", cause_chain(&e))))
    }

    fn base<C: RetCode>(&self) -> Result<String, Error<C>> {
        let config = |problem: &str| Error::Config(format!("the base URL {problem}"));
        let url = Url::parse(self.base_url.trim())
            .map_err(|e| Error::Config(format!("the base URL is not a valid URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => {
                return Err(config(
                    "uses plain http://, which would send the session token in clear text; \
                     use https:// or call danger_allow_http()",
                ));
            }
            _ => return Err(config("must start with https://")),
        }
        // Credentials in the URL would be sent to the gateway and show up in
        // error messages, which quote the URL.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config("must not contain a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(config("must not contain a query or fragment"));
        }
        let mut base = url.as_str().trim_end_matches('/').to_owned();
        let base_path = self.base_path.trim_end_matches('/');
        if !base_path.is_empty() && !base_path.starts_with('/') {
            base.push('/');
        }
        base.push_str(base_path);
        Ok(base)
    }
}

fn parse_pem_certificates<C: RetCode>(pem: &[u8]) -> Result<Vec<Certificate>, Error<C>> {
    let certificates = Certificate::from_pem_bundle(pem)
        .map_err(|e| Error::Config(format!("a root certificate is not valid PEM: {}", cause_chain(&e))))?;
    if certificates.is_empty() {
        return Err(Error::Config("a root certificate PEM contains no CERTIFICATE block".to_owned()));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_proxy_credentials() {
        let builder = TransportBuilder::new("https://gw:8043", "/x").proxy("http://user:proxy-secret@proxy:3128");
        let shown = format!("{builder:?}");
        assert!(!shown.contains("proxy-secret"), "{shown}");
        assert!(shown.contains("<set>"), "{shown}");
    }

    use crate::test_code::Code;

    fn base(url: &str, path: &'static str) -> Result<String, Error<Code>> {
        TransportBuilder::new(url, path).base()
    }

    fn config_message(result: Result<Transport, Error<Code>>) -> String {
        match result {
            Err(Error::Config(message)) => message,
            other => panic!("expected a Config error, got {other:?}"),
        }
    }

    #[test]
    fn base_url_joins_base_path() {
        let cases = [
            ("https://gw.example:8043", "/agentgateway/resource"),
            ("https://gw.example:8043/", "/agentgateway/resource"),
            ("https://gw.example:8043", "/agentgateway/resource/"),
            ("https://gw.example:8043/", "agentgateway/resource"),
        ];
        for (url, path) in cases {
            assert_eq!(
                base(url, path).ok().as_deref(),
                Some("https://gw.example:8043/agentgateway/resource"),
                "{url} + {path}"
            );
        }
        assert_eq!(base("https://gw.example", "").ok().as_deref(), Some("https://gw.example"));
        assert_eq!(base("https://gw.example/prefix", "/api").ok().as_deref(), Some("https://gw.example/prefix/api"));
    }

    #[test]
    fn http_needs_explicit_opt_in() {
        let message = config_message(TransportBuilder::new("http://127.0.0.1:1", "/x").build());
        assert!(message.contains("danger_allow_http"), "{message}");
        let transport = TransportBuilder::new("http://127.0.0.1:1", "/x")
            .danger_allow_http()
            .build::<Code>()
            .expect("http allowed");
        assert_eq!(transport.base_url(), "http://127.0.0.1:1/x");
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for bad in ["", "gw.example:8043", "ftp://gw.example", "https://", "https://gw.example/?a=1"] {
            config_message(TransportBuilder::new(bad, "/x").build());
        }
        let message = config_message(TransportBuilder::new("https://admin:pw123@gw.example", "/x").build());
        assert!(!message.contains("pw123"), "{message}");
    }

    #[test]
    fn bad_pem_is_a_config_error() {
        let message = config_message(
            TransportBuilder::new("https://gw.example", "/x").add_root_certificate_pem(b"not a certificate").build(),
        );
        assert!(message.contains("no CERTIFICATE block"), "{message}");

        let corrupt = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        config_message(TransportBuilder::new("https://gw.example", "/x").add_root_certificate_pem(corrupt).build());
    }

    #[test]
    fn good_pem_and_settings_build() {
        let transport = TransportBuilder::new("https://gw.example:8043", "/agentgateway/resource")
            .add_root_certificate_pem(include_bytes!("../tests/it/fixtures/ca.pem"))
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(1))
            .max_body_bytes(1234)
            .proxy("http://127.0.0.1:3128")
            .build::<Code>()
            .expect("valid configuration");
        assert_eq!(transport.max_body_bytes(), 1234);
        assert!(format!("{transport:?}").contains("gw.example:8043"));
    }

    #[test]
    fn bad_proxy_is_a_config_error() {
        config_message(TransportBuilder::new("https://gw.example", "/x").proxy("::not a url::").build());
    }
}
