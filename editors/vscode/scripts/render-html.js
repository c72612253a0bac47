// Renders an msb file as HTML coloured by the TextMate grammar, with the
// colours of VS Code's Dark+ theme: for editors/screenshot.png (see
// scripts/screenshot.sh).
//
//   node scripts/render-html.js FILE.msb > out.html
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { tokenize } = require('../test/tokenize');

// Scope prefix -> colour (and style), the most specific prefix wins.
const THEME = {
  comment: '#6A9955',
  'comment.line.documentation': '#6A9955;font-style:italic',
  keyword: '#569CD6',
  'keyword.other.step': '#C586C0',
  'keyword.operator': '#D4D4D4',
  storage: '#569CD6',
  'entity.name.type': '#4EC9B0',
  'entity.other.inherited-class': '#4EC9B0',
  'entity.other.attribute-name': '#9CDCFE',
  variable: '#9CDCFE',
  string: '#CE9178',
  'string.unquoted.path': '#D7BA7D',
  'constant.character.escape': '#D7BA7D',
  'punctuation.definition.interpolation': '#569CD6',
  'constant.numeric': '#B5CEA8',
  'constant.language': '#569CD6',
  'constant.other.user': '#B5CEA8',
  'support.type': '#4EC9B0',
  'support.constant': '#4FC1FF',
};

function style(scopes) {
  for (const scope of [...scopes].reverse()) {
    const parts = scope.split('.');
    for (let n = parts.length; n > 0; n--) {
      const key = parts.slice(0, n).join('.');
      if (THEME[key]) return `color:${THEME[key]}`;
    }
  }
  return '';
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function main() {
  const file = process.argv[2];
  const text = fs.readFileSync(file, 'utf8').replace(/\n$/, '');
  const lines = text.split(/\r?\n/).map(() => []);
  for (const t of await tokenize(text)) {
    const css = style(t.scopes);
    lines[t.line - 1].push(css ? `<span style="${css}">${escape(t.text)}</span>` : escape(t.text));
  }
  const body = lines
    .map((parts, i) => `<span class="n">${i + 1}</span>${parts.join('')}`)
    .join('\n');
  process.stdout.write(`<!doctype html>
<meta charset="utf-8">
<title>${escape(path.basename(file))}</title>
<style>
  html, body { margin: 0; background: #1E1E1E; }
  .tab { font: 13px sans-serif; color: #FFFFFF; background: #1E1E1E; padding: 8px 16px;
         border-bottom: 1px solid #333; }
  pre { margin: 0; padding: 12px 16px; color: #D4D4D4;
        font: 14px/1.5 "DejaVu Sans Mono", monospace; }
  .n { display: inline-block; width: 2.5em; margin-right: 1.5em; text-align: right; color: #858585; }
</style>
<div class="tab">${escape(file)}</div>
<pre>${body}</pre>
`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
