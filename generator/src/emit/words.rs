//! Limits in words, shared by the Rust doc comments and the markdown pages so
//! both say the same thing the same way.

/// `101–59999`, `exactly 5`, or `-5 to 10` when a bound is negative (a dash would read as a minus).
pub fn span(min: i64, max: i64) -> String {
    if min == max {
        format!("exactly {min}")
    } else if min < 0 || max < 0 {
        format!("{min} to {max}")
    } else {
        format!("{min}–{max}")
    }
}

/// `at most 24 characters`, `1–24 characters`, `exactly 1 byte`.
pub fn length(min: u64, max: u64, unit: &str) -> String {
    let units = |n: u64| if n == 1 { unit.to_owned() } else { format!("{unit}s") };
    if min == max {
        format!("exactly {max} {}", units(max))
    } else if min == 0 {
        format!("at most {max} {}", units(max))
    } else {
        format!("{min}–{max} {}", units(max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_naturally() {
        assert_eq!(span(101, 59999), "101–59999");
        assert_eq!(span(-5, 10), "-5 to 10");
        assert_eq!(span(3, 3), "exactly 3");
        assert_eq!(length(0, 24, "character"), "at most 24 characters");
        assert_eq!(length(1, 24, "character"), "1–24 characters");
        assert_eq!(length(1, 1, "byte"), "exactly 1 byte");
    }
}
