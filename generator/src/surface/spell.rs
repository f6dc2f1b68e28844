//! Syntax spelled as the surface listing spells tokens ([`super::tokens`]),
//! without building them. Listing the public items of every module spent
//! most of its time turning types and signatures into token streams and
//! those into text.
//!
//! Each node either spells itself exactly as the tokens would read, or
//! declines (`None`) and is spelled by its tokens: only what the emitters
//! write is spelled here. `tests::every_node_spells_as_its_tokens` holds
//! the two spellings equal over the generated crate and over the shapes
//! this module declines.

use std::fmt::Write as _;

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{
    Attribute, FnArg, GenericArgument, GenericParam, Generics, Lifetime, Meta, Pat, Path, PathArguments, ReceiverKind,
    ReturnType, Signature, Type, TypeParamBound,
};

/// A node [`super::text`] may spell without tokens.
pub(super) trait Spell: ToTokens {
    /// Appends the node's spelling to `out`; `None` (with `out` in any
    /// state) when it declines.
    fn spell(&self, out: &mut String) -> Option<()>;
}

impl Spell for Type {
    fn spell(&self, out: &mut String) -> Option<()> {
        match self {
            Type::Path(p) if p.attrs.is_empty() && p.qself.is_none() => p.path.spell(out),
            Type::Reference(r) if r.attrs.is_empty() => {
                out.push('&');
                if let Some(l) = &r.lifetime {
                    lifetime(l, out);
                    out.push(' ');
                }
                if r.mutability.is_some() {
                    out.push_str("mut ");
                }
                r.elem.spell(out)
            }
            Type::Slice(s) if s.attrs.is_empty() => {
                out.push('[');
                s.elem.spell(out)?;
                out.push(']');
                Some(())
            }
            // Tokens give one element a trailing comma, whether or not the
            // tree has one.
            Type::Tuple(t) if t.attrs.is_empty() && t.elems.len() != 1 && !t.elems.trailing_punct() => {
                open_paren(out);
                list(&t.elems, out, |t, out| t.spell(out))?;
                out.push(')');
                Some(())
            }
            Type::ImplTrait(t) if t.attrs.is_empty() => {
                out.push_str("impl ");
                bounds(&t.bounds, out)
            }
            Type::Never(t) if t.attrs.is_empty() => {
                out.push('!');
                Some(())
            }
            Type::Infer(t) if t.attrs.is_empty() => {
                out.push('_');
                Some(())
            }
            _ => None,
        }
    }
}

impl Spell for Path {
    fn spell(&self, out: &mut String) -> Option<()> {
        // A leading `::` after other tokens shrinks unlike a path's own; a
        // trailing one only a built tree can hold.
        if self.leading_colon.is_some() || self.segments.trailing_punct() {
            return None;
        }
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push_str("::");
            }
            write!(out, "{}", segment.ident).ok()?;
            match &segment.arguments {
                PathArguments::None => {}
                // Tokens put lifetimes first, whatever the order.
                PathArguments::AngleBracketed(args)
                    if !args.args.trailing_punct()
                        && lifetimes_first(&args.args, |a| matches!(a, GenericArgument::Lifetime(_))) =>
                {
                    if args.colon2_token.is_some() {
                        out.push_str("::");
                    }
                    out.push('<');
                    list(&args.args, out, |arg, out| match arg {
                        GenericArgument::Lifetime(l) => {
                            lifetime(l, out);
                            Some(())
                        }
                        GenericArgument::Type(t) => t.spell(out),
                        _ => None,
                    })?;
                    out.push('>');
                }
                _ => return None,
            }
        }
        Some(())
    }
}

impl Spell for Generics {
    /// The parameters only, as their tokens hold them (the `where` clause
    /// is not part of them).
    fn spell(&self, out: &mut String) -> Option<()> {
        if self.params.is_empty() {
            return Some(());
        }
        // Tokens put lifetimes first, whatever the order.
        if self.params.trailing_punct() || !lifetimes_first(&self.params, |p| matches!(p, GenericParam::Lifetime(_))) {
            return None;
        }
        out.push('<');
        list(&self.params, out, |param, out| match param {
            GenericParam::Lifetime(l) if l.attrs.is_empty() && l.bounds.is_empty() => {
                lifetime(&l.lifetime, out);
                Some(())
            }
            GenericParam::Type(t)
                if t.attrs.is_empty() && t.default.is_none() && t.colon_token.is_some() != t.bounds.is_empty() =>
            {
                write!(out, "{}", t.ident).ok()?;
                if !t.bounds.is_empty() {
                    out.push_str(": ");
                    bounds(&t.bounds, out)?;
                }
                Some(())
            }
            _ => None,
        })?;
        out.push('>');
        Some(())
    }
}

impl Spell for Signature {
    fn spell(&self, out: &mut String) -> Option<()> {
        let plain = self.abi.is_none() && self.variadic.is_none() && self.generics.where_clause.is_none();
        if !plain || self.inputs.trailing_punct() {
            return None;
        }
        let qualifiers = [
            (self.constness.is_some(), "const "),
            (self.asyncness.is_some(), "async "),
            (matches!(self.safety, syn::Safety::Unsafe(_)), "unsafe "),
            (matches!(self.safety, syn::Safety::Safe(_)), "safe "),
        ];
        for (present, word) in qualifiers {
            if present {
                out.push_str(word);
            }
        }
        write!(out, "fn {}", self.ident).ok()?;
        self.generics.spell(out)?;
        out.push('(');
        list(&self.inputs, out, argument)?;
        out.push(')');
        if let ReturnType::Type(_, ty) = &self.output {
            out.push_str(" -> ");
            ty.spell(out)?;
        }
        Some(())
    }
}

impl Spell for Attribute {
    /// `#[path]`, or `#[path(list)]` with the list spelled as its tokens
    /// read (only a derive, `non_exhaustive` or `repr` is listed).
    fn spell(&self, out: &mut String) -> Option<()> {
        if !matches!(self.style, syn::AttrStyle::Outer) {
            return None;
        }
        out.push_str("#[");
        match &self.meta {
            // An attribute's path is spelled without arguments.
            Meta::Path(path) if bare(path) => path.spell(out)?,
            Meta::List(list) if matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) && bare(&list.path) => {
                list.path.spell(out)?;
                out.push('(');
                out.push_str(&super::shrink_tokens(list.tokens.to_string()));
                out.push(')');
            }
            _ => return None,
        }
        out.push(']');
        Some(())
    }
}

/// True when no lifetime in `items` follows an item of another kind: the
/// order tokens put them in.
fn lifetimes_first<T, P>(items: &Punctuated<T, P>, is_lifetime: impl Fn(&T) -> bool) -> bool {
    let mut others = items.iter().skip_while(|item| is_lifetime(item));
    !others.any(&is_lifetime)
}

/// True when no segment of `path` has arguments.
fn bare(path: &Path) -> bool {
    path.segments.iter().all(|s| s.arguments.is_none())
}

/// One parameter of a signature.
fn argument(arg: &FnArg, out: &mut String) -> Option<()> {
    match arg {
        FnArg::Receiver(r) if r.attrs.is_empty() => {
            match &r.kind {
                ReceiverKind::Value if r.mutability.is_some() => out.push_str("mut "),
                ReceiverKind::Value => {}
                ReceiverKind::Reference(_, l, mutability) if r.mutability.is_none() => {
                    out.push('&');
                    if let Some(l) = l {
                        lifetime(l, out);
                        out.push(' ');
                    }
                    if mutability.is_some() {
                        out.push_str("mut ");
                    }
                }
                _ => return None,
            }
            out.push_str("self");
            Some(())
        }
        FnArg::Typed(t) if t.attrs.is_empty() => {
            let Pat::Ident(p) = &*t.pat else { return None };
            if !p.attrs.is_empty() || p.by_ref.is_some() || p.subpat.is_some() {
                return None;
            }
            if p.mutability.is_some() {
                out.push_str("mut ");
            }
            write!(out, "{}: ", p.ident).ok()?;
            t.ty.spell(out)
        }
        _ => None,
    }
}

/// Trait and lifetime bounds, joined by `+`.
fn bounds<P>(bounds: &Punctuated<TypeParamBound, P>, out: &mut String) -> Option<()> {
    if bounds.trailing_punct() {
        return None;
    }
    for (i, bound) in bounds.iter().enumerate() {
        if i > 0 {
            out.push_str(" + ");
        }
        match bound {
            TypeParamBound::Trait(t) if t.paren_token.is_none() && t.maybe.is_none() && t.lifetimes.is_none() => {
                t.path.spell(out)?
            }
            TypeParamBound::Lifetime(l) => lifetime(l, out),
            _ => return None,
        }
    }
    Some(())
}

/// The members of `items` joined by `, `.
fn list<T, P>(
    items: &Punctuated<T, P>,
    out: &mut String,
    mut each: impl FnMut(&T, &mut String) -> Option<()>,
) -> Option<()> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        each(item, out)?;
    }
    Some(())
}

fn lifetime(l: &Lifetime, out: &mut String) {
    out.push('\'');
    let _ = write!(out, "{}", l.ident);
}

/// An opening parenthesis: tokens lose the space before one.
fn open_paren(out: &mut String) {
    if out.ends_with(' ') {
        out.pop();
    }
    out.push('(');
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::visit::Visit;

    /// Every node of a kind [`Spell`] knows, from the files visited: how
    /// many spelled themselves, and how many declined.
    #[derive(Default)]
    struct Compare {
        spelled: usize,
        declined: Vec<String>,
    }

    impl Compare {
        fn node(&mut self, node: &impl Spell) {
            let mut out = String::new();
            let tokens = super::super::tokens(node);
            match node.spell(&mut out) {
                Some(()) => {
                    assert_eq!(out, tokens, "spelled unlike its tokens");
                    self.spelled += 1;
                }
                None => self.declined.push(tokens),
            }
        }
    }

    impl<'ast> Visit<'ast> for Compare {
        fn visit_type(&mut self, node: &'ast Type) {
            self.node(node);
            syn::visit::visit_type(self, node);
        }
        fn visit_path(&mut self, node: &'ast Path) {
            self.node(node);
            syn::visit::visit_path(self, node);
        }
        fn visit_generics(&mut self, node: &'ast Generics) {
            self.node(node);
            syn::visit::visit_generics(self, node);
        }
        fn visit_signature(&mut self, node: &'ast Signature) {
            self.node(node);
            syn::visit::visit_signature(self, node);
        }
        fn visit_attribute(&mut self, node: &'ast Attribute) {
            self.node(node);
            syn::visit::visit_attribute(self, node);
        }
    }

    /// The shapes spelled in their own way, and those declined.
    const SHAPES: &str = r#"
        pub struct S<'a, T: Into<String> + 'a, U>(&'a T, U);
        pub struct L<T, 'a>(T, &'a ());
        pub struct D<T = u8, const N: usize = 1, V: ?Sized>(T, [u8; N], V);
        pub struct W<T:>(T);
        impl<'de, T> serde::Deserialize<'de> for S<'de, T, ()> {}
        impl<T> From<Vec<(u8, (u16, ()))>> for ::std::Thing<T> {}
        pub fn f(&self, a: &'static str, mut b: Vec<(A, B)>, c: (), d: impl Fn(u8) -> u8) -> ! {}
        pub fn g<T>(self: Box<Self>, (a, b): (u8, u8), ref c: u8, d: &mut &mut [&'a mut u8]) -> (u8,) where T: Clone {}
        pub async fn h(mut self, x: Result<(), Vec<()>>) -> impl Iterator<Item = u8> + Send + 'static {}
        pub const unsafe fn i<'a>(&'a mut self, x: <T as Tr>::Out, y: fn(u8), z: dyn Tr, w: *const u8, v: Vec<u8,>) -> () {}
        pub unsafe extern "C" fn j(x: u8, ...) {}
        #[derive(Debug, Clone, serde::Serialize)] #[non_exhaustive] #[repr(u8)] #[cfg_attr(test, derive(Eq))]
        #[doc = "x"] #[serde(rename = "y")] #[derive{Debug}] #[a = 1] pub enum E { A }
        pub type T = Option<Vec<&'static [Option<u8>]>>;
        pub static R: &[fn()] = &[];
        pub const C: &[(&str, u8)] = &[];
        pub fn k() -> Vec::<u8> {}
        pub fn u(c: (), d: (u8, ()), e: &mut (), f: Result<Vec<u8>, ()>) -> (u8, u8) {}
        pub fn v(a: S<T, 'a>, b: S<'a, T>) {}
        pub fn r#type(r#in: r#mod::r#fn) {}
    "#;

    /// Shapes only a tree built in code can hold, not one parsed from text.
    #[test]
    fn built_shapes_spell_as_their_tokens_or_decline() {
        let mut one: syn::TypeTuple = syn::parse_quote! { (u8,) };
        one.elems.pop_punct();
        let mut trailing: syn::Path = syn::parse_quote! { a::b };
        trailing.segments.push_punct(Default::default());
        let mut shapes = Compare::default();
        shapes.node(&Type::Tuple(one));
        shapes.node(&trailing);
        let mut attr: Attribute = syn::parse_quote! { #[a::b] };
        if let Meta::Path(path) = &mut attr.meta {
            path.segments[1].arguments = PathArguments::AngleBracketed(syn::parse_quote! { <T> });
        }
        shapes.node(&attr);
        assert_eq!((shapes.spelled, shapes.declined.len()), (0, 3), "{:?}", shapes.declined);
    }

    /// Whatever it spells it spells as the tokens read: over every node of
    /// the generated crate's trees as the emitter builds them (nearly all
    /// of which it spells), and over shapes spelled in their own way or
    /// declined.
    #[test]
    fn every_node_spells_as_its_tokens() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let api = crate::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
        let mut crate_nodes = Compare::default();
        for mut module in crate::emit::rust::modules(&api) {
            crate_nodes.visit_file(&module.syntax().unwrap());
        }
        // Docs are not listed; nearly everything else spells itself.
        crate_nodes.declined.retain(|t| !t.starts_with("#[doc = ") && !t.starts_with("# ! [doc = "));
        assert!(crate_nodes.spelled > 10_000, "{}", crate_nodes.spelled);
        assert!(crate_nodes.declined.len() * 200 < crate_nodes.spelled, "{:#?}", crate_nodes.declined);

        let mut shapes = Compare::default();
        shapes.visit_file(&syn::parse_file(SHAPES).unwrap());
        assert!(shapes.spelled > 100 && shapes.declined.len() > 20, "{} {:#?}", shapes.spelled, shapes.declined);
    }
}
