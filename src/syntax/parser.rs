//! pest pairs to the owned syntax tree.

use super::ast::*;
use super::errors;
use super::text;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser as _;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/msb.pest"]
pub(super) struct MsbParser;

/// Inputs larger than this are refused with a diagnostic instead of parsed.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parses one file. On a syntax error the file is parsed again piece by piece
/// (each top-level declaration apart), so that every broken declaration is
/// reported, not only the first; no tree is returned then.
pub fn parse(file: FileId, source: &str) -> Result<Program, Vec<Diagnostic>> {
    if source.len() > MAX_INPUT_BYTES {
        return Err(vec![Diagnostic::new(
            Code::InputTooLarge,
            format!(
                "the file is {} bytes; msbc reads at most {} bytes",
                source.len(),
                MAX_INPUT_BYTES
            ),
        )
        .primary(Span::new(file, 0, 0), "the file starts here")
        .help("split the program into several files, one per image family")]);
    }
    errors::install_call_limit();
    match parse_piece(file, source, 0) {
        Ok(program) => Ok(program),
        Err(first) => {
            let mut diagnostics = vec![first];
            for (start, end) in errors::top_level_pieces(source) {
                let failed_at = diagnostics[0].primary_span().start as usize;
                if (start..end.max(start + 1)).contains(&failed_at) {
                    continue;
                }
                if let Err(d) = parse_piece(file, &source[start..end], start) {
                    diagnostics.push(d);
                }
            }
            crate::diagnostic::sort(&mut diagnostics);
            diagnostics.dedup_by_key(|d| d.primary_span().start);
            Err(diagnostics)
        }
    }
}

/// Every top-level declaration that parses, for tools that work on a file
/// while it is being typed (the language server). A file without syntax
/// errors gives the tree [`parse`] gives; otherwise each declaration is
/// parsed apart and the broken ones are left out. Never fails.
pub fn parse_lenient(file: FileId, source: &str) -> Program {
    if source.len() > MAX_INPUT_BYTES {
        return Program::default();
    }
    errors::install_call_limit();
    if let Ok(program) = parse_piece(file, source, 0) {
        return program;
    }
    let mut items = Vec::new();
    for (start, end) in errors::top_level_pieces(source) {
        if let Ok(piece) = parse_piece(file, &source[start..end], start) {
            items.extend(piece.items);
        }
    }
    Program { items }
}

fn parse_piece(file: FileId, source: &str, offset: usize) -> Result<Program, Diagnostic> {
    let pairs =
        MsbParser::parse(Rule::file, source).map_err(|e| errors::syntax_error(file, source, offset, e))?;
    let builder = Builder { file, offset };
    let mut items = Vec::new();
    for pair in pairs.flatten().filter(|p| p.as_rule() == Rule::item) {
        items.push(builder.item(pair)?);
    }
    Ok(Program { items })
}

struct Builder {
    file: FileId,
    offset: usize,
}

type Result1<T> = Result<T, Diagnostic>;

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::k_image
            | Rule::k_param
            | Rule::k_default
            | Rule::k_cross
            | Rule::k_from
            | Rule::k_to
            | Rule::k_required
            | Rule::k_libc
            | Rule::k_shell
            | Rule::k_passwd
            | Rule::k_user
            | Rule::k_workdir
            | Rule::k_env
            | Rule::k_copy
            | Rule::k_run
            | Rule::k_cache
            | Rule::k_locked
            | Rule::k_secret
            | Rule::k_ssh
            | Rule::k_expose
            | Rule::k_label
            | Rule::k_entrypoint
            | Rule::k_cmd
            | Rule::k_healthcheck
            | Rule::k_produce
            | Rule::k_chown
            | Rule::k_chmod
            | Rule::k_enum
            | Rule::k_exe
            | Rule::k_packages
            | Rule::k_install
            | Rule::k_layer
            | Rule::k_toolchain
    )
}

/// The children of a pair, keywords left out.
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn docs(&self, pair: Pair<'_, Rule>) -> Vec<String> {
        pair.into_inner()
            .map(|line| line.as_str()[2..].trim().to_string())
            .collect()
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Result1<Item> {
        let mut docs = Vec::new();
        let mut item = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::docs => docs = self.docs(child),
                Rule::image_decl => item = Some(Item::Image(self.image(child, docs.clone())?)),
                Rule::param_decl => item = Some(Item::Param(self.param(child, docs.clone())?)),
                Rule::secret_decl => {
                    let span = self.span(&child);
                    let name = self.ident(children(child).next().expect("secret name"));
                    item = Some(Item::Secret(SecretDecl {
                        docs: docs.clone(),
                        name,
                        span,
                    }));
                }
                Rule::stage_decl => item = Some(Item::Stage(self.stage(child, docs.clone())?)),
                _ => {}
            }
        }
        Ok(item.expect("the grammar makes every item a declaration"))
    }

    fn image(&self, pair: Pair<'_, Rule>, docs: Vec<String>) -> Result1<ImageDecl> {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let name = self.ident(inner.next().expect("image name"));
        let reference = self.string(inner.next().expect("image reference"))?;
        let mut capabilities = Vec::new();
        if let Some(caps) = inner.next() {
            for cap in caps.into_inner() {
                let cap = cap.into_inner().next().expect("capability");
                let cap_span = self.span(&cap);
                let rule = cap.as_rule();
                let value = children(cap).next().expect("capability value");
                capabilities.push(match rule {
                    Rule::cap_libc => Capability::Libc(libc(value.as_str()), cap_span),
                    Rule::cap_shell => Capability::Shell(value.as_str() == "yes", cap_span),
                    Rule::cap_passwd => Capability::Passwd(value.as_str() == "yes", cap_span),
                    Rule::cap_packages => Capability::Packages(package_manager(value.as_str()), cap_span),
                    _ => Capability::User(value.as_str().to_string(), cap_span),
                });
            }
        }
        Ok(ImageDecl {
            docs,
            name,
            reference,
            capabilities,
            span,
        })
    }

    fn param(&self, pair: Pair<'_, Rule>, docs: Vec<String>) -> Result1<ParamDecl> {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut ty_span = span;
        let mut default = None;
        let mut required = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::ident => name = Some(self.ident(child)),
                Rule::param_type => {
                    ty_span = self.span(&child);
                    let inner = child.into_inner().next().expect("type");
                    ty = Some(match inner.as_rule() {
                        Rule::enum_type => ParamType::Enum(
                            children(inner)
                                .map(|s| self.string(s))
                                .collect::<Result<_, _>>()?,
                        ),
                        _ => match inner.as_str() {
                            "bool" => ParamType::Bool,
                            "int" => ParamType::Int,
                            _ => ParamType::String,
                        },
                    });
                }
                Rule::value => default = Some(self.value(child)?),
                Rule::k_required => required = Some(self.span(&child)),
                _ => {}
            }
        }
        Ok(ParamDecl {
            docs,
            name: name.expect("param name"),
            ty: ty.expect("param type"),
            ty_span,
            default,
            required,
            span,
        })
    }

    fn stage(&self, pair: Pair<'_, Rule>, docs: Vec<String>) -> Result1<StageDecl> {
        let span = self.span(&pair);
        let mut default = None;
        let mut cross = None;
        let mut role = None;
        let mut name = None;
        let mut base = None;
        let mut steps = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::k_default => default = Some(self.span(&child)),
                Rule::k_cross => cross = Some(self.span(&child)),
                Rule::role => {
                    let role_span = self.span(&child);
                    let r = match child.as_str() {
                        "base" => Role::Base,
                        "builder" => Role::Builder,
                        _ => Role::Runtime,
                    };
                    role = Some((r, role_span));
                }
                Rule::ident => name = Some(self.ident(child)),
                Rule::base_ref => {
                    let inner = child.into_inner().next().expect("base reference");
                    base = Some(match inner.as_rule() {
                        Rule::string => BaseRef::Image(self.string(inner)?),
                        _ => BaseRef::Name(self.ident(inner)),
                    });
                }
                Rule::block => {
                    for step in child.into_inner().filter(|p| p.as_rule() == Rule::step) {
                        steps.push(self.step(step)?);
                    }
                }
                _ => {}
            }
        }
        let (role, role_span) = role.expect("stage role");
        let base = base.expect("stage base");
        Ok(StageDecl {
            docs,
            default,
            cross,
            role,
            role_span,
            header_span: Span {
                end: base.span().end,
                ..span
            },
            name: name.expect("stage name"),
            base,
            steps,
            span,
        })
    }

    fn step(&self, pair: Pair<'_, Rule>) -> Result1<Step> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next().expect("step kind");
        let rule = inner.as_rule();
        let mut parts = children(inner);
        let mut next = || parts.next().expect("the grammar guarantees this part");
        let kind = match rule {
            Rule::workdir_step => StepKind::Workdir(self.path(next())?),
            Rule::env_step => StepKind::Env {
                key: self.ident(next()),
                value: self.value(next())?,
            },
            Rule::copy_step => {
                let what = next();
                let mut options = CopyOptions {
                    chown: None,
                    chmod: None,
                };
                for option in parts.by_ref() {
                    let mut o = option.into_inner();
                    let keyword = o.next().expect("option keyword");
                    let value = o.next().expect("option value");
                    let entry = Some((value.as_str().to_string(), self.span(&value)));
                    if keyword.as_rule() == Rule::k_chown {
                        options.chown = entry;
                    } else {
                        options.chmod = entry;
                    }
                }
                if what.as_rule() == Rule::artifact_copy {
                    let mut w = children(what);
                    StepKind::CopyArtifact {
                        artifact: self.artifact_ref(w.next().expect("artifact")),
                        dest: self.path(w.next().expect("destination"))?,
                        options,
                    }
                } else {
                    let mut paths = children(what)
                        .map(|p| self.path(p))
                        .collect::<Result<Vec<_>, _>>()?;
                    let dest = paths.pop().expect("destination");
                    StepKind::CopyContext {
                        sources: paths,
                        dest,
                        options,
                    }
                }
            }
            Rule::run_step => {
                let command = self.string(next())?;
                let mut caches = Vec::new();
                let mut secrets = Vec::new();
                let mut ssh = None;
                let mut layer = None;
                for option in parts {
                    let option_span = self.span(&option);
                    match option.as_rule() {
                        Rule::cache_mount => {
                            let inner: Vec<_> = option.into_inner().collect();
                            let locked = inner.iter().any(|p| p.as_rule() == Rule::k_locked);
                            let path = inner.into_iter().find(|p| p.as_rule() == Rule::path);
                            caches.push(CacheMount {
                                path: self.path(path.expect("cache path"))?,
                                locked,
                                span: option_span,
                            });
                        }
                        Rule::secret_mount => {
                            let mut c = option.into_inner().filter(|p| p.as_rule() != Rule::k_secret);
                            let name = self.ident(c.next().expect("secret name"));
                            let target = match (c.next(), c.next()) {
                                (Some(k), Some(v)) if k.as_rule() == Rule::k_to => {
                                    SecretTarget::Path(self.path(v)?)
                                }
                                (Some(_), Some(v)) => SecretTarget::Env(self.ident(v)),
                                _ => SecretTarget::Default,
                            };
                            secrets.push(SecretMount {
                                name,
                                target,
                                span: option_span,
                            });
                        }
                        Rule::layer_option => layer = Some(option_span),
                        _ => ssh = Some(option_span),
                    }
                }
                StepKind::Run {
                    command,
                    caches,
                    secrets,
                    ssh,
                    layer,
                }
            }
            Rule::install_step => StepKind::Install {
                packages: parts.map(|p| self.string(p)).collect::<Result<Vec<_>, _>>()?,
            },
            Rule::user_step => {
                let owner = next();
                StepKind::User(owner.as_str().to_string(), self.span(&owner))
            }
            Rule::expose_step => {
                let port = next();
                let port_span = self.span(&port);
                let (number, protocol) = match port.as_str().split_once('/') {
                    Some((n, p)) => (n, Some(p.to_string())),
                    None => (port.as_str(), None),
                };
                StepKind::Expose {
                    port: number.parse().unwrap_or(u32::MAX),
                    protocol,
                    span: port_span,
                }
            }
            Rule::label_step => {
                let key = next();
                let key_inner = key.into_inner().next().expect("label key");
                let key = if key_inner.as_rule() == Rule::string {
                    self.string(key_inner)?
                } else {
                    text::word(key_inner.as_str(), self.span(&key_inner))?
                };
                StepKind::Label {
                    key,
                    value: self.value(next())?,
                }
            }
            Rule::entrypoint_step => StepKind::Entrypoint(self.command(next())?),
            Rule::cmd_step => StepKind::Cmd(self.command(next())?),
            Rule::healthcheck_step => {
                let command = self.command(next())?;
                let options = parts
                    .map(|option| {
                        let mut o = option.into_inner();
                        let key = o.next().expect("healthcheck key");
                        let value = o.next().expect("healthcheck value");
                        let key = match key.as_str() {
                            "interval" => HealthcheckKey::Interval,
                            "timeout" => HealthcheckKey::Timeout,
                            "start-period" => HealthcheckKey::StartPeriod,
                            _ => HealthcheckKey::Retries,
                        };
                        (key, value.as_str().to_string(), self.span(&value))
                    })
                    .collect();
                StepKind::Healthcheck { command, options }
            }
            Rule::toolchain_step => {
                let name = self.ident(next());
                let mut options = Vec::new();
                if let Some(block) = parts.next() {
                    for option in block.into_inner() {
                        let option_span = self.span(&option);
                        let mut o = option.into_inner();
                        let key = self.ident(o.next().expect("option name"));
                        let value = self.path(o.next().expect("option value"))?;
                        options.push(ToolchainOption {
                            name: key,
                            value,
                            span: option_span,
                        });
                    }
                }
                StepKind::Toolchain { name, options }
            }
            _ => {
                let name = self.ident(next());
                let kind_pair = next();
                let kind_span = self.span(&kind_pair);
                let kind_inner = kind_pair.into_inner().next().expect("artifact kind");
                let kind = match kind_inner.as_rule() {
                    Rule::exe_kind => {
                        let linkage = children(kind_inner).next().expect("linkage");
                        ArtifactKind::Exe(match linkage.as_str() {
                            "static" => Linkage::Static,
                            "glibc" => Linkage::Glibc,
                            _ => Linkage::Musl,
                        })
                    }
                    _ if kind_inner.as_str() == "dir" => ArtifactKind::Dir,
                    _ => ArtifactKind::File,
                };
                StepKind::Produce {
                    name,
                    kind,
                    kind_span,
                    path: self.path(next())?,
                }
            }
        };
        Ok(Step { kind, span })
    }

    fn command(&self, pair: Pair<'_, Rule>) -> Result1<Command> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next().expect("command");
        Ok(match inner.as_rule() {
            Rule::string => Command::Shell(self.string(inner)?),
            Rule::artifact_ref => Command::Exec(vec![CommandArg::Artifact(self.artifact_ref(inner))], span),
            _ => Command::Exec(
                inner
                    .into_inner()
                    .map(|arg| {
                        let a = arg.into_inner().next().expect("command argument");
                        Ok(match a.as_rule() {
                            Rule::string => CommandArg::Text(self.string(a)?),
                            _ => CommandArg::Artifact(self.artifact_ref(a)),
                        })
                    })
                    .collect::<Result<_, Diagnostic>>()?,
                span,
            ),
        })
    }

    fn artifact_ref(&self, pair: Pair<'_, Rule>) -> ArtifactRef {
        let span = self.span(&pair);
        let mut idents: Vec<Ident> = pair.into_inner().map(|p| self.ident(p)).collect();
        let name = idents.pop().expect("artifact name");
        ArtifactRef {
            stage: idents.pop(),
            name,
            span,
        }
    }

    fn value(&self, pair: Pair<'_, Rule>) -> Result1<Value> {
        let inner = pair.into_inner().next().expect("value");
        let span = self.span(&inner);
        Ok(match inner.as_rule() {
            Rule::string => Value::Text(self.string(inner)?),
            Rule::number => Value::Number(inner.as_str().to_string(), span),
            _ => Value::Bool(inner.as_str() == "true", span),
        })
    }

    fn path(&self, pair: Pair<'_, Rule>) -> Result1<Text> {
        let inner = pair.into_inner().next().expect("path");
        if inner.as_rule() == Rule::string {
            self.string(inner)
        } else {
            text::word(inner.as_str(), self.span(&inner))
        }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Result1<Text> {
        let inner = pair.into_inner().next().expect("string body");
        let span = self.span(&inner);
        if inner.as_rule() == Rule::raw_string {
            text::raw_block(inner.as_str(), span)
        } else {
            text::quoted(inner.as_str(), span)
        }
    }
}

fn package_manager(word: &str) -> PackageManager {
    match word {
        "apt" => PackageManager::Apt,
        "apk" => PackageManager::Apk,
        "dnf" => PackageManager::Dnf,
        _ => PackageManager::None,
    }
}

fn libc(word: &str) -> Libc {
    match word {
        "glibc" => Libc::Glibc,
        "musl" => Libc::Musl,
        _ => Libc::None,
    }
}
