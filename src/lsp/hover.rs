//! Hover text, in Markdown: what a stage, an artifact, an image, a param or
//! a secret is, from the declarations and msbc's table of known images.

use super::analysis::{Analysis, SymbolKind};
use crate::check::{builtin_capabilities, Capabilities};
use crate::syntax::ast::{
    ArtifactKind, BaseRef, Capability, ImageDecl, Item, ParamType, StageDecl, StepKind, Value,
};

/// The hover text for the place at `offset`, if it names something.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<(crate::span::Span, String)> {
    if let Some((span, symbol)) = analysis.symbol_at(offset) {
        return Some((span, describe(analysis, symbol)));
    }
    // An image reference written in place: `from "alpine:3.20"`.
    analysis.program.items.iter().find_map(|item| match item {
        Item::Stage(StageDecl {
            base: BaseRef::Image(text),
            ..
        }) if text.span.start as usize <= offset && offset <= text.span.end as usize => {
            let reference = text.display();
            let caps = builtin_capabilities(&reference).unwrap_or_default();
            let mut out = format!("image `{reference}`\n\n");
            out.push_str(&capabilities(&caps, true, false));
            Some((text.span, out))
        }
        _ => None,
    })
}

/// What a symbol is, in Markdown.
pub fn describe(analysis: &Analysis, symbol: usize) -> String {
    let s = &analysis.symbols[symbol];
    let item = analysis.program.items.get(s.item);
    match (s.kind, item) {
        (SymbolKind::Stage, Some(Item::Stage(stage))) => describe_stage(stage),
        (SymbolKind::Artifact, Some(Item::Stage(stage))) => describe_artifact(stage, &s.name),
        (SymbolKind::Image, Some(Item::Image(image))) => describe_image(image),
        (SymbolKind::Param, Some(Item::Param(p))) => {
            let ty = match &p.ty {
                ParamType::String => "string".to_string(),
                ParamType::Bool => "bool".to_string(),
                ParamType::Int => "int".to_string(),
                ParamType::Enum(options) => format!(
                    "enum({})",
                    options
                        .iter()
                        .map(|o| format!("\"{}\"", o.display()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let mut out = format!("param `{}`: `{ty}`", p.name.name);
            match (&p.default, p.required) {
                (_, Some(_)) => out.push_str(", required"),
                (Some(default), None) => out.push_str(&format!(" = `{}`", value(default))),
                (None, None) => out.push_str(", empty unless given"),
            }
            let mut out = with_docs(out, &p.docs);
            out.push_str(&format!(
                "\n\nSet it with `docker build --build-arg {}=...`.",
                p.name.name
            ));
            out
        }
        (SymbolKind::Secret, Some(Item::Secret(secret))) => with_docs(
            format!(
                "secret `{name}`\n\nMounted for the run steps that name it, at `/run/secrets/{name}` unless they say otherwise; never kept in a layer. Build with `docker build --secret id={name},src=FILE`.",
                name = secret.name.name
            ),
            &secret.docs,
        ),
        _ => format!("{} `{}`", s.kind.as_str(), s.name),
    }
}

fn with_docs(mut out: String, docs: &[String]) -> String {
    if !docs.is_empty() {
        out.push_str("\n\n");
        out.push_str(&docs.join("\n"));
    }
    out
}

fn value(v: &Value) -> String {
    match v {
        Value::Text(t) => format!("\"{}\"", t.display()),
        Value::Number(n, _) => n.clone(),
        Value::Bool(b, _) => b.to_string(),
    }
}

fn describe_stage(stage: &StageDecl) -> String {
    let base = match &stage.base {
        BaseRef::Name(name) => format!("`{}`", name.name),
        BaseRef::Image(text) => format!("`\"{}\"`", text.display()),
    };
    let default = if stage.default.is_some() { "default " } else { "" };
    let mut out = format!(
        "{default}{} `{}` from {base}",
        stage.role.as_str(),
        stage.name.name
    );
    out = with_docs(out, &stage.docs);
    let mut produces = String::new();
    let mut copies = String::new();
    for step in &stage.steps {
        match &step.kind {
            StepKind::Produce { name, kind, path, .. } => {
                produces.push_str(&format!("- `{}`: `{kind}` at `{}`\n", name.name, path.display()))
            }
            StepKind::CopyArtifact { artifact, dest, .. } => {
                copies.push_str(&format!("- `{}` to `{}`\n", artifact.display(), dest.display()))
            }
            _ => {}
        }
    }
    if !produces.is_empty() {
        out.push_str("\n\nProduces:\n");
        out.push_str(&produces);
    }
    if !copies.is_empty() {
        out.push_str(if produces.is_empty() { "\n\n" } else { "\n" });
        out.push_str("Copies in:\n");
        out.push_str(&copies);
    }
    out.trim_end().to_string()
}

fn describe_artifact(stage: &StageDecl, name: &str) -> String {
    let Some((kind, path)) = stage.steps.iter().find_map(|step| match &step.kind {
        StepKind::Produce {
            name: n, kind, path, ..
        } if n.name == name => Some((*kind, path.display())),
        _ => None,
    }) else {
        return format!("artifact `{}.{name}`", stage.name.name);
    };
    let (what, linkage) = match kind {
        ArtifactKind::File => ("file", None),
        ArtifactKind::Dir => ("dir", None),
        ArtifactKind::Exe(l) => ("exe", Some(l.as_str())),
    };
    let mut out = format!(
        "artifact `{}.{name}`: `{kind}`\n\n- kind: {what}\n",
        stage.name.name
    );
    if let Some(linkage) = linkage {
        let needs = match linkage {
            "static" => "runs on any image",
            "glibc" => "needs an image with glibc",
            _ => "needs an image with musl",
        };
        out.push_str(&format!("- linkage: {linkage} ({needs})\n"));
    }
    out.push_str(&format!("- path: `{path}`\n"));
    out.push_str(&format!(
        "- produced by {} `{}`",
        stage.role.as_str(),
        stage.name.name
    ));
    out
}

fn describe_image(image: &ImageDecl) -> String {
    let reference = image.reference.display();
    let mut caps = builtin_capabilities(&reference).unwrap_or_default();
    let known = !caps.is_unknown();
    for cap in &image.capabilities {
        match cap {
            Capability::Libc(l, _) => caps.libc = Some(*l),
            Capability::Shell(s, _) => caps.shell = Some(*s),
            Capability::Passwd(p, _) => caps.passwd = Some(*p),
            Capability::User(u, _) => caps.user = Some(u.clone()),
            Capability::Packages(p, _) => caps.packages = Some(*p),
        }
    }
    let out = format!(
        "image `{}` = `\"{reference}\"`\n\n{}",
        image.name.name,
        capabilities(&caps, known, !image.capabilities.is_empty())
    );
    with_docs(out, &image.docs)
}

/// `declared`: whether the program's image block says some of them.
fn capabilities(caps: &Capabilities, known: bool, declared: bool) -> String {
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    let source = match (known, declared) {
        _ if caps.is_unknown() => {
            "msbc knows nothing of this image: declare what it has in a block, `{ libc glibc  shell yes }`."
        }
        (true, true) => "From msbc's table of well-known images, and what the program declares.",
        (true, false) => "From msbc's table of well-known images.",
        (false, _) => "As the program declares them.",
    };
    format!(
        "- libc: {}\n- shell: {}\n- user database: {}\n- default user: {}\n\n{source}",
        caps.libc.map_or("unknown", |l| l.as_str()),
        yes_no(caps.shell),
        yes_no(caps.passwd),
        caps.user.as_deref().unwrap_or("unknown"),
    )
}
