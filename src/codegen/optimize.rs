//! Passes over the Dockerfile IR. Each pass keeps the build's meaning and
//! changes only how it is written; each is snapshot-tested through the
//! codegen fixtures.

use super::dockerfile::{Dockerfile, Instruction, Piece, Script, Word};
use super::Profile;
use std::collections::HashMap;
use std::rc::Rc;

pub fn run(dockerfile: &mut Dockerfile, profile: Profile) {
    if profile == Profile::Modern {
        link_stage_copies(dockerfile);
    }
    merge_adjacent_metadata(dockerfile);
    merge_adjacent_runs(dockerfile);
}

/// Adjacent RUNs become one when each is a single simple command, they
/// mount the same things, and neither asked for a `layer` of its own.
///
/// Nothing stands between two adjacent RUNs, so they see the same user,
/// working directory, ENV and ARGs; no COPY stands between them either, so
/// no cache boundary that keeps a dependency layer apart from the sources
/// is lost (merging never crosses any other instruction). The merged script
/// stops at the first failing command (a heredoc with `set -e`, or `&&`
/// under `legacy`), which is what separate RUNs do, as long as each command
/// is simple: no `;`, `&&`, `||`, pipe, `!`, subshell or compound command
/// (where `set -e` is ignored for all but the last part), and no builtin
/// that changes the shell for the commands after it (`cd`, `export`,
/// `exit`, `set`, an assignment alone, ...). Anything else stays as written.
/// A run's cache key is its text, so a merged RUN re-runs all its commands
/// when one changes: `run "..." layer` keeps a slow step apart from a
/// neighbour that changes often.
fn merge_adjacent_runs(dockerfile: &mut Dockerfile) {
    for stage in &mut dockerfile.stages {
        let mut merged: Vec<Instruction> = Vec::with_capacity(stage.instructions.len());
        // Whether the last instruction kept is a RUN of simple commands.
        let mut open = false;
        for instruction in stage.instructions.drain(..) {
            let simple = simple_run(&instruction);
            if let (
                true,
                true,
                Some(Instruction::Run {
                    mounts: kept_mounts,
                    script: kept,
                    ..
                }),
                Instruction::Run {
                    mounts,
                    script: Script::Line(line),
                    ..
                },
            ) = (open, simple, merged.last_mut(), &instruction)
            {
                if kept_mounts == mounts {
                    let lines = match std::mem::replace(kept, Script::Lines(Vec::new())) {
                        Script::Line(first) => vec![first, line.clone()],
                        Script::Lines(mut lines) => {
                            lines.push(line.clone());
                            lines
                        }
                    };
                    *kept = Script::Lines(lines);
                    continue;
                }
            }
            open = simple;
            merged.push(instruction);
        }
        stage.instructions = merged;
    }
}

/// A RUN of one simple command that asked for no layer of its own.
fn simple_run(instruction: &Instruction) -> bool {
    match instruction {
        Instruction::Run {
            script: Script::Line(line),
            layer: false,
            pipefail: false,
            ..
        } => is_simple_command(line),
        _ => false,
    }
}

/// Builtins that change the shell for the commands after them, and words
/// that start something other than a simple command.
const STATEFUL: &[&str] = &[
    "cd", "pushd", "popd", "export", "unset", "readonly", "declare", "typeset", "local", "set", "shopt",
    "exit", "return", "exec", "eval", ".", "source", "alias", "unalias", "trap", "umask", "ulimit", "shift",
    "hash", "wait", "read", "getopts", "break", "continue", "command", "builtin", "enable", "function", "!",
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "select",
    "time", "[[", "{", "}",
];

/// Whether `run "<command>"` on one line may be merged with a neighbour
/// that may be too (for tests that model the output).
pub fn mergeable_command(command: &str) -> bool {
    is_simple_command(&Word(vec![Piece::Text(command.to_string())]))
}

/// Whether a one-line script is a single simple command whose failure
/// `set -e` catches and which leaves the shell as it found it. Variables
/// count as plain words; any character that could start a list, a
/// subshell, a comment or an escape makes the answer no.
fn is_simple_command(line: &Word) -> bool {
    let text: String = line
        .0
        .iter()
        .map(|piece| match piece {
            Piece::Text(t) => t.as_str(),
            Piece::Var(_) => "$x",
        })
        .collect();
    if text
        .chars()
        .any(|c| matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '\\' | '#' | '{' | '}') || c.is_control())
        || text.contains("<<")
        || text.matches('"').count() % 2 != 0
        || text.matches('\'').count() % 2 != 0
    {
        return false;
    }
    // Assignments before the command apply to it alone; with no command
    // after them they set shell variables. A quoted or expanded word may
    // hide either, so it counts as neither.
    for word in text.split_whitespace() {
        if word.contains(['"', '\'', '$']) {
            return false;
        }
        let assignment = word.contains('=') && !word.starts_with('=');
        if !assignment {
            return !STATEFUL.contains(&word);
        }
    }
    false
}

/// `COPY --link` for copies between stages: the copied layer no longer
/// depends on the layers below it, so a base-image change does not
/// invalidate it.
///
/// A linked copy is made on an empty layer and laid over the stage
/// afterwards, so it cannot follow a symlink in its destination path: a
/// copy to `/lib/x` on a usrmerged image would put a real `/lib` over the
/// `/lib -> usr/lib` link and hide every library. A copy is linked only when
/// no directory it may write through can be a symlink: not under a path
/// listed in [`SYMLINKED_PATHS`], not after a `RUN` in the stage or in the
/// stages it builds from (a script can make a symlink anywhere), and not
/// into a directory an earlier copy filled (a copied tree may hold
/// symlinks). A destination with a variable is not linked either.
fn link_stage_copies(dockerfile: &mut Dockerfile) {
    // A stage's FROM names an earlier stage or an image; each stage starts
    // from the state its base ended in. End states share their list of
    // copies, so keeping one per stage costs no more than the copies.
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut ends: Vec<Filesystem> = Vec::with_capacity(dockerfile.stages.len());
    for (index, stage) in dockerfile.stages.iter_mut().enumerate() {
        let base = stage.from.as_text().and_then(|b| index_of.get(&b).copied());
        let mut seen = base.map(|b| ends[b].clone()).unwrap_or_default();
        for instruction in &mut stage.instructions {
            if let Instruction::Copy { from: Some(_), .. } = instruction {
                let safe = seen
                    .written(instruction)
                    .is_some_and(|(path, folder)| seen.linkable(&path, folder));
                if let Instruction::Copy { link, .. } = instruction {
                    *link = safe;
                }
            }
            seen.record(instruction);
        }
        ends.push(seen);
        index_of.insert(stage.name.clone(), index);
    }
}

/// What the instructions so far may have done to a stage's filesystem, as
/// far as symlinks go.
#[derive(Default, Clone)]
struct Filesystem {
    /// The working directory, when known (an image's own is not).
    workdir: Option<String>,
    /// A `RUN` has run: it may have made a symlink anywhere.
    ran: bool,
    /// What earlier copies wrote: a path, and whether a folder (which may
    /// hold symlinks) was copied there; `None` for a copy msbc cannot place.
    written: Written,
}

/// The copies written so far, newest first, as a list whose tail is shared:
/// every stage built on a base starts from the base's list without copying
/// it, so many stages on a long chain of bases cost memory in proportion to
/// the copies, not to their square.
#[derive(Default, Clone)]
struct Written(Option<Rc<WrittenNode>>);

struct WrittenNode {
    copy: Option<(String, bool)>,
    earlier: Written,
}

impl Written {
    fn push(&mut self, copy: Option<(String, bool)>) {
        let earlier = std::mem::take(self);
        self.0 = Some(Rc::new(WrittenNode { copy, earlier }));
    }

    fn iter(&self) -> impl Iterator<Item = &Option<(String, bool)>> {
        std::iter::successors(self.0.as_deref(), |node| node.earlier.0.as_deref()).map(|node| &node.copy)
    }
}

impl Drop for Written {
    // One node at a time: the default drop would recurse once per node and
    // overflow the stack on a chain of many thousands of copies.
    fn drop(&mut self) {
        let mut next = self.0.take();
        while let Some(node) = next {
            next = match Rc::try_unwrap(node) {
                Ok(mut node) => node.earlier.0.take(),
                Err(_) => None,
            };
        }
    }
}

impl Filesystem {
    fn record(&mut self, instruction: &Instruction) {
        match instruction {
            Instruction::Run { .. } => self.ran = true,
            Instruction::Workdir(dir) => self.workdir = self.resolve(dir),
            // After a RUN nothing more is linked, so the copies no longer matter.
            Instruction::Copy { .. } if !self.ran => {
                let written = self.written(instruction);
                self.written.push(written);
            }
            _ => {}
        }
    }

    /// The path a copy writes, and whether it may write a folder there.
    fn written(&self, instruction: &Instruction) -> Option<(String, bool)> {
        let Instruction::Copy {
            sources,
            dest,
            folder,
            ..
        } = instruction
        else {
            return None;
        };
        let resolved = self.resolve(dest)?;
        match sources.as_slice() {
            [source] if !*folder && dest.ends_with("/") => {
                let source = source.as_text()?;
                let name = source.trim_end_matches('/').rsplit('/').next()?;
                Some((format!("{}/{name}", resolved.trim_end_matches('/')), false))
            }
            _ => Some((resolved, *folder)),
        }
    }

    /// An absolute path without a trailing `/`, when it can be known.
    fn resolve(&self, path: &Word) -> Option<String> {
        let path = path.as_text()?;
        let absolute = if path.starts_with('/') {
            path
        } else {
            format!("{}/{path}", self.workdir.as_ref()?)
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in absolute.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                part => parts.push(part),
            }
        }
        Some(format!("/{}", parts.join("/")))
    }

    /// Whether a cross-stage copy writing `path` may be linked: no folder
    /// it writes through can be a symlink. A copied folder writes any path
    /// below its own, so for one the paths above and below count.
    fn linkable(&self, path: &str, folder: bool) -> bool {
        let overlaps = |other: &str| is_within(path, other) || folder && is_within(other, path);
        let parent = match path.rsplit_once('/') {
            Some(("", _)) | None => "/",
            Some((parent, _)) => parent,
        };
        !SYMLINKED_PATHS.iter().any(|link| overlaps(link))
            && !self.ran
            && self.written.iter().all(|earlier| match earlier {
                None => false,
                // A file copied earlier made only real folders above it.
                Some((_, false)) => true,
                // Folders inside one copied earlier may be symlinks; the
                // copied folder itself is a real one.
                Some((tree, true)) => {
                    if folder {
                        !overlaps(tree)
                    } else {
                        parent == tree || !is_within(parent, tree)
                    }
                }
            })
    }
}

/// Paths that are symlinks on common base images, so that a linked copy
/// through them would replace the link with a directory:
/// - `/bin`, `/sbin` and the `/lib*` folders link into `/usr` on every
///   usrmerged system: Debian 12 and later, Ubuntu 20.04 and later, Fedora,
///   RHEL and its rebuilds, Arch, and the images built on them;
/// - `/var/run` and `/var/lock` link into `/run` on Debian, Ubuntu, Fedora
///   and Alpine alike.
///
/// msbc does not know the filesystem of an image it has no facts about; this
/// list is the same for every image, which is the conservative choice for
/// the images it does know.
const SYMLINKED_PATHS: &[&str] = &[
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/var/run",
    "/var/lock",
];

/// Whether `path` is `dir` or lies below it (`/` holds every path).
fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// `ARG SOURCE_DATE_EPOCH` in each stage that runs something, so that the
/// build argument reaches the tools that honour it (gcc's `__DATE__`,
/// Python's byte-code): BuildKit passes a build argument to a `RUN` only
/// when the stage declares it.
///
/// An ARG's value is part of the cache key of every RUN after it, and the
/// value is usually the last commit's time, which every commit changes. So
/// the ARG goes just before the first RUN after the stage's last copy from
/// the build context: the steps before that copy (the dependency fetches)
/// keep their cache, and the steps after it run again on a source edit
/// anyway. A stage that copies nothing from the context before a RUN
/// declares it before its first RUN. Runs last, after merging, so that the
/// ARG never splits two RUNs that would have been one.
pub fn declare_source_date_epoch(dockerfile: &mut Dockerfile) {
    const NAME: &str = "SOURCE_DATE_EPOCH";
    for stage in &mut dockerfile.stages {
        let is_run = |i: &Instruction| matches!(i, Instruction::Run { .. });
        let declared = stage
            .instructions
            .iter()
            .any(|i| matches!(i, Instruction::Arg(arg) if arg.name == NAME));
        let Some(last_run) = stage.instructions.iter().rposition(is_run) else {
            continue;
        };
        if declared {
            continue;
        }
        let last_context_copy = stage.instructions[..last_run]
            .iter()
            .rposition(|i| matches!(i, Instruction::Copy { from: None, .. }));
        let start = last_context_copy.map_or(0, |c| c + 1);
        let Some(offset) = stage.instructions[start..].iter().position(is_run) else {
            continue;
        };
        // Above the comment that says what the RUN does, not between them.
        let mut at = start + offset;
        while at > start && matches!(stage.instructions[at - 1], Instruction::Comment(_)) {
            at -= 1;
        }
        stage.instructions.insert(
            at,
            Instruction::Arg(super::dockerfile::Arg {
                name: NAME.to_string(),
                default: None,
            }),
        );
    }
    dockerfile.header.push(format!(
        "Reproducible: build with --build-arg {NAME}=$(git log -1 --format=%ct)."
    ));
}

/// Adjacent ENV instructions become one, and so do adjacent LABELs: fewer
/// image config entries, the same result.
fn merge_adjacent_metadata(dockerfile: &mut Dockerfile) {
    for stage in &mut dockerfile.stages {
        let mut merged: Vec<Instruction> = Vec::with_capacity(stage.instructions.len());
        for instruction in stage.instructions.drain(..) {
            match (merged.last_mut(), instruction) {
                // One ENV expands its values before setting any of them, so a
                // value naming a variable set just above must stay apart.
                (Some(Instruction::Env(previous)), Instruction::Env(more))
                    if !more.iter().any(|(k, v)| {
                        previous.iter().any(|(p, _)| {
                            p == k
                                || v.0
                                    .iter()
                                    .any(|piece| matches!(piece, Piece::Var(name) if name == p))
                        })
                    }) =>
                {
                    previous.extend(more)
                }
                (Some(Instruction::Label(previous)), Instruction::Label(more)) => previous.extend(more),
                (_, instruction) => merged.push(instruction),
            }
        }
        stage.instructions = merged;
    }
}
