//! Markdown reference docs, rendered from the minijinja templates in `generator/templates/docs/`.
//!
//! The templates are compiled into the binary with `include_str!`, so the
//! generator needs no files at run time, yet the pages can be restyled without
//! touching Rust. Templates see the IR itself (serialized) plus small view
//! structs built here ([`pages`]) holding whatever needs formatting logic:
//! constraint wording, anchors, links, Rust signatures, and the table cells of
//! the per-interface page. Every spec string is escaped by a function of
//! [`markdown`]: in the template through one of the `md_*` / `code*` filters, or
//! in a view field whose name ends in `_md`. Undefined variables are errors,
//! never empty text.

mod human;
mod markdown;
pub(crate) mod pages;
mod rust_api;
mod sequence;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::OutputFile;
use crate::ir::{Api, Interface};

/// The templates, by name, as compiled into the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("macros.md.j2", include_str!("../../templates/docs/macros.md.j2")),
    ("readme.md.j2", include_str!("../../templates/docs/readme.md.j2")),
    ("summary.md.j2", include_str!("../../templates/docs/summary.md.j2")),
    ("interface.md.j2", include_str!("../../templates/docs/interface.md.j2")),
    ("errors.md.j2", include_str!("../../templates/docs/errors.md.j2")),
    ("events.md.j2", include_str!("../../templates/docs/events.md.j2")),
    ("book.toml.j2", include_str!("../../templates/docs/book.toml.j2")),
    ("getting-started.md.j2", include_str!("../../templates/docs/getting-started.md.j2")),
];

/// Emits the docs for `api`: paths under `docs/`.
pub fn emit(api: &Api) -> Result<Vec<OutputFile>, Diagnostics> {
    emit_except(api, &|_| false)
}

/// [`emit`] without the page of each interface `skip` names: the caller has
/// that page already (see `crate::incremental`).
pub fn emit_except(api: &Api, skip: &(dyn Fn(&Interface) -> bool + Sync)) -> Result<Vec<OutputFile>, Diagnostics> {
    use rayon::prelude::*;
    let env = environment()?;
    let catalog = pages::CatalogAnchors::new(api);
    // The API-wide pages, then one page per interface, all on every core;
    // collected in this order whatever the scheduling.
    type Page<'a> = (String, &'static str, Box<dyn Fn() -> Value + Send + Sync + 'a>);
    let mut wide: Vec<Page<'_>> = vec![
        ("docs/book.toml".into(), "book.toml.j2", Box::new(|| to_value(pages::book(api)))),
        ("docs/README.md".into(), "readme.md.j2", Box::new(|| to_value(pages::readme(api)))),
        ("docs/SUMMARY.md".into(), "summary.md.j2", Box::new(|| to_value(pages::summary(api)))),
        ("docs/errors.md".into(), "errors.md.j2", Box::new(|| to_value(pages::errors(api)))),
        ("docs/events.md".into(), "events.md.j2", Box::new(|| to_value(pages::events(api)))),
    ];
    if let Some(chapter) = pages::getting_started(api) {
        let chapter = to_value(chapter);
        wide.push(("docs/getting-started.md".into(), "getting-started.md.j2", Box::new(move || chapter.clone())));
    }
    let interfaces = api.interfaces.iter().filter(|it| !skip(it)).map(|it| -> Page<'_> {
        let catalog = &catalog;
        (pages::interface_path(it), "interface.md.j2", Box::new(move || to_value(pages::interface(api, it, catalog))))
    });
    let all: Vec<Page<'_>> = wide.into_iter().chain(interfaces).collect();
    let rendered: Vec<(String, Result<String, Diagnostics>)> = all
        .into_par_iter()
        .map(|(path, template, context)| {
            let page = render_named(&env, template, &path, context());
            let page = page.map(|contents| if path.ends_with(".md") { markdown::tidy(&contents) } else { contents });
            (path, page)
        })
        .collect();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (path, page) in rendered {
        match page {
            Ok(contents) => files.push(OutputFile { path, contents }),
            Err(d) => problems.extend(d.0),
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The template environment every page is rendered with: strict about
/// undefined values, no HTML auto-escaping (markdown is escaped by filters),
/// block tags on their own lines leave no blank lines behind.
#[doc(hidden)]
pub fn environment() -> Result<Environment<'static>, Diagnostics> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let syntax = SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).keep_trailing_newline(true).build();
    env.set_syntax(syntax.map_err(|e| template_error("(syntax)", "the template syntax", &e))?);
    env.add_filter("md_text", |v: &Value| text_arg("md_text", v).map(|s| markdown::text(&s)));
    env.add_filter("md_cell", |v: &Value| text_arg("md_cell", v).map(|s| markdown::cell(&s)));
    env.add_filter("md_block", |v: &Value| text_arg("md_block", v).map(|s| markdown::block(&s)));
    env.add_filter("code", |v: &Value| text_arg("code", v).map(|s| markdown::code(&s)));
    env.add_filter("code_cell", |v: &Value| text_arg("code_cell", v).map(|s| markdown::code_cell(&s)));
    env.add_filter("fenced", |v: &Value, lang: &str| text_arg("fenced", v).map(|s| markdown::fenced(&s, lang)));
    env.add_filter("anchor", |v: &Value| text_arg("anchor", v).map(|s| markdown::slug(&s)));
    env.add_filter("toml_string", |v: &Value| text_arg("toml_string", v).map(|s| markdown::toml_string(&s)));
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(|e| template_error(name, "the templates", &e))?;
    }
    Ok(env)
}

/// The text a filter formats: a string or number; undefined and none are errors, never empty text.
fn text_arg(filter: &str, v: &Value) -> Result<String, minijinja::Error> {
    if v.is_undefined() {
        return Err(minijinja::Error::new(
            ErrorKind::UndefinedError,
            format!("`{filter}` was given an undefined value"),
        ));
    }
    if v.is_none() {
        return Err(minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("`{filter}` was given none (an absent optional field); test it with `{{% if %}}` first"),
        ));
    }
    match v.as_str() {
        Some(s) => Ok(s.to_owned()),
        None if v.is_number() => Ok(v.to_string()),
        None => Err(minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("`{filter}` expects text, got {}", v.kind()),
        )),
    }
}

/// Renders `source` as a template named `name` in [`environment`] with `ctx`;
/// errors are reported exactly as for the built-in templates. For tests.
#[doc(hidden)]
pub fn render_str(name: &str, source: &str, ctx: impl Serialize) -> Result<String, Diagnostics> {
    let mut env = environment()?;
    env.add_template_owned(name.to_owned(), source.to_owned())
        .map_err(|e| template_error(name, "an inline template", &e))?;
    render_named(&env, name, "an inline template", to_value(ctx))
}

fn render_named(env: &Environment<'_>, template: &str, what: &str, ctx: Value) -> Result<String, Diagnostics> {
    let t = env.get_template(template).map_err(|e| template_error(template, what, &e))?;
    t.render(ctx).map_err(|e| template_error(template, what, &e))
}

/// A diagnostic naming the template, the output being rendered and minijinja's error with its line.
fn template_error(template: &str, what: &str, err: &minijinja::Error) -> Diagnostics {
    let mut message = format!("docs template `{template}` failed while rendering {what}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    let mut d = Diagnostic::new(message);
    let line = err.line().and_then(|n| {
        let name = err.name().unwrap_or(template);
        let text = TEMPLATES.iter().find(|(t, _)| *t == name).map(|(_, s)| *s)?;
        Some((name, n, text.lines().nth(n.checked_sub(1)?)?.trim().to_owned()))
    });
    if let Some((name, n, text)) = line {
        d = d.help(format!("generator/templates/docs/{name} line {n} reads: {text}"));
    } else {
        d = d.help("the templates are in generator/templates/docs/");
    }
    Diagnostics::one(d)
}

/// A template context from anything serializable (the IR and the view structs).
fn to_value(v: impl Serialize) -> Value {
    Value::from(minijinja::value::Serde(v))
}
