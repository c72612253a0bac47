//! `msbc fmt`: one canonical layout for a program, comments kept.
//!
//! The syntax tree drops comments, so the formatter works from the source
//! text and uses the tree for structure only:
//!
//! - The parser validates the file (a file with syntax errors is refused)
//!   and gives each declaration, step, list element and value its span.
//! - A small lexer ([`lex_comments`]) finds every `#` and `##` comment,
//!   skipping strings, and notes whether it has a line of its own.
//! - The printer lays each statement out again from the spans: keywords
//!   and punctuation are written in their canonical spacing, and every
//!   leaf (names, strings, bare paths, numbers, options) is copied from the
//!   source as written, so escapes and quoting never change. Only white
//!   space moves, and `"""` blocks are re-indented with the relative
//!   indentation of their lines kept.
//! - Own-line comments are written before the next construct at its
//!   indentation; a trailing comment stays at the end of the line that ends
//!   where it followed.
//!
//! Every result is checked before it is returned: it must parse to a tree
//! equal to the original's (spans do not take part in equality) and hold
//! the same comments in the same order. A result that fails the check is
//! never returned ([`FormatError::Unsafe`]).
//!
//! The layout: two spaces per block level; one statement per line;
//! `key = value`, `name: type`, `exe(static)`; lists `[a, b]` and
//! `enum("a", "b")` on one line when they fit in [`MAX_WIDTH`] columns and
//! hold no comment, otherwise one element per line with a trailing comma;
//! one blank line around every stage and every multi-line declaration;
//! one-line declarations (images, params, secrets) written without a blank
//! line between them stay together, and the `=` of a run of images is
//! aligned; inside blocks, at most one blank line where the source had
//! some, none after `{` or before `}`; no blank line after a `##` doc
//! comment, which sits directly above what it documents; LF line endings,
//! no trailing white space, one line break at the end.

use crate::diagnostic::Diagnostic;
use crate::span::FileId;
use crate::syntax::{
    self,
    ast::{Command, CommandArg, ImageDecl, Item, ParamDecl, ParamType, Program, StageDecl, Step, StepKind},
};

/// Lists longer than this (with their line) are written one element per line.
pub const MAX_WIDTH: usize = 100;
const INDENT: usize = 2;

#[derive(Debug)]
pub enum FormatError {
    /// The file does not parse; nothing was formatted.
    Syntax(Vec<Diagnostic>),
    /// The formatter could not lay the file out without changing its
    /// meaning or its comments: a bug in msbc, never a problem of the file.
    Unsafe(String),
}

/// Formats one program. The result parses to the same tree and keeps every
/// comment; formatting it again changes nothing.
pub fn format(file: FileId, source: &str) -> std::result::Result<String, FormatError> {
    let program = syntax::parse(file, source).map_err(FormatError::Syntax)?;
    let comments = lex_comments(source);
    let mut printer = Printer {
        src: source,
        comments: &comments,
        next: 0,
        lines: Vec::new(),
        cur: None,
    };
    printer.program(&program)?;
    let output = render(printer.lines);
    verify(file, source, &program, &comments, &output)?;
    Ok(output)
}

/// The result must mean what the source meant and say what it said.
fn verify(
    file: FileId,
    source: &str,
    program: &Program,
    comments: &[Comment],
    output: &str,
) -> std::result::Result<(), FormatError> {
    match syntax::parse(file, output) {
        Ok(again) if &again == program => {}
        Ok(_) => {
            return Err(FormatError::Unsafe(
                "the formatted program would mean something else".into(),
            ))
        }
        Err(_) => {
            return Err(FormatError::Unsafe(
                "the formatted program would not parse".into(),
            ))
        }
    }
    let before: Vec<String> = comments.iter().map(|c| c.text(source)).collect();
    let after: Vec<String> = lex_comments(output).iter().map(|c| c.text(output)).collect();
    if before != after {
        return Err(FormatError::Unsafe("a comment would be lost or changed".into()));
    }
    Ok(())
}

// ---- comments ---------------------------------------------------------------

/// A `#` or `##` comment: from the `#` to the end of its line.
#[derive(Debug, Clone, Copy)]
pub struct Comment {
    pub start: usize,
    /// Exclusive; the line break is not part of the comment.
    pub end: usize,
    /// Only white space stands before it on its line.
    pub own_line: bool,
}

impl Comment {
    /// The comment as the formatter writes it: trailing white space removed,
    /// except that a `##` line with only blanks after it stays a doc line.
    pub fn text(&self, source: &str) -> String {
        let raw = &source[self.start..self.end];
        let trimmed = raw.trim_end();
        if trimmed == "##" && raw.len() > 2 {
            "## ".to_string()
        } else {
            trimmed.to_string()
        }
    }
}

/// Every comment of a source text, in order. Strings (`"..."` with their
/// escapes, and `"""` blocks) are skipped, so a `#` inside one is text.
pub fn lex_comments(src: &str) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let len = bytes.len();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < len {
        match bytes[i] {
            // Without a closing `"""`, the parser reads `""` (an empty
            // string) instead, and so does this lexer.
            b'"' if bytes[i..].starts_with(b"\"\"\"") && src[i + 3..].contains("\"\"\"") => {
                i += 3 + src[i + 3..].find("\"\"\"").unwrap_or(0) + 3;
            }
            b'"' => {
                i += 1;
                while i < len {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
            }
            b'#' => {
                let end = src[i..].find(['\n', '\r']).map_or(len, |j| i + j);
                let line_start = src[..i].rfind(['\n', '\r']).map_or(0, |j| j + 1);
                let own_line = bytes[line_start..i].iter().all(|b| matches!(b, b' ' | b'\t'));
                comments.push(Comment {
                    start: i,
                    end,
                    own_line,
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    comments
}

// ---- `"""` blocks -------------------------------------------------------------

/// The lines of a `"""` block as the parser reads them: first and last line
/// dropped when blank, the indentation common to the other lines removed
/// (the same rule as `syntax::text::raw_block`).
fn raw_block_lines(raw: &str) -> Vec<String> {
    let body = &raw[3..raw.len() - 3];
    let mut lines: Vec<&str> = body
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent.min(l.len())..).unwrap_or(l).to_string())
        .collect()
}

// ---- layout -------------------------------------------------------------------

/// A piece of a statement: text that stays on its line, or a `"""` block
/// laid out over several lines.
#[derive(Debug, Clone)]
enum Chunk {
    Text(String),
    Block(Vec<String>),
}

fn push_text(chunks: &mut Vec<Chunk>, text: &str) {
    if let Some(Chunk::Text(last)) = chunks.last_mut() {
        last.push_str(text);
    } else {
        chunks.push(Chunk::Text(text.to_string()));
    }
}

fn extend(chunks: &mut Vec<Chunk>, more: Vec<Chunk>) {
    for chunk in more {
        match chunk {
            Chunk::Text(t) => push_text(chunks, &t),
            block => chunks.push(block),
        }
    }
}

fn flat_text(chunks: &[Chunk]) -> Option<String> {
    let mut out = String::new();
    for chunk in chunks {
        match chunk {
            Chunk::Text(t) => out.push_str(t),
            Chunk::Block(_) => return None,
        }
    }
    Some(out)
}

/// Text after the last block (the part that shares a line with what follows).
fn last_line_width(chunks: &[Chunk]) -> usize {
    let start = chunks
        .iter()
        .rposition(|c| matches!(c, Chunk::Block(_)))
        .map_or(0, |i| i + 1);
    chunks[start..]
        .iter()
        .map(|c| match c {
            Chunk::Text(t) => t.chars().count(),
            Chunk::Block(_) => 0,
        })
        .sum::<usize>()
        + if start > 0 { 3 } else { 0 }
}

/// Text before the first block.
fn first_line_width(chunks: &[Chunk]) -> usize {
    let mut width = 0;
    for chunk in chunks {
        match chunk {
            Chunk::Text(t) => width += t.chars().count(),
            Chunk::Block(_) => return width + 3,
        }
    }
    width
}

/// A bracketed list inside a statement: `[...]` or `enum(...)`.
struct List {
    open: &'static str,
    close: &'static str,
    /// Just after the opening bracket, and at the closing one, in the source.
    open_end: usize,
    close_start: usize,
    elements: Vec<Element>,
}

struct Element {
    chunks: Vec<Chunk>,
    start: usize,
    end: usize,
}

/// One statement: the text before its list, the list, the text after it.
struct Stmt {
    head: Vec<Chunk>,
    list: Option<List>,
    tail: Vec<Chunk>,
    /// Where the statement ends in the source.
    end: usize,
}

impl Stmt {
    fn plain(head: Vec<Chunk>, end: usize) -> Self {
        Stmt {
            head,
            list: None,
            tail: Vec::new(),
            end,
        }
    }
}

#[derive(Debug, Default)]
struct Line {
    indent: usize,
    text: String,
    comment: Option<String>,
    blank_before: bool,
    /// For a one-line image: the length of its name, to align the `=`.
    align: Option<usize>,
}

struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    /// The first comment not yet written.
    next: usize,
    lines: Vec<Line>,
    cur: Option<Line>,
}

type Result<T> = std::result::Result<T, FormatError>;

impl Printer<'_> {
    // -- lines and comments --

    fn start_line(&mut self, indent: usize, blank_before: bool) {
        self.cur = Some(Line {
            indent,
            blank_before,
            ..Line::default()
        });
    }

    fn push(&mut self, text: &str) {
        if let Some(line) = &mut self.cur {
            line.text.push_str(text);
        }
    }

    fn put(&mut self, chunks: &[Chunk]) {
        for chunk in chunks {
            match chunk {
                Chunk::Text(t) => self.push(t),
                Chunk::Block(content) => {
                    let indent = self.cur.as_ref().map_or(0, |l| l.indent);
                    self.push("\"\"\"");
                    self.close_line(None);
                    // Every non-blank line gets the same prefix, so the
                    // parser removes exactly that prefix again. A block of
                    // blank lines only is dedented by nothing: keep it as is.
                    let prefix = " ".repeat(indent + INDENT);
                    let any_text = content.iter().any(|l| !l.trim().is_empty());
                    for line in content {
                        let text = if line.is_empty() || !any_text {
                            line.clone()
                        } else {
                            format!("{prefix}{line}")
                        };
                        self.lines.push(Line {
                            text,
                            ..Line::default()
                        });
                    }
                    self.start_line(indent, false);
                    self.push("\"\"\"");
                }
            }
        }
    }

    /// Ends the current line. `src_end` is where its content ends in the
    /// source: a comment that follows there on the same line (after blanks
    /// and commas only) stays at the end of this line.
    fn close_line(&mut self, src_end: Option<usize>) {
        let Some(mut line) = self.cur.take() else {
            return;
        };
        if let (Some(end), Some(c)) = (src_end, self.comments.get(self.next)) {
            if !c.own_line
                && c.start >= end
                && self.src[end..c.start]
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b','))
            {
                line.comment = Some(c.text(self.src));
                self.next += 1;
            }
        }
        self.lines.push(line);
    }

    /// Writes, on lines of their own, the comments that come before `before`.
    fn flush(&mut self, before: usize, indent: usize, first: &mut bool, keep_blanks: bool) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= before {
                break;
            }
            let blank_before = keep_blanks && !*first && !self.after_doc() && self.src_blank(c.start);
            self.lines.push(Line {
                indent,
                text: c.text(self.src),
                blank_before,
                ..Line::default()
            });
            *first = false;
            self.next += 1;
        }
    }

    /// Whether a comment not yet written starts in `start..end`.
    fn comments_between(&self, start: usize, end: usize) -> bool {
        let rest = &self.comments[self.next..];
        rest.get(rest.partition_point(|c| c.start < start))
            .is_some_and(|c| c.start < end)
    }

    /// Whether the last line written is a doc comment: no blank line follows one.
    fn after_doc(&self) -> bool {
        self.lines
            .last()
            .is_some_and(|l| l.comment.is_none() && is_doc(&l.text))
    }

    /// Whether the line before the one holding `pos` is blank.
    fn src_blank(&self, pos: usize) -> bool {
        let line_start = self.src[..pos].rfind('\n').map_or(0, |i| i + 1);
        if line_start == 0 {
            return false;
        }
        let prev_end = line_start - 1;
        let prev_start = self.src[..prev_end].rfind('\n').map_or(0, |i| i + 1);
        self.src[prev_start..prev_end]
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
    }

    // -- tokens --

    /// The source between `start` and `end`, its tokens joined by one space.
    /// Tokens are strings (kept as written; a `"""` block written over
    /// several lines becomes a block) and runs of other non-blank text.
    fn tokens(&self, start: usize, end: usize) -> Result<Vec<Chunk>> {
        let src = &self.src[..end];
        let bytes = src.as_bytes();
        let mut chunks = Vec::new();
        let mut i = start;
        let mut first = true;
        while i < end {
            if matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
                continue;
            }
            if !first {
                push_text(&mut chunks, " ");
            }
            first = false;
            let raw_close = bytes[i..]
                .starts_with(b"\"\"\"")
                .then(|| src[i + 3..].find("\"\"\"").map(|j| i + 3 + j + 3))
                .flatten();
            if let Some(close) = raw_close {
                let raw = &src[i..close];
                if raw.contains('\n') {
                    chunks.push(Chunk::Block(raw_block_lines(raw)));
                } else {
                    push_text(&mut chunks, raw);
                }
                i = close;
            } else if bytes[i] == b'"' {
                let mut j = i + 1;
                while j < end && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let close = (j + 1).min(end);
                push_text(&mut chunks, &src[i..close]);
                i = close;
            } else if bytes[i] == b'#' {
                return Err(FormatError::Unsafe("a comment inside a statement".into()));
            } else {
                let mut j = i;
                while j < end && !matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'#') {
                    j += 1;
                }
                push_text(&mut chunks, &src[i..j]);
                i = j;
            }
        }
        Ok(chunks)
    }

    /// Tokens after a fixed part: `" " + tokens`, or nothing.
    fn rest(&self, start: usize, end: usize) -> Result<Vec<Chunk>> {
        let mut chunks = Vec::new();
        let tokens = self.tokens(start, end)?;
        if !tokens.is_empty() {
            push_text(&mut chunks, " ");
            extend(&mut chunks, tokens);
        }
        Ok(chunks)
    }

    /// Where a statement's content ends. A rule that ends with an optional
    /// part (`copy_option*`, `k_required?`) has its span run over the blanks
    /// and the comment after it: they are cut off here.
    fn content_end(&self, start: usize, mut end: usize) -> usize {
        loop {
            while end > start && matches!(self.src.as_bytes()[end - 1], b' ' | b'\t') {
                end -= 1;
            }
            let at = self.comments.partition_point(|c| c.end < end);
            match self.comments.get(at) {
                Some(c) if c.end == end && c.start >= start => end = c.start,
                _ => return end,
            }
        }
    }

    fn text(&self, start: usize, end: usize) -> &str {
        &self.src[start..end]
    }

    // -- statements --

    /// Writes a statement at `indent`, its list on one line when it fits.
    fn stmt(&mut self, stmt: Stmt, indent: usize, blank_before: bool) {
        let Some(list) = &stmt.list else {
            self.start_line(indent, blank_before);
            self.put(&stmt.head);
            self.put(&stmt.tail);
            self.close_line(Some(stmt.end));
            return;
        };
        let flat_items: Option<Vec<String>> = list.elements.iter().map(|e| flat_text(&e.chunks)).collect();
        let flat = flat_items.and_then(|items| {
            let text = format!("{}{}{}", list.open, items.join(", "), list.close);
            let width =
                indent + last_line_width(&stmt.head) + text.chars().count() + first_line_width(&stmt.tail);
            let fits = width <= MAX_WIDTH || list.elements.is_empty();
            (fits && !self.comments_between(list.open_end, list.close_start)).then_some(text)
        });
        self.start_line(indent, blank_before);
        self.put(&stmt.head);
        match flat {
            Some(text) => self.push(&text),
            None => {
                self.push(list.open);
                self.close_line(Some(list.open_end));
                let inner = indent + INDENT;
                let mut first = true;
                for element in &list.elements {
                    self.flush(element.start, inner, &mut first, false);
                    self.start_line(inner, false);
                    self.put(&element.chunks);
                    self.push(",");
                    self.close_line(Some(element.end));
                }
                self.flush(list.close_start, inner, &mut first, false);
                self.start_line(indent, false);
                self.push(list.close);
            }
        }
        self.put(&stmt.tail);
        self.close_line(Some(stmt.end));
    }

    fn program(&mut self, program: &Program) -> Result<()> {
        // Whether the previous declaration took several lines; None at the start.
        let mut prev_multi: Option<bool> = None;
        for item in &program.items {
            let start = item_start(item);
            let first_comment = self.next;
            while self.comments.get(self.next).is_some_and(|c| c.start < start) {
                self.next += 1;
            }
            let pending: Vec<Comment> = self.comments[first_comment..self.next].to_vec();

            let before = std::mem::take(&mut self.lines);
            self.item(item)?;
            let mut item_lines = std::mem::replace(&mut self.lines, before);
            let multi = item_lines.len() > 1 || matches!(item, Item::Stage(_));

            // The elements before the item: its comments, then the item itself.
            // A doc comment sits directly above what it documents.
            let blanks: Vec<bool> = pending
                .iter()
                .map(|c| c.start)
                .chain(std::iter::once(start))
                .enumerate()
                .map(|(k, pos)| {
                    let after_doc = k > 0 && is_doc(&pending[k - 1].text(self.src));
                    !after_doc && self.src_blank(pos)
                })
                .collect();
            // The comments just above the item with no blank line between
            // belong to it, and a blank line above them sets it apart.
            let attached_from = blanks.iter().rposition(|&b| b).unwrap_or(0);
            // Nothing before the first line of the file; one blank line
            // after a multi-line declaration, and before one (with its
            // comments); elsewhere the blank lines of the source.
            let gap = |k: usize, lines_empty: bool| -> bool {
                if k == 0 && lines_empty {
                    return false;
                }
                (k == 0 && prev_multi == Some(true)) || (k == attached_from && multi) || blanks[k]
            };
            for (k, c) in pending.iter().enumerate() {
                let blank_before = gap(k, self.lines.is_empty());
                self.lines.push(Line {
                    text: c.text(self.src),
                    blank_before,
                    ..Line::default()
                });
            }
            if let Some(first) = item_lines.first_mut() {
                first.blank_before = gap(pending.len(), self.lines.is_empty());
            }
            if let (Item::Image(image), [line]) = (item, item_lines.as_mut_slice()) {
                line.align = Some(image.name.name.len());
            }
            self.lines.append(&mut item_lines);
            prev_multi = Some(multi);
        }
        // Comments after the last declaration.
        let mut k = 0;
        while let Some(c) = self.comments.get(self.next).copied() {
            let blank_before = if k == 0 && self.lines.is_empty() {
                false
            } else if k == 0 && prev_multi == Some(true) {
                true
            } else {
                !self.after_doc() && self.src_blank(c.start)
            };
            self.lines.push(Line {
                text: c.text(self.src),
                blank_before,
                ..Line::default()
            });
            self.next += 1;
            k += 1;
        }
        Ok(())
    }

    fn item(&mut self, item: &Item) -> Result<()> {
        match item {
            Item::Image(image) => self.image(image),
            Item::Param(param) => self.param(param),
            Item::Secret(secret) => {
                let start = secret.span.start as usize;
                let end = self.content_end(start, secret.span.end as usize);
                let head = self.tokens(start, end)?;
                self.stmt(Stmt::plain(head, end), 0, false);
                Ok(())
            }
            Item::Stage(stage) => self.stage(stage),
        }
    }

    fn image(&mut self, image: &ImageDecl) -> Result<()> {
        let span =
            image.span.start as usize..self.content_end(image.span.start as usize, image.span.end as usize);
        let reference = image.reference.span.range();
        let mut head = vec![Chunk::Text(format!("image {} = ", image.name.name))];
        extend(&mut head, self.tokens(reference.start, reference.end)?);
        // A capability block, when the source has one.
        let after = &self.src[reference.end..span.end];
        let open = after
            .find(|c: char| !matches!(c, ' ' | '\t'))
            .filter(|&i| after[i..].starts_with('{'))
            .map(|i| reference.end + i);
        let Some(open) = open else {
            self.stmt(Stmt::plain(head, span.end), 0, false);
            return Ok(());
        };
        let close = span.end - 1;
        if image.capabilities.is_empty() && !self.comments_between(open, close) {
            push_text(&mut head, " {}");
            self.stmt(Stmt::plain(head, span.end), 0, false);
            return Ok(());
        }
        push_text(&mut head, " {");
        self.start_line(0, false);
        self.put(&head);
        self.close_line(Some(open + 1));
        let mut first = true;
        for capability in &image.capabilities {
            let cap = capability_span(capability).range();
            self.flush(cap.start, INDENT, &mut first, true);
            let blank = !first && !self.after_doc() && self.src_blank(cap.start);
            first = false;
            let chunks = self.tokens(cap.start, cap.end)?;
            self.stmt(Stmt::plain(chunks, cap.end), INDENT, blank);
        }
        self.flush(close, INDENT, &mut first, true);
        self.start_line(0, false);
        self.push("}");
        self.close_line(Some(span.end));
        Ok(())
    }

    fn param(&mut self, param: &ParamDecl) -> Result<()> {
        let span =
            param.span.start as usize..self.content_end(param.span.start as usize, param.span.end as usize);
        let head = vec![Chunk::Text(format!("param {}: ", param.name.name))];
        let mut tail = Vec::new();
        if let Some(default) = &param.default {
            let value = default.span().range();
            push_text(&mut tail, " = ");
            extend(&mut tail, self.tokens(value.start, value.end)?);
        }
        if param.required.is_some() {
            push_text(&mut tail, " required");
        }
        let ty = param.ty_span.range();
        let list = match &param.ty {
            ParamType::Enum(choices) => {
                let open = ty.start + self.text(ty.start, ty.end).find('(').unwrap_or(0);
                let elements = choices
                    .iter()
                    .map(|choice| {
                        let r = choice.span.range();
                        Ok(Element {
                            chunks: self.tokens(r.start, r.end)?,
                            start: r.start,
                            end: r.end,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Some(List {
                    open: "enum(",
                    close: ")",
                    open_end: open + 1,
                    close_start: ty.end - 1,
                    elements,
                })
            }
            ParamType::String | ParamType::Bool | ParamType::Int => None,
        };
        let mut head = head;
        if list.is_none() {
            push_text(&mut head, self.text(ty.start, ty.end));
        }
        self.stmt(
            Stmt {
                head,
                list,
                tail,
                end: span.end,
            },
            0,
            false,
        );
        Ok(())
    }

    fn stage(&mut self, stage: &StageDecl) -> Result<()> {
        let span = stage.span.range();
        let header = self.tokens(span.start, stage.header_span.end as usize)?;
        let after = stage.header_span.end as usize;
        let open = after + self.text(after, span.end).find('{').unwrap_or(0);
        let close = span.end - 1;
        if stage.steps.is_empty() && !self.comments_between(open, close) {
            let mut head = header;
            push_text(&mut head, " {}");
            self.stmt(Stmt::plain(head, span.end), 0, false);
            return Ok(());
        }
        self.start_line(0, false);
        self.put(&header);
        self.push(" {");
        self.close_line(Some(open + 1));
        let mut first = true;
        for step in &stage.steps {
            let start = step.span.start as usize;
            self.flush(start, INDENT, &mut first, true);
            let blank = !first && !self.after_doc() && self.src_blank(start);
            first = false;
            if let StepKind::Toolchain { options, .. } = &step.kind {
                self.toolchain(step, options, blank)?;
                continue;
            }
            let stmt = self.step(step)?;
            self.stmt(stmt, INDENT, blank);
        }
        self.flush(close, INDENT, &mut first, true);
        self.start_line(0, false);
        self.push("}");
        self.close_line(Some(span.end));
        Ok(())
    }

    /// `toolchain NAME { ... }`: the header, then one option a line, like
    /// an image's capability block.
    fn toolchain(
        &mut self,
        step: &Step,
        options: &[crate::syntax::ast::ToolchainOption],
        blank: bool,
    ) -> Result<()> {
        let start = step.span.start as usize;
        let end = self.content_end(start, step.span.end as usize);
        let open = self.text(start, end).find('{').map(|i| start + i);
        let Some(open) = open else {
            let head = self.tokens(start, end)?;
            self.stmt(Stmt::plain(head, end), INDENT, blank);
            return Ok(());
        };
        let mut head = self.tokens(start, open)?;
        let close = end - 1;
        if options.is_empty() && !self.comments_between(open, close) {
            push_text(&mut head, " {}");
            self.stmt(Stmt::plain(head, end), INDENT, blank);
            return Ok(());
        }
        push_text(&mut head, " {");
        self.start_line(INDENT, blank);
        self.put(&head);
        self.close_line(Some(open + 1));
        let mut first = true;
        for option in options {
            let range = option.span.range();
            self.flush(range.start, 2 * INDENT, &mut first, true);
            let option_blank = !first && !self.after_doc() && self.src_blank(range.start);
            first = false;
            let chunks = self.tokens(range.start, range.end)?;
            self.stmt(Stmt::plain(chunks, range.end), 2 * INDENT, option_blank);
        }
        self.flush(close, 2 * INDENT, &mut first, true);
        self.start_line(INDENT, false);
        self.push("}");
        self.close_line(Some(end));
        Ok(())
    }

    fn step(&self, step: &Step) -> Result<Stmt> {
        let span =
            step.span.start as usize..self.content_end(step.span.start as usize, step.span.end as usize);
        let keyword = step.kind.keyword();
        Ok(match &step.kind {
            StepKind::Env { key, value } => {
                let mut head = vec![Chunk::Text(format!("env {} = ", key.name))];
                extend(&mut head, self.tokens(value.span().start as usize, span.end)?);
                Stmt::plain(head, span.end)
            }
            StepKind::Label { key, value } => {
                let mut head = vec![Chunk::Text("label ".into())];
                extend(
                    &mut head,
                    self.tokens(key.span.start as usize, key.span.end as usize)?,
                );
                push_text(&mut head, " = ");
                extend(&mut head, self.tokens(value.span().start as usize, span.end)?);
                Stmt::plain(head, span.end)
            }
            StepKind::Produce { name, kind, path, .. } => {
                let mut head = vec![Chunk::Text(format!("produce {}: {kind} = ", name.name))];
                extend(&mut head, self.tokens(path.span.start as usize, span.end)?);
                Stmt::plain(head, span.end)
            }
            StepKind::Entrypoint(command)
            | StepKind::Cmd(command)
            | StepKind::Healthcheck { command, .. } => {
                let mut stmt = self.command(command, keyword)?;
                stmt.tail = self.rest(command.span().end as usize, span.end)?;
                stmt.end = span.end;
                stmt
            }
            StepKind::Workdir(_)
            | StepKind::Toolchain { .. }
            | StepKind::Comment(_)
            | StepKind::CopyContext { .. }
            | StepKind::CopyArtifact { .. }
            | StepKind::Run { .. }
            | StepKind::Install { .. }
            | StepKind::User(..)
            | StepKind::Expose { .. } => Stmt::plain(self.tokens(span.start, span.end)?, span.end),
        })
    }

    /// `keyword COMMAND`: a list, a string, or a lone artifact.
    fn command(&self, command: &Command, keyword: &str) -> Result<Stmt> {
        let span = command.span().range();
        let mut head = vec![Chunk::Text(format!("{keyword} "))];
        let list = match command {
            Command::Exec(args, _) if self.src.as_bytes().get(span.start) == Some(&b'[') => {
                let elements = args
                    .iter()
                    .map(|arg| {
                        let r = match arg {
                            CommandArg::Text(t) => t.span.range(),
                            CommandArg::Artifact(a) => a.span.range(),
                        };
                        Ok(Element {
                            chunks: self.tokens(r.start, r.end)?,
                            start: r.start,
                            end: r.end,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Some(List {
                    open: "[",
                    close: "]",
                    open_end: span.start + 1,
                    close_start: span.end - 1,
                    elements,
                })
            }
            Command::Exec(..) | Command::Shell(_) => {
                extend(&mut head, self.tokens(span.start, span.end)?);
                None
            }
        };
        Ok(Stmt {
            head,
            list,
            tail: Vec::new(),
            end: span.end,
        })
    }
}

/// A `##` line with text after it documents the next declaration or step.
fn is_doc(comment: &str) -> bool {
    comment.starts_with("##") && comment.len() > 2
}

fn item_start(item: &Item) -> usize {
    let span = match item {
        Item::Image(d) => d.span,
        Item::Param(d) => d.span,
        Item::Secret(d) => d.span,
        Item::Stage(d) => d.span,
    };
    span.start as usize
}

fn capability_span(capability: &crate::syntax::ast::Capability) -> crate::span::Span {
    use crate::syntax::ast::Capability;
    match capability {
        Capability::Libc(_, s)
        | Capability::Shell(_, s)
        | Capability::Passwd(_, s)
        | Capability::User(_, s)
        | Capability::Packages(_, s) => *s,
    }
}

/// The lines as text: images in a run aligned on `=`, blank lines, comments.
fn render(mut lines: Vec<Line>) -> String {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].align.is_none() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && lines[j].align.is_some() && !lines[j].blank_before {
            j += 1;
        }
        let width = lines[i..j].iter().filter_map(|l| l.align).max().unwrap_or(0);
        for line in &mut lines[i..j] {
            let name_len = line.align.unwrap_or(width);
            let at = "image ".len() + name_len;
            if at <= line.text.len() && width > name_len {
                line.text.insert_str(at, &" ".repeat(width - name_len));
            }
        }
        i = j;
    }
    let mut out = String::new();
    for line in &lines {
        if line.blank_before && !out.is_empty() {
            out.push('\n');
        }
        if !line.text.is_empty() || line.comment.is_some() {
            out.push_str(&" ".repeat(line.indent));
        }
        out.push_str(&line.text);
        if let Some(comment) = &line.comment {
            if !line.text.is_empty() {
                out.push(' ');
            }
            out.push_str(comment);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(source: &str) -> String {
        match format(FileId(0), source) {
            Ok(out) => out,
            Err(FormatError::Syntax(d)) => panic!("syntax error: {d:?}"),
            Err(FormatError::Unsafe(why)) => panic!("unsafe: {why}"),
        }
    }

    #[test]
    fn comments_are_found_outside_strings() {
        let src = "run \"a # b\" # c\n  # d\nrun \"\"\"\n# e\n\"\"\"\n";
        let texts: Vec<String> = lex_comments(src).iter().map(|c| c.text(src)).collect();
        assert_eq!(texts, ["# c", "# d"]);
        assert!(!lex_comments(src)[0].own_line);
        assert!(lex_comments(src)[1].own_line);
    }

    #[test]
    fn spacing_is_canonical() {
        let src = "param   x:string=\"1\"\nruntime   app   from \"scratch\"{\n\tenv K=\"v\"\n  produce a:exe( static )=/a\n\n\n  label k=\"v\"\n  cmd [ a ,\"b\", ]\n}\n";
        assert_eq!(
            fmt(src),
            "param x: string = \"1\"\n\nruntime app from \"scratch\" {\n  env K = \"v\"\n  produce a: exe(static) = /a\n\n  label k = \"v\"\n  cmd [a, \"b\"]\n}\n"
        );
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
        assert_eq!(fmt("# a\n\n\n# b"), "# a\n\n# b\n");
    }

    #[test]
    fn blocks_keep_relative_indentation() {
        let src = "runtime a from \"x\" {\n  run \"\"\"\n        if x; then\n          y\n        fi\n\"\"\"\n  cmd \"\"\"echo\"\"\"\n}\n";
        assert_eq!(
            fmt(src),
            "runtime a from \"x\" {\n  run \"\"\"\n    if x; then\n      y\n    fi\n  \"\"\"\n  cmd \"\"\"echo\"\"\"\n}\n"
        );
    }

    #[test]
    fn whitespace_only_doc_line_stays_a_doc_line() {
        let src = "##   \nimage a = \"x\"\n";
        assert_eq!(fmt(src), "## \nimage a = \"x\"\n");
    }
}
