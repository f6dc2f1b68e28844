//! Operation and file names for a drafted interface.
//!
//! The rule (documented in `spec/README.md`): the file mirrors the URL, so the tree reads like
//! the API: `resource/verb.yaml`, the verb being the last fixed path segment after the resource
//! (`/voicecall/{agentid}/callinner` → `voicecall/callinner.yaml`). The operation (client
//! method) is the page's "Method Name in Logs" in snake_case (`callInner` → `call_inner`); a page
//! without one (missing, or "None") uses the verb. A path with no verb
//! (`DELETE /qualitycontrol/{agentid}/{workNo}`) names both after the request method and every
//! fixed segment (`delete_qualitycontrol`), so a name is never the bare resource and two methods
//! on one path differ.

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
    let verb = fixed.get(1..).and_then(<[&str]>::last).copied();
    let from_method = || {
        let mut parts = vec![method.trim().to_ascii_lowercase()];
        parts.extend(fixed.iter().map(|s| heck::AsSnakeCase(s).to_string()));
        let name = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("_");
        if name.is_empty() { "interface".to_owned() } else { name }
    };
    let from_path = !usable_log_name(log_name);
    let operation = match (from_path, verb) {
        (false, _) => heck::AsSnakeCase(log_name.trim()).to_string(),
        (true, Some(verb)) => heck::AsSnakeCase(verb).to_string(),
        (true, None) => from_method(),
    };
    let stem = match verb {
        Some(verb) => module(verb),
        None if from_path => module(&operation),
        None => module(&from_method()),
    };
    Names { operation, rel_path: format!("{resource}/{stem}.yaml"), from_path }
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn the_log_name_names_the_operation_and_the_url_names_the_file() {
        let n = names("callInner", "PUT", "/voicecall/{agentid}/callinner");
        assert_eq!(
            (n.operation.as_str(), n.rel_path.as_str(), n.from_path),
            ("call_inner", "voicecall/callinner.yaml", false)
        );
        let n = names("requestAppointedCall", "POST", "/voicecall/{agentid}/requestcall/{callid}");
        assert_eq!(
            (n.operation.as_str(), n.rel_path.as_str()),
            ("request_appointed_call", "voicecall/requestcall.yaml")
        );
    }

    #[test]
    fn without_a_log_name_the_verb_names_it() {
        for log in ["", "None", " none "] {
            let n = names(log, "POST", "/voicecall/{agentid}/thirdPartyConfTransmitNum/{x}");
            assert_eq!(n.operation, "third_party_conf_transmit_num");
            assert_eq!(n.rel_path, "voicecall/thirdpartyconftransmitnum.yaml");
            assert!(n.from_path);
        }
    }

    #[test]
    fn a_path_without_a_verb_is_named_after_method_and_segments_never_the_bare_resource() {
        for log in ["", "None"] {
            let n = names(log, "DELETE", "/qualitycontrol/{agentid}/{workNo}");
            assert_eq!(n.operation, "delete_qualitycontrol");
            assert_eq!(n.rel_path, "qualitycontrol/delete_qualitycontrol.yaml");
        }
        // With a log name the operation is the log name's; the file still says method and path.
        let n = names("stopSupervise", "DELETE", "/qualitycontrol/{agentid}/{workNo}");
        assert_eq!(
            (n.operation.as_str(), n.rel_path.as_str()),
            ("stop_supervise", "qualitycontrol/delete_qualitycontrol.yaml")
        );
    }

    #[test]
    fn two_methods_on_one_path_get_different_names() {
        let a = names("None", "PUT", "/onlineagent/{agentid}");
        let b = names("None", "DELETE", "/onlineagent/{agentid}");
        assert_ne!(a.operation, b.operation);
        assert_ne!(a.rel_path, b.rel_path);
    }
}
