//! One document, analysed: the compiler's own diagnostics, and an index of
//! every name the program declares and every place that names it.
//!
//! The diagnostics come from [`driver::check`], the function `msbc check`
//! calls, so an editor shows exactly what the command prints. The index is
//! built from [`syntax::parse_lenient`]: while a declaration is half typed,
//! the others still resolve. Names resolve the way the checker resolves
//! them: a base names a stage before an image, the first declaration of a
//! name wins, a bare artifact in a command is the one copied into or
//! produced in the stage (or a stage it is built from).

use super::convert::LineIndex;
use crate::diagnostic::Diagnostic;
use crate::driver::{self, Options};
use crate::source::Sources;
use crate::span::{FileId, Span};
use crate::syntax::{
    self,
    ast::{ArtifactRef, BaseRef, Command, CommandArg, Item, Program, StageDecl, StepKind, Text, Value},
};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Stage,
    Artifact,
    Image,
    Param,
    Secret,
}

impl SymbolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Stage => "stage",
            SymbolKind::Artifact => "artifact",
            SymbolKind::Image => "image",
            SymbolKind::Param => "param",
            SymbolKind::Secret => "secret",
        }
    }
}

/// Something the program declares.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub name: String,
    /// The name where it is declared.
    pub span: Span,
    /// The whole declaration.
    pub full: Span,
    /// The item of `Analysis::program` that declares it.
    pub item: usize,
    /// For an artifact: the symbol of the stage that produces it.
    pub parent: Option<usize>,
}

#[derive(Debug)]
pub struct Analysis {
    pub sources: Sources,
    pub file: FileId,
    pub index: LineIndex,
    /// Every declaration that parses.
    pub program: Program,
    /// What `msbc check` reports for the file.
    pub diagnostics: Vec<Diagnostic>,
    pub symbols: Vec<Symbol>,
    /// Every place a symbol is named, its declaration included, in source order.
    pub occurrences: Vec<(Span, usize)>,
}

impl Analysis {
    /// `name` is the file's name, as diagnostics name it.
    pub fn new(name: &str, text: String, options: &Options) -> Self {
        let mut sources = Sources::new();
        let file = sources.add(name, text);
        let (_, diagnostics) = driver::check(&sources, file, options);
        let text = &sources.get(file).text;
        let program = syntax::parse_lenient(file, text);
        let index = LineIndex::new(text);
        let (symbols, mut occurrences) = Indexer::run(&program);
        occurrences.sort_by_key(|(span, _)| (span.start, span.end));
        Analysis {
            file,
            index,
            program,
            diagnostics,
            symbols,
            occurrences,
            sources,
        }
    }

    pub fn text(&self) -> &str {
        &self.sources.get(self.file).text
    }

    /// The symbol named at `offset` (the cursor may also sit just after the name).
    pub fn symbol_at(&self, offset: usize) -> Option<(Span, usize)> {
        let offset = offset as u32;
        self.occurrences
            .iter()
            .filter(|(span, _)| span.start <= offset && offset <= span.end)
            .min_by_key(|(span, _)| span.len())
            .copied()
    }

    /// Every place `symbol` is named, in source order.
    pub fn references(&self, symbol: usize) -> impl Iterator<Item = Span> + '_ {
        self.occurrences
            .iter()
            .filter(move |(_, s)| *s == symbol)
            .map(|(span, _)| *span)
    }

    pub fn stage(&self, symbol: usize) -> Option<&StageDecl> {
        match self.program.items.get(self.symbols[symbol].item)? {
            Item::Stage(stage) => Some(stage),
            _ => None,
        }
    }

    /// The first symbol of a kind with a name, as the checker resolves it.
    pub fn lookup(&self, kind: SymbolKind, name: &str) -> Option<usize> {
        self.symbols.iter().position(|s| s.kind == kind && s.name == name)
    }

    /// The artifact `name` of the stage with symbol `stage`.
    pub fn artifact_of(&self, stage: usize, name: &str) -> Option<usize> {
        self.symbols
            .iter()
            .position(|s| s.kind == SymbolKind::Artifact && s.parent == Some(stage) && s.name == name)
    }

    pub fn symbols_of(&self, kind: SymbolKind) -> impl Iterator<Item = (usize, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.kind == kind)
    }
}

#[derive(Default)]
struct Indexer<'a> {
    symbols: Vec<Symbol>,
    occurrences: Vec<(Span, usize)>,
    stages: HashMap<&'a str, usize>,
    /// Stage symbol -> its declaration.
    stage_decls: HashMap<usize, &'a StageDecl>,
    images: HashMap<&'a str, usize>,
    params: HashMap<&'a str, usize>,
    secrets: HashMap<&'a str, usize>,
    artifacts: HashMap<(usize, &'a str), usize>,
}

impl<'a> Indexer<'a> {
    fn run(program: &'a Program) -> (Vec<Symbol>, Vec<(Span, usize)>) {
        let mut ix = Indexer::default();
        for (item_index, item) in program.items.iter().enumerate() {
            ix.declare(item_index, item);
        }
        for item in &program.items {
            ix.resolve(item);
        }
        (ix.symbols, ix.occurrences)
    }

    fn add(&mut self, kind: SymbolKind, name: &'a str, span: Span, full: Span, item: usize) -> usize {
        self.symbols.push(Symbol {
            kind,
            name: name.to_string(),
            span,
            full,
            item,
            parent: None,
        });
        let id = self.symbols.len() - 1;
        self.occurrences.push((span, id));
        id
    }

    fn declare(&mut self, item_index: usize, item: &'a Item) {
        match item {
            Item::Image(i) => {
                let id = self.add(SymbolKind::Image, &i.name.name, i.name.span, i.span, item_index);
                self.images.entry(&i.name.name).or_insert(id);
            }
            Item::Param(p) => {
                let id = self.add(SymbolKind::Param, &p.name.name, p.name.span, p.span, item_index);
                self.params.entry(&p.name.name).or_insert(id);
            }
            Item::Secret(s) => {
                let id = self.add(SymbolKind::Secret, &s.name.name, s.name.span, s.span, item_index);
                self.secrets.entry(&s.name.name).or_insert(id);
            }
            Item::Stage(s) => {
                let id = self.add(SymbolKind::Stage, &s.name.name, s.name.span, s.span, item_index);
                self.stages.entry(&s.name.name).or_insert(id);
                self.stage_decls.insert(id, s);
                for step in &s.steps {
                    if let StepKind::Produce { name, .. } = &step.kind {
                        let a = self.add(SymbolKind::Artifact, &name.name, name.span, step.span, item_index);
                        self.symbols[a].parent = Some(id);
                        self.artifacts.entry((id, &name.name)).or_insert(a);
                    }
                }
            }
        }
    }

    fn resolve(&mut self, item: &'a Item) {
        match item {
            Item::Image(i) => self.text(&i.reference),
            Item::Param(p) => {
                if let Some(Value::Text(t)) = &p.default {
                    self.text(t);
                }
            }
            Item::Secret(_) => {}
            Item::Stage(s) => self.stage(s),
        }
    }

    fn stage(&mut self, s: &'a StageDecl) {
        let Some(&me) = self.stages.get(s.name.name.as_str()) else {
            return;
        };
        match &s.base {
            BaseRef::Name(name) => {
                let target = self
                    .stages
                    .get(name.name.as_str())
                    .or_else(|| self.images.get(name.name.as_str()))
                    .copied();
                if let Some(target) = target {
                    self.occurrences.push((name.span, target));
                }
            }
            BaseRef::Image(text) => self.text(text),
        }
        for (index, step) in s.steps.iter().enumerate() {
            match &step.kind {
                StepKind::Workdir(t) => self.text(t),
                StepKind::Toolchain { .. } | StepKind::Comment(_) => {}
                StepKind::Install { packages } => {
                    for t in packages {
                        self.text(t);
                    }
                }
                StepKind::Env { value, .. } | StepKind::Label { value, .. } => {
                    if let Value::Text(t) = value {
                        self.text(t);
                    }
                }
                StepKind::CopyContext { sources, dest, .. } => {
                    for t in sources {
                        self.text(t);
                    }
                    self.text(dest);
                }
                StepKind::CopyArtifact { artifact, dest, .. } => {
                    self.qualified(artifact);
                    self.text(dest);
                }
                StepKind::Run {
                    command,
                    caches,
                    secrets,
                    ..
                } => {
                    self.text(command);
                    for cache in caches {
                        self.text(&cache.path);
                    }
                    for secret in secrets {
                        if let Some(&id) = self.secrets.get(secret.name.name.as_str()) {
                            self.occurrences.push((secret.name.span, id));
                        }
                        if let syntax::ast::SecretTarget::Path(t) = &secret.target {
                            self.text(t);
                        }
                    }
                }
                StepKind::Entrypoint(command)
                | StepKind::Cmd(command)
                | StepKind::Healthcheck { command, .. } => self.command(me, index, command),
                StepKind::Produce { path, .. } => self.text(path),
                StepKind::User(..) | StepKind::Expose { .. } => {}
            }
        }
    }

    /// `${name}` naming a param.
    fn text(&mut self, text: &Text) {
        for var in text.vars() {
            if let Some(&id) = self.params.get(var.name.as_str()) {
                self.occurrences.push((var.span, id));
            }
        }
    }

    /// `stage.artifact`: the stage, and the artifact when it produces one by that name.
    fn qualified(&mut self, r: &ArtifactRef) -> Option<usize> {
        let stage = r.stage.as_ref()?;
        let &stage_id = self.stages.get(stage.name.as_str())?;
        self.occurrences.push((stage.span, stage_id));
        let &artifact = self.artifacts.get(&(stage_id, r.name.name.as_str()))?;
        self.occurrences.push((r.name.span, artifact));
        Some(artifact)
    }

    fn command(&mut self, stage: usize, step: usize, command: &Command) {
        let args = match command {
            Command::Shell(t) => return self.text(t),
            Command::Exec(args, _) => args,
        };
        for arg in args {
            match arg {
                CommandArg::Text(t) => self.text(t),
                CommandArg::Artifact(r) if r.stage.is_some() => {
                    self.qualified(r);
                }
                CommandArg::Artifact(r) => {
                    if let Some(id) = self.placed(stage, step, &r.name.name) {
                        self.occurrences.push((r.name.span, id));
                    }
                }
            }
        }
    }

    /// The artifact named `name` that lies in `stage` before its step
    /// `before`: produced there or copied in, there or in a stage it is
    /// built from.
    fn placed(&self, stage: usize, before: usize, name: &str) -> Option<usize> {
        let mut stage = stage;
        let mut before = before;
        // A cycle of bases is an error the checker reports; stop walking it.
        for _ in 0..=self.stage_decls.len() {
            let decl = self.stage_decls.get(&stage)?;
            for step in decl.steps[..before.min(decl.steps.len())].iter().rev() {
                match &step.kind {
                    StepKind::Produce { name: n, .. } if n.name == name => {
                        return self.artifacts.get(&(stage, n.name.as_str())).copied();
                    }
                    StepKind::CopyArtifact { artifact, .. } if artifact.name.name == name => {
                        let from = self.stages.get(artifact.stage.as_ref()?.name.as_str())?;
                        return self.artifacts.get(&(*from, name)).copied();
                    }
                    _ => {}
                }
            }
            let BaseRef::Name(base) = &decl.base else {
                return None;
            };
            stage = *self.stages.get(base.name.as_str())?;
            before = usize::MAX;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(text: &str) -> Analysis {
        Analysis::new("app.msb", text.to_string(), &Options::default())
    }

    fn named(a: &Analysis, offset: usize) -> Option<(&str, SymbolKind)> {
        a.symbol_at(offset)
            .map(|(_, s)| (a.symbols[s].name.as_str(), a.symbols[s].kind))
    }

    const PROGRAM: &str = r#"param VERSION: string = "1"
image go = "golang:${VERSION}"
builder build from go {
  produce server: exe(static) = /out/server
}
runtime app from "scratch" {
  copy build.server to /app/server
  entrypoint server
}
"#;

    #[test]
    fn names_resolve_like_the_checker() {
        let a = analyse(PROGRAM);
        let at = |needle: &str, nth: usize| PROGRAM.match_indices(needle).nth(nth).unwrap().0;
        assert_eq!(named(&a, at("VERSION", 1)), Some(("VERSION", SymbolKind::Param)));
        assert_eq!(named(&a, at("go {", 0)), Some(("go", SymbolKind::Image)));
        assert_eq!(named(&a, at("build.", 0)), Some(("build", SymbolKind::Stage)));
        assert_eq!(
            named(&a, at("server\n}", 1)),
            Some(("server", SymbolKind::Artifact))
        );
        let server = a.symbol_at(at("server", 0)).unwrap().1;
        assert_eq!(a.references(server).count(), 3);
    }

    #[test]
    fn a_half_typed_declaration_leaves_the_others_usable() {
        let text = PROGRAM.replace("entrypoint server", "entrypoint [serv");
        let a = analyse(&text);
        assert!(a.diagnostics.iter().any(|d| d.code.as_str() == "E0001"));
        assert!(a.lookup(SymbolKind::Stage, "build").is_some());
        assert!(a.lookup(SymbolKind::Stage, "app").is_none());
    }
}
