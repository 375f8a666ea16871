// The layer rule of DESIGN.md as an eslint plugin: which folder of engine/ may import which, and no
// import cycles anywhere in engine/, extension/ or media/. The arrows run one way:
//   sim ← model ← scenario ← runtime ← explore ← cli;  trace on sim;  qemu on trace;
// engine/qapi (QEMU's QAPI types), engine/util and engine/version.ts depend on nothing and anyone
// may import them. media/ (the webview) imports engine/ but never extension/ (the host).
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const BASE = ['qapi', 'util', 'version'];
/** engine folder → the engine folders it may import (besides itself and BASE). */
export const ENGINE_LAYERS = {
  sim: [],
  qapi: [],
  util: [],
  version: [],
  model: ['sim'],
  scenario: ['sim', 'model'],
  trace: ['sim'],
  runtime: ['sim', 'model', 'scenario', 'trace'],
  explore: ['sim', 'model', 'scenario', 'trace', 'runtime'],
  qemu: ['sim', 'trace'],
  cli: ['sim', 'model', 'scenario', 'trace', 'runtime', 'explore', 'qemu'],
};
/** Imports allowed for types only (no code runs across them). */
const TYPE_ONLY = { qemu: ['model', 'scenario'] };

function layerOf(root, file) {
  const rel = relative(root, file).split(sep);
  if (rel[0] === 'engine') {
    if (rel.length === 2) return { top: 'engine', layer: rel[1].replace(/\.ts$/, '') };
    return { top: 'engine', layer: rel[1] };
  }
  return { top: rel[0], layer: '' };
}

function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(fromFile), spec);
  for (const cand of [base, `${base}.ts`, `${base}.js`, `${base}.mjs`, join(base, 'index.ts')]) {
    if (existsSync(cand) && statSync(cand).isFile()) return cand;
  }
  return null;
}

// Value imports of each file, read from disk once per lint run (type-only imports make no cycle
// at run time, so they are left out of the graph).
const graphCache = new Map();
const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
function valueImportsOf(file) {
  let deps = graphCache.get(file);
  if (deps !== undefined) return deps;
  deps = [];
  graphCache.set(file, deps);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return deps;
  }
  for (const m of text.matchAll(IMPORT_RE)) {
    if (m[2]) continue;
    const target = resolveImport(file, m[3]);
    if (target !== null && target.endsWith('.ts')) deps.push(target);
  }
  return deps;
}

/** A cycle through `file` (a list of files ending where it starts), or null. */
function cycleThrough(file, firstDeps) {
  const stack = [{ f: file, deps: firstDeps, i: 0 }];
  const onPath = new Set([file]);
  const done = new Set();
  let steps = 0;
  while (stack.length > 0) {
    if (++steps > 200000) return null; // bounded: a graph this size has no more than this many edges
    const top = stack[stack.length - 1];
    if (top.i >= top.deps.length) {
      stack.pop();
      onPath.delete(top.f);
      done.add(top.f);
      continue;
    }
    const next = top.deps[top.i++];
    if (next === file) return [...stack.map((s) => s.f), file];
    if (onPath.has(next) || done.has(next)) continue;
    onPath.add(next);
    stack.push({ f: next, deps: valueImportsOf(next), i: 0 });
  }
  return null;
}

const layers = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{what}}', cycle: '{{what}}' } },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const here = layerOf(root, file);
    const ownDeps = [];
    function check(node, spec, typeOnly) {
      const target = resolveImport(file, spec);
      if (target === null) return;
      if (!typeOnly && target.endsWith('.ts')) ownDeps.push(target);
      const there = layerOf(root, target);
      if (here.top === 'engine' && there.top !== 'engine') {
        context.report({ node, messageId: 'layer', data: { what: `engine/ must not import ${there.top}/ (DESIGN.md dependency rule)` } });
        return;
      }
      if (here.top === 'media' && there.top === 'extension') {
        context.report({ node, messageId: 'layer', data: { what: 'media/ (the webview) must not import extension/ (the extension host)' } });
        return;
      }
      if (here.top !== 'engine' || there.top !== 'engine') return;
      if (here.layer === there.layer || BASE.includes(there.layer)) return;
      const allowed = ENGINE_LAYERS[here.layer];
      if (allowed === undefined) {
        context.report({ node, messageId: 'layer', data: { what: `engine/${here.layer} is not a known layer; add it to scripts/eslint-layers.mjs with its arrows` } });
        return;
      }
      if (allowed.includes(there.layer)) return;
      if (typeOnly && (TYPE_ONLY[here.layer] ?? []).includes(there.layer)) return;
      context.report({ node, messageId: 'layer', data: { what: `engine/${here.layer} must not import engine/${there.layer} (it may import ${[...allowed, ...BASE].join(', ') || 'nothing'}; DESIGN.md: sim ← model ← scenario ← runtime ← explore ← cli, trace on sim, qemu on trace)` } });
    }
    return {
      ImportDeclaration(node) {
        check(node, node.source.value, node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type')));
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, node.exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, node.exportKind === 'type');
      },
      'Program:exit'(node) {
        if (ownDeps.length === 0) return;
        graphCache.set(file, ownDeps);
        const cyc = cycleThrough(file, ownDeps);
        if (cyc !== null) {
          context.report({ node, messageId: 'cycle', data: { what: `import cycle: ${cyc.map((f) => relative(root, f)).join(' → ')}` } });
        }
      },
    };
  },
};

export default { rules: { layers } };
