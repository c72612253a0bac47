// Tokenizes msb text with the extension's TextMate grammar, the way VS Code
// does: vscode-textmate driven by the Oniguruma regex engine compiled to
// WebAssembly.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'msb.tmLanguage.json');

let grammarPromise;

/** The grammar, loaded once per process. */
function loadGrammar() {
  if (!grammarPromise) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm.buffer).then(() => ({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }));
    const registry = new vsctm.Registry({
      onigLib,
      loadGrammar: async (scopeName) =>
        scopeName === 'source.msb'
          ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR)
          : null,
    });
    grammarPromise = registry.loadGrammar('source.msb');
  }
  return grammarPromise;
}

/**
 * Every token of `text`: `{ line, column, text, scopes }`, lines and columns
 * counted from 1, `scopes` without the root `source.msb`.
 */
async function tokenize(text) {
  const grammar = await loadGrammar();
  const tokens = [];
  let state = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      const piece = line.slice(token.startIndex, token.endIndex);
      if (piece === '') continue;
      tokens.push({
        line: index + 1,
        column: token.startIndex + 1,
        text: piece,
        scopes: token.scopes.slice(1),
      });
    }
    state = result.ruleStack;
  });
  return tokens;
}

module.exports = { tokenize, GRAMMAR };
