//! Every interface against a mock gateway: the exact request on the wire,
//! and how each kind of answer is decoded.

use agentgateway::mediacall::transfer::{self, Address, CallData, DeviceType, Mode};
use agentgateway::voicecall::callinner;
use agentgateway::voicecall::requestcall::{self, SkillType};
use agentgateway::{ErrorCode, Session};
use serde_json::json;

use serde_json::Value;

use crate::support::{
    AGENT, GUID, assign_request, callinner_request, gateway, only_request, session, success, transfer_request,
};
use crate::wire::{Wire, exercise};

#[tokio::test]
async fn transfer_media_call() {
    let request = transfer_request()
        .with_caller("88880021")
        .with_calldata(CallData::new("help").expect("short"))
        .with_skill_id(7);
    let wire = Wire {
        guid: Some(GUID),
        headers: Vec::new(),
        operation: "transfer_media_call",
        method: "POST",
        path: "/agentgateway/resource/mediacall/205/transfer".into(),
        query: None,
        body: Some(json!({
            "callid": "1552524689-16797284",
            "caller": "88880021",
            "devicetype": 2,
            "mode": 2,
            "address": "205",
            "calldata": "help",
            "skillId": 7,
        })),
    };
    // The page documents no `result`: the success answer has none.
    exercise(wire, success(None), (), ("106-004", ErrorCode::InvalidTransferDeviceType), async |s: &Session| {
        s.transfer_media_call(&request).await
    })
    .await;
}

#[tokio::test]
async fn assign_user_in_queue() {
    let request = assign_request();
    let wire = Wire {
        guid: Some(GUID),
        headers: Vec::new(),
        operation: "assign_user_in_queue",
        method: "PUT",
        path: "/agentgateway/resource/calldata/205/assignuserinqueue".into(),
        query: None,
        body: Some(json!({ "callid": "1663580465-1134", "skillid": 1 })),
    };
    exercise(wire, success(Some(json!({}))), (), ("100-007", ErrorCode::InternalError), async |s: &Session| {
        s.assign_user_in_queue(&request).await
    })
    .await;
}

#[tokio::test]
async fn call_inner() {
    let request = callinner_request();
    let wire = Wire {
        guid: Some(GUID),
        headers: Vec::new(),
        operation: "call_inner",
        method: "PUT",
        path: "/agentgateway/resource/voicecall/205/callinner".into(),
        query: None,
        body: Some(json!({ "called": "40040" })),
    };
    exercise(
        wire,
        success(Some(json!("1456401416-3"))),
        Some("1456401416-3".to_owned()),
        ("100-006", ErrorCode::NotSignedIn),
        async |s: &Session| s.call_inner(&request).await,
    )
    .await;
}

#[tokio::test]
async fn request_call_with_reserved_characters_in_the_call_id() {
    // `/`, space, `?`, `#` and `%` must not split the path or start a query
    // or fragment; non-ASCII goes out as percent-encoded UTF-8.
    let request = requestcall::Request::new("a/b c?d#e%f-é.~_", SkillType::PublicQueue, 42);
    let wire = Wire {
        guid: Some(GUID),
        headers: Vec::new(),
        operation: "request_call",
        method: "POST",
        path: "/agentgateway/resource/voicecall/205/requestcall/a%2Fb%20c%3Fd%23e%25f-%C3%A9.~_/0".into(),
        query: Some("skillId=42"),
        body: None,
    };
    exercise(wire, success(Some(json!({}))), (), ("100-006", ErrorCode::NotSignedIn), async |s: &Session| {
        s.request_call(&request).await
    })
    .await;
}

#[tokio::test]
async fn third_party_conf_transmit_num() {
    let wire = Wire {
        guid: Some(GUID),
        headers: Vec::new(),
        operation: "third_party_conf_transmit_num",
        method: "POST",
        path: "/agentgateway/resource/voicecall/205/thirdPartyConfTransmitNum".into(),
        query: None,
        body: None,
    };
    // 10001 is the page's only code, outside the usual NNN-NNN form.
    exercise(wire, success(Some(json!({}))), (), ("10001", ErrorCode::ThirdPartyConf10001), async |s: &Session| {
        s.third_party_conf_transmit_num().await
    })
    .await;
}

#[tokio::test]
async fn optional_body_fields_are_left_out_when_unset() {
    let server = gateway(success(None), 1).await;
    session(&server, AGENT)
        .transfer_media_call(&transfer::Request::new(
            "c-1",
            DeviceType::SkillQueue,
            Mode::Blind,
            Address::new("3").expect("short"),
        ))
        .await
        .expect("sent");
    let sent: Value = only_request(&server).await.body_json().expect("JSON");
    assert_eq!(sent, json!({ "callid": "c-1", "devicetype": 1, "mode": 0, "address": "3" }));
}

#[tokio::test]
async fn call_inner_sends_every_optional_field_when_set() {
    let request = callinner_request()
        .with_caller(callinner::Caller::new("88880021").expect("digits"))
        .with_skillid(12)
        .with_callappdata(callinner::CallAppData::new("").expect("may be empty"))
        .with_mediaability(1);
    let server = gateway(success(Some(json!("1-1"))), 1).await;
    let call_id = session(&server, AGENT).call_inner(&request).await;
    assert_eq!(call_id.expect("sent").as_deref(), Some("1-1"));
    let sent: Value = only_request(&server).await.body_json().expect("JSON");
    assert_eq!(
        sent,
        json!({
            "called": "40040",
            "caller": "88880021",
            "skillid": 12,
            "callappdata": "",
            "mediaability": 1,
        })
    );
}

#[tokio::test]
async fn reserved_results_accept_absent_null_and_object() {
    for result in [None, Some(Value::Null), Some(json!({})), Some(json!({"x": [1]}))] {
        let server = gateway(success(result.clone()), 1).await;
        let outcome = session(&server, AGENT).assign_user_in_queue(&assign_request()).await;
        assert!(outcome.is_ok(), "result {result:?}: {outcome:?}");
    }
}

#[tokio::test]
async fn a_placed_call_is_a_success_whatever_its_result_looks_like() {
    // The vendor page's own example answers `"result": {}` where its table
    // says a call ID string. The call was placed: an error would make the
    // caller place a second one.
    // A call ID sent as a number is kept as its digits; other shapes give none.
    for (result, id) in [(None, None), (Some(json!({})), None), (Some(json!(17)), Some("17")), (Some(json!([])), None)]
    {
        let server = gateway(success(result.clone()), 1).await;
        let outcome = session(&server, AGENT).call_inner(&callinner_request()).await;
        assert_eq!(outcome.as_ref().map(Option::as_deref).ok(), Some(id), "result {result:?}: {outcome:?}");
        let server = gateway(success(result.clone()), 1).await;
        let outcome = session(&server, AGENT).call_out(&crate::more_interfaces::call_out_request()).await;
        assert_eq!(outcome.as_ref().map(Option::as_deref).ok(), Some(id), "call_out, result {result:?}: {outcome:?}");
    }
}
