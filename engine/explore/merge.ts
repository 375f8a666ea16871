// Combining the results of shards (or of one search) into the result one unsharded search would
// have given: the same target (identity: scenario as run and engine), engine version, strategy
// (with PCT's k), seed space and signature depth, or the merge is refused; each seed counted once
// (a seed two shard files both hold, as when a file is given twice or shards overlap, must agree
// and is taken once, never counted twice); failure groups, saved traces, witnesses and lock-order
// edges combined so that each keeps what its lowest seed gave. Trace paths, relative to their
// result file, come out relative to where the merge runs.

import { dirname, join } from 'node:path';
import { mergeEdges, recountEdges, type LockEdge } from './lockOrder';
import type { GroupResult, SearchResult, SeedResult } from './results';
import { RESULT_FORMAT } from './results';
import { countWhere } from './search';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

export interface MergedResult {
  result: SearchResult;
  /** the files merged, with their shards */
  parts: { file: string; shard: string; runs: number }[];
  /** seeds of the search space no part ran */
  missing: number;
  /** seeds held by more than one part (counted once) */
  duplicates: number;
}

export interface ResultPart {
  file: string;
  result: SearchResult;
}

function differ(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** Checks that every part comes from the same search; the first difference, in one line. */
export function checkSameSearch(parts: readonly ResultPart[]): void {
  if (parts.length === 0) throw new MergeError('no result files to merge');
  for (const p of parts) {
    if (p.result.format !== RESULT_FORMAT) throw new MergeError(`${p.file} is not a migtrace explore result`);
  }
  const a = parts[0];
  for (const b of parts.slice(1)) {
    const ra = a.result;
    const rb = b.result;
    if (ra.engine_version !== rb.engine_version) throw new MergeError(`${b.file} was made by migtrace engine ${rb.engine_version}, ${a.file} by ${ra.engine_version}: runs of different engines do not merge`);
    if (ra.target.identity !== rb.target.identity) {
      throw new MergeError(`${b.file} and ${a.file} come from different scenarios: "${rb.target.name}" (${rb.target.source}, identity ${rb.target.identity}) vs "${ra.target.name}" (${ra.target.source}, identity ${ra.target.identity})`);
    }
    if (differ(ra.strategy, rb.strategy)) throw new MergeError(`${b.file} ran ${rb.strategy.label}, ${a.file} ${ra.strategy.label}: different strategies do not merge`);
    if (differ(ra.seeds, rb.seeds)) throw new MergeError(`${b.file} searched seeds ${rb.seeds.first}+${rb.seeds.runs}, ${a.file} ${ra.seeds.first}+${ra.seeds.runs}: different seed spaces do not merge`);
    if (ra.signature_frames !== rb.signature_frames || ra.until_first !== rb.until_first) throw new MergeError(`${b.file} and ${a.file} differ in --signature-frames or --until-first`);
  }
}

export function mergeResults(parts: readonly ResultPart[]): MergedResult {
  checkSameSearch(parts);
  const bySeed = new Map<number, { r: SeedResult; file: string }>();
  let duplicates = 0;
  for (const p of parts) {
    for (const r of p.result.results) {
      const had = bySeed.get(r.seed);
      if (had === undefined) bySeed.set(r.seed, { r, file: p.file });
      else {
        if (JSON.stringify(had.r) !== JSON.stringify(r)) throw new MergeError(`seed ${r.seed} ran differently in ${had.file} and ${p.file} (${had.r.outcome} vs ${r.outcome}): not the same inputs`);
        duplicates++;
      }
    }
  }
  const results = [...bySeed.values()].map((x) => x.r).sort((a, b) => a.seed - b.seed);
  const groups = new Map<string, GroupResult>();
  for (const p of parts) {
    const dir = dirname(p.file);
    for (const g of p.result.groups) {
      const witness = g.witness === null ? null : { ...g.witness, trace: g.witness.trace === null ? null : join(dir, g.witness.trace) };
      const traces = g.traces.map((t) => ({ seed: t.seed, file: join(dir, t.file) }));
      const had = groups.get(g.group);
      if (had === undefined) {
        groups.set(g.group, { ...g, traces, witness });
        continue;
      }
      for (const t of traces) if (!had.traces.some((x) => x.seed === t.seed)) had.traces.push(t);
      if (g.example.seed < had.example.seed) {
        had.example = g.example;
        had.witness = witness;
      } else if (g.example.seed === had.example.seed && had.witness === null) {
        had.witness = witness;
      }
    }
  }
  const groupList = [...groups.values()].sort((a, b) => a.example.seed - b.example.seed);
  countWhere(groupList, results);
  const perGroup = Math.max(0, ...parts.flatMap((p) => p.result.groups.map((g) => g.traces.length)));
  for (const g of groupList) {
    g.traces.sort((a, b) => a.seed - b.seed);
    g.traces = g.traces.slice(0, Math.max(perGroup, 1));
  }
  const edges = new Map<string, LockEdge>();
  for (const p of parts) mergeEdges(edges, p.result.lock_edges);
  recountEdges(edges, results);
  const first = parts[0].result;
  const missing = first.until_first ? 0 : first.seeds.runs - results.length;
  return {
    result: {
      ...first,
      shard: { index: 0, count: 1, from: 'none' },
      complete: parts.every((p) => p.result.complete) && missing === 0,
      interrupted: parts.some((p) => p.result.interrupted),
      results,
      groups: groupList,
      lock_edges: [...edges.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1)),
      close_call: parts.find((p) => p.result.close_call !== null)?.result.close_call ?? null,
      wall: {
        seconds: Math.max(...parts.map((p) => p.result.wall.seconds)),
        runs_per_s: parts.reduce((t, p) => t + p.result.wall.runs_per_s, 0),
        jobs: parts.reduce((t, p) => t + p.result.wall.jobs, 0),
      },
    },
    parts: parts.map((p) => ({ file: p.file, shard: `${p.result.shard.index}/${p.result.shard.count}`, runs: p.result.results.length })),
    missing,
    duplicates,
  };
}
