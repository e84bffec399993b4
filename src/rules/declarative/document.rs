//! A resource as a declarative rule sees it: JSON, with the places where values are not known
//! offline, so that a rule can be tried with every value they might have.

use crate::arm::hole;
use crate::arm::value::{Kind, Value};
use crate::model::Entity;
use crate::source::Span;
use jsonpath_rust::parser::model::JpQuery;
use serde_json::{Map, Value as Json};

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The resource's JSON with unknowns as `null`, the paths of those unknowns, and the evaluated
/// values to find spans in.
pub struct Document<'e> {
    json: Json,
    unknowns: Vec<Vec<Step>>,
    resource: &'e Entity,
    parent: Option<&'e Entity>,
}

impl<'e> Document<'e> {
    pub fn new(resource: &'e Entity, parent: Option<&'e Entity>) -> Self {
        let mut unknowns = Vec::new();
        let mut path = Vec::new();
        let mut json = to_json(&resource.body, &mut path, &mut unknowns);
        if let Json::Object(map) = &mut json {
            map.insert("name".to_owned(), Json::String(resource.display_name()));
            map.insert(
                "type".to_owned(),
                Json::String(resource.full_type.to_string()),
            );
            if let Some(p) = parent {
                let mut path = vec![Step::Key("parent".to_owned())];
                let mut pj = to_json(&p.body, &mut path, &mut unknowns);
                if let Json::Object(pm) = &mut pj {
                    pm.insert("name".to_owned(), Json::String(p.display_name()));
                    pm.insert("type".to_owned(), Json::String(p.full_type.to_string()));
                }
                map.insert("parent".to_owned(), pj);
            }
        }
        Document {
            json,
            unknowns,
            resource,
            parent,
        }
    }

    /// Calls `f` with the document completed in every way that matters: each unknown a key of
    /// which the conditions mention (`mentioned`) takes each candidate value in turn (absent,
    /// `null`, booleans, numbers, strings, and the conditions' own literals). Stops when `f`
    /// returns false; returns whether all completions were tried.
    pub fn for_each_completion(
        &self,
        mentioned: &[&str],
        literals: &[&Json],
        f: &mut dyn FnMut(&Json) -> bool,
    ) -> bool {
        let relevant: Vec<&Vec<Step>> = self
            .unknowns
            .iter()
            .filter(|path| {
                path.iter().any(|s| match s {
                    Step::Key(k) => mentioned.iter().any(|m| m.contains(k.as_str())),
                    Step::Index(_) => false,
                })
            })
            .collect();
        if relevant.is_empty() {
            return f(&self.json);
        }
        let mut candidates: Vec<Option<Json>> = vec![
            None,
            Some(Json::Null),
            Some(Json::Bool(true)),
            Some(Json::Bool(false)),
            Some(serde_json::json!(0)),
            Some(serde_json::json!(1)),
            Some(Json::String(String::new())),
            Some(Json::String("\u{E000}unknown".to_owned())),
        ];
        for l in literals {
            let c = Some((*l).clone());
            if !candidates.contains(&c) {
                candidates.push(c);
            }
        }
        let mut choice = vec![0usize; relevant.len()];
        loop {
            let mut json = self.json.clone();
            for (path, &c) in relevant.iter().zip(&choice) {
                set(&mut json, path, candidates[c].clone());
            }
            if !f(&json) {
                return false;
            }
            // Next combination (odometer).
            let mut k = 0;
            loop {
                if k == choice.len() {
                    return true;
                }
                choice[k] += 1;
                if choice[k] < candidates.len() {
                    break;
                }
                choice[k] = 0;
                k += 1;
            }
        }
    }

    /// The span of the first node `query` selects, and its value as text.
    pub fn locate(&self, query: &JpQuery) -> (Option<Span>, Option<String>) {
        let Ok(found) = jsonpath_rust::query::js_path_process(query, &self.json) else {
            return (None, None);
        };
        let Some(first) = found.into_iter().next() else {
            return (None, None);
        };
        let steps = parse_path(&first.path);
        let text = match first.val {
            Json::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        let (root, rest): (&Value, &[Step]) = match steps.first() {
            Some(Step::Key(k)) if k == "parent" => match self.parent {
                Some(p) => (&p.body, &steps[1..]),
                None => return (None, text),
            },
            _ => (&self.resource.body, &steps[..]),
        };
        let mut v = root;
        for s in rest {
            let next = match (s, &v.kind) {
                (Step::Key(k), Kind::Object(o)) => o.get(k),
                (Step::Index(i), Kind::Array(a)) => a.items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => v = n,
                None => break,
            }
        }
        (Some(v.span), text)
    }
}

/// JSON of a value; unknowns (and strings with holes) become `null`, their paths recorded.
fn to_json(v: &Value, path: &mut Vec<Step>, unknowns: &mut Vec<Vec<Step>>) -> Json {
    match &v.kind {
        Kind::Null => Json::Null,
        Kind::Bool(b) => Json::Bool(*b),
        Kind::Int(n) => Json::from(*n),
        Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Kind::Str(s) => {
            if hole::has_hole(s) {
                unknowns.push(path.clone());
                Json::Null
            } else {
                Json::String(s.to_string())
            }
        }
        Kind::Unknown(_) => {
            unknowns.push(path.clone());
            Json::Null
        }
        Kind::Array(a) => {
            let mut out = Vec::with_capacity(a.items.len());
            for (i, item) in a.items.iter().enumerate() {
                path.push(Step::Index(i));
                out.push(to_json(item, path, unknowns));
                path.pop();
            }
            Json::Array(out)
        }
        Kind::Object(o) => {
            let mut map = Map::new();
            for (k, item) in &o.entries {
                path.push(Step::Key(k.to_string()));
                map.insert(k.to_string(), to_json(item, path, unknowns));
                path.pop();
            }
            Json::Object(map)
        }
    }
}

/// Sets (or, with `None`, removes) the node at `path`.
fn set(json: &mut Json, path: &[Step], value: Option<Json>) {
    let Some((last, init)) = path.split_last() else {
        if let Some(v) = value {
            *json = v;
        }
        return;
    };
    let mut node = json;
    for s in init {
        node = match (s, node) {
            (Step::Key(k), Json::Object(m)) => match m.get_mut(k) {
                Some(n) => n,
                None => return,
            },
            (Step::Index(i), Json::Array(a)) => match a.get_mut(*i) {
                Some(n) => n,
                None => return,
            },
            _ => return,
        };
    }
    match (last, node, value) {
        (Step::Key(k), Json::Object(m), Some(v)) => {
            m.insert(k.clone(), v);
        }
        (Step::Key(k), Json::Object(m), None) => {
            m.remove(k);
        }
        (Step::Index(i), Json::Array(a), v) => {
            if let Some(slot) = a.get_mut(*i) {
                *slot = v.unwrap_or(Json::Null);
            }
        }
        _ => {}
    }
}

/// Reads a normalized path (`$['a'][0]['b']`).
fn parse_path(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let chars: Vec<char> = path.chars().collect();
    let mut i = 1;
    while i < chars.len() {
        if chars[i] != '[' {
            i += 1;
            continue;
        }
        i += 1;
        if i < chars.len() && chars[i] == '\'' {
            let mut key = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                key.push(chars[i]);
                i += 1;
            }
            out.push(Step::Key(key));
            i += 2;
        } else {
            let mut n = String::new();
            while i < chars.len() && chars[i] != ']' {
                n.push(chars[i]);
                i += 1;
            }
            if let Ok(idx) = n.parse() {
                out.push(Step::Index(idx));
            }
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("$['properties']['list'][2]['it\\'s']"),
            vec![
                Step::Key("properties".into()),
                Step::Key("list".into()),
                Step::Index(2),
                Step::Key("it's".into())
            ]
        );
        assert!(parse_path("$").is_empty());
    }

    #[test]
    fn set_and_remove() {
        let mut j = serde_json::json!({"a": {"b": 1, "c": [1, 2]}});
        set(
            &mut j,
            &[Step::Key("a".into()), Step::Key("b".into())],
            Some(Json::Bool(true)),
        );
        set(
            &mut j,
            &[Step::Key("a".into()), Step::Key("c".into()), Step::Index(1)],
            None,
        );
        assert_eq!(j, serde_json::json!({"a": {"b": true, "c": [1, null]}}));
        set(
            &mut j,
            &[Step::Key("a".into()), Step::Key("b".into())],
            None,
        );
        assert_eq!(j, serde_json::json!({"a": {"c": [1, null]}}));
    }
}
