//! Requests that break a rule are refused before anything is sent; the
//! boundary values next to them go out.

use agentgateway::AgentId;
use agentgateway::mediacall::transfer::{DeviceType, Mode};
use agentgateway::voicecall::requestcall::{self, SkillType};
use serde_json::Value;

use crate::support::{
    AGENT, Op, assert_rejected, gateway, only_request, session, silent_gateway, transfer_request, validation,
};

/// Calls `op` as `agent` and asserts the request went out under that ID.
async fn accepted(agent: &str, op: Op) {
    let server = gateway(op.success(), 1).await;
    let outcome = op.invoke(&session(&server, agent)).await;
    assert!(outcome.is_ok(), "{op:?} with agent {agent}: {outcome:?}");
    let request = only_request(&server).await;
    assert!(request.url.path().contains(&format!("/{agent}/")), "{op:?}: {}", request.url);
    server.verify().await;
}

/// Sign-in accepts agent IDs up to 999999 (the 2025 pages), while four older
/// pages still say 101–59999: an agent who signed in must be able to call
/// every interface, so no session method refuses its agent ID.
#[tokio::test]
async fn a_signed_in_agent_can_call_every_interface_whatever_its_id() {
    for op in Op::ALL {
        for agent in ["101", "59999", "60000", "999999"] {
            accepted(agent, op).await;
        }
    }
}

#[test]
fn malformed_agent_ids_are_refused_at_construction() {
    for bad in ["", "0101", "12a", "-5", "12345678901"] {
        let error = AgentId::new(bad).expect_err(bad);
        assert_eq!(error.parameter, "agentid", "{bad:?}");
        assert!(error.to_string().contains(&error.rule), "{error}");
    }
}

#[tokio::test]
async fn skill_id_is_refused_unless_devicetype_is_agent() {
    for devicetype in [DeviceType::SkillQueue, DeviceType::SystemAccessCode] {
        let mut request = transfer_request().with_skill_id(9);
        request.devicetype = devicetype;
        request.mode = Mode::Blind;
        let server = silent_gateway().await;
        let error = validation(session(&server, AGENT).transfer_media_call(&request).await);
        assert_rejected(&error, "skillId", "skillId is valid only when devicetype is 2 (agent).");
        server.verify().await;
    }

    let request = transfer_request().with_skill_id(9);
    let server = gateway(Op::Transfer.success(), 1).await;
    let outcome = session(&server, AGENT).transfer_media_call(&request).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let sent: Value = only_request(&server).await.body_json().expect("JSON");
    assert_eq!(sent["devicetype"], 2);
    assert_eq!(sent["skillId"], 9);
    assert!(sent.get("skill_id").is_none(), "{sent}");
}

#[tokio::test]
async fn every_transfer_devicetype_and_mode_pair_allowed_by_the_page_is_sent() {
    for devicetype in [DeviceType::SkillQueue, DeviceType::Agent, DeviceType::SystemAccessCode] {
        for mode in [Mode::Blind, Mode::ReleaseAfterTransfer] {
            let mut request = transfer_request();
            request.devicetype = devicetype;
            request.mode = mode;
            let server = gateway(Op::Transfer.success(), 1).await;
            let outcome = session(&server, AGENT).transfer_media_call(&request).await;
            assert!(outcome.is_ok(), "{devicetype:?}/{mode:?}: {outcome:?}");
            let sent: Value = only_request(&server).await.body_json().expect("JSON");
            assert_eq!(sent["devicetype"], devicetype.value());
            assert_eq!(sent["mode"], mode.value());
        }
    }
}

#[tokio::test]
async fn request_call_refuses_call_ids_that_would_change_the_path() {
    for callid in ["", ".", ".."] {
        let server = silent_gateway().await;
        let request = requestcall::Request::new(callid, SkillType::PublicQueue, 1);
        let error = validation(session(&server, AGENT).request_call(&request).await);
        assert_eq!(error.parameter, "callid", "{callid:?}");
        assert!(error.to_string().contains(&error.rule), "{error}");
        server.verify().await;
    }
}

#[tokio::test]
async fn request_rules_are_checked_whatever_the_agent_id() {
    let mut request = transfer_request().with_skill_id(9);
    request.devicetype = DeviceType::SkillQueue;
    let server = silent_gateway().await;
    let error = validation(session(&server, "60000").transfer_media_call(&request).await);
    assert_eq!(error.parameter, "skillId");
    server.verify().await;
}
