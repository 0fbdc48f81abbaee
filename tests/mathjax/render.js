#!/usr/bin/env node
// Render TeX with MathJax 3 (mathjax-full, the engine Jupyter uses) and report errors.
//
// stdin:  JSON list of {"id": str, "tex": str, "display": bool, "doc"?: str}
// stdout: JSON list of {"id": str, "ok": bool, "error": str|null}, in input order.
//
// Unlike Jupyter, `noerrors` and `noundefined` are NOT loaded, so TeX errors and
// undefined macros (`\foo`) become errors here instead of red text on the page.
// Expressions sharing a "doc" value share one TeX input jax, so a \newcommand defined
// earlier in a notebook is visible later in it (as in Jupyter) but not in other notebooks.
'use strict';

const fs = require('fs');
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');
require('mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js');

// Jupyter itself loads AllPackages (plus noerrors/noundefined); we check a portable subset.
const PACKAGES = ['base', 'ams', 'newcommand'];

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);

let texError = null; // message of the last TeX error, set by formatError

function makeDocument() {
  const tex = new TeX({
    packages: PACKAGES,
    formatError(jax, err) {
      texError = err.message;
      return jax.formatError(err); // still an <merror>, also caught below
    },
  });
  return mathjax.document('', {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});
}

const documents = new Map();

function render(item) {
  const key = item.doc || '';
  if (!documents.has(key)) documents.set(key, makeDocument());
  texError = null;
  try {
    const node = documents.get(key).convert(item.tex, {display: Boolean(item.display)});
    const html = adaptor.outerHTML(node);
    const merror = html.match(/data-mjx-error="([^"]*)"/);
    if (texError !== null) return texError;
    if (merror || html.includes('data-mml-node="merror"')) {
      return merror ? merror[1] : 'merror node in output';
    }
    return null;
  } catch (err) {
    return `${err && err.message ? err.message : err}`;
  }
}

function main() {
  const items = JSON.parse(fs.readFileSync(0, 'utf8'));
  if (!Array.isArray(items)) throw new Error('stdin must be a JSON list');
  const results = items.map((item) => {
    const error = render(item);
    return {id: item.id, ok: error === null, error};
  });
  process.stdout.write(JSON.stringify(results) + '\n');
}

main();
