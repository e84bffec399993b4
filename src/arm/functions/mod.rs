//! The template function library: the functions whose result depends only on their arguments.
//!
//! The evaluator (`arm::eval`) handles the functions that need the template or the deployment
//! (`parameters`, `variables`, `reference`, `resourceId`, `copyIndex`, `if`, the lambda functions,
//! `resourceGroup`, ...) and calls [`call`] for the rest, with evaluated arguments.
//!
//! Unknown flows through: a function whose result depends on an unknown argument returns an unknown
//! value carrying that argument's reason; one that can decide without it (`contains` finding a known
//! match, `and` with a known `false`) decides. Strings with holes (see [`super::hole`]) are known text
//! around unknown parts: `concat`, `format`, `toLower`, `split`, `join`, `replace` keep them;
//! anything that would need the hidden text (`length`, `equals` with a different string,
//! `substring`, ...) is unknown, and `uniqueString`/`guid` of them is a new hole.

use super::value::Value;
use crate::source::Span;

/// What a pure function may know besides its arguments.
#[derive(Clone, Copy, Debug)]
pub struct FnCtx {
    /// The evaluation unit, for the holes a function makes (`uniqueString` of a hole).
    pub unit: u32,
    /// The span to give the result: the expression that called the function.
    pub span: Span,
}

/// The error ARM would report for a call (wrong argument count or type, bad format string...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnError(pub String);

pub type FnResult = Result<Value, FnError>;

/// Calls the pure function `name` (lowercase). `None` when `name` is not a pure function.
pub fn call(name: &str, args: &[Value], cx: &FnCtx) -> Option<FnResult> {
    let _ = (name, args, cx);
    None
}

/// Every function name of the ARM template language (lowercase), whether amlint evaluates it or not:
/// a call to anything else that is not a user-defined function is an error ARM would report.
pub const ARM_FUNCTIONS: &[&str] = &[
    // Any
    "coalesce",
    "if",
    // Array
    "array",
    "concat",
    "contains",
    "createarray",
    "empty",
    "first",
    "flatten",
    "indexfromend",
    "indexof",
    "intersection",
    "last",
    "lastindexof",
    "length",
    "max",
    "min",
    "range",
    "skip",
    "take",
    "tryindexfromend",
    "union",
    // CIDR
    "cidrhost",
    "cidrsubnet",
    "parsecidr",
    // Comparison
    "equals",
    "greater",
    "greaterorequals",
    "less",
    "lessorequals",
    // Date
    "datetimeadd",
    "datetimefromepoch",
    "datetimetoepoch",
    "utcnow",
    // Deployment
    "deployer",
    "deployment",
    "environment",
    "parameters",
    "variables",
    // Lambda
    "filter",
    "groupby",
    "lambda",
    "lambdavariables",
    "map",
    "mapvalues",
    "reduce",
    "sort",
    "toobject",
    // Logical
    "and",
    "bool",
    "false",
    "not",
    "or",
    "true",
    // Numeric
    "add",
    "copyindex",
    "div",
    "float",
    "int",
    "mod",
    "mul",
    "sub",
    // Object
    "createobject",
    "items",
    "json",
    "null",
    "objectkeys",
    "shallowmerge",
    "tryget",
    // Resource
    "extensionresourceid",
    "listaccountsas",
    "listkeys",
    "listsecrets",
    "list",
    "managementgroup",
    "managementgroupresourceid",
    "pickzones",
    "providers",
    "reference",
    "references",
    "resourceid",
    "resourceinfo",
    "resourcegroup",
    "subscription",
    "subscriptionresourceid",
    "tenant",
    "tenantresourceid",
    // String
    "base64",
    "base64tojson",
    "base64tostring",
    "datauri",
    "datauritostring",
    "endswith",
    "format",
    "guid",
    "join",
    "lastindexof",
    "newguid",
    "padleft",
    "replace",
    "split",
    "startswith",
    "string",
    "substring",
    "tolower",
    "toupper",
    "trim",
    "uniquestring",
    "uri",
    "uricomponent",
    "uricomponenttostring",
];

/// Whether `name` (any case) is a function of the ARM template language. `list*` functions
/// (`listKeys`, `listCredentials`, ...) are open-ended.
pub fn is_arm_function(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("list") || ARM_FUNCTIONS.contains(&lower.as_str())
}
