//! A retcode type for unit tests that need one but not its values.

use std::fmt;

use crate::RetCode;

#[derive(Debug, Clone)]
pub(crate) struct Code;

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("code")
    }
}

impl RetCode for Code {
    fn from_code(_: &str) -> Self {
        Code
    }

    fn code(&self) -> &str {
        "code"
    }
}
