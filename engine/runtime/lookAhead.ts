// The look-ahead of a debugging session: while the user looks at a stop, a second kernel runs the
// same migration (same scenario, seed, schedule, recorded decisions) ahead of them, in short slices
// between the session's messages, laying down the session's checkpoints and noting where the
// stages change, where each bitmap sync round ends and where the first write is lost
// ("landmarks"). A run is deterministic, so its state at a step is the same whichever kernel
// computed it: a checkpoint the look-ahead took is one the session would have taken passing there,
// and "next stage", "next iteration" or a continue that stops at the lost write, to a place it
// has been, is a restore instead of a replay (it leaves a landmark checkpoint at each; the stop is
// then the boundary the stop matcher would have stopped at: the first boundary after an event
// where the stage differs, a sync ran or the write was lost). Both kernels share one decision
// log, so each checks the other's decisions. It also notes what each block of the run holds that
// a breakpoint could stop at (blockSummary.ts), so a continue with breakpoints set passes the
// blocks that hold nothing of the kind by a restore.
//
// It never runs while the session moves (the session's own work comes first) and stops at the end
// of the run, at a divergence from a recording, or when the session ends. When the session records
// a trace, the look-ahead has a gate on the same recording (recorderGate.ts): whichever kernel
// passes an event first writes it, and whichever reaches the end first with every event written
// finishes the file, so the recording is complete as soon as the look-ahead has run the whole
// migration, and is still the bytes `migtrace run --out` writes.

import type { Kernel, StopReason } from '../sim/kernel';
import { ReplayDivergence } from '../sim/decisionLog';
import { firstNotBelow } from '../sim/bisect';
import { buildMigration } from '../model/build';
import { md, type ModelCtx } from '../model/ctx';
import { summarise } from '../model/run';
import { resultJson } from '../model/resultJson';
import { RecorderGate, type RecordingFrontier } from './recorderGate';
import { BlockSummary } from './blockSummary';
import { FanoutObserver, type SimObserver } from '../sim/observer';
import type { CheckpointStore } from './checkpoints';
import { restoreCheckpointSnapshot } from './stateClone';
import type { ProgressClock } from './host';
import { ranStatement } from './stopMatcher';
import type { SimRunOptions } from './simRun';

/** Wall time one slice of look-ahead work aims at: the most a request waits for it to yield. */
const SLICE_MS = 8;
const SLICE_STEPS_START = 4_000;
const SLICE_STEPS_MAX = 200_000;

/** A boundary where the stage changed, or a bitmap sync round ended, or the first write was lost (aa723c23147e), since the previous such boundary. */
export interface Landmark {
  steps: number;
  stageChanged: boolean;
  sync: boolean;
  loss: boolean;
}

/** What a movement through the landmarks stops at: a stage change, a sync, the first lost write. */
export interface LandmarkWant {
  stage: boolean;
  sync: boolean;
  loss: boolean;
}

export class LookAhead {
  readonly k: Kernel;
  private readonly ctx: ModelCtx;
  /** its gate on the session's recording, if the session records */
  private readonly gate: RecorderGate | null = null;
  /** what each block of the boundaries it has passed holds, for breakpoints (blockSummary.ts) */
  readonly summary: BlockSummary;
  /** in step order; complete for every boundary up to the look-ahead kernel's position */
  readonly landmarks: Landmark[] = [];
  /** the step count of the run's end, once the look-ahead reached it */
  endSteps = -1;
  /** why it stopped before the end (a divergence, an error), if it did */
  stoppedWhy: string | null = null;
  private stopped = false;
  private sliceSteps = SLICE_STEPS_START;
  private prevStage: string;
  private prevSyncs: number;
  private prevLoss: number;

  constructor(
    o: SimRunOptions,
    log: Kernel['log'],
    private readonly cps: CheckpointStore,
    private readonly clock: ProgressClock,
    /** whether the session is moving now (the look-ahead waits) */
    private readonly sessionBusy: () => boolean,
    /** the session's recording, if it records */
    recording: RecordingFrontier | null = null,
  ) {
    // Its observer notes what each block of the run holds (blockSummary.ts), and writes the session's recording if it records.
    let gate: RecorderGate | null = null;
    let summary: BlockSummary | null = null;
    const observe = (k: Kernel): SimObserver => {
      summary = new BlockSummary(k);
      if (recording === null) return summary;
      gate = new RecorderGate(recording, k);
      return new FanoutObserver([gate, summary]);
    };
    const built = buildMigration(o.scenario.config, { strategy: o.strategy, replay: o.replay, observe });
    this.gate = gate;
    this.summary = summary!;
    this.ctx = built.ctx;
    this.k = built.kernel;
    this.k.log = log;
    this.k.run({ steps: 0 });
    // The state of checkpoint 0, sharing its RAM chunks: a state of its own would make the first
    // checkpoint it takes hold a second copy of every chunk (128 MiB at 1 TiB).
    const zero = cps.list[0];
    if (zero !== undefined && zero.steps === 0 && this.k.s.steps === 0) restoreCheckpointSnapshot(this.k, zero.snap, zero.aliased);
    const m = md(this.k).mig;
    this.prevStage = m.stage;
    this.prevSyncs = m.dirty_sync_count;
    this.prevLoss = m.first_loss_ns;
    this.k.boundary = this.boundary;
  }

  /**
   * At every boundary: did the step before it change the stage, run a sync or lose the first
   * write? The model changes the stage only in the statement that emits its `status` event, counts
   * a sync only in the one that emits `sync`, and notes the first lost write only in the one that
   * emits `page-lost`, so these are the boundaries the stop matcher finds by those events.
   */
  private readonly boundary = (): boolean => {
    const k = this.k;
    this.summary.atBoundary();
    const m = md(k).mig;
    if (m.stage === this.prevStage && m.dirty_sync_count === this.prevSyncs && m.first_loss_ns === this.prevLoss) return false;
    const stageChanged = m.stage !== this.prevStage;
    const sync = m.dirty_sync_count !== this.prevSyncs;
    const loss = m.first_loss_ns !== this.prevLoss;
    this.prevStage = m.stage;
    this.prevSyncs = m.dirty_sync_count;
    this.prevLoss = m.first_loss_ns;
    this.landmarks.push({ steps: k.s.steps, stageChanged, sync, loss });
    // The stop itself, so that going there is a restore.
    this.cps.takeMark(k, this.events, { tid: k.cur.id, statement: ranStatement(k) });
    return false;
  };

  /** The boundary up to which the landmarks are complete. */
  get position(): number {
    return this.k.s.steps;
  }

  get done(): boolean {
    return this.endSteps >= 0 || this.stoppedWhy !== null || this.stopped;
  }

  /** The first landmark after boundary `after` that a movement wanting `w` stops at; null if none up to the look-ahead's position. */
  landmarkAfter(after: number, w: LandmarkWant): Landmark | null {
    const l = this.landmarks;
    for (let i = firstNotBelow(l.length, (j) => l[j].steps <= after); i < l.length; i++) {
      const x = l[i];
      if ((w.stage && x.stageChanged) || (w.sync && x.sync) || (w.loss && x.loss)) return x;
    }
    return null;
  }

  /** Runs in slices until the end, a stop, or `stop()`. */
  async run(): Promise<void> {
    const clock = this.clock;
    while (!this.done) {
      await clock.yield();
      if (this.done) return;
      if (this.sessionBusy()) continue;
      const t0 = clock.now_ms();
      const s0 = this.k.s.steps;
      this.advance(this.sliceSteps);
      const ms = clock.now_ms() - t0;
      const ran = this.k.s.steps - s0;
      // Aim each slice at SLICE_MS of wall time, from the pace of the last one (a slice cut short
      // by a checkpoint falling due says nothing about a longer one: the pace does).
      if (ran > 0 && ms >= 1) this.sliceSteps = Math.max(500, Math.min(SLICE_STEPS_MAX, Math.floor((ran / ms) * SLICE_MS)));
      else if (ran >= this.sliceSteps) this.sliceSteps = Math.min(SLICE_STEPS_MAX, this.sliceSteps * 2);
    }
  }

  /** Runs up to `steps` steps (fewer where a checkpoint falls due), unless it is done. */
  advance(steps: number): void {
    if (this.done) return;
    const k = this.k;
    const cps = this.cps;
    let r: StopReason;
    try {
      r = k.run({ steps: cps.stepsUntilDue(k.s.steps, steps) });
    } catch (e) {
      this.stoppedWhy = e instanceof ReplayDivergence ? `the recording ends: ${e.message}` : `the look-ahead stopped: ${(e as Error).message}`;
      return;
    }
    if (r === 'finished' || r === 'hung') {
      this.endSteps = k.s.steps;
      this.gate?.finishIfWhole(() => resultJson(summarise(this.k, this.ctx)));
      return;
    }
    cps.takeIfDue(k, this.events, () => ({ tid: k.cur.id, statement: ranStatement(k) }));
  }

  /** Observer events so far along its path (what a checkpoint it takes must restore). */
  private get events(): number {
    return this.gate?.count ?? 0;
  }

  stop(): void {
    this.stopped = true;
  }
}
