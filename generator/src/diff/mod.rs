//! `ccgen diff`: what changed between two spec trees, judged for users of the generated crate.
//!
//! [`diff`] compares two checked [`Api`](crate::ir::Api)s and returns a [`Report`]: one [`Change`] per
//! difference. Each change is judged twice, on the **wire** (what the client sends and accepts)
//! and in the **Rust API** of the generated crate (what users' code compiles against), and its
//! `class` is the stricter of the two:
//!
//! - [`Class::Breaking`]: code written against the old generated crate may stop compiling, or
//!   requests it builds may now be refused (an interface removed or renamed, method or path
//!   changed, a parameter removed or made required, a type changed, a constraint narrowed, an
//!   allowed value removed, a result shape changed, a catalog entry removed, a wire setting of
//!   `api.yaml` changed: base path, content type, auth and token headers, envelope members,
//!   success code, default port);
//! - [`Class::Review`]: a change the tool cannot order, such as a different pattern; a person
//!   has to judge it;
//! - [`Class::Compatible`]: existing code keeps working (an interface, optional parameter,
//!   allowed value, event or error code added; a constraint widened);
//! - [`Class::Docs`]: only documentation changed (descriptions, summaries, titles, examples,
//!   prerequisites, quirks, catalog meanings); in the `rust` judgement, "the Rust API is
//!   unchanged".
//!
//! The generated crate is shaped so that additions stay compatible in Rust: every `Request` is
//! `#[non_exhaustive]` and built with `Request::new(required...)` plus `with_` setters, so an
//! added optional parameter is a new setter; the enums of allowed values, `ErrorCode`,
//! `EventKind`, `Event` and every `Response` are `#[non_exhaustive]`, so added values, codes,
//! events and fields break no `match` or pattern; every `Request` has `validate`, so a rule
//! removed does not remove a method. What remains breaking in Rust though compatible on the wire
//! is reported as such: a required parameter made optional (`Request::new` loses an argument, the
//! field becomes an `Option`; positional arguments cannot be kept for a value that may now be
//! left out), the arguments of `Request::new` reordered, an event or error code removed from an
//! interface (its public `EVENTS`/`ERRORS` const shrinks), the first parameter of an interface
//! that had no `Request` (the method gains an argument), a parameter gaining or losing its last
//! constraint (its type changes between a validated newtype or enum and a plain type), renamed
//! Rust names, an interface moving between `Client` and `Session`, and a variant of a fieldless
//! enum (allowed values, `EventKind`) inserted before existing ones or reordered (their implicit
//! discriminants change). `scripts/semver-oracle.sh` checks these verdicts against
//! cargo-semver-checks.
//!
//! [`Report::bump`] suggests the semver bump of the generated crate for its actual version, as
//! Cargo reads versions: from `1.0` on, `major` for breaking changes (review items count as
//! breaking here, to be safe), `minor` for compatible ones, `patch` for docs only; for `0.x`
//! the breaking bump is `minor` and everything else `patch`; for `0.0.x` every change is a
//! `patch` (each is breaking to Cargo); `none` when nothing changed. [`crate_version`] reads
//! the version from the workspace's `Cargo.toml`.
//!
//! Interfaces are matched by operation name, then by spec file: an interface whose file stays
//! but whose operation name changes is a rename (breaking); one whose operation stays but whose
//! file moves changes module path (breaking). Members the comparison does not know by name
//! (added to the IR later) are still compared, through their serialized form, and reported as
//! `review`.
//!
//! [`FailOn`] turns the report into an exit status for CI: `--fail-on breaking` fails on
//! breaking changes and on changes to review, which may be breaking and which the bump counts
//! as breaking (`review` is the same gate, by its older name); `compatible` on anything but
//! docs, `docs` on any change.
//!
//! Rendering: [`render_text`], [`render_markdown`], [`render_json`]. The JSON output is
//! `{"crate_version", "next_version", "bump": "none"|"patch"|"minor"|"major", "counts":
//! {"breaking", "review", "compatible", "docs"}, "changes": [{"class", "wire", "rust", "kind",
//! "area", "interface", "source", "subject", "message"}]}` with the names of [`Class`],
//! [`Kind`] and [`Area`] in snake_case; these field names are stable. `bump` is on the scale of
//! `crate_version` (a `0.x` crate with breaking changes gets `minor`).
//!
//! Reading a spec tree at a git revision without a checkout: [`read_git`]. Loading and checking
//! either side: [`load_tree`]. The command line: [`cli`] (exit status 0, 1 when `--fail-on` is
//! met, 3 when a tree cannot be read or does not check, 2 when the crate version is unknown).

mod compare;
mod git;
mod render;
mod version;

pub mod cli;

use serde::Serialize;

pub use compare::{diff, diff_known};
pub use git::{read_git, read_git_dir};
pub use render::{render_changelog, render_json, render_markdown, render_text};
pub use version::{crate_version, next_version};

/// How a change affects users of the generated crate, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Existing code may stop compiling, or requests it builds may be refused.
    Breaking,
    /// Changed in a way the tool cannot order; a person has to judge it.
    Review,
    /// Existing code keeps working.
    Compatible,
    /// Documentation only.
    Docs,
}

impl Class {
    /// Every class, most severe first.
    pub const ALL: [Class; 4] = [Class::Breaking, Class::Review, Class::Compatible, Class::Docs];

    /// The word used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Review => "review",
            Class::Compatible => "compatible",
            Class::Docs => "docs",
        }
    }

    /// Words for headings and summaries.
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Review => "review",
            Class::Compatible => "compatible",
            Class::Docs => "docs only",
        }
    }
}

/// What kind of difference a change is; stable names for tools reading the JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    InterfaceAdded,
    /// `Request::new` takes the same required values in another order.
    ArgumentsReordered,
    /// Existing variants of a generated fieldless enum change position (a value inserted before
    /// them, or reordered): their discriminants and derived order change.
    VariantsShifted,
    InterfaceRemoved,
    /// Same spec file, different operation name: the method is renamed.
    InterfaceRenamed,
    /// Same operation, different spec file: the module path changes.
    InterfaceMoved,
    MethodChanged,
    PathChanged,
    SessionChanged,
    AuthChanged,
    ParamAdded,
    ParamRemoved,
    ParamMadeRequired,
    ParamMadeOptional,
    ParamMoved,
    ParamChanged,
    TypeChanged,
    DefaultChanged,
    ConstraintNarrowed,
    ConstraintWidened,
    ConstraintChanged,
    ValueAdded,
    ValueRemoved,
    ValueRenamed,
    RuleAdded,
    RuleRemoved,
    RuleChanged,
    ResultChanged,
    FieldAdded,
    FieldRemoved,
    FieldMadeRequired,
    FieldMadeOptional,
    ResponseHeaderAdded,
    ResponseHeaderRemoved,
    ResponseHeaderChanged,
    EventAdded,
    EventRemoved,
    ErrorAdded,
    ErrorRemoved,
    NameChanged,
    PayloadChanged,
    SettingChanged,
    /// A member the comparison does not know by name changed (needs review).
    OtherChanged,
    Docs,
}

/// Which part of the API a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// `api.yaml`.
    Api,
    /// One interface file.
    Interface,
    /// `errors.yaml`.
    Errors,
    /// `events.yaml`.
    Events,
}

/// One difference between the old and the new tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The stricter of `wire` and `rust`.
    pub class: Class,
    /// What the change means for requests and responses on the wire.
    pub wire: Class,
    /// What the change means for code compiled against the generated crate (`docs`: unchanged).
    pub rust: Class,
    pub kind: Kind,
    pub area: Area,
    /// Operation name (the new one when renamed); set when `area` is `interface`.
    pub interface: Option<String>,
    /// Spec file relative to the spec directory, e.g. `mediacall/transfer.yaml` (the new one when moved).
    pub source: String,
    /// What changed within the file, e.g. ``body parameter `mode` ``; empty for the file as a whole.
    pub subject: String,
    /// The change in words.
    pub message: String,
}

/// The suggested semver bump of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// Every change between two trees, in a fixed order: `api.yaml`, interfaces by spec file,
/// `errors.yaml`, `events.yaml`; within each, most severe first, then in spec order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    /// Number of changes of one class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// True when the trees are equivalent.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The most severe class present.
    pub fn worst(&self) -> Option<Class> {
        self.changes.iter().map(|c| c.class).min()
    }

    /// The suggested semver bump of a crate at `version`, as Cargo reads it; review items count
    /// as breaking.
    pub fn bump(&self, version: &semver::Version) -> Bump {
        let Some(worst) = self.worst() else { return Bump::None };
        let breaking = matches!(worst, Class::Breaking | Class::Review);
        match (version.major, version.minor) {
            (0, 0) => Bump::Patch,
            (0, _) if breaking => Bump::Minor,
            (0, _) => Bump::Patch,
            _ if breaking => Bump::Major,
            _ if worst == Class::Compatible => Bump::Minor,
            _ => Bump::Patch,
        }
    }

    /// True when `fail_on` asks to fail on a change present in the report.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        let worst_allowed = match fail_on {
            // A change to review may be breaking: a gate that let it
            // through would judge milder than the bump does.
            FailOn::Breaking | FailOn::Review => Class::Review,
            FailOn::Compatible => Class::Compatible,
            FailOn::Docs => Class::Docs,
        };
        self.worst().is_some_and(|w| w <= worst_allowed)
    }

    /// Changes grouped by file: (area, operation, source, changes).
    pub fn groups(&self) -> Vec<Group<'_>> {
        let mut groups: Vec<Group<'_>> = Vec::new();
        for c in &self.changes {
            match groups.last_mut() {
                Some(g) if g.area == c.area && g.source == c.source => g.changes.push(c),
                _ => groups.push(Group {
                    area: c.area,
                    interface: c.interface.as_deref(),
                    source: &c.source,
                    changes: vec![c],
                }),
            }
        }
        groups
    }
}

/// Changes of one spec file.
#[derive(Debug)]
pub struct Group<'a> {
    pub area: Area,
    pub interface: Option<&'a str>,
    pub source: &'a str,
    pub changes: Vec<&'a Change>,
}

/// The least severe class that makes `ccgen diff --fail-on` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on breaking changes and on changes to review: a person must
    /// judge those, and until then they count as breaking, as in the bump.
    Breaking,
    /// The same as `breaking`.
    Review,
    /// Fail on anything but documentation changes.
    Compatible,
    /// Fail on any change.
    Docs,
}

/// Loads and checks one side of a comparison from its raw files; `display_root` names the tree
/// in diagnostics (e.g. `spec` or `HEAD~1:spec`).
pub fn load_tree(
    display_root: &str,
    files: &[crate::load::RawFile],
) -> Result<crate::ir::Api, crate::diag::Diagnostics> {
    let loaded = crate::load::load(display_root, files)?;
    crate::check::check(&loaded)
}
