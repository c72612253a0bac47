//! From the checked build graph to the Dockerfile IR: stage order, ARG
//! scoping, the default runtime user, exec-form commands.

use super::dockerfile::{self as df, Piece, Word};
use super::{CodegenError, CodegenOptions};
use crate::check::ir::{self, BuildGraph, Role, StageBase, StageId, Value, ValuePart};
use std::collections::BTreeSet;

pub fn lower(graph: &BuildGraph, options: &CodegenOptions) -> Result<df::Dockerfile, CodegenError> {
    let (target, selected) = match &options.target {
        Some(name) => {
            let Some(target) = graph.stage_named(name) else {
                let names = graph.stages.iter().map(|s| s.name.as_str());
                return Err(CodegenError::UnknownTarget {
                    name: name.clone(),
                    suggestion: crate::diagnostic::did_you_mean(name, names),
                });
            };
            (target, closure(graph, &[target]))
        }
        None => {
            let runtimes: Vec<StageId> = (0..graph.stages.len())
                .map(StageId)
                .filter(|&id| graph.stage(id).role == Role::Runtime && graph.stage(id).reachable)
                .collect();
            (graph.default_target, closure(graph, &runtimes))
        }
    };
    let order = order(graph, &selected, target);

    // The variables each emitted stage reads, gathered once.
    let reads: Vec<StageReads> = order.iter().map(|&s| StageReads::of(graph.stage(s))).collect();
    let used_params: Vec<&ir::Param> = graph
        .params
        .iter()
        .filter(|p| {
            reads
                .iter()
                .any(|r| r.params.contains(&p.name) || r.from_params.contains(&p.name))
        })
        .collect();
    let global_args = used_params
        .iter()
        .map(|p| df::Arg {
            name: p.name.clone(),
            default: p.default.clone(),
        })
        .collect();

    let mut guarded: BTreeSet<&str> = BTreeSet::new();
    let mut stages = Vec::new();
    for (&id, reads) in order.iter().zip(&reads) {
        let stage = graph.stage(id);
        let from = match &stage.base {
            StageBase::Image(reference) => {
                let mut from = word(reference);
                if let Some(digest) = &stage.base_digest {
                    from.0.push(Piece::Text(format!("@{digest}")));
                }
                from
            }
            StageBase::Stage(base) => Word::text(graph.stage(*base).name.clone()),
        };
        let mut instructions = Vec::new();
        // Required params are declared at the top, so that a missing value
        // stops the build before any work; every other param and platform
        // ARG just before the first step that reads it, so that a new value
        // re-runs only the steps from there on (an ARG's value is part of
        // the cache key of every RUN after it).
        let vars = &reads.params;
        let mut declared: BTreeSet<String> = BTreeSet::new();
        let required: Vec<&ir::Param> = graph
            .params
            .iter()
            .filter(|p| p.required && vars.contains(&p.name))
            .collect();
        for param in &required {
            declared.insert(param.name.clone());
            instructions.push(arg(&param.name));
        }
        if stage.has_shell {
            for param in &required {
                if guarded.insert(&param.name) {
                    instructions.push(df::Instruction::Run {
                        pipefail: false,
                        layer: false,
                        mounts: Vec::new(),
                        script: df::Script::Line(Word(vec![Piece::Text(format!(
                            "test -n \"${}\" || {{ echo 'the build argument {} is required: docker build --build-arg {}=...' >&2; exit 1; }}",
                            param.name, param.name, param.name
                        ))])),
                    });
                }
            }
        }
        // What a shipped image is built on, for scanners and `docker inspect`
        // (the OCI annotation for base images).
        if stage.role == Role::Runtime {
            let (root, digest) = root_image(graph, id);
            if let Some(base) = root.as_literal() {
                // A digest written in the reference counts as much as a locked one.
                let digest = digest
                    .map(str::to_string)
                    .or_else(|| base.split_once('@').map(|(_, d)| d.to_string()));
                let mut labels = vec![(Word::text("org.opencontainers.image.base.name"), Word::text(base))];
                if let Some(digest) = digest {
                    labels.push((
                        Word::text("org.opencontainers.image.base.digest"),
                        Word::text(digest),
                    ));
                }
                instructions.push(df::Instruction::Label(labels));
            }
        }
        let mut user_placed = stage.default_user.is_none();
        for step in &stage.steps {
            let is_command = matches!(
                step,
                ir::Step::Entrypoint(_) | ir::Step::Cmd(_) | ir::Step::Healthcheck(_)
            );
            if is_command && !user_placed {
                instructions.push(default_user(stage));
                user_placed = true;
            }
            let reads_now = StageReads::of_steps(std::slice::from_ref(step));
            for param in graph.params.iter().filter(|p| reads_now.params.contains(&p.name)) {
                if declared.insert(param.name.clone()) {
                    instructions.push(arg(&param.name));
                }
            }
            for platform in &reads_now.platform {
                if declared.insert(platform.clone()) {
                    instructions.push(arg(platform));
                }
            }
            instructions.push(instruction(graph, stage, step));
        }
        if !user_placed {
            instructions.push(default_user(stage));
        }
        stages.push(df::Stage {
            description: description(&stage.docs),
            platform: stage.on_build_platform.then_some(df::PlatformArg::Build),
            from,
            name: stage.name.clone(),
            instructions,
        });
    }

    Ok(df::Dockerfile {
        header: vec![format!(
            "Generated by msbc from {}. Edit that file, not this one.",
            graph.source_name
        )],
        global_args,
        stages,
    })
}

/// The first sentence of a stage's `##` doc comment, on one line: what
/// `docker buildx build --call=outline` shows beside the stage's name. The
/// rest of the comment is for readers of the program, not of the outline.
fn description(docs: &[String]) -> Option<String> {
    let words: Vec<&str> = docs.iter().flat_map(|line| line.split_whitespace()).collect();
    let end = words
        .iter()
        .position(|w| w.ends_with(['.', '!', '?']))
        .map_or(words.len(), |i| i + 1);
    let sentence = words[..end].join(" ");
    (!sentence.is_empty()).then_some(sentence)
}

fn default_user(stage: &ir::Stage) -> df::Instruction {
    df::Instruction::User(Word::text(stage.default_user.clone().unwrap_or_default()))
}

/// The image at the bottom of a stage's chain of `from`s, and its digest
/// when the program was compiled against a lock.
fn root_image(graph: &BuildGraph, mut id: StageId) -> (&Value, Option<&str>) {
    loop {
        let stage = graph.stage(id);
        match &stage.base {
            StageBase::Image(reference) => return (reference, stage.base_digest.as_deref()),
            StageBase::Stage(base) => id = *base,
        }
    }
}

/// The stages `roots` need, themselves included.
fn closure(graph: &BuildGraph, roots: &[StageId]) -> BTreeSet<StageId> {
    let mut seen = BTreeSet::new();
    let mut todo = roots.to_vec();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(graph.dependencies(id));
        }
    }
    seen
}

/// Dependencies first, declaration order where free, `last` at the end so
/// that a plain `docker build` builds it.
fn order(graph: &BuildGraph, selected: &BTreeSet<StageId>, last: StageId) -> Vec<StageId> {
    let mut waiting: Vec<usize> = vec![0; graph.stages.len()];
    let mut dependents: Vec<Vec<StageId>> = vec![Vec::new(); graph.stages.len()];
    for &id in selected {
        for dep in graph.dependencies(id) {
            waiting[id.0] += 1;
            dependents[dep.0].push(id);
        }
    }
    let mut ready: BTreeSet<StageId> = selected.iter().copied().filter(|id| waiting[id.0] == 0).collect();
    let mut out = Vec::with_capacity(selected.len());
    loop {
        let next = ready
            .iter()
            .copied()
            .find(|&id| id != last)
            .or_else(|| ready.first().copied());
        let Some(id) = next else { break };
        ready.remove(&id);
        out.push(id);
        for &d in &dependents[id.0] {
            waiting[d.0] -= 1;
            if waiting[d.0] == 0 {
                ready.insert(d);
            }
        }
    }
    out
}

/// The variables a stage reads, by where they must be declared.
struct StageReads {
    /// Params its steps read: an ARG in the stage.
    params: BTreeSet<String>,
    /// Params its FROM line reads: global ARGs only.
    from_params: BTreeSet<String>,
    /// BuildKit's platform ARGs its steps read.
    platform: BTreeSet<String>,
}

impl StageReads {
    fn of(stage: &ir::Stage) -> Self {
        let mut reads = StageReads::of_steps(&stage.steps);
        if let StageBase::Image(reference) = &stage.base {
            for var in reference.vars() {
                if let ir::Var::Param(name) = var {
                    reads.from_params.insert(name.clone());
                }
            }
        }
        reads
    }

    fn of_steps(steps: &[ir::Step]) -> Self {
        let mut reads = StageReads {
            params: BTreeSet::new(),
            from_params: BTreeSet::new(),
            platform: BTreeSet::new(),
        };
        for var in steps.iter().flat_map(ir::Step::values).flat_map(Value::vars) {
            match var {
                ir::Var::Param(name) => reads.params.insert(name.clone()),
                ir::Var::Platform(name) => reads.platform.insert(name.clone()),
                ir::Var::Env(_) | ir::Var::Shell(_) => false,
            };
        }
        reads
    }
}

/// `ARG NAME` in a stage: the value comes from the global ARG or the build.
fn arg(name: &str) -> df::Instruction {
    df::Instruction::Arg(df::Arg {
        name: name.to_string(),
        default: None,
    })
}

fn word(value: &Value) -> Word {
    Word(
        value
            .0
            .iter()
            .map(|part| match part {
                ValuePart::Literal(s) => Piece::Text(s.clone()),
                ValuePart::Var(v) => Piece::Var(v.name().to_string()),
            })
            .collect(),
    )
}

/// Exec-form arguments: literal, since the builder expands nothing there.
fn literal(value: &Value) -> String {
    value
        .0
        .iter()
        .map(|part| match part {
            ValuePart::Literal(s) => s.clone(),
            ValuePart::Var(v) => format!("${{{}}}", v.name()),
        })
        .collect()
}

fn instruction(graph: &BuildGraph, stage: &ir::Stage, step: &ir::Step) -> df::Instruction {
    match step {
        ir::Step::Workdir(dir) => df::Instruction::Workdir(word(dir)),
        ir::Step::Env(key, value) => df::Instruction::Env(vec![(key.clone(), word(value))]),
        ir::Step::CopyContext {
            sources,
            dest,
            ownership,
        } => df::Instruction::Copy {
            from: None,
            link: false,
            folder: true,
            chown: ownership.chown.as_ref().map(word),
            chmod: ownership.chmod.clone(),
            sources: sources.iter().map(word).collect(),
            dest: word(dest),
        },
        ir::Step::CopyArtifact {
            from,
            source,
            dest,
            ownership,
            kind,
            ..
        } => df::Instruction::Copy {
            from: Some(graph.stage(*from).name.clone()),
            link: false,
            folder: *kind == ir::ArtifactKind::Dir,
            chown: ownership.chown.as_ref().map(word),
            chmod: ownership.chmod.clone(),
            sources: vec![Word::text(source.clone())],
            dest: word(dest),
        },
        ir::Step::Run {
            command,
            caches,
            secrets,
            ssh,
            layer,
        } => {
            let w = word(command);
            let pipefail = stage.pipefail && pipes(&literal(command));
            // A secret given to the command as a variable is read from its
            // mount by the command itself, so it never becomes an ENV.
            let exports: Vec<Word> = secrets
                .iter()
                .filter_map(|s| {
                    let var = s.env.as_ref()?;
                    let path = s
                        .target
                        .clone()
                        .unwrap_or_else(|| format!("/run/secrets/{}", s.id));
                    Some(Word::text(format!("{var}=\"$(cat {path})\" && export {var}")))
                })
                .collect();
            let script = if literal(command).contains('\n') || !exports.is_empty() || pipefail {
                df::Script::Lines(exports.into_iter().chain(split_lines(&w)).collect())
            } else {
                df::Script::Line(w)
            };
            let mut mounts: Vec<df::Mount> = caches
                .iter()
                .map(|c| df::Mount::Cache {
                    target: c.target.clone(),
                    locked: c.locked,
                })
                .collect();
            mounts.extend(secrets.iter().map(|s| df::Mount::Secret {
                id: s.id.clone(),
                target: s.target.clone(),
            }));
            if *ssh {
                mounts.push(df::Mount::Ssh);
            }
            df::Instruction::Run {
                mounts,
                script,
                pipefail,
                layer: *layer,
            }
        }
        ir::Step::Install { manager, packages } => install(*manager, packages),
        ir::Step::User(user) => df::Instruction::User(word(user)),
        ir::Step::Expose(port, protocol) => df::Instruction::Expose(*port, protocol.clone()),
        ir::Step::Label(key, value) => df::Instruction::Label(vec![(word(key), word(value))]),
        ir::Step::Entrypoint(args) => df::Instruction::Entrypoint(args.iter().map(literal).collect()),
        ir::Step::Cmd(args) => df::Instruction::Cmd(args.iter().map(literal).collect()),
        ir::Step::Healthcheck(h) => df::Instruction::Healthcheck(df::Healthcheck {
            interval: h.interval.clone(),
            timeout: h.timeout.clone(),
            start_period: h.start_period.clone(),
            retries: h.retries.clone(),
            command: h.command.iter().map(literal).collect(),
        }),
        ir::Step::Comment(text) => df::Instruction::Comment(text.clone()),
    }
}

/// Whether a script has a pipe (`|`, not `||`): then a failure on the
/// left of it should fail the build too.
fn pipes(script: &str) -> bool {
    let bytes = script.as_bytes();
    (0..bytes.len())
        .any(|i| bytes[i] == b'|' && bytes.get(i + 1) != Some(&b'|') && (i == 0 || bytes[i - 1] != b'|'))
}

/// An `install` step as one RUN that leaves no package cache or index in
/// the layer (hadolint DL3009, DL3019, DL3040) and installs no recommended
/// or weak dependencies (DL3015): apt's lists are removed in the same RUN,
/// apk keeps none, dnf cleans its own. Cache mounts were the alternative,
/// but apt's need the image's `docker-clean` hook removed first and
/// `sharing=locked` serializes parallel builds, while the lists go stale
/// anyway: `apt-get update` runs each time. This form works on every builder.
/// Versions pass through as written, `name=version`; dnf spells them
/// `name-version`.
fn install(manager: ir::PackageManager, packages: &[Value]) -> df::Instruction {
    let (before, after) = match manager {
        ir::PackageManager::Apt => (
            "apt-get update && apt-get install -y --no-install-recommends",
            " && rm -rf /var/lib/apt/lists/*",
        ),
        ir::PackageManager::Apk => ("apk add --no-cache", ""),
        // The checker lets no install through without a manager.
        ir::PackageManager::Dnf | ir::PackageManager::None => (
            "dnf install -y --setopt=install_weak_deps=False",
            " && dnf clean all",
        ),
    };
    let mut pieces = vec![Piece::Text(before.to_string())];
    for package in packages {
        pieces.push(Piece::Text(" ".to_string()));
        let mut versioned = false;
        for piece in word(package).0 {
            match piece {
                Piece::Text(t) if manager == ir::PackageManager::Dnf && !versioned && t.contains('=') => {
                    versioned = true;
                    pieces.push(Piece::Text(t.replacen('=', "-", 1)));
                }
                piece => pieces.push(piece),
            }
        }
    }
    pieces.push(Piece::Text(after.to_string()));
    df::Instruction::Run {
        mounts: Vec::new(),
        script: df::Script::Line(Word(pieces)),
        pipefail: false,
        layer: true,
    }
}

/// A word split at its line breaks.
fn split_lines(word: &Word) -> Vec<Word> {
    let mut lines = vec![Word::default()];
    for piece in &word.0 {
        match piece {
            Piece::Text(t) => {
                for (i, segment) in t.split('\n').enumerate() {
                    if i > 0 {
                        lines.push(Word::default());
                    }
                    if !segment.is_empty() {
                        lines
                            .last_mut()
                            .expect("never empty")
                            .0
                            .push(Piece::Text(segment.to_string()));
                    }
                }
            }
            var => lines.last_mut().expect("never empty").0.push(var.clone()),
        }
    }
    lines
}
