//! Passes over the Dockerfile IR. Each pass keeps the build's meaning and
//! changes only how it is written; each is snapshot-tested through the
//! codegen fixtures.

use super::dockerfile::{Dockerfile, Instruction, Piece};
use super::Profile;

pub fn run(dockerfile: &mut Dockerfile, profile: Profile) {
    if profile == Profile::Modern {
        link_stage_copies(dockerfile);
    }
    merge_adjacent_metadata(dockerfile);
}

/// `COPY --link` for copies between stages: the copied layer no longer
/// depends on the layers below it, so a base-image change does not
/// invalidate it. Copies whose destination may already hold a symlink
/// (a copy onto a path the stage's base image provides) are left alone by
/// msbc's choice of destinations: artifacts land on fresh paths.
fn link_stage_copies(dockerfile: &mut Dockerfile) {
    for stage in &mut dockerfile.stages {
        for instruction in &mut stage.instructions {
            if let Instruction::Copy {
                from: Some(_), link, ..
            } = instruction
            {
                *link = true;
            }
        }
    }
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
