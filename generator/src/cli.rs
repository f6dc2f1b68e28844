//! What the `ccgen` command line decides before and after running a stage:
//! where the repository is, whether to colour, which exit code to return.
//! Kept in the library so it is tested without spawning the binary.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Exit code of `generate --check` when the output is stale.
pub const EXIT_STALE: u8 = 1;
/// Exit code of a command line clap rejects (clap's own choice).
pub const EXIT_USAGE: u8 = 2;
/// Exit code of `validate` and `generate` when the specs are invalid.
pub const EXIT_INVALID_SPECS: u8 = 3;
/// Exit code of `generate` when valid specs could not be written out (I/O, internal error).
pub const EXIT_NOT_WRITTEN: u8 = 4;

/// The help text's list of exit codes; the constants above are the truth.
pub const EXIT_CODES_HELP: &str = "Exit codes of validate and generate:
  0  success (with --check: generated/ is up to date)
  1  generate --check: generated/ is stale
  2  the command line is invalid
  3  the specs are invalid (every problem is printed, with file:line:column)
  4  the specs are valid but the output could not be written";

/// The repository root at or above `start`: the first folder holding
/// `spec/api.yaml`. Lets `ccgen generate` run from any subfolder.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| dir.join("spec").join("api.yaml").is_file()).map(Path::to_path_buf)
}

/// `explicit` as given, or `default` below the repository root found from
/// `cwd` (below `cwd` itself when there is none, so errors name the path).
pub fn resolve(explicit: Option<PathBuf>, default: &str, cwd: &Path) -> PathBuf {
    explicit.unwrap_or_else(|| find_root(cwd).unwrap_or_else(|| cwd.to_path_buf()).join(default))
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything
/// but the empty string (<https://no-color.org>).
pub fn use_colour(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// How much `validate` and `generate` print on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Nothing on success; failures still print their one-line reason.
    Quiet,
    /// A one-line summary (and the diff when stale).
    Normal,
    /// Also the paths used and every file written or removed.
    Verbose,
}

impl Verbosity {
    /// From the `--quiet` and `--verbose` flags (clap keeps them exclusive).
    pub fn from_flags(quiet: bool, verbose: bool) -> Self {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_from_any_subfolder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("spec/voicecall")).expect("mkdir");
        std::fs::create_dir_all(root.join("generator/src")).expect("mkdir");
        std::fs::write(root.join("spec/api.yaml"), "name: x\n").expect("write");
        for start in [root.to_path_buf(), root.join("generator/src"), root.join("spec/voicecall")] {
            assert_eq!(find_root(&start).as_deref(), Some(root), "from {}", start.display());
        }
        assert_eq!(resolve(None, "generated", &root.join("generator")), root.join("generated"));
        assert_eq!(resolve(Some("elsewhere".into()), "generated", root), PathBuf::from("elsewhere"));
    }

    #[test]
    fn without_a_root_defaults_stay_below_the_working_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(find_root(dir.path()), None);
        assert_eq!(resolve(None, "spec", dir.path()), dir.path().join("spec"));
    }

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(OsStr::new(""))), "an empty NO_COLOR does not count");
        assert!(!use_colour(true, Some(OsStr::new("1"))));
        assert!(!use_colour(false, None));
    }

    #[test]
    fn exit_codes_are_distinct_and_listed_in_the_help() {
        let codes = [0, EXIT_STALE, EXIT_USAGE, EXIT_INVALID_SPECS, EXIT_NOT_WRITTEN];
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len());
        for code in codes {
            assert!(EXIT_CODES_HELP.contains(&format!("\n  {code}  ")), "{code} missing from the help");
        }
    }
}
