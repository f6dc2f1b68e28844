//! Syntax trees built directly, for the items every interface repeats: its
//! descriptor and tables, its `Request` and result types, its session method.
//!
//! The rest of the crate is spelled with `quote!` and parsed back, which is
//! the easier read; for these items, parsing the tokens back was the largest
//! part of a fresh generation, so they skip it. Each builder makes the tree
//! the parser makes of the same text, up to a trailing comma the formatter
//! decides itself, so the output is the same byte for byte: the tests below
//! compare builders with the parser, and `generated_is_fresh` the whole crate.

use proc_macro2::{Literal, Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Item, Type};

use super::ident;

/// `a::b::C`, every segment without arguments; a leading `::` is not supported.
pub(crate) fn path(text: &str) -> syn::Path {
    // Split at every colon: no identifier holds one, and a one-character
    // pattern is found without setting up a substring search per path.
    debug_assert!(text.split("::").all(|s| !s.is_empty() && !s.contains(':')), "not a plain path: {text}");
    let segments = text.split(':').filter(|s| !s.is_empty()).map(|s| syn::PathSegment::from(ident(s)));
    syn::Path { leading_colon: None, segments: segments.collect() }
}

/// `text` with `args` on its last segment: `Vec<T>` for a type, `f::<T>`
/// when `turbofish` (an expression's path).
pub(crate) fn path_with(text: &str, args: impl IntoIterator<Item = Type>, turbofish: bool) -> syn::Path {
    let mut path = path(text);
    let args = syn::AngleBracketedGenericArguments {
        colon2_token: turbofish.then(Default::default),
        lt_token: Default::default(),
        args: args.into_iter().map(syn::GenericArgument::Type).collect(),
        gt_token: Default::default(),
    };
    if let Some(last) = path.segments.last_mut() {
        last.arguments = syn::PathArguments::AngleBracketed(args);
    }
    path
}

/// A path as an expression: `a::b::C`.
pub(crate) fn expr_path(path: syn::Path) -> Expr {
    Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path })
}

/// `a::b::C` as an expression: a variable, a constant, a function.
pub(crate) fn named(text: &str) -> Expr {
    expr_path(path(text))
}

/// `function(args...)`, the function named by its path.
pub(crate) fn call_of(function: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    call(named(function), args)
}

/// A path as a type: `a::b::C`.
pub(crate) fn type_path(path: syn::Path) -> Type {
    Type::Path(syn::TypePath { attrs: Vec::new(), qself: None, path })
}

/// The type named by a path: `a::b::C`.
pub(crate) fn named_type(text: &str) -> Type {
    type_path(path(text))
}

/// `Outer<args...>` as a type.
pub(crate) fn generic(outer: &str, args: impl IntoIterator<Item = Type>) -> Type {
    type_path(path_with(outer, args, false))
}

/// `_`, the type left to inference.
pub(crate) fn infer() -> Type {
    Type::Infer(syn::TypeInfer { attrs: Vec::new(), underscore_token: Default::default() })
}

/// `()`.
pub(crate) fn unit() -> Type {
    Type::Tuple(syn::TypeTuple { attrs: Vec::new(), paren_token: Default::default(), elems: Punctuated::new() })
}

/// `&[elem]`, or `&'lifetime [elem]`.
pub(crate) fn slice_ref(elem: Type, lifetime: Option<&str>) -> Type {
    Type::Reference(syn::TypeReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        lifetime: lifetime.map(|l| syn::Lifetime::new(l, Span::call_site())),
        mutability: None,
        elem: Box::new(Type::Slice(syn::TypeSlice {
            attrs: Vec::new(),
            bracket_token: Default::default(),
            elem: Box::new(elem),
        })),
    })
}

fn lit(lit: syn::Lit) -> Expr {
    Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit })
}

/// A string literal, escaped as `quote!` spells a `&str`.
pub(crate) fn string(text: &str) -> Expr {
    lit(syn::Lit::Str(syn::LitStr::new(text, Span::call_site())))
}

/// `true` or `false`.
pub(crate) fn boolean(value: bool) -> Expr {
    lit(syn::Lit::Bool(syn::LitBool::new(value, Span::call_site())))
}

/// An `i64` literal (`101i64`). A negative one is `-` before the number, as
/// the parser reads the single token `quote!` spells (`-5i64`).
pub(crate) fn int_i64(value: i64) -> Expr {
    signed(value, syn::LitInt::new(&format!("{}i64", value.unsigned_abs()), Span::call_site()))
}

/// `magnitude`, the digits of `value` without its sign, with `-` before it when `value` is negative.
fn signed(value: i64, magnitude: syn::LitInt) -> Expr {
    let magnitude = lit(syn::Lit::Int(magnitude));
    if value >= 0 {
        return magnitude;
    }
    unary(syn::UnOp::Neg(Default::default()), magnitude)
}

/// An integer literal without a suffix (`5`), whose type the context gives;
/// a negative one as [`int_i64`] spells it.
pub(crate) fn int_inferred(value: i64) -> Expr {
    signed(value, syn::LitInt::new(&value.unsigned_abs().to_string(), Span::call_site()))
}

/// A `u64` literal (`16384u64`).
pub(crate) fn int_u64(value: u64) -> Expr {
    lit(syn::Lit::new(Literal::u64_suffixed(value)))
}

/// `&expr`.
pub(crate) fn reference(expr: Expr) -> Expr {
    Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(expr),
    })
}

/// `[a, b, ...]`.
pub(crate) fn array(elems: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Array(syn::ExprArray {
        attrs: Vec::new(),
        bracket_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `(a, b, ...)`.
pub(crate) fn tuple(elems: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Tuple(syn::ExprTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `func(args...)`.
pub(crate) fn call(func: Expr, args: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(func),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `receiver.method(args...)`.
pub(crate) fn method_call(receiver: Expr, method: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::MethodCall(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(method),
        turbofish: None,
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `base.name`.
pub(crate) fn field(base: Expr, name: &str) -> Expr {
    Expr::Field(syn::ExprField {
        attrs: Vec::new(),
        base: Box::new(base),
        dot_token: Default::default(),
        member: syn::Member::Named(ident(name)),
    })
}

/// `base.await`.
pub(crate) fn awaited(base: Expr) -> Expr {
    Expr::Await(syn::ExprAwait {
        attrs: Vec::new(),
        base: Box::new(base),
        dot_token: Default::default(),
        await_token: Default::default(),
    })
}

/// `expr?`.
pub(crate) fn tried(expr: Expr) -> Expr {
    Expr::Try(syn::ExprTry { attrs: Vec::new(), expr: Box::new(expr), question_token: Default::default() })
}

fn binary(left: Expr, op: syn::BinOp, right: Expr) -> Expr {
    Expr::Binary(syn::ExprBinary { attrs: Vec::new(), left: Box::new(left), op, right: Box::new(right) })
}

/// `left && right`.
pub(crate) fn and(left: Expr, right: Expr) -> Expr {
    binary(left, syn::BinOp::And(Default::default()), right)
}

/// `left || right`.
pub(crate) fn or(left: Expr, right: Expr) -> Expr {
    binary(left, syn::BinOp::Or(Default::default()), right)
}

/// `left == right`.
pub(crate) fn eq(left: Expr, right: Expr) -> Expr {
    binary(left, syn::BinOp::Eq(Default::default()), right)
}

/// `left && right && ...`, grouped from the left as the parser groups it.
pub(crate) fn all_of(first: Expr, rest: impl IntoIterator<Item = Expr>) -> Expr {
    rest.into_iter().fold(first, and)
}

fn unary(op: syn::UnOp, expr: Expr) -> Expr {
    Expr::Unary(syn::ExprUnary { attrs: Vec::new(), op, expr: Box::new(expr) })
}

/// `!expr`.
pub(crate) fn not(expr: Expr) -> Expr {
    unary(syn::UnOp::Not(Default::default()), expr)
}

/// `*expr`.
pub(crate) fn deref(expr: Expr) -> Expr {
    unary(syn::UnOp::Deref(Default::default()), expr)
}

/// `(expr)`.
pub(crate) fn paren(expr: Expr) -> Expr {
    Expr::Paren(syn::ExprParen { attrs: Vec::new(), paren_token: Default::default(), expr: Box::new(expr) })
}

/// `|param| body`.
pub(crate) fn closure(param: &str, body: Expr) -> Expr {
    Expr::Closure(syn::ExprClosure {
        attrs: Vec::new(),
        lifetimes: None,
        modifiers: Default::default(),
        constness: None,
        asyncness: None,
        capture: None,
        inputs_begin: Default::default(),
        inputs: std::iter::once(bind(param)).collect(),
        inputs_end: Default::default(),
        output: syn::ReturnType::Default,
        body: Box::new(body),
    })
}

/// `let Some(name) = expr`, the condition of an `if let`.
pub(crate) fn let_some(name: &str, expr: Expr) -> Expr {
    let pat = syn::Pat::TupleStruct(syn::PatTupleStruct {
        attrs: Vec::new(),
        qself: None,
        path: path("Some"),
        paren_token: Default::default(),
        elems: std::iter::once(bind(name)).collect(),
    });
    Expr::Let(syn::ExprLet {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: Box::new(pat),
        eq_token: Default::default(),
        expr: Box::new(expr),
    })
}

/// `if cond { stmts }`, a statement.
pub(crate) fn if_stmt(cond: Expr, stmts: Vec<syn::Stmt>) -> syn::Stmt {
    let then_branch = syn::Block { brace_token: Default::default(), stmts };
    tail(Expr::If(syn::ExprIf {
        attrs: Vec::new(),
        if_token: Default::default(),
        cond: Box::new(cond),
        then_branch,
        else_branch: None,
    }))
}

/// `return expr;`
pub(crate) fn return_stmt(expr: Expr) -> syn::Stmt {
    stmt(Expr::Return(syn::ExprReturn {
        attrs: Vec::new(),
        return_token: Default::default(),
        expr: Some(Box::new(expr)),
    }))
}

/// `Path { name: value, ..., ..rest }`.
pub(crate) fn struct_expr<'a>(
    path: syn::Path,
    fields: impl IntoIterator<Item = (&'a str, Expr)>,
    rest: Option<Expr>,
) -> Expr {
    let fields = fields.into_iter().map(|(name, expr)| syn::FieldValue {
        attrs: Vec::new(),
        member: syn::Member::Named(ident(name)),
        colon_token: Some(Default::default()),
        expr,
    });
    let mut fields: Punctuated<_, _> = fields.collect();
    if rest.is_some() && !fields.empty_or_trailing() {
        // The parser keeps the comma before `..rest`; spelled as tokens, the tree needs it.
        fields.push_punct(Default::default());
    }
    Expr::Struct(syn::ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path,
        brace_token: Default::default(),
        fields,
        dot2_token: rest.is_some().then(Default::default),
        rest: rest.map(Box::new),
    })
}

/// `Path { name: value, ... }` with the fields written out or, where the
/// value is `None`, in shorthand (`state` for `state: state`).
pub(crate) fn struct_shorthand<'a>(path: syn::Path, fields: impl IntoIterator<Item = (&'a str, Option<Expr>)>) -> Expr {
    let fields = fields.into_iter().map(|(name, expr)| syn::FieldValue {
        attrs: Vec::new(),
        member: syn::Member::Named(ident(name)),
        colon_token: expr.is_some().then(Default::default),
        expr: expr.unwrap_or_else(|| expr_path(self::path(name))),
    });
    Expr::Struct(syn::ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path,
        brace_token: Default::default(),
        fields: fields.collect(),
        dot2_token: None,
        rest: None,
    })
}

/// `&ty`.
pub(crate) fn ref_type(ty: Type) -> Type {
    Type::Reference(syn::TypeReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        lifetime: None,
        mutability: None,
        elem: Box::new(ty),
    })
}

/// `(a, b, ...)` as a type.
pub(crate) fn tuple_type(elems: impl IntoIterator<Item = Type>) -> Type {
    Type::Tuple(syn::TypeTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// A pattern binding `name`, or `_`.
pub(crate) fn bind(name: &str) -> syn::Pat {
    if name == "_" {
        return syn::Pat::Wild(syn::PatWild { attrs: Vec::new(), underscore_token: Default::default() });
    }
    syn::Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident: ident(name),
        subpat: None,
    })
}

/// `(a, b, ...)` as a pattern.
pub(crate) fn bind_tuple(elems: impl IntoIterator<Item = syn::Pat>) -> syn::Pat {
    syn::Pat::Tuple(syn::PatTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `let pat = init;`
pub(crate) fn let_stmt(pat: syn::Pat, init: Expr) -> syn::Stmt {
    syn::Stmt::Local(syn::Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        modifiers: Default::default(),
        pat,
        init: Some(syn::LocalInit { eq_token: Default::default(), expr: Box::new(init), diverge: None }),
        semi_token: Default::default(),
    })
}

/// `expr;`
pub(crate) fn stmt(expr: Expr) -> syn::Stmt {
    syn::Stmt::Expr(expr, Some(Default::default()))
}

/// `expr`, ending a block.
pub(crate) fn tail(expr: Expr) -> syn::Stmt {
    syn::Stmt::Expr(expr, None)
}

/// `name: ty`, an argument.
pub(crate) fn arg(name: &str, ty: Type) -> syn::FnArg {
    syn::FnArg::Typed(syn::PatType {
        attrs: Vec::new(),
        pat: Box::new(bind(name)),
        colon_token: Default::default(),
        ty: Box::new(ty),
    })
}

/// What a method takes itself as.
#[derive(Clone, Copy)]
pub(crate) enum Receiver {
    /// `&self`
    Ref,
    /// `mut self`
    MutValue,
    /// No receiver: an associated function.
    None,
}

/// `pub async fn name(&self, args...) -> output { stmts }`.
pub(crate) fn public_async_method(
    attrs: Vec<Attribute>,
    name: &str,
    args: impl IntoIterator<Item = syn::FnArg>,
    output: Type,
    stmts: Vec<syn::Stmt>,
) -> syn::ImplItemFn {
    let mut method = public_fn(attrs, Receiver::Ref, name, args, output, stmts);
    method.sig.asyncness = Some(Default::default());
    method
}

/// `pub fn name(<receiver>, args...) -> output { stmts }`.
pub(crate) fn public_fn(
    attrs: Vec<Attribute>,
    receiver: Receiver,
    name: &str,
    args: impl IntoIterator<Item = syn::FnArg>,
    output: Type,
    stmts: Vec<syn::Stmt>,
) -> syn::ImplItemFn {
    let this = |mutable: bool, kind| {
        syn::FnArg::Receiver(syn::Receiver {
            attrs: Vec::new(),
            mutability: mutable.then(Default::default),
            self_token: Default::default(),
            kind,
        })
    };
    let receiver = match receiver {
        Receiver::Ref => Some(this(false, syn::ReceiverKind::Reference(Default::default(), None, None))),
        Receiver::MutValue => Some(this(true, syn::ReceiverKind::Value)),
        Receiver::None => None,
    };
    syn::ImplItemFn {
        attrs,
        vis: public(),
        modifiers: Default::default(),
        sig: syn::Signature {
            constness: None,
            asyncness: None,
            safety: syn::Safety::Default,
            abi: None,
            fn_token: Default::default(),
            ident: ident(name),
            generics: Default::default(),
            paren_token: Default::default(),
            inputs: receiver.into_iter().chain(args).collect(),
            variadic: None,
            output: syn::ReturnType::Type(Default::default(), Box::new(output)),
        },
        block: syn::Block { brace_token: Default::default(), stmts },
    }
}

/// `impl Into<ty>`.
pub(crate) fn impl_into(ty: Type) -> Type {
    let bound = syn::TraitBound {
        paren_token: None,
        lifetimes: None,
        modifiers: Default::default(),
        maybe: None,
        path: path_with("Into", [ty], false),
    };
    Type::ImplTrait(syn::TypeImplTrait {
        attrs: Vec::new(),
        impl_token: Default::default(),
        bounds: std::iter::once(syn::TypeParamBound::Trait(bound)).collect(),
    })
}

/// `left = right`.
pub(crate) fn assign(left: Expr, right: Expr) -> Expr {
    Expr::Assign(syn::ExprAssign {
        attrs: Vec::new(),
        left: Box::new(left),
        eq_token: Default::default(),
        right: Box::new(right),
    })
}

fn outer(meta: syn::Meta) -> Attribute {
    Attribute { pound_token: Default::default(), style: syn::AttrStyle::Outer, bracket_token: Default::default(), meta }
}

/// `#[name]`.
pub(crate) fn attr_word(name: &str) -> Attribute {
    outer(syn::Meta::Path(path(name)))
}

/// `#[name(tokens)]`: the parser leaves an attribute's list as tokens too.
pub(crate) fn attr_list(name: &str, tokens: TokenStream) -> Attribute {
    outer(syn::Meta::List(syn::MetaList {
        path: path(name),
        delimiter: syn::MacroDelimiter::Paren(Default::default()),
        tokens,
    }))
}

/// `pub struct Name { fields, }`.
pub(crate) fn public_struct(attrs: Vec<Attribute>, name: &str, fields: Vec<syn::Field>) -> Item {
    let mut named: Punctuated<syn::Field, syn::Token![,]> = fields.into_iter().collect();
    if !named.empty_or_trailing() {
        named.push_punct(Default::default());
    }
    Item::Struct(syn::ItemStruct {
        attrs,
        vis: public(),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        fields: syn::Fields::Named(syn::FieldsNamed { brace_token: Default::default(), named }),
        semi_token: None,
    })
}

/// `pub name: ty`, a field.
pub(crate) fn public_field(attrs: Vec<Attribute>, name: &str, ty: Type) -> syn::Field {
    syn::Field {
        attrs,
        vis: public(),
        modifiers: Default::default(),
        ident: Some(ident(name)),
        colon_token: Some(Default::default()),
        ty,
        default: None,
    }
}

/// `impl Name { items... }`.
pub(crate) fn inherent_impl(name: &str, items: impl IntoIterator<Item = syn::ImplItem>) -> Item {
    Item::Impl(syn::ItemImpl {
        attrs: Vec::new(),
        modifiers: Default::default(),
        unsafety: None,
        impl_token: Default::default(),
        generics: Default::default(),
        trait_: None,
        self_ty: Box::new(type_path(path(name))),
        brace_token: Default::default(),
        items: items.into_iter().collect(),
    })
}

fn public() -> syn::Visibility {
    syn::Visibility::Public(Default::default())
}

/// `pub static NAME: ty = expr;`
pub(crate) fn public_static(attrs: Vec<Attribute>, name: &str, ty: Type, expr: Expr) -> Item {
    Item::Static(syn::ItemStatic {
        attrs,
        vis: public(),
        static_token: Default::default(),
        mutability: syn::StaticMutability::None,
        ident: ident(name),
        colon_token: Default::default(),
        ty: Box::new(ty),
        eq_token: Default::default(),
        expr: Box::new(expr),
        semi_token: Default::default(),
    })
}

/// `pub const NAME: ty = expr;`
pub(crate) fn public_const(attrs: Vec<Attribute>, name: &str, ty: Type, expr: Expr) -> Item {
    Item::Const(syn::ItemConst {
        attrs,
        vis: public(),
        modifiers: Default::default(),
        const_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        colon_token: Default::default(),
        ty: Box::new(ty),
        eq_token: Default::default(),
        expr: Box::new(expr),
        semi_token: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    /// Each builder's tree is the one the parser makes of the same text.
    #[test]
    fn built_trees_are_the_parsed_ones() {
        let parsed = |text: &str| syn::parse_str::<Expr>(text).expect("parses");
        let cases: Vec<(Expr, &str)> = vec![
            (expr_path(path("a::b::C")), "a::b::C"),
            (string("q\"uo\\te\n"), r#""q\"uo\\te\n""#),
            (boolean(true), "true"),
            (int_i64(5), "5i64"),
            (int_u64(7), "7u64"),
            (reference(array([expr_path(path("x")), string("y")])), r#"&[x, "y"]"#),
            (tuple([string("a"), expr_path(path("b"))]), r#"("a", b)"#),
            (call(expr_path(path_with("f::g", [infer(), unit()], true)), [expr_path(path("x"))]), "f::g::<_, ()>(x)"),
            (tried(awaited(method_call(field(expr_path(path("self")), "a"), "m", []))), "self.a.m().await?"),
            (struct_expr(path("S"), [("a", boolean(false))], Some(expr_path(path("r")))), "S { a: false, ..r }"),
        ];
        for (built, text) in cases {
            assert!(built == parsed(text), "{text}: built {}", built.to_token_stream());
        }
        // A negative number is one literal token as `quote!` spells it.
        for value in [-5, i64::MIN] {
            let spelled = Literal::i64_suffixed(value);
            assert!(int_i64(value) == syn::parse2::<Expr>(quote::quote!(#spelled)).unwrap(), "{value}");
        }
        let ty = slice_ref(type_path(path_with("Vec", [type_path(path("u8"))], false)), Some("'static"));
        assert!(ty == syn::parse_str::<Type>("&'static [Vec<u8>]").unwrap());
        let item = public_const(Vec::new(), "N", slice_ref(type_path(path("u8")), None), reference(array([])));
        assert!(item == syn::parse_str::<Item>("pub const N: &[u8] = &[];").unwrap());
        let item = public_static(Vec::new(), "S", unit(), tuple([]));
        assert!(item == syn::parse_str::<Item>("pub static S: () = ();").unwrap());
        let shorthand = struct_shorthand(path("S"), [("a", None), ("b", Some(boolean(true)))]);
        assert!(shorthand == parsed("S { a, b: true }"));
        let stmts = vec![
            let_stmt(bind_tuple([bind("_"), bind("s")]), tried(expr_path(path("x")))),
            let_stmt(bind("y"), reference(expr_path(path("x")))),
            stmt(call(expr_path(path("f")), [])),
            tail(expr_path(path("y"))),
        ];
        let ty = || tuple_type([ref_type(type_path(path("u8"))), unit()]);
        let method = public_async_method(Vec::new(), "m", [arg("a", ty())], ty(), stmts);
        let item = inherent_impl("T", [syn::ImplItem::Fn(method)]);
        let text =
            "impl T { pub async fn m(&self, a: (&u8, ())) -> (&u8, ()) { let (_, s) = x?; let y = &x; f(); y } }";
        assert!(item == syn::parse_str::<Item>(text).unwrap(), "{}", item.to_token_stream());
    }

    /// The builders of rules, setters and result types, against the parser.
    #[test]
    fn rule_and_item_trees_are_the_parsed_ones() {
        let parsed = |text: &str| syn::parse_str::<Expr>(text).expect("parses");
        let x = || named("x");
        let cases: Vec<(Expr, &str)> = vec![
            (not(paren(or(or(x(), named("y")), named("z")))), "!(x || y || z)"),
            (all_of(x(), [named("y"), not(named("z"))]), "x && y && !z"),
            (and(eq(x(), int_inferred(-3)), eq(named("y"), int_inferred(4))), "x == -3 && y == 4"),
            (closure("v", eq(deref(method_call(named("v"), "get", [])), int_i64(-5))), "|v| *v.get() == -5i64"),
            (assign(field(named("self"), "a"), call_of("Some", [x()])), "self.a = Some(x)"),
        ];
        for (built, text) in cases {
            assert!(built == parsed(text), "{text}: built {}", built.to_token_stream());
        }
        let ty = generic("Result", [unit(), impl_into(named_type("String"))]);
        assert!(ty == syn::parse_str::<Type>("Result<(), impl Into<String>>").unwrap());

        let guard = if_stmt(let_some("v", reference(x())), vec![return_stmt(named("v"))]);
        let setter =
            public_fn(vec![attr_word("must_use")], Receiver::MutValue, "s", [], named_type("Self"), vec![guard]);
        let free = public_fn(Vec::new(), Receiver::None, "n", [arg("a", named_type("u8"))], unit(), Vec::new());
        let item = inherent_impl("T", [syn::ImplItem::Fn(setter), syn::ImplItem::Fn(free)]);
        let text = "impl T { #[must_use] pub fn s(mut self) -> Self { if let Some(v) = &x { return v; } } pub fn n(a: u8) -> () {} }";
        assert!(item == syn::parse_str::<Item>(text).unwrap(), "{}", item.to_token_stream());

        let derive = attr_list("derive", quote::quote! { Debug, Clone });
        let fields = vec![
            public_field(vec![attr_word("doc_hidden")], "a", named_type("u8")),
            public_field(Vec::new(), "b", unit()),
        ];
        let item = public_struct(vec![derive], "S", fields);
        let text = "#[derive(Debug, Clone)] pub struct S { #[doc_hidden] pub a: u8, pub b: (), }";
        assert!(item == syn::parse_str::<Item>(text).unwrap(), "{}", item.to_token_stream());
    }
}
