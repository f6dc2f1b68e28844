//! The one place where names from specs become Rust identifiers.
//!
//! Every name goes through [`snake`] or [`camel`]: case conversion with heck,
//! then anything Rust would not accept is made safe: keywords become raw
//! identifiers (or get a trailing `_` where Rust forbids raw forms), a leading
//! digit gets a `_` prefix, and characters outside `[A-Za-z0-9_]` are spelt out
//! as `uXXXX` so two different names never meet by accident.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of every edition, strict and reserved, including 2024's `gen`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be written as raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Methods the generated `Client` and `Session` have besides one per
/// interface, with those of the traits they derive (`clone`, `fmt`): an
/// operation may not take one. `tests/emit_rust.rs` proves that every such
/// method the emitter writes is listed here, so the list cannot fall behind.
pub const RESERVED_METHODS: &[&str] = &[
    "builder",
    "with_timeout",
    "session",
    "session_with_cookies",
    "agent_state",
    "agent_id",
    "guid",
    "cookies",
    "client",
    "is_ended",
    "events",
    "events_with",
    "clone",
    "fmt",
];

/// Names at the generated crate's root (its modules and re-exported crates,
/// and the crates it names in full) that a resource folder must not take.
/// `tests/emit_rust.rs` proves every snake_case root name the emitter writes
/// is listed here.
pub const RESERVED_MODULES: &[&str] =
    &["client", "errors", "events", "shared", "reqwest", "agentgateway_runtime", "serde", "serde_json", "std"];

/// Types every interface module defines, which a parameter type must not shadow.
/// Derive and prelude names are listed too: a type may not hide what the
/// code beside it names (`Display` and the like are always written in full).
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Request",
    "Response",
    "Option",
    "String",
    "Vec",
    "Result",
    "Error",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "Debug",
    "Clone",
    "Copy",
    "Default",
    "PartialEq",
    "Eq",
    "Hash",
    "PartialOrd",
    "Ord",
    "Serialize",
    "Deserialize",
    "Send",
    "Sync",
    "Sized",
];

/// `snake_case` identifier for a field, method or module.
pub fn snake(name: &str) -> String {
    finish(&ascii_safe(name).to_snake_case())
}

/// `UpperCamelCase` identifier for a type or variant.
pub fn camel(name: &str) -> String {
    finish(&ascii_safe(name).to_upper_camel_case())
}

/// True when `ident` (as returned here) is a raw identifier like `r#type`.
pub fn is_raw(ident: &str) -> bool {
    ident.starts_with("r#")
}

/// Replaces characters Rust identifiers should not carry with ASCII.
fn ascii_safe(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c.is_ascii() {
            // Punctuation and spaces separate words.
            out.push(' ');
        } else {
            out.push_str(&format!(" u{:04x} ", u32::from(c)));
        }
    }
    out
}

fn finish(converted: &str) -> String {
    let mut ident = if converted.is_empty() { "_unnamed".to_owned() } else { converted.to_owned() };
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) || ident == "_" {
        if NOT_RAW.contains(&ident.as_str()) {
            ident.push('_');
        } else {
            ident.insert_str(0, "r#");
        }
    }
    ident
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_case() {
        assert_eq!(snake("skillId"), "skill_id");
        assert_eq!(snake("devicetype"), "devicetype");
        assert_eq!(snake("callId"), "call_id");
        assert_eq!(camel("skill_queue"), "SkillQueue");
        assert_eq!(camel("AgentEvent_Talking"), "AgentEventTalking");
    }

    #[test]
    fn snake_and_camel_spellings_collide_on_purpose() {
        // The checker relies on this to report such pairs instead of renaming one.
        assert_eq!(snake("skillId"), snake("skill_id"));
    }

    macro_rules! keyword_tests {
        ($($test:ident: $kw:literal => $snake:literal;)*) => {$(
            #[test]
            fn $test() {
                assert_eq!(snake($kw), $snake);
                assert!(syn::parse_str::<syn::Ident>(&snake($kw)).is_ok(), "{}", snake($kw));
            }
        )*};
    }

    keyword_tests! {
        kw_as: "as" => "r#as"; kw_async: "async" => "r#async"; kw_await: "await" => "r#await";
        kw_break: "break" => "r#break"; kw_const: "const" => "r#const"; kw_continue: "continue" => "r#continue";
        kw_crate: "crate" => "crate_"; kw_dyn: "dyn" => "r#dyn"; kw_else: "else" => "r#else";
        kw_enum: "enum" => "r#enum"; kw_extern: "extern" => "r#extern"; kw_false: "false" => "r#false";
        kw_fn: "fn" => "r#fn"; kw_for: "for" => "r#for"; kw_if: "if" => "r#if"; kw_impl: "impl" => "r#impl";
        kw_in: "in" => "r#in"; kw_let: "let" => "r#let"; kw_loop: "loop" => "r#loop";
        kw_match: "match" => "r#match"; kw_mod: "mod" => "r#mod"; kw_move: "move" => "r#move";
        kw_mut: "mut" => "r#mut"; kw_pub: "pub" => "r#pub"; kw_ref: "ref" => "r#ref";
        kw_return: "return" => "r#return"; kw_self: "self" => "self_"; kw_static: "static" => "r#static";
        kw_struct: "struct" => "r#struct"; kw_super: "super" => "super_"; kw_trait: "trait" => "r#trait";
        kw_true: "true" => "r#true"; kw_type: "type" => "r#type"; kw_unsafe: "unsafe" => "r#unsafe";
        kw_use: "use" => "r#use"; kw_where: "where" => "r#where"; kw_while: "while" => "r#while";
        kw_abstract: "abstract" => "r#abstract"; kw_become: "become" => "r#become"; kw_box: "box" => "r#box";
        kw_do: "do" => "r#do"; kw_final: "final" => "r#final"; kw_macro: "macro" => "r#macro";
        kw_override: "override" => "r#override"; kw_priv: "priv" => "r#priv"; kw_typeof: "typeof" => "r#typeof";
        kw_unsized: "unsized" => "r#unsized"; kw_virtual: "virtual" => "r#virtual"; kw_yield: "yield" => "r#yield";
        kw_try: "try" => "r#try"; kw_gen: "gen" => "r#gen";
    }

    #[test]
    fn camel_self_is_not_raw() {
        assert_eq!(camel("self"), "Self_");
        assert!(syn::parse_str::<syn::Ident>(&camel("self")).is_ok());
    }

    #[test]
    fn leading_digits_get_a_prefix() {
        assert_eq!(snake("3pcc"), "_3pcc");
        assert_eq!(camel("24k_vox"), "_24kVox");
        assert!(syn::parse_str::<syn::Ident>(&camel("24k_vox")).is_ok());
    }

    #[test]
    fn punctuation_separates_words() {
        assert_eq!(snake("Content-Type"), "content_type");
        assert_eq!(snake("a.b c"), "a_b_c");
    }

    #[test]
    fn non_ascii_is_spelt_out() {
        assert_eq!(snake("café"), "caf_u00e9");
        assert_ne!(snake("café"), snake("cafe"));
        assert_eq!(snake("😀"), "u1f600");
    }

    #[test]
    fn empty_names_get_a_placeholder() {
        assert_eq!(snake(""), "_unnamed");
        assert_eq!(snake("--"), "_unnamed");
    }
}
