//! A small JSON value that keeps its members in the order they were written, and a pretty printer
//! in the style of `bicep build` and the Azure portal's template export (two-space indent).
//!
//! `serde_json::Value` sorts object members (without its `preserve_order` feature, which the bench
//! must not switch on: features unify, and amlint itself would be built differently), and real
//! templates read `$schema`, `contentVersion`, `parameters`, `variables`, `resources`, `outputs`.

/// A JSON value whose objects keep their member order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// `obj! { "key" => value, ... }`: an object, members in the order given.
macro_rules! obj {
    ($($k:expr => $v:expr),* $(,)?) => {
        $crate::pipeline::json::Json::Obj(vec![
            $((::std::string::String::from($k), $crate::pipeline::json::Json::from($v))),*
        ])
    };
}

/// `arr![a, b, ...]`: an array.
macro_rules! arr {
    ($($v:expr),* $(,)?) => {
        $crate::pipeline::json::Json::Arr(vec![$($crate::pipeline::json::Json::from($v)),*])
    };
}

pub(crate) use {arr, obj};

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}

impl From<&String> for Json {
    fn from(s: &String) -> Self {
        Json::Str(s.clone())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<i32> for Json {
    fn from(n: i32) -> Self {
        Json::Int(n.into())
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Json::Int(n)
    }
}

impl From<usize> for Json {
    fn from(n: usize) -> Self {
        Json::Int(i64::try_from(n).expect("a generated number fits in i64"))
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Arr(items)
    }
}

impl Json {
    /// Appends a member to an object (no-op on anything else).
    pub fn push(&mut self, key: &str, value: impl Into<Json>) {
        if let Json::Obj(members) = self {
            members.push((key.to_owned(), value.into()));
        }
    }

    /// The pretty-printed text, ending with a newline.
    pub fn to_pretty(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    /// How many bytes the value takes when printed at `indent` levels (without a newline).
    pub fn pretty_len(&self, indent: usize) -> usize {
        let mut out = String::new();
        self.write(&mut out, indent);
        out.len()
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Str(s) => write_string(out, s),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Obj(members) if members.is_empty() => out.push_str("{}"),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    separator(out, i, indent + 1);
                    item.write(out, indent + 1);
                }
                newline(out, indent);
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    separator(out, i, indent + 1);
                    write_string(out, key);
                    out.push_str(": ");
                    value.write(out, indent + 1);
                }
                newline(out, indent);
                out.push('}');
            }
        }
    }
}

fn separator(out: &mut String, index: usize, indent: usize) {
    if index > 0 {
        out.push(',');
    }
    newline(out, indent);
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}
