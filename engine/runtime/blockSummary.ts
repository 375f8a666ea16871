// What happened in each block of BLOCK_STEPS boundaries of the run, as the look-ahead (lookAhead.ts)
// saw it: the model functions entered, the functions a statement ran in, the locks taken, and the
// `status`, `sync` and `page-lost` events. The stop matcher (stopMatcher.ts) can stop a continue, a
// next stage or a next iteration only at a boundary that saw one of these (a function or statement
// breakpoint's function, a lock breakpoint's lock, a stage change or sync, the first lost write),
// so a block that saw none of those the breakpoints in force name (and none the data-loss filter
// stops at) cannot hold a stop: the session restores a checkpoint past such blocks
// instead of simulating them. Nothing is counted in a skipped block (a hit count, a log point, a
// condition) because nothing there could have matched. Data breakpoints look at every boundary:
// with one set nothing is skipped. Restart Frame's scan back stops only where the frame's function
// was entered, and Jump to Cursor's scans where the statement's function ran: they pass the blocks
// without (whatever breakpoints are set).
//
// A boundary N (after step N) belongs to block (N - 1) >> BLOCK_SHIFT. An event seen while the
// kernel's step count is x is weighed by boundary x or x + 1 (during a step or between two), so it
// marks the blocks of both.

import { NullObserver } from '../sim/observer';
import type { Kernel } from '../sim/kernel';
import type { BreakpointSet } from './breakpoints';
import { breakpointsFor, lossStops, type Goal } from './stopMatcher';

const BLOCK_SHIFT = 14;
/** Boundaries per block. */
export const BLOCK_STEPS = 1 << BLOCK_SHIFT;
/** Locks told apart (ids beyond: any lock, for their block). */
const LOCK_WORDS = 4;
const F_STATUS = 1;
const F_SYNC = 2;
/** a lock beyond those told apart was taken */
const F_OTHER_LOCK = 4;
/** the first lost write (the data-loss exception stops there) */
const F_LOSS = 8;

/** What may stop a forward movement: the breakpoints' functions, statements' functions and locks, and the events the goal stops after. */
export interface BlockWant {
  entered: number[];
  statements: number[];
  locks: number[];
  flags: number;
}

/**
 * What a continue, next stage, next iteration, a scan back to a frame's entry (Restart Frame) or
 * to a statement (Jump to Cursor's targets) can stop at, with these breakpoints; null if it may
 * stop anywhere (a data breakpoint) or the goal is none of those. A frame is entered by a call or
 * a spawn, both of which push its function.
 */
export function blockWant(goal: Goal, all: BreakpointSet): BlockWant | null {
  const bps = breakpointsFor(goal, all);
  if (bps.dataBps.length > 0) return null;
  const g = goal.kind;
  if (g !== 'continue' && g !== 'nextStage' && g !== 'nextIteration' && g !== 'frameEntry' && g !== 'statement') return null;
  const w: BlockWant = { entered: [], statements: [], locks: [], flags: g === 'nextStage' ? F_STATUS : g === 'nextIteration' ? F_STATUS | F_SYNC : 0 };
  if (lossStops(goal, all)) w.flags |= F_LOSS;
  // A frame's entry, or where a statement of the function ran (its entry, for the listing's first line).
  if (g === 'frameEntry') w.entered.push(goal.fn);
  else if (g === 'statement') (goal.step >= 0 ? w.statements : w.entered).push(goal.fn);
  for (const bp of bps.fnBps) {
    if (bp.kind === 'function') w.entered.push(...bp.fns);
    else if (bp.kind === 'stage') w.flags |= F_STATUS;
    else if (bp.kind === 'lock' && bp.mutex >= 0) {
      if (bp.mutex < LOCK_WORDS * 32) w.locks.push(bp.mutex);
      else w.flags |= F_OTHER_LOCK;
    }
  }
  for (const [fn, list] of bps.lineBps) {
    if (list.some((bp) => bp.step === -1)) w.entered.push(fn);
    if (list.some((bp) => bp.step >= 0)) w.statements.push(fn);
  }
  return w;
}

export class BlockSummary extends NullObserver {
  private readonly fnWords: number;
  private entered: Uint32Array;
  private statements: Uint32Array;
  private locks: Uint32Array;
  private flags: Uint8Array;
  private blocks = 0;

  constructor(private readonly k: Kernel) {
    super();
    this.fnWords = Math.max(1, Math.ceil(k.program.fns.length / 32));
    this.entered = new Uint32Array(64 * this.fnWords);
    this.statements = new Uint32Array(64 * this.fnWords);
    this.locks = new Uint32Array(64 * LOCK_WORDS);
    this.flags = new Uint8Array(64);
  }

  /** Block `b` has been seen (room for it, and the count of blocks holds it). */
  private reach(b: number): void {
    if (b >= this.flags.length) this.grow(b);
    if (b >= this.blocks) this.blocks = b + 1;
  }

  private grow(b: number): void {
    let cap = this.flags.length;
    while (cap <= b) cap *= 2;
    const more = (a: Uint32Array, words: number): Uint32Array => {
      const n = new Uint32Array(cap * words);
      n.set(a);
      return n;
    };
    this.entered = more(this.entered, this.fnWords);
    this.statements = more(this.statements, this.fnWords);
    this.locks = more(this.locks, LOCK_WORDS);
    const f = new Uint8Array(cap);
    f.set(this.flags);
    this.flags = f;
  }

  /** The blocks of the boundaries that weigh an event seen now. */
  private mark(bits: 'entered' | 'locks' | null, bit: number, flag: number): void {
    const x = this.k.s.steps;
    const hi = x >> BLOCK_SHIFT;
    const lo = x > 0 ? (x - 1) >> BLOCK_SHIFT : 0;
    this.reach(hi);
    for (let b = lo; b <= hi; b++) {
      this.flags[b] |= flag;
      if (bits === 'entered') this.entered[b * this.fnWords + (bit >>> 5)] |= 1 << (bit & 31);
      else if (bits === 'locks') this.locks[b * LOCK_WORDS + (bit >>> 5)] |= 1 << (bit & 31);
    }
  }

  override framePush(_tid: number, fn: number): void {
    this.mark('entered', fn, 0);
  }

  override lockAcquire(m: number): void {
    if (m < LOCK_WORDS * 32) this.mark('locks', m, 0);
    else this.mark(null, 0, F_OTHER_LOCK);
  }

  override custom(kind: string): void {
    if (kind === 'status') this.mark(null, 0, F_STATUS);
    else if (kind === 'sync') this.mark(null, 0, F_SYNC);
    else if (kind === 'page-lost') this.mark(null, 0, F_LOSS);
  }

  /** At each boundary of the look-ahead's kernel: the function the step ran a statement of. */
  atBoundary(): void {
    const f = this.k.lastFrame;
    if (f === null) return;
    const s = this.k.s.steps;
    const b = s > 0 ? (s - 1) >> BLOCK_SHIFT : 0;
    this.reach(b);
    this.statements[b * this.fnWords + (f.fn >>> 5)] |= 1 << (f.fn & 31);
  }

  private may(b: number, w: BlockWant): boolean {
    if ((this.flags[b] & w.flags) !== 0) return true;
    const fw = this.fnWords;
    for (const fn of w.entered) if ((this.entered[b * fw + (fn >>> 5)] & (1 << (fn & 31))) !== 0) return true;
    for (const fn of w.statements) if ((this.statements[b * fw + (fn >>> 5)] & (1 << (fn & 31))) !== 0) return true;
    for (const m of w.locks) if ((this.locks[b * LOCK_WORDS + (m >>> 5)] & (1 << (m & 31))) !== 0) return true;
    return false;
  }

  /**
   * The furthest boundary B <= `upTo` (the look-ahead's position: every boundary up to it seen)
   * such that none in (`after`, B] can stop a movement that wants `w`.
   */
  freeUntil(after: number, upTo: number, w: BlockWant): number {
    if (upTo <= after) return after;
    for (let b = after >> BLOCK_SHIFT, end = (upTo - 1) >> BLOCK_SHIFT; b <= end; b++) {
      if (b < this.blocks && this.may(b, w)) return Math.max(after, b << BLOCK_SHIFT);
    }
    return upTo;
  }
}
