// A schedule search: run a strategy over the seeds of one shard in worker threads, group the
// failures by kind and signature, save the lowest seeds' failing runs as traces, shrink each
// group's first failure to its few decisions and explain it, and gather lock-order edges and the
// closest call. The result depends only on the inputs: runs finish in any order, but what is kept
// is decided by seed (the lowest seeds of a group, the first failing seed), so any number of
// workers, and any split into shards, give the same result. Stopping (Ctrl-C) lets the runs in
// progress finish and keeps everything found; aborting ends them too.

import { join } from 'node:path';
import { renameSync, writeFileSync } from 'node:fs';
import { ENGINE_VERSION } from '../version';
import { CancelledError, type RunService } from './service';
import type { RunJob, RunRecord } from './execute';
import type { TargetSpec } from './target';
import { targetOf } from './execute';
import { DEFAULT_SCHEDULE, pctBound, strategyLabel, type SearchStrategyName, type StrategySpec } from './strategy';
import { edgeKey, mergeEdges, recountEdges, type LockEdge } from './lockOrder';
import { shardPositions, type Shard } from './shard';
import { shrinkFailure } from './shrink';
import { explain } from './explain';
import { guidedRun, GUIDED_ROUNDS_DEFAULT, type GuidedRun } from './guided';
import { RESULT_FORMAT, RESULT_FORMAT_VERSION, resultFileName, type GroupResult, type SearchResult, type SeedResult, type StrategyInfo, type Witness } from './results';

export interface SearchOptions {
  target: TargetSpec;
  strategy: SearchStrategyName;
  depth: number;
  /** PCT's k (decisions); measured from the default schedule of the first seed when absent */
  decisions_max?: number;
  seed_first: number;
  runs: number;
  shard: Shard;
  until_first: boolean;
  /** where traces and the result file go; null: nowhere */
  out_dir: string | null;
  traces_per_group: number;
  shrink: boolean;
  /** groups shrunk (the first ones by seed) */
  shrink_groups: number;
  signature_frames: number;
  /** guided: deviations a seed's search may add (GUIDED_ROUNDS_DEFAULT) */
  guided_rounds?: number;
}

export interface SearchProgress {
  phase: 'probe' | 'search' | 'save' | 'shrink' | 'done';
  done: number;
  total: number;
  failures: number;
  groups: number;
  message: string;
}

export interface SearchControl {
  /** stop dispatching runs; those in progress finish (first Ctrl-C) */
  stopped: boolean;
}

export interface SearchHooks {
  progress?(p: SearchProgress): void;
  /** a failure of a group not seen before */
  newGroup?(r: RunRecord): void;
  /** milliseconds, for the result's wall figures (engine/ reads no clock; the caller may) */
  clock?(): number;
}

export const TRACES_PER_GROUP_DEFAULT = 3;
export const SHRINK_GROUPS_DEFAULT = 5;

function traceName(targetName: string, strategy: string, seed: number): string {
  return `${targetName.replace(/[^A-Za-z0-9._-]+/g, '_')}-${strategy}-seed${seed}.migtrace`;
}

export async function search(o: SearchOptions, service: RunService, ctl: SearchControl, hooks: SearchHooks = {}): Promise<SearchResult> {
  const clock = hooks.clock ?? (() => 0);
  const t0 = clock();
  const target = targetOf(o.target);
  const positions = shardPositions(o.runs, o.shard);
  const say = (p: Omit<SearchProgress, 'total'> & { total?: number }): void => hooks.progress?.({ total: positions.length, ...p });

  // PCT's k: the decisions of the default schedule on the search's first seed (every shard the same).
  let spec: StrategySpec = { name: 'random' };
  let info: StrategyInfo = { name: 'random', label: 'random' };
  if (o.strategy === 'pct') {
    let k = o.decisions_max;
    if (k === undefined) {
      say({ phase: 'probe', done: 0, failures: 0, groups: 0, message: 'measuring k (the decisions of a run) on the default schedule' });
      k = Math.max(1, (await service.run({ seed: o.seed_first, strategy: DEFAULT_SCHEDULE })).decisions);
    }
    spec = { name: 'pct', depth: o.depth, decisions_max: k };
    info = { name: 'pct', depth: o.depth, decisions_max: k, label: strategyLabel(spec) };
  }
  const rounds = o.guided_rounds ?? GUIDED_ROUNDS_DEFAULT;
  if (o.strategy === 'guided') info = { name: 'guided', rounds, label: `guided by the closest call (the default schedule of each seed, up to ${rounds} deviations)` };
  // Guided: each seed's schedule is the one its search reached.
  const guided = new Map<number, GuidedRun>();
  const specOf = (seed: number): StrategySpec => {
    const g = guided.get(seed);
    return g === undefined ? spec : { name: 'scripted', script: g.script };
  };

  const records = new Map<number, RunRecord>();
  const firstOfGroup = new Map<string, RunRecord>();
  let cutoff = Infinity;
  let failures = 0;
  let next = 0;
  let error: unknown = null;
  const inflightMax = Math.max(2, service.jobs * 2);
  await new Promise<void>((resolve) => {
    let inflight = 0;
    const pump = (): void => {
      while (!ctl.stopped && error === null && inflight < inflightMax && next < positions.length && positions[next] <= cutoff) {
        const p = positions[next++];
        const job: RunJob = { seed: o.seed_first + p, strategy: spec, analyse: true, signature_frames: o.signature_frames };
        inflight++;
        const run = o.strategy === 'guided'
          ? guidedRun(service, job.seed, o.signature_frames, rounds, () => ctl.stopped).then((g) => {
            guided.set(job.seed, g);
            return g.record;
          })
          : service.run(job);
        run.then((r) => {
          inflight--;
          records.set(p, r);
          if (r.failure !== null) {
            failures++;
            if (p < cutoff && o.until_first) cutoff = p;
            const had = firstOfGroup.get(r.failure.group);
            if (had === undefined) hooks.newGroup?.(r);
            if (had === undefined || r.seed < had.seed) firstOfGroup.set(r.failure.group, r);
          }
          say({ phase: 'search', done: records.size, failures, groups: firstOfGroup.size, message: '' });
          pump();
        }, (e: unknown) => {
          inflight--;
          if (!(e instanceof CancelledError)) error ??= e;
          pump();
        });
      }
      if (inflight === 0) resolve();
    };
    pump();
  });
  if (error !== null) throw error;
  let interrupted = ctl.stopped;
  // With --until-first, what ran past the first hit is not part of the result (it depends on timing).
  const kept = [...records.entries()].filter(([p]) => p <= cutoff).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  const complete = !interrupted && kept.length === positions.length;

  const results: SeedResult[] = kept.map((r) => ({
    seed: r.seed, outcome: r.outcome, group: r.failure?.group ?? null, where: r.failure?.where ?? '', decisions: r.decisions, steps: r.steps, time_ns: r.time_ns, close: r.close === null ? null : r.close.value, edges: r.edges.map(edgeKey),
    ...guidedResult(guided.get(r.seed)),
  }));
  const edges = new Map<string, LockEdge>();
  for (const r of kept) mergeEdges(edges, r.edges);
  recountEdges(edges, results);
  const groups = groupsOf(kept);
  countWhere(groups, results);
  const resultDir = o.out_dir;

  // Saved traces: the lowest seeds of each group (also after a stop: what was found is kept).
  if (resultDir !== null && target.recordable) {
    const jobs: { g: GroupResult; seed: number; file: string }[] = [];
    for (const g of groups) {
      for (const r of kept.filter((x) => x.failure?.group === g.group).slice(0, o.traces_per_group)) {
        jobs.push({ g, seed: r.seed, file: traceName(target.name, o.strategy, r.seed) });
      }
    }
    say({ phase: 'save', done: records.size, failures, groups: groups.length, message: `saving ${jobs.length} failing run${jobs.length === 1 ? '' : 's'} as traces` });
    await Promise.all(jobs.map(async (j) => {
      try {
        await service.run({ seed: j.seed, strategy: specOf(j.seed), save: { path: join(resultDir, j.file) } });
        j.g.traces.push({ seed: j.seed, file: j.file });
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }));
    for (const g of groups) g.traces.sort((a, b) => a.seed - b.seed);
  }

  // Shrink each group's first failure (in this shard), explain it, save it.
  if (o.shrink && !ctl.stopped && target.recordable) {
    for (const g of groups.slice(0, o.shrink_groups)) {
      if (ctl.stopped) break;
      say({ phase: 'shrink', done: records.size, failures, groups: groups.length, message: `shrinking group ${g.group} (seed ${g.example.seed})` });
      try {
        g.witness = await witnessOf(service, o, specOf(g.example.seed), g, target.threads, resultDir);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }
  }
  interrupted = ctl.stopped;

  const seconds = (clock() - t0) / 1000;
  // Runs made: a guided search makes several for a seed.
  const runsMade = o.strategy === 'guided' ? [...guided.values()].reduce((n, g) => n + g.runs, 0) : records.size;
  const result: SearchResult = {
    format: RESULT_FORMAT,
    format_version: RESULT_FORMAT_VERSION,
    engine_version: ENGINE_VERSION,
    target: { name: target.name, identity: target.identity, source: o.target.kind === 'scenario' ? o.target.source : target.name },
    strategy: info,
    seeds: { first: o.seed_first, runs: o.runs },
    shard: o.shard,
    signature_frames: o.signature_frames,
    until_first: o.until_first,
    complete: complete && !interrupted,
    interrupted,
    threads: target.threads,
    results,
    groups,
    lock_edges: [...edges.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1)),
    close_call: kept.find((r) => r.close !== null)?.close ?? null,
    wall: { seconds, runs_per_s: seconds > 0 ? runsMade / seconds : 0, jobs: service.jobs },
  };
  if (result.close_call !== null) result.close_call = { measure: result.close_call.measure, fails_at: result.close_call.fails_at };
  say({ phase: 'done', done: records.size, failures, groups: groups.length, message: '' });
  return result;
}

/** What a guided search of one seed adds to its result. */
function guidedResult(g: GuidedRun | undefined): Pick<SeedResult, 'guided'> {
  if (g === undefined) return {};
  return { guided: { deviations: g.script.at.map((d, i) => ({ decision: d, tid: g.script.tid[i] })), runs: g.runs, gave_up: g.gave_up } };
}

/** Hits per place of the migration thread, per group, counted from the seeds (once each). */
export function countWhere(groups: GroupResult[], results: readonly SeedResult[]): void {
  const byGroup = new Map(groups.map((g) => [g.group, g]));
  for (const g of groups) g.where = {};
  for (const r of results) {
    const g = r.group === null ? undefined : byGroup.get(r.group);
    if (g !== undefined && r.where !== '') g.where[r.where] = (g.where[r.where] ?? 0) + 1;
  }
}

/** Failure groups of the kept records, by their first seed. */
function groupsOf(kept: RunRecord[]): GroupResult[] {
  const out = new Map<string, GroupResult>();
  for (const r of kept) {
    const f = r.failure;
    if (f === null) continue;
    let g = out.get(f.group);
    if (g === undefined) {
      const h = r.hang;
      const byTid = new Map((h?.threads ?? []).map((t) => [t.tid, t]));
      g = {
        group: f.group,
        kind: f.kind,
        signature: f.signature,
        where: {},
        example: {
          seed: r.seed,
          summary: h?.summary ?? (r.warnings.find((w) => /final sync/.test(w)) ?? r.reason),
          chain: (h?.chain ?? []).map((l) => `"${byTid.get(l.tid)?.name ?? l.tid}": ${l.waits}, ${l.because}`),
          threads: (h?.threads ?? []).filter((t) => t.involved).map((t) => ({ name: t.name, state: t.state, waits: t.waits, backtrace: t.backtrace })),
        },
        traces: [],
        witness: null,
      };
      out.set(f.group, g);
    }
  }
  return [...out.values()];
}

async function witnessOf(service: RunService, o: SearchOptions, spec: StrategySpec, g: GroupResult, threads: number, dir: string | null): Promise<Witness | null> {
  const seed = g.example.seed;
  const s = await shrinkFailure(service, seed, spec, g.group);
  if (s === null) return null;
  const scripted: StrategySpec = { name: 'scripted', script: s.script };
  const watched = await service.run({ seed, strategy: scripted, watch: s.decision >= 0 ? { decision: s.decision, default_tid: s.default_tid } : undefined, signature_frames: o.signature_frames });
  if (watched.failure?.group !== g.group) throw new Error(`the shrunk schedule of seed ${seed} no longer fails as group ${g.group} does (${watched.outcome}): a determinism bug`);
  const names = watched.thread_names ?? [];
  const explanation = explain(g.kind, watched.hang?.summary ?? watched.reason, watched.hang, watched.window, s.flipped_outcome, s.script.at.length, watched.warnings);
  let trace: string | null = null;
  let matched: boolean | null = null;
  if (dir !== null) {
    const file = traceName(targetOf(o.target).name, `${g.group}-shrunk`, seed);
    const saved = await service.run({ seed, strategy: scripted, save: { path: join(dir, file), explanation: JSON.stringify(explanation), verify: true } });
    trace = file;
    matched = saved.saved?.replay_matched ?? null;
  }
  const depth = s.script.at.length;
  return {
    seed,
    method: s.method,
    deviations: s.script.at.map((d, i) => ({ decision: d, thread: names[s.script.tid[i]] ?? `thread ${s.script.tid[i]}`, tid: s.script.tid[i] })),
    depth,
    decisions: watched.decisions,
    threads,
    pct_bound: pctBound(threads, watched.decisions, Math.max(1, depth)),
    minimal: s.minimal,
    tests: s.tests,
    original_deviations: s.original_deviations,
    critical: s.critical,
    trace,
    replay_matched: matched,
    explanation,
  };
}

export function resultPath(dir: string, shard: Shard): string {
  return join(dir, resultFileName(shard));
}

/** Writes a result file whole: to `<path>.partial`, renamed when complete. */
export function writeResult(path: string, result: SearchResult): void {
  writeFileSync(`${path}.partial`, `${JSON.stringify(result, null, 1)}\n`);
  renameSync(`${path}.partial`, path);
}
