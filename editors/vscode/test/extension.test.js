// The extension's manifest, language configuration and snippets.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tokenize } = require('./tokenize');

const EXT = path.join(__dirname, '..');
const readJson = (file) => JSON.parse(fs.readFileSync(path.join(EXT, file), 'utf8'));

test('package.json contributes the language, grammar and snippets, and the files exist', () => {
  const manifest = readJson('package.json');
  const { languages, grammars, snippets } = manifest.contributes;
  assert.deepEqual(languages.map((l) => l.id), ['msb']);
  assert.deepEqual(languages[0].extensions, ['.msb']);
  assert.equal(grammars[0].scopeName, 'source.msb');
  assert.equal(readJson(grammars[0].path).scopeName, 'source.msb');
  readJson(languages[0].configuration);
  assert.equal(snippets[0].language, 'msb');
  readJson(snippets[0].path);
  assert.ok(fs.existsSync(path.join(EXT, 'README.md')));
});

test('language configuration: comments, brackets, quotes, and regexes that compile', () => {
  const config = readJson('language-configuration.json');
  assert.equal(config.comments.lineComment, '#');
  assert.ok(config.autoClosingPairs.some((p) => p.open === '"'));
  for (const pair of ['{}', '[]', '()']) {
    assert.ok(config.brackets.some(([o, c]) => o + c === pair), `brackets lack ${pair}`);
  }
  const regexes = [
    config.folding.markers.start,
    config.folding.markers.end,
    config.indentationRules.increaseIndentPattern,
    config.indentationRules.decreaseIndentPattern,
    config.wordPattern,
    ...config.onEnterRules.map((r) => r.beforeText),
  ];
  for (const source of regexes) new RegExp(source);
  assert.match('builder build from go {', new RegExp(config.folding.markers.start));
  assert.match('}', new RegExp(config.folding.markers.end));
  assert.match('start-period', new RegExp(`^(${config.wordPattern})$`));
});

/** A snippet's text with every placeholder at its default (first choice). */
function expand(body) {
  return body
    .join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\t/g, '  ');
}

test('every snippet expands to text the grammar highlights without an invalid scope', async () => {
  const snippets = readJson('snippets/msb.json');
  const wanted = ['image', 'builder stage', 'runtime stage', 'produce', 'copy edge', 'run with cache'];
  for (const name of wanted) assert.ok(snippets[name], `no snippet "${name}"`);
  for (const [name, snippet] of Object.entries(snippets)) {
    const text = expand(snippet.body);
    assert.doesNotMatch(text, /\$\{|\$\d/, `${name}: a placeholder was left`);
    // Steps only mean something inside a stage.
    const program = /^(image|param|secret|builder|runtime|base|##)/.test(text) ? text : `runtime app from "alpine:3.20" {\n${text}\n}`;
    const tokens = await tokenize(program);
    const bad = tokens.find((t) => t.scopes.some((s) => s.startsWith('invalid')));
    assert.ok(!bad, `${name}: ${bad && bad.text} is invalid`);
    const first = tokens.find((t) => t.text.trim() && !t.scopes.some((s) => s.startsWith('comment')));
    assert.ok(
      first.scopes.some((s) => /^(keyword|storage)\./.test(s)),
      `${name}: the first word, ${first.text}, is not a keyword: ${first.scopes.join(' ')}`,
    );
  }
});
