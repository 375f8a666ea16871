// Scheduling strategies. Whenever more than one thread is ready to take the next step at the same
// virtual time, the strategy picks one; that pick is a decision, recorded so that a replay can make
// the same picks. The strategy's state is plain data inside the simulation state, so a snapshot
// restores it too.
//
//  - random: uniform among ready threads, from the scheduler's own seeded stream (separate from the
//    model's jitter stream, so replaying decisions does not shift the jitter).
//  - pct: Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS'10). Threads get random
//    distinct priorities ≥ depth; d−1 change points are drawn uniformly in [1, steps_max]; the
//    thread executing change point i drops to priority i. The highest-priority ready thread always
//    runs. A bug of depth d is found with probability ≥ 1/(n·k^(d−1)) per run.
//    With `pct_points: 'decisions'` it is PCT as Coyote and Shuttle implement it: change points
//    are counted in decisions (a step with only one ready thread is no choice), and a thread that
//    yields drops to the lowest priority (the yield says "let the others go first here").
//  - round-robin: the ready thread with the next higher id after the last one chosen.
//  - replay: the recorded choice, after checking that the run still matches the recording.
//  - scripted: the default schedule (the thread ready longest: the head of the ready list, so a
//    thread runs until it blocks, sleeps, computes or yields), except at listed decisions, where the
//    listed thread runs if it is ready. Schedule search uses it to run a failing schedule's few
//    deviations from the default; its decisions are recorded like any others, so its traces replay.

import { prngCreate, prngFloat, prngInt, type PrngState } from './prng';
import { ReplayDivergence, type DecisionLog } from './decisionLog';
import type { Hash64 } from './hash';

export type StrategyName = 'random' | 'pct' | 'round-robin' | 'replay' | 'scripted';
export const STRATEGIES: readonly StrategyName[] = ['random', 'pct', 'round-robin', 'replay', 'scripted'];

export interface StrategyOptions {
  strategy: StrategyName;
  /** PCT bug depth d ≥ 1 */
  depth?: number;
  /** PCT: an estimate of the number of steps k of a run; change points are drawn in [1, k] */
  steps_max?: number;
  /** PCT: change points over every step (the paper's, default) or over decisions with yields deprioritized */
  pct_points?: 'steps' | 'decisions';
  /** scripted: ascending decision indices, and the thread to run at each instead of the default choice */
  script?: { at: readonly number[]; tid: readonly number[] };
}

export interface SchedState {
  strategy: StrategyName;
  rng: PrngState;
  last_tid: number;
  pct_depth: number;
  pct_steps_max: number;
  /** by thread id */
  pct_priority: number[];
  /** change points sorted by step, with the priority each gives */
  pct_change_step: number[];
  pct_change_priority: number[];
  pct_next_change: number;
  replay_index: number;
  /** pct over decisions: 1; the next lowest priority a deprioritized thread gets; the last step yielded */
  pct_by_decision: number;
  pct_low: number;
  pct_yielded: boolean;
  script_at: number[];
  script_tid: number[];
  script_next: number;
}

/** Stream number of the scheduler's PRNG (the model's jitter uses stream 0). */
const SCHED_STREAM = 1;

export function schedCreate(seed: number, o: StrategyOptions): SchedState {
  const rng = prngCreate(seed, SCHED_STREAM);
  const depth = o.depth ?? 2;
  const stepsMax = o.steps_max ?? 1000;
  if (o.strategy === 'pct') {
    if (!Number.isInteger(depth) || depth < 1 || depth > 64) throw new RangeError(`pct depth must be an integer 1..64, got ${depth}`);
    if (!Number.isInteger(stepsMax) || stepsMax < 1) throw new RangeError(`pct steps_max must be a positive integer, got ${stepsMax}`);
  }
  const byDecision = o.pct_points === 'decisions';
  if (o.pct_points !== undefined && o.pct_points !== 'steps' && !byDecision) throw new RangeError(`pct_points must be steps or decisions, got ${String(o.pct_points)}`);
  const script = o.script ?? { at: [], tid: [] };
  if (script.at.length !== script.tid.length) throw new RangeError('a script needs one thread per decision index');
  for (let i = 0; i < script.at.length; i++) {
    if (!Number.isSafeInteger(script.at[i]) || script.at[i] < 0 || (i > 0 && script.at[i] <= script.at[i - 1])) throw new RangeError(`script decision indices must be ascending non-negative integers (at ${i}: ${script.at[i]})`);
  }
  const steps: number[] = [];
  const prios: number[] = [];
  if (o.strategy === 'pct') {
    const pairs: [number, number][] = [];
    for (let i = 1; i < depth; i++) pairs.push([1 + prngInt(rng, stepsMax), i]);
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [s, p] of pairs) {
      steps.push(s);
      prios.push(p);
    }
  }
  return {
    strategy: o.strategy,
    rng,
    last_tid: -1,
    pct_depth: depth,
    pct_steps_max: stepsMax,
    pct_priority: [],
    pct_change_step: steps,
    pct_change_priority: prios,
    pct_next_change: 0,
    replay_index: 0,
    pct_by_decision: byDecision ? 1 : 0,
    pct_low: 0,
    pct_yielded: false,
    script_at: script.at.slice(),
    script_tid: script.tid.slice(),
    script_next: 0,
  };
}

/** A new thread joins the schedule (PCT gives it a random priority above every change point). */
export function schedThreadCreated(s: SchedState, tid: number): void {
  if (s.strategy === 'pct') s.pct_priority[tid] = s.pct_depth + prngFloat(s.rng);
}

/**
 * After step number `step` (1-based) was executed by `tid` (`yielded`: its effect was a yield):
 * PCT lowers it at a change point.
 */
export function schedAfterStep(s: SchedState, step: number, tid: number, yielded = false): void {
  if (s.pct_by_decision === 1) {
    s.last_tid = tid;
    s.pct_yielded = yielded;
    return;
  }
  while (s.pct_next_change < s.pct_change_step.length && s.pct_change_step[s.pct_next_change] <= step) {
    if (s.pct_change_step[s.pct_next_change] === step) s.pct_priority[tid] = s.pct_change_priority[s.pct_next_change];
    s.pct_next_change++;
  }
}

/** Whether the strategy must see every step, not only decisions. */
export function schedWantsEveryStep(s: SchedState): boolean {
  return s.strategy === 'pct';
}

/**
 * Index into `ready` (length ≥ 1) of the thread that takes the next step. `replay` is the recorded
 * log when the strategy is replay; `hash` is the running effect hash at this decision.
 */
export function schedChoose(
  s: SchedState,
  ready: readonly number[],
  replay: DecisionLog | null,
  decision: number,
  hash: Hash64,
  now_ns: number,
): number {
  switch (s.strategy) {
    case 'random':
      return prngInt(s.rng, ready.length);
    case 'round-robin': {
      let best = -1;
      let lowest = -1;
      for (let i = 0; i < ready.length; i++) {
        const t = ready[i];
        if (t > s.last_tid && (best < 0 || t < ready[best])) best = i;
        if (lowest < 0 || t < ready[lowest]) lowest = i;
      }
      const pick = best >= 0 ? best : lowest;
      s.last_tid = ready[pick];
      return pick;
    }
    case 'pct': {
      if (s.pct_by_decision === 1) pctAtDecision(s, decision);
      let best = 0;
      for (let i = 1; i < ready.length; i++) if (s.pct_priority[ready[i]] > s.pct_priority[ready[best]]) best = i;
      return best;
    }
    case 'scripted': {
      const j = s.script_next;
      if (j < s.script_at.length && s.script_at[j] === decision) {
        s.script_next = j + 1;
        const idx = ready.indexOf(s.script_tid[j]);
        if (idx >= 0) return idx;
      }
      return 0;
    }
    case 'replay': {
      if (replay === null) throw new Error('replay strategy without a decision log');
      const j = s.replay_index;
      if (j !== decision) throw new Error(`replay index ${j} out of step with decision ${decision}`);
      if (j >= replay.tid.length) {
        throw new ReplayDivergence(decision, Math.max(0, decision - 1), now_ns, `the run needs decision ${decision} but the recording holds only ${replay.tid.length}`, -1, ready.slice());
      }
      const want = replay.tid.at(j);
      // A trace stores the low half of the hash only (hash2 empty): check what is there.
      if (replay.hash1.at(j) !== hash.h1 || (replay.hash2.length > j && replay.hash2.at(j) !== hash.h2)) {
        const why = j === 0
          ? 'the events before the first decision differ from the recording (another scenario, seed or engine version)'
          : `the events after decision ${j - 1} differ from the recording: decision ${j - 1} or the run's inputs changed`;
        throw new ReplayDivergence(decision, j - 1, now_ns, why, want, ready.slice());
      }
      const idx = ready.indexOf(want);
      if (idx < 0) {
        throw new ReplayDivergence(decision, j, now_ns, `recorded thread ${want} is not ready here (ready: ${ready.join(', ')})`, want, ready.slice());
      }
      s.replay_index = j + 1;
      return idx;
    }
  }
}

/** Coyote's and Shuttle's PCT at a decision: the thread that ran last drops to the lowest priority at a change point or after a yield. */
function pctAtDecision(s: SchedState, decision: number): void {
  let lower = s.pct_yielded;
  while (s.pct_next_change < s.pct_change_step.length && s.pct_change_step[s.pct_next_change] <= decision) {
    if (s.pct_change_step[s.pct_next_change] === decision) lower = true;
    s.pct_next_change++;
  }
  s.pct_yielded = false;
  if (lower && s.last_tid >= 0) s.pct_priority[s.last_tid] = s.pct_low--;
}
