// Checks a scenario (parsed JSON) against SCENARIO_SCHEMA. Every problem is reported with the
// field's path, the value found and what is allowed; all problems are collected, not just the
// first, so one edit can fix them all.

import { SCENARIO_SCHEMA, type SchemaNode } from './schema';
import { parseSize } from './units';
import { closestName } from '../util/closest';

export interface ScenarioProblem {
  path: string;
  message: string;
}

export class ScenarioError extends Error {
  constructor(readonly source: string, readonly problems: ScenarioProblem[]) {
    // One problem: one line. Several: one line each, so one edit can fix them all.
    super(problems.length === 1 ? `${source}: invalid scenario: ${problems[0].path ? `${problems[0].path}: ` : ''}${problems[0].message}` : `${source}: invalid scenario (${problems.length} problems):\n${problems.map((p) => `  ${p.path || '(top level)'}: ${p.message}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function humanBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 && n === 1 ? '1 byte' : `${+n.toFixed(2)} ${units[i]}`;
}

function check(node: SchemaNode, v: unknown, path: string, out: ScenarioProblem[]): void {
  if (node['x-size'] !== undefined) {
    const rule = node['x-size'];
    const bytes = parseSize(v, rule);
    if (typeof bytes === 'string') {
      out.push({ path, message: `${bytes}` });
      return;
    }
    const { min, max } = rule;
    if (bytes < min || bytes > max) {
      // A JSON number for -m's field is bytes: say so when it looks like MiB were meant.
      const hint = typeof v === 'number' && rule.default_suffix === 'M' && bytes < min ? `; a number here counts bytes (as QMP's sizes do): for ${v} MiB write "${v}" or "${v}M", as QEMU's -m reads it` : '';
      out.push({ path, message: `${show(v)} is ${humanBytes(bytes)}, outside the allowed ${humanBytes(min)} to ${humanBytes(max)}${hint}` });
    }
    return;
  }
  switch (node.type) {
    case 'object': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        out.push({ path, message: `must be an object, got ${show(v)}` });
        return;
      }
      const props = node.properties ?? {};
      const o = v as Record<string, unknown>;
      for (const r of node.required ?? []) {
        if (!(r in o)) out.push({ path: path ? `${path}.${r}` : r, message: `required field missing${props[r]?.description ? ` (${props[r].description})` : ''}` });
      }
      for (const [key, val] of Object.entries(o)) {
        const sub = props[key];
        const p = path ? `${path}.${key}` : key;
        if (sub === undefined) {
          if (node.additionalProperties === false) {
            const near = closestName(key, Object.keys(props));
            out.push({ path: p, message: `unknown field${near ? ` (did you mean "${near}"?)` : ''}; allowed here: ${Object.keys(props).filter((k) => k !== '$schema').join(', ')}` });
          }
          continue;
        }
        check(sub, val, p, out);
      }
      return;
    }
    case 'string':
      if (typeof v !== 'string') {
        out.push({ path, message: `must be a string, got ${show(v)}` });
        return;
      }
      if (node.enum !== undefined && !node.enum.includes(v)) out.push({ path, message: `must be one of ${node.enum.join(', ')}; got ${show(v)}` });
      return;
    case 'boolean':
      if (typeof v !== 'boolean') out.push({ path, message: `must be true or false, got ${show(v)}` });
      return;
    case 'array': {
      if (!Array.isArray(v)) {
        out.push({ path, message: `must be a list, got ${show(v)}` });
        return;
      }
      if (node.maxItems !== undefined && v.length > node.maxItems) out.push({ path, message: `holds ${v.length} items, at most ${node.maxItems} are allowed` });
      if (node.uniqueItems) {
        const seen = new Set<string>();
        v.forEach((x, i) => {
          const key = JSON.stringify(x);
          if (seen.has(key)) out.push({ path: `${path}[${i}]`, message: `${show(x)} appears twice` });
          seen.add(key);
        });
      }
      if (node.items !== undefined) v.forEach((x, i) => check(node.items as SchemaNode, x, `${path}[${i}]`, out));
      return;
    }
    case 'integer':
    case 'number': {
      const isInt = node.type === 'integer';
      if (typeof v !== 'number' || !Number.isFinite(v) || (isInt && !Number.isInteger(v))) {
        out.push({ path, message: `must be ${isInt ? 'an integer' : 'a number'} in ${node.minimum} to ${node.maximum}, got ${show(v)}` });
        return;
      }
      if ((node.minimum !== undefined && v < node.minimum) || (node.maximum !== undefined && v > node.maximum)) {
        out.push({ path, message: `${v} is outside the allowed ${node.minimum} to ${node.maximum}` });
      }
      return;
    }
    default:
      return;
  }
}

/** Problems with `value` as a scenario; empty when it is valid. */
export function validateScenario(value: unknown): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  check(SCENARIO_SCHEMA, value, '', out);
  return out;
}

/** Parses scenario text, naming the line and column of a JSON syntax error. */
export function parseScenarioText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    let where = '';
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${col}`;
    }
    throw new ScenarioError(source, [{ path: '', message: `not valid JSON${where}: ${msg}` }]);
  }
}

/**
 * Checks the key path of a `--set key.path=value` override against the schema: null if the path
 * names a field, else what is wrong with it ("did you mean" for a mistyped key).
 */
export function setKeyProblem(keys: readonly string[]): string | null {
  let node: SchemaNode = SCENARIO_SCHEMA;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const where = i === 0 ? 'a scenario' : `"${keys.slice(0, i).join('.')}"`;
    if (node.type !== 'object' || node.properties === undefined) {
      return `"${keys.slice(0, i).join('.')}" is ${node.type === 'array' ? 'a list' : `a ${node['x-size'] !== undefined ? 'size' : (node.type ?? 'value')}`}, it has no field "${k}"`;
    }
    const sub: SchemaNode | undefined = node.properties[k];
    if (sub === undefined) {
      const known = Object.keys(node.properties).filter((x) => x !== '$schema');
      const near = closestName(k, known);
      return `${where} has no field "${k}"${near ? ` (did you mean "${[...keys.slice(0, i), near].join('.')}"?)` : ''}; its fields: ${known.join(', ')}`;
    }
    node = sub;
  }
  return null;
}
