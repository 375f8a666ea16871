// The schedule-search strategies, as explore names them, and how each becomes the kernel's
// scheduling strategy for one run:
//  - random: a uniform choice at every decision, from the run's seed;
//  - pct: Probabilistic Concurrency Testing as Coyote and Shuttle run it: random thread priorities,
//    depth−1 change points drawn over the run's k decisions (k measured first, from the default
//    schedule, as Shuttle's first iteration does), a yielding thread dropped to the lowest priority.
//    A bug of depth d is found with probability at least 1/(n·k^(d−1)) per run (n threads);
//  - guided: the default schedule of each seed, with deviations chosen inside the danger of a bug
//    whose mechanism says how a run got away (guided.ts);
//  - scripted: the default schedule (engine/sim/scheduler.ts) with a few listed deviations; what
//    shrinking runs and what a shrunk trace records.

import type { StrategyOptions } from '../sim/scheduler';

export type SearchStrategyName = 'random' | 'pct' | 'guided';
export const SEARCH_STRATEGIES: readonly SearchStrategyName[] = ['random', 'pct', 'guided'];

/** Deviations from the default schedule: at decision `at[i]`, thread `tid[i]` runs. */
export interface Script {
  at: number[];
  tid: number[];
}

export type StrategySpec =
  | { name: 'random' }
  | { name: 'pct'; depth: number; decisions_max: number }
  | { name: 'scripted'; script: Script };

export const PCT_DEPTH_DEFAULT = 3;
export const PCT_DEPTH_MAX = 64;

export function kernelStrategy(s: StrategySpec): StrategyOptions {
  switch (s.name) {
    case 'random':
      return { strategy: 'random' };
    case 'pct':
      return { strategy: 'pct', depth: s.depth, steps_max: s.decisions_max, pct_points: 'decisions' };
    case 'scripted':
      return { strategy: 'scripted', script: s.script };
  }
}

/** The default schedule: no deviation. */
export const DEFAULT_SCHEDULE: StrategySpec = { name: 'scripted', script: { at: [], tid: [] } };

export function strategyLabel(s: StrategySpec): string {
  switch (s.name) {
    case 'random':
      return 'random';
    case 'pct':
      return `pct (depth ${s.depth}, change points over k=${s.decisions_max} decisions)`;
    case 'scripted':
      return `the default schedule with ${s.script.at.length} deviation${s.script.at.length === 1 ? '' : 's'}`;
  }
}

/** PCT's guarantee: a bug of depth d among n threads and k decisions is hit with probability ≥ 1/(n·k^(d−1)) per run. */
export function pctBound(threads: number, decisions: number, depth: number): number {
  if (threads < 1 || decisions < 1 || depth < 1) return 0;
  return 1 / (threads * Math.pow(decisions, depth - 1));
}
