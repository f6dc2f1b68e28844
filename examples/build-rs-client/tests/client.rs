//! The build-time client is the same API as the checked-in crate.

use build_rs_client::voicecall::callinner;
use build_rs_client::{AgentId, Client, Error, ErrorCode};

#[test]
fn values_are_checked_before_anything_is_sent() {
    assert!(callinner::Called::new("206").is_ok());
    let error = callinner::Called::new("12a").expect_err("letters are not digits");
    assert_eq!(error.parameter, "called");
    assert!(AgentId::new("20a").is_err());
}

#[tokio::test]
async fn a_call_to_nowhere_is_a_typed_transport_error() {
    // Port 9 (discard) on loopback: nothing listens, so the call fails fast.
    let client = Client::builder("http://127.0.0.1:9").danger_allow_http().build().expect("client builds");
    let agent = AgentId::new("205").expect("valid agent ID");
    let request = build_rs_client::onlineagent::login::Request::new(
        build_rs_client::SecretString::new("secret"),
        build_rs_client::onlineagent::login::PhoneNum::new("40038").expect("valid phone"),
    );
    let result: Result<_, Error> = client.login(&agent, &request).await;
    let error = result.expect_err("nothing listens on port 9");
    assert!(matches!(error, Error::Transport { operation: "login", .. }), "{error:?}");
    assert_eq!(error.api_code(), None::<&ErrorCode>);
}
