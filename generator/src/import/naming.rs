//! Operation and file names for a drafted interface.
//!
//! The rule (documented in `spec/README.md`): the page's "Method Name in Logs" names both the
//! operation (`callInner` → `call_inner`) and the file (`voicecall/callinner.yaml`). A page
//! without one (missing, or "None") gets a name built from the request method and every fixed
//! segment of the path, in order (`DELETE /qualitycontrol/{agentid}/{workNo}` →
//! `delete_qualitycontrol`, file `qualitycontrol/delete_qualitycontrol.yaml`), so that the
//! name is never a bare resource name and two interfaces on one resource differ.

/// Where a draft's names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// snake_case client method name.
    pub operation: String,
    /// `resource/stem.yaml` below the spec directory.
    pub rel_path: String,
    /// Set when the names were built from the method and path (the page has no log name).
    pub from_path: bool,
}

/// A lowercase module-like name: ASCII letters and digits kept, anything else `_`.
fn module(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// Whether the page gives a log name a method can be named after.
fn usable_log_name(log_name: &str) -> bool {
    let t = log_name.trim();
    !t.is_empty() && !t.eq_ignore_ascii_case("none") && t.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The names of an interface with this log name, method and path (below the base path).
pub fn names(log_name: &str, method: &str, path: &str) -> Names {
    let fixed: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && !s.starts_with('{')).collect();
    let resource = module(fixed.first().copied().unwrap_or("interface"));
    if usable_log_name(log_name) {
        let operation = heck::AsSnakeCase(log_name.trim()).to_string();
        return Names { operation, rel_path: format!("{resource}/{}.yaml", module(log_name.trim())), from_path: false };
    }
    let mut parts = vec![method.trim().to_ascii_lowercase()];
    parts.extend(fixed.iter().map(|s| heck::AsSnakeCase(s).to_string()));
    let operation = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("_");
    let operation = if operation.is_empty() { "interface".to_owned() } else { operation };
    Names { rel_path: format!("{resource}/{}.yaml", module(&operation)), operation, from_path: true }
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn the_log_name_names_operation_and_file() {
        let n = names("callInner", "PUT", "/voicecall/{agentid}/callinner");
        assert_eq!(
            (n.operation.as_str(), n.rel_path.as_str(), n.from_path),
            ("call_inner", "voicecall/callinner.yaml", false)
        );
        let n = names("requestAppointedCall", "POST", "/voicecall/{agentid}/requestcall/{callid}");
        assert_eq!(n.rel_path, "voicecall/requestappointedcall.yaml");
    }

    #[test]
    fn without_a_log_name_method_and_fixed_segments_name_it() {
        for log in ["", "None", " none "] {
            let n = names(log, "DELETE", "/qualitycontrol/{agentid}/{workNo}");
            assert_eq!(n.operation, "delete_qualitycontrol");
            assert_eq!(n.rel_path, "qualitycontrol/delete_qualitycontrol.yaml");
            assert!(n.from_path);
        }
        let n = names("None", "POST", "/voicecall/{agentid}/thirdPartyConfTransmitNum/{x}");
        assert_eq!(n.operation, "post_voicecall_third_party_conf_transmit_num");
        assert_eq!(n.rel_path, "voicecall/post_voicecall_third_party_conf_transmit_num.yaml");
    }

    #[test]
    fn two_methods_on_one_path_get_different_names() {
        let a = names("None", "PUT", "/onlineagent/{agentid}");
        let b = names("None", "DELETE", "/onlineagent/{agentid}");
        assert_ne!(a.operation, b.operation);
        assert_ne!(a.rel_path, b.rel_path);
    }
}
