//! Markdown reference docs, rendered from the minijinja templates in `generator/templates/docs/`.
//!
//! The templates are compiled into the binary with `include_str!`, so the
//! generator needs no files at run time, yet the pages can be restyled without
//! touching Rust. Templates see the IR itself (serialized) plus small view
//! structs built here ([`pages`]) holding whatever needs formatting logic:
//! constraint wording, anchors, links, Rust signatures. Every spec string is
//! escaped by one of the `md_*` / `code*` filters ([`markdown`]), and undefined
//! variables are errors, never empty text.

mod human;
mod markdown;
mod pages;
mod rust_api;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::OutputFile;
use crate::ir::Api;

/// The templates, by name, as compiled into the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("macros.md.j2", include_str!("../../templates/docs/macros.md.j2")),
    ("readme.md.j2", include_str!("../../templates/docs/readme.md.j2")),
    ("summary.md.j2", include_str!("../../templates/docs/summary.md.j2")),
    ("interface.md.j2", include_str!("../../templates/docs/interface.md.j2")),
    ("errors.md.j2", include_str!("../../templates/docs/errors.md.j2")),
    ("events.md.j2", include_str!("../../templates/docs/events.md.j2")),
    ("book.toml.j2", include_str!("../../templates/docs/book.toml.j2")),
];

/// Emits the docs for `api`: paths under `docs/`.
pub fn emit(api: &Api) -> Result<Vec<OutputFile>, Diagnostics> {
    let env = environment()?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut render = |path: String, template: &str, ctx: minijinja::Value| match render_named(&env, template, &path, ctx) {
        Ok(contents) => files.push(OutputFile { path, contents }),
        Err(d) => problems.extend(d.0),
    };
    render("docs/book.toml".into(), "book.toml.j2", minijinja::Value::from_serialize(pages::book(api)));
    render("docs/README.md".into(), "readme.md.j2", minijinja::Value::from_serialize(pages::readme(api)));
    render("docs/SUMMARY.md".into(), "summary.md.j2", minijinja::Value::from_serialize(pages::summary(api)));
    render("docs/errors.md".into(), "errors.md.j2", minijinja::Value::from_serialize(pages::errors(api)));
    render("docs/events.md".into(), "events.md.j2", minijinja::Value::from_serialize(pages::events(api)));
    for it in &api.interfaces {
        render(pages::interface_path(it), "interface.md.j2", minijinja::Value::from_serialize(pages::interface(api, it)));
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
    env.add_filter("md_text", |s: &str| markdown::text(s));
    env.add_filter("md_cell", |s: &str| markdown::cell(s));
    env.add_filter("md_block", |s: &str| markdown::block(s));
    env.add_filter("code", |s: &str| markdown::code(s));
    env.add_filter("code_cell", |s: &str| markdown::code_cell(s));
    env.add_filter("fenced", |s: &str, lang: &str| markdown::fenced(s, lang));
    env.add_filter("anchor", |s: &str| markdown::slug(s));
    env.add_filter("toml_string", |s: &str| markdown::toml_string(s));
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(|e| template_error(name, "the templates", &e))?;
    }
    Ok(env)
}

/// Renders `source` as a template named `name` in [`environment`] with `ctx`;
/// errors are reported exactly as for the built-in templates. For tests.
#[doc(hidden)]
pub fn render_str(name: &str, source: &str, ctx: impl Serialize) -> Result<String, Diagnostics> {
    let mut env = environment()?;
    env.add_template_owned(name.to_owned(), source.to_owned()).map_err(|e| template_error(name, "an inline template", &e))?;
    render_named(&env, name, "an inline template", minijinja::Value::from_serialize(ctx))
}

fn render_named(env: &Environment<'_>, template: &str, what: &str, ctx: minijinja::Value) -> Result<String, Diagnostics> {
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
        Some((n, text.lines().nth(n.checked_sub(1)?)?.trim().to_owned()))
    });
    if let Some((n, text)) = line {
        d = d.label(format!("line {n}: {text}"));
        d = d.help(format!("templates/docs/{} line {n}: {text}", err.name().unwrap_or(template)));
    } else {
        d = d.help("the templates are in generator/templates/docs/");
    }
    Diagnostics::one(d)
}
