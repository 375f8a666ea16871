// The debuggable run of a simulated migration: the kernel, its checkpoints, the stop matcher and
// the session's recording. Every stop is a step boundary with the whole world stopped; going back
// restores the nearest checkpoint and replays forward to the exact boundary, so a stop reached
// backwards is the same state (same state hash, variables and stacks) as reached forwards, and a
// recording made while debugging is the file an undisturbed run writes.
//
// Forward work runs in chunks, so that a pause or a cancel gets in and progress is reported; the
// queries (threads, stacks, variables) live in simViews.ts.

import { FanoutObserver } from '../sim/observer';
import type { Kernel, StopReason } from '../sim/kernel';
import { restoreCheckpointSnapshot } from './stateClone';
import { ReplayDivergence, type DecisionLog } from '../sim/decisionLog';
import type { StrategyOptions } from '../sim/scheduler';
import { buildMigration } from '../model/build';
import { summarise, OUTCOME_EXIT } from '../model/run';
import { resultJson } from '../model/resultJson';
import { threadRole } from '../model/roles';
import type { ModelCtx } from '../model/ctx';
import { md } from '../model/ctx';
import type { LoadedScenario } from '../scenario/load';
import { TraceRecorder } from '../trace/recorder';
import type { TraceHeaderInfo } from '../trace/writer';
import type { TraceSink } from '../trace/sink';
import { BreakpointSet, type BreakpointResult, type DataBreakpointSpec, type ExceptionFilterSpec, type FunctionBreakpointSpec, type LineBreakpointSpec } from './breakpoints';
import { CheckpointStore, CHECKPOINT_DEFAULTS, type Checkpoint, type CheckpointOptions } from './checkpoints';
import { Emitter } from './emitter';
import type { ProgressClock } from './host';
import { RecorderGate } from './recorderGate';
import { StopMatcher, stepStops, type Goal, type Hit, type StepMode } from './stopMatcher';
import { EFFECT } from '../sim/types';
import { endException, type EndException } from './exceptions';
import type { StopEvent, TargetEvents } from './debugTarget';

/** Steps per chunk of forward work between looks at the clock, pauses and cancels. */
const CHUNK_STEPS = 50_000;
/** Report progress for work that has run this long (wall ms). */
const PROGRESS_AFTER_MS = 500;
const YIELD_EVERY_MS = 50;

export interface SimRunOptions {
  scenario: LoadedScenario;
  strategy?: StrategyOptions;
  /** decisions of a recorded run to follow (a trace replayed) */
  replay?: DecisionLog;
  /** where the session's trace goes, and its header */
  record?: { sink: TraceSink; header: TraceHeaderInfo };
  clock: ProgressClock;
  checkpoints?: CheckpointOptions;
}

export class SimCore {
  readonly events = new Emitter<TargetEvents>();
  readonly k: Kernel;
  readonly ctx: ModelCtx;
  readonly bps: BreakpointSet;
  readonly matcher: StopMatcher;
  readonly cps: CheckpointStore;
  readonly gate: RecorderGate | null;
  private readonly recorder: TraceRecorder | null = null;
  private recordingDone = false;
  /** the step count of the run's end, once reached */
  endSteps = -1;
  endInfo: EndException | null = null;
  /** the run stopped on a divergence from its recording (a truncated trace ends this way) */
  divergence: string | null = null;
  lastStop: StopEvent | null = null;
  private pauseRequested = false;
  private cancelled = new Set<string>();
  private progressSeq = 0;
  private busy = false;

  constructor(readonly o: SimRunOptions) {
    const fan = new FanoutObserver([]);
    let recorder: TraceRecorder | null = null;
    let gate: RecorderGate | null = null;
    const built = buildMigration(o.scenario.config, {
      strategy: o.strategy,
      replay: o.replay,
      observe: (k) => {
        if (o.record !== undefined) {
          recorder = new TraceRecorder(k, o.record.header, o.record.sink, threadRole);
          gate = new RecorderGate(recorder);
          fan.targets.push(gate);
        }
        return fan;
      },
    });
    this.k = built.kernel;
    this.ctx = built.ctx;
    this.recorder = recorder;
    this.gate = gate;
    this.bps = new BreakpointSet(this.k, this.ctx);
    this.matcher = new StopMatcher(this.k, this.ctx, this.bps, (text) => this.events.emit('output', `${text}\n`, 'console'));
    fan.targets.push(this.matcher);
    this.cps = new CheckpointStore(o.checkpoints ?? CHECKPOINT_DEFAULTS);
    // Position 0: every thread created, nobody has stepped.
    this.k.run({ steps: 0 });
    this.cps.take(this.k, this.eventCount());
    this.matcher.resetAt();
  }

  private eventCount(): number {
    return this.gate?.count ?? 0;
  }

  get steps(): number {
    return this.k.s.steps;
  }

  get atEnd(): boolean {
    return this.k.s.status === 'finished' || this.k.s.status === 'hung' || this.divergence !== null;
  }

  // ---- moving ----

  /** Puts the run at checkpoint `cp`. */
  private restore(cp: Checkpoint): void {
    restoreCheckpointSnapshot(this.k, cp.snap);
    if (this.gate !== null) this.gate.count = cp.events;
    this.divergence = null;
    this.matcher.resetAt();
  }

  /** One call of the kernel; a divergence from a recording ends the run where it stands. */
  private kernelRun(limits: { steps?: number; until_ns?: number }): StopReason {
    try {
      return this.k.run(limits);
    } catch (e) {
      if (!(e instanceof ReplayDivergence)) throw e;
      this.divergence = e.message;
      return 'hung';
    }
  }

  /** Puts the run at boundary `steps` exactly (restoring a checkpoint if it lies behind). */
  seekSteps(steps: number): void {
    const target = this.endSteps >= 0 ? Math.min(steps, this.endSteps) : steps;
    if (target < this.k.s.steps || this.atEnd) this.restore(this.cps.atOrBefore(target));
    this.matcher.mode = 'off';
    this.k.boundary = null;
    while (this.k.s.steps < target && !this.atEnd) {
      const n = Math.min(target - this.k.s.steps, this.chunkToCheckpoint());
      const r = this.kernelRun({ steps: n });
      this.afterChunk(r);
    }
    this.matcher.resetAt();
  }

  /** Steps until the next checkpoint is due, when the run is past every checkpoint. */
  private chunkToCheckpoint(): number {
    const last = this.cps.last!;
    if (this.k.s.steps < last.steps) return CHUNK_STEPS;
    return Math.max(1, Math.min(CHUNK_STEPS, last.steps + this.cps.interval_steps - this.k.s.steps));
  }

  /** Bookkeeping after a chunk of forward work: a checkpoint when due, the recording's end. */
  private afterChunk(r: StopReason): void {
    const s = this.k.s;
    if (r === 'finished' || r === 'hung') {
      this.reachedEnd();
      return;
    }
    if (s.steps > this.cps.last!.steps && this.cps.due(s.steps)) this.cps.take(this.k, this.eventCount());
  }

  private reachedEnd(): void {
    this.endSteps = this.k.s.steps;
    this.endInfo = this.divergence !== null ? { filter: 'divergence', id: 'replay-ended', description: this.divergence, details: this.divergence } : endException(this.k, this.ctx);
    if (this.recorder !== null && !this.recordingDone && this.divergence === null && this.gate !== null && this.gate.count === this.gate.frontier) {
      this.recordingDone = true;
      this.recorder.finish(resultJson(summarise(this.k, this.ctx)));
    }
  }

  /**
   * Runs forward until `goal` (or a breakpoint) stops it, or the end, or `until_ns` (with
   * `goal` null: a seek that ignores breakpoints). Yields to the host between chunks.
   */
  async forward(goal: Goal | null, until_ns?: number): Promise<Hit | 'end' | 'time' | 'paused'> {
    const k = this.k;
    const clock = this.o.clock;
    const started = clock.now_ms();
    let lastYield = started;
    let progress: string | null = null;
    this.pauseRequested = false;
    if (goal === null) {
      this.matcher.mode = 'off';
      k.boundary = null;
    } else {
      this.matcher.mode = 'run';
      this.matcher.goal = goal;
      this.matcher.arm();
      // With nothing to stop on but the end, the run goes at the speed of an unwatched one.
      k.boundary = this.matcher.needsHook ? this.matcher.boundary : null;
    }
    this.busy = true;
    try {
      for (;;) {
        if (this.atEnd) return 'end';
        const r = this.kernelRun({ steps: this.chunkToCheckpoint(), until_ns: until_ns === undefined ? undefined : until_ns - 1 });
        this.afterChunk(r);
        if (r === 'finished' || r === 'hung') return 'end';
        if (r === 'requested') {
          const hit = this.matcher.hit!;
          return hit;
        }
        if (r === 'until') {
          // Time ran out between two steps: the boundary is the next one, once time has advanced.
          this.matcher.mode = 'off';
          k.boundary = null;
          const n = this.kernelRun({ steps: 0 });
          this.afterChunk(n);
          if (n === 'finished' || n === 'hung') return 'end';
          return 'time';
        }
        const now = clock.now_ms();
        if (now - lastYield >= YIELD_EVERY_MS) {
          lastYield = now;
          if (progress === null && now - started >= PROGRESS_AFTER_MS) {
            progress = `migtrace-run-${++this.progressSeq}`;
            this.events.emit('progress', { kind: 'start', id: progress, title: 'Running the migration', message: this.progressText() });
          } else if (progress !== null) {
            this.events.emit('progress', { kind: 'update', id: progress, message: this.progressText() });
          }
          await clock.yield();
          if (this.pauseRequested || (progress !== null && this.cancelled.has(progress))) return 'paused';
        }
      }
    } finally {
      this.busy = false;
      k.boundary = null;
      this.matcher.mode = 'off';
      if (progress !== null) this.events.emit('progress', { kind: 'end', id: progress });
      this.matcher.resetAt();
    }
  }

  private progressText(): string {
    const m = md(this.k).mig;
    return `t=${(this.k.now / 1e9).toFixed(3)} s, ${m.status}, ${m.stage}, dirty-sync-count ${m.dirty_sync_count}`;
  }

  /**
   * The last boundary before `before` (exclusive) where `goal` or a breakpoint matches, scanning
   * back one checkpoint interval at a time; null if there is none since the start.
   */
  async scanBack(goal: Goal, before: number): Promise<{ steps: number; hit: Hit } | null> {
    const k = this.k;
    const list = this.cps.list;
    let i = list.indexOf(this.cps.atOrBefore(Math.max(0, before - 1)));
    const clock = this.o.clock;
    let lastYield = clock.now_ms();
    try {
      for (; i >= 0; i--) {
        const cp = list[i];
        const end = Math.min(before - 1, i + 1 < list.length ? list[i + 1].steps : Infinity);
        if (end <= cp.steps) continue;
        this.restore(cp);
        this.matcher.mode = 'scan';
        this.matcher.goal = goal;
        this.matcher.arm();
        this.matcher.lastMatch = null;
        k.boundary = this.matcher.boundary;
        const r = this.kernelRun({ steps: end - cp.steps });
        if (r === 'steps') this.matcher.boundary();
        k.boundary = null;
        this.matcher.mode = 'off';
        if (this.matcher.lastMatch !== null) return this.matcher.lastMatch;
        const now = clock.now_ms();
        if (now - lastYield >= YIELD_EVERY_MS) {
          lastYield = now;
          await clock.yield();
          if (this.pauseRequested) return null;
        }
      }
      return null;
    } finally {
      k.boundary = null;
      this.matcher.mode = 'off';
    }
  }

  /**
   * Step back in thread `tid`: the latest boundary P before `before` from which "step over" in
   * that thread reaches `before` or beyond, so a step back undoes a step over exactly (and from a
   * stop reached otherwise, goes to the thread's statement the stop is "inside"). Candidates are
   * followed forward from a checkpoint up to `before`; an interval with none sends the search to
   * the checkpoint before it. Null: no such boundary since the start.
   */
  async scanBackStep(tid: number, before: number): Promise<number | null> {
    const k = this.k;
    const list = this.cps.list;
    let i = list.indexOf(this.cps.atOrBefore(Math.max(0, before - 1)));
    try {
      for (; i >= 0; i--) {
        const cp = list[i];
        if (cp.steps >= before) continue;
        this.restore(cp);
        // Candidates still open (their step over has not ended yet): boundary and frame depth.
        const openAt: number[] = [];
        const openDepth: number[] = [];
        let best = -1;
        const th = k.s.threads[tid];
        let evaluated = k.s.steps;
        k.boundary = () => {
          const s = k.s;
          if (s.steps === evaluated) return false;
          evaluated = s.steps;
          if (k.cur.id !== tid || k.lastFrame === null || k.lastEffect === EFFECT.yield) return false;
          const me = k.s.threads[tid];
          const edepth = me.stack.length + (k.lastEffect === EFFECT.ret ? 1 : k.lastEffect === EFFECT.call ? -1 : 0);
          // Resolve the candidates this statement ends; the deepest are the most recent.
          for (let j = openAt.length - 1; j >= 0; j--) {
            if (stepStops('over', k.lastEffect, edepth, openDepth[j])) {
              // One that ends exactly at `before` is a step over that led here.
              if (s.steps === before && openAt[j] > best) best = openAt[j];
              openAt.splice(j, 1);
              openDepth.splice(j, 1);
            }
          }
          if (s.steps < before) {
            openAt.push(s.steps);
            openDepth.push(me.stack.length);
          }
          return false;
        };
        void th;
        // The hook sees every boundary up to `before - 1`; `before` itself is judged by hand.
        const r = this.kernelRun({ steps: before - cp.steps });
        if (r === 'steps') k.boundary();
        k.boundary = null;
        // Whatever is still open reaches beyond `before`.
        if (openAt.length > 0 && openAt[openAt.length - 1] > best) best = openAt[openAt.length - 1];
        if (best >= 0) return best;
      }
      return null;
    } finally {
      k.boundary = null;
    }
  }

  /** The first boundary at or after `time_ns`, going back if it lies behind. */
  async seekTime(time_ns: number): Promise<'end' | 'time'> {
    // From the checkpoint nearest before that time, unless the run stands nearer already.
    const cp = this.cps.beforeTime(time_ns);
    if (time_ns <= this.k.now || this.atEnd || cp.steps > this.k.s.steps) {
      this.restore(cp);
      if (time_ns <= this.k.now) return 'time';
    }
    const r = await this.forward(null, time_ns);
    return r === 'end' ? 'end' : 'time';
  }

  pause(): void {
    this.pauseRequested = true;
  }

  cancel(id: string): void {
    this.cancelled.add(id);
  }

  get running(): boolean {
    return this.busy;
  }

  // ---- breakpoints ----

  setFunctionBreakpoints(specs: FunctionBreakpointSpec[]): BreakpointResult[] {
    return this.bps.setFunctionBreakpoints(specs);
  }

  setLineBreakpoints(fn: number, specs: LineBreakpointSpec[], lineCount: number): BreakpointResult[] {
    return this.bps.setLineBreakpoints(fn, specs, lineCount);
  }

  setDataBreakpoints(specs: DataBreakpointSpec[]): BreakpointResult[] {
    const r = this.bps.setDataBreakpoints(specs);
    this.matcher.resetAt();
    return r;
  }

  setExceptionFilters(specs: ExceptionFilterSpec[]): BreakpointResult[] {
    return this.bps.setExceptionFilters(specs);
  }

  exitCode(): number {
    if (this.divergence !== null) return 6;
    return OUTCOME_EXIT[summarise(this.k, this.ctx).outcome];
  }
}

export type { StepMode };
