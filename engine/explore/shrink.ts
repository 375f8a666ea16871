// Shrinking a failing schedule to the few decisions that matter, relative to the default schedule
// (engine/sim/scheduler.ts, `scripted`: the thread ready longest runs, until it blocks, sleeps,
// computes or yields). A schedule is written as its deviations from the default: the decisions
// where another ready thread runs.
//
// A failing random schedule deviates at thousands of decisions, and the model is chaotic in them:
// reordering two steps reorders the seeded jitter draws, so the run after a change differs
// everywhere, and classic delta debugging over the deviations (ddmin) wanders. So:
//  1. the critical decision: the smallest k such that the failing schedule's first k decisions,
//     then the default schedule, still fail the same way (binary search). Decision k−1 made the
//     difference there: taking the default at it avoids the failure;
//  2. transplant: find the same choice in the default schedule's own run, at a decision where the
//     same threads stand at the same statements, ranked by how much of what followed the critical
//     decision follows there too, and try the default schedule with that single deviation;
//  3. if no transplant fails the same way, fall back to ddmin over the prefix's deviations with a
//     budget of runs, and report what it reached (with its size: honest, not small).
// The result is checked: the witness fails the same way, and each of its deviations, taken back,
// avoids the failure (1-minimal). Parallel runs are taken in a fixed order, so the result does not
// depend on how many workers ran them.

import type { RunService } from './service';
import type { RunJob, RunRecord } from './execute';
import type { StrategySpec, Script } from './strategy';
import { DEFAULT_SCHEDULE } from './strategy';
import { deviationsOf, type Decisions } from './capture';
import { normalise } from './signature';

export interface ShrinkResult {
  /** the witness: deviations from the default schedule */
  script: Script;
  /** how it was reached */
  method: 'default-fails' | 'transplant' | 'ddmin' | 'prefix';
  /** the decision that made the difference (index in the witness run), and who the default runs there */
  decision: number;
  default_tid: number;
  /** the outcome of the witness with that decision taken back (the default choice) */
  flipped_outcome: string;
  /** each deviation taken back avoids the failure */
  minimal: boolean;
  /** runs made while shrinking */
  tests: number;
  /** the failing schedule's deviations, for scale */
  original_deviations: number;
  /** the critical decision in the failing schedule */
  critical: { decision: number; time_ns: number };
}

export interface ShrinkOptions {
  /** transplant candidates tried */
  candidates_max?: number;
  /** ddmin's budget of runs */
  ddmin_runs_max?: number;
}

const CANDIDATES_MAX = 48;
const DDMIN_RUNS_MAX = 120;
/** decisions after the critical one compared when ranking transplant candidates */
const WINDOW_DECISIONS = 8;

function prefixOf(dev: Script, k: number): Script {
  let n = 0;
  while (n < dev.at.length && dev.at[n] < k) n++;
  return { at: dev.at.slice(0, n), tid: dev.tid.slice(0, n) };
}

function without(s: Script, j: number): Script {
  return { at: s.at.filter((_, i) => i !== j), tid: s.tid.filter((_, i) => i !== j) };
}

/** A ready thread's place, "tid:fn:pc", with the thread named by its kind (send_0 and send_2 alike). */
function placeOf(d: Decisions, entry: string): string {
  const colon = entry.indexOf(':');
  const tid = Number(entry.slice(0, colon));
  return `${normalise(d.names[tid] ?? entry.slice(0, colon))}${entry.slice(colon)}`;
}

function tidOf(entry: string): number {
  return Number(entry.slice(0, entry.indexOf(':')));
}

/**
 * Where the threads stood at decision i and where the threads that ran in the next decisions
 * stood, by kind of thread: the ranking's evidence. What follows a decision tells which one it is
 * (the last packet of a round is followed by the sync; the others are not).
 */
function windowOf(d: Decisions, i: number): Set<string> {
  const w = new Set<string>();
  for (const x of d.ctx[i].split(',')) w.add(placeOf(d, x));
  for (let j = i + 1; j < d.tid.length && j <= i + WINDOW_DECISIONS; j++) w.add(placeOf(d, d.at[j]));
  return w;
}

export async function shrinkFailure(
  service: RunService,
  seed: number,
  strategy: StrategySpec,
  group: string,
  o: ShrinkOptions = {},
): Promise<ShrinkResult | null> {
  // Runs counted as a one-worker search would make them, so the count does not depend on J.
  let tests = 0;
  const run = async (job: RunJob): Promise<RunRecord> => {
    tests++;
    return service.run(job);
  };
  /** The first of `list` (in order) whose run fails the same way, run J at a time. */
  const firstFailing = async (list: Script[]): Promise<number> => {
    for (let b = 0; b < list.length; b += service.jobs) {
      const batch = list.slice(b, b + service.jobs);
      const rs = await Promise.all(batch.map((s) => service.run({ seed, strategy: scripted(s) })));
      const hit = rs.findIndex(fails);
      if (hit >= 0) {
        tests += hit + 1;
        return b + hit;
      }
      tests += batch.length;
    }
    return -1;
  };
  const fails = (r: RunRecord): boolean => r.failure?.group === group;
  const scripted = (script: Script): StrategySpec => ({ name: 'scripted', script });

  const [orig, dflt] = await Promise.all([run({ seed, strategy, capture: true }), run({ seed, strategy: DEFAULT_SCHEDULE, capture: true })]);
  if (!fails(orig) || orig.capture === null || dflt.capture === null) return null;
  const R = orig.capture;
  const D = dflt.capture;
  const dev = deviationsOf(R);
  if (fails(dflt)) {
    return { script: { at: [], tid: [] }, method: 'default-fails', decision: -1, default_tid: -1, flipped_outcome: dflt.outcome, minimal: true, tests, original_deviations: dev.at.length, critical: { decision: -1, time_ns: 0 } };
  }

  // 1. The critical decision: P(k) = the first k decisions as recorded, then the default.
  let lo = 0;
  let hi = R.tid.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fails(await run({ seed, strategy: scripted(prefixOf(dev, mid)) }))) hi = mid;
    else lo = mid;
  }
  const c = hi - 1;
  const critical = { decision: c, time_ns: R.time_ns[c] };

  // 2. Transplant the critical choice into the default schedule's own run: a decision where a
  // thread of the same kind stands at the same statement, ranked by how much of what the others
  // did around the critical decision they do there too (the same context counts once more).
  const wr = windowOf(R, c);
  const wantPlace = placeOf(R, R.at[c]);
  const ctxR = R.ctx[c].split(',').map((x) => placeOf(R, x)).sort().join(',');
  const cands: { i: number; tid: number; score: number; dt: number }[] = [];
  for (let i = 0; i < D.tid.length; i++) {
    const entries = D.ctx[i].split(',');
    for (const e of entries) {
      const t = tidOf(e);
      if (t === D.head[i] || placeOf(D, e) !== wantPlace) continue;
      let score = entries.map((x) => placeOf(D, x)).sort().join(',') === ctxR ? 1 : 0;
      for (const x of windowOf(D, i)) if (wr.has(x)) score += 2;
      if (score > 0) cands.push({ i, tid: t, score, dt: Math.abs(D.time_ns[i] - R.time_ns[c]) });
    }
  }
  cands.sort((a, b) => b.score - a.score || a.dt - b.dt || a.i - b.i || a.tid - b.tid);
  const tryList = cands.slice(0, o.candidates_max ?? CANDIDATES_MAX);
  const hit = await firstFailing(tryList.map((x) => ({ at: [x.i], tid: [x.tid] })));
  if (hit >= 0) {
    const { i, tid } = tryList[hit];
    return { script: { at: [i], tid: [tid] }, method: 'transplant', decision: i, default_tid: D.head[i], flipped_outcome: dflt.outcome, minimal: true, tests, original_deviations: dev.at.length, critical };
  }

  // 3. ddmin over the deviations of the failing prefix, within a budget.
  let cur = prefixOf(dev, c + 1);
  let n = 2;
  const budget = tests + (o.ddmin_runs_max ?? DDMIN_RUNS_MAX);
  while (cur.at.length >= 2 && tests < budget) {
    const size = Math.ceil(cur.at.length / n);
    const parts: Script[] = [];
    for (let s = 0; s < cur.at.length; s += size) parts.push({ at: cur.at.slice(s, s + size), tid: cur.tid.slice(s, s + size) });
    const comps: Script[] = parts.map((_, pi) => {
      const at: number[] = [];
      const tid: number[] = [];
      parts.forEach((p, pj) => { if (pj !== pi) { at.push(...p.at); tid.push(...p.tid); } });
      return { at, tid };
    });
    const tries = (n === 2 ? parts : [...parts, ...comps]).slice(0, budget - tests);
    const h = await firstFailing(tries);
    if (h >= 0) {
      cur = tries[h];
      n = h < parts.length ? 2 : Math.max(n - 1, 2);
    } else {
      if (n >= cur.at.length) break;
      n = Math.min(cur.at.length, 2 * n);
    }
  }
  const method = cur.at.length < prefixOf(dev, c + 1).at.length ? 'ddmin' : 'prefix';
  // The decision that made the difference: the last deviation (the critical one for a prefix).
  const last = cur.at.length - 1;
  const flipped = await run({ seed, strategy: scripted(without(cur, last)) });
  let minimal = !fails(flipped);
  if (minimal && cur.at.length <= 8) {
    for (let j = 0; j < last && minimal; j++) if (fails(await run({ seed, strategy: scripted(without(cur, j)) }))) minimal = false;
  } else if (cur.at.length > 8) minimal = false;
  return { script: cur, method, decision: cur.at[last], default_tid: -1, flipped_outcome: flipped.outcome, minimal, tests, original_deviations: dev.at.length, critical };
}
