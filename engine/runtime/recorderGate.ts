// The recorder's frontier: a debugging session that goes back and replays forward passes over
// events it has already recorded. The gate counts every event and lets through only those past the
// furthest point reached, so the session's recording holds each event once, in order, and is the
// same file as an undisturbed `migtrace run --out` of the same scenario and seed.
//
// With the look-ahead (lookAhead.ts) two kernels run the same migration: each has its own gate
// and count, and they share one frontier and one recorder. Whichever kernel first passes an event
// writes it, with the recorder reading that kernel's state, so the file is still written once, in
// order, as one undisturbed run writes it.

import type { HangReport } from '../sim/hangReport';
import type { Kernel } from '../sim/kernel';
import type { ObjKind, SimObserver } from '../sim/observer';
import type { TraceRecorder } from '../trace/recorder';

/** What the gates of one recording share: the furthest event written, and whether the trace was finished. */
export interface RecordingFrontier {
  frontier: number;
  done: boolean;
  readonly recorder: TraceRecorder;
}

export class RecorderGate implements SimObserver {
  /** events emitted so far along the current path (restored with each checkpoint) */
  count = 0;
  private readonly target: TraceRecorder;

  constructor(readonly shared: RecordingFrontier, private readonly k: Kernel) {
    this.target = shared.recorder;
  }

  /** the most events ever emitted, by any kernel of the session: everything below was written once already */
  get frontier(): number {
    return this.shared.frontier;
  }

  /**
   * At the end of the run along this gate's kernel: writes the trace's footer (`summary()`, the
   * run's summary) if every event is written and no kernel of the session has finished it yet.
   */
  finishIfWhole(summary: () => unknown): void {
    const sh = this.shared;
    if (sh.done || this.count !== sh.frontier) return;
    sh.done = true;
    this.target.k = this.k;
    this.target.finish(summary());
  }

  private pass(): boolean {
    const sh = this.shared;
    if (++this.count <= sh.frontier) return false;
    sh.frontier = this.count;
    this.target.k = this.k;
    return true;
  }

  threadCreated(t: number, p: number): void { if (this.pass()) this.target.threadCreated(t, p); }
  threadState(t: number): void { if (this.pass()) this.target.threadState(t); }
  framePush(t: number, f: number): void { if (this.pass()) this.target.framePush(t, f); }
  framePop(t: number, f: number): void { if (this.pass()) this.target.framePop(t, f); }
  objectCreated(k: ObjKind, i: number): void { if (this.pass()) this.target.objectCreated(k, i); }
  lockContend(m: number, t: number, o: number): void { if (this.pass()) this.target.lockContend(m, t, o); }
  lockAcquire(m: number, t: number, w: number): void { if (this.pass()) this.target.lockAcquire(m, t, w); }
  lockRelease(m: number, t: number, h: number, c: boolean): void { if (this.pass()) this.target.lockRelease(m, t, h, c); }
  condSignal(c: number, t: number, w: number): void { if (this.pass()) this.target.condSignal(c, t, w); }
  semPost(s: number, t: number, w: number): void { if (this.pass()) this.target.semPost(s, t, w); }
  decision(i: number, t: number, r: readonly number[]): void { if (this.pass()) this.target.decision(i, t, r); }
  custom(k: string, p: unknown): void { if (this.pass()) this.target.custom(k, p); }
  hang(r: HangReport): void { if (this.pass()) this.target.hang(r); }
  finished(): void { if (this.pass()) this.target.finished(); }
}
