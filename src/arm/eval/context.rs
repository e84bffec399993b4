//! The evaluator's state: one context per template (the root and each nested deployment), the
//! resource instances they declare, and the lazily evaluated parameters and variables.

use super::{EvalInput, EvalResource, Evaluated, NameMap, Problem, EVAL_BUDGET, MAX_EVAL_DEPTH};
use crate::arm::hole::{self, HoleKind};
use crate::arm::value::{Tri, Unknown, Value};
use crate::parse::Ranged;
use crate::parse::{ast, ObjectExt};
use crate::source::{FileId, Span};
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

/// Largest `copy` count ARM accepts.
pub const MAX_COPY_COUNT: i64 = 800;

pub(super) type CtxId = usize;
pub(super) type InstId = usize;

/// A lazily computed value; `Busy` while computing, to detect cycles.
#[derive(Debug, Clone)]
pub(super) enum Slot {
    Pending,
    Busy,
    Done(Value),
}

/// One `copy` loop iteration the code runs in.
#[derive(Debug, Clone)]
pub(super) struct CopyFrame {
    /// Lowercase loop name.
    pub name: Box<str>,
    pub index: i64,
}

/// Where expressions are evaluated: the template context, the copy loops, lambda and user-function
/// parameters in scope.
#[derive(Clone, Copy)]
pub(super) struct Env<'e> {
    pub ctx: CtxId,
    pub copy: &'e [CopyFrame],
    pub lambda: &'e [(Arc<str>, Value)],
    pub function_params: Option<&'e [(Arc<str>, Value)]>,
}

impl<'e> Env<'e> {
    pub fn new(ctx: CtxId, copy: &'e [CopyFrame]) -> Self {
        Env {
            ctx,
            copy,
            lambda: &[],
            function_params: None,
        }
    }
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone)]
pub(super) enum Given<'a> {
    /// A parameter file's value.
    Value(Value),
    /// A nested deployment's `parameters.x.value`, evaluated in the calling template; with
    /// `whole_entry`, the node is the entry (`{ "value": ... }`) as one expression.
    Node {
        node: &'a ast::Value<'a>,
        ctx: CtxId,
        copy: Vec<CopyFrame>,
        whole_entry: bool,
    },
}

#[derive(Debug)]
pub(super) struct ParamSlot<'a> {
    pub name: Arc<str>,
    pub decl: Option<&'a ast::Object<'a>>,
    pub given: Option<Given<'a>>,
    pub state: Slot,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum VarDecl<'a> {
    Node(&'a ast::Value<'a>),
    /// An element of the `variables.copy` array: `{name, count, input}`.
    Copy(&'a ast::Object<'a>),
}

#[derive(Debug)]
pub(super) struct VarSlot<'a> {
    pub name: Arc<str>,
    pub decl: VarDecl<'a>,
    pub state: Slot,
}

/// The deployment scope of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScopeKind {
    Tenant,
    ManagementGroup,
    Subscription,
    ResourceGroup,
}

#[derive(Debug, Clone)]
pub(super) struct Scope {
    pub kind: ScopeKind,
    pub subscription: Value,
    pub resource_group: Value,
    pub location: Value,
    pub management_group: Value,
    pub tenant: Value,
    pub deployment_name: Value,
}

impl Scope {
    /// The ID prefix resources of this scope get.
    pub fn id_prefix(&self) -> Result<String, Arc<Unknown>> {
        use crate::arm::resource_id::concat;
        fn text(v: &Value) -> Result<&str, Arc<Unknown>> {
            match v.as_str() {
                Some(s) => Ok(s),
                None => Err(v
                    .as_unknown()
                    .cloned()
                    .unwrap_or_else(|| Unknown::new("the deployment scope is not a string"))),
            }
        }
        Ok(match self.kind {
            ScopeKind::Tenant => String::new(),
            ScopeKind::ManagementGroup => concat(&[
                "/providers/Microsoft.Management/managementGroups/",
                text(&self.management_group)?,
            ]),
            ScopeKind::Subscription => concat(&["/subscriptions/", text(&self.subscription)?]),
            ScopeKind::ResourceGroup => concat(&[
                "/subscriptions/",
                text(&self.subscription)?,
                "/resourceGroups/",
                text(&self.resource_group)?,
            ]),
        })
    }
}

/// One template: the root, or the inline template of a nested deployment.
#[derive(Debug)]
pub(super) struct Ctx<'a> {
    pub template: &'a ast::Object<'a>,
    /// For outer-scoped nested templates: the template whose parameters, variables and functions
    /// the expressions see.
    pub outer: Option<CtxId>,
    pub params: NameMap<ParamSlot<'a>>,
    pub vars: NameMap<VarSlot<'a>>,
    /// `namespace.member` (lowercase) → the member's definition.
    pub functions: NameMap<&'a ast::Object<'a>>,
    /// Shared: every resource without a scope of its own, and every `resourceGroup()`, reads it.
    pub scope: Arc<Scope>,
    pub resources: Vec<InstId>,
    /// languageVersion 2.0 symbolic name (lowercase) → instances.
    pub symbols: NameMap<Vec<InstId>>,
    pub outputs: Slot,
    pub depth: u32,
    pub deployments: Vec<Arc<str>>,
    pub enumerated: bool,
}

/// How far an instance's name and ID are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Naming {
    NotYet,
    /// Being evaluated: look-ups do not see the instance (as before it was declared).
    Busy,
    Done,
}

/// A resource declaration in one copy iteration.
#[derive(Debug)]
pub(super) struct Inst<'a> {
    pub ctx: CtxId,
    pub decl: &'a ast::Object<'a>,
    pub copy: Vec<CopyFrame>,
    pub symbolic: Option<Arc<str>>,
    pub full_type: Arc<str>,
    /// Whether the type is one the caller wants (`EvalInput::wanted`): its body is evaluated, and
    /// its name and ID at once.
    pub wanted: bool,
    /// The parent resource of a nested child declaration, whose name prefixes this one's.
    pub parent: Option<InstId>,
    /// Whether `name` and `id` are evaluated ([`Evaluator::name_instance`]). A resource of a type
    /// nobody wants is named only when something looks it up: most are never referred to.
    pub naming: Naming,
    pub name: Value,
    pub id: Value,
    /// `id` read as a resource ID, made from its parts when the resource is named (where that
    /// gives what parsing `id` would): see [`crate::arm::resource_id::in_resource_group`].
    pub structured_id: Option<crate::arm::resource_id::ResourceId>,
    /// `id` parsed, once something looks the resource up by ID (`reference(resourceId(...))`);
    /// only ever read once the resource is named.
    pub parsed_id: std::cell::OnceCell<Option<crate::arm::resource_id::ResourceId>>,
    pub condition: Tri<bool>,
    pub existing: bool,
    pub body: Slot,
    /// For nested deployments: the context of the inline template, once created.
    pub child: Option<Option<CtxId>>,
    pub span: Span,
    pub name_span: Span,
    pub copy_index: Option<i64>,
}

pub(super) struct Evaluator<'a> {
    pub file: FileId,
    pub unit: u32,
    pub wanted: &'a dyn Fn(&str) -> bool,
    pub root_params: Option<&'a super::ParameterValues>,
    pub ctxs: Vec<Ctx<'a>>,
    pub insts: Vec<Inst<'a>>,
    pub problems: Vec<Problem>,
    pub unexpanded: Vec<super::Unexpanded>,
    seen_problems: HashSet<(Span, String)>,
    pub fuel: u64,
    pub depth: u32,
    pub fresh: u32,
    /// What the evaluations of this template share.
    pub cache: TemplateCache,
    /// The members and items of the objects and arrays being evaluated, innermost last: each
    /// takes its own off the top when it is complete, into one allocation of the exact size,
    /// rather than first into a list of its own.
    pub(super) members: Vec<(arcstr::ArcStr, Value)>,
    pub(super) items: Vec<Value>,
}

/// A template string's expression, or why it does not parse.
pub(super) type ParsedExpr = Result<Arc<crate::arm::expr::Expr>, Arc<str>>;

/// What every evaluation of one template shares, whatever its parameter file: the parsed
/// expressions (keyed by their text's address in the template) and what checking the root
/// template found (it does not depend on parameter values).
#[derive(Default)]
pub struct TemplateCache {
    pub(super) exprs: rustc_hash::FxHashMap<(usize, usize), ParsedExpr>,
    /// The problems [`Evaluator::validate`] found in the root template, once it has run.
    pub(super) root_problems: Option<Vec<Problem>>,
}

impl TemplateCache {
    /// Tables sized for a template of a few hundred strings: growing them costs more.
    pub fn new() -> Self {
        TemplateCache {
            exprs: rustc_hash::FxHashMap::with_capacity_and_hasher(256, Default::default()),
            root_problems: None,
        }
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(input: &EvalInput<'a>, cache: TemplateCache) -> Self {
        Evaluator {
            file: input.file,
            unit: input.unit,
            wanted: input.wanted,
            root_params: input.parameters,
            ctxs: Vec::new(),
            insts: Vec::new(),
            problems: Vec::new(),
            unexpanded: Vec::new(),
            seen_problems: HashSet::default(),
            fuel: EVAL_BUDGET,
            depth: 0,
            fresh: 0,
            cache,
            members: Vec::new(),
            items: Vec::new(),
        }
    }

    pub fn span_of(&self, node: &impl Ranged) -> Span {
        let r = node.range();
        Span::new(self.file, r.start, r.end)
    }

    /// Records an AML003 problem once per span and message.
    pub fn problem(&mut self, span: Span, message: impl Into<String>) {
        let message = message.into();
        if self.seen_problems.insert((span, message.clone())) {
            self.problems.push(Problem { span, message });
        }
    }

    pub fn hole(&self, kind: HoleKind, label: &str, span: Span) -> Value {
        Value::str(hole::make(kind, label, self.unit), span)
    }

    /// A hole equal to nothing else: an unknown part of an ID.
    pub fn fresh_hole(&mut self, kind: HoleKind, span: Span) -> Value {
        self.fresh += 1;
        let label = format!("?{}", self.fresh);
        self.hole(kind, &label, span)
    }

    /// The context whose parameters, variables and functions `ctx`'s expressions see.
    pub fn lookup_ctx(&self, mut ctx: CtxId) -> CtxId {
        while let Some(outer) = self.ctxs[ctx].outer {
            ctx = outer;
        }
        ctx
    }

    /// Enters one more level of lazy evaluation; `false` (with a problem recorded) when too deep.
    pub fn enter(&mut self, span: Span) -> bool {
        if self.depth >= MAX_EVAL_DEPTH {
            self.problem(
                span,
                format!("evaluation nests deeper than {MAX_EVAL_DEPTH} levels; amlint stops here"),
            );
            return false;
        }
        self.depth += 1;
        true
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Creates the context of a template.
    pub fn new_ctx(
        &mut self,
        template: &'a ast::Object<'a>,
        outer: Option<CtxId>,
        scope: Scope,
        depth: u32,
        deployments: Vec<Arc<str>>,
    ) -> CtxId {
        let mut params = NameMap::default();
        let mut vars = NameMap::default();
        let mut functions = NameMap::default();
        if outer.is_none() {
            if let Some(p) = template.member_object("parameters") {
                for prop in p.properties {
                    let name: Arc<str> = Arc::from(prop.name.as_str());
                    params.insert(
                        name.to_ascii_lowercase().into_boxed_str(),
                        ParamSlot {
                            name,
                            decl: prop.value.as_object(),
                            given: None,
                            state: Slot::Pending,
                        },
                    );
                }
            }
            if let Some(v) = template.member_object("variables") {
                for prop in v.properties {
                    if prop.name.as_str().eq_ignore_ascii_case("copy") {
                        if let ast::Value::Array(items) = &prop.value {
                            for item in items.elements {
                                let Some(obj) = item.as_object() else {
                                    continue;
                                };
                                let Some(name) = obj.member_str("name") else {
                                    continue;
                                };
                                vars.insert(
                                    name.to_ascii_lowercase().into_boxed_str(),
                                    VarSlot {
                                        name: Arc::from(name),
                                        decl: VarDecl::Copy(obj),
                                        state: Slot::Pending,
                                    },
                                );
                            }
                            continue;
                        }
                    }
                    vars.insert(
                        prop.name.as_str().to_ascii_lowercase().into_boxed_str(),
                        VarSlot {
                            name: Arc::from(prop.name.as_str()),
                            decl: VarDecl::Node(&prop.value),
                            state: Slot::Pending,
                        },
                    );
                }
            }
            if let Some(ast::Value::Array(spaces)) = template.member("functions") {
                for ns in spaces.elements {
                    let Some(ns) = ns.as_object() else { continue };
                    let Some(prefix) = ns.member_str("namespace") else {
                        continue;
                    };
                    let Some(members) = ns.member_object("members") else {
                        continue;
                    };
                    for m in members.properties {
                        if let Some(def) = m.value.as_object() {
                            functions.insert(
                                format!("{prefix}.{}", m.name.as_str())
                                    .to_ascii_lowercase()
                                    .into_boxed_str(),
                                def,
                            );
                        }
                    }
                }
            }
        }
        self.ctxs.push(Ctx {
            template,
            outer,
            params,
            vars,
            functions,
            scope: Arc::new(scope),
            resources: Vec::new(),
            symbols: NameMap::default(),
            outputs: Slot::Pending,
            depth,
            deployments,
            enumerated: false,
        });
        self.ctxs.len() - 1
    }

    /// Evaluates the whole template: every context, every resource, the wanted bodies.
    pub fn run(&mut self, root: &'a ast::Object<'a>) {
        let scope = self.root_scope(root);
        let ctx = self.new_ctx(root, None, scope, 0, Vec::new());
        if let Some(given) = self.root_params {
            for (i, (name, value)) in given.values.iter().enumerate() {
                let key = name.to_ascii_lowercase();
                match self.ctxs[ctx].params.get_mut(key.as_str()) {
                    Some(slot) => slot.given = Some(Given::Value(value.clone())),
                    None => {
                        let span = given.name_spans.get(i).copied().unwrap_or(Span::NONE);
                        self.problem(
                            span,
                            format!("parameter `{name}` is not declared in the template; ARM rejects the deployment"),
                        );
                    }
                }
            }
        }
        match self.cache.root_problems.take() {
            Some(found) => {
                for p in &found {
                    self.problem(p.span, p.message.clone());
                }
                self.cache.root_problems = Some(found);
            }
            None => {
                let before = self.problems.len();
                self.validate(ctx);
                self.cache.root_problems = Some(self.problems[before..].to_vec());
            }
        }
        self.enumerate(ctx);
        // Nested deployments add contexts and instances as they are found.
        let mut i = 0;
        while i < self.insts.len() {
            if is_deployment(&self.insts[i].full_type)
                && self.insts[i].condition != Tri::Known(false)
            {
                if let Some(child) = self.child_ctx(i) {
                    self.enumerate(child);
                }
            }
            i += 1;
        }
        for i in 0..self.insts.len() {
            if self.insts[i].wanted && !self.insts[i].existing {
                self.body(i);
            }
        }
    }

    pub fn finish(self) -> Evaluated {
        let ctxs = self.ctxs;
        // The resources never named are of types nobody wants, and nothing referred to them.
        let resources = self
            .insts
            .into_iter()
            .filter(|inst| inst.naming == Naming::Done)
            .map(|inst| EvalResource {
                full_type: inst.full_type,
                name: inst.name,
                id: inst.id,
                parsed_id: inst.structured_id,
                symbolic: inst.symbolic,
                condition: inst.condition,
                existing: inst.existing,
                body: match inst.body {
                    Slot::Done(v) => Some(v),
                    _ => None,
                },
                span: inst.span,
                name_span: inst.name_span,
                copy_index: inst.copy_index,
                deployments: ctxs[inst.ctx].deployments.clone(),
            })
            .collect();
        Evaluated {
            resources,
            problems: self.problems,
            unexpanded: self.unexpanded,
        }
    }

    fn root_scope(&mut self, root: &'a ast::Object<'a>) -> Scope {
        let schema = root
            .member_str("$schema")
            .unwrap_or("")
            .to_ascii_lowercase();
        let kind = if schema.contains("subscriptiondeploymenttemplate") {
            ScopeKind::Subscription
        } else if schema.contains("managementgroupdeploymenttemplate") {
            ScopeKind::ManagementGroup
        } else if schema.contains("tenantdeploymenttemplate") {
            ScopeKind::Tenant
        } else {
            ScopeKind::ResourceGroup
        };
        let span = Span::NONE;
        Scope {
            kind,
            subscription: self.hole(HoleKind::Subscription, "", span),
            resource_group: self.hole(HoleKind::ResourceGroup, "", span),
            location: self.hole(HoleKind::Location, "", span),
            management_group: self.hole(HoleKind::ManagementGroup, "", span),
            tenant: self.hole(HoleKind::Tenant, "", span),
            deployment_name: self.hole(HoleKind::Deployment, "", span),
        }
    }

    /// The value of a parameter, evaluated once.
    pub fn parameter(&mut self, ctx: CtxId, name: &str, span: Span) -> Value {
        self.parameter_by_key(ctx, name, &name.to_ascii_lowercase(), span)
    }

    /// [`Evaluator::parameter`], given the name in lowercase too (`key`).
    pub fn parameter_by_key(&mut self, ctx: CtxId, name: &str, key: &str, span: Span) -> Value {
        let ctx = self.lookup_ctx(ctx);
        let Some(slot) = self.ctxs[ctx].params.get_mut(key) else {
            self.problem(span, format!("parameter `{name}` is not declared"));
            return Value::unknown(format!("parameter `{name}` is not declared"), span);
        };
        match &slot.state {
            Slot::Done(v) => return v.clone(),
            Slot::Busy => {
                let message = format!("the default value of parameter `{name}` depends on itself");
                self.problem(span, message.clone());
                return Value::unknown(message, span);
            }
            Slot::Pending => slot.state = Slot::Busy,
        }
        let given = slot.given.clone();
        let decl = slot.decl;
        let declared_name = Arc::clone(&slot.name);
        let value = if !self.enter(span) {
            Value::unknown("evaluation nests too deep", span)
        } else {
            let v = match given {
                Some(Given::Value(v)) => v,
                Some(Given::Node {
                    node,
                    ctx: caller,
                    copy,
                    whole_entry,
                }) => {
                    let env = Env::new(caller, &copy);
                    let v = self.eval_node(node, &env);
                    if whole_entry {
                        super::expression::access_member(&v, "value", false, v.span())
                    } else {
                        v
                    }
                }
                None => self.default_value(ctx, &declared_name, decl, span),
            };
            self.leave();
            v
        };
        if let Some(slot) = self.ctxs[ctx].params.get_mut(key) {
            slot.state = Slot::Done(value.clone());
        }
        value
    }

    fn default_value(
        &mut self,
        ctx: CtxId,
        name: &Arc<str>,
        decl: Option<&'a ast::Object<'a>>,
        span: Span,
    ) -> Value {
        let Some(decl) = decl else {
            return Value::unknown(format!("parameter `{name}` has no value"), span);
        };
        if let Some(default) = decl.member("defaultValue") {
            let env = Env::new(ctx, &[]);
            return self.eval_node(default, &env);
        }
        // The type may be a user-defined one: `"$ref": "#/definitions/name"`.
        let resolved = self.resolve_type(ctx, decl);
        let nullable = |o: &ast::Object<'_>| matches!(o.member("nullable"), Some(ast::Value::BooleanLit(b)) if b.value);
        if nullable(decl) || resolved.is_some_and(nullable) {
            return Value::null(span);
        }
        let ty = decl
            .member_str("type")
            .or_else(|| resolved.and_then(|r| r.member_str("type")))
            .unwrap_or("")
            .to_ascii_lowercase();
        if ty == "string" || ty == "securestring" {
            let decl_span = self.span_of(decl);
            return self.hole(HoleKind::Parameter, name, decl_span);
        }
        Value::unknown(format!("parameter `{name}` has no value"), span)
    }

    /// The user-defined type a declaration's `$ref` names (`#/definitions/x`), following up to
    /// eight references.
    fn resolve_type(&self, ctx: CtxId, decl: &'a ast::Object<'a>) -> Option<&'a ast::Object<'a>> {
        let template = self.ctxs[self.lookup_ctx(ctx)].template;
        let definitions = template.member_object("definitions")?;
        let mut current = decl;
        let mut found = None;
        for _ in 0..8 {
            let Some(name) = current
                .member_str("$ref")
                .and_then(|r| r.strip_prefix("#/definitions/"))
            else {
                break;
            };
            let next = definitions.member_object(name)?;
            found = Some(next);
            current = next;
        }
        found
    }

    /// The value of a variable, evaluated once; a cycle is an error.
    pub fn variable(&mut self, ctx: CtxId, name: &str, span: Span) -> Value {
        self.variable_by_key(ctx, name, &name.to_ascii_lowercase(), span)
    }

    /// [`Evaluator::variable`], given the name in lowercase too (`key`).
    pub fn variable_by_key(&mut self, ctx: CtxId, name: &str, key: &str, span: Span) -> Value {
        let ctx = self.lookup_ctx(ctx);
        let Some(slot) = self.ctxs[ctx].vars.get_mut(key) else {
            self.problem(span, format!("variable `{name}` is not declared"));
            return Value::unknown(format!("variable `{name}` is not declared"), span);
        };
        match &slot.state {
            Slot::Done(v) => return v.clone(),
            Slot::Busy => {
                // Reported by validation, where the cycle is found statically.
                let message = format!("variable `{}` depends on itself", slot.name);
                return Value::unknown(message, span);
            }
            Slot::Pending => slot.state = Slot::Busy,
        }
        let decl = slot.decl;
        let value = if !self.enter(span) {
            Value::unknown("evaluation nests too deep", span)
        } else {
            let env = Env::new(ctx, &[]);
            let v = match decl {
                VarDecl::Node(node) => self.eval_node(node, &env),
                VarDecl::Copy(obj) => self.copy_array(obj, &env),
            };
            self.leave();
            v
        };
        if let Some(slot) = self.ctxs[ctx].vars.get_mut(key) {
            slot.state = Slot::Done(value.clone());
        }
        value
    }

    /// Evaluates a copy count: a known integer in 0..=800, or `None` (with the problem recorded or
    /// the unknown returned in `Err`).
    pub fn copy_count(
        &mut self,
        count: Option<&'a ast::Value<'a>>,
        loop_name: &str,
        env: &Env<'_>,
        span: Span,
    ) -> Result<Option<i64>, Arc<Unknown>> {
        let Some(count) = count else {
            self.problem(span, format!("copy loop `{loop_name}` has no `count`"));
            return Ok(None);
        };
        let v = self.eval_node(count, env);
        if let Some(u) = v.as_unknown() {
            return Err(Arc::clone(u));
        }
        match v.as_int() {
            Some(n) if (0..=MAX_COPY_COUNT).contains(&n) => Ok(Some(n)),
            Some(n) => {
                let what = if n < 0 {
                    "is negative".to_owned()
                } else {
                    format!("exceeds {MAX_COPY_COUNT}")
                };
                self.problem(
                    v.span().or(span),
                    format!("copy count `{n}` of `{loop_name}` {what}; ARM rejects it"),
                );
                Ok(None)
            }
            None => {
                if let Some(reason) = v.as_str().and_then(hole::reason) {
                    return Err(Unknown::new(reason));
                }
                self.problem(
                    v.span().or(span),
                    format!(
                        "copy count of `{loop_name}` is a {}, not an integer",
                        v.type_name()
                    ),
                );
                Ok(None)
            }
        }
    }

    /// Expands `{name, count, input}` into an array (variable and property copy).
    pub fn copy_array(&mut self, obj: &'a ast::Object<'a>, env: &Env<'_>) -> Value {
        let span = self.span_of(obj);
        let name = obj.member_str("name").unwrap_or("copy").to_owned();
        let count = match self.copy_count(obj.member("count"), &name, env, span) {
            Ok(Some(n)) => n,
            Ok(None) => {
                return Value::unknown(format!("copy loop `{name}` cannot be expanded"), span)
            }
            Err(u) => return Value::from_unknown(&u, span),
        };
        let Some(input) = obj.member("input") else {
            self.problem(span, format!("copy loop `{name}` has no `input`"));
            return Value::unknown(format!("copy loop `{name}` has no `input`"), span);
        };
        let mut frames: Vec<CopyFrame> = env.copy.to_vec();
        frames.push(CopyFrame {
            name: name.to_ascii_lowercase().into_boxed_str(),
            index: 0,
        });
        let mut items = Vec::with_capacity(count as usize);
        for i in 0..count {
            if let Some(last) = frames.last_mut() {
                last.index = i;
            }
            let inner = Env {
                copy: &frames,
                ..*env
            };
            items.push(self.eval_node(input, &inner));
        }
        Value::array(items, span)
    }
}

/// Whether a type is a nested deployment.
pub(super) fn is_deployment(full_type: &str) -> bool {
    full_type.eq_ignore_ascii_case("Microsoft.Resources/deployments")
}
