// Step back in one thread (simTarget.ts's Step Back): where it lands, found from the stretches of
// the run already watched (stepBackTrack.ts) when they cover it, else by replaying from the
// nearest checkpoint before, watching the thread's statements. The replay leaves temporary
// checkpoints on its way, so that the run is put at the landing, and at the next landings of a
// series of step backs, by a short replay instead of a whole checkpoint interval.

import type { StopReason } from '../sim/kernel';
import type { SimCore } from './simRun';
import type { BoundaryInfo } from './checkpoints';
import { StepBackTrack } from './stepBackTrack';
import { ranStatement } from './stopMatcher';

/** Stretches of the run kept for step backs, the most recently used first. */
const TRACKS_MAX = 4;

export class StepBackSearch {
  private tracks: StepBackTrack[] = [];

  constructor(private readonly core: SimCore) {}

  /** The stretch that continues where the run stands in thread `tid`, or a new one from here. */
  trackFrom(tid: number): StepBackTrack {
    const k = this.core.k;
    const steps = k.s.steps;
    let t = this.tracks.find((x) => x.tid === tid && x.to === steps);
    t ??= this.newTrack(tid, steps, this.core.hereInfo());
    this.keep(t);
    return t;
  }

  /** A stretch from `from`, where the run stands now: `info` says whether thread `tid` had just run a statement there. */
  private newTrack(tid: number, from: number, info: BoundaryInfo | null): StepBackTrack {
    const t = new StepBackTrack(tid, from);
    if (info !== null && info.tid === tid && info.statement) t.startsAtStatement(this.core.k.s.threads[tid].stack.length);
    return t;
  }

  private keep(t: StepBackTrack): void {
    this.tracks = [t, ...this.tracks.filter((x) => x !== t)].slice(0, TRACKS_MAX);
  }

  /**
   * The latest boundary P before `before` from which "step over" in thread `tid` reaches `before`
   * or beyond, so a step back undoes a step over exactly (and from a stop reached otherwise, goes
   * to the thread's statement the stop is "inside"). An interval with no answer sends the search to
   * the checkpoint before it. Null: no such boundary since the start. Leaves the run anywhere
   * between the checkpoint it searched from and `before`; the caller seeks to the answer.
   */
  async search(tid: number, before: number): Promise<number | null> {
    for (const t of this.tracks) {
      if (!t.covers(tid, before)) continue;
      const p = t.answer(before);
      if (p !== null) {
        this.keep(t);
        return p;
      }
    }
    const core = this.core;
    const k = core.k;
    const cps = core.cps;
    const list = cps.all();
    let i = list.indexOf(cps.atOrBefore(Math.max(0, before - 1)));
    const gap = cps.tempGap;
    try {
      for (; i >= 0; i--) {
        const cp = list[i];
        if (cp.steps >= before) continue;
        core.restore(cp);
        const t = this.newTrack(tid, cp.steps, cp.info);
        let evaluated = k.s.steps;
        k.boundary = () => {
          const s = k.s;
          // (The boundary it starts from first: a kernel that has only ever been restored has no current thread.)
          if (s.steps === evaluated || k.cur.id !== tid) return false;
          evaluated = s.steps;
          if (ranStatement(k)) t.visit(s.steps, k.lastEffect, k.cur.stack.length);
          return false;
        };
        // The hook sees every boundary up to `before - 1`; `before` itself is judged by hand. On
        // the way, temporary checkpoints where the last one is far behind.
        let r: StopReason = 'steps';
        while (k.s.steps < before && r === 'steps') {
          r = core.kernelRun({ steps: Math.min(before - k.s.steps, gap) });
          if (r === 'steps' && k.s.steps < before) cps.takeTemp(k, core.eventCount(), core.hereInfo(), before);
        }
        if (r === 'steps') k.boundary();
        k.boundary = null;
        t.to = before;
        this.keep(t);
        const p = t.answer(before);
        if (p !== null) return p;
      }
      return null;
    } finally {
      k.boundary = null;
    }
  }
}
