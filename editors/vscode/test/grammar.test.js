// Tests of the TextMate grammar (syntaxes/msb.tmLanguage.json), run with
// `node --test test/` (see scripts/editors-test.sh):
//
// - every examples/*/app.msb against a committed snapshot of its scopes
//   (test/snapshots/<example>.snap; `UPDATE_SNAPSHOTS=1` rewrites them);
// - in every example, scopes found by an independent reading of each line:
//   keywords, stage names, artifact references, strings, interpolations,
//   comments, doc comments and bare paths;
// - no line of an example or of a test fixture gets an `invalid` scope,
//   except the fixtures that are syntax errors (e0001_*) or not UTF-8 (e0003_*).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tokenize } = require('./tokenize');

const ROOT = path.join(__dirname, '..', '..', '..');
const SNAPSHOTS = path.join(__dirname, 'snapshots');

function examples() {
  const dir = path.join(ROOT, 'examples');
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => ({ name, file: path.join(dir, name, 'app.msb') }))
    .filter((e) => fs.existsSync(e.file));
}

function fixtures(dir = path.join(ROOT, 'tests', 'data')) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // The language server's fixtures are documents mid-edit, each holding a
    // cursor marker where a name would be: not programs.
    if (entry.isDirectory() && entry.name === 'lsp') continue;
    if (entry.isDirectory()) out.push(...fixtures(full));
    else if (entry.name.endsWith('.msb')) out.push(full);
  }
  return out.sort();
}

/** The snapshot text: each source line, then a caret line per token. */
function snapshot(text, tokens) {
  const lines = text.split(/\r?\n/);
  const out = [];
  lines.forEach((line, index) => {
    out.push(`>${line}`);
    for (const t of tokens.filter((t) => t.line === index + 1 && t.text.trim() !== '')) {
      out.push(`#${' '.repeat(t.column - 1)}${'^'.repeat(t.text.length)} ${t.scopes.join(' ')}`);
    }
  });
  return out.join('\n') + '\n';
}

/** The scopes of the token covering `line`:`column` (both from 1). */
function scopesAt(tokens, line, column) {
  const t = tokens.find((t) => t.line === line && t.column <= column && column < t.column + t.text.length);
  assert.ok(t, `no token at ${line}:${column}`);
  return t.scopes;
}

function expectScope(tokens, file, line, column, scope, what) {
  const scopes = scopesAt(tokens, line, column);
  assert.ok(
    scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `${path.relative(ROOT, file)}:${line}:${column}: ${what} should have scope ${scope}, has ${scopes.join(' ')}`,
  );
}

const KEYWORD_SCOPES = {
  image: 'keyword.declaration.image',
  param: 'keyword.declaration.param',
  base: 'keyword.declaration.role',
  builder: 'keyword.declaration.role',
  runtime: 'keyword.declaration.role',
  default: 'storage.modifier.default',
  from: 'keyword.other.from',
  to: 'keyword.other.to',
  cache: 'keyword.other.option',
  locked: 'keyword.other.option',
  chown: 'keyword.other.option',
  chmod: 'keyword.other.option',
  interval: 'keyword.other.option',
  timeout: 'keyword.other.option',
  'start-period': 'keyword.other.option',
  retries: 'keyword.other.option',
  required: 'storage.modifier.required',
  exe: 'support.type.kind',
  file: 'support.type.kind',
  dir: 'support.type.kind',
  static: 'support.constant.libc',
  glibc: 'support.constant.libc',
  musl: 'support.constant.libc',
  none: 'support.constant.libc',
  libc: 'keyword.other.capability',
  shell: 'keyword.other.capability',
  passwd: 'keyword.other.capability',
  yes: 'constant.language.boolean',
  no: 'constant.language.boolean',
  true: 'constant.language.boolean',
  false: 'constant.language.boolean',
  string: 'support.type.primitive',
  bool: 'support.type.primitive',
  int: 'support.type.primitive',
  enum: 'storage.type.enum',
};
const STEPS = [
  'workdir', 'env', 'copy', 'run', 'user', 'expose', 'label', 'entrypoint', 'cmd', 'healthcheck', 'produce',
];
const IDENT = '[A-Za-z_][A-Za-z0-9_-]*';

/** `line` with each `"..."` string blanked out and its comment removed. */
function mask(line) {
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') {
        out += '  ';
        i++;
        continue;
      }
      if (c === '"') inString = false;
      out += ' ';
    } else if (c === '"') {
      inString = true;
      out += ' ';
    } else if (c === '#') {
      break;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Reads each line of an example with plain regular expressions, independently
 * of the grammar, and checks the scope of what it finds. Returns how many
 * checks of each kind were made.
 */
function checkLines(file, text, tokens) {
  const seen = {};
  const count = (what) => (seen[what] = (seen[what] || 0) + 1);
  const lines = text.split(/\r?\n/);
  // Strings, interpolations and comments, by a small scanner over the file.
  let inBlock = false;
  lines.forEach((line, i) => {
    const n = i + 1;
    let col = 0;
    if (inBlock) {
      const close = line.indexOf('"""');
      for (const m of line.slice(0, close < 0 ? line.length : close).matchAll(/\$\{(\w+)\}/g)) {
        expectScope(tokens, file, n, m.index + 3, 'variable.other.interpolated', 'an interpolated name');
        count('interpolation');
      }
      if (line.slice(0, close < 0 ? line.length : close).trim() !== '') {
        const first = line.search(/\S/);
        expectScope(tokens, file, n, first + 1, 'string.quoted.triple', 'the text of a """ block');
        count('raw string');
      }
      if (close < 0) return;
      inBlock = false;
      col = close + 3;
    }
    while (col < line.length) {
      const c = line[col];
      if (line.startsWith('"""', col)) {
        expectScope(tokens, file, n, col + 1, 'punctuation.definition.string.begin', 'a """ block');
        const close = line.indexOf('"""', col + 3);
        if (close < 0) {
          inBlock = true;
          return;
        }
        col = close + 3;
      } else if (c === '"') {
        const start = col;
        col++;
        while (col < line.length && line[col] !== '"') {
          if (line[col] === '\\') {
            expectScope(tokens, file, n, col + 1, 'constant.character.escape', 'an escape');
            count('escape');
            col += 2;
          } else if (line.startsWith('${', col)) {
            expectScope(tokens, file, n, col + 1, 'punctuation.definition.interpolation.begin', '`${`');
            expectScope(tokens, file, n, col + 3, 'variable.other.interpolated', 'an interpolated name');
            count('interpolation');
            col = line.indexOf('}', col) + 1;
          } else {
            expectScope(tokens, file, n, col + 1, 'string.quoted.double', 'the text of a string');
            col++;
          }
        }
        expectScope(tokens, file, n, start + 1, 'punctuation.definition.string.begin', 'a string');
        count('string');
        col++;
      } else if (c === '#') {
        const doc = /^##./.test(line.slice(col));
        expectScope(
          tokens, file, n, col + 1,
          doc ? 'comment.line.documentation' : 'comment.line.number-sign',
          doc ? 'a doc comment' : 'a comment',
        );
        count(doc ? 'doc comment' : 'comment');
        return;
      } else {
        col++;
      }
    }
  });

  // Statements, each at the start of its line. Inside an image's
  // capability block, `user` is a capability, not a step.
  let inCapabilities = false;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (inCapabilities) {
      if (/^\s*user\b/.test(line)) {
        expectScope(tokens, file, n, line.search(/\S/) + 1, 'keyword.other.capability', 'the capability `user`');
        count('keyword');
      }
      if (line.includes('}')) inCapabilities = false;
      return;
    }
    if (/^\s*image\b.*\{[^}]*$/.test(line)) inCapabilities = true;
    const at = (re, fn) => {
      const m = line.match(re);
      if (m) fn(m);
    };
    // Declarations.
    at(new RegExp(`^(\\s*)(?:(default)\\s+)?(base|builder|runtime)\\s+(${IDENT})\\s+(from)\\b`), (m) => {
      let c = m[1].length + 1;
      if (m[2]) {
        expectScope(tokens, file, n, c, KEYWORD_SCOPES.default, '`default`');
        c = line.indexOf(m[3], c - 1 + m[2].length) + 1;
      }
      expectScope(tokens, file, n, c, KEYWORD_SCOPES[m[3]], `the role \`${m[3]}\``);
      const name = line.indexOf(m[4], c - 1 + m[3].length) + 1;
      expectScope(tokens, file, n, name, 'entity.name.type.stage', 'a stage name');
      expectScope(tokens, file, n, line.indexOf('from', name - 1 + m[4].length) + 1, 'keyword.other.from', '`from`');
      count('stage name');
      count('keyword');
    });
    at(/^(\s*)(image|param)\s+(\w+)/, (m) => {
      expectScope(tokens, file, n, m[1].length + 1, KEYWORD_SCOPES[m[2]], `\`${m[2]}\``);
      count('keyword');
    });
    // Steps.
    at(new RegExp(`^(\\s*)(${STEPS.join('|')})\\b`), (m) => {
      const c = m[1].length + 1;
      expectScope(tokens, file, n, c, 'keyword.other.step', `the step \`${m[2]}\``);
      count('keyword');
      // The rest of the line with strings blanked out and without a comment.
      const rest = mask(line).slice(c - 1 + m[2].length);
      const restCol = c + m[2].length; // column of rest[0]
      if (m[2] === 'copy') {
        const art = rest.match(new RegExp(`^(\\s+)(${IDENT})(?:\\.(${IDENT}))?\\s+(to)\\b`));
        if (art) {
          const c1 = restCol + art[1].length;
          if (art[3]) {
            expectScope(tokens, file, n, c1, 'entity.name.type.stage', 'the stage of an artifact reference');
            expectScope(tokens, file, n, c1 + art[2].length + 1, 'variable.other.artifact', 'an artifact');
          } else {
            expectScope(tokens, file, n, c1, 'variable.other.artifact', 'an artifact');
          }
          const to = c1 + art[0].length - art[1].length - 2;
          expectScope(tokens, file, n, to, 'keyword.other.to', '`to`');
          count('artifact reference');
        }
      }
      if (['copy', 'workdir', 'produce'].includes(m[2])) {
        // Bare paths: after `copy` every word that is not a keyword or an
        // artifact reference; after `workdir` the word; after `produce`, what
        // follows `=`.
        const from = m[2] === 'produce' ? rest.indexOf('=') + 1 : 0;
        const words = [...rest.slice(from).matchAll(/(?<=^|[\s=])([^\s"#{}[\],]+)/g)]
          .map((w) => ({ text: w[1], col: restCol + from + w.index }))
          .filter((w) => m[2] !== 'produce' || from > 0);
        let paths = words;
        if (m[2] === 'copy') {
          const to = paths.findIndex((w) => w.text === 'to');
          if (to >= 0) paths = paths.slice(to + 1);
          const opt = paths.findIndex((w) => w.text === 'chown' || w.text === 'chmod');
          if (opt >= 0) paths = paths.slice(0, opt);
        }
        for (const w of paths) {
          expectScope(tokens, file, n, w.col, 'string.unquoted.path', `the bare path \`${w.text}\``);
          count('path');
        }
      }
      // Option keywords and kinds, where the line has them.
      for (const word of ['cache', 'locked', 'chown', 'chmod', 'interval', 'timeout', 'start-period', 'retries']) {
        for (const w of rest.matchAll(new RegExp(`(?<=\\s)${word}(?=\\s|$)`, 'g'))) {
          expectScope(tokens, file, n, restCol + w.index, KEYWORD_SCOPES[word], `\`${word}\``);
          count('keyword');
        }
      }
      const kind = rest.match(/:\s*(exe)\s*\(\s*(static|glibc|musl)\s*\)|:\s*(file|dir)\b/);
      if (m[2] === 'produce' && kind) {
        const k = kind[1] || kind[3];
        const kc = restCol + kind.index + kind[0].indexOf(k);
        expectScope(tokens, file, n, kc, KEYWORD_SCOPES[k], `the kind \`${k}\``);
        if (kind[2]) {
          expectScope(tokens, file, n, restCol + kind.index + kind[0].lastIndexOf(kind[2]), KEYWORD_SCOPES[kind[2]], 'a linkage');
        }
        count('keyword');
      }
      if (m[2] === 'entrypoint' || m[2] === 'cmd') {
        const ref = rest.match(new RegExp(`^\\s+(${IDENT})(\\.${IDENT})?\\s*$`));
        if (ref) {
          expectScope(tokens, file, n, restCol + rest.indexOf(ref[1]), ref[2] ? 'entity.name.type.stage' : 'variable.other.artifact', 'an artifact reference');
          count('artifact reference');
        }
      }
    });
  });
  return seen;
}

for (const { name, file } of examples()) {
  test(`example ${name}: snapshot`, async () => {
    const text = fs.readFileSync(file, 'utf8');
    const actual = snapshot(text, await tokenize(text));
    const snap = path.join(SNAPSHOTS, `${name}.snap`);
    if (process.env.UPDATE_SNAPSHOTS || !fs.existsSync(snap)) {
      fs.mkdirSync(SNAPSHOTS, { recursive: true });
      fs.writeFileSync(snap, actual);
      if (!process.env.UPDATE_SNAPSHOTS) assert.fail(`wrote the new snapshot ${path.relative(ROOT, snap)}: review it`);
    }
    assert.equal(actual, fs.readFileSync(snap, 'utf8'), `the scopes of ${name} changed; rerun with UPDATE_SNAPSHOTS=1 and review the diff`);
  });
}

test('every example: scopes of keywords, names, references, strings, comments and paths', async () => {
  const total = {};
  for (const { file } of examples()) {
    const text = fs.readFileSync(file, 'utf8');
    const seen = checkLines(file, text, await tokenize(text));
    for (const [k, v] of Object.entries(seen)) total[k] = (total[k] || 0) + v;
  }
  // The examples hold every kind of thing checked above.
  for (const what of ['keyword', 'stage name', 'artifact reference', 'string', 'raw string', 'interpolation', 'comment', 'doc comment', 'path']) {
    assert.ok(total[what] > 0, `no ${what} was checked in the examples`);
  }
});

test('every fixture that msbc parses: the same checks', async () => {
  for (const file of fixtures()) {
    const base = path.basename(file);
    if (base.startsWith('e0001_') || base.startsWith('e0003_')) continue;
    const text = fs.readFileSync(file, 'utf8');
    checkLines(file, text, await tokenize(text));
  }
});

test('no line of an example or fixture has an invalid scope', async () => {
  const files = [...examples().map((e) => e.file), ...fixtures()];
  let checked = 0;
  for (const file of files) {
    const base = path.basename(file);
    if (base.startsWith('e0001_') || base.startsWith('e0003_')) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const t of await tokenize(text)) {
      const bad = t.scopes.find((s) => s.startsWith('invalid'));
      assert.ok(!bad, `${path.relative(ROOT, file)}:${t.line}:${t.column}: ${JSON.stringify(t.text)} is ${bad}`);
    }
    checked++;
  }
  assert.ok(checked > 100, `only ${checked} files were checked`);
});

test('every keyword gets its scope in a program that uses them all', async () => {
  const text = [
    '## An image with every capability.',
    'image tools = "registry.example.com/tools:2.1" { libc glibc }',
    'image other = "registry.example.com/other:2.1" {',
    '  libc none',
    '  shell yes',
    '  passwd no',
    '  user 0',
    '}',
    'image m = "registry.example.com/m:1" { libc musl }',
    'param version: string = "1" required',
    'param flag: bool = true',
    'param off: bool = false',
    'param jobs: int = 4',
    'param mode: enum("a", "b")',
    'base common from tools {',
    '}',
    'builder build from common {',
    '  workdir /src',
    '  env A = "x"',
    '  copy . .',
    '  run "make" cache /c locked',
    '  user 0',
    '  expose 80',
    '  label a.b = "c"',
    '  produce a: exe(static) = /a',
    '  produce b: exe(glibc) = /b',
    '  produce c: exe(musl) = /c',
    '  produce d: file = /d',
    '  produce e: dir = /e',
    '}',
    'default runtime app from tools {',
    '  copy build.a to /a chown 1 chmod 0755',
    '  entrypoint a',
    '  cmd ["x"]',
    '  healthcheck a interval 1s timeout 2s start-period 3s retries 4',
    '}',
  ].join('\n');
  const tokens = await tokenize(text);
  const seen = new Set();
  for (const t of tokens) {
    const scope = KEYWORD_SCOPES[t.text] || (STEPS.includes(t.text) ? 'keyword.other.step' : null);
    if (!scope) continue;
    if (t.text === 'user' && t.scopes.some((s) => s.startsWith('meta.block.capabilities'))) {
      assert.ok(t.scopes.some((s) => s.startsWith('keyword.other.capability')), `user in capabilities: ${t.scopes}`);
    } else {
      assert.ok(
        t.scopes.some((s) => s.startsWith(scope)),
        `line ${t.line}: \`${t.text}\` should have scope ${scope}, has ${t.scopes.join(' ')}`,
      );
    }
    seen.add(t.text);
  }
  for (const word of [...Object.keys(KEYWORD_SCOPES), ...STEPS]) {
    assert.ok(seen.has(word), `\`${word}\` does not occur as a keyword in the test program`);
  }
});
