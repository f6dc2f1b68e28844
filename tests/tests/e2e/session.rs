//! The session token: kept out of every rendering, sent on every request,
//! and replaced when the gateway hands out a new one.

use agentgateway::{AgentId, Client, Error, ErrorCode, Guid};
use serde_json::json;
use tokio::net::TcpListener;
use wiremock::ResponseTemplate;

use crate::support::{
    AGENT, GUID, Op, assert_redacted, failure, gateway, header, html, requests, session, success, truncated_json,
};

#[tokio::test]
async fn debug_of_session_and_client_hides_the_guid() {
    let server = gateway(success(None), 0).await;
    let session = session(&server, AGENT);
    let shown = format!("{session:?}\n{session:#?}\n{:?}", session.client());
    assert!(shown.contains(AGENT), "{shown}");
    assert!(!shown.contains(GUID), "the Guid leaked: {shown}");
}

#[tokio::test]
async fn errors_after_a_call_never_show_the_guid() {
    for (response, what) in [
        (failure("100-006"), "api"),
        (failure("999-999"), "unknown api"),
        (html(500), "status"),
        (html(200), "decode"),
        (truncated_json(), "truncated"),
    ] {
        let server = gateway(response, 1).await;
        let error = Op::CallInner.invoke(&session(&server, AGENT)).await.expect_err(what);
        assert!(
            matches!(
                (&error, what),
                (Error::Api { .. }, "api" | "unknown api")
                    | (Error::Status { .. }, "status")
                    | (Error::Decode { .. }, "decode" | "truncated")
            ),
            "{what}: {error:?}"
        );
        assert_redacted(&error);
        assert_eq!(header(&requests(&server).await[0], "guid"), Some(GUID));
    }
}

#[tokio::test]
async fn transport_error_never_shows_the_guid() {
    // A port that was just free: nothing listens there any more.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = Client::builder(format!("http://{address}")).danger_allow_http().build().expect("builds");
    let session = client.session(AgentId::new(AGENT).expect("valid"), Guid::new(GUID));
    let error = Op::Assign.invoke(&session).await.expect_err("refused");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_redacted(&error);
}

#[tokio::test]
async fn validation_error_never_shows_the_guid() {
    let server = gateway(success(None), 0).await;
    let mut request = crate::support::transfer_request();
    request.devicetype = agentgateway::mediacall::transfer::DeviceType::SkillQueue;
    request.skill_id = Some(9);
    let error = session(&server, AGENT).transfer_media_call(&request).await.expect_err("breaks a rule");
    assert!(matches!(error, Error::Validation(_)), "{error:?}");
    assert_redacted(&error);
    server.verify().await;
}

#[tokio::test]
async fn set_guid_makes_the_next_request_send_the_new_guid() {
    let server = gateway(Op::Assign.success().insert_header("Set-GUID", "JSESSIONID=new-guid"), 2).await;
    let session = session(&server, AGENT);
    let before = session.clone();
    Op::Assign.invoke(&session).await.expect("first call");
    Op::Assign.invoke(&before).await.expect("second call");
    let sent = requests(&server).await;
    assert_eq!(header(&sent[0], "guid"), Some(GUID));
    // Clones share the session, so the one made before the rotation follows too.
    assert_eq!(header(&sent[1], "guid"), Some("new-guid"));
    assert!(!format!("{session:?}").contains("new-guid"));
    server.verify().await;
}

#[tokio::test]
async fn set_guid_is_honoured_even_when_the_call_fails() {
    let with_guid = |response: ResponseTemplate| response.insert_header("Set-GUID", "JSESSIONID=g-2");
    // A failure that is no stale-token refusal: one of those (000-003,
    // 100-006) that hands out a new Guid is sent again with it.
    for response in [with_guid(failure("100-007")), with_guid(html(500)), with_guid(truncated_json())] {
        let server = gateway(response, 2).await;
        let session = session(&server, AGENT);
        let first = Op::ThirdParty.invoke(&session).await.expect_err("fails");
        assert_redacted(&first);
        let second = Op::ThirdParty.invoke(&session).await.expect_err("fails");
        assert!(!format!("{second}{second:?}").contains("g-2"));
        let sent = requests(&server).await;
        assert_eq!(header(&sent[0], "guid"), Some(GUID));
        assert_eq!(header(&sent[1], "guid"), Some("g-2"), "{first:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn unusable_set_guid_values_keep_the_current_guid() {
    for value in ["JSESSIONID=", "JSESSIONID=   ", ""] {
        let server = gateway(Op::Assign.success().insert_header("Set-GUID", value), 2).await;
        let session = session(&server, AGENT);
        Op::Assign.invoke(&session).await.expect("first call");
        Op::Assign.invoke(&session).await.expect("second call");
        let sent = requests(&server).await;
        assert_eq!(header(&sent[1], "guid"), Some(GUID), "Set-GUID {value:?}");
    }
}

#[tokio::test]
async fn set_guid_without_the_prefix_is_taken_as_is() {
    let server = gateway(success(Some(json!("c-1"))).insert_header("Set-GUID", "bare-token"), 2).await;
    let session = session(&server, AGENT);
    Op::CallInner.invoke(&session).await.expect("first call");
    Op::CallInner.invoke(&session).await.expect("second call");
    assert_eq!(header(&requests(&server).await[1], "guid"), Some("bare-token"));
}

#[tokio::test]
async fn api_error_code_round_trips_through_display() {
    let server = gateway(failure("100-006"), 1).await;
    let error = Op::RequestCall.invoke(&session(&server, AGENT)).await.expect_err("not signed in");
    assert_eq!(error.api_code(), Some(&ErrorCode::NotSignedIn));
    assert_eq!(
        error.to_string(),
        "request_call: the gateway answered with retcode 100-006 (The agent is not signed in.): operation failed"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_guid_stays_home() {
    let elsewhere = gateway(success(None), 0).await;
    let location = format!("{}/agentgateway/resource/calldata/205/assignuserinqueue", elsewhere.uri());
    let server = gateway(ResponseTemplate::new(307).insert_header("Location", location.as_str()), 1).await;
    let error = Op::Assign.invoke(&session(&server, AGENT)).await.expect_err("redirect");
    assert!(matches!(error, Error::Status { status: 307, .. }), "{error:?}");
    assert_redacted(&error);
    server.verify().await;
    elsewhere.verify().await;
}

#[tokio::test]
async fn a_guid_unfit_for_a_header_is_refused_without_showing_it() {
    let server = gateway(success(None), 0).await;
    let session = crate::support::client(&server)
        .session(AgentId::new(AGENT).expect("valid"), Guid::new("SECRET-GUID-123\r\nX: y"));
    let error = Op::Assign.invoke(&session).await.expect_err("bad header value");
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert_redacted(&error);
    server.verify().await;
}
