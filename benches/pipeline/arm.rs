//! Building ARM templates: the template skeleton (classic `resources` array or `languageVersion`
//! 2.0 symbolic `resources` object), resources with their dependencies, expression helpers, and
//! the parameters every generated template shares.

use super::json::{arr, obj, Json};

pub const TEMPLATE_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
pub const PARAMETERS_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";
pub const ENVIRONMENTS: &[&str] = &["dev", "test", "prod"];

/// `'text'`: a string literal inside an expression.
pub fn q(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `[expression]`: a JSON string that ARM evaluates.
pub fn ex(expression: &str) -> String {
    format!("[{expression}]")
}

/// `resourceId('type', name1, name2...)`; the names are expressions (`q("x")`, `parameters('p')`).
pub fn rid(full_type: &str, names: &[&str]) -> String {
    let mut out = format!("resourceId({}", q(full_type));
    for n in names {
        out.push_str(", ");
        out.push_str(n);
    }
    out.push(')');
    out
}

/// `{"id": "[expression]"}`: how resources point at each other.
pub fn id_ref(expression: &str) -> Json {
    obj! { "id" => ex(expression) }
}

pub const P_LOCATION: &str = "parameters('location')";
pub const P_PREFIX: &str = "parameters('prefix')";
pub const P_ENVIRONMENT: &str = "parameters('environment')";
pub const P_VNET: &str = "parameters('vnetName')";
pub const P_TAGS: &str = "parameters('tags')";

/// The names of the parameters every generated template (and module) declares.
pub const COMMON_PARAMETERS: &[&str] = &["location", "prefix", "environment", "vnetName", "tags"];

/// `resources` as ARM deploys them: an array, or (`languageVersion` 2.0) an object keyed by
/// symbolic names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Classic,
    Symbolic,
}

/// A resource added to a template: its symbolic name, its name and its ID (expressions).
#[derive(Clone)]
pub struct Added {
    pub sym: String,
    pub name: String,
    pub id: String,
}

/// A resource of a template being built.
pub struct Resource {
    /// Its symbolic name (the key under `resources` in the symbolic form).
    pub sym: String,
    /// What a classic `dependsOn` entry says to name it: `[resourceId(...)]`, or a copy loop's
    /// name.
    pub dep: String,
    /// The declaration, without `dependsOn`.
    pub body: Json,
    /// The symbolic names of the resources it depends on.
    pub deps: Vec<String>,
}

impl Resource {
    /// The resource's `name` member, when it is a string.
    pub fn body_name(&self) -> Option<&str> {
        match &self.body {
            Json::Obj(members) => members.iter().find_map(|(k, v)| match v {
                Json::Str(s) if k == "name" => Some(s.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }
}

/// A template being built.
pub struct Template {
    pub form: Form,
    pub metadata: Option<Json>,
    pub parameters: Vec<(String, Json)>,
    pub variables: Vec<(String, Json)>,
    pub resources: Vec<Resource>,
    pub outputs: Vec<(String, Json)>,
    /// Values a parameter file may give, besides the common parameters.
    pub file_parameters: Vec<(String, Json)>,
}

impl Template {
    pub fn new(form: Form) -> Self {
        Template {
            form,
            metadata: None,
            parameters: Vec::new(),
            variables: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            file_parameters: Vec::new(),
        }
    }

    /// Declares the common parameters; `prefix` is the default of `prefix`.
    pub fn common_parameters(&mut self, prefix: &str) {
        self.param(
            "location",
            obj! {
                "type" => "string",
                "defaultValue" => "[resourceGroup().location]",
                "metadata" => description("Location of all resources."),
            },
        );
        self.param(
            "prefix",
            obj! {
                "type" => "string",
                "defaultValue" => prefix,
                "maxLength" => 10,
                "metadata" => description("Short prefix of the team's resource names."),
            },
        );
        self.param(
            "environment",
            obj! {
                "type" => "string",
                "defaultValue" => "dev",
                "allowedValues" => Json::Arr(ENVIRONMENTS.iter().map(|e| Json::from(*e)).collect()),
            },
        );
        let vnet_name = format!("format('{{0}}-{{1}}-vnet', {P_PREFIX}, {P_ENVIRONMENT})");
        self.param(
            "vnetName",
            obj! {
                "type" => "string",
                "defaultValue" => ex(&vnet_name),
                "metadata" => description("Name of the virtual network of the workspace."),
            },
        );
        self.param(
            "tags",
            obj! {
                "type" => "object",
                "defaultValue" => obj! {
                    "team" => prefix,
                    "environment" => ex(P_ENVIRONMENT),
                    "costCenter" => "ml-platform",
                    "managedBy" => "pipeline",
                },
            },
        );
    }

    pub fn param(&mut self, name: &str, declaration: Json) {
        self.parameters.push((name.to_owned(), declaration));
    }

    /// Declares a variable and returns the expression that reads it. The name is made unique
    /// from `base`, so that a resource kind can be added to a template more than once.
    pub fn var(&mut self, base: &str, value: impl Into<Json>) -> String {
        let taken = |t: &Self, s: &str| t.variables.iter().any(|(k, _)| k.eq_ignore_ascii_case(s));
        let name = if taken(self, base) {
            (2..)
                .map(|n| format!("{base}{n}"))
                .find(|s| !taken(self, s))
                .expect("some suffix is free")
        } else {
            base.to_owned()
        };
        let read = format!("variables({})", q(&name));
        self.variables.push((name, value.into()));
        read
    }

    /// Declares a parameter unless the template already has it.
    pub fn param_once(&mut self, name: &str, declaration: Json) {
        if !self.parameters.iter().any(|(k, _)| k == name) {
            self.param(name, declaration);
        }
    }

    pub fn output(&mut self, name: &str, ty: &str, expression: &str) {
        self.outputs.push((
            name.to_owned(),
            obj! { "type" => ty, "value" => ex(expression) },
        ));
    }

    /// Adds a resource named `name` (an expression) whose ID is `id` (a `resourceId(...)`
    /// expression); its symbolic name is made unique from `base`.
    pub fn add(&mut self, base: &str, name: &str, id: String, body: Json, deps: &[&str]) -> Added {
        let sym = self.push(base, ex(&id), body, deps);
        Added {
            sym,
            name: name.to_owned(),
            id,
        }
    }

    /// Adds a resource `copy` loop, which a classic `dependsOn` names by the loop's name.
    pub fn add_loop(&mut self, base: &str, loop_name: &str, body: Json, deps: &[&str]) -> String {
        self.push(base, loop_name.to_owned(), body, deps)
    }

    fn push(&mut self, base: &str, dep: String, body: Json, deps: &[&str]) -> String {
        let sym = self.unique_sym(base);
        self.resources.push(Resource {
            sym: sym.clone(),
            dep,
            body,
            deps: deps.iter().map(|d| (*d).to_owned()).collect(),
        });
        sym
    }

    /// The declaration of a resource already added, to add members to it.
    pub fn body_mut(&mut self, sym: &str) -> &mut Json {
        &mut self
            .resources
            .iter_mut()
            .find(|r| r.sym == sym)
            .unwrap_or_else(|| panic!("generator bug: no resource `{sym}`"))
            .body
    }

    fn unique_sym(&self, base: &str) -> String {
        let taken = |s: &str| self.resources.iter().any(|r| r.sym == s);
        if !taken(base) {
            return base.to_owned();
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|s| !taken(s))
            .expect("some suffix is free")
    }

    /// The template as JSON.
    pub fn to_json(&self) -> Json {
        let mut t = obj! { "$schema" => TEMPLATE_SCHEMA };
        if self.form == Form::Symbolic {
            t.push("languageVersion", "2.0");
        }
        t.push("contentVersion", "1.0.0.0");
        if let Some(m) = &self.metadata {
            t.push("metadata", m.clone());
        }
        t.push("parameters", Json::Obj(self.parameters.clone()));
        if !self.variables.is_empty() {
            t.push("variables", Json::Obj(self.variables.clone()));
        }
        let resources = self.resources.iter().map(|r| self.render(r));
        t.push(
            "resources",
            match self.form {
                Form::Classic => Json::Arr(resources.map(|(_, body)| body).collect()),
                Form::Symbolic => Json::Obj(resources.collect()),
            },
        );
        if !self.outputs.is_empty() {
            t.push("outputs", Json::Obj(self.outputs.clone()));
        }
        t
    }

    /// A resource with its `dependsOn`.
    fn render(&self, r: &Resource) -> (String, Json) {
        let mut body = r.body.clone();
        if !r.deps.is_empty() {
            let deps = r
                .deps
                .iter()
                .map(|d| {
                    let target = self
                        .resources
                        .iter()
                        .find(|t| &t.sym == d)
                        .unwrap_or_else(|| {
                            panic!("generator bug: `{}` depends on unknown `{d}`", r.sym)
                        });
                    Json::from(match self.form {
                        Form::Classic => target.dep.clone(),
                        Form::Symbolic => target.sym.clone(),
                    })
                })
                .collect();
            body.push("dependsOn", Json::Arr(deps));
        }
        (r.sym.clone(), body)
    }

    /// How many bytes the template takes, pretty-printed.
    pub fn size(&self) -> usize {
        self.to_json().pretty_len(0)
    }
}

/// `{"description": text}`, for `metadata`.
fn description(text: &str) -> Json {
    obj! { "description" => text }
}

/// `metadata._generator` as `bicep build` writes it.
pub fn bicep_metadata(hash: &str) -> Json {
    obj! {
        "_generator" => obj! {
            "name" => "bicep",
            "version" => "0.30.23.60470",
            "templateHash" => hash,
        },
    }
}

/// A parameter file giving `values`.
pub fn parameter_file(values: &[(String, Json)]) -> Json {
    let parameters = values
        .iter()
        .map(|(k, v)| (k.clone(), obj! { "value" => v.clone() }))
        .collect();
    obj! {
        "$schema" => PARAMETERS_SCHEMA,
        "contentVersion" => "1.0.0.0",
        "parameters" => Json::Obj(parameters),
    }
}

/// The common members of a resource: type, apiVersion, name, location and tags.
pub fn resource(full_type: &str, api: &str, name: &str) -> Json {
    obj! {
        "type" => full_type,
        "apiVersion" => api,
        "name" => name,
        "location" => ex(P_LOCATION),
        "tags" => ex(P_TAGS),
    }
}

/// Shorthand for an array of strings.
pub fn strings(items: &[&str]) -> Json {
    Json::Arr(items.iter().map(|s| Json::from(*s)).collect())
}

/// An empty array (for `delegations` and the like).
pub fn empty() -> Json {
    arr![]
}
