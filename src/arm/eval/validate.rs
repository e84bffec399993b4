//! What ARM checks before it deploys anything: every `parameters('x')`, `variables('x')` and
//! function a template uses is declared, and every expression parses. Checked over the whole
//! template, including resources whose bodies amlint does not otherwise evaluate.

use super::context::{CtxId, Evaluator};
use crate::arm::expr::{self, Expr, StringForm};
use crate::parse::Ranged;
use crate::parse::{ast, ObjectExt};
use crate::source::Span;
use std::sync::Arc;

/// Which names are in scope for the expressions being checked.
enum Names<'s> {
    Template(CtxId),
    /// Inside a user function: only its own parameters.
    Function(&'s [String]),
}

impl<'a> Evaluator<'a> {
    /// Checks a template context (and the outer-scoped nested templates inside it).
    pub fn validate(&mut self, ctx: CtxId) {
        let template = self.ctxs[ctx].template;
        let names = Names::Template(ctx);
        if let Some(params) = template.member_object("parameters") {
            for p in params.properties {
                if let Some(d) = p.value.as_object().and_then(|o| o.member("defaultValue")) {
                    self.check_node(d, &names);
                }
            }
        }
        if let Some(vars) = template.member("variables") {
            self.check_node(vars, &names);
            self.check_variable_cycles(ctx);
        }
        if let Some(resources) = template.member("resources") {
            self.check_node(resources, &names);
        }
        if let Some(outputs) = template.member("outputs") {
            self.check_node(outputs, &names);
        }
        if let Some(ast::Value::Array(spaces)) = template.member("functions") {
            for ns in spaces.elements {
                let Some(members) = ns.as_object().and_then(|o| o.member_object("members")) else {
                    continue;
                };
                for m in members.properties {
                    let Some(def) = m.value.as_object() else {
                        continue;
                    };
                    let params: Vec<String> = match def.member("parameters") {
                        Some(ast::Value::Array(ps)) => ps
                            .elements
                            .iter()
                            .filter_map(|p| {
                                p.as_object()?
                                    .member_str("name")
                                    .map(str::to_ascii_lowercase)
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    if let Some(out) = def.member_object("output").and_then(|o| o.member("value")) {
                        self.check_node(out, &Names::Function(&params));
                    }
                }
            }
        }
    }

    /// Variables that depend on themselves through `variables('literal')` references: ARM
    /// rejects the template whether or not anything uses them.
    fn check_variable_cycles(&mut self, ctx: CtxId) {
        use super::context::VarDecl;
        let mut keys: Vec<Box<str>> = self.ctxs[ctx].vars.keys().cloned().collect();
        keys.sort();
        let mut edges: rustc_hash::FxHashMap<Box<str>, Vec<Box<str>>> = Default::default();
        for key in &keys {
            let decl = self.ctxs[ctx].vars[key].decl;
            let node = match decl {
                VarDecl::Node(n) => n,
                VarDecl::Copy(o) => match o.member("input").or_else(|| o.member("count")) {
                    Some(n) => n,
                    None => continue,
                },
            };
            let mut refs = Vec::new();
            self.variable_refs(node, &mut refs);
            refs.retain(|r| self.ctxs[ctx].vars.contains_key(r.as_ref()));
            edges.insert(key.clone(), refs);
        }
        // Depth-first search; each cycle is reported once, at its first variable (by name).
        let mut done: rustc_hash::FxHashSet<Box<str>> = Default::default();
        for start in &keys {
            if done.contains(start) {
                continue;
            }
            let mut path: Vec<Box<str>> = vec![start.clone()];
            let mut iters: Vec<usize> = vec![0];
            while let Some(top) = path.last().cloned() {
                let i = iters.last().copied().unwrap_or_default();
                let next = edges.get(&top).and_then(|e| e.get(i)).cloned();
                match next {
                    Some(n) => {
                        if let Some(last) = iters.last_mut() {
                            *last += 1;
                        }
                        if let Some(pos) = path.iter().position(|p| *p == n) {
                            let cycle: Vec<String> = path[pos..]
                                .iter()
                                .chain(std::iter::once(&n))
                                .map(|k| self.ctxs[ctx].vars[k].name.to_string())
                                .collect();
                            let first = &path[pos];
                            let span = match self.ctxs[ctx].vars[first].decl {
                                VarDecl::Node(n) => self.span_of(n),
                                VarDecl::Copy(o) => self.span_of(o),
                            };
                            let name = self.ctxs[ctx].vars[first].name.clone();
                            self.problem(
                                span,
                                format!(
                                    "variable `{name}` depends on itself ({}); ARM rejects the template",
                                    cycle.join(" → ")
                                ),
                            );
                        } else if !done.contains(&n) {
                            path.push(n);
                            iters.push(0);
                        }
                    }
                    None => {
                        done.insert(top);
                        path.pop();
                        iters.pop();
                    }
                }
            }
        }
    }

    /// The lowercase names of the variables an AST node's expressions reference literally.
    fn variable_refs(&mut self, node: &'a ast::Value<'a>, out: &mut Vec<Box<str>>) {
        match node {
            ast::Value::StringLit(s) => {
                if let StringForm::Expression(text) = expr::classify(s.value) {
                    let key = (text.as_ptr() as usize, text.len());
                    let parsed = match self.cache.exprs.get(&key) {
                        Some(p) => p.clone().ok(),
                        None => expr::parse(text).ok().map(Arc::new),
                    };
                    if let Some(e) = parsed {
                        collect_variable_calls(&e, out);
                    }
                }
            }
            ast::Value::Array(a) => {
                for e in a.elements {
                    self.variable_refs(e, out);
                }
            }
            ast::Value::Object(o) => {
                for p in o.properties {
                    self.variable_refs(&p.value, out);
                }
            }
            _ => {}
        }
    }

    fn check_node(&mut self, node: &'a ast::Value<'a>, names: &Names<'_>) {
        match node {
            ast::Value::StringLit(s) => {
                if let StringForm::Expression(text) = expr::classify(s.value) {
                    let r = node.range();
                    let span = Span::new(self.file, r.start, r.end);
                    self.check_expression(text, span, names);
                }
            }
            ast::Value::Array(a) => {
                for e in a.elements {
                    self.check_node(e, names);
                }
            }
            ast::Value::Object(o) => {
                for p in o.properties {
                    // A nested deployment's inline template: inner scope is checked on its own,
                    // outer scope with the names of this template.
                    if p.name.as_str().eq_ignore_ascii_case("template") {
                        if let ast::Value::Object(t) = &p.value {
                            let inner = o
                                .member_object("expressionEvaluationOptions")
                                .and_then(|e| e.member_str("scope"))
                                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
                            let looks_like_template = t.member("resources").is_some()
                                && t.member("$schema").is_some()
                                || t.member("contentVersion").is_some();
                            if looks_like_template {
                                if !inner {
                                    for key in ["resources", "outputs"] {
                                        if let Some(v) = t.member(key) {
                                            self.check_node(v, names);
                                        }
                                    }
                                }
                                continue;
                            }
                        }
                    }
                    self.check_node(&p.value, names);
                }
            }
            _ => {}
        }
    }

    fn check_expression(&mut self, text: &'a str, span: Span, names: &Names<'_>) {
        if let Some(e) = self.parsed_expression(text, span) {
            self.check_expr(&e, span, names);
        }
    }

    fn check_expr(&mut self, e: &Expr, span: Span, names: &Names<'_>) {
        match e {
            Expr::Member { target, .. } => self.check_expr(target, span, names),
            Expr::Index { target, index, .. } => {
                self.check_expr(target, span, names);
                self.check_expr(index, span, names);
            }
            Expr::Call(call) => {
                for a in &call.args {
                    self.check_expr(a, span, names);
                }
                let lower = &*call.lower;
                let literal = match call.args.as_slice() {
                    [Expr::Str(s)] => Some(s),
                    _ => None,
                };
                let key = |name: &str| match &call.literal_key {
                    Some(k) => std::borrow::Cow::Borrowed(&**k),
                    None => std::borrow::Cow::Owned(name.to_ascii_lowercase()),
                };
                match (lower, names) {
                    ("parameters", Names::Template(ctx)) => {
                        if let Some(name) = literal {
                            let c = self.lookup_ctx(*ctx);
                            if !self.ctxs[c].params.contains_key(&*key(name)) {
                                self.problem(span, format!("parameter `{name}` is not declared"));
                            }
                        }
                    }
                    ("parameters", Names::Function(params)) => {
                        if let Some(name) = literal {
                            if !params.contains(&name.to_ascii_lowercase()) {
                                self.problem(
                                    span,
                                    format!("user function has no parameter `{name}`"),
                                );
                            }
                        }
                    }
                    ("variables", Names::Template(ctx)) => {
                        if let Some(name) = literal {
                            let c = self.lookup_ctx(*ctx);
                            if !self.ctxs[c].vars.contains_key(&*key(name)) {
                                self.problem(span, format!("variable `{name}` is not declared"));
                            }
                        }
                    }
                    ("variables", Names::Function(_)) => {
                        self.problem(span, "user functions cannot read variables");
                    }
                    _ if lower.contains('.') => {
                        if let Names::Template(ctx) = names {
                            let c = self.lookup_ctx(*ctx);
                            if !self.ctxs[c].functions.contains_key(lower) {
                                self.problem(
                                    span,
                                    format!("user function `{}` is not declared", call.name),
                                );
                            }
                        }
                    }
                    _ if !call.builtin => {
                        self.problem(span, format!("`{}` is not a template function", call.name));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Adds the literal names of `variables('x')` calls in `e` (lowercase).
fn collect_variable_calls(e: &Expr, out: &mut Vec<Box<str>>) {
    match e {
        Expr::Member { target, .. } => collect_variable_calls(target, out),
        Expr::Index { target, index, .. } => {
            collect_variable_calls(target, out);
            collect_variable_calls(index, out);
        }
        Expr::Call(call) => {
            if call.name.eq_ignore_ascii_case("variables") {
                if let [Expr::Str(name)] = call.args.as_slice() {
                    out.push(name.to_ascii_lowercase().into_boxed_str());
                }
            }
            for a in &call.args {
                collect_variable_calls(a, out);
            }
        }
        _ => {}
    }
}
