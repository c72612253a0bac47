//! `msbc graph`: the checked build graph as a picture (Graphviz DOT or
//! Mermaid) or as JSON.
//!
//! Nodes are the stages, with their role, and the images they build from.
//! Edges go from producer to consumer: a `from` edge from a stage's base
//! (an image or another stage), and one edge for each artifact a stage
//! copies, labelled `name: kind`. Stages no runtime needs (pruned from the
//! Dockerfile, W0002) are drawn dashed and grey. Everything is listed in
//! declaration order, so the same program gives the same bytes.

use crate::check::ir::{BuildGraph, Role, StageBase, StageId, Step};
use serde::Serialize;

/// What `msbc graph --format` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

/// The graph in the requested format, ending with a line break.
pub fn render(graph: &BuildGraph, format: GraphFormat) -> String {
    let model = Model::new(graph);
    match format {
        GraphFormat::Dot => dot(&model),
        GraphFormat::Mermaid => mermaid(&model),
        GraphFormat::Json => json(&model),
    }
}

/// The documented JSON shape (docs/cli.md, docs/schema/graph.schema.json).
#[derive(Debug, Serialize)]
struct Model {
    source: String,
    default_target: String,
    images: Vec<ImageNode>,
    stages: Vec<StageNode>,
    edges: Vec<Edge>,
}

#[derive(Debug, Serialize)]
struct ImageNode {
    id: String,
    reference: String,
}

#[derive(Debug, Serialize)]
struct StageNode {
    id: String,
    name: String,
    role: &'static str,
    default: bool,
    pruned: bool,
    docs: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Edge {
    kind: EdgeKind,
    from: String,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact: Option<Artifact>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum EdgeKind {
    From,
    Copy,
}

#[derive(Debug, Serialize)]
struct Artifact {
    name: String,
    kind: String,
    source: String,
    dest: String,
}

fn stage_id(name: &str) -> String {
    format!("stage:{name}")
}

impl Model {
    fn new(graph: &BuildGraph) -> Model {
        let mut images: Vec<ImageNode> = Vec::new();
        let mut edges = Vec::new();
        for stage in &graph.stages {
            let from = match &stage.base {
                StageBase::Image(reference) => {
                    let reference = reference.display();
                    let id = format!("image:{reference}");
                    if !images.iter().any(|i| i.id == id) {
                        images.push(ImageNode {
                            id: id.clone(),
                            reference,
                        });
                    }
                    id
                }
                StageBase::Stage(base) => stage_id(&graph.stage(*base).name),
            };
            edges.push(Edge {
                kind: EdgeKind::From,
                from,
                to: stage_id(&stage.name),
                artifact: None,
            });
            for step in &stage.steps {
                if let Step::CopyArtifact {
                    from,
                    artifact,
                    kind,
                    source,
                    dest,
                    ..
                } = step
                {
                    edges.push(Edge {
                        kind: EdgeKind::Copy,
                        from: stage_id(&graph.stage(*from).name),
                        to: stage_id(&stage.name),
                        artifact: Some(Artifact {
                            name: artifact.clone(),
                            kind: kind.to_string(),
                            source: source.clone(),
                            dest: dest.display(),
                        }),
                    });
                }
            }
        }
        let stages = graph
            .stages
            .iter()
            .enumerate()
            .map(|(index, stage)| StageNode {
                id: stage_id(&stage.name),
                name: stage.name.clone(),
                role: stage.role.as_str(),
                default: StageId(index) == graph.default_target,
                pruned: !stage.reachable,
                docs: stage.docs.clone(),
            })
            .collect();
        Model {
            source: graph.source_name.clone(),
            default_target: graph.stage(graph.default_target).name.clone(),
            images,
            stages,
            edges,
        }
    }

    fn pruned(&self, id: &str) -> bool {
        self.stages.iter().any(|s| s.id == id && s.pruned)
    }
}

fn stage_caption(stage: &StageNode) -> String {
    let mut caption = stage.role.to_string();
    if stage.default {
        caption.push_str(", default");
    }
    if stage.pruned {
        caption.push_str(", pruned");
    }
    caption
}

fn artifact_label(artifact: &Artifact) -> String {
    format!("{}: {}", artifact.name, artifact.kind)
}

// ---- Graphviz -----------------------------------------------------------------

const GREY: &str = "#9a9a9a";
const IMAGE_STROKE: &str = "#8a94a6";
const IMAGE_FILL: &str = "#eef1f5";

/// A DOT string: quoted, with `\` and `"` escaped and line breaks as `\n`.
fn dot_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot(model: &Model) -> String {
    let mut out = format!(
        "// Generated by msbc from {}. Render with: dot -Tsvg\ndigraph msbc {{\n",
        model.source
    );
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    if !model.images.is_empty() {
        out.push('\n');
    }
    for image in &model.images {
        out.push_str(&format!(
            "  {} [label={}, shape=box, style=filled, fillcolor=\"{IMAGE_FILL}\", color=\"{IMAGE_STROKE}\"];\n",
            dot_string(&image.id),
            dot_string(&image.reference)
        ));
    }
    out.push('\n');
    for stage in &model.stages {
        let mut attrs = vec![format!(
            "label={}",
            dot_string(&format!("{}\n{}", stage.name, stage_caption(stage)))
        )];
        if stage.pruned {
            attrs.push("style=\"rounded,dashed\"".into());
            attrs.push(format!("color=\"{GREY}\""));
            attrs.push(format!("fontcolor=\"{GREY}\""));
        } else if stage.role == Role::Runtime.as_str() {
            attrs.push("style=\"rounded,bold\"".into());
        }
        if stage.default {
            attrs.push("peripheries=2".into());
        }
        if !stage.docs.is_empty() {
            attrs.push(format!("tooltip={}", dot_string(&stage.docs.join(" "))));
        }
        out.push_str(&format!("  {} [{}];\n", dot_string(&stage.id), attrs.join(", ")));
    }
    out.push('\n');
    for edge in &model.edges {
        let mut attrs = Vec::new();
        match (&edge.kind, &edge.artifact) {
            (EdgeKind::Copy, Some(artifact)) => {
                attrs.push(format!("label={}", dot_string(&artifact_label(artifact))));
                attrs.push(format!(
                    "tooltip={}",
                    dot_string(&format!("{} -> {}", artifact.source, artifact.dest))
                ));
            }
            _ => {
                attrs.push("label=\"from\"".into());
                attrs.push("arrowhead=empty".into());
                attrs.push(format!("color=\"{IMAGE_STROKE}\""));
                attrs.push(format!("fontcolor=\"{IMAGE_STROKE}\""));
            }
        }
        if model.pruned(&edge.from) || model.pruned(&edge.to) {
            attrs.push("style=dashed".into());
            if edge.kind == EdgeKind::Copy {
                attrs.push(format!("color=\"{GREY}\""));
                attrs.push(format!("fontcolor=\"{GREY}\""));
            }
        }
        out.push_str(&format!(
            "  {} -> {} [{}];\n",
            dot_string(&edge.from),
            dot_string(&edge.to),
            attrs.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

// ---- Mermaid ------------------------------------------------------------------

/// Text inside a Mermaid `"..."` label.
fn mermaid_text(text: &str) -> String {
    text.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn mermaid(model: &Model) -> String {
    // Mermaid ids are kept to letters and digits: a stage named `end`
    // or `graph` would otherwise be read as a keyword.
    let id = |node: &str| -> String {
        if let Some(i) = model.images.iter().position(|i| i.id == node) {
            format!("i{i}")
        } else {
            let s = model.stages.iter().position(|s| s.id == node).unwrap_or(0);
            format!("s{s}")
        }
    };
    let mut out = format!("%% Generated by msbc from {}.\nflowchart LR\n", model.source);
    for image in &model.images {
        out.push_str(&format!(
            "  {}[\"{}\"]:::image\n",
            id(&image.id),
            mermaid_text(&image.reference)
        ));
    }
    for stage in &model.stages {
        let class = if stage.pruned {
            ":::pruned"
        } else if stage.role == Role::Runtime.as_str() {
            ":::runtime"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {}(\"{}<br/><small>{}</small>\"){class}\n",
            id(&stage.id),
            mermaid_text(&stage.name),
            mermaid_text(&stage_caption(stage))
        ));
    }
    let mut dashed = Vec::new();
    for (index, edge) in model.edges.iter().enumerate() {
        let arrow = match &edge.artifact {
            Some(artifact) => format!("-->|\"{}\"|", mermaid_text(&artifact_label(artifact))),
            None => "-.->|from|".to_string(),
        };
        out.push_str(&format!("  {} {arrow} {}\n", id(&edge.from), id(&edge.to)));
        if model.pruned(&edge.from) || model.pruned(&edge.to) {
            dashed.push(index.to_string());
        }
    }
    out.push_str(&format!(
        "  classDef image fill:{IMAGE_FILL},stroke:{IMAGE_STROKE}\n"
    ));
    out.push_str("  classDef runtime stroke-width:3px\n");
    out.push_str(&format!(
        "  classDef pruned stroke-dasharray:5 5,stroke:{GREY},color:{GREY}\n"
    ));
    if !dashed.is_empty() {
        out.push_str(&format!(
            "  linkStyle {} stroke-dasharray:5 5,stroke:{GREY}\n",
            dashed.join(",")
        ));
    }
    out
}

// ---- JSON ---------------------------------------------------------------------

fn json(model: &Model) -> String {
    serde_json::to_string_pretty(model).expect("the graph always serializes") + "\n"
}
