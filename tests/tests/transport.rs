//! An open transport: the application's own `reqwest::Client`, or its own
//! user agent on the built-in one, and no setting silently dropped.

use agentgateway::onlineagent::login;
use agentgateway::{AgentId, Client, Error, SecretString, reqwest};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn gateway() -> MockServer {
    let server = MockServer::start().await;
    // Any answer will do: these tests look at what arrived.
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    server
}

async fn sign_in(client: &Client) -> Result<(), Error> {
    let request = login::Request::new(SecretString::new("secret"), login::PhoneNum::new("40038")?);
    client.login(&AgentId::new("205")?, &request).await.map(|_| ())
}

async fn user_agents(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .map(|r| r.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn requests_go_through_the_applications_own_client() {
    let server = gateway().await;
    let own = reqwest::Client::builder().user_agent("crm-desktop/7.1").build().expect("client builds");
    let client = Client::builder(server.uri()).danger_allow_http().reqwest_client(own).build().expect("builds");
    let result = sign_in(&client).await;
    assert!(matches!(result, Err(Error::Status { status: 503, .. })), "{result:?}");
    assert_eq!(user_agents(&server).await, ["crm-desktop/7.1"]);
}

#[tokio::test]
async fn the_built_in_client_takes_a_user_agent() {
    let server = gateway().await;
    let client =
        Client::builder(server.uri()).danger_allow_http().user_agent("crm-desktop/7.1").build().expect("builds");
    let _ = sign_in(&client).await;
    assert_eq!(user_agents(&server).await, ["crm-desktop/7.1"]);

    let server = gateway().await;
    let client = Client::builder(server.uri()).danger_allow_http().build().expect("builds");
    let _ = sign_in(&client).await;
    let agents = user_agents(&server).await;
    assert_eq!(agents.len(), 1);
    assert!(agents[0].starts_with("agentgateway-runtime/"), "{agents:?}");
}

#[test]
fn settings_an_own_client_cannot_take_are_refused_not_ignored() {
    let built = Client::builder("https://gw.example.com:8043")
        .timeout(std::time::Duration::from_secs(3))
        .proxy("http://proxy.example.com:3128")
        .reqwest_client(reqwest::Client::new())
        .build();
    let Err(Error::Config(message)) = built else { panic!("expected a configuration error: {built:?}") };
    assert!(message.contains("timeout, proxy"), "{message}");
    assert!(message.contains("reqwest_client"), "{message}");

    // The base URL is still checked: plain HTTP needs the explicit opt-in.
    let built = Client::builder("http://gw.example.com").reqwest_client(reqwest::Client::new()).build();
    assert!(matches!(built, Err(Error::Config(_))), "{built:?}");
    let bad_agent = Client::builder("https://gw.example.com").user_agent("line\nbreak").build();
    assert!(matches!(bad_agent, Err(Error::Config(_))), "{bad_agent:?}");
}
