//! Rendering diagnostics: for people through miette, for tools as JSON.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;
use std::fmt;

/// How a person sees diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Columns to wrap at.
    pub width: usize,
}

impl Style {
    /// No colour, 80 columns: what the tests snapshot.
    pub const PLAIN: Style = Style {
        color: false,
        width: 80,
    };
}

/// One diagnostic, paired with its source, as miette wants it.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.diagnostic.labels.iter().map(|label| {
            let span = SourceSpan::new((label.span.start as usize).into(), label.span.len());
            if label.primary {
                LabeledSpan::new_primary_with_span(Some(label.message.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(label.message.clone()), span)
            }
        });
        Some(Box::new(labels))
    }
}

/// Lines longer than this are not quoted in a source excerpt.
const MAX_EXCERPT_LINE: usize = 2_000;
/// Nor is any part of a file larger than this.
const MAX_EXCERPT_FILE: usize = 4 * 1024 * 1024;

/// A diagnostic as a person reads it, source excerpt and all.
pub fn human(sources: &Sources, diagnostic: &Diagnostic, style: Style) -> String {
    let span = diagnostic.primary_span();
    let file = sources.get(span.file);
    // A source excerpt of a huge line (a minified or hostile file) would
    // flood the terminal, and miette copies the whole source: past these
    // sizes the place is named instead of quoted.
    let longest_line = diagnostic
        .labels
        .iter()
        .map(|l| file.line_len_at(l.span.start as usize))
        .max()
        .unwrap_or(0);
    if longest_line > MAX_EXCERPT_LINE || file.text.len() > MAX_EXCERPT_FILE {
        let (line, column) = file.line_col(span.start as usize);
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!(
            "{severity}[{}]: {}\n  --> {}:{line}:{column}\n",
            diagnostic.code, diagnostic.message, file.name
        );
        if let Some(help) = &diagnostic.help {
            out.push_str(&format!("  help: {help}\n"));
        }
        return out;
    }
    let report = Report {
        diagnostic,
        source: NamedSource::new(file.name.clone(), file.text.clone()),
    };
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    out
}

/// The closing line: how many errors and warnings.
pub fn summary(diagnostics: &[Diagnostic]) -> Option<String> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(format!("{} emitted", plural(w, "warning"))),
        (e, 0) => Some(format!("{} emitted", plural(e, "error"))),
        (e, w) => Some(format!(
            "{} and {} emitted",
            plural(e, "error"),
            plural(w, "warning")
        )),
    }
}

#[derive(Serialize)]
pub struct JsonLabel {
    pub message: String,
    pub primary: bool,
    pub offset: u32,
    pub length: u32,
    pub line: usize,
    pub column: usize,
}

/// The documented JSON shape of one diagnostic (see docs/cli.md).
#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub offset: u32,
    pub length: u32,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<String>,
    pub labels: Vec<JsonLabel>,
}

pub fn json(sources: &Sources, diagnostic: &Diagnostic) -> JsonDiagnostic {
    let span = diagnostic.primary_span();
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    JsonDiagnostic {
        code: diagnostic.code.as_str(),
        severity: diagnostic.severity,
        message: diagnostic.message.clone(),
        file: file.name.clone(),
        offset: span.start,
        length: span.end - span.start,
        line,
        column,
        end_line,
        end_column,
        help: diagnostic.help.clone(),
        labels: diagnostic
            .labels
            .iter()
            .map(|l| {
                let (line, column) = sources.get(l.span.file).line_col(l.span.start as usize);
                JsonLabel {
                    message: l.message.clone(),
                    primary: l.primary,
                    offset: l.span.start,
                    length: l.span.end - l.span.start,
                    line,
                    column,
                }
            })
            .collect(),
    }
}

/// Every diagnostic of a run as one JSON document.
pub fn json_document(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    #[derive(Serialize)]
    struct Document {
        diagnostics: Vec<JsonDiagnostic>,
        errors: usize,
        warnings: usize,
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let document = Document {
        diagnostics: diagnostics.iter().map(|d| json(sources, d)).collect(),
        errors,
        warnings: diagnostics.len() - errors,
    };
    serde_json::to_string_pretty(&document).expect("diagnostics always serialize") + "\n"
}
