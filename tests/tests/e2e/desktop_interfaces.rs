//! The eight interfaces drafted from the vendor's newer pages: setting idle,
//! signing in to the CCS only, forced sign-out with a cause, resetting skill
//! queues, the calls waiting in a queue (a list result), releasing one
//! number's connection (a page without a log name), an internal call to a
//! skill queue and an agent conference. Each one's exact request on the wire
//! and every kind of answer, then what is special about it.

use agentgateway::calldata::waitcallinfo;
use agentgateway::onlineagent::{forcelogoutwithreason, loginex, resetskill};
use agentgateway::voicecall::{callinnerskill, disconnect};
use agentgateway::{ErrorCode, SecretString, Session};
use serde_json::json;

use crate::support::{AGENT, gateway, only_request, session, success};
use crate::wire::{PASSWORD, Wire, exercise};

const CALL_ID: &str = "1700012345-1003";

#[tokio::test]
async fn say_free() {
    exercise(
        Wire::bare("say_free", "POST", "/onlineagent/205/sayfree"),
        success(None),
        (),
        ("100-006", ErrorCode::NotSignedIn),
        async |s: &Session| s.say_free().await,
    )
    .await;
}

#[tokio::test]
async fn login_ex_sends_no_guid_and_keeps_the_password_out_of_errors() {
    let request = loginex::Request::new(SecretString::new(PASSWORD))
        .with_phonenum(loginex::PhoneNum::new("88880001").expect("short"))
        .with_autoanswer(true)
        .with_autoenteridle(true)
        .with_releasephone(false);
    let wire = Wire {
        guid: None,
        body: Some(json!({
            "password": PASSWORD,
            "phonenum": "88880001",
            "autoanswer": true,
            "autoenteridle": true,
            "releasephone": false,
        })),
        ..Wire::bare("login_ex", "PUT", "/onlineagent/205/loginex")
    };
    exercise(wire, success(None), (), ("100-006", ErrorCode::NotSignedIn), async |s: &Session| {
        s.client().login_ex(s.agent_id(), &request).await
    })
    .await;
}

#[tokio::test]
async fn force_logout_with_reason_ends_the_session() {
    let request = forcelogoutwithreason::Request::new(forcelogoutwithreason::Reason::new(42).expect("in range"));
    exercise(
        Wire::bare("force_logout_with_reason", "DELETE", "/onlineagent/205/forcelogoutwithreason/42"),
        success(Some(json!({}))),
        true,
        ("100-005", ErrorCode::SignOutParameterInvalid),
        async |s: &Session| s.force_logout_with_reason(&request).await.map(|()| s.is_ended()),
    )
    .await;
}

#[tokio::test]
async fn force_logout_with_reason_refuses_a_cause_out_of_range() {
    assert!(forcelogoutwithreason::Reason::new(0).is_err());
    assert!(forcelogoutwithreason::Reason::new(256).is_err());
}

#[tokio::test]
async fn reset_skill() {
    let request = resetskill::Request::new(false)
        .with_skillid(resetskill::SkillIds::new("1;2;3").expect("short"))
        .with_phonelinkage(resetskill::PhoneLinkage::Linked);
    let wire = Wire {
        query: Some("skillid=1%3B2%3B3&phonelinkage=1"),
        ..Wire::bare("reset_skill", "POST", "/onlineagent/205/resetskill/false")
    };
    exercise(wire, success(None), (), ("100-006", ErrorCode::NotSignedIn), async |s: &Session| {
        s.reset_skill(&request).await
    })
    .await;
}

#[tokio::test]
async fn query_wait_call_info_reads_a_list_of_typed_items() {
    let request = waitcallinfo::Request::new(2);
    let items = json!([
        {
            "callfeature": 0, "callid": "1663580465-1134", "caller": "88880001", "called": "70001",
            "callskill": "skill2", "callskillid": "2", "orgicallednum": "70001", "calldata": "",
            "begintime": 1_663_580_465_000_i64, "endtime": 0, "userPriority": 0, "trunkNo": 1,
            "logontimes": 0, "mediaType": 5
        },
        { "callid": "1663580466-1135", "callskillid": 2 }
    ]);
    let server = gateway(success(Some(items)), 1).await;
    let got = session(&server, AGENT).query_wait_call_info_by_skill_id(&request).await.expect("a list");
    Wire::bare("query_wait_call_info_by_skill_id", "GET", "/calldata/205/waitcallinfo/2")
        .assert_sent_as(&only_request(&server).await);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].callid.as_deref(), Some("1663580465-1134"));
    // The vendor's own example quotes this integer; the client reads it either way.
    assert_eq!(got[0].callskillid, Some(2));
    assert_eq!(got[0].begintime, Some(1_663_580_465_000));
    assert_eq!(got[1].callskillid, Some(2));
    assert_eq!(got[1].caller, None);
}

#[tokio::test]
async fn query_wait_call_info() {
    let request = waitcallinfo::Request::new(2);
    exercise(
        Wire::bare("query_wait_call_info_by_skill_id", "GET", "/calldata/205/waitcallinfo/2"),
        success(Some(json!([]))),
        Vec::new(),
        ("100-007", ErrorCode::InternalError),
        async |s: &Session| s.query_wait_call_info_by_skill_id(&request).await,
    )
    .await;
}

#[tokio::test]
async fn disconnect() {
    let request = disconnect::Request::new(disconnect::Number::new("88880001").expect("digits"));
    exercise(
        Wire::bare("disconnect", "POST", "/voicecall/205/disconnect/88880001"),
        success(Some(json!({}))),
        (),
        ("100-006", ErrorCode::NotSignedIn),
        async |s: &Session| s.disconnect(&request).await,
    )
    .await;
}

#[tokio::test]
async fn disconnect_refuses_a_number_that_is_not_digits() {
    assert!(disconnect::Number::new("8888a").is_err());
    assert!(disconnect::Number::new("").is_err());
    assert!(disconnect::Number::new("1234567890123456789012345").is_err());
}

#[tokio::test]
async fn call_inner_skill() {
    let request = callinnerskill::Request::new(3);
    let wire = Wire {
        body: Some(json!({ "skillId": 3 })),
        ..Wire::bare("call_inner_skill", "PUT", "/voicecall/205/callinnerskill")
    };
    exercise(
        wire,
        success(Some(json!(CALL_ID))),
        Some(CALL_ID.to_owned()),
        ("000-002", ErrorCode::InvalidParameter),
        async |s: &Session| s.call_inner_skill(&request).await,
    )
    .await;
}

#[tokio::test]
async fn request_agent_conf() {
    exercise(
        Wire::bare("request_agent_conf", "POST", "/agentconf/205/requestagentconf"),
        success(None),
        (),
        ("100-006", ErrorCode::NotSignedIn),
        async |s: &Session| s.request_agent_conf().await,
    )
    .await;
}
