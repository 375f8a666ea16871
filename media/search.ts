// Search by thread, function or lock name (case-insensitive substring), in every trace shown. A
// thread or lock result brings its lane into view; a function result highlights its frames and
// steps through its calls in time order.

import type { TraceModel } from './model';
import { firstAbove } from './lod';

export interface SearchResult {
  kind: 'thread' | 'function' | 'lock';
  trace: number;
  id: number;
  label: string;
  /** calls of a function, holds of a lock */
  count: number;
}

const fnCounts = new WeakMap<TraceModel, Uint32Array>();

/** How many times each function was called (frames), counted once per trace. */
export function functionCounts(m: TraceModel): Uint32Array {
  let n = fnCounts.get(m);
  if (n === undefined) {
    n = new Uint32Array(m.tl.meta.functions.length);
    for (const th of m.threads) {
      for (const tr of th.frames) {
        if (tr < 0) continue;
        const v = m.spans(tr).val;
        for (let i = 0; i < v.length; i++) if (v[i] < n.length) n[v[i]]++;
      }
    }
    fnCounts.set(m, n);
  }
  return n;
}

export function search(models: TraceModel[], query: string, limit = 40): SearchResult[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const out: SearchResult[] = [];
  for (const m of models) {
    const meta = m.tl.meta;
    const tag = models.length > 1 ? `${meta.label}: ` : '';
    meta.threads.forEach((t) => {
      if (t.name.toLowerCase().includes(q)) out.push({ kind: 'thread', trace: m.index, id: t.tid, label: `${tag}thread ${t.name}`, count: 0 });
    });
    meta.mutexes.forEach((name, id) => {
      if (!name.toLowerCase().includes(q)) return;
      const tr = m.holds[id];
      out.push({ kind: 'lock', trace: m.index, id, label: `${tag}mutex ${name}`, count: tr >= 0 ? m.spans(tr).val.length : 0 });
    });
    const counts = functionCounts(m);
    meta.functions.forEach((name, id) => {
      if (name.toLowerCase().includes(q) && counts[id] > 0) out.push({ kind: 'function', trace: m.index, id, label: `${tag}${name}`, count: counts[id] });
    });
  }
  return out.slice(0, limit);
}

/** The first call of `fn` starting after absolute time `after` (any thread), or null. */
export function nextCall(m: TraceModel, fn: number, after: number): { tid: number; depth: number; start: number; end: number } | null {
  let best: { tid: number; depth: number; start: number; end: number } | null = null;
  m.threads.forEach((th, tid) => {
    th.frames.forEach((tr, depth) => {
      if (tr < 0) return;
      const s = m.spans(tr);
      for (let i = firstAbove(s.start, s.start.length, after); i < s.start.length; i++) {
        if (best !== null && s.start[i] >= best.start) break;
        if (s.val[i] === fn) {
          best = { tid, depth, start: s.start[i], end: s.end[i] };
          break;
        }
      }
    });
  });
  return best;
}
