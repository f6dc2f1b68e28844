//! The version of the generated crate, which the suggested bump is measured from.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};

use super::Bump;

/// The crate version declared by the `Cargo.toml` in `dir` or the nearest folder above it that
/// declares one (`[workspace.package] version`, or a literal `[package] version`).
///
/// # Errors
///
/// No readable `Cargo.toml` up the tree declares a version, or the version is not semver; the
/// caller then refuses to suggest a bump rather than guess the scale.
pub fn crate_version(dir: &Path) -> Result<semver::Version, Diagnostics> {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for folder in start.ancestors() {
        let manifest = folder.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else { continue };
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| Diagnostics::one(Diagnostic::new(format!("{}: not valid TOML: {e}", manifest.display()))))?;
        let declared = table
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(|p| p.get("version"))
            .or_else(|| table.get("package").and_then(|p| p.get("version")))
            .and_then(toml::Value::as_str);
        if let Some(v) = declared {
            return semver::Version::parse(v).map_err(|e| {
                Diagnostics::one(Diagnostic::new(format!("{}: version {v:?} is not semver: {e}", manifest.display())))
            });
        }
    }
    Err(Diagnostics::one(Diagnostic::new(format!(
        "no Cargo.toml in {} or above declares the crate's version; pass --crate-version so the bump is on the right scale",
        dir.display()
    ))))
}

/// The version after `bump`.
pub fn next_version(version: &semver::Version, bump: Bump) -> semver::Version {
    let (major, minor, patch) = (version.major, version.minor, version.patch);
    match bump {
        Bump::None => version.clone(),
        Bump::Patch => semver::Version::new(major, minor, patch + 1),
        Bump::Minor => semver::Version::new(major, minor + 1, 0),
        Bump::Major => semver::Version::new(major + 1, 0, 0),
    }
}
