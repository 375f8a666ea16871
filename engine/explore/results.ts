// The result of a search (or of one shard of it), as written to its result file: what was run
// (target identity, engine version, strategy, the whole seed space and this shard of it), one
// record per seed that ran, the failure groups with their saved traces and shrunk witnesses, and
// the lock-order edges. Everything in it is a function of the inputs, except `wall`; a report is
// computed from one or more results (report.ts), so a merge of shards and the unsharded search give
// the same report.

import type { Outcome } from '../model/run';
import type { FailureKind } from './signature';
import type { LockEdge } from './lockOrder';
import type { Explanation } from './explain';
import type { Shard } from './shard';
import type { ShrinkResult } from './shrink';

export const RESULT_FORMAT = 'migtrace-explore';
export const RESULT_FORMAT_VERSION = 1;

export interface SeedResult {
  seed: number;
  outcome: Outcome;
  group: string | null;
  /** where the migration thread was at the failure ('' if not a hang or no migration thread) */
  where: string;
  decisions: number;
  steps: number;
  time_ns: number;
  /** the closest-call measure of the run (closeCall.ts), or null */
  close: number | null;
  /** the lock-order edges the run formed ("from>to") */
  edges: string[];
  /** a guided search's schedule for this seed (deviations from the default), its runs, and why it found nothing (or null) */
  guided?: { deviations: { decision: number; tid: number }[]; runs: number; gave_up: string | null };
}

export interface Witness {
  /** the failing run it was shrunk from */
  seed: number;
  method: ShrinkResult['method'];
  /** the deviations from the default schedule: decision index and the thread that runs there (its name, and its id as a launch configuration's "deviations" take it) */
  deviations: { decision: number; thread: string; tid: number }[];
  /** depth d: the deviations that matter (the preemptions and reorderings) */
  depth: number;
  /** decisions of the witness run (PCT's k) and threads (PCT's n) */
  decisions: number;
  threads: number;
  /** PCT's bound on the chance per run of hitting a bug of this depth: 1/(n·k^(d−1)) */
  pct_bound: number;
  minimal: boolean;
  tests: number;
  original_deviations: number;
  critical: { decision: number; time_ns: number };
  /** the shrunk trace (relative to the result file), and whether `migtrace replay` reproduced it */
  trace: string | null;
  replay_matched: boolean | null;
  explanation: Explanation;
}

export interface GroupResult {
  group: string;
  kind: FailureKind;
  signature: string;
  /** the migration thread's frames at the failure → hits */
  where: Record<string, number>;
  /** the lowest seed's failure, as the hang report tells it */
  example: { seed: number; summary: string; chain: string[]; threads: { name: string; state: string; waits: string; backtrace: string[] }[] };
  /** saved traces of failing runs (the lowest seeds), relative to the result file */
  traces: { seed: number; file: string }[];
  witness: Witness | null;
}

export interface StrategyInfo {
  name: 'random' | 'pct' | 'guided';
  depth?: number;
  /** guided: the deviations a seed's search may add */
  rounds?: number;
  /** PCT's k, measured from the default schedule of the first seed unless given */
  decisions_max?: number;
  label: string;
}

export interface SearchResult {
  format: typeof RESULT_FORMAT;
  format_version: number;
  engine_version: string;
  target: { name: string; identity: string; source: string };
  strategy: StrategyInfo;
  seeds: { first: number; runs: number };
  shard: Shard;
  signature_frames: number;
  until_first: boolean;
  /** every seed of the shard ran (not interrupted, not stopped at the first hit) */
  complete: boolean;
  interrupted: boolean;
  threads: number;
  results: SeedResult[];
  groups: GroupResult[];
  lock_edges: LockEdge[];
  close_call: { measure: string; fails_at: number } | null;
  /** not a function of the inputs: how long it took, where */
  wall: { seconds: number; runs_per_s: number; jobs: number };
}

export function resultFileName(s: Shard): string {
  return s.count === 1 ? 'explore-result.json' : `explore-shard-${s.index}-of-${s.count}.json`;
}
