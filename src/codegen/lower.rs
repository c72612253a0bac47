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
            StageBase::Image(reference) => word(reference),
            StageBase::Stage(base) => Word::text(graph.stage(*base).name.clone()),
        };
        let mut instructions = Vec::new();
        // ARGs the stage's steps read, in the order the program declares params.
        let vars = &reads.params;
        for param in &graph.params {
            if vars.contains(&param.name) {
                instructions.push(df::Instruction::Arg(df::Arg {
                    name: param.name.clone(),
                    default: None,
                }));
            }
        }
        for platform in &reads.platform {
            instructions.push(df::Instruction::Arg(df::Arg {
                name: platform.clone(),
                default: None,
            }));
        }
        // A required param with no value stops the build in the first stage that reads it.
        if stage.has_shell {
            for param in graph
                .params
                .iter()
                .filter(|p| p.required && vars.contains(&p.name))
            {
                if guarded.insert(&param.name) {
                    instructions.push(df::Instruction::Run {
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
            if let Some(base) = root_image(graph, id).as_literal() {
                instructions.push(df::Instruction::Label(vec![(
                    Word::text("org.opencontainers.image.base.name"),
                    Word::text(base),
                )]));
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
            instructions.push(instruction(graph, step));
        }
        if !user_placed {
            instructions.push(default_user(stage));
        }
        stages.push(df::Stage {
            description: (!stage.docs.is_empty()).then(|| stage.docs.join(" ")),
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

fn default_user(stage: &ir::Stage) -> df::Instruction {
    df::Instruction::User(Word::text(stage.default_user.clone().unwrap_or_default()))
}

/// The image at the bottom of a stage's chain of `from`s.
fn root_image(graph: &BuildGraph, mut id: StageId) -> &Value {
    loop {
        match &graph.stage(id).base {
            StageBase::Image(reference) => return reference,
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
        let mut reads = StageReads {
            params: BTreeSet::new(),
            from_params: BTreeSet::new(),
            platform: BTreeSet::new(),
        };
        for var in stage.steps.iter().flat_map(step_values).flat_map(Value::vars) {
            match var {
                ir::Var::Param(name) => reads.params.insert(name.clone()),
                ir::Var::Platform(name) => reads.platform.insert(name.clone()),
                ir::Var::Env(_) | ir::Var::Shell(_) => false,
            };
        }
        if let StageBase::Image(reference) = &stage.base {
            for var in reference.vars() {
                if let ir::Var::Param(name) = var {
                    reads.from_params.insert(name.clone());
                }
            }
        }
        reads
    }
}

fn step_values(step: &ir::Step) -> Vec<&Value> {
    match step {
        ir::Step::Workdir(v) | ir::Step::User(v) => vec![v],
        ir::Step::Env(_, v) => vec![v],
        ir::Step::CopyContext {
            sources,
            dest,
            ownership,
        } => sources
            .iter()
            .chain([dest])
            .chain(ownership.chown.iter())
            .collect(),
        ir::Step::CopyArtifact { dest, ownership, .. } => {
            std::iter::once(dest).chain(ownership.chown.iter()).collect()
        }
        ir::Step::Run { command, .. } => vec![command],
        ir::Step::Label(k, v) => vec![k, v],
        ir::Step::Expose(..) => vec![],
        ir::Step::Entrypoint(args) | ir::Step::Cmd(args) => args.iter().collect(),
        ir::Step::Healthcheck(h) => h.command.iter().collect(),
        ir::Step::Comment(_) => vec![],
    }
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

fn instruction(graph: &BuildGraph, step: &ir::Step) -> df::Instruction {
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
            ..
        } => df::Instruction::Copy {
            from: Some(graph.stage(*from).name.clone()),
            link: false,
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
        } => {
            let w = word(command);
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
            let script = if literal(command).contains('\n') || !exports.is_empty() {
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
            df::Instruction::Run { mounts, script }
        }
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
