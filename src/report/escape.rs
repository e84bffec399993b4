//! Escaping of everything a template controls, once per output format.
//!
//! Names, property values and file paths come from the files being linted, which may be written
//! by someone who wants to attack the CI that lints them. Whatever a renderer prints passes through
//! one of these functions, so that no value can:
//!
//! - send escape sequences to a terminal (ESC, BEL, the C1 controls such as CSI U+009B, a carriage
//!   return that rewrites the line): every control character except tab and newline is shown as
//!   `\u{1b}`, never written;
//! - inject a workflow command into a GitHub Actions log (`::error::…` at the start of a line, or the
//!   older `##[error]…` anywhere in a line) or a logging command into an Azure Pipelines log
//!   (`##vso[…]` anywhere in a line): in the text formats the `[` after `##` / `##vso` and a `::`
//!   that starts a line or follows a space are escaped the same way;
//! - end a workflow command, a logging command or an XML attribute early: each of these formats
//!   has its own escaping below, applied after the control characters are made visible.
//!
//! The JSON formats (`json`, `sarif`) are escaped by JSON itself; [`JsonOutput`] also writes the
//! few characters that JSON leaves raw but terminals and CI logs act on as `\uXXXX` escapes, which
//! every JSON parser reads back as the same string.

use std::borrow::Cow;

/// A control character that must not reach a terminal or a log: C0 except tab and newline, DEL,
/// and C1.
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f'..='\u{9f}')
}

/// What a character dangerous on a terminal is shown as.
fn visible(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Where a CI runner would read a command: the `[` of `##[` and `##vso[` (read anywhere in a line),
/// and `::` at the start of a line or after whitespace (a wrapped line may start there).
/// Returns the byte length of the marker prefix to copy before the escaped character.
fn command_marker(s: &str, i: usize) -> Option<usize> {
    let rest = &s[i..];
    if rest.starts_with("##[") {
        return Some(2);
    }
    if rest.starts_with("##vso[") {
        return Some(5);
    }
    if rest.starts_with("::") {
        let before = s[..i].chars().next_back();
        if before.is_none_or(char::is_whitespace) {
            return Some(0);
        }
    }
    None
}

/// Text for people (human output): control characters other than newline and tab are shown as
/// `\u{..}`, and CI command markers are broken up.
pub fn text(s: &str) -> Cow<'_, str> {
    escape_text(s, false)
}

/// One line of text (concise output): as [`text`], and newlines and tabs are shown as `\n`, `\t`,
/// so a value cannot start a line of its own.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_text(s, true)
}

fn escape_text(s: &str, one_line: bool) -> Cow<'_, str> {
    let needs = |c: char| is_control(c) || (one_line && matches!(c, '\n' | '\t'));
    if !s.chars().any(needs) && !s.contains("##") && !s.contains("::") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if needs(c) {
            visible(c, &mut out);
            continue;
        }
        if let Some(keep) = command_marker(s, i) {
            // Copy the marker up to the character to escape (`##`, `##vso`, or nothing before
            // `::`), then show that character escaped.
            out.push_str(&s[i..i + keep]);
            let escaped = if keep == 0 {
                c
            } else {
                for _ in 1..keep {
                    chars.next();
                }
                chars.next().map_or('[', |(_, c)| c)
            };
            visible(escaped, &mut out);
            continue;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Where the edits of [`source`] moved the bytes of a text: `(original offset, shift after it)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shifts(Vec<(usize, isize)>);

impl Shifts {
    /// The offset in the escaped text of `offset` in the original one.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.0.partition_point(|&(at, _)| at <= offset);
        let shift = if i == 0 { 0 } else { self.0[i - 1].1 };
        offset.saturating_add_signed(shift)
    }
}

/// A file's text for a source snippet: control characters other than newline, tab and the
/// carriage return of a CRLF are shown as `\u{..}`, and `##[` / `##vso[` are broken up. `None`
/// when nothing needs escaping (almost always); otherwise the text and how offsets moved.
pub fn source(s: &str) -> Option<(String, Shifts)> {
    let bytes = s.as_bytes();
    let bad = |i: usize, c: char| {
        (is_control(c) && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n')))
            || (c == '#' && (s[i..].starts_with("##[") || s[i..].starts_with("##vso[")))
    };
    if !s.char_indices().any(|(i, c)| bad(i, c)) {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut shifts = Vec::new();
    let mut shift: isize = 0;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if !bad(i, c) {
            out.push(c);
            continue;
        }
        if c == '#' {
            let keep = command_marker(s, i).unwrap_or(0);
            out.push_str(&s[i..i + keep]);
            for _ in 1..keep {
                chars.next();
            }
            chars.next();
            let before = out.len();
            visible('[', &mut out);
            shift += (out.len() - before) as isize - 1;
            shifts.push((i + keep + 1, shift));
            continue;
        }
        let before = out.len();
        visible(c, &mut out);
        shift += (out.len() - before) as isize - c.len_utf8() as isize;
        shifts.push((i + c.len_utf8(), shift));
    }
    Some((out, Shifts(shifts)))
}

/// The message of a GitHub Actions workflow command: `%`, CR and LF percent-encoded, as the
/// runner decodes them; other control characters shown as `\u{..}`.
pub fn github_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_control(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// A property value of a GitHub Actions workflow command (`file=`, `title=`): as
/// [`github_data`], and `:` and `,`, which end a property, percent-encoded.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A property value or the message of an Azure Pipelines logging command: `%` as `%AZP25`, and
/// CR, LF, `]` and `;` percent-encoded, as the agent decodes them; other control characters
/// shown as `\u{..}`.
pub fn azure(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%AZP25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ']' => out.push_str("%5D"),
            ';' => out.push_str("%3B"),
            c if is_control(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Text or an attribute value in XML 1.0: the five special characters as entities; tab, newline
/// and carriage return as character references (an attribute keeps them only so); the characters
/// XML 1.0 forbids (other C0 controls, U+FFFE, U+FFFF) and the C1 controls shown as `\u{..}`;
/// the `[` of `##[` / `##vso[` and the first `:` of a `::` that starts a line as character
/// references, in case the report is printed to a CI log.
pub fn xml(s: &str) -> String {
    escape_xml(s, true)
}

/// The text of an XML element: as [`xml`], but newlines and tabs stay as they are.
pub fn xml_text(s: &str) -> String {
    escape_xml(s, false)
}

fn escape_xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        match c {
            '\t' | '\n' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '[' if s[..i].ends_with("##") || s[..i].ends_with("##vso") => out.push_str("&#91;"),
            ':' if command_marker(s, i) == Some(0) => out.push_str("&#58;"),
            '\u{fffe}' | '\u{ffff}' => visible(c, &mut out),
            c if is_control(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Serialised JSON made safe to print, as it is written: DEL and the C1 controls (which JSON
/// allows raw) and the `[` of `##[` / `##vso[` reach `inner` as `\uXXXX` escapes, whatever pieces
/// they come in. Outside strings our JSON has none of these, and inside strings a JSON parser reads
/// the escapes back as the same characters, so the data is unchanged. Call
/// [`JsonOutput::finish`] at the end.
pub struct JsonOutput<W: std::io::Write> {
    inner: W,
    /// The last bytes written, before escaping: the `##` / `##vso` a `[` may follow.
    tail: [u8; 5],
    /// A 0xc2 lead byte whose continuation has not arrived yet.
    lead: bool,
}

impl<W: std::io::Write> JsonOutput<W> {
    pub fn new(inner: W) -> Self {
        JsonOutput {
            inner,
            tail: [0; 5],
            lead: false,
        }
    }

    /// Writes what is still held back and returns the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        if std::mem::take(&mut self.lead) {
            self.inner.write_all(&[0xc2])?;
        }
        Ok(self.inner)
    }

    fn remember(&mut self, bytes: &[u8]) {
        let n = self.tail.len();
        if bytes.len() >= n {
            self.tail.copy_from_slice(&bytes[bytes.len() - n..]);
        } else {
            self.tail.rotate_left(bytes.len());
            self.tail[n - bytes.len()..].copy_from_slice(bytes);
        }
    }

    fn after_marker(&self) -> bool {
        self.tail.ends_with(b"##") || self.tail.ends_with(b"##vso")
    }
}

impl<W: std::io::Write> std::io::Write for JsonOutput<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        if self.lead && !rest.is_empty() {
            self.lead = false;
            if (0x80..=0x9f).contains(&rest[0]) {
                write!(self.inner, "\\u{:04x}", rest[0])?;
                self.remember(&[0xc2, rest[0]]);
                rest = &rest[1..];
            } else {
                // Not a C1 control: the lead byte as it was; what follows is read below.
                self.inner.write_all(&[0xc2])?;
                self.remember(&[0xc2]);
            }
        }
        while let Some(i) = memchr::memchr3(0x7f, 0xc2, b'[', rest) {
            let (plain, from) = rest.split_at(i);
            self.inner.write_all(plain)?;
            self.remember(plain);
            let used = match from {
                [0x7f, ..] => {
                    self.inner.write_all(b"\\u007f")?;
                    1
                }
                [0xc2] => {
                    self.lead = true;
                    rest = &[];
                    break;
                }
                [0xc2, c @ 0x80..=0x9f, ..] => {
                    write!(self.inner, "\\u{c:04x}")?;
                    2
                }
                [b'[', ..] if self.after_marker() => {
                    self.inner.write_all(b"\\u005b")?;
                    1
                }
                _ => {
                    self.inner.write_all(&from[..1])?;
                    1
                }
            };
            self.remember(&from[..used]);
            rest = &from[used..];
        }
        if !rest.is_empty() {
            self.inner.write_all(rest)?;
            self.remember(rest);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_shows_controls_and_breaks_command_markers() {
        assert_eq!(text("plain `name`"), "plain `name`");
        assert_eq!(
            text("a\x1b[31mred\u{9b}2J\x07\r\nb\tc"),
            "a\\u{1b}[31mred\\u{9b}2J\\u{7}\\r\nb\tc"
        );
        assert_eq!(
            text("x ##vso[task.complete]"),
            "x ##vso\\u{5b}task.complete]"
        );
        assert_eq!(text("##[error]x"), "##\\u{5b}error]x");
        assert_eq!(text("a\n::error::x"), "a\n\\u{3a}:error::x");
        assert_eq!(text("route `::/0`"), "route `::/0`");
        assert_eq!(text("x ::warning::y"), "x \\u{3a}:warning::y");
        assert_eq!(text("# ## #[ ##v"), "# ## #[ ##v");
    }

    #[test]
    fn line_keeps_one_line() {
        assert_eq!(line("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(line("a\n::error::x"), "a\\n\\u{3a}:error::x");
    }

    #[test]
    fn source_keeps_crlf_and_maps_offsets() {
        assert_eq!(source("{\r\n  \"a\": \"ä\"\t}\n"), None);
        let text = "{ /* \x1b[2J */ \"n\": \"\u{9b}x\" } // ##vso[task.complete]\r";
        let (out, shifts) = source(text).unwrap();
        assert_eq!(
            out,
            "{ /* \\u{1b}[2J */ \"n\": \"\\u{9b}x\" } // ##vso\\u{5b}task.complete]\\r"
        );
        // Every ASCII byte of the original maps to the same byte in the escaped text.
        for (i, c) in text.char_indices() {
            if c.is_ascii() && !c.is_control() && !(c == '[' && text[..i].ends_with("##vso")) {
                let j = shifts.map(i);
                assert_eq!(&out[j..j + 1], &text[i..i + 1], "offset {i}");
            }
        }
        assert_eq!(shifts.map(text.len()), out.len());
    }

    #[test]
    fn github_escapes_data_and_properties() {
        assert_eq!(github_data("50%\r\n::x,y:z"), "50%25%0D%0A::x,y:z");
        assert_eq!(github_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(github_data("\x1b[1m"), "\\u{1b}[1m");
    }

    #[test]
    fn azure_escapes_percent_first() {
        assert_eq!(azure("%3B;]\r\n%"), "%AZP253B%3B%5D%0D%0A%AZP25");
        assert_eq!(azure("\u{9b}"), "\\u{9b}");
    }

    #[test]
    fn xml_escapes_and_drops_forbidden_characters() {
        assert_eq!(
            xml("<a href=\"x\">'&'</a>\n\t\x1b\u{ffff}"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#10;&#9;\\u{1b}\\u{ffff}"
        );
        assert_eq!(xml("##vso[x] [y]"), "##vso&#91;x] [y]");
        assert_eq!(xml_text("a\n\tb\r<"), "a\n\tb&#13;&lt;");
        assert_eq!(xml_text("a\n::error::x ::y"), "a\n&#58;:error::x &#58;:y");
    }

    /// Serialised JSON through [`JsonOutput`] in one piece.
    fn json_output(json: String) -> String {
        use std::io::Write;
        let mut w = JsonOutput::new(Vec::new());
        w.write_all(json.as_bytes()).unwrap();
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn json_output_reads_back_the_same() {
        let value = serde_json::json!({ "name": "a\u{9b}b\x7f ##vso[x] ##[y] [z]" });
        let raw = serde_json::to_string(&value).unwrap();
        let safe = json_output(raw.clone());
        assert_ne!(raw, safe);
        assert!(!safe.contains("##vso[") && !safe.contains('\u{9b}'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
        assert_eq!(json_output("{\"a\": [1]}".to_owned()), "{\"a\": [1]}");
        // Each trigger on its own; `¡` (0xc2 0xa1) shares a lead byte with C1 controls but is not one.
        assert_eq!(json_output("\"a\u{85}\"".to_owned()), "\"a\\u0085\"");
        assert_eq!(json_output("\"a\x7f\"".to_owned()), "\"a\\u007f\"");
        assert_eq!(json_output("\"##vso[\"".to_owned()), "\"##vso\\u005b\"");
        assert_eq!(json_output("\"¡ é\"".to_owned()), "\"¡ é\"");
    }

    /// Fed in pieces of every size, the writer writes what it writes given the whole text.
    #[test]
    fn json_output_writer_matches_in_any_pieces() {
        use std::io::Write;
        let text = "{\"a\": [\"x\u{85}y\x7f ##vso[task] ##[error] #[ ##v[ \u{9f}\u{a1}¡é\"], \"##\": [1]}\u{c2}";
        let whole = json_output(text.to_owned());
        assert!(
            whole.contains("\\u0085")
                && whole.contains("\\u007f")
                && whole.contains("##vso\\u005b")
        );
        assert!(
            whole.contains("##\\u005berror]")
                && whole.contains("#[ ##v[")
                && whole.contains("\\u009f¡¡é")
        );
        for size in 1..=text.len() {
            let mut w = JsonOutput::new(Vec::new());
            for piece in text.as_bytes().chunks(size) {
                w.write_all(piece).unwrap();
            }
            let out = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(out, whole, "pieces of {size} bytes");
        }
    }
}
