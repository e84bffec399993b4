//! The ARM template expression language: `[concat('a', parameters('b'))]`.
//!
//! A JSON string is an expression when it starts with `[` and ends with `]`; `[[` escapes a literal
//! bracket. Inside: function calls (`ns.name(...)` for user functions), single-quoted strings with
//! `''` for a quote, integers, `true`/`false`/`null`, member access `.name`, indexing `[expr]`, and
//! the safe-dereference forms `.?name` and `[?expr]` of languageVersion 2.0.

use crate::arm::functions;
use std::sync::Arc;

/// How deep an expression may nest before amlint stops reading it.
pub const MAX_EXPR_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal, shared with the values made from it.
    Str(arcstr::ArcStr),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Call(Call),
    Member {
        target: Box<Expr>,
        name: Arc<str>,
        safe: bool,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        safe: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// As written, e.g. `resourceId` or `__bicep.myFunc`.
    pub name: Arc<str>,
    /// The name in lowercase, as functions are looked up (ARM names are case-insensitive).
    pub lower: Arc<str>,
    /// Whether the name is a function of ARM's library (see [`functions::is_arm_function`]),
    /// decided once per parse rather than at every check and evaluation of the call.
    pub builtin: bool,
    pub args: Vec<Expr>,
    /// For `parameters('Name')` and `variables('Name')` with a literal name: the name in
    /// lowercase, as declarations are looked up, made once per parse rather than at every lookup.
    pub literal_key: Option<Box<str>>,
}

impl Call {
    pub fn new(name: &str, args: Vec<Expr>) -> Call {
        let name: Arc<str> = Arc::from(name);
        let lower = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Arc::from(name.to_ascii_lowercase())
        } else {
            Arc::clone(&name)
        };
        let builtin = functions::is_arm_function(&lower);
        let literal_key = match (&*lower, args.as_slice()) {
            ("parameters" | "variables", [Expr::Str(s)]) if !crate::arm::hole::has_hole(s) => {
                Some(s.to_ascii_lowercase().into_boxed_str())
            }
            _ => None,
        };
        Call {
            name,
            lower,
            builtin,
            args,
            literal_key,
        }
    }
}

/// What a JSON string is, for the evaluator.
#[derive(Debug, PartialEq)]
pub enum StringForm<'s> {
    /// A literal string (possibly unescaped from `[[...`).
    Literal(std::borrow::Cow<'s, str>),
    /// An expression; the text between the outer brackets.
    Expression(&'s str),
}

/// Classifies a JSON string value.
pub fn classify(s: &str) -> StringForm<'_> {
    if s.starts_with("[[") {
        return StringForm::Literal(std::borrow::Cow::Owned(s[1..].to_owned()));
    }
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        return StringForm::Expression(&s[1..s.len() - 1]);
    }
    StringForm::Literal(std::borrow::Cow::Borrowed(s))
}

/// A syntax error in an expression, at a byte offset into the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// Parses the text between the brackets of an expression.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let e = p.expr()?;
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.error(format!(
            "unexpected `{}` after the expression",
            p.rest_char()
        )));
    }
    Ok(e)
}

struct Parser<'s> {
    src: &'s [u8],
    text: &'s str,
    pos: usize,
    depth: usize,
}

impl<'s> Parser<'s> {
    fn error(&self, message: impl Into<String>) -> ExprError {
        ExprError {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn rest_char(&self) -> char {
        self.text[self.pos..].chars().next().unwrap_or(' ')
    }

    fn skip_ws(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return Err(self.error(format!(
                "expression nests deeper than {MAX_EXPR_DEPTH} levels"
            )));
        }
        let mut e = self.primary()?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    let safe = self.eat(b'?');
                    self.skip_ws();
                    let Some(name) = self.ident() else {
                        return Err(self.error("expected a property name after `.`"));
                    };
                    e = Expr::Member {
                        target: Box::new(e),
                        name: Arc::from(name),
                        safe,
                    };
                }
                Some(b'[') => {
                    self.pos += 1;
                    let safe = self.eat(b'?');
                    self.skip_ws();
                    let index = self.expr()?;
                    if !self.eat(b']') {
                        return Err(self.error("expected `]`"));
                    }
                    e = Expr::Index {
                        target: Box::new(e),
                        index: Box::new(index),
                        safe,
                    };
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn ident(&mut self) -> Option<&'s str> {
        let text = self.text;
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' {
                self.pos += 1;
            } else {
                break;
            }
        }
        (self.pos > start && !self.src[start].is_ascii_digit()).then(|| &text[start..self.pos])
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("expected an expression")),
            Some(b'\'') => self.string(),
            Some(b) if b.is_ascii_digit() || b == b'-' => self.number(),
            Some(b'(') => {
                self.pos += 1;
                let e = self.expr()?;
                if !self.eat(b')') {
                    return Err(self.error("expected `)`"));
                }
                Ok(e)
            }
            Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => {
                let start = self.pos;
                let Some(first) = self.ident() else {
                    return Err(self.error("expected a function name"));
                };
                // `ns.name(` is a user-defined function; `name.prop` is member access on a call.
                let save = self.pos;
                let mut name = std::borrow::Cow::Borrowed(first);
                if self.peek() == Some(b'.') {
                    self.pos += 1;
                    if let Some(member) = self.ident() {
                        self.skip_ws();
                        if self.peek() == Some(b'(') {
                            name = std::borrow::Cow::Owned(format!("{first}.{member}"));
                        } else {
                            self.pos = save;
                        }
                    } else {
                        self.pos = save;
                    }
                }
                self.skip_ws();
                if self.peek() != Some(b'(') {
                    return match name.to_ascii_lowercase().as_str() {
                        "true" => Ok(Expr::Bool(true)),
                        "false" => Ok(Expr::Bool(false)),
                        "null" => Ok(Expr::Null),
                        _ => Err(ExprError {
                            offset: start,
                            message: format!(
                                "`{name}` is not a function call; expected `{name}(...)`"
                            ),
                        }),
                    };
                }
                self.pos += 1;
                let mut args = Vec::with_capacity(2);
                self.skip_ws();
                if !self.eat(b')') {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(b')') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.error(format!(
                                "expected `,` or `)` in the arguments of `{name}`"
                            )));
                        }
                    }
                }
                Ok(Expr::Call(Call::new(&name, args)))
            }
            Some(_) => Err(self.error(format!("unexpected `{}`", self.rest_char()))),
        }
    }

    fn string(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        self.pos += 1;
        // Most strings hold no `''`: taken straight from the text.
        if let Some(len) = memchr::memchr(b'\'', &self.src[self.pos..]) {
            let end = self.pos + len;
            if self.src.get(end + 1) != Some(&b'\'') {
                let text = &self.text[self.pos..end];
                self.pos = end + 1;
                return Ok(Expr::Str(arcstr::ArcStr::from(text)));
            }
        }
        let mut out = String::new();
        let mut seg = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(ExprError {
                        offset: start,
                        message: "unterminated string: expected a closing `'`".to_owned(),
                    })
                }
                Some(b'\'') => {
                    out.push_str(&self.text[seg..self.pos]);
                    self.pos += 1;
                    if self.peek() == Some(b'\'') {
                        out.push('\'');
                        self.pos += 1;
                        seg = self.pos;
                    } else {
                        return Ok(Expr::Str(arcstr::ArcStr::from(out)));
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn number(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == digits {
            return Err(self.error("expected a digit after `-`"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') && self.src.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            float = true;
            self.pos += 1;
            while matches!(self.peek(), Some(b) if b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let text = &self.text[start..self.pos];
        if float {
            text.parse::<f64>()
                .map(Expr::Float)
                .map_err(|_| self.error("invalid number"))
        } else {
            text.parse::<i64>().map(Expr::Int).map_err(|_| ExprError {
                offset: start,
                message: format!("integer `{text}` is out of range"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Vec<Expr>) -> Expr {
        Expr::Call(Call::new(name, args))
    }

    #[test]
    fn classifies_strings() {
        assert_eq!(classify("[a()]"), StringForm::Expression("a()"));
        assert_eq!(classify("[[a()]"), StringForm::Literal("[a()]".into()));
        assert_eq!(classify("plain"), StringForm::Literal("plain".into()));
        assert_eq!(classify("[x"), StringForm::Literal("[x".into()));
        assert_eq!(classify("[]"), StringForm::Expression(""));
    }

    #[test]
    fn parses_calls_members_and_indexes() {
        let e = parse("reference(resourceId('a/b', 'n')).outputs['x'].value").unwrap();
        let inner = call(
            "reference",
            vec![call(
                "resourceId",
                vec![Expr::Str("a/b".into()), Expr::Str("n".into())],
            )],
        );
        let expected = Expr::Member {
            target: Box::new(Expr::Index {
                target: Box::new(Expr::Member {
                    target: Box::new(inner),
                    name: "outputs".into(),
                    safe: false,
                }),
                index: Box::new(Expr::Str("x".into())),
                safe: false,
            }),
            name: "value".into(),
            safe: false,
        };
        assert_eq!(e, expected);
    }

    #[test]
    fn parses_literals_and_escapes() {
        assert_eq!(parse(" 'it''s' ").unwrap(), Expr::Str("it's".into()));
        assert_eq!(parse("''''").unwrap(), Expr::Str("'".into()));
        assert_eq!(parse("''").unwrap(), Expr::Str("".into()));
        assert_eq!(
            parse("f('é', 'a''', 'b')").unwrap(),
            call(
                "f",
                vec![
                    Expr::Str("é".into()),
                    Expr::Str("a'".into()),
                    Expr::Str("b".into())
                ]
            )
        );
        assert!(parse("'open").is_err());
        assert!(parse("'open''").is_err());
        assert_eq!(parse("-42").unwrap(), Expr::Int(-42));
        assert_eq!(parse("1.5").unwrap(), Expr::Float(1.5));
        assert_eq!(parse("true").unwrap(), Expr::Bool(true));
        assert_eq!(parse("null").unwrap(), Expr::Null);
        assert_eq!(parse("f()").unwrap(), call("f", vec![]));
        assert_eq!(parse("'a]b'").unwrap(), Expr::Str("a]b".into()));
    }

    #[test]
    fn literal_names_of_parameters_and_variables_are_keyed_in_lowercase() {
        let key = |text: &str| match parse(text).unwrap() {
            Expr::Call(c) => c.literal_key.map(String::from),
            other => panic!("not a call: {other:?}"),
        };
        assert_eq!(key("parameters('VNetName')").as_deref(), Some("vnetname"));
        assert_eq!(key("VARIABLES('Prefix')").as_deref(), Some("prefix"));
        // Only a single literal name; other functions have none.
        assert_eq!(key("parameters(concat('a', 'b'))"), None);
        assert_eq!(key("parameters('a', 'b')"), None);
        assert_eq!(key("concat('A')"), None);
        // A literal with hole markers is looked up as written, through the evaluated argument.
        assert_eq!(key("parameters('\u{E000}p:x\u{E001}')"), None);
    }

    #[test]
    fn parses_user_functions_and_safe_access() {
        assert_eq!(
            parse("ns.fn(1)").unwrap(),
            call("ns.fn", vec![Expr::Int(1)])
        );
        let e = parse("resourceGroup().location").unwrap();
        assert!(matches!(e, Expr::Member { ref name, safe: false, .. } if &**name == "location"));
        let e = parse("parameters('a').?b[?0]").unwrap();
        assert!(matches!(e, Expr::Index { safe: true, .. }));
    }

    #[test]
    fn reports_errors_with_offsets() {
        let e = parse("concat('a', ").unwrap_err();
        assert_eq!(e.message, "expected an expression");
        let e = parse("concat('a'").unwrap_err();
        assert!(e.message.contains("expected `,` or `)`"));
        assert_eq!(parse("'abc").unwrap_err().offset, 0);
        assert!(parse("foo")
            .unwrap_err()
            .message
            .contains("not a function call"));
        assert!(parse("a() b")
            .unwrap_err()
            .message
            .contains("after the expression"));
        assert!(parse("99999999999999999999")
            .unwrap_err()
            .message
            .contains("out of range"));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{}1{}", "f(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&text).unwrap_err().message.contains("deeper"));
    }
}
