// The scheduler's decisions of one run: at each point where more than one thread could take the
// next step, which thread did, and the running effect hash just before the choice. Replaying the
// list reproduces the run exactly; the hash lets a replay name the first decision after which the
// runs differ, even when an edited choice was a possible one.

export interface DecisionLog {
  tid: number[];
  hash1: number[];
  hash2: number[];
  /** the effect hash when the run ended (set by the kernel), so a changed last decision is caught too */
  end: { h1: number; h2: number; steps: number } | null;
}

export function decisionLogCreate(): DecisionLog {
  return { tid: [], hash1: [], hash2: [], end: null };
}

export function decisionLogLength(d: DecisionLog): number {
  return d.tid.length;
}

export class ReplayDivergence extends Error {
  constructor(
    /** the decision at which the replay noticed the difference */
    readonly decision: number,
    /** the earliest decision whose outcome differs from the recording (-1: before any decision) */
    readonly first_wrong: number,
    readonly time_ns: number,
    readonly reason: string,
    readonly expected_tid: number,
    readonly ready: readonly number[],
  ) {
    super(`replay diverged at decision ${decision} (t=${time_ns} ns): ${reason}`);
    this.name = 'ReplayDivergence';
  }
}
