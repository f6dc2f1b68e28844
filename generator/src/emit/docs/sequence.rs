//! The event-sequence figure of an interface page: a mermaid sequence diagram
//! of the request, its answer and the events its spec lists, in spec order,
//! as the agent collects them by polling. Built from the IR's event lists
//! only; every label is reduced to a character set mermaid reads literally.

use crate::ir::{Api, Condition, EventUse, Interface, ResultShape};

/// The mermaid source of `it`'s figure, or `None` when its spec lists no events.
pub fn figure(api: &Api, it: &Interface) -> Option<String> {
    if it.events.is_empty() {
        return None;
    }
    let poll = api
        .interfaces
        .iter()
        .find(|i| matches!(i.result, ResultShape::Event { .. }))
        .map_or_else(|| "event polling".to_owned(), |i| format!("{} {}", i.method.as_str(), i.path));
    let mut lines = vec![
        "sequenceDiagram".to_owned(),
        "    participant A as Agent desktop".to_owned(),
        "    participant G as CC-Gateway".to_owned(),
        format!("    A->>G: {}", label(&format!("{} {}", it.method.as_str(), it.path))),
        format!("    G-->>A: {}", label(&format!("retcode {}", api.settings.envelope.success))),
        format!("    Note over A,G: {}", label(&format!("then, in this order, each answering one {poll}"))),
    ];
    let mut open: Option<&Condition> = None;
    for event in &it.events {
        if open.is_some() && open != event.when.as_ref() {
            lines.push("    end".to_owned());
            open = None;
        }
        if let (None, Some(when)) = (open, &event.when) {
            lines.push(format!("    opt {}", label(&condition(it, when))));
            open = Some(when);
        }
        lines.push(arrow(event, open.is_some()));
    }
    if open.is_some() {
        lines.push("    end".to_owned());
    }
    Some(lines.join("\n"))
}

fn arrow(event: &EventUse, nested: bool) -> String {
    let indent = if nested { "        " } else { "    " };
    format!("{indent}G-->>A: {}", label(&event.event))
}

/// `mode is 2 (success)`: the parameter, the value and the value's name when known.
fn condition(it: &Interface, when: &Condition) -> String {
    let Some(param) = it.params.get(when.param) else { return format!("when {}", when.equals) };
    let known = param.constraints.values.iter().find(|v| v.value == when.equals);
    match known {
        Some(v) => format!("{} is {} ({})", param.name.wire, when.equals, v.name.wire.replace('_', " ")),
        None => format!("{} is {}", param.name.wire, when.equals),
    }
}

/// Text mermaid shows as it is: letters, digits and a few punctuation marks;
/// anything else (`;`, `#`, `:`, quotes, line breaks) becomes a space.
fn label(text: &str) -> String {
    let kept: String =
        text.chars().map(|c| if c.is_alphanumeric() || " /{}()_.,-=".contains(c) { c } else { ' ' }).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn labels_keep_only_literal_characters() {
        assert_eq!(label("PUT /voicecall/{agentid}/callinner"), "PUT /voicecall/{agentid}/callinner");
        assert_eq!(label("a;b#c:d\"e\nf`g"), "a b c d e f g");
    }
}
