//! The main loop: messages in, responses and diagnostics out.
//!
//! One thread owns every open document. A change only marks its document
//! dirty; diagnostics are published [`DEBOUNCE`] after the first change of a
//! burst, for the latest text only, so that a burst of keystrokes is
//! analysed once. A request analyses its document on demand, so that it
//! never answers from stale text. Every request gets a response: unknown
//! methods and bad parameters get JSON-RPC errors, and a handler that
//! panicked (a bug) gets an internal error while the server keeps running.

use super::analysis::{Analysis, SymbolKind};
use super::{completion, hover, outline};
use crate::config::Config;
use crate::diagnostic::{Code, Severity};
use crate::driver::Options;
use crate::format::{self, FormatError};
use crate::span::{FileId, Span};
use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeDescription, CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams,
    CompletionTextEdit, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability, Location,
    MarkupContent, MarkupKind, MessageType, NumberOrString, OneOf, Position, PositionEncodingKind,
    PrepareRenameResponse, PublishDiagnosticsParams, Range, ReferenceParams, RenameOptions, RenameParams,
    SemanticTokens, SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensParams,
    SemanticTokensResult, SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextEdit, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long after the first change of a burst diagnostics are published.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// Reads the settings (`msbc.toml`) that apply to the program at a path.
/// `main.rs` supplies it, so that the library does no IO.
pub type ConfigLoader<'a> = &'a dyn Fn(&Path) -> Result<Config, String>;

/// A page with what `msbc explain CODE` prints, as a URI an editor can
/// open from a diagnostic's code (its `codeDescription`); `None` when there
/// is none. `main.rs` supplies it, writing the pages to a cache folder.
pub type ExplainPage<'a> = &'a dyn Fn(Code) -> Option<String>;

/// Serves one client until it sends `exit` or goes away. Returns whether
/// `shutdown` came first, as the exit status must say.
pub fn run(connection: &Connection, load_config: ConfigLoader<'_>, explain_page: ExplainPage<'_>) -> bool {
    let mut server = Server {
        connection,
        load_config,
        explain_page,
        explain_pages: HashMap::new(),
        documents: HashMap::new(),
        dirty: BTreeSet::new(),
        publish_at: None,
        shut_down: false,
    };
    if !server.initialize() {
        return false;
    }
    server.main_loop();
    server.shut_down
}

struct Document {
    version: i32,
    text: String,
    /// The file name diagnostics use.
    name: String,
    options: Options,
    /// For the current text, made when something needs it.
    analysis: Option<Analysis>,
}

struct Server<'a> {
    connection: &'a Connection,
    load_config: ConfigLoader<'a>,
    explain_page: ExplainPage<'a>,
    /// Each code's page, asked for once.
    explain_pages: HashMap<Code, Option<Uri>>,
    documents: HashMap<Uri, Document>,
    /// Documents whose diagnostics are not published yet.
    dirty: BTreeSet<Uri>,
    publish_at: Option<Instant>,
    shut_down: bool,
}

/// A JSON-RPC error: its code and message.
type Failure = (ErrorCode, String);

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into(), "{".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: outline::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        ..ServerCapabilities::default()
    }
}

impl Server<'_> {
    fn send(&self, message: impl Into<Message>) {
        // The client has gone away: the loop ends when the receiver says so.
        let _ = self.connection.sender.send(message.into());
    }

    fn notify(&self, method: &str, params: impl Serialize) {
        self.send(Notification::new(method.to_string(), params));
    }

    /// Answers `initialize`; before it, requests get an error and
    /// notifications other than `exit` are dropped.
    fn initialize(&mut self) -> bool {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(req) if req.method == "initialize" => {
                    let result = lsp_types::InitializeResult {
                        capabilities: capabilities(),
                        server_info: Some(ServerInfo {
                            name: "msbc".to_string(),
                            version: Some(env!("CARGO_PKG_VERSION").to_string()),
                        }),
                    };
                    self.send(Response::new_ok(req.id, result));
                    return true;
                }
                Message::Request(req) => self.send(Response::new_err(
                    req.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".to_string(),
                )),
                Message::Notification(n) if n.method == "exit" => return false,
                _ => {}
            }
        }
        false
    }

    fn main_loop(&mut self) {
        loop {
            let message = match self.publish_at {
                // Past the deadline, publish even while changes keep coming.
                Some(deadline) if Instant::now() >= deadline => {
                    self.publish_dirty();
                    continue;
                }
                Some(deadline) => match self.connection.receiver.recv_deadline(deadline) {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Timeout) => {
                        self.publish_dirty();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return,
                },
            };
            match message {
                Message::Request(req) => {
                    let id = req.id.clone();
                    let response = match catch_unwind(AssertUnwindSafe(|| self.request(req))) {
                        Ok(response) => response,
                        Err(_) => Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "msbc lsp failed on this request; this is a bug in msbc, please report it with the file"
                                .to_string(),
                        ),
                    };
                    self.send(response);
                }
                Message::Notification(n) if n.method == "exit" => return,
                Message::Notification(n) => {
                    let method = n.method.clone();
                    if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                        self.notify(
                            "window/logMessage",
                            ShowMessageParams {
                                typ: MessageType::ERROR,
                                message: format!("msbc lsp failed on {method}; this is a bug in msbc"),
                            },
                        );
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = if self.shut_down {
            Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_string(),
            ))
        } else {
            match req.method.as_str() {
                "shutdown" => {
                    self.shut_down = true;
                    Ok(serde_json::Value::Null)
                }
                "initialize" => Err((
                    ErrorCode::InvalidRequest,
                    "the server is already initialized".to_string(),
                )),
                "textDocument/hover" => self.call(req, Self::hover),
                "textDocument/definition" => self.call(req, Self::definition),
                "textDocument/references" => self.call(req, Self::references),
                "textDocument/prepareRename" => self.call(req, Self::prepare_rename),
                "textDocument/rename" => self.call(req, Self::rename),
                "textDocument/completion" => self.call(req, Self::completion),
                "textDocument/formatting" => self.call(req, Self::formatting),
                "textDocument/documentSymbol" => self.call(req, Self::document_symbols),
                "textDocument/semanticTokens/full" => self.call(req, Self::semantic_tokens),
                method => Err((
                    ErrorCode::MethodNotFound,
                    format!("msbc lsp does not handle `{method}`"),
                )),
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn call<P: DeserializeOwned, R: Serialize>(
        &mut self,
        req: Request,
        handler: fn(&mut Self, P) -> Result<R, Failure>,
    ) -> Result<serde_json::Value, Failure> {
        let params = serde_json::from_value(req.params).map_err(|e| {
            (
                ErrorCode::InvalidParams,
                format!("bad parameters for `{}`: {e}", req.method),
            )
        })?;
        let result = handler(self, params)?;
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    // ---- documents ------------------------------------------------------------

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    self.open(p.text_document.uri, p.text_document.version, p.text_document.text);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    self.change(p);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    self.documents.remove(&p.text_document.uri);
                    self.dirty.remove(&p.text_document.uri);
                    self.notify(
                        "textDocument/publishDiagnostics",
                        PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None),
                    );
                }
            }
            // `initialized`, `$/cancelRequest` (every request is answered at
            // once), `didSave` and the rest need nothing.
            _ => {}
        }
    }

    fn open(&mut self, uri: Uri, version: i32, text: String) {
        let path = file_path(&uri);
        let name = path
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| uri.as_str().rsplit('/').next().unwrap_or("untitled").to_string());
        let config = match &path {
            Some(path) => (self.load_config)(path).unwrap_or_else(|e| {
                self.notify(
                    "window/showMessage",
                    ShowMessageParams {
                        typ: MessageType::WARNING,
                        message: format!("msbc: {e}; checking {name} with the default settings"),
                    },
                );
                Config::default()
            }),
            None => Config::default(),
        };
        let options = Options {
            config,
            ..Options::default()
        };
        self.documents.insert(
            uri.clone(),
            Document {
                version,
                text,
                name,
                options,
                analysis: None,
            },
        );
        self.mark_dirty(uri);
    }

    fn change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let Some(doc) = self.documents.get_mut(&uri) else {
            return;
        };
        for change in p.content_changes {
            match change.range {
                Some(range) => {
                    let index = super::convert::LineIndex::new(&doc.text);
                    let bytes = index.byte_range(&doc.text, range);
                    doc.text.replace_range(bytes, &change.text);
                }
                None => doc.text = change.text,
            }
        }
        doc.version = p.text_document.version;
        doc.analysis = None;
        self.mark_dirty(uri);
    }

    fn mark_dirty(&mut self, uri: Uri) {
        self.dirty.insert(uri);
        self.publish_at.get_or_insert_with(|| Instant::now() + DEBOUNCE);
    }

    fn publish_dirty(&mut self) {
        self.publish_at = None;
        for uri in std::mem::take(&mut self.dirty) {
            let Some(doc) = self.documents.get_mut(&uri) else {
                continue;
            };
            let version = doc.version;
            let analysis = analysis_of(doc);
            let explain_page = self.explain_page;
            let diagnostics = analysis
                .diagnostics
                .iter()
                .map(|d| {
                    let page = self
                        .explain_pages
                        .entry(d.code)
                        .or_insert_with(|| explain_page(d.code).and_then(|u| u.parse().ok()))
                        .clone();
                    to_lsp_diagnostic(analysis, &uri, d, page)
                })
                .collect();
            self.notify(
                "textDocument/publishDiagnostics",
                PublishDiagnosticsParams::new(uri, diagnostics, Some(version)),
            );
        }
    }

    /// The analysis of an open document, made now if the text changed.
    fn analysis(&mut self, uri: &Uri) -> Result<&Analysis, Failure> {
        let doc = self
            .documents
            .get_mut(uri)
            .ok_or_else(|| (ErrorCode::RequestFailed, format!("{} is not open", uri.as_str())))?;
        Ok(analysis_of(doc))
    }

    fn at(&mut self, p: &TextDocumentPositionParams) -> Result<(&Analysis, usize), Failure> {
        let analysis = self.analysis(&p.text_document.uri)?;
        let offset = analysis.index.offset(analysis.text(), p.position);
        Ok((analysis, offset))
    }

    // ---- requests -------------------------------------------------------------

    fn hover(&mut self, p: HoverParams) -> Result<Option<Hover>, Failure> {
        let (analysis, offset) = self.at(&p.text_document_position_params)?;
        let mut found = hover::hover(analysis, offset);
        // A diagnostic here: what `msbc explain` says of its code.
        let codes: BTreeSet<Code> = analysis
            .diagnostics
            .iter()
            .filter(|d| {
                let s = d.primary_span();
                s.start as usize <= offset && offset <= s.end as usize
            })
            .map(|d| d.code)
            .collect();
        for code in codes {
            let (span, text) = found.get_or_insert_with(|| (Span::default(), String::new()));
            if span.is_empty() && text.is_empty() {
                *span = analysis
                    .diagnostics
                    .iter()
                    .find(|d| d.code == code)
                    .map(|d| d.primary_span())
                    .unwrap_or_default();
            } else {
                text.push_str("\n\n---\n\n");
            }
            text.push_str(&explain_summary(code));
        }
        Ok(found.map(|(span, text)| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(analysis.index.range(analysis.text(), span)),
        }))
    }

    fn definition(&mut self, p: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>, Failure> {
        let uri = p.text_document_position_params.text_document.uri.clone();
        let (analysis, offset) = self.at(&p.text_document_position_params)?;
        Ok(analysis.symbol_at(offset).map(|(_, symbol)| {
            let span = analysis.symbols[symbol].span;
            GotoDefinitionResponse::Scalar(Location::new(uri, analysis.index.range(analysis.text(), span)))
        }))
    }

    fn references(&mut self, p: ReferenceParams) -> Result<Option<Vec<Location>>, Failure> {
        let uri = p.text_document_position.text_document.uri.clone();
        let include_declaration = p.context.include_declaration;
        let (analysis, offset) = self.at(&p.text_document_position)?;
        let Some((_, symbol)) = analysis.symbol_at(offset) else {
            return Ok(None);
        };
        let declaration = analysis.symbols[symbol].span;
        Ok(Some(
            analysis
                .references(symbol)
                .filter(|span| include_declaration || span.start != declaration.start)
                .map(|span| Location::new(uri.clone(), analysis.index.range(analysis.text(), span)))
                .collect(),
        ))
    }

    fn prepare_rename(
        &mut self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>, Failure> {
        let (analysis, offset) = self.at(&p)?;
        Ok(analysis
            .symbol_at(offset)
            .map(|(span, symbol)| PrepareRenameResponse::RangeWithPlaceholder {
                range: analysis.index.range(analysis.text(), span),
                placeholder: analysis.symbols[symbol].name.clone(),
            }))
    }

    fn rename(&mut self, p: RenameParams) -> Result<Option<WorkspaceEdit>, Failure> {
        let uri = p.text_document_position.text_document.uri.clone();
        let (analysis, offset) = self.at(&p.text_document_position)?;
        let Some((_, symbol)) = analysis.symbol_at(offset) else {
            return Ok(None);
        };
        let spans: Vec<Span> = analysis.references(symbol).collect();
        check_new_name(analysis, symbol, &p.new_name, &spans)
            .map_err(|why| (ErrorCode::RequestFailed, why))?;
        let edits = spans
            .iter()
            .map(|&span| TextEdit::new(analysis.index.range(analysis.text(), span), p.new_name.clone()))
            .collect();
        Ok(Some(WorkspaceEdit::new(HashMap::from([(uri, edits)]))))
    }

    fn completion(&mut self, p: CompletionParams) -> Result<Option<Vec<CompletionItem>>, Failure> {
        let (analysis, offset) = self.at(&p.text_document_position)?;
        let text = analysis.text();
        let items = completion::complete(analysis, offset)
            .into_iter()
            .map(|c| {
                let start = offset.saturating_sub(c.replace);
                let range = Range::new(
                    analysis.index.position(text, start),
                    analysis.index.position(text, offset),
                );
                CompletionItem {
                    kind: Some(match c.kind {
                        completion::Kind::Keyword => CompletionItemKind::KEYWORD,
                        completion::Kind::Stage => CompletionItemKind::CLASS,
                        completion::Kind::Artifact => CompletionItemKind::FIELD,
                        completion::Kind::Image => CompletionItemKind::MODULE,
                        completion::Kind::Param => CompletionItemKind::VARIABLE,
                        completion::Kind::Secret => CompletionItemKind::CONSTANT,
                        completion::Kind::Value => CompletionItemKind::VALUE,
                    }),
                    detail: c.detail,
                    documentation: c.documentation.map(|value| {
                        lsp_types::Documentation::MarkupContent(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value,
                        })
                    }),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, c.label.clone()))),
                    label: c.label,
                    ..CompletionItem::default()
                }
            })
            .collect();
        Ok(Some(items))
    }

    fn formatting(&mut self, p: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>, Failure> {
        let analysis = self.analysis(&p.text_document.uri)?;
        let text = analysis.text();
        match format::format(FileId(0), text) {
            Ok(formatted) if formatted == text => Ok(Some(Vec::new())),
            Ok(formatted) => {
                let whole = Range::new(Position::new(0, 0), analysis.index.position(text, text.len()));
                Ok(Some(vec![TextEdit::new(whole, formatted)]))
            }
            // The diagnostics already say why: nothing to format.
            Err(FormatError::Syntax(_)) => Ok(None),
            Err(FormatError::Unsafe(why)) => Err((
                ErrorCode::RequestFailed,
                format!(
                    "msbc fmt cannot format this file without changing it ({why}); this is a bug in msbc"
                ),
            )),
        }
    }

    fn document_symbols(
        &mut self,
        p: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>, Failure> {
        let analysis = self.analysis(&p.text_document.uri)?;
        Ok(Some(DocumentSymbolResponse::Nested(outline::document_symbols(
            analysis,
        ))))
    }

    fn semantic_tokens(&mut self, p: SemanticTokensParams) -> Result<Option<SemanticTokensResult>, Failure> {
        let analysis = self.analysis(&p.text_document.uri)?;
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data: outline::semantic_tokens(analysis),
        })))
    }
}

fn analysis_of(doc: &mut Document) -> &Analysis {
    doc.analysis
        .get_or_insert_with(|| Analysis::new(&doc.name, doc.text.clone(), &doc.options))
}

/// Why `new_name` cannot replace the name of `symbol`, if it cannot.
fn check_new_name(analysis: &Analysis, symbol: usize, new_name: &str, spans: &[Span]) -> Result<(), String> {
    let s = &analysis.symbols[symbol];
    let mut chars = new_name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let dash = if s.kind == SymbolKind::Param { "" } else { ", `-`" };
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (c == '-' && !dash.is_empty()));
    if !starts_well || !rest_ok {
        return Err(format!(
            "`{new_name}` is not a {} name: letters, digits, `_`{dash}, not starting with a digit",
            s.kind.as_str()
        ));
    }
    if s.kind == SymbolKind::Stage && new_name.to_ascii_lowercase() != new_name {
        return Err(format!(
            "stage names are lowercase (E0405): `{}`",
            new_name.to_ascii_lowercase()
        ));
    }
    let taken = analysis.symbols.iter().find(|other| {
        other.name == new_name
            && if s.kind == SymbolKind::Artifact {
                other.kind == SymbolKind::Artifact && other.parent == s.parent
            } else {
                other.kind != SymbolKind::Artifact
            }
    });
    if let Some(other) = taken {
        return Err(format!(
            "`{new_name}` already names {} {}",
            if other.kind == SymbolKind::Image {
                "an"
            } else {
                "a"
            },
            other.kind.as_str()
        ));
    }
    // A keyword in a name's place would break the program: refuse a name
    // after which the file no longer parses.
    let text = analysis.text();
    let mut renamed = String::with_capacity(text.len());
    let mut last = 0;
    for span in spans {
        if (span.start as usize) < last {
            continue;
        }
        renamed.push_str(&text[last..span.start as usize]);
        renamed.push_str(new_name);
        last = span.end as usize;
    }
    renamed.push_str(&text[last..]);
    if crate::syntax::parse(FileId(0), text).is_ok() && crate::syntax::parse(FileId(0), &renamed).is_err() {
        return Err(format!(
            "`{new_name}` cannot be a name here: the program would no longer parse"
        ));
    }
    Ok(())
}

fn to_lsp_diagnostic(
    analysis: &Analysis,
    uri: &Uri,
    d: &crate::diagnostic::Diagnostic,
    explain_page: Option<Uri>,
) -> lsp_types::Diagnostic {
    let text = analysis.text();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), analysis.index.range(text, l.span)),
            message: l.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: analysis.index.range(text, d.primary_span()),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: explain_page.map(|href| CodeDescription { href }),
        source: Some("msbc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: matches!(d.code, Code::UnusedArtifact | Code::UnreachableStage)
            .then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: Some(serde_json::json!({
            "explain": crate::explain::explain(d.code),
            "command": format!("msbc explain {}", d.code),
        })),
    }
}

/// The title and first paragraph of a code's explanation, for a hover.
fn explain_summary(code: Code) -> String {
    let text = crate::explain::explain(code);
    let mut paragraphs = text.split("\n\n");
    let title = paragraphs.next().unwrap_or_default().trim();
    let first = paragraphs.next().unwrap_or_default().trim();
    format!("**{title}**\n\n{first}\n\n`msbc explain {code}` says more.")
}

/// The path of a `file:` URI, percent-decoded.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path`: only a local (empty or localhost) host is a path here.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let path = String::from_utf8(out).ok()?;
    // `file:///C:/x` on Windows.
    let path = match path.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() && cfg!(windows) => path[1..].to_string(),
        _ => path,
    };
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        let uri: Uri = "file:///home/me/my%20app/app.msb".parse().unwrap();
        assert_eq!(file_path(&uri), Some(PathBuf::from("/home/me/my app/app.msb")));
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_path(&uri), None);
    }
}
