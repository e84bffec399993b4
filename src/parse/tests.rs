use super::*;
use proptest::prelude::*;

fn err(text: &str) -> SyntaxError {
    parse(text, &Arena::new()).expect_err("should not parse")
}

#[test]
fn accepts_comments() {
    let arena = Arena::new();
    let v = parse("// lead\n{ /* a */ \"a\": 1 // tail\n}", &arena).unwrap();
    assert_eq!(to_serde(&v), serde_json::json!({"a": 1}));
}

#[test]
fn collects_comments_in_order() {
    let arena = Arena::new();
    let (_, comments) =
        parse_with_comments("{\n// one\n\"a\": 1, /* two */ \"b\": 2}", &arena).unwrap();
    let texts: Vec<_> = comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [" one", " two "]);
}

/// What JSON5 and other lenient parsers accept and ARM does not.
const LENIENCIES: [&str; 10] = [
    "{\"a\": 1,}",
    "[1,]",
    "{'a': 1}",
    "{a: 1}",
    "{\"a\": 0x1F}",
    "{\"a\": +1}",
    "{\"a\": .5}",
    "{\"a\": NaN}",
    "{\"a\": 1 \"b\": 2}",
    "{\"a\": \"\\x41\"}",
];

fn err_or_none(text: &str) -> Option<SyntaxError> {
    parse(text, &Arena::new()).err()
}

#[test]
fn rejects_every_other_leniency() {
    for text in LENIENCIES {
        assert!(err_or_none(text).is_some(), "{text} should be rejected");
    }
}

#[test]
fn error_position_is_exact() {
    let text = "{\n  \"a\": 1,\n}";
    let e = err(text);
    assert_eq!(&text[e.start..e.start + 1], ",");
    assert!(e.message.contains("trailing comma"), "{}", e.message);
}

#[test]
fn empty_and_comment_only_files_are_errors() {
    assert!(err("").message.contains("empty"));
    assert!(err("  \n").message.contains("empty"));
    assert!(err("// nothing").message.contains("only comments"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(err(&text).message.contains("nesting deeper than 512"));
}

#[test]
fn decode_drops_bom_and_rejects_bad_utf8() {
    assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
    let (e, shown) = decode(b"{\"a\": \"\xFF\"}".to_vec()).unwrap_err();
    assert_eq!(e.start, 7);
    assert_eq!(shown, "{\"a\": \"");
    assert!(e.message.contains("0xFF"));
    let (e, _) = decode(b"\xFF\xFE{\x00}\x00".to_vec()).unwrap_err();
    assert!(e.message.contains("UTF-16"));
}

proptest! {
    /// The borrowed decode (SIMD) gives the text or the error the owning one gives: the same
    /// byte order mark dropped, the same first invalid byte.
    #[test]
    fn borrowed_decode_agrees_with_decode(
        bytes in proptest::collection::vec(
            prop_oneof![
                Just(0xEF_u8), Just(0xBB), Just(0xBF), Just(0xFF), Just(0xFE), Just(0xC3),
                Just(0xA9), Just(0x80), any::<u8>(), b' '..=b'~', b' '..=b'~',
            ],
            0..80,
        ),
    ) {
        let borrowed = decode_borrowed(&bytes).map(str::to_owned);
        let owned = decode(bytes.clone()).map_err(|(e, _)| e);
        prop_assert_eq!(borrowed, owned);
    }
}

#[test]
fn borrowed_decode_drops_bom_and_rejects_bad_utf8() {
    assert_eq!(decode_borrowed(b"\xEF\xBB\xBF{}").unwrap(), "{}");
    let e = decode_borrowed(b"{\"a\": \"\xFF\"}").unwrap_err();
    assert_eq!((e.start, e.message.contains("0xFF")), (7, true));
    // Past the first 64 bytes, where the SIMD check works a block at a time.
    let long = [b" ".repeat(100), b"\xC3(".to_vec()].concat();
    assert_eq!(decode_borrowed(&long).unwrap_err().start, 100);
    assert!(decode_borrowed(b"\xFF\xFE{\x00}\x00")
        .unwrap_err()
        .message
        .contains("UTF-16"));
}

#[test]
fn object_lookup_is_case_insensitive_and_last_wins() {
    let arena = Arena::new();
    let v = parse(r#"{"Name": "a", "name": "b", "Other": {"x": 1}}"#, &arena).unwrap();
    let o = v.as_object().unwrap();
    assert_eq!(o.member_str("NAME"), Some("b"));
    assert!(o.member_object("other").is_some());
    assert!(o.member("missing").is_none());
}

#[test]
fn pointer_span_follows_keys_and_indexes() {
    let text = r#"{"resources": [{"name": "a"}, {"name": "b/c", "x~y": true}]}"#;
    let arena = Arena::new();
    let v = parse(text, &arena).unwrap();
    let s = pointer_span(&v, "/resources/1/name").unwrap();
    assert_eq!(&text[s], "\"b/c\"");
    let s = pointer_span(&v, "/resources/1/x~0y").unwrap();
    assert_eq!(&text[s], "true");
    assert!(pointer_span(&v, "/resources/01").is_none());
    assert!(pointer_span(&v, "/resources/9").is_none());
    assert_eq!(pointer_span(&v, "").unwrap(), 0..text.len());
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        "[a-zA-Z0-9 ä/\\[\\]'\"\\\\\n]{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z~/]{1,4}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn pointers(v: &serde_json::Value, at: String, out: &mut Vec<(String, serde_json::Value)>) {
    out.push((at.clone(), v.clone()));
    match v {
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let token = k.replace('~', "~0").replace('/', "~1");
                pointers(x, format!("{at}/{token}"), out);
            }
        }
        _ => {}
    }
}

proptest! {
    /// Every span in the index slices back to text that parses to the value at that pointer.
    #[test]
    fn every_span_slices_back_to_its_value(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
        let text = format!("// header\n{text}\n/* trailer */");
        let arena = Arena::new();
        let ast = parse(&text, &arena).unwrap();
        prop_assert_eq!(to_serde(&ast), v.clone());
        let mut all = Vec::new();
        pointers(&v, String::new(), &mut all);
        for (pointer, expected) in all {
            let span = pointer_span(&ast, &pointer).unwrap();
            let slice = &text[span];
            let back: serde_json::Value = serde_json::from_str(slice).unwrap();
            prop_assert_eq!(back, expected, "pointer {}", pointer);
        }
    }

    /// Arbitrary input never panics the parser.
    #[test]
    fn parse_never_panics(s in "\\PC{0,64}") {
        let _ = parse(&s, &Arena::new());
    }
}

/// The fast path's tree and comments, or `None` where it gives up. Where it accepts, the line
/// breaks it noted on the way are all of the text's.
fn fast_parse<'a>(text: &'a str, arena: &'a Arena) -> Option<(ast::Value<'a>, Vec<Comment>)> {
    let mut comments = Vec::new();
    let mut newlines = Vec::new();
    let value = super::fast::parse(text, arena, &mut comments, &mut newlines).ok()?;
    assert_eq!(
        newlines,
        all_newlines(text),
        "line breaks noted in {text:?}"
    );
    Some((value, comments))
}

fn all_newlines(text: &str) -> Vec<u32> {
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|i| i as u32)
        .collect()
}

/// Where the fast path accepts a text, it builds what jsonc-parser builds; where it gives up,
/// jsonc-parser has the last word.
fn same_as_jsonc(text: &str) -> bool {
    let (fast_arena, slow_arena) = (Arena::new(), Arena::new());
    let slow = slow_parse(text, &slow_arena, true);
    match fast_parse(text, &fast_arena) {
        Some(fast) => {
            assert_eq!(Ok(&fast), slow.as_ref(), "{text:?}");
            true
        }
        None => false,
    }
}

#[test]
fn the_fast_path_builds_what_jsonc_parser_builds() {
    let accepted = [
        "{}",
        "[]",
        " \t\r\n{ \"a\" : [ 1 , -0 , 0.5 , -1.25e+10 , 3E-2 , 1e5 ] }\r\n",
        "{\"esc\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00 end\"}",
        "{\"ä\": \"ünï 😀\", \"\": \"\"}",
        "// lead\r\n{ /* a */ \"a\": 1 // tail\r}\n/* trailer */",
        "{\"a\":1,\"a\":2}",
        "[true,false,null,[[]],{\"x\":{}}]",
        "\"just a string\"",
        "42",
        "{\"a\": 1 /* no newline */}",
        "//only at the end\n[1]//x",
        "/* two\nlines */\n{\n  \"a\": [\n\n  ]\n}/*\n*/\n",
    ];
    for text in accepted {
        assert!(same_as_jsonc(text), "the fast path should accept {text:?}");
    }
    let deep_ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(same_as_jsonc(&deep_ok));
    // Errors and oddities go to jsonc-parser, which says what is wrong.
    for text in LENIENCIES.into_iter().chain([
        "",
        "// only a comment",
        "{\"a\": 1.}",
        "{\"a\": 01}",
        "{\"a\": tru}",
        "{\"a\": truex}",
        "{\"a\": \"raw\nnewline\"}",
        "{\"a\": \"\\x\"}",
        "{\"a\": \"\\uD83D\"}",
        "{\"a\": \"\\uDE00\"}",
        "{\"a\": 1} 2",
        "{\"a\": 1 /* open",
        "{\"a\" 1}",
        "[1 2]",
        "{\"a\": \"unterminated}",
        "\u{a0}{}",
    ]) {
        assert!(
            !same_as_jsonc(text),
            "the fast path should give up on {text:?}"
        );
    }
    // One level past MAX_DEPTH is an error at the bracket that opens it (jsonc-parser lets one
    // more level pass than its message says).
    let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert!(!same_as_jsonc(&too_deep));
    let e = err(&too_deep);
    assert_eq!(
        (e.start, e.message.as_str()),
        (MAX_DEPTH, "nesting deeper than 512 levels")
    );
}

#[test]
fn parse_noting_lines_notes_every_line_break_or_none_on_an_error() {
    let arena = Arena::new();
    let mut newlines = vec![7];
    let text = "// a\n{\n  \"b\": /* c\n */ 1\n}\n";
    assert!(parse_noting_lines(text, &arena, &mut newlines).is_ok());
    assert_eq!(newlines, all_newlines(text));
    assert_eq!(newlines, [4, 6, 18, 24, 26]);
    // Where the fast path gives up (a space it leaves to jsonc-parser), a scan finds the breaks.
    let text = "{\n\u{a0}}";
    assert!(fast_parse(text, &arena).is_none());
    assert!(parse_noting_lines(text, &arena, &mut newlines).is_ok());
    assert_eq!(newlines, [1]);
    for text in ["{\n\"a\": 1,\n}", "{\n  \"a\": [1\n"] {
        newlines.push(3);
        assert!(parse_noting_lines(text, &arena, &mut newlines).is_err());
        assert!(newlines.is_empty(), "{text:?}");
    }
}

#[test]
fn the_fast_path_agrees_on_every_fixture_and_corpus_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut fast, mut slow) = (0, 0);
    for dir in ["fixtures", "tests/corpus"] {
        for entry in walkdir::WalkDir::new(root.join(dir)) {
            let entry = entry.unwrap();
            let path = entry.path();
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "jsonc")
            ) {
                continue;
            }
            let Ok(text) = decode(std::fs::read(path).unwrap()) else {
                continue;
            };
            if same_as_jsonc(&text) {
                fast += 1;
            } else {
                assert!(
                    slow_parse(&text, &Arena::new(), true).is_err(),
                    "{}",
                    path.display()
                );
                slow += 1;
            }
        }
    }
    assert!(fast > 200 && slow > 0, "fast {fast}, slow {slow}");
}

proptest! {
    /// On any JSON, pretty or compact, with comments around, the fast path builds jsonc-parser's
    /// tree.
    #[test]
    fn the_fast_path_agrees_on_generated_json(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
        let text = format!("// header\n{text}\n/* trailer */");
        prop_assert!(same_as_jsonc(&text));
    }

    /// On arbitrary input the two agree, or the fast path gives up.
    #[test]
    fn the_fast_path_never_disagrees(s in "\\PC{0,64}") {
        same_as_jsonc(&s);
    }
}
