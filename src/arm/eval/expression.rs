//! Evaluating JSON nodes and expressions, and the functions that need the template.

use super::context::{CopyFrame, Env, Evaluator, ParsedExpr, ScopeKind};
use crate::arm::expr::{self, Call, Expr, StringForm};
use crate::arm::functions::{self, FnCtx};
use crate::arm::hole::{self, HoleKind};
use crate::arm::resource_id;
use crate::arm::value::{open_object, Array, Kind, KindRef, Lookup, Object, Tri, Unknown, Value};
use crate::parse::{ast, ObjectExt};
use crate::source::Span;
use std::sync::Arc;

/// Literal strings up to this length share one allocation per template (keys, `Allow`, `Tcp`...).
const INTERN_MAX: usize = 64;

/// Stack left before the evaluator grows it (templates nest as deep as their authors like).
const STACK_RED_ZONE: usize = 128 * 1024;
/// How much stack to add each time.
const STACK_GROWTH: usize = 4 * 1024 * 1024;

impl<'a> Evaluator<'a> {
    /// The shared copy of a literal string of the template (see [`intern_shared`]).
    pub fn intern(&mut self, text: &'a str) -> arcstr::ArcStr {
        intern_shared(text)
    }

    /// Evaluates a JSON node of the template: strings that are expressions are evaluated, objects
    /// expand their property `copy` loops.
    pub fn eval_node(&mut self, node: &'a ast::Value<'a>, env: &Env<'_>) -> Value {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_node_inner(node, env)
        })
    }

    fn eval_node_inner(&mut self, node: &'a ast::Value<'a>, env: &Env<'_>) -> Value {
        let span = self.span_of(node);
        match node {
            ast::Value::StringLit(s) => match expr::classify(s.value) {
                StringForm::Literal(text) => match text {
                    std::borrow::Cow::Borrowed(t) if t.len() <= INTERN_MAX => {
                        Value::str(self.intern(t), span)
                    }
                    other => Value::str(&*other, span),
                },
                StringForm::Expression(text) => self.eval_expression_text(text, span, env),
            },
            ast::Value::NumberLit(n) => super::number(n.value, span),
            ast::Value::BooleanLit(b) => Value::bool(b.value, span),
            ast::Value::NullKeyword(_) => Value::null(span),
            ast::Value::Array(a) => {
                let base = self.items.len();
                for e in a.elements {
                    let item = self.eval_node(e, env);
                    self.items.push(item);
                }
                let items = Array::from_exact(self.items.drain(base..), None);
                Value::new(Kind::Array(items), span)
            }
            ast::Value::Object(o) => self.eval_object(o, env, &[]),
        }
    }

    /// Evaluates an object's members, leaving out `skip` (lowercase keys) and expanding property
    /// copy loops (`"copy": [{name, count, input}]`).
    pub fn eval_object(&mut self, o: &'a ast::Object<'a>, env: &Env<'_>, skip: &[&str]) -> Value {
        let span = self.span_of(o);
        let base = self.members.len();
        self.push_members(o, env, skip);
        self.take_object(base, span)
    }

    /// The object of the members pushed onto `self.members` since it held `base` of them.
    pub(super) fn take_object(&mut self, base: usize, span: Span) -> Value {
        let members = Object::from_exact(self.members.drain(base..), None);
        Value::new(Kind::Object(members), span)
    }

    /// Evaluates the members of `o` onto `self.members`, leaving out `skip` (lowercase keys) and
    /// expanding property copy loops.
    pub(super) fn push_members(&mut self, o: &'a ast::Object<'a>, env: &Env<'_>, skip: &[&str]) {
        for p in o.properties {
            let key = p.name.as_str();
            if skip.iter().any(|s| key.eq_ignore_ascii_case(s)) {
                continue;
            }
            if key.eq_ignore_ascii_case("copy") {
                if let ast::Value::Array(loops) = &p.value {
                    for l in loops.elements {
                        let Some(l) = l.as_object() else { continue };
                        let Some(name) = l.member_str("name") else {
                            let s = self.span_of(l);
                            self.problem(s, "property copy loop has no `name`");
                            continue;
                        };
                        let value = self.copy_array(l, env);
                        let key = self.intern(name);
                        self.members.push((key, value));
                    }
                    continue;
                }
            }
            let key = self.intern(key);
            let value = self.eval_node(&p.value, env);
            self.members.push((key, value));
        }
    }

    /// The expression a template string holds, parsed once per template; an invalid one is an
    /// AML003 problem at `span`, in every evaluation that reads it.
    pub fn parsed_expression(&mut self, text: &'a str, span: Span) -> Option<Arc<Expr>> {
        let key = (text.as_ptr() as usize, text.len());
        let parsed = self
            .cache
            .exprs
            .entry(key)
            .or_insert_with(|| parse_shared(text))
            .clone();
        match parsed {
            Ok(e) => Some(e),
            Err(message) => {
                self.problem(span, format!("invalid template expression: {message}"));
                None
            }
        }
    }

    /// Parses (once per string) and evaluates an expression; the result gets the string's span.
    pub fn eval_expression_text(&mut self, text: &'a str, span: Span, env: &Env<'_>) -> Value {
        match self.parsed_expression(text, span) {
            Some(e) => self.eval_expr(&e, env, span).at(span),
            None => Value::unknown("the expression is invalid", span),
        }
    }

    pub fn eval_expr(&mut self, e: &Expr, env: &Env<'_>, span: Span) -> Value {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_expr_inner(e, env, span)
        })
    }

    fn eval_expr_inner(&mut self, e: &Expr, env: &Env<'_>, span: Span) -> Value {
        if self.fuel == 0 {
            return Value::unknown("the template is too expensive to evaluate", span);
        }
        self.fuel -= 1;
        if self.fuel == 0 {
            self.problem(
                span,
                "the template needs more evaluation steps than amlint allows; the rest stays unknown",
            );
        }
        match e {
            Expr::Str(s) => Value::str(s.clone(), span),
            Expr::Int(n) => Value::int(*n, span),
            Expr::Float(f) => Value::float(*f, span),
            Expr::Bool(b) => Value::bool(*b, span),
            Expr::Null => Value::null(span),
            Expr::Member { target, name, safe } => {
                let t = self.eval_expr(target, env, span);
                access_member(&t, name, *safe, span)
            }
            Expr::Index {
                target,
                index,
                safe,
            } => {
                let t = self.eval_expr(target, env, span);
                let i = self.eval_expr(index, env, span);
                access_index(&t, &i, *safe, span)
            }
            Expr::Call(call) => self.call(call, env, span),
        }
    }

    fn args(&mut self, call: &Call, env: &Env<'_>, span: Span) -> Vec<Value> {
        call.args
            .iter()
            .map(|a| self.eval_expr(a, env, span))
            .collect()
    }

    fn call(&mut self, call: &Call, env: &Env<'_>, span: Span) -> Value {
        let lower = &*call.lower;
        match lower {
            "parameters" => {
                if let (Some(key), [Expr::Str(name)], None) =
                    (&call.literal_key, call.args.as_slice(), env.function_params)
                {
                    return self.parameter_by_key(env.ctx, name, key, span);
                }
                let args = self.args(call, env, span);
                let Some(name) = one_string(&args) else {
                    return unknown_or(&args, "`parameters()` needs a parameter name", span);
                };
                if let Some(params) = env.function_params {
                    return params
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| {
                            self.problem(span, format!("user function has no parameter `{name}`"));
                            Value::unknown(format!("user function has no parameter `{name}`"), span)
                        });
                }
                self.parameter(env.ctx, &name, span)
            }
            "variables" => {
                if let (Some(key), [Expr::Str(name)], None) =
                    (&call.literal_key, call.args.as_slice(), env.function_params)
                {
                    return self.variable_by_key(env.ctx, name, key, span);
                }
                let args = self.args(call, env, span);
                let Some(name) = one_string(&args) else {
                    return unknown_or(&args, "`variables()` needs a variable name", span);
                };
                if env.function_params.is_some() {
                    self.problem(span, "user functions cannot read variables");
                }
                self.variable(env.ctx, &name, span)
            }
            "copyindex" => self.copy_index(call, env, span),
            "if" => {
                if call.args.len() != 3 {
                    return Value::unknown("`if()` takes three arguments", span);
                }
                let cond = self.eval_expr(&call.args[0], env, span);
                match cond.kind() {
                    KindRef::Bool(true) => self.eval_expr(&call.args[1], env, span),
                    KindRef::Bool(false) => self.eval_expr(&call.args[2], env, span),
                    _ => {
                        let a = self.eval_expr(&call.args[1], env, span);
                        let b = self.eval_expr(&call.args[2], env, span);
                        if a.tri_eq(&b) == Tri::Known(true) {
                            return a;
                        }
                        let reason = cond.deep_unknown().unwrap_or_else(|| {
                            Unknown::new("the condition of `if()` is not a boolean")
                        });
                        Value::from_unknown(&reason, span)
                    }
                }
            }
            "lambdavariables" => {
                let args = self.args(call, env, span);
                let Some(name) = one_string(&args) else {
                    return unknown_or(&args, "`lambdaVariables()` needs a name", span);
                };
                env.lambda
                    .iter()
                    .rev()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| {
                        Value::unknown(format!("lambda variable `{name}` is not in scope"), span)
                    })
            }
            "filter" | "map" | "reduce" | "sort" | "toobject" | "groupby" | "mapvalues" => {
                self.lambda_function(lower, call, env, span)
            }
            "lambda" => Value::unknown(
                "`lambda()` is only valid as an argument of a lambda function",
                span,
            ),
            "resourcegroup" => self.resource_group_object(env, span),
            "subscription" => self.subscription_object(env, span),
            "tenant" => {
                let t = self.ctxs[self.lookup_ctx(env.ctx)].scope.tenant.clone();
                open_scope_object(vec![("tenantId", t)], "the tenant", span)
            }
            "managementgroup" => {
                let scope = &self.ctxs[self.lookup_ctx(env.ctx)].scope;
                let name = scope.management_group.clone();
                let id = match name.as_str() {
                    Some(n) => Value::str(
                        format!("/providers/Microsoft.Management/managementGroups/{n}"),
                        span,
                    ),
                    None => name.clone(),
                };
                open_scope_object(
                    vec![("id", id), ("name", name)],
                    "the management group",
                    span,
                )
            }
            "deployment" => {
                let scope = &self.ctxs[self.lookup_ctx(env.ctx)].scope;
                let name = scope.deployment_name.clone();
                open_scope_object(vec![("name", name)], "the deployment", span)
            }
            "deployer" => open_object(&Unknown::new("the deploying principal"), span),
            "environment" => open_object(&Unknown::new("the target cloud (`environment()`)"), span),
            "resourceid"
            | "subscriptionresourceid"
            | "tenantresourceid"
            | "extensionresourceid"
            | "managementgroupresourceid" => {
                let args = self.args(call, env, span);
                self.resource_id_function(lower, &args, env, span)
            }
            "reference" => {
                let args = self.args(call, env, span);
                self.reference(&args, env, span)
            }
            "resourceinfo" => {
                let args = self.args(call, env, span);
                self.resource_info(&args, env, span)
            }
            "references" => Value::unknown("`references()` is not evaluated by amlint", span),
            "pickzones" => Value::unknown("`pickZones()` depends on the region's zones", span),
            "providers" => Value::unknown(
                "`providers()` reads the live resource provider registry",
                span,
            ),
            _ if lower.starts_with("list") => {
                Value::unknown(format!("`{}()` returns runtime data", call.name), span)
            }
            _ if lower.contains('.') => self.user_function(call, lower, env, span),
            _ => {
                let args = self.args(call, env, span);
                let cx = FnCtx {
                    unit: self.unit,
                    span,
                };
                match functions::call(lower, &args, &cx) {
                    Some(Ok(v)) => v,
                    Some(Err(e)) => {
                        Value::unknown(format!("`{}()` fails: {}", call.name, e.0), span)
                    }
                    None if call.builtin => Value::unknown(
                        format!("`{}()` is not evaluated by amlint", call.name),
                        span,
                    ),
                    None => {
                        self.problem(span, format!("`{}` is not a template function", call.name));
                        Value::unknown(format!("`{}` is not a template function", call.name), span)
                    }
                }
            }
        }
    }

    fn copy_index(&mut self, call: &Call, env: &Env<'_>, span: Span) -> Value {
        let args = self.args(call, env, span);
        if let Some(u) = args.iter().find_map(|a| a.as_unknown()) {
            return Value::from_unknown(u, span);
        }
        let (name, offset) = match args.as_slice() {
            [] => (None, 0),
            [a] => match (a.kind(), a.as_int()) {
                (KindRef::Str(s), _) => (Some(s.to_ascii_lowercase()), 0),
                (_, Some(n)) => (None, n),
                _ => {
                    return Value::unknown(
                        "`copyIndex()` argument is neither a loop name nor an offset",
                        span,
                    )
                }
            },
            [a, b] => match (a.as_str(), b.as_int()) {
                (Some(s), Some(n)) => (Some(s.to_ascii_lowercase()), n),
                _ => {
                    return Value::unknown(
                        "`copyIndex(name, offset)` has arguments of the wrong type",
                        span,
                    )
                }
            },
            _ => return Value::unknown("`copyIndex()` takes at most two arguments", span),
        };
        let frame: Option<&CopyFrame> = match &name {
            Some(n) => env.copy.iter().rev().find(|f| *f.name == **n),
            None => env.copy.last(),
        };
        match frame {
            Some(f) => Value::int(f.index.saturating_add(offset), span),
            None => {
                let message = match name {
                    Some(n) => format!("`copyIndex('{n}')` is used outside that copy loop"),
                    None => "`copyIndex()` is used outside a copy loop".to_owned(),
                };
                self.problem(span, message.clone());
                Value::unknown(message, span)
            }
        }
    }

    /// `filter`, `map`, `reduce`, `sort`, `toObject`, `groupBy`, `mapValues`.
    fn lambda_function(&mut self, name: &str, call: &Call, env: &Env<'_>, span: Span) -> Value {
        let lambdas: Vec<(Vec<Arc<str>>, &Expr)> = call
            .args
            .iter()
            .filter_map(|a| match a {
                Expr::Call(c) if c.name.eq_ignore_ascii_case("lambda") && !c.args.is_empty() => {
                    let (body, params) = c.args.split_last()?;
                    let params = params
                        .iter()
                        .map(|p| match p {
                            Expr::Str(s) => Some(Arc::<str>::from(s.as_str())),
                            _ => None,
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some((params, body))
                }
                _ => None,
            })
            .collect();
        let plain: Vec<&Expr> = call
            .args
            .iter()
            .filter(|a| !matches!(a, Expr::Call(c) if c.name.eq_ignore_ascii_case("lambda")))
            .collect();
        let Some(first) = plain.first() else {
            return Value::unknown(format!("`{name}()` needs an array"), span);
        };
        let input = self.eval_expr(first, env, span);
        if let Some(u) = input.as_unknown() {
            return Value::from_unknown(u, span);
        }
        let Some((params, body)) = lambdas.first().cloned() else {
            return Value::unknown(format!("`{name}()` needs a lambda"), span);
        };
        let apply = |ev: &mut Self, params: &[Arc<str>], body: &Expr, args: Vec<Value>| -> Value {
            let mut scope: Vec<(Arc<str>, Value)> = env.lambda.to_vec();
            scope.extend(params.iter().cloned().zip(args));
            let inner = Env {
                lambda: &scope,
                ..*env
            };
            ev.eval_expr(body, &inner, span)
        };
        if name == "mapvalues" {
            let Some(obj) = input.as_object() else {
                return Value::unknown("`mapValues()` needs an object", span);
            };
            let entries = obj
                .entries()
                .iter()
                .map(|(k, v)| (k.clone(), apply(self, &params, body, vec![v.clone()])))
                .collect();
            return Value::object(entries, span);
        }
        let Some(items) = input.as_array().map(<[Value]>::to_vec) else {
            return Value::unknown(
                format!("`{name}()` needs an array, got {}", input.type_name()),
                span,
            );
        };
        let with_index = |v: &Value, i: usize| vec![v.clone(), Value::int(i as i64, span)];
        match name {
            "filter" => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let keep = apply(self, &params, body, with_index(item, i));
                    match keep.kind() {
                        KindRef::Bool(true) => out.push(item.clone()),
                        KindRef::Bool(false) => {}
                        _ => {
                            let u = keep.deep_unknown().unwrap_or_else(|| {
                                Unknown::new("a filter predicate is not boolean")
                            });
                            return Value::from_unknown(&u, span);
                        }
                    }
                }
                Value::array(out, span)
            }
            "map" => {
                let out = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| apply(self, &params, body, with_index(item, i)))
                    .collect();
                Value::array(out, span)
            }
            "reduce" => {
                let Some(initial) = plain.get(1) else {
                    return Value::unknown("`reduce()` needs an initial value", span);
                };
                let mut acc = self.eval_expr(initial, env, span);
                for (i, item) in items.iter().enumerate() {
                    acc = apply(
                        self,
                        &params,
                        body,
                        vec![acc, item.clone(), Value::int(i as i64, span)],
                    );
                }
                acc
            }
            "sort" => {
                // Insertion sort with the template's comparator: stable and deterministic.
                let mut out: Vec<Value> = Vec::with_capacity(items.len());
                for item in items {
                    let mut at = out.len();
                    while at > 0 {
                        let less =
                            apply(self, &params, body, vec![item.clone(), out[at - 1].clone()]);
                        match less.kind() {
                            KindRef::Bool(true) => at -= 1,
                            KindRef::Bool(false) => break,
                            _ => {
                                let u = less.deep_unknown().unwrap_or_else(|| {
                                    Unknown::new("a sort comparison is not boolean")
                                });
                                return Value::from_unknown(&u, span);
                            }
                        }
                    }
                    out.insert(at, item);
                }
                Value::array(out, span)
            }
            "toobject" | "groupby" => {
                let mut entries: Vec<(arcstr::ArcStr, Value)> = Vec::new();
                for item in &items {
                    let key = apply(self, &params, body, vec![item.clone()]);
                    let Some(key) = key.as_str().map(arcstr::ArcStr::from) else {
                        let u = key
                            .deep_unknown()
                            .unwrap_or_else(|| Unknown::new("an object key is not a string"));
                        return Value::from_unknown(&u, span);
                    };
                    if name == "toobject" {
                        let value = match lambdas.get(1) {
                            Some((p, b)) => apply(self, p, b, vec![item.clone()]),
                            None => item.clone(),
                        };
                        entries.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
                        entries.push((key, value));
                    } else if let Some((_, group)) = entries
                        .iter_mut()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                    {
                        let mut list = group.as_array().map(<[Value]>::to_vec).unwrap_or_default();
                        list.push(item.clone());
                        *group = Value::array(list, span);
                    } else {
                        entries.push((key, Value::array(vec![item.clone()], span)));
                    }
                }
                Value::object(entries, span)
            }
            _ => Value::unknown(format!("`{name}()` is not evaluated by amlint"), span),
        }
    }

    fn user_function(&mut self, call: &Call, lower: &str, env: &Env<'_>, span: Span) -> Value {
        let ctx = self.lookup_ctx(env.ctx);
        let Some(def) = self.ctxs[ctx].functions.get(lower).copied() else {
            self.problem(
                span,
                format!("user function `{}` is not declared", call.name),
            );
            return Value::unknown(
                format!("user function `{}` is not declared", call.name),
                span,
            );
        };
        let args = self.args(call, env, span);
        let names: Vec<Arc<str>> = match def.member("parameters") {
            Some(ast::Value::Array(ps)) => ps
                .elements
                .iter()
                .filter_map(|p| p.as_object()?.member_str("name").map(Arc::from))
                .collect(),
            _ => Vec::new(),
        };
        if names.len() != args.len() {
            self.problem(
                span,
                format!(
                    "user function `{}` takes {} argument(s), not {}",
                    call.name,
                    names.len(),
                    args.len()
                ),
            );
            return Value::unknown(
                format!(
                    "user function `{}` is called with the wrong arguments",
                    call.name
                ),
                span,
            );
        }
        let Some(output) = def.member_object("output").and_then(|o| o.member("value")) else {
            return Value::unknown(
                format!("user function `{}` has no output value", call.name),
                span,
            );
        };
        let bound: Vec<(Arc<str>, Value)> = names.into_iter().zip(args).collect();
        if !self.enter(span) {
            return Value::unknown("evaluation nests too deep", span);
        }
        let inner = Env {
            ctx,
            copy: &[],
            lambda: &[],
            function_params: Some(&bound),
        };
        let v = self.eval_node(output, &inner);
        self.leave();
        v.at(span)
    }

    fn resource_group_object(&mut self, env: &Env<'_>, span: Span) -> Value {
        let scope = self.ctxs[self.lookup_ctx(env.ctx)].scope.clone();
        if scope.kind != ScopeKind::ResourceGroup {
            self.problem(
                span,
                "`resourceGroup()` is not available at this deployment scope",
            );
            return Value::unknown(
                "`resourceGroup()` is not available at this deployment scope",
                span,
            );
        }
        let id = match (scope.subscription.as_str(), scope.resource_group.as_str()) {
            (Some(s), Some(g)) => Value::str(
                crate::arm::resource_id::concat(&["/subscriptions/", s, "/resourceGroups/", g]),
                span,
            ),
            _ => Value::unknown("the resource group is not known", span),
        };
        open_scope_object(
            vec![
                ("id", id),
                ("name", scope.resource_group.clone()),
                ("location", scope.location.clone()),
                (
                    "type",
                    Value::str("Microsoft.Resources/resourceGroups", span),
                ),
            ],
            "the resource group",
            span,
        )
    }

    fn subscription_object(&mut self, env: &Env<'_>, span: Span) -> Value {
        let scope = self.ctxs[self.lookup_ctx(env.ctx)].scope.clone();
        let id = match scope.subscription.as_str() {
            Some(s) => Value::str(format!("/subscriptions/{s}"), span),
            None => scope.subscription.clone(),
        };
        open_scope_object(
            vec![
                ("id", id),
                ("subscriptionId", scope.subscription.clone()),
                ("tenantId", scope.tenant.clone()),
            ],
            "the subscription",
            span,
        )
    }

    /// `resourceId` and its family.
    fn resource_id_function(
        &mut self,
        name: &str,
        args: &[Value],
        env: &Env<'_>,
        span: Span,
    ) -> Value {
        let scope = self.ctxs[self.lookup_ctx(env.ctx)].scope.clone();
        // The resource type is the first argument that is a known string with a `/`.
        let start = usize::from(name == "extensionresourceid");
        let Some(type_at) = args
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, a)| a.as_known_str().is_some_and(|s| s.contains('/')))
            .map(|(i, _)| i)
        else {
            if let Some(u) = args.iter().find_map(Value::deep_unknown) {
                return Value::from_unknown(&u, span);
            }
            return Value::unknown(format!("`{name}()` has no resource type argument"), span);
        };
        let full_type = args[type_at].as_str().unwrap_or_default();
        let mut full_name = String::new();
        for (i, a) in args[type_at + 1..].iter().enumerate() {
            if let Some(s) = a.as_str() {
                if i > 0 {
                    full_name.push('/');
                }
                full_name.push_str(s);
            } else if let Some(u) = a.as_unknown() {
                return Value::from_unknown(u, span);
            } else {
                return Value::unknown(format!("`{name}()` has a name that is not a string"), span);
            }
        }
        let leading = &args[start..type_at];
        let text_or_hole = |ev: &mut Self, v: &Value, kind: HoleKind| -> arcstr::ArcStr {
            match v.as_arc_str() {
                Some(s) => s.clone(),
                None => ev
                    .fresh_hole(kind, span)
                    .as_arc_str()
                    .cloned()
                    .unwrap_or_default(),
            }
        };
        let prefix = match name {
            "extensionresourceid" => match args.first() {
                Some(v) => match v.as_str() {
                    Some(s) => s.trim_end_matches('/').to_owned(),
                    None => {
                        return Value::from_unknown(
                            &v.deep_unknown()
                                .unwrap_or_else(|| Unknown::new("the scope is not a string")),
                            span,
                        )
                    }
                },
                None => return Value::unknown("`extensionResourceId()` needs a scope", span),
            },
            "tenantresourceid" => String::new(),
            "managementgroupresourceid" => {
                let mg = match leading.first() {
                    Some(v) => text_or_hole(self, v, HoleKind::ManagementGroup),
                    None => text_or_hole(self, &scope.management_group, HoleKind::ManagementGroup),
                };
                resource_id::concat(&["/providers/Microsoft.Management/managementGroups/", &mg])
            }
            "subscriptionresourceid" => {
                let sub = match leading.first() {
                    Some(v) => text_or_hole(self, v, HoleKind::Subscription),
                    None => text_or_hole(self, &scope.subscription, HoleKind::Subscription),
                };
                resource_id::concat(&["/subscriptions/", &sub])
            }
            _ => {
                let (sub, rg) = match leading {
                    [] => (None, None),
                    [rg] => (None, Some(rg)),
                    [sub, rg, ..] => (Some(sub), Some(rg)),
                };
                let sub = match sub {
                    Some(v) => text_or_hole(self, v, HoleKind::Subscription),
                    None => text_or_hole(self, &scope.subscription, HoleKind::Subscription),
                };
                let rg = match (rg, scope.kind) {
                    (Some(v), _) => Some(text_or_hole(self, v, HoleKind::ResourceGroup)),
                    (None, ScopeKind::ResourceGroup) => Some(text_or_hole(
                        self,
                        &scope.resource_group,
                        HoleKind::ResourceGroup,
                    )),
                    (None, _) => None,
                };
                match rg {
                    Some(rg) => {
                        resource_id::concat(&["/subscriptions/", &sub, "/resourceGroups/", &rg])
                    }
                    None => resource_id::concat(&["/subscriptions/", &sub]),
                }
            }
        };
        match resource_id::build(&prefix, full_type, &full_name) {
            Ok(id) => Value::str(id, span),
            Err(e) => {
                self.problem(span, format!("`{name}()`: {e}"));
                Value::unknown(e, span)
            }
        }
    }
}

/// `.name` on a value.
pub(super) fn access_member(t: &Value, name: &str, safe: bool, span: Span) -> Value {
    match t.member(name) {
        Lookup::Found(v) => v.clone(),
        Lookup::Unknown(u) => Value::from_unknown(&u, span),
        Lookup::Missing if safe => Value::null(span),
        Lookup::Missing => match t.kind() {
            KindRef::Str(s) if hole::has_hole(s) => {
                Value::unknown(hole::reason(s).unwrap_or_default(), span)
            }
            KindRef::Object(_) => {
                Value::unknown(format!("the object has no property `{name}`"), span)
            }
            _ => Value::unknown(
                format!("a {} has no property `{name}`", t.type_name()),
                span,
            ),
        },
    }
}

/// `[index]` on a value.
pub(super) fn access_index(t: &Value, i: &Value, safe: bool, span: Span) -> Value {
    if let Some(u) = i.as_unknown() {
        return Value::from_unknown(u, span);
    }
    match (t.kind(), i.kind()) {
        (KindRef::Unknown(u), _) => Value::from_unknown(u, span),
        (KindRef::Array(a), _) if i.as_int().is_some() => {
            match a.index(i.as_int().unwrap_or_default()) {
                Lookup::Found(v) => v.clone(),
                Lookup::Unknown(u) => Value::from_unknown(&u, span),
                Lookup::Missing if safe => Value::null(span),
                Lookup::Missing => {
                    Value::unknown(format!("index {} is out of range", i.display()), span)
                }
            }
        }
        (KindRef::Object(_), KindRef::Str(k)) => access_member(t, k, safe, span),
        (KindRef::Null, _) if safe => Value::null(span),
        (KindRef::Str(s), _) if hole::has_hole(s) => {
            Value::unknown(hole::reason(s).unwrap_or_default(), span)
        }
        _ => {
            if let Some(reason) = i.as_str().and_then(hole::reason) {
                return Value::unknown(reason, span);
            }
            Value::unknown(
                format!("cannot index a {} with a {}", t.type_name(), i.type_name()),
                span,
            )
        }
    }
}

fn one_string(args: &[Value]) -> Option<String> {
    match args {
        [a] => a.as_known_str().map(str::to_owned),
        _ => None,
    }
}

fn unknown_or(args: &[Value], message: &str, span: Span) -> Value {
    match args.iter().find_map(Value::deep_unknown) {
        Some(u) => Value::from_unknown(&u, span),
        None => Value::unknown(message, span),
    }
}

/// An object with some known members whose other members are unknown.
fn open_scope_object(members: Vec<(&str, Value)>, what: &str, span: Span) -> Value {
    let open = Unknown::new(what);
    Value::new(
        Kind::Object(crate::arm::value::Object::new(
            members
                .into_iter()
                .map(|(k, v)| (arcstr::ArcStr::from(k), v))
                .collect(),
            Some(open),
        )),
        span,
    )
}

/// A thread's table of what was made from a text, across templates; emptied when full.
type ByText<T> = std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, T>>;

/// What `table` holds for `text`, or what `make` makes of it (and the table then holds), the
/// table emptied first when it has `max` entries.
fn by_text<T: Clone>(
    table: &'static std::thread::LocalKey<ByText<T>>,
    max: usize,
    text: &str,
    make: impl Fn() -> T,
) -> T {
    table
        .try_with(|table| {
            let mut table = table.borrow_mut();
            if let Some(hit) = table.get(text) {
                return hit.clone();
            }
            if table.len() >= max {
                table.clear();
            }
            let made = make();
            table.insert(Box::from(text), made.clone());
            made
        })
        .unwrap_or_else(|_| make())
}

/// How many expression texts a thread keeps parsed for every template it evaluates.
pub(super) const SHARED_EXPRS_MAX: usize = 16_384;

/// How many strings a thread keeps shared for every template it evaluates.
pub(super) const SHARED_STRINGS_MAX: usize = 65_536;

thread_local! {
    /// Parsed expressions by text, across templates: templates written from the same modules
    /// (compiled Bicep above all) repeat the same expressions, and a parse depends on the text
    /// alone. Bounded, so a tree of unique expressions costs a bounded table.
    static SHARED_EXPRS: ByText<ParsedExpr> = ByText::default();

    /// Literal strings (member names above all: `properties`, `priority`, `direction`) by text,
    /// across templates: each is allocated once per thread, not once per template, and the
    /// values of every template share it.
    static SHARED_STRINGS: ByText<arcstr::ArcStr> = ByText::default();

    /// The string last shared for each slot of a cheap hash of its text: in front of
    /// `SHARED_STRINGS`, most member names and short words are found here without a hash of
    /// the whole text or a probe of the table.
    static RECENT_STRINGS: std::cell::RefCell<Box<[RecentSlot]>> =
        std::cell::RefCell::new(vec![(RecentKey::default(), None); RECENT_SLOTS].into_boxed_slice());
}

/// Parses an expression text, or takes the parse this thread already made of the same text.
pub(super) fn parse_shared(text: &str) -> ParsedExpr {
    by_text(&SHARED_EXPRS, SHARED_EXPRS_MAX, text, || {
        expr::parse(text)
            .map(Arc::new)
            .map_err(|e| Arc::from(e.message))
    })
}

/// How many texts this thread's table of parsed expressions holds.
#[cfg(test)]
pub(super) fn shared_exprs_len() -> usize {
    SHARED_EXPRS.with(|shared| shared.borrow().len())
}

/// The copy of `text` this thread shares.
pub(crate) fn intern_shared(text: &str) -> arcstr::ArcStr {
    let key = RecentKey::of(text.as_bytes());
    let slot = key.slot();
    let recent = RECENT_STRINGS.with(|recent| {
        let recent = recent.borrow();
        let (k, s) = &recent[slot];
        // A key of up to 16 bytes is the text itself; a longer one is compared in full.
        let hit = s
            .as_ref()
            .filter(|s| *k == key && (text.len() <= 16 || s.as_str() == text))?;
        // Used again: the string is made static, kept to the end of the run, so that copies
        // of it (in every value that holds it, on every thread) are not counted atomically.
        if !arcstr::ArcStr::is_static(hit) {
            hit.leak();
        }
        Some(hit.clone())
    });
    match recent {
        Some(hit) => hit,
        None => intern_shared_slow(text, key, slot),
    }
}

/// [`intern_shared`] for a text not in its slot of [`RECENT_STRINGS`], which then holds it.
#[cold]
#[inline(never)]
fn intern_shared_slow(text: &str, key: RecentKey, slot: usize) -> arcstr::ArcStr {
    let shared = by_text(&SHARED_STRINGS, SHARED_STRINGS_MAX, text, || {
        arcstr::ArcStr::from(text)
    });
    RECENT_STRINGS.with(|recent| recent.borrow_mut()[slot] = (key, Some(shared.clone())));
    shared
}

/// A slot of [`RECENT_STRINGS`]: the key of the string it holds, and the string.
type RecentSlot = (RecentKey, Option<arcstr::ArcStr>);

/// How many slots [`RECENT_STRINGS`] has (a power of two).
const RECENT_SLOTS: usize = 1024;

/// A text's length and its first and last eight bytes (zero-padded): for a text of up to 16
/// bytes, the text itself, compared without a call to `memcmp`.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct RecentKey {
    head: u64,
    tail: u64,
    len: usize,
}

impl RecentKey {
    fn of(b: &[u8]) -> RecentKey {
        let load = |bytes: &[u8]| {
            let mut padded = [0u8; 8];
            padded[..bytes.len()].copy_from_slice(bytes);
            u64::from_le_bytes(padded)
        };
        let (head, tail) = if b.len() >= 8 {
            (load(&b[..8]), load(&b[b.len() - 8..]))
        } else {
            (load(b), 0)
        };
        RecentKey {
            head,
            tail,
            len: b.len(),
        }
    }

    /// The key's slot of [`RECENT_STRINGS`].
    fn slot(self) -> usize {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let h = (self.head.wrapping_mul(K) ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(K);
        (h >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
    }
}
