// Where a run stops: the observer that sees every event of a step, and the kernel's boundary hook
// that decides, at each step boundary, whether the run stops there (a breakpoint, the end of a
// step, a new stage, a bitmap sync round, a watched variable that changed). The same decision is
// taken whether the run goes forward or is being scanned backwards from a checkpoint (reverse
// continue, step back), so a stop reached either way is the same boundary.
//
// A boundary N is evaluated once, with what step N did and what happened until the next step.

import type { Kernel } from '../sim/kernel';
import { NullObserver } from '../sim/observer';
import { EFFECT, type Frame } from '../sim/types';
import { md, type ModelCtx } from '../model/ctx';
import { threadRole } from '../model/roles';
import { evalCondition, hitMatches, type Value } from './condition';
import { canLoseWrites } from '../model/vcpu';
import { migVar } from './migrationVars';
import { lockLabel } from './threadView';
import { lossException, type EndException } from './exceptions';
import type { Bp, BreakpointSet } from './breakpoints';
import type { StepBackTrack } from './stepBackTrack';

export type StepMode = 'over' | 'in' | 'out';

export type Goal =
  | { kind: 'continue' }
  | { kind: 'step'; mode: StepMode; tid: number; depth: number }
  | { kind: 'nextStage' }
  | { kind: 'nextIteration' }
  /** scans only: the statements a step back may land on */
  | { kind: 'back'; tid: number; depth: number }
  /** scans only: the call that pushed frame number `depth` of `tid` (1: the thread's start) */
  /** `fn`: the frame's function (what the block summary knows of an entry) */
  | { kind: 'frameEntry'; tid: number; depth: number; fn: number }
  /** any thread executing statement `step` of function `fn` (-1: entering it) */
  | { kind: 'statement'; fn: number; step: number };

export type StopReasonName = 'step' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception' | 'pause' | 'entry' | 'goto';

export interface Hit {
  reason: StopReasonName;
  description: string;
  bpIds: number[];
  /** the thread the stop is about (DAP focuses it), or -1 */
  tid: number;
  /** for an exception: its short name (the stopped event's text) and what exceptionInfo says */
  text?: string;
  exception?: EndException;
}

interface LockEvent { m: number; tid: number; wait_ns: number }

/** The breakpoints a movement looks at. */
export type BreakpointsSeen = Pick<BreakpointSet, 'fnBps' | 'lineBps' | 'dataBps'>;

const NO_BPS: BreakpointsSeen = { fnBps: [], lineBps: new Map(), dataBps: [] };

/**
 * The breakpoints `goal` stops at (and counts and logs): all of them, but for Restart Frame, which
 * rewinds to the frame's entry, and Jump to Cursor's search for a statement's previous and next
 * runs, which nothing on the way stops.
 */
export function breakpointsFor(goal: Goal, bps: BreakpointSet): BreakpointsSeen {
  return goal.kind === 'frameEntry' || goal.kind === 'statement' ? NO_BPS : bps;
}

/**
 * Whether `goal` stops at the first lost write (the data-loss exception at its moment): a forward
 * movement (continue, a step, next stage or iteration, and reverse continue's scan) with the
 * data-loss filter on, in a run that can lose a write; Restart Frame and Jump to Cursor's scans
 * pass it, as they pass breakpoints.
 */
export function lossStops(goal: Goal, bps: BreakpointSet): boolean {
  const g = goal.kind;
  if (g !== 'continue' && g !== 'step' && g !== 'nextStage' && g !== 'nextIteration') return false;
  const ctx = bps.modelCtx;
  return ctx !== null && bps.exceptions.has('data-loss') && canLoseWrites(ctx.cfg);
}

/** The stop at the first lost write, at the boundary after the step that made it. */
export function lossHit(k: Kernel, ctx: ModelCtx): Hit {
  return { reason: 'exception', description: 'Paused on data-loss', bpIds: [], tid: ctx.ids.migration_tid, text: 'data-loss', exception: lossException(k, ctx) };
}

export class StopMatcher extends NullObserver {
  goal: Goal = { kind: 'continue' };
  /** 'run': stop where matched; 'scan': remember the last match and go on; 'off': ignore events */
  mode: 'run' | 'scan' | 'off' = 'off';
  hit: Hit | null = null;
  lastMatch: { steps: number; hit: Hit } | null = null;
  /** a stretch being watched for later step backs in the stepping thread (forward steps only) */
  track: StepBackTrack | null = null;
  private evaluated = -1;
  private pushes: number[] = [];
  private locks: LockEvent[] = [];
  private stageEvents = 0;
  private syncs = 0;
  private prevStage = '';
  private prevStatus = '';
  private dataPrev: Value[] = [];
  /** something happened since the last boundary that a breakpoint or the goal may care about */
  private dirty = false;
  /** a breakpoint must look at every boundary (data breakpoints: a variable may change at any step) */
  private perStep = false;
  private wantPushes = false;
  private wantLocks = false;
  /** the goal stops at the first lost write, and the step before this boundary made it */
  private watchLoss = false;
  private lost = false;
  /**
   * Boundaries that can match without any event: those after a step of `watchTid` (stepping, step
   * back, a frame's entry), after a spawn (the entry of a thread), or after a statement of a
   * function marked in `watchFns` (statement breakpoints, a statement goal). Everywhere else a
   * boundary with no event since the last one cannot stop, so the hook costs a few compares there
   * and the run goes at nearly the speed of an unwatched one.
   */
  private watchTid = -1;
  private watchSpawn = false;
  private watchFns: Uint8Array;
  private anyWatchFn = false;
  readonly boundary = (): boolean => {
    const k = this.k;
    // (Also the boundary a run starts from: evaluated already, and no step has run since a restore.)
    if (k.s.steps === this.evaluated) return false;
    if (this.dirty || this.perStep) return this.evaluate();
    if (k.cur.id === this.watchTid || (this.watchSpawn && k.lastEffect === EFFECT.spawn)) return this.evaluate();
    if (this.anyWatchFn) {
      const f = k.lastFrame;
      if (f !== null && this.watchFns[f.fn] === 1) return this.evaluate();
    }
    return false;
  };

  constructor(private readonly k: Kernel, private readonly ctx: ModelCtx, readonly bps: BreakpointSet, private readonly log: (text: string) => void) {
    super();
    this.watchFns = new Uint8Array(k.program.fns.length);
  }

  /** After a restore, a seek or a stop at the kernel's position: nothing pending, this boundary done. */
  resetAt(): void {
    this.evaluated = this.k.s.steps;
    this.pushes.length = 0;
    this.locks.length = 0;
    this.stageEvents = 0;
    this.syncs = 0;
    this.lost = false;
    const m = md(this.k).mig;
    this.prevStage = m.stage;
    this.prevStatus = m.status;
    this.dataPrev = this.bps.dataBps.map((bp) => bp.data!.get(this.k, this.ctx));
    this.hit = null;
    this.dirty = false;
    this.arm();
  }

  /** Works out what the boundary hook must watch for the goal and breakpoints in force. */
  arm(): void {
    const goal = this.goal;
    const g = goal.kind;
    const bps = breakpointsFor(goal, this.bps);
    this.perStep = bps.dataBps.length > 0;
    this.wantPushes = g === 'statement' || bps.lineBps.size > 0 || bps.fnBps.some((b) => b.kind === 'function');
    this.wantLocks = bps.fnBps.some((b) => b.kind === 'lock');
    this.watchLoss = lossStops(goal, this.bps);
    this.watchTid = g === 'step' || g === 'back' || (g === 'frameEntry' && goal.depth !== 1) ? goal.tid : -1;
    this.watchSpawn = g === 'frameEntry' && goal.depth === 1;
    this.watchFns.fill(0);
    for (const fn of bps.lineBps.keys()) this.watchFns[fn] = 1;
    if (g === 'statement' && goal.step >= 0) this.watchFns[goal.fn] = 1;
    this.anyWatchFn = this.watchFns.includes(1);
    // Statements that only jump on run inside another's step: the kernel lists them for the check.
    this.k.hops = this.anyWatchFn ? (this.k.hops ?? []) : null;
  }

  /** Whether the goal or a breakpoint in force needs the run's events at all (else the kernel need not send them here). */
  get wantsEvents(): boolean {
    const g = this.goal.kind;
    return this.wantPushes || this.wantLocks || this.watchLoss || g === 'nextStage' || g === 'nextIteration' || breakpointsFor(this.goal, this.bps).fnBps.some((b) => b.kind === 'stage');
  }

  /** Whether a forward run needs the boundary hook at all (else it runs at full speed to the end). */
  get needsHook(): boolean {
    return this.goal.kind !== 'continue' || this.bps.any || this.watchLoss;
  }

  override framePush(tid: number, fn: number): void {
    if (this.mode === 'off' || !this.wantPushes) return;
    this.pushes.push(tid, fn);
    this.dirty = true;
  }

  override lockAcquire(m: number, tid: number, wait_ns: number): void {
    if (this.mode === 'off' || !this.wantLocks) return;
    this.locks.push({ m, tid, wait_ns });
    this.dirty = true;
  }

  override custom(kind: string): void {
    if (this.mode === 'off') return;
    if (kind === 'status') this.stageEvents++;
    else if (kind === 'sync') this.syncs++;
    else if (kind === 'page-lost' && this.watchLoss) this.lost = true;
    else return;
    this.dirty = true;
  }

  /** The boundary hook: true stops the run here. */
  evaluate(): boolean {
    const k = this.k;
    const s = k.s;
    if (s.steps === this.evaluated) return false;
    this.evaluated = s.steps;
    const t = this.track;
    if (t !== null && k.cur.id === t.tid && ranStatement(k)) t.visit(s.steps, k.lastEffect, k.cur.stack.length);
    const hit = this.check();
    this.dirty = false;
    this.lost = false;
    this.pushes.length = 0;
    this.locks.length = 0;
    this.stageEvents = 0;
    this.syncs = 0;
    if (hit === null) return false;
    if (this.mode === 'scan') {
      this.lastMatch = { steps: s.steps, hit };
      return false;
    }
    this.hit = hit;
    return true;
  }

  private vars(extra: Record<string, Value>): (name: string) => Value | undefined {
    return (name) => {
      if (name in extra) return extra[name];
      const v = migVar(name);
      return v === undefined ? undefined : v.get(this.k, this.ctx);
    };
  }

  /** Counts a hit of `bp` and says whether it stops (log points print instead). */
  private fires(bp: Bp, extra: Record<string, Value>): boolean {
    const scan = this.mode === 'scan';
    if (scan && (bp.hit !== null || bp.log !== null)) return false;
    if (bp.cond !== null && !evalCondition(bp.cond, this.vars(extra), threadAlias)) return false;
    if (scan) return true;
    bp.hits++;
    if (bp.hit !== null && !hitMatches(bp.hit, bp.hits)) return false;
    if (bp.log !== null) {
      this.log(interpolate(bp.log, this.vars(extra)));
      return false;
    }
    return true;
  }

  private check(): Hit | null {
    const k = this.k;
    const s = k.s;
    const th = k.cur;
    const tid = th.id;
    const m = md(k).mig;
    const bps = breakpointsFor(this.goal, this.bps);
    const ids: number[] = [];
    let reason: StopReasonName = 'breakpoint';
    let desc = '';
    let focus = -1;
    const statusChanged = m.status !== this.prevStatus;
    const stageChanged = m.stage !== this.prevStage;
    // Function, stage and lock breakpoints.
    for (const bp of bps.fnBps) {
      if (bp.kind === 'function') {
        for (let i = 0; i < this.pushes.length; i += 2) {
          if (bp.fns.has(this.pushes[i + 1]) && this.fires(bp, { thread: s.threads[this.pushes[i]].name })) {
            ids.push(bp.id);
            reason = 'function breakpoint';
            desc = `Paused on function breakpoint ${bp.label}`;
            focus = this.pushes[i];
            break;
          }
        }
      } else if (bp.kind === 'stage') {
        const entered = (stageChanged && m.stage === bp.stage) || (statusChanged && m.status === bp.stage);
        if (this.stageEvents > 0 && entered && this.fires(bp, { thread: th.name })) {
          ids.push(bp.id);
          reason = 'function breakpoint';
          desc = `Paused on ${bp.label}: the migration entered ${bp.stage}`;
          focus = this.ctx.ids.migration_tid;
        }
      } else if (bp.kind === 'lock') {
        for (const e of this.locks) {
          if (e.m !== bp.mutex) continue;
          const mx = s.mutexes[e.m];
          if (this.fires(bp, { wait: e.wait_ns, holder: s.threads[e.tid].name, thread: s.threads[e.tid].name, waiters: mx.waiters.length, lock: mx.name })) {
            ids.push(bp.id);
            reason = 'function breakpoint';
            desc = `Paused on ${bp.label}: "${s.threads[e.tid].name}" took ${lockLabel(mx.name)} after waiting ${e.wait_ns} ns`;
            focus = e.tid;
            break;
          }
        }
      }
    }
    // Statement breakpoints and log points: the statement the last step ran, or a function's entry.
    if (bps.lineBps.size > 0) {
      const f = k.lastFrame;
      if (f !== null) {
        const hit: Bp[] = [];
        for (const bp of bps.lineBps.get(f.fn) ?? []) {
          if (bp.step >= 0 && ran(k, f, bp.step) && this.fires(bp, { thread: th.name })) {
            ids.push(bp.id);
            hit.push(bp);
            focus = tid;
          }
        }
        // (Listing lines: the function's name, then its statements from line 2.)
        if (hit.length > 0) desc = `Paused on ${hit.map((bp) => bp.label).join(', ')}${hit.some((bp) => bp.step !== f.at) ? ` (the step went on to line ${f.at + 2})` : ''}`;
      }
      for (let i = 0; i < this.pushes.length; i += 2) {
        for (const bp of bps.lineBps.get(this.pushes[i + 1]) ?? []) {
          if (bp.step === -1 && this.fires(bp, { thread: s.threads[this.pushes[i]].name })) {
            ids.push(bp.id);
            desc = `Paused on ${bp.label} (entry)`;
            focus = this.pushes[i];
          }
        }
      }
    }
    // Data breakpoints: a watched variable changed since the previous boundary.
    for (let i = 0; i < bps.dataBps.length; i++) {
      const bp = bps.dataBps[i];
      const now = bp.data!.get(k, this.ctx);
      const old = this.dataPrev[i];
      if (now !== old) {
        this.dataPrev[i] = now;
        if (this.fires(bp, { value: now, old: old ?? 0, thread: th.name })) {
          ids.push(bp.id);
          reason = 'data breakpoint';
          desc = `Paused on data breakpoint: ${bp.data!.name} changed from ${old} to ${now}`;
          focus = tid;
        }
      }
    }
    this.prevStage = m.stage;
    this.prevStatus = m.status;
    // The first lost write: an exception, with the breakpoints that matched at the same boundary (counted, so reported).
    if (this.lost) return { ...lossHit(k, this.ctx), bpIds: ids };
    if (ids.length > 0) return { reason, description: desc, bpIds: ids, tid: focus };
    const g = this.goal;
    const stmt = ranStatement(k);
    const edepth = statementDepth(th.stack.length, k.lastEffect);
    switch (g.kind) {
      case 'continue':
        return null;
      case 'step':
        if (tid !== g.tid || !stmt || !stepStops(g.mode, k.lastEffect, edepth, g.depth)) return null;
        return { reason: 'step', description: '', bpIds: [], tid };
      case 'back':
        // The inverse of "over" from the frame the thread is in now.
        if (tid === g.tid && stmt && stepStops('over', k.lastEffect, edepth, g.depth)) return { reason: 'step', description: '', bpIds: [], tid };
        return null;
      case 'frameEntry':
        if (g.depth === 1 ? k.lastEffect === EFFECT.spawn && th.result === g.tid : tid === g.tid && k.lastEffect === EFFECT.call && th.stack.length === g.depth) {
          return { reason: 'goto', description: 'Rewound to the entry of the frame', bpIds: [], tid: g.tid };
        }
        return null;
      case 'statement': {
        if (g.step >= 0) {
          const f = k.lastFrame;
          if (f !== null && f.fn === g.fn && ran(k, f, g.step)) return { reason: 'goto', description: '', bpIds: [], tid };
          return null;
        }
        for (let i = 0; i < this.pushes.length; i += 2) if (this.pushes[i + 1] === g.fn) return { reason: 'goto', description: '', bpIds: [], tid: this.pushes[i] };
        return null;
      }
      case 'nextStage':
      case 'nextIteration':
        return stageGoalHit(g.kind, stageChanged, this.syncs, k, this.ctx);
    }
  }
}

/**
 * Where "next stage" / "next iteration" stops, at a boundary after an event: the stage changed
 * since the last such boundary, or (next iteration) a bitmap sync ran. A round ends at its sync;
 * leaving the iterative stage ends the rounds too.
 */
export function stageGoalHit(kind: 'nextStage' | 'nextIteration', stageChanged: boolean, syncs: number, k: Kernel, ctx: ModelCtx): Hit | null {
  const m = md(k).mig;
  if (kind === 'nextIteration' && syncs > 0) return { reason: 'step', description: `Next iteration: dirty-sync-count ${m.dirty_sync_count}`, bpIds: [], tid: ctx.ids.migration_tid };
  if (stageChanged) return { reason: 'step', description: `Next stage: ${m.stage} (${m.status})`, bpIds: [], tid: ctx.ids.migration_tid };
  return null;
}

/** Whether the last step ran statement `step` of frame `f` (its last statement, or one it jumped on from). */
function ran(k: Kernel, f: Frame, step: number): boolean {
  return f.at === step || (k.hops !== null && k.hops.includes(step));
}

/** Whether the step that led to the kernel's boundary ran a statement of a model function (not a kernel relock, not a bare scheduling point). */
export function ranStatement(k: Kernel): boolean {
  return k.lastFrame !== null && k.lastEffect !== EFFECT.yield;
}

/** The depth of the frame a statement ran in, from the stack's depth after it (a call pushed one frame, a return popped one). */
export function statementDepth(depth: number, effect: number): number {
  return depth + (effect === EFFECT.ret ? 1 : effect === EFFECT.call ? -1 : 0);
}

/**
 * Whether a statement the stepping thread ran (its effect, and the depth of the frame that ran it)
 * ends a step started in a frame at `depth`: "over" runs a call to its return and stops in this
 * frame or a caller (a call is the statement in progress until its callee returns); "in" stops at
 * the next statement anywhere; "out" stops once this frame has returned.
 */
export function stepStops(mode: StepMode, effect: number, edepth: number, depth: number): boolean {
  switch (mode) {
    case 'in':
      return true;
    case 'over':
      return (effect !== EFFECT.call && edepth <= depth) || (effect === EFFECT.ret && edepth === depth + 1);
    case 'out':
      return edepth < depth || (effect === EFFECT.ret && edepth === depth);
  }
}

/** A thread matches by name and by role: `holder == migration` holds for "migration" and "mig/src/main". */
function threadAlias(name: string, v: Value): Value[] {
  if ((name === 'holder' || name === 'thread') && typeof v === 'string') return [v, threadRole(v)];
  return [v];
}

/** A log point's message with `{name}` replaced by the variable's value. */
export function interpolate(text: string, get: (name: string) => Value | undefined): string {
  return text.replace(/\{([^{}]+)\}/g, (all, name: string) => {
    const v = get(name.trim());
    return v === undefined ? all : String(v);
  });
}
