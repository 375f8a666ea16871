// What a step back in one thread needs to know about a stretch of the run, kept so that pressing
// Step Back again (and again) is answered without replaying anything.
//
// A step back from boundary B in thread T goes to the latest boundary P < B at which T had just run
// a statement and from which "step over" in T would run to B or beyond: the latest P whose step
// over ends at E(P) ≥ B (simTarget.ts). Every such P and its E(P) depend on the run only, which is
// deterministic, so a stretch [from, to] watched once, going forward (a series of step overs) or
// replayed for a step back, answers every step back from a B in (from, to]: if some P in [from, B)
// qualifies, the latest is the answer; if none does, the answer lies before `from` and the caller
// looks further back.

import { firstNotBelow } from '../sim/bisect';
import { statementDepth, stepStops } from './stopMatcher';

export class StepBackTrack {
  /** boundaries where the thread had just run a statement, in order, and where the step over from each ends (Infinity: beyond `to`) */
  private readonly at: number[] = [];
  private readonly end: number[] = [];
  /** indices into `at` of step overs still under way, and the frame depth each started in */
  private readonly open: number[] = [];
  private readonly openDepth: number[] = [];
  /** every boundary in [from, to] has been seen */
  to: number;

  constructor(readonly tid: number, readonly from: number) {
    this.to = from;
  }

  /** The thread had just run a statement at `from` too, its stack then `depth` frames deep. */
  startsAtStatement(depth: number): void {
    if (this.at.length > 0) throw new Error('a stretch starts at its first boundary');
    this.at.push(this.from);
    this.end.push(Infinity);
    this.open.push(0);
    this.openDepth.push(depth);
  }

  /**
   * Boundary `steps`, reached by a statement of the thread with effect `effect`, its stack now
   * `depth` frames deep. Called once per such boundary, in order; the caller keeps `to`.
   */
  visit(steps: number, effect: number, depth: number): void {
    const edepth = statementDepth(depth, effect);
    // The statement ends the step overs it completes; the deepest (most recent) first.
    for (let j = this.open.length - 1; j >= 0; j--) {
      if (stepStops('over', effect, edepth, this.openDepth[j])) {
        this.end[this.open[j]] = steps;
        this.open.splice(j, 1);
        this.openDepth.splice(j, 1);
      }
    }
    this.at.push(steps);
    this.end.push(Infinity);
    this.open.push(this.at.length - 1);
    this.openDepth.push(depth);
  }

  /** Whether a step back from `before` can be asked of this stretch. */
  covers(tid: number, before: number): boolean {
    return tid === this.tid && before > this.from && before <= this.to;
  }

  /** The step back's landing from `before`, or null if it lies before this stretch. */
  answer(before: number): number | null {
    // The latest qualifying boundary: walk back from the last one before `before`.
    const at = this.at;
    for (let i = firstNotBelow(at.length, (j) => at[j] < before) - 1; i >= 0; i--) if (this.end[i] >= before) return this.at[i];
    return null;
  }
}
