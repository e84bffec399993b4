//! Template evaluation: from a template's AST (and a parameter file) to the resources it deploys.
//!
//! The evaluator follows ARM: parameters from the parameter file or their defaults, lazily
//! evaluated variables (a cycle is an error), user functions, resource and property `copy` loops,
//! `condition`, child resources nested or top-level, languageVersion 2.0 symbolic resources, and
//! nested deployments with inner or outer expression scope whose outputs come back through
//! `reference()`. Values that cannot be known offline stay unknown, with the reason.
//!
//! Resource bodies are evaluated only for the types the rules ask for ([`EvalInput::wanted`]) and
//! for resources another expression references; everything else is enumerated (type, name,
//! condition) but not evaluated further.

mod context;
mod expression;
mod resources;
#[cfg(test)]
mod tests;
mod validate;

use super::value::{Tri, Value};
use crate::parse::ast;
use crate::source::{FileId, Span};
use std::sync::Arc;

pub use context::{TemplateCache, MAX_COPY_COUNT};
/// The copy of a string the current thread shares across templates (bounded): for what the
/// model keeps many copies of, such as the parts of resource IDs.
pub(crate) use expression::intern_shared as shared_str;

/// Deepest chain of nested deployments amlint follows.
pub const MAX_DEPLOYMENT_DEPTH: u32 = 16;

/// Deepest chain of lazily evaluated things (variable → parameter → reference → output ...).
pub const MAX_EVAL_DEPTH: u32 = 96;

/// Expression evaluations one unit may spend before amlint stops evaluating it.
pub const EVAL_BUDGET: u64 = 5_000_000;

/// What to evaluate.
pub struct EvalInput<'a> {
    pub file: FileId,
    /// Identifies this evaluation (template × parameter file); keeps its holes apart from others'.
    pub unit: u32,
    pub template: &'a ast::Value<'a>,
    /// Parameter values from a parameter file, by name as written there.
    pub parameters: Option<&'a ParameterValues>,
    /// Resource types (lowercase) whose bodies to evaluate.
    pub wanted: &'a dyn Fn(&str) -> bool,
}

/// The `parameters` of a parameter file.
#[derive(Debug, Default, Clone)]
pub struct ParameterValues {
    pub file: Option<FileId>,
    /// Name (as written) → value; a Key Vault reference is unknown.
    pub values: Vec<(Arc<str>, Value)>,
    /// Span of each parameter's name, for errors about it.
    pub name_spans: Vec<Span>,
}

/// One resource the template deploys (or declares `existing`).
#[derive(Debug, Clone)]
pub struct EvalResource {
    /// Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    pub full_type: Arc<str>,
    /// Full name, e.g. `vnet/snet`; may hold holes or be unknown.
    pub name: Value,
    /// The resource ID (a string with holes for what is unknown), or unknown.
    pub id: Value,
    /// `id` read as a resource ID, where the evaluator made it from its parts (the same as
    /// [`crate::arm::resource_id::parse_shared`] gives for `id`); otherwise `None`, and `id` is
    /// to be parsed.
    pub parsed_id: Option<crate::arm::resource_id::ResourceId>,
    /// languageVersion 2.0 symbolic name.
    pub symbolic: Option<Arc<str>>,
    /// `Known(true)`, or unknown when the condition cannot be evaluated (known-false is dropped).
    pub condition: Tri<bool>,
    /// Declared with `existing: true`: referenced, not deployed.
    pub existing: bool,
    /// The evaluated resource object (`properties`, `sku`, `location`, ...), for wanted types.
    pub body: Option<Value>,
    /// The resource declaration.
    pub span: Span,
    /// The span of the declaration's `name`.
    pub name_span: Span,
    /// The copy index, for resources in a copy loop.
    pub copy_index: Option<i64>,
    /// Names of the nested deployments this resource is in, outermost first.
    pub deployments: Vec<Arc<str>>,
}

/// Something ARM itself would reject, or a limit of amlint's (reported as AML003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

/// A resource declaration amlint could not expand (its copy count is unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexpanded {
    pub span: Span,
    /// The declared type, when it is a literal.
    pub full_type: Option<Arc<str>>,
    pub reason: String,
}

/// The result of evaluating one template.
#[derive(Debug, Default)]
pub struct Evaluated {
    pub resources: Vec<EvalResource>,
    pub problems: Vec<Problem>,
    pub unexpanded: Vec<Unexpanded>,
}

/// Evaluates a template.
pub fn evaluate(input: &EvalInput<'_>) -> Evaluated {
    evaluate_cached(input, &mut TemplateCache::new())
}

/// Evaluates a template, sharing `cache` with the other evaluations of the same template (the
/// same AST, other parameter files): what does not depend on parameter values is done once.
pub fn evaluate_cached<'a>(input: &EvalInput<'a>, cache: &mut TemplateCache) -> Evaluated {
    let ast::Value::Object(root) = input.template else {
        return Evaluated::default();
    };
    let mut ev = context::Evaluator::new(input, std::mem::take(cache));
    ev.run(root);
    *cache = std::mem::take(&mut ev.cache);
    ev.finish()
}

/// Reads the `parameters` object of a parameter file (values as written, `reference` → unknown).
pub fn parameter_values(file: FileId, root: &ast::Value<'_>) -> ParameterValues {
    use crate::parse::ObjectExt;
    use crate::parse::Ranged;
    let mut out = ParameterValues {
        file: Some(file),
        ..ParameterValues::default()
    };
    let Some(params) = root.as_object().and_then(|o| o.member_object("parameters")) else {
        return out;
    };
    for p in params.properties {
        let name: Arc<str> = Arc::from(p.name.as_str());
        let r = p.name.range();
        let name_span = Span::new(file, r.start, r.end);
        let value = match &p.value {
            ast::Value::Object(o) => {
                if let Some(v) = o.member("value") {
                    literal(file, v)
                } else if o.member("reference").is_some() {
                    let r = p.value.range();
                    Value::unknown(
                        format!("parameter `{name}` comes from a Key Vault reference"),
                        Span::new(file, r.start, r.end),
                    )
                } else {
                    let r = p.value.range();
                    Value::unknown(
                        format!("parameter `{name}` has neither `value` nor `reference`"),
                        Span::new(file, r.start, r.end),
                    )
                }
            }
            other => literal(file, other),
        };
        out.values.push((name, value));
        out.name_spans.push(name_span);
    }
    out
}

/// An AST node as a value, without evaluating expressions (parameter files, exports).
pub fn literal(file: FileId, node: &ast::Value<'_>) -> Value {
    use crate::parse::Ranged;
    let r = node.range();
    let span = Span::new(file, r.start, r.end);
    match node {
        ast::Value::StringLit(s) => Value::str(s.value, span),
        ast::Value::NumberLit(n) => number(n.value, span),
        ast::Value::BooleanLit(b) => Value::bool(b.value, span),
        ast::Value::NullKeyword(_) => Value::null(span),
        ast::Value::Array(a) => {
            Value::array(a.elements.iter().map(|e| literal(file, e)).collect(), span)
        }
        ast::Value::Object(o) => Value::object(
            o.properties
                .iter()
                .map(|p| {
                    (
                        arcstr::ArcStr::from(p.name.as_str()),
                        literal(file, &p.value),
                    )
                })
                .collect(),
            span,
        ),
    }
}

pub(crate) fn number(text: &str, span: Span) -> Value {
    match text.parse::<i64>() {
        Ok(n) => Value::int(n, span),
        Err(_) => Value::float(text.parse::<f64>().unwrap_or(f64::NAN), span),
    }
}

/// Lowercased names to slots, built once per template.
pub(crate) type NameMap<T> = rustc_hash::FxHashMap<Box<str>, T>;
