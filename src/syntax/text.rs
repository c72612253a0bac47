//! Decoding string literals and bare words: escapes, `"""` blocks and
//! `${name}` interpolation, with a span for every interpolated name.

use super::ast::{Ident, Text, TextPart};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

const ESCAPES_HELP: &str = "the escapes are \\\\ \\\" \\n \\t \\r \\0 \\$ (a literal dollar) and \\u{1F600}";

/// Decodes a `"..."` literal. `span` covers the quotes.
pub fn quoted(raw: &str, span: Span) -> Result<Text, Diagnostic> {
    let body = &raw[1..raw.len() - 1];
    let mut builder = Builder::new(span);
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    break;
                };
                let decoded = match escaped {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '$' => '$',
                    'u' => {
                        let rest = &body[at + 2..];
                        let (value, used) = unicode_escape(rest).ok_or_else(|| {
                            bad_escape(span.sub(1 + at, 1 + at + 2), "\\u")
                                .help("write a unicode escape as \\u{1F600}: one to six hex digits in braces")
                        })?;
                        for _ in 0..used {
                            chars.next();
                        }
                        value
                    }
                    other => {
                        let len = 1 + other.len_utf8();
                        return Err(bad_escape(span.sub(1 + at, 1 + at + len), &format!("\\{other}"))
                            .help(ESCAPES_HELP));
                    }
                };
                builder.literal.push(decoded);
            }
            '$' if body[at + 1..].starts_with('{') => {
                let consumed = builder.var(&body[at..], 1 + at)?;
                for _ in 1..consumed {
                    chars.next();
                }
            }
            c => builder.literal.push(c),
        }
    }
    Ok(builder.finish(false))
}

fn bad_escape(span: Span, escape: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SyntaxError,
        format!("unknown escape `{escape}` in a string"),
    )
    .primary(span, "not an escape msb knows")
}

/// `{1F600}` after `\u`: the char and the number of chars used.
fn unicode_escape(rest: &str) -> Option<(char, usize)> {
    let inner = rest.strip_prefix('{')?;
    let close = inner.find('}')?;
    let digits = &inner[..close];
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    let value = char::from_u32(u32::from_str_radix(digits, 16).ok()?)?;
    Some((value, close + 2))
}

/// Decodes a `"""` block: the lines between the quotes, with their common
/// indentation removed. No escapes; `${name}` still interpolates.
pub fn raw_block(raw: &str, span: Span) -> Result<Text, Diagnostic> {
    let body = &raw[3..raw.len() - 3];
    let body_offset = 3;
    // Lines with their offsets into `raw`.
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = body_offset;
    for line in body.split('\n') {
        lines.push((offset, line.strip_suffix('\r').unwrap_or(line)));
        offset += line.len() + 1;
    }
    if lines.first().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(_, l)| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut builder = Builder::new(span);
    for (index, (line_offset, line)) in lines.iter().enumerate() {
        if index > 0 {
            builder.literal.push('\n');
        }
        // The indent is counted in ASCII blanks, so it ends on a char boundary
        // unless the line is shorter: then the whole line is blank.
        let mut cut = indent.min(line.len());
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        let content = &line[cut..];
        let content_offset = line_offset + cut;
        let mut i = 0;
        while i < content.len() {
            let rest = &content[i..];
            if rest.starts_with("${") {
                i += builder.var(rest, content_offset + i)?;
            } else {
                let c = rest.chars().next().unwrap_or_default();
                builder.literal.push(c);
                i += c.len_utf8();
            }
        }
    }
    Ok(builder.finish(true))
}

/// A bare word (an unquoted path): taken as written, `${name}` interpolates.
pub fn word(raw: &str, span: Span) -> Result<Text, Diagnostic> {
    let mut builder = Builder::new(span);
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        if rest.starts_with("${") {
            i += builder.var(rest, i)?;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            builder.literal.push(c);
            i += c.len_utf8();
        }
    }
    Ok(builder.finish(false))
}

struct Builder {
    parts: Vec<TextPart>,
    literal: String,
    /// Where the literal's raw text starts (its opening quote, or the word's
    /// first byte): offsets handed to `var` count from here.
    raw_start: Span,
    /// The text's own span, quotes excluded.
    span: Span,
}

impl Builder {
    fn new(span: Span) -> Self {
        Builder {
            parts: Vec::new(),
            literal: String::new(),
            raw_start: span.sub(0, 0),
            span,
        }
    }

    /// `rest` starts with `${`, at `offset` bytes from the raw start.
    /// Returns the bytes consumed.
    fn var(&mut self, rest: &str, offset: usize) -> Result<usize, Diagnostic> {
        let base = self.raw_start;
        let Some(close) = rest.find('}') else {
            return Err(Diagnostic::new(Code::SyntaxError, "`${` is never closed")
                .primary(base.sub(offset, offset + 2), "interpolation starts here")
                .help("write a param as `${name}`, or `\\$` for a literal dollar sign"));
        };
        let name = &rest[2..close];
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(Diagnostic::new(
                Code::SyntaxError,
                format!("`${{{name}}}` does not name a param or variable"),
            )
            .primary(base.sub(offset, offset + close + 1), "not a name")
            .help("a name is letters, digits and `_`, not starting with a digit; write `\\$` for a literal dollar sign"));
        }
        if !self.literal.is_empty() {
            self.parts
                .push(TextPart::Literal(std::mem::take(&mut self.literal)));
        }
        self.parts.push(TextPart::Var(Ident {
            name: name.to_string(),
            span: base.sub(offset + 2, offset + close),
        }));
        Ok(close + 1)
    }

    fn finish(mut self, multiline: bool) -> Text {
        if !self.literal.is_empty() {
            self.parts.push(TextPart::Literal(self.literal));
        }
        Text {
            parts: self.parts,
            span: self.span,
            multiline,
        }
    }
}
