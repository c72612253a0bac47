//! The document's outline (stages with their artifacts, images, params,
//! secrets) and semantic tokens for every name the index resolves.

use super::analysis::{Analysis, SymbolKind};
use lsp_types::{
    DocumentSymbol, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
    SymbolKind as LspKind,
};

pub fn document_symbols(analysis: &Analysis) -> Vec<DocumentSymbol> {
    let text = analysis.text();
    let symbol = |id: usize, children: Option<Vec<DocumentSymbol>>| {
        let s = &analysis.symbols[id];
        let (kind, detail) = match s.kind {
            SymbolKind::Stage => (
                LspKind::CLASS,
                analysis.stage(id).map(|stage| stage.role.as_str().to_string()),
            ),
            SymbolKind::Artifact => (LspKind::FIELD, Some("artifact".to_string())),
            SymbolKind::Image => (LspKind::MODULE, Some("image".to_string())),
            SymbolKind::Param => (LspKind::VARIABLE, Some("param".to_string())),
            SymbolKind::Secret => (LspKind::KEY, Some("secret".to_string())),
        };
        #[allow(deprecated)]
        DocumentSymbol {
            name: s.name.clone(),
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: analysis.index.range(text, s.full),
            selection_range: analysis.index.range(text, s.span),
            children,
        }
    };
    analysis
        .symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind != SymbolKind::Artifact)
        .map(|(id, s)| {
            let children = (s.kind == SymbolKind::Stage).then(|| {
                analysis
                    .symbols
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.parent == Some(id))
                    .map(|(a, _)| symbol(a, None))
                    .collect()
            });
            symbol(id, children)
        })
        .collect()
}

const TOKEN_TYPES: &[SymbolKind] = &[
    SymbolKind::Stage,
    SymbolKind::Artifact,
    SymbolKind::Image,
    SymbolKind::Param,
    SymbolKind::Secret,
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES
            .iter()
            .map(|kind| match kind {
                SymbolKind::Stage => SemanticTokenType::CLASS,
                SymbolKind::Artifact => SemanticTokenType::PROPERTY,
                SymbolKind::Image => SemanticTokenType::TYPE,
                SymbolKind::Param => SemanticTokenType::PARAMETER,
                SymbolKind::Secret => SemanticTokenType::VARIABLE,
            })
            .collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

/// Every resolved name, as LSP's relative encoding wants it.
pub fn semantic_tokens(analysis: &Analysis) -> Vec<SemanticToken> {
    let text = analysis.text();
    let mut tokens = Vec::new();
    let (mut last_line, mut last_start) = (0, 0);
    for &(span, id) in &analysis.occurrences {
        let s = &analysis.symbols[id];
        let start = analysis.index.position(text, span.start as usize);
        let end = analysis.index.position(text, span.end as usize);
        if start.line != end.line || end.character <= start.character {
            continue;
        }
        // Occurrences are sorted; one starting where the last did is a duplicate.
        if !tokens.is_empty() && start.line == last_line && start.character <= last_start {
            continue;
        }
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 {
            start.character - last_start
        } else {
            start.character
        };
        tokens.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: TOKEN_TYPES.iter().position(|k| *k == s.kind).unwrap_or(0) as u32,
            token_modifiers_bitset: u32::from(s.span.start == span.start && s.span.end == span.end),
        });
        last_line = start.line;
        last_start = start.character;
    }
    tokens
}
