//! The agent-desktop interfaces: busy and idle, rest, after-call work, the
//! agent's status, mute, DTMF and the forced sign-out. Each one's exact
//! request on the wire and every kind of answer, then what is special about
//! it: query defaults left to the server, path parameters after fixed
//! segments, a `#` in a query, and a status read as an object or a list of one.

use agentgateway::onlineagent::{rest, saybusy};
use agentgateway::voicecall::seconddialex;
use agentgateway::{Error, ErrorCode, Session};
use serde_json::json;

use crate::support::{AGENT, gateway, only_request, session, success};
use crate::wire::{Wire, exercise};

fn reserved() -> wiremock::ResponseTemplate {
    success(Some(json!({})))
}

/// The eight interfaces with no request: each is a bare POST (or DELETE/PUT) on its path.
#[tokio::test]
async fn interfaces_without_a_request() {
    type Call = fn(&Session) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + '_>>;
    let cases: [(&str, &str, &str, ErrorCode, Call); 8] = [
        ("cancel_busy", "POST", "/onlineagent/205/cancelbusy", ErrorCode::SetStateFailed, |s| {
            Box::pin(s.cancel_busy())
        }),
        ("cancel_rest", "POST", "/onlineagent/205/cancelrest", ErrorCode::SetStateFailed, |s| {
            Box::pin(s.cancel_rest())
        }),
        ("enter_work", "POST", "/onlineagent/205/work", ErrorCode::SetStateFailed, |s| Box::pin(s.enter_work())),
        ("cancel_work", "POST", "/onlineagent/205/cancelwork", ErrorCode::SetStateFailed, |s| {
            Box::pin(s.cancel_work())
        }),
        ("begin_mute", "POST", "/voicecall/205/beginmute", ErrorCode::BeginMuteNoCall, |s| Box::pin(s.begin_mute())),
        ("end_mute", "POST", "/voicecall/205/endmute", ErrorCode::EndMuteNoCall, |s| Box::pin(s.end_mute())),
        ("force_logout", "DELETE", "/onlineagent/205/forcelogout", ErrorCode::NotSignedIn, |s| {
            Box::pin(s.force_logout())
        }),
        ("update_guid", "PUT", "/onlineagent/205/updateGuid", ErrorCode::NotSignedIn, |s| Box::pin(s.update_guid())),
    ];
    for (operation, method, path, known, call) in cases {
        let code = known.code().to_owned();
        exercise(Wire::bare(operation, method, path), reserved(), (), (code.as_str(), known), async |s: &Session| {
            call(s).await
        })
        .await;
    }
}

#[tokio::test]
async fn say_busy_sends_what_the_caller_set() {
    let request =
        saybusy::Request::new().with_reason(saybusy::BusyReason::new(200).expect("in range")).with_prolong(false);
    let wire =
        Wire { query: Some("reason=200&prolong=false"), ..Wire::bare("say_busy", "POST", "/onlineagent/205/saybusy") };
    exercise(wire, reserved(), (), ("100-009", ErrorCode::SetStateFailed), async |s: &Session| {
        s.say_busy(&request).await
    })
    .await;
}

/// `prolong` has a documented server default; the client leaves an unset
/// parameter out rather than sending the default itself.
#[tokio::test]
async fn say_busy_leaves_an_unset_default_to_the_server() {
    let server = gateway(reserved(), 1).await;
    session(&server, AGENT).say_busy(&saybusy::Request::new()).await.expect("accepted");
    let sent = only_request(&server).await;
    assert_eq!(sent.url.path(), "/agentgateway/resource/onlineagent/205/saybusy");
    assert_eq!(sent.url.query(), None, "no bare `?`, no default sent");
}

#[tokio::test]
async fn say_busy_refuses_a_reason_outside_200_to_250() {
    assert!(saybusy::BusyReason::new(199).is_err());
    assert!(saybusy::BusyReason::new(251).is_err());
    assert!(saybusy::BusyReason::new(250).is_ok());
}

#[tokio::test]
async fn rest_puts_time_and_cause_in_the_path() {
    let request =
        rest::Request::new(rest::RestSeconds::new(600).expect("in range"), rest::RestCause::new(0).expect("in range"))
            .with_prolong(true);
    let wire = Wire { query: Some("prolong=true"), ..Wire::bare("rest", "POST", "/onlineagent/205/rest/600/0") };
    exercise(wire, reserved(), (), ("100-009", ErrorCode::SetStateFailed), async |s: &Session| s.rest(&request).await)
        .await;
    assert!(rest::RestSeconds::new(0).is_err() && rest::RestSeconds::new(86400).is_err());
    assert!(rest::RestCause::new(256).is_err());
}

#[tokio::test]
async fn send_dtmf_percent_encodes_the_hash_key() {
    let request = seconddialex::Request::new(seconddialex::Digits::new("123#").expect("digits and #"));
    let wire = Wire { query: Some("number=123%23"), ..Wire::bare("send_dtmf", "POST", "/voicecall/205/seconddialex") };
    exercise(wire, reserved(), (), ("100-006", ErrorCode::NotSignedIn), async |s: &Session| {
        s.send_dtmf(&request).await
    })
    .await;
    assert!(seconddialex::Digits::new("12a").is_err());
    assert!(seconddialex::Digits::new("").is_err());
    assert!(seconddialex::Digits::new("1".repeat(25)).is_err());
}

async fn status_from(result: serde_json::Value) -> Result<(Option<i64>, Option<bool>), Error> {
    let server = gateway(success(Some(result)), 1).await;
    let status = session(&server, AGENT).agent_status().await?;
    Ok((status.agent_state, status.is_working))
}

#[tokio::test]
async fn agent_status_on_the_wire() {
    exercise(
        Wire::bare("agent_status", "GET", "/onlineagent/205/agentstatus"),
        success(Some(json!({ "agentState": 4, "isWorking": false }))),
        (Some(4), Some(false)),
        ("000-002", ErrorCode::InvalidParameter),
        async |s: &Session| s.agent_status().await.map(|r| (r.agent_state, r.is_working)),
    )
    .await;
}

/// The page's table says array, its example shows an object: both are read.
#[tokio::test]
async fn agent_status_reads_an_object_or_a_list_of_one() {
    assert_eq!(status_from(json!({ "agentState": 4, "isWorking": false })).await.ok(), Some((Some(4), Some(false))));
    assert_eq!(status_from(json!([{ "agentState": 7, "isWorking": true }])).await.ok(), Some((Some(7), Some(true))));
    // No element of another list is taken for the answer; the call still succeeded.
    for list in [json!([]), json!([{ "agentState": 4 }, { "agentState": 3 }])] {
        assert_eq!(status_from(list.clone()).await.ok(), Some((None, None)), "{list}");
    }
}

#[tokio::test]
async fn force_logout_ends_the_session() {
    let server = gateway(reserved(), 1).await;
    let s = session(&server, AGENT);
    s.force_logout().await.expect("signed out");
    assert!(s.is_ended());
}
