// Lock-order analysis across every explored run, after lockdep (Documentation/locking/
// lockdep-design.rst): an edge L1 → L2 whenever a thread takes L2 while holding L1, remembered
// with the stack that formed it the first time; a cycle in the union of all runs' edges is a
// possible deadlock even if no run deadlocked, because each edge needed to happen only once, in
// any run. Locks are named by their instance names (the model has few locks and names each).

import type { Kernel } from '../sim/kernel';
import { NullObserver } from '../sim/observer';

export interface LockEdge {
  from: string;
  to: string;
  /** the lowest seed whose run formed the edge, and how it did */
  seed: number;
  thread: string;
  /** the function that took `from`, and the backtrace when it did, innermost first */
  from_site: string;
  from_stack: string[];
  /** backtrace when `to` was taken with `from` held, innermost first */
  stack: string[];
  /** runs that formed it */
  runs: number;
}

/** Watches one run's acquisitions; a few map lookups per acquisition made with another lock held. */
export class LockOrderObserver extends NullObserver {
  private readonly seen = new Map<number, LockEdge>();
  /** per "tid mutex": the function ids of the stack that took it (kept for the edges it may form) */
  private readonly took = new Map<number, number[]>();
  constructor(private readonly k: () => Kernel, private readonly seed: number) {
    super();
  }

  override lockAcquire(mutex: number, tid: number): void {
    const k = this.k();
    const th = k.s.threads[tid];
    const fns: number[] = new Array(th.stack.length);
    for (let i = 0; i < fns.length; i++) fns[i] = th.stack[i].fn;
    this.took.set(tid * 65536 + mutex, fns);
    const held = th.held;
    if (held.length < 2) return;
    for (let i = 0; i < held.length - 1; i++) {
      const h = held[i];
      if (h === mutex) continue;
      const key = h * 65536 + mutex;
      if (this.seen.has(key)) continue;
      const hm = k.s.mutexes[h];
      const site = hm.sites[hm.owner_site];
      this.seen.set(key, {
        from: hm.name,
        to: k.s.mutexes[mutex].name,
        seed: this.seed,
        thread: th.name,
        from_site: site === undefined ? '?' : k.program.name(site.fn),
        from_stack: (this.took.get(tid * 65536 + h) ?? []).map((fn) => k.program.name(fn)).reverse(),
        stack: th.stack.map((f) => k.program.name(f.fn)).reverse(),
        runs: 1,
      });
    }
  }

  edges(): LockEdge[] {
    return [...this.seen.values()];
  }
}

export const edgeKey = (e: { from: string; to: string }): string => `${e.from}>${e.to}`;

/** Adds one run's edges to the union: the lowest seed's example is kept, runs are counted. */
export function mergeEdges(into: Map<string, LockEdge>, edges: readonly LockEdge[]): void {
  for (const e of edges) {
    const key = edgeKey(e);
    const had = into.get(key);
    if (had === undefined) into.set(key, { ...e, stack: e.stack.slice(), from_stack: e.from_stack.slice() });
    else {
      const runs = had.runs + e.runs;
      if (e.seed < had.seed) into.set(key, { ...e, stack: e.stack.slice(), from_stack: e.from_stack.slice(), runs });
      else had.runs = runs;
    }
  }
}

/** Runs per edge, counted from the seeds that formed it (each seed once). */
export function recountEdges(edges: Map<string, LockEdge>, results: readonly { edges: readonly string[] }[]): void {
  for (const e of edges.values()) e.runs = 0;
  for (const r of results) for (const k of r.edges) { const e = edges.get(k); if (e !== undefined) e.runs++; }
}

export interface LockCycle {
  /** locks in cycle order, the smallest name first */
  locks: string[];
  /** edges[i] is locks[i] → locks[(i + 1) % n] */
  edges: LockEdge[];
}

/** Every simple cycle of the lock-order graph (up to `max_len` locks), each once. */
export function lockCycles(edges: Iterable<LockEdge>, max_len = 6): LockCycle[] {
  const out = new Map<string, LockEdge[]>();
  for (const e of edges) {
    const list = out.get(e.from);
    if (list === undefined) out.set(e.from, [e]);
    else list.push(e);
  }
  for (const list of out.values()) list.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const names = [...out.keys()].sort();
  const cycles: LockCycle[] = [];
  // Each cycle is found from its smallest lock, through locks greater than it only.
  for (const start of names) {
    const path: LockEdge[] = [];
    const onPath = new Set<string>([start]);
    const walk = (at: string): void => {
      for (const e of out.get(at) ?? []) {
        if (e.to === start) {
          cycles.push({ locks: [start, ...path.map((p) => p.to)], edges: [...path, e] });
        } else if (e.to > start && !onPath.has(e.to) && path.length + 1 < max_len) {
          onPath.add(e.to);
          path.push(e);
          walk(e.to);
          path.pop();
          onPath.delete(e.to);
        }
      }
    };
    walk(start);
  }
  return cycles;
}

/** lockdep's splat for one cycle, with each edge's acquisition stack and the unsafe scenario. */
export function formatLockCycle(c: LockCycle, deadlocked_runs: number): string {
  const lines: string[] = [];
  lines.push(`WARNING: possible circular locking dependency detected${deadlocked_runs === 0 ? ' (no explored run deadlocked on it)' : ''}`);
  lines.push(`Chain exists of: ${[...c.locks, c.locks[0]].join(' --> ')}`);
  lines.push('');
  lines.push('the existing dependency chain (each edge as first formed):');
  c.edges.forEach((e, i) => {
    lines.push(`-> #${c.edges.length - 1 - i} (${e.to}) taken while holding ${e.from}: thread "${e.thread}", seed ${e.seed} (${e.runs} run${e.runs === 1 ? '' : 's'})`);
    lines.push(`     ${e.from} acquired at:`);
    for (const f of e.from_stack) lines.push(`       ${f}`);
    lines.push(`     ${e.to} acquired at, ${e.from} held:`);
    for (const f of e.stack) lines.push(`       ${f}`);
  });
  if (c.edges.length === 2) {
    const [a, b] = c.locks;
    const pad = 32;
    lines.push('');
    lines.push(' Possible unsafe locking scenario:');
    lines.push(`       ${'CPU0'.padEnd(pad)}CPU1`);
    lines.push(`       ${'----'.padEnd(pad)}----`);
    lines.push(`       lock(${a});`);
    lines.push(`       ${''.padEnd(pad)}lock(${b});`);
    lines.push(`       ${''.padEnd(pad)}lock(${a});`);
    lines.push(`       lock(${b});`);
    lines.push('');
    lines.push(' *** DEADLOCK ***');
  }
  return lines.join('\n');
}
