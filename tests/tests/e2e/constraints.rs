//! One test per constraint kind, on both sides of each boundary: values at
//! the limit are built and arrive intact on the wire; values one past it
//! are refused when the constrained value is constructed.

use agentgateway::mediacall::transfer::{Address, CallData};
use agentgateway::voicecall::callinner::{CallAppData, Called, Caller};
use serde_json::Value;

use crate::support::{AGENT, Op, assert_rejected, callinner_request, gateway, only_request, session, transfer_request};

/// Sends `request` through transfer_media_call and returns the JSON body
/// the gateway received.
async fn sent_transfer(request: &agentgateway::mediacall::transfer::Request) -> Value {
    let server = gateway(Op::Transfer.success(), 1).await;
    let outcome = session(&server, AGENT).transfer_media_call(request).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    only_request(&server).await.body_json().expect("JSON")
}

async fn sent_call_inner(request: &agentgateway::voicecall::callinner::Request) -> Value {
    let server = gateway(Op::CallInner.success(), 1).await;
    let outcome = session(&server, AGENT).call_inner(request).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    only_request(&server).await.body_json().expect("JSON")
}

#[tokio::test]
async fn range_agent_id_is_the_pages_but_a_session_sends_its_own() {
    // The page's 101–59999 is documented, not enforced on a signed-in agent.
    assert_eq!(
        agentgateway::mediacall::transfer::AGENT_ID,
        &[agentgateway_runtime::Constraint::Range { min: 101, max: 59999 }]
    );
    for agent in ["101", "59999", "60000"] {
        let server = gateway(Op::Transfer.success(), 1).await;
        let outcome = Op::Transfer.invoke(&session(&server, agent)).await;
        assert!(outcome.is_ok(), "{agent}: {outcome:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn chars_address_24_or_25_characters() {
    // 'é' is two bytes and '😀' four: the limit counts characters.
    for at_limit in ["7".repeat(24), "é".repeat(24), "😀".repeat(24)] {
        let address = Address::new(at_limit.as_str()).expect("24 characters");
        let mut request = transfer_request();
        request.address = address;
        assert_eq!(sent_transfer(&request).await["address"], at_limit.as_str());
    }
    for over in ["7".repeat(25), "é".repeat(25), "😀".repeat(25)] {
        let error = Address::new(over).expect_err("25 characters");
        assert_rejected(&error, "address", "at most 24 characters");
        assert_eq!(error.problem, "has 25 characters");
    }
}

#[tokio::test]
async fn bytes_transfer_calldata_2048_or_2049_bytes() {
    let at_limit = "é".repeat(1024);
    assert_eq!((at_limit.len(), at_limit.chars().count()), (2048, 1024));
    let request = transfer_request().with_calldata(CallData::new(at_limit.as_str()).expect("2048 bytes"));
    assert_eq!(sent_transfer(&request).await["calldata"], at_limit.as_str());

    let over = format!("{at_limit}a");
    assert_eq!((over.len(), over.chars().count()), (2049, 1025));
    let error = CallData::new(over).expect_err("2049 bytes");
    assert_rejected(&error, "calldata", "at most 2048 bytes (UTF-8)");
    assert_eq!(error.problem, "has 2049 bytes (UTF-8)");

    // Far fewer than 2048 characters, but too many bytes.
    let error = CallData::new("😀".repeat(513)).expect_err("2052 bytes");
    assert_eq!(error.problem, "has 2052 bytes (UTF-8)");
}

#[tokio::test]
async fn bytes_call_inner_callappdata_16384_or_16385_bytes() {
    let at_limit = "é".repeat(8192);
    assert_eq!(at_limit.len(), 16384);
    let request = callinner_request().with_callappdata(CallAppData::new(at_limit.as_str()).expect("16384 bytes"));
    assert_eq!(sent_call_inner(&request).await["callappdata"], at_limit.as_str());

    let error = CallAppData::new(format!("{at_limit}a")).expect_err("16385 bytes");
    assert_rejected(&error, "callappdata", "at most 16384 bytes (UTF-8)");
    assert_eq!(error.problem, "has 16385 bytes (UTF-8)");
}

#[tokio::test]
async fn pattern_call_inner_called() {
    for ok in ["*", "#", "0", &"9".repeat(24)] {
        let mut request = callinner_request();
        request.called = Called::new(ok).expect(ok);
        assert_eq!(sent_call_inner(&request).await["called"], ok);
    }
    for bad in [&"9".repeat(25) as &str, "12a", "", "**", "*#", " 1", "١٢"] {
        let error = Called::new(bad).expect_err(bad);
        assert_eq!(error.parameter, "called", "{bad:?}");
        assert_eq!(error.problem, "does not match the required format", "{bad:?}");
        assert!(error.to_string().contains(&error.rule), "{error}");
    }
}

/// The rule in the message must name every accepted form, `#` included.
#[test]
fn pattern_call_inner_called_rule_names_star_and_hash() {
    let error = Called::new("12a").expect_err("letters");
    assert_rejected(&error, "called", "1 to 24 digits, or * or #");
}

#[tokio::test]
async fn pattern_call_inner_caller_0_to_24_digits() {
    for ok in ["", "0", &"8".repeat(24)] {
        let request = callinner_request().with_caller(Caller::new(ok).expect(ok));
        assert_eq!(sent_call_inner(&request).await["caller"], ok);
    }
    for bad in [&"8".repeat(25) as &str, "12a", "+8613800000000", "*", "#", "1 2"] {
        let error = Caller::new(bad).expect_err(bad);
        assert_rejected(&error, "caller", "0 to 24 digits");
        assert_eq!(error.problem, "does not match the required format");
    }
}

#[test]
fn rejections_never_repeat_the_value() {
    let secret = "TOPSECRET".repeat(300);
    let errors = [
        Address::new(secret.as_str()).expect_err("too long"),
        CallData::new(secret.as_str()).expect_err("too long"),
        Called::new(secret.as_str()).expect_err("not digits"),
        Caller::new(secret.as_str()).expect_err("not digits"),
    ];
    for error in errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }
}
