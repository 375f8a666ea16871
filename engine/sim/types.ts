// The plain-data shapes of the simulation state. Everything here is numbers, strings, arrays and
// plain objects (plus ChunkedArray for big arrays), so that a snapshot is a structural copy and a
// restored simulation is indistinguishable from the original.

import type { Hash64 } from './hash';
import type { PrngState } from './prng';
import type { TimerHeap } from './timerHeap';
import type { SchedState } from './scheduler';
import type { HangReport } from './hangReport';
import type { ChunkedArray } from './chunkedArray';

/** Pair codes of WaitedOn.order: waiter * WAITED_ON_PAIR + holder + 1 (thread ids stay far below it). */
export const WAITED_ON_PAIR = 1 << 20;

/** Thread states, as a debugger or a timeline shows them. */
export const TS = {
  running: 0,
  runnable: 1,
  blocked: 2,
  sleeping: 3,
  io: 4,
  stopped: 5,
  exited: 6,
} as const;
export type ThreadStateCode = (typeof TS)[keyof typeof TS];
export const THREAD_STATE_NAMES = ['running', 'runnable', 'blocked', 'sleeping', 'io', 'stopped', 'exited'] as const;

/** What a blocked (or stopped, or sleeping) thread waits for. */
export const WAIT = {
  none: 0,
  mutex: 1,
  cond: 2,
  sem: 3,
  join: 4,
  timer: 5,
} as const;
export type WaitKind = (typeof WAIT)[keyof typeof WAIT];
export const WAIT_NAMES = ['none', 'mutex', 'cond', 'sem', 'join', 'timer'] as const;

/** Effects a step may perform; exactly one per step. Also mixed into the running effect hash. */
export const EFFECT = {
  compute: 1,
  io: 2,
  sleep: 3,
  yield: 4,
  lock: 5,
  trylock: 6,
  unlock: 7,
  condWait: 8,
  condSignal: 9,
  condBroadcast: 10,
  semPost: 11,
  semWait: 12,
  spawn: 13,
  join: 14,
  call: 15,
  ret: 16,
  relock: 17,
  computeInterruptible: 18,
} as const;

/** Work a woken thread must finish in the kernel before its own step runs again. */
export const PENDING = {
  none: 0,
  /** retake the mutex in `pending_arg` (after a mutex wake-up or a condition wait) */
  relock: 1,
} as const;

export interface Frame<L = unknown> {
  /** function id in the Program */
  fn: number;
  /** step index inside the function: where it resumes */
  pc: number;
  /**
   * the step it executed last (-1 before its first): the statement the frame is "at" while its
   * effect is in progress (a compute, a lock wait, a call into the frame above)
   */
  at: number;
  /** the function's locals, plain data */
  l: L;
}

export interface SimThread {
  id: number;
  name: string;
  parent: number;
  state: ThreadStateCode;
  stack: Frame[];
  wait_kind: WaitKind;
  wait_id: number;
  /** virtual time the current state began */
  since_ns: number;
  /** bumped whenever a pending timer of this thread must be ignored */
  timer_gen: number;
  /** end of a timed wait in progress, or -1: a thread with a deadline will wake by itself */
  deadline_ns: number;
  /** in a compute that `kick` may cut short (a vCPU in KVM_RUN), and when that compute began */
  interruptible: boolean;
  busy_start_ns: number;
  /** a kick arrived while not in an interruptible compute: the next one returns at once */
  kick_pending: boolean;
  /** value delivered by the last effect: trylock success, timed-out flag, spawned tid, return value */
  result: number;
  pending: number;
  pending_arg: number;
  /** mutex ids held, in acquisition order */
  held: number[];
  /** livelock evidence: consecutive failed trylocks, and on what */
  trylock_failures: number;
  trylock_last_mutex: number;
  trylock_last_owner: number;
  /** state to show while parked on a condition (blocked, or stopped for a paused vCPU) */
  park_state: ThreadStateCode;
  exit_ns: number;
  /**
   * The mutex it is trying to take (-1: none), from the first time it failed to take it until it
   * does (it may be woken and lose the race again meanwhile): when that first failure was, and who
   * held the mutex then, for "who waited on whom". A thread waits for one mutex at a time.
   */
  contend_mutex: number;
  contend_since_ns: number;
  contend_holder: number;
}

export interface LockSiteStats {
  /** function id of the caller that took the lock */
  fn: number;
  acquisitions: number;
  contentions: number;
  wait_ns_total: number;
  wait_ns_min: number;
  wait_ns_max: number;
  hold_ns_total: number;
  hold_ns_min: number;
  hold_ns_max: number;
}

export interface SimMutex {
  id: number;
  name: string;
  /** true: unlock hands the mutex to the first waiter; false: unlock wakes it and it races (pthread-like) */
  fair: boolean;
  owner: number;
  owner_site: number;
  acquired_ns: number;
  /** someone waited during the current hold (Tracy's "held while contended") */
  contended_now: boolean;
  waiters: number[];
  last_owner: number;
  owner_changes: number;
  sites: LockSiteStats[];
  /** wait time charged to the holder ("who waited on whom"), from the first contended acquisition on (waitedOn.ts) */
  waited_on: WaitedOn | null;
}

/**
 * Wait time charged to the holder of one mutex, per (waiter, holder) pair, in the order each pair
 * first waited (waitedOn.ts). Pair codes are `waiter * WAITED_ON_PAIR + holder + 1`. 512 vCPUs
 * waiting on each other for the BQL make a quarter of a million pairs, tens of thousands of which
 * change between two checkpoints, at random: so the totals are not updated in place but kept as
 * totals at the last fold plus a log of the waits since, in copy-on-write chunks that a checkpoint
 * shares but for what was appended since the previous one.
 */
export interface WaitedOn {
  /** pair codes in the order each pair first waited (f64, growable) */
  order: ChunkedArray;
  /** side of `seen`: a pair's cell is waiter * side + holder + 1 */
  side: number;
  /** one bit per cell, set once the pair has waited (u32, side * side bits) */
  seen: ChunkedArray;
  /** per pair (place in `order`), ns waited up to the last fold; pairs beyond its length had none (f64) */
  base: ChunkedArray;
  /** the waits since the last fold, in order: the pair's cell (i32, growable) and the ns (u32, growable) */
  log_pair: ChunkedArray;
  log_ns: ChunkedArray;
}

export interface SimCond {
  id: number;
  name: string;
  waiters: number[];
  /** threads that ever signalled or broadcast this condition, or were declared as able to */
  signalers: number[];
  /** the last signal that found no waiter, for lost-wakeup reports */
  missed_signal_ns: number;
  missed_signal_tid: number;
  signals: number;
}

export interface SimSem {
  id: number;
  name: string;
  count: number;
  waiters: number[];
  posters: number[];
  posts: number;
}

/** Host CPUs shared by computing threads (hostCpus.ts); absent when every thread has a CPU of its own. */
export interface CpuPool {
  cpus: number;
  /** thread ids computing now, in the order they joined (ties in finishing go to the earlier) */
  members: number[];
  /** per member (same index): service at which it is done, and service when it joined */
  finish_s: number[];
  start_s: number[];
  /** the service clock, and the virtual time it was last brought up to */
  s: number;
  s_at_ns: number;
  /** the member whose timer is armed, or -1 */
  armed_tid: number;
  /** per thread id: CPU time the thread received in its last compute that ended */
  used_ns: number[];
}

export type RunStatus = 'ready' | 'finished' | 'hung' | 'stopped' | 'error';

export interface SimState {
  now_ns: number;
  /** scheduling steps executed (effects plus kernel relocks) */
  steps: number;
  decisions: number;
  /** running hash over every executed effect (thread, kind, time): replay checks it per decision */
  effect_hash: Hash64;
  rng: PrngState;
  /** jitter on compute durations, as a fraction: 0.05 means ±5% */
  jitter: number;
  threads: SimThread[];
  mutexes: SimMutex[];
  conds: SimCond[];
  sems: SimSem[];
  /** threads ready to take a step at now_ns, in the order they became ready */
  ready: number[];
  timers: TimerHeap;
  sched: SchedState;
  live_threads: number;
  /** no-progress watchdog: 0 disables */
  watchdog_ns: number;
  progress_ns: number;
  status: RunStatus;
  hang: HangReport | null;
  /** host CPUs shared by computing threads, or null: every thread has a CPU of its own */
  cpu: CpuPool | null;
  /** model-owned plain data */
  data: unknown;
}
