//! Resources: enumerating declarations through copy loops and conditions, their IDs and bodies,
//! nested deployments and their outputs, and `reference()`.

use super::context::{
    is_deployment, CopyFrame, CtxId, Env, Evaluator, Inst, InstId, Naming, Scope, ScopeKind, Slot,
};
use super::MAX_DEPLOYMENT_DEPTH;
use crate::arm::hole::{self, HoleKind};
use crate::arm::resource_id;
use crate::arm::value::{make_open, open_object, Kind, KindRef, Tri, Unknown, Value};
use crate::parse::{ast, ObjectExt};
use crate::source::Span;
use std::sync::Arc;

impl<'a> Evaluator<'a> {
    /// Declares the resources of a context (once).
    pub fn enumerate(&mut self, ctx: CtxId) {
        if self.ctxs[ctx].enumerated {
            return;
        }
        self.ctxs[ctx].enumerated = true;
        let template = self.ctxs[ctx].template;
        match template.member("resources") {
            Some(ast::Value::Array(list)) => {
                for r in list.elements {
                    if let Some(decl) = r.as_object() {
                        self.declare(ctx, decl, None, None, &[]);
                    }
                }
            }
            Some(ast::Value::Object(map)) => {
                for p in map.properties {
                    if let Some(decl) = p.value.as_object() {
                        self.declare(ctx, decl, Some(Arc::from(p.name.as_str())), None, &[]);
                    }
                }
            }
            _ => {}
        }
    }

    /// Declares one resource declaration: one instance per copy iteration whose condition is not
    /// false, then its nested child resources.
    fn declare(
        &mut self,
        ctx: CtxId,
        decl: &'a ast::Object<'a>,
        symbolic: Option<Arc<str>>,
        parent: Option<InstId>,
        outer_copy: &[CopyFrame],
    ) {
        let span = self.span_of(decl);
        let mut iterations: Vec<Vec<CopyFrame>> = Vec::new();
        let mut copy_indexed = false;
        match decl.member_object("copy") {
            Some(copy) => {
                copy_indexed = true;
                let name = copy.member_str("name").unwrap_or("copy").to_owned();
                let env = Env::new(ctx, outer_copy);
                match self.copy_count(copy.member("count"), &name, &env, span) {
                    Ok(Some(n)) => {
                        for i in 0..n {
                            let mut frames = outer_copy.to_vec();
                            frames.push(CopyFrame {
                                name: name.to_ascii_lowercase().into_boxed_str(),
                                index: i,
                            });
                            iterations.push(frames);
                        }
                    }
                    // Not expanded: the problem is recorded.
                    Ok(None) => {}
                    Err(u) => self.unexpanded.push(super::Unexpanded {
                        span,
                        full_type: decl.member_str("type").map(Arc::from),
                        reason: format!("copy loop `{name}` has an unknown count: {}", u.reason),
                    }),
                }
            }
            None => iterations.push(outer_copy.to_vec()),
        }
        for frames in iterations {
            let env = Env::new(ctx, &frames);
            let condition = match decl.member("condition") {
                None => Tri::Known(true),
                Some(node) => {
                    let v = self.eval_node(node, &env);
                    match v.kind() {
                        KindRef::Bool(b) => Tri::Known(b),
                        KindRef::Unknown(u) => Tri::Unknown(Arc::clone(u)),
                        _ => match v.deep_unknown() {
                            Some(u) => Tri::Unknown(u),
                            None => {
                                self.problem(
                                    v.span(),
                                    format!("`condition` is a {}, not a boolean", v.type_name()),
                                );
                                Tri::Unknown(Unknown::new("the condition is not a boolean"))
                            }
                        },
                    }
                }
            };
            if condition == Tri::Known(false) {
                continue;
            }
            // A child of a resource that may not exist may not exist either.
            let condition = match (condition, parent.map(|p| &self.insts[p].condition)) {
                (Tri::Known(true), Some(Tri::Unknown(u))) => Tri::Unknown(Arc::clone(u)),
                (c, _) => c,
            };
            let parent_type = parent.map(|p| Arc::clone(&self.insts[p].full_type));
            let type_value = decl.member("type").map(|t| self.eval_node(t, &env));
            let Some(own_type) = type_value
                .as_ref()
                .and_then(|t| t.as_known_str())
                .map(str::to_owned)
            else {
                if type_value.is_none() {
                    self.problem(span, "resource has no `type`");
                }
                continue;
            };
            let full_type: Arc<str> = match &parent_type {
                Some(pt) if !own_type.contains('/') || !own_type.contains('.') => {
                    Arc::from(format!("{pt}/{own_type}"))
                }
                _ => Arc::from(own_type.as_str()),
            };
            let name_node = decl.member("name");
            let name_span = name_node.map(|n| self.span_of(n)).unwrap_or(span);
            if name_node.is_none() {
                self.problem(span, "resource has no `name`");
            }
            let existing =
                matches!(decl.member("existing"), Some(ast::Value::BooleanLit(b)) if b.value);
            let wanted = (self.wanted)(&full_type.to_ascii_lowercase());
            // Nested deployments are named as they are declared: their inner templates' scope and
            // the resources deployed in them carry their names.
            let eager = wanted || is_deployment(&full_type);
            let inst = Inst {
                ctx,
                decl,
                copy: frames.clone(),
                symbolic: symbolic.clone(),
                full_type,
                wanted,
                parent,
                naming: Naming::NotYet,
                // Set when named; read only then.
                name: Value::null(name_span),
                id: Value::null(name_span),
                structured_id: None,
                parsed_id: std::cell::OnceCell::new(),
                condition,
                existing,
                body: Slot::Pending,
                child: None,
                span,
                name_span,
                copy_index: if copy_indexed {
                    frames.last().map(|f| f.index)
                } else {
                    None
                },
            };
            self.insts.push(inst);
            let id = self.insts.len() - 1;
            if eager {
                self.name_with(id, &env);
            }
            self.ctxs[ctx].resources.push(id);
            if let Some(sym) = &symbolic {
                self.ctxs[ctx]
                    .symbols
                    .entry(sym.to_ascii_lowercase().into_boxed_str())
                    .or_default()
                    .push(id);
            }
            if let Some(ast::Value::Array(children)) = decl.member("resources") {
                for c in children.elements {
                    if let Some(child) = c.as_object() {
                        self.declare(ctx, child, None, Some(id), &frames);
                    }
                }
            }
        }
    }

    /// Evaluates an instance's name and ID, if not done yet: a resource nobody wants is named
    /// only when something looks it up (see [`Inst::naming`]).
    pub(super) fn name_instance(&mut self, inst: InstId) {
        if self.insts[inst].naming != Naming::NotYet {
            return;
        }
        let frames = self.insts[inst].copy.clone();
        let env = Env::new(self.insts[inst].ctx, &frames);
        self.name_with(inst, &env);
    }

    /// Names an instance in `env`, its context and copy iterations; its parent first.
    fn name_with(&mut self, inst: InstId, env: &Env<'_>) {
        if self.insts[inst].naming != Naming::NotYet {
            return;
        }
        // Look-ups skip an instance being named: a name that looks its own resource up does not
        // find it (as when names were evaluated before the instance was declared).
        self.insts[inst].naming = Naming::Busy;
        let (ctx, decl, span) = (
            self.insts[inst].ctx,
            self.insts[inst].decl,
            self.insts[inst].span,
        );
        let own_name = match decl.member("name") {
            Some(n) => self.eval_node(n, env),
            None => Value::unknown("the resource has no name", span),
        };
        let parent_name = self.insts[inst].parent.map(|p| {
            self.name_instance(p);
            self.insts[p].name.clone()
        });
        let name = match (&parent_name, own_name.kind()) {
            (Some(pn), KindRef::Str(s)) => match pn.as_str() {
                Some(p) => Value::str(format!("{p}/{s}"), own_name.span()),
                None => pn.clone(),
            },
            (Some(_), KindRef::Unknown(_)) | (None, _) => own_name,
            (Some(_), _) => Value::unknown("the resource name is not a string", own_name.span()),
        };
        let scope = self.declared_scope(ctx, decl, env);
        let full_type = Arc::clone(&self.insts[inst].full_type);
        // The model reads the IDs of the wanted resources only.
        let wanted = self.insts[inst].wanted;
        let (id, parsed) = self.resource_id_of(&scope, decl, &full_type, &name, env, wanted);
        self.insts[inst].name = name;
        self.insts[inst].id = id;
        self.insts[inst].structured_id = parsed;
        self.insts[inst].naming = Naming::Done;
    }

    /// The scope a declaration deploys to: its context's, or the one its `subscriptionId` /
    /// `resourceGroup` members name (nested deployments, `existing` resources).
    fn declared_scope(
        &mut self,
        ctx: CtxId,
        decl: &'a ast::Object<'a>,
        env: &Env<'_>,
    ) -> Arc<Scope> {
        if decl.member("subscriptionId").is_none() && decl.member("resourceGroup").is_none() {
            return Arc::clone(&self.ctxs[ctx].scope);
        }
        let mut scope = Scope::clone(&self.ctxs[ctx].scope);
        if let Some(sub) = decl.member("subscriptionId") {
            let v = self.eval_node(sub, env);
            scope.subscription = v;
            if scope.kind != ScopeKind::ResourceGroup {
                scope.kind = ScopeKind::Subscription;
            }
        }
        if let Some(rg) = decl.member("resourceGroup") {
            let v = self.eval_node(rg, env);
            scope.resource_group = v;
            scope.kind = ScopeKind::ResourceGroup;
            scope.location = self.hole(HoleKind::Location, "", Span::NONE);
        }
        Arc::new(scope)
    }

    fn resource_id_of(
        &mut self,
        scope: &Scope,
        decl: &'a ast::Object<'a>,
        full_type: &str,
        name: &Value,
        env: &Env<'_>,
        parse: bool,
    ) -> (Value, Option<resource_id::ResourceId>) {
        let span = name.span();
        let Some(name_text) = name.as_str() else {
            let id = match name.as_unknown() {
                Some(u) => Value::from_unknown(u, span),
                None => Value::unknown("the resource name is not a string", span),
            };
            return (id, None);
        };
        let extension = decl.member("scope");
        // Extension resources (languageVersion 2.0 `scope`): under the scope's ID.
        let prefix = if let Some(s) = extension {
            let v = self.eval_node(s, env);
            match v.as_str() {
                Some(text) if text.starts_with('/') => Ok(text.trim_end_matches('/').to_owned()),
                Some(text) => scope.id_prefix().map(|p| format!("{p}/providers/{text}")),
                None => Err(v
                    .deep_unknown()
                    .unwrap_or_else(|| Unknown::new("the extension scope is not a string"))),
            }
        } else {
            scope.id_prefix()
        };
        let prefix = match prefix {
            Ok(p) => p,
            Err(u) => {
                // Unknown scope: still identifiable by type and name.
                let s = self.fresh_hole(HoleKind::Subscription, span);
                let g = self.fresh_hole(HoleKind::ResourceGroup, span);
                let _ = u;
                format!(
                    "/subscriptions/{}/resourceGroups/{}",
                    s.as_str().unwrap_or_default(),
                    g.as_str().unwrap_or_default()
                )
            }
        };
        match resource_id::build(&prefix, full_type, name_text) {
            Ok(id) => {
                // The ID read back, for the model: made from its parts where that is the same.
                let parsed = match (parse, extension, scope.kind) {
                    (true, None, ScopeKind::ResourceGroup) => {
                        match (
                            scope.subscription.as_arc_str(),
                            scope.resource_group.as_arc_str(),
                            name.as_arc_str(),
                        ) {
                            (Some(s), Some(g), Some(n)) => {
                                resource_id::in_resource_group(s, g, full_type, n)
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                };
                (Value::str(id, span), parsed)
            }
            Err(e) => {
                self.problem(span, format!("resource name does not fit its type: {e}"));
                (Value::unknown(e, span), None)
            }
        }
    }

    /// The evaluated body of a resource (once).
    pub fn body(&mut self, inst: InstId) -> Value {
        match &self.insts[inst].body {
            Slot::Done(v) => return v.clone(),
            Slot::Busy => {
                let span = self.insts[inst].span;
                return Value::unknown("the resource refers to itself", span);
            }
            Slot::Pending => self.insts[inst].body = Slot::Busy,
        }
        let decl = self.insts[inst].decl;
        let ctx = self.insts[inst].ctx;
        let frames = self.insts[inst].copy.clone();
        let span = self.insts[inst].span;
        let value = if self.enter(span) {
            let env = Env::new(ctx, &frames);
            let deployment = is_deployment(&self.insts[inst].full_type);
            // `properties` comes last.
            let base = self.members.len();
            self.push_members(
                decl,
                &env,
                &[
                    "copy",
                    "condition",
                    "dependson",
                    "resources",
                    "comments",
                    "properties",
                ],
            );
            if let Some(props) = decl.member("properties") {
                let props_value = match (deployment, props) {
                    (true, ast::Value::Object(o)) => self.eval_object(o, &env, &["template"]),
                    _ => self.eval_node(props, &env),
                };
                let key = self.intern("properties");
                self.members.push((key, props_value));
            }
            self.leave();
            self.take_object(base, self.span_of(decl))
        } else {
            Value::unknown("evaluation nests too deep", span)
        };
        self.insts[inst].body = Slot::Done(value.clone());
        value
    }

    /// The context of a nested deployment's inline template (created once).
    pub fn child_ctx(&mut self, inst: InstId) -> Option<CtxId> {
        if let Some(done) = self.insts[inst].child {
            return done;
        }
        self.insts[inst].child = Some(None);
        let decl = self.insts[inst].decl;
        let parent = self.insts[inst].ctx;
        let span = self.insts[inst].span;
        let props = decl.member_object("properties")?;
        let template = props.member_object("template")?;
        let depth = self.ctxs[parent].depth + 1;
        if depth > MAX_DEPLOYMENT_DEPTH {
            self.problem(
                span,
                format!("nested deployments deeper than {MAX_DEPLOYMENT_DEPTH} levels; amlint does not follow them"),
            );
            return None;
        }
        let frames = self.insts[inst].copy.clone();
        let env = Env::new(parent, &frames);
        let inner = props
            .member_object("expressionEvaluationOptions")
            .and_then(|o| o.member_str("scope"))
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let mut scope = Scope::clone(&self.declared_scope(parent, decl, &env));
        if decl.member("resourceGroup").is_none()
            && decl.member("subscriptionId").is_some()
            && self.ctxs[parent].scope.kind != ScopeKind::ResourceGroup
        {
            scope.kind = ScopeKind::Subscription;
        }
        scope.deployment_name = self.insts[inst].name.clone();
        let mut deployments = self.ctxs[parent].deployments.clone();
        deployments.push(Arc::from(
            hole::display(&self.insts[inst].name.display()).as_ref(),
        ));
        let outer = if inner {
            None
        } else {
            Some(self.lookup_ctx(parent))
        };
        let ctx = self.new_ctx(template, outer, scope, depth, deployments);
        if inner {
            if let Some(given) = props.member_object("parameters") {
                for p in given.properties {
                    let key = p.name.as_str().to_ascii_lowercase();
                    let name_span = self.span_of(&p.name);
                    let source = match &p.value {
                        ast::Value::Object(o) => o.member("value").map(|node| (node, false)),
                        // `"x": "[createObject('value', ...)]"`: the whole entry is an expression.
                        other => Some((other, true)),
                    };
                    match self.ctxs[ctx].params.get_mut(key.as_str()) {
                        Some(slot) => {
                            slot.given = Some(match source {
                                Some((node, whole_entry)) => super::context::Given::Node {
                                    node,
                                    ctx: parent,
                                    copy: frames.clone(),
                                    whole_entry,
                                },
                                None => super::context::Given::Value(Value::unknown(
                                    format!("parameter `{}` comes from a Key Vault reference", p.name.as_str()),
                                    name_span,
                                )),
                            });
                        }
                        None => self.problem(
                            name_span,
                            format!(
                                "parameter `{}` is not declared in the nested template; ARM rejects the deployment",
                                p.name.as_str()
                            ),
                        ),
                    }
                }
            }
            self.validate(ctx);
        }
        self.insts[inst].child = Some(Some(ctx));
        Some(ctx)
    }

    /// The outputs of a template, as `reference()` of its deployment returns them.
    pub fn outputs(&mut self, ctx: CtxId, span: Span) -> Value {
        match &self.ctxs[ctx].outputs {
            Slot::Done(v) => return v.clone(),
            Slot::Busy => {
                self.problem(span, "deployment outputs depend on themselves");
                return Value::unknown("the deployment outputs depend on themselves", span);
            }
            Slot::Pending => self.ctxs[ctx].outputs = Slot::Busy,
        }
        self.enumerate(ctx);
        let template = self.ctxs[ctx].template;
        let mut entries = Vec::new();
        if self.enter(span) {
            if let Some(outputs) = template.member_object("outputs") {
                for p in outputs.properties {
                    let Some(decl) = p.value.as_object() else {
                        continue;
                    };
                    let env = Env::new(ctx, &[]);
                    if let Some(cond) = decl.member("condition") {
                        if matches!(self.eval_node(cond, &env).kind(), KindRef::Bool(false)) {
                            continue;
                        }
                    }
                    let value = match decl.member_object("copy") {
                        Some(copy) => self.copy_array(copy, &env),
                        None => match decl.member("value") {
                            Some(v) => self.eval_node(v, &env),
                            None => Value::unknown(
                                format!("output `{}` has no value", p.name.as_str()),
                                span,
                            ),
                        },
                    };
                    let ty = decl.member_str("type").unwrap_or("object");
                    let out_span = self.span_of(&p.value);
                    entries.push((
                        arcstr::ArcStr::from(p.name.as_str()),
                        Value::object(
                            vec![
                                (arcstr::ArcStr::from("type"), Value::str(ty, out_span)),
                                (arcstr::ArcStr::from("value"), value),
                            ],
                            out_span,
                        ),
                    ));
                }
            }
            self.leave();
        }
        let v = Value::object(entries, span);
        self.ctxs[ctx].outputs = Slot::Done(v.clone());
        v
    }

    /// Finds the instance a `reference()` / `resourceInfo()` argument names.
    fn find_instance(&mut self, target: &str, env: &Env<'_>) -> Option<InstId> {
        let found = self.find_named(target, env);
        if let Some(i) = found {
            self.name_instance(i);
        }
        found
    }

    /// [`Evaluator::find_instance`], naming first the instances that could be the one.
    fn find_named(&mut self, target: &str, env: &Env<'_>) -> Option<InstId> {
        let ctx = env.ctx;
        let lookup = self.lookup_ctx(ctx);
        if !target.contains('/') {
            for c in [ctx, lookup] {
                if let Some(ids) = self.ctxs[c]
                    .symbols
                    .get(target.to_ascii_lowercase().as_str())
                {
                    // One being named is not declared yet, as far as its own name can tell.
                    match ids.first() {
                        Some(&i) if self.insts[i].naming == Naming::Busy => {}
                        first => return first.copied(),
                    }
                }
            }
            for c in [ctx, lookup] {
                // Naming may declare more (in nested deployments): the list is read afresh.
                let mut k = 0;
                while let Some(&i) = self.ctxs[c].resources.get(k) {
                    self.name_instance(i);
                    k += 1;
                }
                let found = self.ctxs[c].resources.iter().copied().find(|&i| {
                    self.insts[i].naming == Naming::Done
                        && self.insts[i]
                            .name
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(target))
                });
                if found.is_some() {
                    return found;
                }
            }
            return None;
        }
        let want = resource_id::parse(target)?;
        // Only a resource of the ID's type can match it.
        let mut i = 0;
        while i < self.insts.len() {
            if self.insts[i].naming == Naming::NotYet
                && self.insts[i]
                    .full_type
                    .eq_ignore_ascii_case(&want.full_type)
            {
                self.name_instance(i);
            }
            i += 1;
        }
        let mut candidates = self.insts.iter().enumerate().filter(|(_, inst)| {
            inst.naming == Naming::Done
                && inst
                    .parsed_id
                    .get_or_init(|| inst.id.as_str().and_then(resource_id::parse))
                    .as_ref()
                    .is_some_and(|id| id.matches(&want))
        });
        let first = candidates.next().map(|(i, _)| i);
        // Prefer a deployed resource over an `existing` declaration of the same one.
        first.map(|f| {
            std::iter::once(f)
                .chain(candidates.map(|(i, _)| i))
                .find(|&i| !self.insts[i].existing)
                .unwrap_or(f)
        })
    }

    /// `reference(resource, [apiVersion], ['Full'])`.
    pub fn reference(&mut self, args: &[Value], env: &Env<'_>, span: Span) -> Value {
        let Some(target) = args.first() else {
            return Value::unknown("`reference()` needs a resource", span);
        };
        let Some(text) = target.as_str() else {
            return Value::from_unknown(
                &target
                    .deep_unknown()
                    .unwrap_or_else(|| Unknown::new("the referenced resource is not a string")),
                span,
            );
        };
        let full = args
            .get(2)
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("full"));
        let Some(inst) = self.find_instance(text, env) else {
            let shown = hole::display(text);
            let mut u = Unknown::new(format!("`{shown}`, which the template does not declare"));
            Arc::make_mut(&mut u).resource = Some(Arc::from(text));
            return open_object(&u, span);
        };
        let name = hole::display(&self.insts[inst].name.display()).into_owned();
        let id: Option<Arc<str>> = self.insts[inst].id.as_str().map(Arc::from);
        let open = Arc::new(Unknown {
            reason: format!("`{name}`"),
            resource: id.clone(),
        });
        if self.insts[inst].existing {
            let u = Arc::new(Unknown {
                reason: format!("`{name}`, which the template declares `existing`"),
                resource: id,
            });
            return open_object(&u, span);
        }
        if is_deployment(&self.insts[inst].full_type) {
            let Some(child) = self.child_ctx(inst) else {
                return open_object(
                    &Arc::new(Unknown {
                        reason: format!("deployment `{name}`, whose template amlint does not have"),
                        resource: id,
                    }),
                    span,
                );
            };
            let outputs = self.outputs(child, span);
            let with_open = Value::new(
                Kind::Object(crate::arm::value::Object::new(
                    vec![(arcstr::ArcStr::from("outputs"), outputs)],
                    Some(open),
                )),
                span,
            );
            return with_open;
        }
        let body = self.body(inst);
        let view = if full {
            body
        } else {
            match body.get("properties") {
                Some(p) => p.clone(),
                None => Value::object(Vec::new(), span),
            }
        };
        make_open(&view, &open).at(span)
    }

    /// `resourceInfo('symbolicName')`: id, name, type, apiVersion.
    pub fn resource_info(&mut self, args: &[Value], env: &Env<'_>, span: Span) -> Value {
        let Some(text) = args
            .first()
            .and_then(Value::as_known_str)
            .map(str::to_owned)
        else {
            return Value::unknown("`resourceInfo()` needs a symbolic name", span);
        };
        let Some(inst) = self.find_instance(&text, env) else {
            self.problem(span, format!("`resourceInfo('{text}')` names no resource"));
            return Value::unknown(format!("`resourceInfo('{text}')` names no resource"), span);
        };
        let i = &self.insts[inst];
        let api = i.decl.member_str("apiVersion").unwrap_or("").to_owned();
        let short_name = match i.name.as_str() {
            Some(n) => Value::str(n, span),
            None => i.name.clone(),
        };
        Value::object(
            vec![
                (arcstr::ArcStr::from("id"), i.id.clone()),
                (arcstr::ArcStr::from("name"), short_name),
                (
                    arcstr::ArcStr::from("type"),
                    Value::str(Arc::clone(&i.full_type), span),
                ),
                (arcstr::ArcStr::from("apiVersion"), Value::str(api, span)),
            ],
            span,
        )
    }
}
