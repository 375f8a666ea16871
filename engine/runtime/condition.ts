// Breakpoint conditions and hit counts: a small language of comparisons joined by && and ||, over
// the variables a stop offers (`wait > 100ms`, `holder == migration`, `remaining < 1G &&
// iteration >= 3`). Times take ns/us/ms/s, sizes QEMU's binary K/M/G/T; a bare word is a string.
// Parsed once when the breakpoint is set, so a mistake is reported then, naming the nearest
// variable, and never when the run gets there.

import { closestName } from '../util/closest';

export type Value = number | string | boolean;
export type Lookup = (name: string) => Value | undefined;

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
interface Cmp { name: string; op: Op; value: Value }
/** OR of ANDs */
export interface Condition { text: string; any: Cmp[][] }

export class ConditionError extends Error {}

const UNITS: Record<string, number> = {
  ns: 1, us: 1e3, ms: 1e6, s: 1e9,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
  '%': 1,
};

function parseValue(text: string): Value {
  const t = text.trim();
  if (/^".*"$|^'.*'$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  const m = /^(-?\d+(?:\.\d+)?)\s*([a-zA-Z%]*)$/.exec(t);
  if (m !== null) {
    const unit = m[2].toLowerCase();
    if (unit === '') return Number(m[1]);
    const mul = UNITS[unit];
    if (mul === undefined) throw new ConditionError(`unknown unit "${m[2]}" in "${t}" (times: ns, us, ms, s; sizes: K, M, G, T)`);
    return Number(m[1]) * mul;
  }
  if (t === '') throw new ConditionError('a comparison is missing its value');
  return t;
}

/** Parses `text` against the variable names a stop will offer. */
export function parseCondition(text: string, names: readonly string[]): Condition {
  const any: Cmp[][] = [];
  for (const alt of text.split('||')) {
    const all: Cmp[] = [];
    for (const part of alt.split('&&')) {
      const m = /^\s*([A-Za-z_][\w.-]*)\s*(==|!=|<=|>=|<|>|=)\s*(.*?)\s*$/.exec(part);
      if (m === null) throw new ConditionError(`"${part.trim()}" is not a comparison such as "wait > 100ms" or "holder == migration"`);
      const name = m[1];
      if (!names.includes(name)) {
        const near = closestName(name, names, 3);
        throw new ConditionError(`no variable "${name}" here${near ? ` (did you mean "${near}"?)` : ''}; known: ${names.join(', ')}`);
      }
      all.push({ name, op: (m[2] === '=' ? '==' : m[2]) as Op, value: parseValue(m[3]) });
    }
    any.push(all);
  }
  return { text, any };
}

function compare(a: Value, op: Op, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') {
    // Strings compare loosely: "migration" matches the thread "migration" and "mig/src/main" by role too.
    const x = String(a).toLowerCase();
    const y = String(b).toLowerCase();
    if (op === '==') return x === y;
    if (op === '!=') return x !== y;
    return false;
  }
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
  }
}

export function evalCondition(c: Condition, get: Lookup, alias: (name: string, v: Value) => Value[] = (_n, v) => [v]): boolean {
  return c.any.some((all) => all.every((cmp) => {
    const v = get(cmp.name);
    if (v === undefined) return false;
    // A variable may have several spellings (a thread's name and its role): any may match.
    const forms = alias(cmp.name, v);
    return cmp.op === '!=' ? forms.every((f) => compare(f, cmp.op, cmp.value)) : forms.some((f) => compare(f, cmp.op, cmp.value));
  }));
}

/** DAP hit conditions: "5" (the 5th hit), "== 5", ">= 5", "> 5", "% 5" (every 5th). */
export interface HitCondition { op: '==' | '>=' | '>' | '%'; n: number }

export function parseHitCondition(text: string): HitCondition {
  const m = /^\s*(==|>=|>|%)?\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new ConditionError(`hit count "${text}" is not a number or "== N", ">= N", "> N", "% N"`);
  return { op: (m[1] ?? '==') as HitCondition['op'], n: Number(m[2]) };
}

export function hitMatches(h: HitCondition, hits: number): boolean {
  switch (h.op) {
    case '==': return hits === h.n;
    case '>=': return hits >= h.n;
    case '>': return hits > h.n;
    case '%': return h.n > 0 && hits % h.n === 0;
  }
}
