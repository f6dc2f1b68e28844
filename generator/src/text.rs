//! Characters that must not reach a generated file as they are.

/// Bidirectional-text controls can make text read differently from what it
/// is, and rustc refuses them in comments and literals.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}
