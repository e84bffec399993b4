//! RFC 9535 queries and filter expressions, evaluated on an evaluated resource in three-valued
//! logic.
//!
//! jsonpath-rust parses the expressions; amlint evaluates them itself, on its own values, so that
//! a value not known offline is a third truth value rather than a guess, and every selected node
//! keeps its source span. The logic is Kleene's: `false && unknown` is false, `true || unknown` is
//! true, and anything else that touches an unknown is unknown, with the reason of the first
//! unknown it met.
//!
//! Where the evaluation departs from RFC 9535, it follows ARM: member names compare ASCII
//! case-insensitively (as ARM property names do), and `match` and `search` take the Rust `regex`
//! syntax, a superset of I-Regexp (so `(?i)` makes them case-insensitive).

use crate::arm::hole;
use crate::arm::value::{KindRef, Lookup, Tri, Unknown, Value};
use crate::model::Entity;
use crate::source::Span;
use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter, FilterAtom, FnArg, JpQuery, Literal, Segment, Selector,
    SingularQuery, SingularQuerySegment, Test, TestFunction,
};
use regex::Regex;
use std::cmp::Ordering;
use std::sync::Arc;

/// A resource as rules see it: its evaluated body, with `name` (the full name), `type`, and
/// `parent` (the parent resource, when the inputs declare it).
pub struct Subject<'e> {
    entity: &'e Entity,
    parent: Option<Box<Subject<'e>>>,
}

impl<'e> Subject<'e> {
    pub fn new(entity: &'e Entity, parent: Option<&'e Entity>) -> Self {
        Subject {
            entity,
            parent: parent.map(|p| {
                Box::new(Subject {
                    entity: p,
                    parent: None,
                })
            }),
        }
    }

    pub fn parent(&self) -> Option<&Entity> {
        self.parent.as_ref().map(|p| p.entity)
    }
}

/// A node of the document: the resource itself, a value inside it, or a member amlint adds.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Resource(&'a Subject<'a>),
    Value(&'a Value),
    Text(&'a str, Span),
}

impl<'a> Node<'a> {
    /// Where the node is in the source.
    pub fn span(self) -> Span {
        match self {
            Node::Resource(s) => s.entity.span,
            Node::Value(v) => v.span(),
            Node::Text(_, span) => span,
        }
    }

    /// The node's value as a message quotes it: strings without quotes, holes as `{name}`.
    pub fn text(self) -> String {
        match self {
            Node::Resource(s) => s.entity.display_name(),
            Node::Value(v) => match v.kind() {
                KindRef::Str(s) => hole::display(s).into_owned(),
                _ => v.display(),
            },
            Node::Text(t, _) => t.to_owned(),
        }
    }
}

/// A member or element read from a node.
enum Child<'a> {
    Found(Node<'a>),
    Missing,
    Unknown(Arc<Unknown>),
}

impl<'a> From<Lookup<'a>> for Child<'a> {
    fn from(l: Lookup<'a>) -> Self {
        match l {
            Lookup::Found(v) => Child::Found(Node::Value(v)),
            Lookup::Missing => Child::Missing,
            Lookup::Unknown(u) => Child::Unknown(u),
        }
    }
}

/// The members `Subject` adds to the resource's body.
const ADDED: [&str; 3] = ["name", "type", "parent"];

fn member<'a>(node: Node<'a>, key: &str) -> Child<'a> {
    match node {
        Node::Resource(s) => {
            if key.eq_ignore_ascii_case("name") {
                Child::Found(Node::Value(&s.entity.name))
            } else if key.eq_ignore_ascii_case("type") {
                Child::Found(Node::Text(&s.entity.full_type, s.entity.span))
            } else if key.eq_ignore_ascii_case("parent") {
                match &s.parent {
                    Some(p) => Child::Found(Node::Resource(p)),
                    None => Child::Missing,
                }
            } else {
                s.entity.body.member(key).into()
            }
        }
        Node::Value(v) => v.member(key).into(),
        Node::Text(..) => Child::Missing,
    }
}

/// What a path of names and indexes only (`@.properties.computeType`, the common query) selects:
/// at most one node, found without the lists of the general walk. `None` for any other path.
fn singular_path<'a>(segments: &'a [Segment], start: Node<'a>) -> Option<Nodes<'a>> {
    let singular =
        |s: &Segment| matches!(s, Segment::Selector(Selector::Name(_) | Selector::Index(_)));
    if !segments.iter().all(singular) {
        return None;
    }
    let mut node = start;
    for segment in segments {
        let child = match segment {
            Segment::Selector(Selector::Name(key)) => member(node, key),
            Segment::Selector(Selector::Index(i)) => element(node, *i),
            _ => return None,
        };
        match child {
            Child::Found(n) => node = n,
            Child::Missing => {
                return Some(Nodes {
                    nodes: Vec::new(),
                    unknown: None,
                })
            }
            Child::Unknown(u) => {
                return Some(Nodes {
                    nodes: Vec::new(),
                    unknown: Some(u),
                })
            }
        }
    }
    Some(Nodes {
        nodes: vec![node],
        unknown: None,
    })
}

fn element(node: Node<'_>, index: i64) -> Child<'_> {
    let Node::Value(v) = node else {
        return Child::Missing;
    };
    match v.kind() {
        KindRef::Array(a) => {
            let i = if index < 0 {
                if let Some(open) = a.open() {
                    // The end of an array whose runtime length is unknown.
                    return Child::Unknown(Arc::clone(open));
                }
                index + a.items().len() as i64
            } else {
                index
            };
            if i < 0 {
                Child::Missing
            } else {
                a.index(i).into()
            }
        }
        KindRef::Unknown(u) => Child::Unknown(Arc::clone(u)),
        _ => Child::Missing,
    }
}

/// The children of a node in document order, and why there may be more.
fn children<'a>(node: Node<'a>, out: &mut Vec<Node<'a>>) -> Option<Arc<Unknown>> {
    match node {
        Node::Resource(s) => {
            // The body's own `name` and `type` give way to the added members.
            let more = match s.entity.body.kind() {
                KindRef::Object(o) => {
                    out.extend(
                        o.entries()
                            .iter()
                            .filter(|(k, _)| !ADDED.iter().any(|a| k.eq_ignore_ascii_case(a)))
                            .map(|(_, v)| Node::Value(v)),
                    );
                    o.open().cloned()
                }
                _ => None,
            };
            out.push(Node::Value(&s.entity.name));
            out.push(Node::Text(&s.entity.full_type, s.entity.span));
            if let Some(p) = &s.parent {
                out.push(Node::Resource(p));
            }
            more
        }
        Node::Value(v) => match v.kind() {
            KindRef::Array(a) => {
                out.extend(a.items().iter().map(Node::Value));
                a.open().cloned()
            }
            KindRef::Object(o) => {
                out.extend(o.entries().iter().map(|(_, v)| Node::Value(v)));
                o.open().cloned()
            }
            KindRef::Unknown(u) => Some(Arc::clone(u)),
            _ => None,
        },
        Node::Text(..) => None,
    }
}

/// A nodelist: the nodes certainly selected, and why others may be selected too.
pub struct Nodes<'a> {
    pub nodes: Vec<Node<'a>>,
    pub unknown: Option<Arc<Unknown>>,
}

/// Three-valued truth.
#[derive(Clone, Debug)]
pub enum Truth {
    True,
    False,
    Unknown(Arc<Unknown>),
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            u => u,
        }
    }

    fn or(self, other: impl FnOnce() -> Truth) -> Truth {
        match self {
            Truth::True => Truth::True,
            Truth::False => other(),
            Truth::Unknown(u) => match other() {
                Truth::True => Truth::True,
                _ => Truth::Unknown(u),
            },
        }
    }
}

/// The regular expressions of a query, compiled when the rule is loaded.
#[derive(Debug, Default)]
pub struct Regexes {
    list: Vec<Matcher>,
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Matcher {
    /// The pattern as given, and whether it is anchored (for `match`).
    pattern: String,
    anchored: bool,
    /// Compiled when the rule is loaded; for word alternatives, when first needed.
    regex: std::sync::OnceLock<Regex>,
    /// For a `match` whose pattern is only words and `|` (`(?i)Enabled|Disabled`, the form the
    /// rules use for enum values): the words, and whether case is ignored.
    words: Option<(Vec<String>, bool)>,
}

impl Matcher {
    /// Compiles the pattern now, so that an invalid one is an error when the rule is loaded;
    /// word alternatives, always valid, are compiled only if text other than ASCII comes.
    fn new(pattern: &str, anchored: bool) -> Result<Matcher, regex::Error> {
        let words = anchored.then(|| alternatives(pattern)).flatten();
        let regex = std::sync::OnceLock::new();
        if words.is_none() {
            let _ = regex.set(compile(pattern, anchored)?);
        }
        Ok(Matcher {
            pattern: pattern.to_owned(),
            anchored,
            regex,
            words,
        })
    }

    fn is_match(&self, text: &str) -> bool {
        match &self.words {
            // ASCII text is compared word by word. The regex decides for other text: with `(?i)`
            // it folds case the Unicode way (`K`, the Kelvin sign, matches `k`).
            Some((words, ignore_case)) if text.is_ascii() => words.iter().any(|w| {
                if *ignore_case {
                    w.eq_ignore_ascii_case(text)
                } else {
                    w == text
                }
            }),
            _ => self.regex().is_some_and(|re| re.is_match(text)),
        }
    }

    /// The compiled pattern (`None` only if word alternatives failed to compile, which they
    /// cannot: letters, digits and `_` between `|`).
    fn regex(&self) -> Option<&Regex> {
        if let Some(re) = self.regex.get() {
            return Some(re);
        }
        let re = compile(&self.pattern, self.anchored).ok()?;
        Some(self.regex.get_or_init(|| re))
    }
}

/// The words of a pattern that is an optional `(?i)` followed by words (ASCII letters, digits,
/// `_`) separated by `|`, and whether it ignores case; `None` for any other pattern.
fn alternatives(pattern: &str) -> Option<(Vec<String>, bool)> {
    let (rest, ignore_case) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let words: Vec<String> = rest.split('|').map(str::to_owned).collect();
    words
        .iter()
        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some((words, ignore_case))
}

impl Regexes {
    /// Compiles the literal patterns of every `match` and `search` in `filter`; `Err` with the
    /// first invalid pattern or unsupported function.
    pub fn of_filter(filter: &Filter) -> Result<Regexes, String> {
        let mut r = Regexes::default();
        r.walk_filter(filter)?;
        Ok(r)
    }

    pub fn of_query(query: &JpQuery) -> Result<Regexes, String> {
        let mut r = Regexes::default();
        r.walk_segments(&query.segments)?;
        Ok(r)
    }

    fn get(&self, pattern: &str, anchored: bool) -> Option<&Matcher> {
        self.list
            .iter()
            .find(|m| m.pattern == pattern && m.anchored == anchored)
    }

    fn add(&mut self, pattern: &str, anchored: bool) -> Result<(), String> {
        if self.get(pattern, anchored).is_none() {
            let re = Matcher::new(pattern, anchored).map_err(|e| {
                // The last line of the parser's message says what is wrong.
                let e = e.to_string();
                let what = e.lines().last().unwrap_or_default();
                let what = what.trim().trim_start_matches("error: ");
                format!("invalid regular expression `{pattern}`: {what}")
            })?;
            self.list.push(re);
        }
        Ok(())
    }

    fn walk_segments(&mut self, segments: &[Segment]) -> Result<(), String> {
        segments.iter().try_for_each(|s| self.walk_segment(s))
    }

    fn walk_segment(&mut self, segment: &Segment) -> Result<(), String> {
        match segment {
            Segment::Descendant(inner) => self.walk_segment(inner),
            Segment::Selector(s) => self.walk_selector(s),
            Segment::Selectors(list) => list.iter().try_for_each(|s| self.walk_selector(s)),
        }
    }

    fn walk_selector(&mut self, selector: &Selector) -> Result<(), String> {
        match selector {
            Selector::Filter(f) => self.walk_filter(f),
            _ => Ok(()),
        }
    }

    fn walk_filter(&mut self, filter: &Filter) -> Result<(), String> {
        match filter {
            Filter::Or(list) | Filter::And(list) => {
                list.iter().try_for_each(|f| self.walk_filter(f))
            }
            Filter::Atom(FilterAtom::Filter { expr, .. }) => self.walk_filter(expr),
            Filter::Atom(FilterAtom::Test { expr, .. }) => self.walk_test(expr),
            Filter::Atom(FilterAtom::Comparison(c)) => {
                let (a, b) = sides(c);
                self.walk_comparable(a)?;
                self.walk_comparable(b)
            }
        }
    }

    fn walk_test(&mut self, test: &Test) -> Result<(), String> {
        match test {
            Test::RelQuery(segments) => self.walk_segments(segments),
            Test::AbsQuery(q) => self.walk_segments(&q.segments),
            Test::Function(f) => self.walk_function(f),
        }
    }

    fn walk_comparable(&mut self, c: &Comparable) -> Result<(), String> {
        match c {
            Comparable::Function(f) => self.walk_function(f),
            _ => Ok(()),
        }
    }

    fn walk_function(&mut self, f: &TestFunction) -> Result<(), String> {
        match f {
            TestFunction::Custom(name, _) => Err(format!(
                "unknown function `{name}`: use `length`, `count`, `match`, `search` or `value`"
            )),
            TestFunction::Length(a) => self.walk_arg(a),
            TestFunction::Value(a) | TestFunction::Count(a) => self.walk_arg(a),
            TestFunction::Match(a, p) | TestFunction::Search(a, p) => {
                self.walk_arg(a)?;
                if let FnArg::Literal(Literal::String(pattern)) = p {
                    self.add(pattern, matches!(f, TestFunction::Match(..)))?;
                }
                self.walk_arg(p)
            }
        }
    }

    fn walk_arg(&mut self, a: &FnArg) -> Result<(), String> {
        match a {
            FnArg::Literal(_) => Ok(()),
            FnArg::Test(t) => self.walk_test(t),
            FnArg::Filter(f) => self.walk_filter(f),
        }
    }
}

fn compile(pattern: &str, anchored: bool) -> Result<Regex, regex::Error> {
    if anchored {
        Regex::new(&format!("^(?:{pattern})$"))
    } else {
        Regex::new(pattern)
    }
}

fn sides(c: &Comparison) -> (&Comparable, &Comparable) {
    match c {
        Comparison::Eq(a, b)
        | Comparison::Ne(a, b)
        | Comparison::Gt(a, b)
        | Comparison::Gte(a, b)
        | Comparison::Lt(a, b)
        | Comparison::Lte(a, b) => (a, b),
    }
}

/// A value to compare, after reading the query or function that gives it.
enum Operand<'a> {
    /// RFC 9535's *Nothing*: the query selected no node.
    Nothing,
    Unknown(Arc<Unknown>),
    Node(Node<'a>),
    Literal(&'a Literal),
    Number(f64),
}

/// An operand reduced to what comparisons look at.
enum Scalar<'a> {
    Nothing,
    Unknown(Arc<Unknown>),
    Null,
    Bool(bool),
    Number(f64),
    Str(&'a str),
    /// A string with holes: partly known.
    Holed(&'a str),
    /// An array or object (or the resource itself).
    Structured(&'a Value),
}

impl<'a> Operand<'a> {
    fn scalar(&self) -> Scalar<'a> {
        match self {
            Operand::Nothing => Scalar::Nothing,
            Operand::Unknown(u) => Scalar::Unknown(Arc::clone(u)),
            Operand::Number(n) => Scalar::Number(*n),
            Operand::Literal(l) => match l {
                Literal::Int(n) => Scalar::Number(*n as f64),
                Literal::Float(f) => Scalar::Number(*f),
                Literal::String(s) => Scalar::Str(s),
                Literal::Bool(b) => Scalar::Bool(*b),
                Literal::Null => Scalar::Null,
            },
            Operand::Node(Node::Text(t, _)) => Scalar::Str(t),
            Operand::Node(Node::Resource(s)) => Scalar::Structured(&s.entity.body),
            Operand::Node(Node::Value(v)) => match v.kind() {
                KindRef::Null => Scalar::Null,
                KindRef::Bool(b) => Scalar::Bool(b),
                KindRef::Int(n) => Scalar::Number(n as f64),
                KindRef::Float(f) => Scalar::Number(f),
                KindRef::Str(s) if hole::has_hole(s) => Scalar::Holed(s),
                KindRef::Str(s) => Scalar::Str(s),
                KindRef::Array(_) | KindRef::Object(_) => Scalar::Structured(v),
                KindRef::Unknown(u) => Scalar::Unknown(Arc::clone(u)),
            },
        }
    }
}

fn holed_reason(s: &str) -> Arc<Unknown> {
    Unknown::new(hole::reason(s).unwrap_or_else(|| "it holds text not known offline".to_owned()))
}

/// RFC 9535 `==`, three-valued.
fn equal(a: &Scalar<'_>, b: &Scalar<'_>) -> Truth {
    use Scalar as S;
    match (a, b) {
        (S::Unknown(u), _) | (_, S::Unknown(u)) => Truth::Unknown(Arc::clone(u)),
        (S::Nothing, S::Nothing) => Truth::True,
        (S::Nothing, _) | (_, S::Nothing) => Truth::False,
        (S::Null, S::Null) => Truth::True,
        (S::Bool(x), S::Bool(y)) => Truth::from_bool(x == y),
        (S::Number(x), S::Number(y)) => Truth::from_bool(x == y),
        (S::Str(x), S::Str(y)) => Truth::from_bool(x == y),
        (S::Holed(h), S::Str(s)) | (S::Str(s), S::Holed(h)) => {
            if hole::could_be(h, s) {
                Truth::Unknown(holed_reason(h))
            } else {
                Truth::False
            }
        }
        (S::Holed(x), S::Holed(y)) => {
            if x == y {
                Truth::True
            } else {
                Truth::Unknown(holed_reason(x))
            }
        }
        (S::Structured(x), S::Structured(y)) => match x.tri_eq(y) {
            Tri::Known(b) => Truth::from_bool(b),
            Tri::Unknown(u) => Truth::Unknown(u),
        },
        _ => Truth::False,
    }
}

/// RFC 9535 `<`, three-valued: numbers with numbers, strings with strings, else false.
fn less(a: &Scalar<'_>, b: &Scalar<'_>) -> Truth {
    use Scalar as S;
    match (a, b) {
        (S::Unknown(u), _) | (_, S::Unknown(u)) => Truth::Unknown(Arc::clone(u)),
        (S::Number(x), S::Number(y)) => Truth::from_bool(x < y),
        (S::Str(x), S::Str(y)) => Truth::from_bool(x < y),
        (S::Str(s), S::Holed(h)) => match order_against_holed(s, h) {
            Some(o) => Truth::from_bool(o == Ordering::Less),
            None => Truth::Unknown(holed_reason(h)),
        },
        (S::Holed(h), S::Str(s)) => match order_against_holed(s, h) {
            Some(o) => Truth::from_bool(o == Ordering::Greater),
            None => Truth::Unknown(holed_reason(h)),
        },
        (S::Holed(x), S::Holed(y)) if x == y => Truth::False,
        (S::Holed(h), S::Holed(_)) => Truth::Unknown(holed_reason(h)),
        _ => Truth::False,
    }
}

/// How a known string orders against a string with holes, where the known text decides it
/// (strings order by code point, as their UTF-8 bytes do): `/subscriptions/{id}` is after `''`
/// and before `/t`, whatever the subscription.
fn order_against_holed(s: &str, holed: &str) -> Option<Ordering> {
    let prefix = hole::known_prefix(holed);
    let (s, p) = (s.as_bytes(), prefix.as_bytes());
    let k = s.len().min(p.len());
    match s[..k].cmp(&p[..k]) {
        Ordering::Equal => {}
        decided => return Some(decided),
    }
    // `s` is a proper prefix of the known start, or equal to it while more text is known.
    let longer = hole::known_len(holed) > prefix.chars().count();
    (s.len() < p.len() || (s.len() == p.len() && longer)).then_some(Ordering::Less)
}

/// Evaluates queries and filters on one resource.
pub struct Eval<'a> {
    root: Node<'a>,
    regexes: &'a Regexes,
}

impl<'a> Eval<'a> {
    pub fn new(subject: &'a Subject<'a>, regexes: &'a Regexes) -> Self {
        Eval {
            root: Node::Resource(subject),
            regexes,
        }
    }

    /// A filter expression with `@` the resource.
    pub fn condition(&self, filter: &'a Filter) -> Truth {
        self.filter(filter, self.root)
    }

    /// A query from `$`, the resource.
    pub fn query(&self, query: &'a JpQuery) -> Nodes<'a> {
        self.segments(&query.segments, self.root)
    }

    fn segments(&self, segments: &'a [Segment], start: Node<'a>) -> Nodes<'a> {
        if let Some(nodes) = singular_path(segments, start) {
            return nodes;
        }
        let mut current = vec![start];
        let mut unknown = None;
        for segment in segments {
            let mut next = Vec::new();
            for node in current {
                self.segment(segment, node, &mut next, &mut unknown);
            }
            current = next;
        }
        Nodes {
            nodes: current,
            unknown,
        }
    }

    fn segment(
        &self,
        segment: &'a Segment,
        node: Node<'a>,
        out: &mut Vec<Node<'a>>,
        unknown: &mut Option<Arc<Unknown>>,
    ) {
        match segment {
            Segment::Selector(s) => self.select(s, node, out, unknown),
            Segment::Selectors(list) => {
                for s in list {
                    self.select(s, node, out, unknown);
                }
            }
            Segment::Descendant(inner) => {
                // The node and its descendants, in document order.
                let mut stack = vec![node];
                while let Some(n) = stack.pop() {
                    self.segment(inner, n, out, unknown);
                    let mut kids = Vec::new();
                    if let Some(u) = children(n, &mut kids) {
                        unknown.get_or_insert(u);
                    }
                    stack.extend(kids.into_iter().rev());
                }
            }
        }
    }

    fn select(
        &self,
        selector: &'a Selector,
        node: Node<'a>,
        out: &mut Vec<Node<'a>>,
        unknown: &mut Option<Arc<Unknown>>,
    ) {
        let mut take = |child: Child<'a>| match child {
            Child::Found(n) => out.push(n),
            Child::Missing => {}
            Child::Unknown(u) => {
                unknown.get_or_insert(u);
            }
        };
        match selector {
            Selector::Name(key) => take(member(node, key)),
            Selector::Index(i) => take(element(node, *i)),
            Selector::Wildcard => {
                if let Some(u) = children(node, out) {
                    unknown.get_or_insert(u);
                }
            }
            Selector::Slice(start, end, step) => {
                self.slice(node, *start, *end, *step, out, unknown)
            }
            Selector::Filter(f) => {
                let mut kids = Vec::new();
                if let Some(u) = children(node, &mut kids) {
                    unknown.get_or_insert(u);
                }
                for kid in kids {
                    match self.filter(f, kid) {
                        Truth::True => out.push(kid),
                        Truth::False => {}
                        Truth::Unknown(u) => {
                            unknown.get_or_insert(u);
                        }
                    }
                }
            }
        }
    }

    /// RFC 9535 section 2.3.4.2.2.
    fn slice(
        &self,
        node: Node<'a>,
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
        out: &mut Vec<Node<'a>>,
        unknown: &mut Option<Arc<Unknown>>,
    ) {
        let Node::Value(v) = node else { return };
        let a = match v.kind() {
            KindRef::Array(a) => a,
            KindRef::Unknown(u) => {
                unknown.get_or_insert(Arc::clone(u));
                return;
            }
            _ => return,
        };
        if let Some(u) = a.open() {
            unknown.get_or_insert(Arc::clone(u));
        }
        let step = step.unwrap_or(1);
        if step == 0 {
            return;
        }
        let len = a.items().len() as i64;
        let normalize = |i: i64| if i >= 0 { i } else { len + i };
        if step > 0 {
            let lower = normalize(start.unwrap_or(0)).clamp(0, len);
            let upper = normalize(end.unwrap_or(len)).clamp(0, len);
            let mut i = lower;
            while i < upper {
                out.push(Node::Value(&a.items()[i as usize]));
                i += step;
            }
        } else {
            let upper = normalize(start.unwrap_or(len - 1)).clamp(-1, len - 1);
            let lower = match end {
                Some(e) => normalize(e).clamp(-1, len - 1),
                None => -1,
            };
            let mut i = upper;
            while lower < i {
                out.push(Node::Value(&a.items()[i as usize]));
                i += step;
            }
        }
    }

    fn filter(&self, filter: &'a Filter, current: Node<'a>) -> Truth {
        match filter {
            Filter::Or(list) => self.junction(list, current, true),
            Filter::And(list) => self.junction(list, current, false),
            Filter::Atom(FilterAtom::Filter { expr, not }) => {
                let t = self.filter(expr, current);
                if *not {
                    t.not()
                } else {
                    t
                }
            }
            Filter::Atom(FilterAtom::Test { expr, not }) => {
                let t = self.test(expr, current);
                if *not {
                    t.not()
                } else {
                    t
                }
            }
            Filter::Atom(FilterAtom::Comparison(c)) => self.compare(c, current),
        }
    }

    /// `||` over `list` where `absorbing` is true (a true operand decides), `&&` where it is
    /// false, in Kleene's logic: an unknown operand leaves the result unknown unless another
    /// operand decides it.
    fn junction(&self, list: &'a [Filter], current: Node<'a>, absorbing: bool) -> Truth {
        let mut unknown = None;
        for f in list {
            match self.filter(f, current) {
                Truth::Unknown(u) => {
                    unknown.get_or_insert(u);
                }
                Truth::True if absorbing => return Truth::True,
                Truth::False if !absorbing => return Truth::False,
                _ => {}
            }
        }
        unknown.map_or(Truth::from_bool(!absorbing), Truth::Unknown)
    }

    fn test(&self, test: &'a Test, current: Node<'a>) -> Truth {
        match test {
            Test::RelQuery(segments) => exists(&self.segments(segments, current)),
            Test::AbsQuery(q) => exists(&self.segments(&q.segments, self.root)),
            Test::Function(f) => match &**f {
                TestFunction::Match(a, p) => self.regex(a, p, current, true),
                TestFunction::Search(a, p) => self.regex(a, p, current, false),
                other => match self.function(other, current) {
                    Operand::Nothing => Truth::False,
                    Operand::Unknown(u) => Truth::Unknown(u),
                    _ => Truth::True,
                },
            },
        }
    }

    fn compare(&self, c: &'a Comparison, current: Node<'a>) -> Truth {
        let (a, b) = sides(c);
        let a = self.comparable(a, current);
        let b = self.comparable(b, current);
        let (a, b) = (a.scalar(), b.scalar());
        match c {
            Comparison::Eq(..) => equal(&a, &b),
            Comparison::Ne(..) => equal(&a, &b).not(),
            Comparison::Lt(..) => less(&a, &b),
            Comparison::Gt(..) => less(&b, &a),
            Comparison::Lte(..) => less(&a, &b).or(|| equal(&a, &b)),
            Comparison::Gte(..) => less(&b, &a).or(|| equal(&a, &b)),
        }
    }

    fn comparable(&self, c: &'a Comparable, current: Node<'a>) -> Operand<'a> {
        match c {
            Comparable::Literal(l) => Operand::Literal(l),
            Comparable::Function(f) => self.function(f, current),
            Comparable::SingularQuery(SingularQuery::Current(segments)) => {
                singular(segments, current)
            }
            Comparable::SingularQuery(SingularQuery::Root(segments)) => {
                singular(segments, self.root)
            }
        }
    }

    fn function(&self, f: &'a TestFunction, current: Node<'a>) -> Operand<'a> {
        match f {
            TestFunction::Length(arg) => match self.argument(arg, current) {
                Operand::Node(n) => length(n),
                Operand::Literal(Literal::String(s)) => Operand::Number(s.chars().count() as f64),
                Operand::Unknown(u) => Operand::Unknown(u),
                _ => Operand::Nothing,
            },
            TestFunction::Count(arg) => match self.nodes(arg, current) {
                Some(n) => match n.unknown {
                    Some(u) => Operand::Unknown(u),
                    None => Operand::Number(n.nodes.len() as f64),
                },
                None => Operand::Nothing,
            },
            TestFunction::Value(arg) => self.argument(arg, current),
            // Logical functions have no value to compare; custom functions are refused on load.
            TestFunction::Match(..) | TestFunction::Search(..) | TestFunction::Custom(..) => {
                Operand::Nothing
            }
        }
    }

    /// A function argument as a value: a literal, or the single node a query selects.
    fn argument(&self, arg: &'a FnArg, current: Node<'a>) -> Operand<'a> {
        match arg {
            FnArg::Literal(l) => Operand::Literal(l),
            FnArg::Test(t) if matches!(**t, Test::Function(_)) => match &**t {
                Test::Function(f) => self.function(f, current),
                _ => Operand::Nothing,
            },
            FnArg::Test(_) => match self.nodes(arg, current) {
                Some(n) => match (n.unknown, n.nodes.as_slice()) {
                    (Some(u), _) => Operand::Unknown(u),
                    (None, [one]) => Operand::Node(*one),
                    _ => Operand::Nothing,
                },
                None => Operand::Nothing,
            },
            FnArg::Filter(_) => Operand::Nothing,
        }
    }

    fn nodes(&self, arg: &'a FnArg, current: Node<'a>) -> Option<Nodes<'a>> {
        match arg {
            FnArg::Test(t) => match &**t {
                Test::RelQuery(segments) => Some(self.segments(segments, current)),
                Test::AbsQuery(q) => Some(self.segments(&q.segments, self.root)),
                Test::Function(_) => None,
            },
            _ => None,
        }
    }

    fn regex(
        &self,
        arg: &'a FnArg,
        pattern: &'a FnArg,
        current: Node<'a>,
        anchored: bool,
    ) -> Truth {
        let subject = self.argument(arg, current);
        let text = match subject.scalar() {
            Scalar::Str(s) => s,
            Scalar::Holed(h) => return Truth::Unknown(holed_reason(h)),
            Scalar::Unknown(u) => return Truth::Unknown(u),
            _ => return Truth::False,
        };
        let pattern = self.argument(pattern, current);
        let pattern = match pattern.scalar() {
            Scalar::Str(p) => p,
            Scalar::Holed(h) => return Truth::Unknown(holed_reason(h)),
            Scalar::Unknown(u) => return Truth::Unknown(u),
            _ => return Truth::False,
        };
        match self.regexes.get(pattern, anchored) {
            Some(re) => Truth::from_bool(re.is_match(text)),
            // A pattern read from the document: compiled here; an invalid one matches nothing.
            None => Truth::from_bool(compile(pattern, anchored).is_ok_and(|re| re.is_match(text))),
        }
    }
}

fn exists(nodes: &Nodes<'_>) -> Truth {
    if !nodes.nodes.is_empty() {
        Truth::True
    } else if let Some(u) = &nodes.unknown {
        Truth::Unknown(Arc::clone(u))
    } else {
        Truth::False
    }
}

fn singular<'a>(segments: &[SingularQuerySegment], start: Node<'a>) -> Operand<'a> {
    let mut node = start;
    for s in segments {
        let child = match s {
            SingularQuerySegment::Name(key) => member(node, key),
            SingularQuerySegment::Index(i) => element(node, *i),
        };
        match child {
            Child::Found(n) => node = n,
            Child::Missing => return Operand::Nothing,
            Child::Unknown(u) => return Operand::Unknown(u),
        }
    }
    Operand::Node(node)
}

fn length(node: Node<'_>) -> Operand<'_> {
    match node {
        Node::Text(t, _) => Operand::Number(t.chars().count() as f64),
        Node::Resource(_) => Operand::Nothing,
        Node::Value(v) => match v.kind() {
            KindRef::Str(s) if hole::has_hole(s) => Operand::Unknown(holed_reason(s)),
            KindRef::Str(s) => Operand::Number(s.chars().count() as f64),
            KindRef::Array(a) => match a.open() {
                Some(u) => Operand::Unknown(Arc::clone(u)),
                None => Operand::Number(a.items().len() as f64),
            },
            KindRef::Object(o) => match o.open() {
                Some(u) => Operand::Unknown(Arc::clone(u)),
                None => Operand::Number(o.entries().len() as f64),
            },
            KindRef::Unknown(u) => Operand::Unknown(Arc::clone(u)),
            _ => Operand::Nothing,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_plain_word_alternatives_skip_the_regex() {
        let words = |p: &str| alternatives(p).map(|(w, ci)| (w.join(","), ci));
        assert_eq!(
            words("(?i)Enabled|Disabled"),
            Some(("Enabled,Disabled".into(), true))
        );
        assert_eq!(words("Tcp"), Some(("Tcp".into(), false)));
        for pattern in [
            "", "(?i)", "a|", "a.b", "^a$", "a|(b)", "(?i:a)", "a b", "é",
        ] {
            assert_eq!(words(pattern), None, "{pattern:?}");
        }
        let m = Matcher::new("(?i)Enabled|Disabled", true).unwrap();
        assert!(m.words.is_some());
        // Compiled only when text other than ASCII comes.
        assert!(m.regex.get().is_none());
        assert!(!m.is_match("Énabled") && m.regex.get().is_some());
        assert!(m.is_match("ENABLED") && m.is_match("disabled"));
        assert!(!m.is_match("Enabled ") && !m.is_match("NotEnabled") && !m.is_match(""));
        // `search` keeps the regex: a word anywhere in the text.
        assert!(Matcher::new("(?i)Enabled", false).unwrap().words.is_none());
    }

    proptest! {
        /// The word comparison answers what the regex answers, on ASCII and other text (the
        /// Kelvin sign and the long s fold to `k` and `s` under `(?i)`).
        #[test]
        fn word_alternatives_match_as_the_regex_does(
            words in proptest::collection::vec("[a-kA-K_s0-2]{1,3}", 1..4),
            ignore_case in any::<bool>(),
            text in "[a-kA-K_s0-2\u{212A}\u{17F} ]{0,4}",
        ) {
            let pattern = format!("{}{}", if ignore_case { "(?i)" } else { "" }, words.join("|"));
            let m = Matcher::new(&pattern, true).unwrap();
            prop_assert!(m.words.is_some());
            let regex = compile(&pattern, true).unwrap();
            prop_assert_eq!(m.is_match(&text), regex.is_match(&text), "{} on {:?}", pattern, text);
        }
    }
}
