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
import { summarise, OUTCOME_EXIT, type MigrationResult } from '../model/run';
import { resultJson } from '../model/resultJson';
import { threadRole } from '../model/roles';
import type { ModelCtx } from '../model/ctx';
import { md } from '../model/ctx';
import type { LoadedScenario } from '../scenario/load';
import { TraceRecorder } from '../trace/recorder';
import type { TraceHeaderInfo } from '../trace/writer';
import type { TraceSink } from '../trace/sink';
import { BreakpointSet, type BreakpointResult, type DataBreakpointSpec, type ExceptionFilterSpec, type FunctionBreakpointSpec, type LineBreakpointSpec } from './breakpoints';
import { CheckpointStore, CHECKPOINT_DEFAULTS, type BoundaryInfo, type Checkpoint, type CheckpointOptions } from './checkpoints';
import { StepBackSearch } from './stepBack';
import { Emitter } from './emitter';
import type { ProgressClock } from './host';
import { RecorderGate, type RecordingFrontier } from './recorderGate';
import { lossHit, lossStops, ranStatement, stageGoalHit, StopMatcher, type Goal, type Hit, type StepMode } from './stopMatcher';
import { LookAhead } from './lookAhead';
import { blockWant, type BlockWant } from './blockSummary';
import { Pacer, type PacerHost } from './pacer';
import { endException, type EndException } from './exceptions';
import type { StopEvent, TargetEvents } from './debugTarget';

/** Steps per chunk of forward work between looks at the clock, pauses and cancels. */
const CHUNK_STEPS = 50_000;

export interface SimRunOptions {
  scenario: LoadedScenario;
  strategy?: StrategyOptions;
  /** decisions of a recorded run to follow (a trace replayed) */
  replay?: DecisionLog;
  /** where the session's trace goes, and its header */
  record?: { sink: TraceSink; header: TraceHeaderInfo };
  clock: ProgressClock;
  checkpoints?: CheckpointOptions;
  /** run the migration ahead of the user while the session waits (lookAhead.ts) */
  lookAhead?: boolean;
}

export class SimCore {
  readonly events = new Emitter<TargetEvents>();
  readonly k: Kernel;
  readonly ctx: ModelCtx;
  readonly bps: BreakpointSet;
  readonly matcher: StopMatcher;
  readonly cps: CheckpointStore;
  readonly gate: RecorderGate | null;
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
  /** the gate and the matcher together, for movements that need the matcher to see events */
  private readonly both: FanoutObserver | null;
  /** the kernel's "last step" fields describe the step that led to boundary `ranTo` (-1: to none) */
  private ranTo = -1;
  /** the checkpoint restored last, whose info stands for those fields until the kernel steps */
  private restored: Checkpoint | null = null;
  readonly stepBack: StepBackSearch = new StepBackSearch(this);
  /** the run ahead of the user, if on (lookAhead.ts) */
  readonly look: LookAhead | null = null;
  private lookStarted = false;
  /** the run's summary at its end, once made: the end is one state, however often it is reached */
  private endResult: MigrationResult | null = null;

  constructor(readonly o: SimRunOptions) {
    const fan = new FanoutObserver([]);
    let recording: RecordingFrontier | null = null;
    let gate: RecorderGate | null = null;
    const built = buildMigration(o.scenario.config, {
      strategy: o.strategy,
      replay: o.replay,
      observe: (k) => {
        if (o.record !== undefined) {
          recording = { frontier: 0, done: false, recorder: new TraceRecorder(k, o.record.header, o.record.sink, threadRole) };
          gate = new RecorderGate(recording, k);
          fan.targets.push(gate);
        }
        return fan;
      },
    });
    this.k = built.kernel;
    this.ctx = built.ctx;
    this.gate = gate;
    this.bps = new BreakpointSet(this.k, this.ctx);
    this.matcher = new StopMatcher(this.k, this.ctx, this.bps, (text) => this.events.emit('output', `${text}\n`, 'console'));
    this.both = gate === null ? null : new FanoutObserver([gate, this.matcher]);
    this.watch(false);
    this.cps = new CheckpointStore(o.checkpoints ?? CHECKPOINT_DEFAULTS);
    // Position 0: every thread created, nobody has stepped.
    this.k.run({ steps: 0 });
    this.cps.take(this.k, this.eventCount());
    this.matcher.resetAt();
    if (o.lookAhead === true) this.look = new LookAhead(o, this.k.log, this.cps, o.clock, () => this.busy, recording);
  }

  /** Starts the look-ahead (after the session's first stop); it runs between the session's messages. */
  startLookAhead(): void {
    if (this.look === null || this.lookStarted) return;
    this.lookStarted = true;
    void this.look.run();
  }

  /** Where the look-ahead stands, in a user's words. */
  lookAheadText(): string {
    const look = this.look;
    if (look === null) return 'off';
    const t = `t=${(look.k.s.now_ns / 1e9).toFixed(3)} s`;
    const marks = `step ${look.position}, ${look.landmarks.length} stage changes and sync rounds`;
    if (look.endSteps >= 0) return `ran the whole run, to ${t} (${marks})`;
    if (look.stoppedWhy !== null) return `stopped at ${t}: ${look.stoppedWhy} (${marks})`;
    return `running ahead, at ${t} (${marks})`;
  }

  /** The session is over: nothing more runs in the background. */
  dispose(): void {
    this.look?.stop();
    this.pause();
  }

  /**
   * Who hears the kernel's events from here on: the recorder's gate always (it counts every event),
   * the stop matcher only when the goal or a breakpoint depends on an event. A movement that needs
   * no event runs with no observer but the recording, as `migtrace run --out` does.
   */
  private watch(matcher: boolean): void {
    this.k.obs = matcher ? (this.both ?? this.matcher) : this.gate;
  }

  /** Observer events so far along the current path (what a checkpoint taken now must restore). */
  eventCount(): number {
    return this.gate?.count ?? 0;
  }

  get steps(): number {
    return this.k.s.steps;
  }

  get atEnd(): boolean {
    return this.k.s.status === 'finished' || this.k.s.status === 'hung' || this.divergence !== null;
  }

  // ---- moving ----

  /** What the step that led to the current boundary did, if known. */
  hereInfo(): BoundaryInfo | null {
    const k = this.k;
    const steps = k.s.steps;
    if (this.ranTo === steps) return { tid: k.cur.id, statement: ranStatement(k) };
    if (this.restored !== null && this.restored.steps === steps) return this.restored.info;
    return null;
  }

  /**
   * Leaves a temporary checkpoint where the run stands (a stop), unless one is near enough
   * before it: the next step back from here, or near here, then replays little.
   */
  leaveTemp(): void {
    this.cps.takeTemp(this.k, this.eventCount(), this.hereInfo(), this.k.s.steps);
  }

  /** Puts the run at checkpoint `cp`. */
  restore(cp: Checkpoint): void {
    restoreCheckpointSnapshot(this.k, cp.snap, cp.aliased);
    this.ranTo = -1;
    this.restored = cp;
    if (this.gate !== null) this.gate.count = cp.events;
    this.divergence = null;
    this.matcher.resetAt();
  }

  /** One call of the kernel; a divergence from a recording ends the run where it stands. */
  kernelRun(limits: { steps?: number; until_ns?: number }): StopReason {
    const from = this.k.s.steps;
    try {
      return this.k.run(limits);
    } catch (e) {
      if (!(e instanceof ReplayDivergence)) throw e;
      this.divergence = e.message;
      return 'hung';
    } finally {
      if (this.k.s.steps !== from) this.ranTo = this.k.s.steps;
    }
  }

  /** Puts the run at boundary `steps` exactly (restoring a checkpoint if it lies behind). */
  seekSteps(steps: number): void {
    const target = this.endSteps >= 0 ? Math.min(steps, this.endSteps) : steps;
    const cp = this.cps.atOrBefore(target);
    // Behind the run, or ahead of it where a checkpoint (the look-ahead's) saves the replay.
    if (target < this.k.s.steps || this.atEnd || cp.steps > this.k.s.steps) this.restore(cp);
    this.matcher.mode = 'off';
    this.k.boundary = null;
    this.watch(false);
    while (this.k.s.steps < target && !this.atEnd) {
      const n = Math.min(target - this.k.s.steps, this.cps.stepsUntilDue(this.k.s.steps, CHUNK_STEPS));
      const r = this.kernelRun({ steps: n });
      this.afterChunk(r);
    }
    this.matcher.resetAt();
  }

  /** Bookkeeping after a chunk of forward work: a checkpoint when due, the recording's end. */
  private afterChunk(r: StopReason): void {
    if (r === 'finished' || r === 'hung') {
      this.reachedEnd();
      return;
    }
    this.cps.takeIfDue(this.k, this.eventCount(), () => this.hereInfo());
  }

  private reachedEnd(): void {
    this.endSteps = this.k.s.steps;
    this.endInfo = this.divergence !== null ? { filter: 'divergence', id: 'replay-ended', description: this.divergence, details: this.divergence } : endException(this.k, this.ctx);
    if (this.divergence === null) this.gate?.finishIfWhole(() => resultJson(this.summary()));
  }

  /** What a long movement's pacer needs: the clock, progress reports, and whether to stop. */
  private get pacing(): PacerHost {
    return {
      clock: this.o.clock,
      nextId: () => `migtrace-run-${++this.progressSeq}`,
      emit: (p) => this.events.emit('progress', p),
      stopWanted: (id) => this.pauseRequested || (id !== null && this.cancelled.has(id)),
    };
  }

  /**
   * Runs forward until `goal` (or a breakpoint) stops it, or the end, or `until_ns` (with
   * `goal` null: a seek that ignores breakpoints). Yields to the host between chunks.
   */
  async forward(goal: Goal | null, until_ns?: number): Promise<Hit | 'end' | 'time' | 'paused'> {
    const k = this.k;
    this.pauseRequested = false;
    if (this.look !== null) {
      // A seek to a time ignores breakpoints; the others go through the look-ahead only with none set.
      const kind = goal === null ? (until_ns !== undefined ? 'time' : null) : !this.bps.any && (goal.kind === 'nextStage' || goal.kind === 'nextIteration' || goal.kind === 'continue') ? goal.kind : null;
      if (kind !== null) {
        const r = await this.ahead(kind, until_ns ?? Infinity);
        if (r !== null) return r;
      } else if (goal !== null && until_ns === undefined) {
        // With breakpoints set: past the stretch where the look-ahead saw nothing they could stop at.
        const want = blockWant(goal, this.bps);
        if (want !== null && (await this.skipAhead(want)) === 'paused') return 'paused';
      }
    }
    const pacer = new Pacer(this.pacing, () => this.progressText(this.k));
    if (goal === null) {
      this.matcher.mode = 'off';
      k.boundary = null;
    } else {
      this.matcher.mode = 'run';
      this.matcher.goal = goal;
      this.matcher.arm();
      // With nothing to stop on but the end, the run goes at the speed of an unwatched one.
      k.boundary = this.matcher.needsHook ? this.matcher.boundary : null;
      this.watch(this.matcher.wantsEvents);
      if (goal.kind === 'step') this.matcher.track = this.stepBack.trackFrom(goal.tid);
    }
    let hit = false;
    this.busy = true;
    try {
      for (;;) {
        if (this.atEnd) return 'end';
        const r = this.kernelRun({ steps: this.cps.stepsUntilDue(k.s.steps, CHUNK_STEPS), until_ns: until_ns === undefined ? undefined : until_ns - 1 });
        this.afterChunk(r);
        if (r === 'finished' || r === 'hung') return 'end';
        if (r === 'requested') {
          hit = true;
          return this.matcher.hit!;
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
        if (await pacer.tick()) return 'paused';
      }
    } finally {
      this.busy = false;
      const t = this.matcher.track;
      if (t !== null) {
        // The boundary the run stopped at was seen only if the matcher stopped it there.
        t.to = Math.max(t.to, hit ? k.s.steps : k.s.steps - 1);
        this.matcher.track = null;
      }
      k.boundary = null;
      this.matcher.mode = 'off';
      this.watch(false);
      pacer.end();
      this.matcher.resetAt();
    }
  }

  /**
   * Next stage, next iteration, continue or a seek to a time, with no breakpoint that could stop
   * on the way, go through the look-ahead: where it has been, the stop of a next stage or next
   * iteration is its landmark, reached by a restore (a landmark checkpoint). Where it has not yet
   * been, it runs on in place of this kernel (so nothing is simulated twice) until it passes the
   * stop, the time, or the end. Then the forward run (null) starts from the look-ahead's furthest
   * checkpoint (before the time, for a seek) instead of from here: no landmark lies between, so
   * the matcher decides the same from there, and a continue with no breakpoint stops only at the
   * end. A pause while it runs leaves the session where it got to.
   */
  private async ahead(kind: 'nextStage' | 'nextIteration' | 'continue' | 'time', until_ns: number): Promise<Hit | 'paused' | null> {
    const look = this.look!;
    const here = this.k.s.steps;
    const pacer = new Pacer(this.pacing, () => this.progressText(look.k));
    const want = { stage: kind === 'nextStage' || kind === 'nextIteration', sync: kind === 'nextIteration', loss: kind !== 'time' && lossStops({ kind }, this.bps) };
    const stops = want.stage || want.loss;
    this.busy = true;
    let paused = false;
    try {
      for (;;) {
        // (A stop the last slice passed comes before a pause: the pause must not land beyond it.)
        const l = stops ? look.landmarkAfter(here, want) : null;
        if (l !== null) {
          this.seekSteps(l.steps);
          if (want.loss && l.loss) return lossHit(this.k, this.ctx);
          return stageGoalHit(kind as 'nextStage' | 'nextIteration', l.stageChanged, l.sync ? 1 : 0, this.k, this.ctx);
        }
        if (paused) {
          this.seekSteps(Math.max(here, look.position));
          return 'paused';
        }
        if (look.done || look.k.s.now_ns >= until_ns) break;
        look.advance(CHUNK_STEPS);
        if (look.k.s.now_ns >= until_ns) break;
        paused = await pacer.tick();
      }
    } finally {
      this.busy = false;
      pacer.end();
    }
    const cp = kind === 'time' ? this.cps.beforeTime(until_ns) : this.cps.atOrBefore(look.position);
    if (cp.steps > here) this.restore(cp);
    return null;
  }

  /**
   * A continue, next stage or next iteration with breakpoints set: the blocks of the run ahead that
   * the look-ahead saw nothing in that could stop it (blockSummary.ts) are passed by a restore of
   * the last checkpoint before the first block that may; where the look-ahead has not been, it runs
   * on in place of this kernel until it sees such a block or the end. The matcher then goes on from
   * the restored checkpoint, which no stop lies before. A pause while it runs leaves the session
   * where nothing could have stopped it yet.
   */
  private async skipAhead(want: BlockWant): Promise<'paused' | null> {
    const look = this.look!;
    const here = this.k.s.steps;
    if (look.position <= here) return null;
    const pacer = new Pacer(this.pacing, () => this.progressText(look.k));
    let free: number;
    this.busy = true;
    try {
      for (;;) {
        free = look.summary.freeUntil(here, look.position, want);
        if (free < look.position || look.done) break;
        look.advance(CHUNK_STEPS);
        if (await pacer.tick()) {
          this.seekSteps(look.summary.freeUntil(here, look.position, want));
          return 'paused';
        }
      }
    } finally {
      this.busy = false;
      pacer.end();
    }
    const cp = this.cps.atOrBefore(free);
    if (cp.steps > here) this.restore(cp);
    return null;
  }

  private progressText(k: Kernel): string {
    const m = md(k).mig;
    return `t=${(k.now / 1e9).toFixed(3)} s, ${m.status}, ${m.stage}, dirty-sync-count ${m.dirty_sync_count}`;
  }

  /**
   * The last boundary before `before` (exclusive) where `goal` or a breakpoint matches, scanning
   * back one checkpoint interval at a time; null if there is none since the start. A pause (or a
   * cancel of its progress) stops the scan where it got to: `{ paused }` is the earliest boundary
   * it had scanned from, with no match between there and `before`.
   */
  async scanBack(goal: Goal, before: number): Promise<{ steps: number; hit: Hit } | { paused: number } | null> {
    const k = this.k;
    const list = this.cps.all();
    let i = list.indexOf(this.cps.atOrBefore(Math.max(0, before - 1)));
    this.pauseRequested = false;
    let from: number;
    let fromNs = k.now;
    const startNs = k.now;
    const pacer = new Pacer(this.pacing, () => `nothing matches from t=${(fromNs / 1e9).toFixed(3)} s to t=${(startNs / 1e9).toFixed(3)} s`, 'Going back through the run');
    // Where the look-ahead has been, an interval whose blocks hold nothing the breakpoints could stop at is not replayed.
    const look = this.look;
    const want = look !== null ? blockWant(goal, this.bps) : null;
    this.busy = true;
    try {
      for (; i >= 0; i--) {
        const cp = list[i];
        const end = Math.min(before - 1, i + 1 < list.length ? list[i + 1].steps : Infinity);
        if (end <= cp.steps) continue;
        if (want !== null && end <= look!.position && look!.summary.freeUntil(cp.steps, end, want) >= end) {
          from = cp.steps;
          fromNs = cp.time_ns;
          continue;
        }
        this.restore(cp);
        this.matcher.mode = 'scan';
        this.matcher.goal = goal;
        this.matcher.arm();
        this.matcher.lastMatch = null;
        k.boundary = this.matcher.boundary;
        this.watch(this.matcher.wantsEvents);
        const r = this.kernelRun({ steps: end - cp.steps });
        if (r === 'steps') this.matcher.boundary();
        k.boundary = null;
        this.matcher.mode = 'off';
        if (this.matcher.lastMatch !== null) return this.matcher.lastMatch;
        from = cp.steps;
        fromNs = cp.time_ns;
        if (i > 0 && (await pacer.tick())) return { paused: from };
      }
      return null;
    } finally {
      this.busy = false;
      k.boundary = null;
      this.matcher.mode = 'off';
      this.watch(false);
      pacer.end();
    }
  }

  /** Step back in thread `tid`: see stepBack.ts. */
  scanBackStep(tid: number, before: number): Promise<number | null> {
    return this.stepBack.search(tid, before);
  }

  /** The first boundary at or after `time_ns`, going back if it lies behind. */
  async seekTime(time_ns: number): Promise<'end' | 'time'> {
    // From the checkpoint nearest before that time, unless the run stands nearer already.
    const cp = this.cps.beforeTime(time_ns);
    if (time_ns <= this.k.now || this.atEnd || cp.steps > this.k.s.steps) {
      this.restore(cp);
      if (time_ns <= this.k.now) return 'time';
    }
    // A long replay first stops a little short of the time and leaves a temporary checkpoint there,
    // so that a step back from the landing (people step back from where they went) replays that
    // little instead of the whole stretch again. The first boundary at or after the earlier time,
    // then the first at or after `time_ns` from there, is the first at or after `time_ns`.
    const short = this.shortOf(time_ns);
    if (short !== null) {
      const r = await this.forward(null, short);
      if (r === 'end') return 'end';
      if (r === 'paused') return 'time';
      this.leaveTemp();
      if (time_ns <= this.k.now) return 'time';
    }
    const r = await this.forward(null, time_ns);
    return r === 'end' ? 'end' : 'time';
  }

  /**
   * A time about one temporary-checkpoint gap of steps before `time_ns`, at the pace of the run
   * there (from the checkpoints around it), when the replay to `time_ns` is more than twice that
   * long; else null.
   */
  private shortOf(time_ns: number): number | null {
    const all = this.cps.all();
    let i = 0;
    while (i + 1 < all.length && all[i + 1].time_ns < time_ns) i++;
    const a = i + 1 < all.length ? all[i] : all[i - 1];
    const b = i + 1 < all.length ? all[i + 1] : all[i];
    if (a === undefined || b === undefined || b.time_ns <= a.time_ns) return null;
    const stepsPerNs = (b.steps - a.steps) / (b.time_ns - a.time_ns);
    const gap = this.cps.tempGap;
    const from = this.k.now;
    if ((time_ns - from) * stepsPerNs < 2 * gap) return null;
    const short = Math.floor(time_ns - gap / stepsPerNs);
    return short > from ? short : null;
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

  /**
   * The run's summary where it stands (query-migrate, outcome, lock report). At the end it is made
   * once: with 512 vCPUs its lock report ranks a quarter of a million (waiter, holder) pairs, about
   * a second of work that every stop at the end would otherwise repeat.
   */
  summary(): MigrationResult {
    const atFinish = this.endSteps >= 0 && this.k.s.steps === this.endSteps && this.divergence === null;
    if (atFinish && this.endResult !== null) return this.endResult;
    const r = summarise(this.k, this.ctx);
    if (atFinish) this.endResult = r;
    return r;
  }

  exitCode(): number {
    if (this.divergence !== null) return 6;
    return OUTCOME_EXIT[this.summary().outcome];
  }
}

export type { StepMode };
