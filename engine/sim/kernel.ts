// The deterministic simulation kernel: virtual time in integer nanoseconds, a timer heap, the set
// of threads ready to step at the current instant, and the loop that lets one of them take one
// step at a time. A step runs the top frame's step function, which performs exactly one effect.
// Whenever more than one thread is ready at the same instant, the scheduling strategy decides which
// steps next, and that decision is recorded. Nothing here reads the wall clock or an unseeded random
// source: (program, seed, strategy) determines every event.
//
// Synchronisation effects (mutexes, conditions, semaphores) live in sync.ts, hang detection in
// hangDetect.ts, a thread's record and its exit in threads.ts; this file keeps the loop, time,
// the threads' scheduling and their frames.

import { hashCreate, mix1, mix2 } from './hash';
import { prngCreate, prngFloat, prngNext } from './prng';
import { heapCreate, heapMinTime, heapPop, heapPush, heapSize } from './timerHeap';
import { schedAfterStep, schedChoose, schedCreate, schedThreadCreated, schedWantsEveryStep, type StrategyOptions } from './scheduler';
import { decisionLogCreate, ReplayDivergence, type DecisionLog } from './decisionLog';
import type { Program } from './program';
import type { SimObserver } from './observer';
import { EFFECT, PENDING, TS, WAIT, WAITED_ON_PAIR, type Frame, type SimState, type SimThread, type ThreadStateCode, type WaitKind } from './types';
import * as sync from './sync';
import { detectQuiescentHang, detectWatchdogHang } from './hangDetect';
import type { HangReport } from './hangReport';
import { cpuJoin, cpuLeave, cpuPoolCreate, cpuRanAlone, cpuUsed } from './hostCpus';
import { exitThread, newThread } from './threads';

export class SimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimError';
  }
}

export interface KernelOptions {
  seed: number;
  strategy?: StrategyOptions;
  /** fraction of seeded jitter on `compute` durations; default 0 */
  jitter?: number;
  /** decisions to follow when the strategy is replay */
  replay?: DecisionLog;
  /** no-progress watchdog in virtual ns; 0 (default) disables it */
  watchdog_ns?: number;
  /**
   * host CPUs that computing threads share (hostCpus.ts: processor sharing); 0 or absent (default):
   * every thread has a CPU of its own
   */
  cpus?: number;
  /** model data, plain */
  data?: unknown;
}

export interface RunLimits {
  /** stop after this many steps */
  steps?: number;
  /** stop before executing anything later than this virtual time */
  until_ns?: number;
}

/** Why `run` returned. */
export type StopReason = 'finished' | 'hung' | 'steps' | 'until' | 'requested';

const JITTER_STREAM = 0;
/** Jumps one step may chain before it must perform an effect: more means a loop that cannot end. */
const JUMPS_MAX = 64;

export class Kernel {
  s: SimState;
  obs: SimObserver | null = null;
  /** decisions made by this kernel (appended, or checked where a restored run repeats them) */
  log: DecisionLog;
  readonly replayLog: DecisionLog | null;
  /** the thread taking the current step, and its index in `s.ready` */
  cur: SimThread = null as unknown as SimThread;
  curIdx = -1;
  lastEffect = 0;
  /** the frame the last step executed (null for a kernel relock): the debugger's "which statement ran" */
  lastFrame: Frame | null = null;
  /**
   * When not null, the statements the last step passed through before `lastFrame.at` (statements
   * that only decide where to go next jump on within the step): the debugger's statement
   * breakpoints on such a statement stop after the step that ran it.
   */
  hops: number[] | null = null;
  /**
   * Called at every step boundary, once time has advanced and someone is ready to step, before the
   * next decision; returning true stops `run` there ('requested'). The debugger's breakpoints and
   * stepping live behind it. Null (the default) costs one compare per step. It must not change the
   * simulation state: a boundary it stops at is one a plain run passes through unchanged.
   */
  boundary: (() => boolean) | null = null;
  private issued = 0;
  private jumped = false;
  private stopRequested = false;
  private endPending = false;
  private until_ns = Infinity;
  private readonly popped = { tid: 0, gen: 0, time_ns: 0 };

  constructor(readonly program: Program, o: KernelOptions) {
    const jitter = o.jitter ?? 0;
    if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`jitter must be in [0, 1), got ${jitter}`);
    const strategy = o.strategy ?? { strategy: 'random' };
    if (strategy.strategy === 'replay' && o.replay === undefined) throw new Error('the replay strategy needs a decision log');
    const watchdog = o.watchdog_ns ?? 0;
    if (!(Number.isSafeInteger(watchdog) && watchdog >= 0)) throw new RangeError(`watchdog_ns must be a non-negative integer, got ${watchdog}`);
    const cpus = o.cpus ?? 0;
    this.s = {
      now_ns: 0,
      steps: 0,
      decisions: 0,
      effect_hash: hashCreate(),
      rng: prngCreate(o.seed, JITTER_STREAM),
      jitter,
      threads: [],
      mutexes: [],
      conds: [],
      sems: [],
      ready: [],
      timers: heapCreate(),
      sched: schedCreate(o.seed, strategy),
      live_threads: 0,
      watchdog_ns: watchdog,
      progress_ns: 0,
      status: 'ready',
      hang: null,
      cpu: cpus > 0 ? cpuPoolCreate(cpus) : null,
      data: o.data ?? null,
    };
    this.replayLog = o.replay ?? null;
    this.log = decisionLogCreate();
  }

  get now(): number {
    return this.s.now_ns;
  }

  // ---- objects and threads created from outside a step (setup) ----

  mutex(name: string, opts: { fair?: boolean } = {}): number {
    return sync.createMutex(this, name, opts.fair ?? false);
  }

  cond(name: string): number {
    return sync.createCond(this, name);
  }

  sem(name: string, initial = 0): number {
    return sync.createSem(this, name, initial);
  }

  /** Declares that `tid` may signal `cond` (so a waiter is not judged unwakeable before it has). */
  declareSignaler(cond: number, tid: number): void {
    sync.addUnique(this.s.conds[cond].signalers, tid);
  }

  declarePoster(sem: number, tid: number): void {
    sync.addUnique(this.s.sems[sem].posters, tid);
  }

  /** Creates a thread that starts in function `fn` with `locals`; returns its id. */
  thread(name: string, fn: number, locals: unknown, parent = -1): number {
    const s = this.s;
    if (this.program.fns[fn] === undefined) throw new SimError(`thread ${name}: no function with id ${fn}`);
    const tid = s.threads.length;
    if (tid >= WAITED_ON_PAIR) throw new SimError(`thread ${name}: more than ${WAITED_ON_PAIR} threads`);
    const th = newThread(tid, name, parent, s.now_ns);
    s.threads.push(th);
    s.live_threads++;
    schedThreadCreated(s.sched, tid);
    s.ready.push(tid);
    if (s.status === 'finished') s.status = 'ready';
    const o = this.obs;
    if (o !== null) o.threadCreated(tid, parent);
    this.pushFrame(th, fn, locals);
    return tid;
  }

  // ---- things a step may do besides its one effect ----

  /** Seeded uniform float in [0, 1) from the model's stream. */
  random(): number {
    return prngFloat(this.s.rng);
  }

  /** Seeded uint32 from the model's stream. */
  randomU32(): number {
    return prngNext(this.s.rng);
  }

  /** Tells the no-progress watchdog that the program made progress. */
  progress(): void {
    this.s.progress_ns = this.s.now_ns;
  }

  /** Emits a model event (stage transition, stats sample) to the observer. */
  emit(kind: string, payload: unknown): void {
    const o = this.obs;
    if (o !== null) o.custom(kind, payload);
  }

  /** Asks a running `run` to return after the current step. */
  requestStop(): void {
    this.stopRequested = true;
  }

  // ---- effects: exactly one per step ----

  /** Computes for about `ns` (with the kernel's seeded jitter). */
  compute(ns: number): void {
    this.effect(EFFECT.compute);
    this.busy(this.jittered(ns), TS.running);
  }

  /** Computes for exactly `ns`. */
  computeExact(ns: number): void {
    this.effect(EFFECT.compute);
    this.busy(ns, TS.running);
  }

  /**
   * Computes for about `ns` unless another thread kicks it first (a vCPU in KVM_RUN). Afterwards
   * `th.result` is 1 if it was kicked, and `now - th.busy_start_ns` is the time it really ran.
   */
  computeInterruptible(ns: number): void {
    this.effect(EFFECT.computeInterruptible);
    const th = this.cur;
    th.busy_start_ns = this.s.now_ns;
    if (th.kick_pending) {
      th.kick_pending = false;
      th.result = 1;
      return;
    }
    th.result = 0;
    const d = this.jittered(ns);
    // Armed only when the thread leaves the ready list: the fast path needs no kick, since no
    // other thread can step before it finishes.
    th.interruptible = true;
    this.busy(d, TS.running);
    if (this.curIdx >= 0) th.interruptible = false; // fast path or zero time: it already finished
  }

  /**
   * CPU time the current thread received in its last `computeInterruptible` (which has ended):
   * the time it really ran, which on shared host CPUs is less than the time that passed.
   */
  busyCpuNs(th: SimThread): number {
    const p = this.s.cpu;
    const passed = this.s.now_ns - th.busy_start_ns;
    return p === null || passed === 0 ? passed : cpuUsed(p, th.id);
  }

  /**
   * Cuts short another thread's interruptible compute (qemu_cpu_kick); if it is not in one, its
   * next one returns at once. Not an effect: the caller still performs its own.
   */
  kick(tid: number): void {
    const th = this.s.threads[tid];
    if (th === undefined) throw this.error(`kick: no thread ${tid}`);
    if (th.state === TS.exited) return;
    if (th.interruptible) {
      th.interruptible = false;
      if (this.s.cpu !== null) cpuLeave(this, this.s.cpu, th, false);
      th.timer_gen++;
      th.result = 1;
      this.s.ready.push(tid);
    } else {
      th.kick_pending = true;
    }
  }

  /** Waits `ns` for I/O (sending on a link): state io. */
  io(ns: number): void {
    this.effect(EFFECT.io);
    this.busy(ns, TS.io);
  }

  sleep(ns: number): void {
    this.effect(EFFECT.sleep);
    this.checkDuration(ns);
    const th = this.cur;
    this.leaveReady();
    this.setState(th, TS.sleeping, WAIT.timer, -1);
    this.armTimer(th, this.s.now_ns + ns);
  }

  /**
   * Goes on at step `pc` of the current frame at once: not an effect and not a scheduling point
   * (QEMU's own control flow between two statements). Return its result from the step.
   */
  jump(pc: number): void {
    const f = this.cur.stack[this.cur.stack.length - 1];
    f.pc = pc;
    this.jumped = true;
  }

  /** Gives other ready threads a chance to step first (a pure scheduling point). */
  yieldNow(): void {
    this.effect(EFFECT.yield);
    const r = this.s.ready;
    if (r.length > 1) {
      r.splice(this.curIdx, 1);
      r.push(this.cur.id);
    }
  }

  lock(m: number): void {
    this.effect(EFFECT.lock);
    sync.lock(this, this.cur, m);
  }

  /** Takes the mutex if free; `th.result` is 1 on success, 0 if it was held. */
  trylock(m: number): void {
    this.effect(EFFECT.trylock);
    sync.trylock(this, this.cur, m);
  }

  unlock(m: number): void {
    this.effect(EFFECT.unlock);
    sync.unlock(this, this.cur, m);
  }

  condWait(c: number, m: number): void {
    this.effect(EFFECT.condWait);
    sync.condWait(this, this.cur, c, m, -1, TS.blocked);
  }

  /**
   * Waits at most `timeout_ns`; `th.result` is 1 if it timed out, 0 if signalled. `show` is the
   * state shown meanwhile: blocked, or sleeping for a deliberate pause (a throttled vCPU).
   */
  condTimedWait(c: number, m: number, timeout_ns: number, show: ThreadStateCode = TS.blocked): void {
    this.effect(EFFECT.condWait);
    this.checkDuration(timeout_ns);
    sync.condWait(this, this.cur, c, m, timeout_ns, show);
  }

  /** A condition wait shown as `stopped` (a paused vCPU parked in qemu_wait_io_event). */
  park(c: number, m: number, timeout_ns = -1): void {
    this.effect(EFFECT.condWait);
    if (timeout_ns >= 0) this.checkDuration(timeout_ns);
    sync.condWait(this, this.cur, c, m, timeout_ns, TS.stopped);
  }

  condSignal(c: number): void {
    this.effect(EFFECT.condSignal);
    sync.condSignal(this, this.cur, c, false);
  }

  condBroadcast(c: number): void {
    this.effect(EFFECT.condBroadcast);
    sync.condSignal(this, this.cur, c, true);
  }

  semPost(sem: number): void {
    this.effect(EFFECT.semPost);
    sync.semPost(this, this.cur, sem);
  }

  /** `show`: the state shown while waiting (io for a thread waiting on a socket). */
  semWait(sem: number, show: ThreadStateCode = TS.blocked): void {
    this.effect(EFFECT.semWait);
    sync.semWait(this, this.cur, sem, -1, show);
  }

  /**
   * `th.result` is 1 if it timed out. `show` is the state shown while waiting: blocked, or
   * sleeping for a thread that polls (a main loop in ppoll, a rate-limit sleep).
   */
  semTimedWait(sem: number, timeout_ns: number, show: ThreadStateCode = TS.blocked): void {
    this.effect(EFFECT.semWait);
    this.checkDuration(timeout_ns);
    sync.semWait(this, this.cur, sem, timeout_ns, show);
  }

  /** Starts a thread; `th.result` is its id. */
  spawn(name: string, fn: number, locals: unknown): void {
    this.effect(EFFECT.spawn);
    this.cur.result = this.thread(name, fn, locals, this.cur.id);
  }

  /** Waits until thread `tid` has exited. */
  join(tid: number): void {
    this.effect(EFFECT.join);
    const target = this.s.threads[tid];
    if (target === undefined) throw this.error(`join: no thread ${tid}`);
    if (tid === this.cur.id) throw this.error('join: a thread cannot join itself');
    if (target.state === TS.exited) return;
    const th = this.cur;
    this.leaveReady();
    this.setState(th, TS.blocked, WAIT.join, tid);
    sync.afterBlock(this, th);
  }

  /** Calls function `fn` with `locals`; the caller resumes at its `pc` when it returns. */
  call(fn: number, locals: unknown): void {
    this.effect(EFFECT.call);
    if (this.program.fns[fn] === undefined) throw this.error(`call: no function with id ${fn}`);
    this.pushFrame(this.cur, fn, locals);
  }

  /** Returns from the current function; the caller finds `value` in `th.result`. */
  ret(value = 0): void {
    this.effect(EFFECT.ret);
    const th = this.cur;
    const f = th.stack.pop() as Frame;
    const o = this.obs;
    if (o !== null) o.framePop(th.id, f.fn);
    th.result = value;
    if (th.stack.length === 0) exitThread(this, th);
  }

  // ---- running ----

  /** Runs until the program finishes, hangs, or a limit is reached. */
  run(limits: RunLimits = {}): StopReason {
    const s = this.s;
    if (s.status === 'hung') return 'hung';
    if (s.status === 'finished') return 'finished';
    if (s.status === 'error') throw new SimError('the simulation stopped on an error and cannot continue');
    const stepLimit = limits.steps === undefined ? Infinity : s.steps + limits.steps;
    this.until_ns = limits.until_ns ?? Infinity;
    this.stopRequested = false;
    const everyStep = schedWantsEveryStep(s.sched);
    try {
      for (;;) {
        if (s.ready.length === 0) {
          const r = this.advance();
          if (r !== null) return r;
          continue;
        }
        if (s.steps >= stepLimit) return 'steps';
        // A compute on the fast path may have carried time past the limit: stop before the next step.
        if (s.now_ns > this.until_ns) return 'until';
        if (this.boundary !== null && this.boundary()) return 'requested';
        let idx = 0;
        if (s.ready.length > 1) idx = this.decide();
        this.execStep(idx, everyStep);
        if (this.endPending) {
          this.finalizeEnd();
          return (s.status as string) === 'hung' ? 'hung' : 'finished';
        }
        if (this.stopRequested) {
          this.stopRequested = false;
          return 'requested';
        }
      }
    } catch (e) {
      if (!(e instanceof ReplayDivergence)) s.status = 'error';
      throw e;
    } finally {
      this.until_ns = Infinity;
    }
  }

  /** Executes exactly one step (advancing time first if nobody is ready). */
  step(): StopReason | null {
    const r = this.run({ steps: 1 });
    return r === 'steps' ? null : r;
  }

  private decide(): number {
    const s = this.s;
    const ready = s.ready;
    const d = s.decisions;
    const idx = schedChoose(s.sched, ready, this.replayLog, d, s.effect_hash, s.now_ns);
    const tid = ready[idx];
    const log = this.log;
    if (d < log.tid.length) {
      // A restored run repeating decisions it made before: they must come out the same.
      if (log.tid.at(d) !== tid || log.hash1.at(d) !== s.effect_hash.h1 || log.hash2.at(d) !== s.effect_hash.h2) {
        throw new SimError(`nondeterminism: decision ${d} at t=${s.now_ns} differs from the first time this run passed here`);
      }
    } else {
      log.tid.push(tid);
      log.hash1.push(s.effect_hash.h1);
      log.hash2.push(s.effect_hash.h2);
    }
    s.decisions = d + 1;
    const o = this.obs;
    if (o !== null) o.decision(d, tid, ready);
    return idx;
  }

  private execStep(idx: number, everyStep: boolean): void {
    const s = this.s;
    const tid = s.ready[idx];
    const th = s.threads[tid];
    this.cur = th;
    this.curIdx = idx;
    if (th.state !== TS.running) this.setState(th, TS.running, WAIT.none, -1);
    this.issued = 0;
    if (th.pending !== PENDING.none) {
      this.issued = 1;
      this.lastEffect = EFFECT.relock;
      this.lastFrame = null;
      if (this.hops !== null) this.hops.length = 0;
      sync.relock(this, th);
    } else {
      const f = th.stack[th.stack.length - 1];
      const step = this.program.fns[f.fn].step;
      this.lastFrame = f;
      const passed = this.hops;
      if (passed !== null) passed.length = 0;
      // A step that only decides where to go next jumps there: no effect, no scheduling point.
      for (let hops = 0; ; hops++) {
        f.at = f.pc;
        step(this, f, th);
        if (!this.jumped) break;
        this.jumped = false;
        if (passed !== null) passed.push(f.at);
        if (this.issued !== 0) throw this.error('a step performed an effect and jumped', f);
        if (hops === JUMPS_MAX) throw this.error(`${JUMPS_MAX} jumps in a row without an effect (a loop that cannot end)`, f);
      }
      if (this.issued !== 1) {
        throw this.error(this.issued === 0 ? 'the step performed no effect' : `the step performed ${this.issued} effects`, f);
      }
    }
    const stepNo = ++s.steps;
    const h = s.effect_hash;
    const now = s.now_ns;
    const lo = now >>> 0;
    const hi = (now / 0x100000000) >>> 0;
    const w = (tid << 5) ^ this.lastEffect;
    h.h1 = mix1(mix1(h.h1, w), lo ^ Math.imul(hi, 0x27d4eb2f));
    h.h2 = mix2(mix2(h.h2, lo), w ^ hi);
    if (everyStep) schedAfterStep(s.sched, stepNo, tid, this.lastEffect === EFFECT.yield);
  }

  /** Moves time to the next timer and wakes every thread due then; a non-null result ends the run. */
  private advance(): StopReason | null {
    const s = this.s;
    const h = s.timers;
    const p = this.popped;
    // Drop cancelled timers so that the next one is real.
    while (heapSize(h) > 0 && !this.timerLive(h.tid[0], h.gen[0])) heapPop(h, p);
    if (heapSize(h) === 0) {
      if (s.live_threads === 0) {
        s.status = 'finished';
        this.finalizeEnd();
        return 'finished';
      }
      this.hang(detectQuiescentHang(this));
      this.finalizeEnd();
      return 'hung';
    }
    const t = heapMinTime(h);
    if (s.watchdog_ns > 0 && t - s.progress_ns > s.watchdog_ns) {
      const fire = s.progress_ns + s.watchdog_ns;
      if (fire > this.until_ns) return 'until';
      s.now_ns = fire;
      this.hang(detectWatchdogHang(this));
      this.finalizeEnd();
      return 'hung';
    }
    if (t > this.until_ns) return 'until';
    s.now_ns = t;
    while (heapSize(h) > 0 && heapMinTime(h) === t) {
      heapPop(h, p);
      if (this.timerLive(p.tid, p.gen)) this.timerFired(s.threads[p.tid]);
    }
    return null;
  }

  private timerLive(tid: number, gen: number): boolean {
    return this.s.threads[tid].timer_gen === gen;
  }

  private timerFired(th: SimThread): void {
    th.timer_gen++;
    th.deadline_ns = -1;
    th.interruptible = false;
    if (th.state === TS.blocked || th.state === TS.stopped || (th.state === TS.sleeping && th.wait_kind !== WAIT.timer)) {
      // A timed wait ran out.
      sync.timedOut(this, th);
    } else if (th.state === TS.sleeping) {
      this.setState(th, TS.runnable, WAIT.none, -1);
    } else if (th.state === TS.running && this.s.cpu !== null) {
      cpuLeave(this, this.s.cpu, th, true); // its compute is done: its CPU goes to the others
    }
    // running (compute) and io stay as they are until the thread is picked
    this.s.ready.push(th.id);
  }

  private finishLog(): void {
    const s = this.s;
    if (this.replayLog !== null) {
      const end = this.replayLog.end;
      if (s.sched.replay_index !== this.replayLog.tid.length) {
        throw new ReplayDivergence(s.decisions, s.decisions - 1, s.now_ns, `the run ended after ${s.decisions} decisions but the recording holds ${this.replayLog.tid.length}`, -1, []);
      }
      if (end !== null && (end.h1 !== s.effect_hash.h1 || end.h2 !== s.effect_hash.h2 || end.steps !== s.steps)) {
        throw new ReplayDivergence(s.decisions, s.decisions - 1, s.now_ns, `the events after the last decision (${s.decisions - 1}) differ from the recording`, -1, []);
      }
    }
    this.log.end = { h1: s.effect_hash.h1, h2: s.effect_hash.h2, steps: s.steps };
  }

  /**
   * Ends the run where it stands, with threads still alive: the model decides the experiment is
   * over (the migration completed or failed). Takes effect after the current step.
   */
  endRun(): void {
    const s = this.s;
    if (s.status !== 'ready') return;
    s.status = 'finished';
    // The end is recorded once the current step is complete (its effect hashed and counted),
    // so that the decision log's end matches what a replay reaches at the same point.
    this.endPending = true;
  }

  /** Completes the end of a run (finished or hung): the decision log's end, and the observer. */
  private finalizeEnd(): void {
    this.endPending = false;
    this.finishLog();
    const o = this.obs;
    if (o === null) return;
    if (this.s.status === 'hung' && this.s.hang !== null) o.hang(this.s.hang);
    else o.finished();
  }

  /** Stops the run with a hang report (unless the model already ended it: what is left waiting then is not a hang). */
  hang(report: HangReport): void {
    const s = this.s;
    if (s.status !== 'ready') return;
    s.status = 'hung';
    s.hang = report;
    this.endPending = true;
  }

  // ---- helpers used by the effect modules ----

  /** Marks that the current step performed an effect. */
  effect(kind: number): void {
    this.issued++;
    this.lastEffect = kind;
  }

  jittered(ns: number): number {
    this.checkDuration(ns);
    const j = this.s.jitter;
    if (j === 0 || ns === 0) return ns;
    return Math.max(0, Math.round(ns * (1 + j * (2 * prngFloat(this.s.rng) - 1))));
  }

  private checkDuration(ns: number): void {
    if (!(Number.isSafeInteger(ns) && ns >= 0)) throw this.error(`a duration must be a non-negative integer of ns, got ${ns}`);
  }

  private busy(ns: number, state: ThreadStateCode): void {
    const s = this.s;
    const th = this.cur;
    if (!Number.isSafeInteger(ns) || ns < 0) throw this.error(`a duration must be a non-negative integer of ns, got ${ns}`);
    if (ns === 0 && state === TS.running) return;
    const wake = s.now_ns + ns;
    const pool = s.cpu;
    // Fast path: nobody else can step before this thread finishes, so time jumps straight there
    // (on shared CPUs, only if nobody else is computing: then it has a CPU to itself throughout).
    if (
      s.ready.length === 1 && state === TS.running && wake < heapMinTime(s.timers) &&
      (s.watchdog_ns === 0 || wake - s.progress_ns <= s.watchdog_ns) && (pool === null || (pool.members.length === 0 && pool.cpus >= 1))
    ) {
      s.now_ns = wake;
      if (pool !== null) cpuRanAlone(pool, th.id, ns);
      return;
    }
    this.leaveReady();
    if (th.state !== state) this.setState(th, state, WAIT.none, -1);
    if (pool !== null && state === TS.running) cpuJoin(this, pool, th, ns);
    else this.armTimer(th, wake);
  }

  armTimer(th: SimThread, at_ns: number): void {
    heapPush(this.s.timers, at_ns, th.id, th.timer_gen);
  }

  /** Removes the current thread from the ready list (it blocks, sleeps, computes or exits). */
  leaveReady(): void {
    const r = this.s.ready;
    const i = this.curIdx;
    if (i === r.length - 1) r.pop();
    else r.splice(i, 1);
    this.curIdx = -1;
  }

  /** Puts a woken thread on the ready list. */
  makeReady(th: SimThread): void {
    this.setState(th, TS.runnable, WAIT.none, -1);
    this.s.ready.push(th.id);
  }

  setState(th: SimThread, state: ThreadStateCode, wait: WaitKind, waitId: number): void {
    th.state = state;
    th.wait_kind = wait;
    th.wait_id = waitId;
    th.since_ns = this.s.now_ns;
    const o = this.obs;
    if (o !== null) o.threadState(th.id);
  }

  private pushFrame(th: SimThread, fn: number, locals: unknown): void {
    th.stack.push({ fn, pc: 0, at: -1, l: locals });
    const o = this.obs;
    if (o !== null) o.framePush(th.id, fn);
  }

  /** An error in the simulated program, naming the thread, function and step. */
  error(message: string, f?: Frame): SimError {
    const th = this.cur as SimThread | null;
    if (th === null) return new SimError(message);
    const frame = f ?? th.stack[th.stack.length - 1];
    const where = frame === undefined ? '' : ` in ${this.program.name(frame.fn)} at "${this.program.statement(frame.fn, frame.at)}"`;
    return new SimError(`thread "${th.name}"${where} at t=${this.s.now_ns} ns: ${message}`);
  }
}
