//! Code shaped exactly like the generator's output must compile and behave.

use std::collections::HashSet;

pub type Address = ::agentgateway_runtime::Constrained<AddressRule>;
pub enum AddressRule {}
impl ::agentgateway_runtime::Rule for AddressRule {
    type Value = String;
    const PARAMETER: &'static str = "address";
    const CONSTRAINTS: &'static [::agentgateway_runtime::Constraint] =
        &[::agentgateway_runtime::Constraint::Chars { min: 0, max: 24 }];
}

pub type WorkNo = ::agentgateway_runtime::Constrained<WorkNoRule>;
pub enum WorkNoRule {}
impl ::agentgateway_runtime::Rule for WorkNoRule {
    type Value = i64;
    const PARAMETER: &'static str = "workno";
    const CONSTRAINTS: &'static [::agentgateway_runtime::Constraint] =
        &[::agentgateway_runtime::Constraint::Range { min: 101, max: 59999 }];
}

#[derive(
    Debug, Clone, PartialEq, ::agentgateway_runtime::serde::Serialize, ::agentgateway_runtime::serde::Deserialize,
)]
#[serde(crate = "::agentgateway_runtime::serde")]
pub struct TransferBody {
    pub address: Address,
    #[serde(rename = "workNo")]
    pub work_no: WorkNo,
    pub password: ::agentgateway_runtime::SecretString,
}

#[test]
fn constrained_string_rule() {
    let address = Address::new("12345").expect("5 characters");
    assert_eq!(address.get(), "12345");
    assert_eq!(address.as_ref(), "12345");
    assert_eq!(address.to_string(), "12345");
    assert_eq!(format!("{address:?}"), "\"12345\"");
    assert_eq!(address.clone().into_inner(), "12345".to_owned());
    let parsed: Address = "12345".parse().expect("5 characters");
    assert_eq!(parsed, address);

    let error = Address::new("é".repeat(25)).expect_err("25 characters");
    assert_eq!(error.to_string(), "invalid `address`: has 25 characters (rule: at most 24 characters)");
    assert!("x".repeat(25).parse::<Address>().is_err());

    let set: HashSet<Address> = [address.clone(), parsed].into_iter().collect();
    assert_eq!(set.len(), 1);
}

#[test]
fn constrained_integer_rule() {
    assert!(WorkNo::new(101).is_ok());
    assert!(WorkNo::new(59999i32).is_ok());
    let error = WorkNo::new(60000).expect_err("out of range");
    assert_eq!(error.to_string(), "invalid `workno`: is 60000 (rule: 101–59999)");
    assert_eq!(*WorkNo::new(555).expect("in range").get(), 555);
}

#[test]
fn serde_through_the_reexport_validates() {
    let body = TransferBody {
        address: Address::new("88001").expect("valid"),
        work_no: WorkNo::new(1001).expect("valid"),
        password: ::agentgateway_runtime::SecretString::new("pw-1"),
    };
    let json = ::agentgateway_runtime::serde_json::to_value(&body).expect("serializable");
    assert_eq!(
        json,
        ::agentgateway_runtime::serde_json::json!({"address": "88001", "workNo": 1001, "password": "pw-1"})
    );
    let back: TransferBody = ::agentgateway_runtime::serde_json::from_value(json).expect("valid");
    assert_eq!(back, body);
    assert!(!format!("{back:?}").contains("pw-1"));

    let too_long = ::agentgateway_runtime::serde_json::json!({
        "address": "1".repeat(25), "workNo": 1001, "password": "p"
    });
    let error = ::agentgateway_runtime::serde_json::from_value::<TransferBody>(too_long).expect_err("address too long");
    assert!(error.to_string().contains("has 25 characters"), "{error}");

    let out_of_range = ::agentgateway_runtime::serde_json::json!({
        "address": "1", "workNo": 7, "password": "p"
    });
    assert!(::agentgateway_runtime::serde_json::from_value::<TransferBody>(out_of_range).is_err());
}
