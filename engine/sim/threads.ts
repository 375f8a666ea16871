// A simulated thread's record and its end: the fields a new thread starts with (state, waits, the
// kernel's bookkeeping for timers, kicks, relocks and contention), and what its exit releases (a
// join waiting on it; a hang it leaves behind, hangDetect.ts). The kernel (kernel.ts) creates and
// steps threads; this file holds what a thread is.

import type { Kernel } from './kernel';
import { PENDING, TS, WAIT, type SimThread } from './types';
import { afterExit } from './sync';

/** A runnable thread with an empty stack, created at `now_ns`. */
export function newThread(tid: number, name: string, parent: number, now_ns: number): SimThread {
  return {
    id: tid,
    name,
    parent,
    state: TS.runnable,
    stack: [],
    wait_kind: WAIT.none,
    wait_id: -1,
    since_ns: now_ns,
    timer_gen: 0,
    deadline_ns: -1,
    interruptible: false,
    busy_start_ns: 0,
    kick_pending: false,
    result: 0,
    pending: PENDING.none,
    pending_arg: -1,
    held: [],
    trylock_failures: 0,
    trylock_last_mutex: -1,
    trylock_last_owner: -1,
    park_state: TS.blocked,
    exit_ns: -1,
    contend_mutex: -1,
    contend_since_ns: 0,
    contend_holder: -1,
  };
}

/** Thread `th` returned from its outermost frame (the kernel's current thread). */
export function exitThread(k: Kernel, th: SimThread): void {
  const s = k.s;
  if (th.held.length > 0) {
    throw k.error(`thread exited holding ${th.held.map((m) => s.mutexes[m].name).join(', ')}`);
  }
  k.leaveReady();
  th.exit_ns = s.now_ns;
  s.live_threads--;
  k.setState(th, TS.exited, WAIT.none, -1);
  for (const t of s.threads) {
    if (t.state === TS.blocked && t.wait_kind === WAIT.join && t.wait_id === th.id) k.makeReady(t);
  }
  afterExit(k, th);
}
