// Mutexes, condition variables and semaphores, with the lock accounting of lock_stat / QSP: per
// mutex and per call site (the function that took it), acquisitions, contentions, wait and hold
// time (total, min, max), owner changes, and wait time charged to the holder ("who waited on whom").
//
// Mutexes are pthread-like by default: unlock wakes the first waiter, which must then retake the
// mutex and can lose it to a thread that asks first (barging); a woken waiter that loses keeps its
// place at the head of the queue. `fair` mutexes hand ownership straight to the first waiter.
// Condition waits release the mutex and retake it on wake-up, as pthread_cond_wait does.

import type { Kernel } from './kernel';
import { OBJ } from './observer';
import { PENDING, TS, WAIT, type LockSiteStats, type SimCond, type SimMutex, type SimSem, type SimThread, type ThreadStateCode } from './types';
import { detectOnBlock, detectAfterExit } from './hangDetect';
import { addWait, createWaitedOn } from './waitedOn';

export function addUnique(list: number[], v: number): void {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return;
  list.push(v);
}

export function createMutex(k: Kernel, name: string, fair: boolean): number {
  const id = k.s.mutexes.length;
  const m: SimMutex = {
    id,
    name,
    fair,
    owner: -1,
    owner_site: -1,
    acquired_ns: 0,
    contended_now: false,
    waiters: [],
    last_owner: -1,
    owner_changes: 0,
    sites: [],
    waited_on: null,
  };
  k.s.mutexes.push(m);
  const o = k.obs;
  if (o !== null) o.objectCreated(OBJ.mutex, id);
  return id;
}

export function createCond(k: Kernel, name: string): number {
  const id = k.s.conds.length;
  const c: SimCond = { id, name, waiters: [], signalers: [], missed_signal_ns: -1, missed_signal_tid: -1, signals: 0 };
  k.s.conds.push(c);
  const o = k.obs;
  if (o !== null) o.objectCreated(OBJ.cond, id);
  return id;
}

export function createSem(k: Kernel, name: string, initial: number): number {
  if (!(Number.isSafeInteger(initial) && initial >= 0)) throw new RangeError(`semaphore ${name}: initial count must be a non-negative integer, got ${initial}`);
  const id = k.s.sems.length;
  const sem: SimSem = { id, name, count: initial, waiters: [], posters: [], posts: 0 };
  k.s.sems.push(sem);
  const o = k.obs;
  if (o !== null) o.objectCreated(OBJ.sem, id);
  return id;
}

function getMutex(k: Kernel, m: number): SimMutex {
  const mx = k.s.mutexes[m];
  if (mx === undefined) throw k.error(`no mutex with id ${m}`);
  return mx;
}

function siteIndex(mx: SimMutex, fn: number): number {
  const sites = mx.sites;
  for (let i = 0; i < sites.length; i++) if (sites[i].fn === fn) return i;
  const st: LockSiteStats = {
    fn,
    acquisitions: 0,
    contentions: 0,
    wait_ns_total: 0,
    wait_ns_min: -1,
    wait_ns_max: 0,
    hold_ns_total: 0,
    hold_ns_min: -1,
    hold_ns_max: 0,
  };
  sites.push(st);
  return sites.length - 1;
}

function callerFn(th: SimThread): number {
  return th.stack.length === 0 ? -1 : th.stack[th.stack.length - 1].fn;
}

function acquire(k: Kernel, th: SimThread, mx: SimMutex): void {
  const now = k.s.now_ns;
  const si = siteIndex(mx, callerFn(th));
  const site = mx.sites[si];
  site.acquisitions++;
  let wait = 0;
  if (th.contend_mutex === mx.id) {
    wait = now - th.contend_since_ns;
    const holder = th.contend_holder;
    th.contend_mutex = -1;
    const threads = k.s.threads.length;
    addWait(mx.waited_on ?? (mx.waited_on = createWaitedOn(threads)), th.id, holder, wait, threads);
    site.wait_ns_total += wait;
    if (site.wait_ns_min < 0 || wait < site.wait_ns_min) site.wait_ns_min = wait;
    if (wait > site.wait_ns_max) site.wait_ns_max = wait;
  }
  mx.owner = th.id;
  mx.owner_site = si;
  mx.acquired_ns = now;
  mx.contended_now = mx.waiters.length > 0;
  if (mx.last_owner !== th.id) {
    if (mx.last_owner !== -1) mx.owner_changes++;
    mx.last_owner = th.id;
  }
  th.held.push(mx.id);
  const o = k.obs;
  if (o !== null) o.lockAcquire(mx.id, th.id, wait);
}

/** The current thread `th` fails to take `mx` and blocks on it. */
function contend(k: Kernel, th: SimThread, mx: SimMutex, atHead: boolean): void {
  if (th.contend_mutex !== mx.id) {
    th.contend_mutex = mx.id;
    th.contend_since_ns = k.s.now_ns;
    th.contend_holder = mx.owner;
    mx.sites[siteIndex(mx, callerFn(th))].contentions++;
    const o = k.obs;
    if (o !== null) o.lockContend(mx.id, th.id, mx.owner);
  }
  if (atHead) mx.waiters.unshift(th.id);
  else mx.waiters.push(th.id);
  mx.contended_now = true;
  k.leaveReady();
  k.setState(th, TS.blocked, WAIT.mutex, mx.id);
  detectOnBlock(k, th);
}

export function lock(k: Kernel, th: SimThread, m: number): void {
  const mx = getMutex(k, m);
  if (mx.owner === -1) acquire(k, th, mx);
  else contend(k, th, mx, false);
}

export function trylock(k: Kernel, th: SimThread, m: number): void {
  const mx = getMutex(k, m);
  if (mx.owner === -1) {
    acquire(k, th, mx);
    th.result = 1;
    th.trylock_failures = 0;
  } else {
    th.result = 0;
    th.trylock_failures++;
    th.trylock_last_mutex = m;
    th.trylock_last_owner = mx.owner;
  }
}

/** Retakes the mutex a woken thread was waiting for (a kernel step, not the thread's own). */
export function relock(k: Kernel, th: SimThread): void {
  const mx = k.s.mutexes[th.pending_arg];
  th.pending = PENDING.none;
  th.pending_arg = -1;
  if (mx.owner === -1) acquire(k, th, mx);
  else contend(k, th, mx, true);
}

function release(k: Kernel, th: SimThread, mx: SimMutex): void {
  const now = k.s.now_ns;
  const hold = now - mx.acquired_ns;
  const site = mx.sites[mx.owner_site];
  site.hold_ns_total += hold;
  if (site.hold_ns_min < 0 || hold < site.hold_ns_min) site.hold_ns_min = hold;
  if (hold > site.hold_ns_max) site.hold_ns_max = hold;
  const held = th.held;
  if (held[held.length - 1] === mx.id) held.pop();
  else held.splice(held.indexOf(mx.id), 1);
  const contended = mx.contended_now;
  mx.owner = -1;
  mx.owner_site = -1;
  mx.contended_now = false;
  const o = k.obs;
  if (o !== null) o.lockRelease(mx.id, th.id, hold, contended);
  if (mx.waiters.length > 0) {
    const w = k.s.threads[mx.waiters.shift() as number];
    if (mx.fair) {
      acquire(k, w, mx);
    } else {
      w.pending = PENDING.relock;
      w.pending_arg = mx.id;
    }
    k.makeReady(w);
  }
}

export function unlock(k: Kernel, th: SimThread, m: number): void {
  const mx = getMutex(k, m);
  if (mx.owner !== th.id) {
    const who = mx.owner === -1 ? 'nobody' : `"${k.s.threads[mx.owner].name}"`;
    throw k.error(`unlock of mutex "${mx.name}", which is held by ${who}`);
  }
  release(k, th, mx);
}

export function condWait(k: Kernel, th: SimThread, c: number, m: number, timeout_ns: number, park: ThreadStateCode): void {
  const cond = k.s.conds[c];
  if (cond === undefined) throw k.error(`no condition with id ${c}`);
  const mx = getMutex(k, m);
  if (mx.owner !== th.id) throw k.error(`wait on condition "${cond.name}" without holding mutex "${mx.name}"`);
  release(k, th, mx);
  cond.waiters.push(th.id);
  th.pending = PENDING.relock;
  th.pending_arg = m;
  th.park_state = park;
  th.result = 0;
  k.leaveReady();
  k.setState(th, park, WAIT.cond, c);
  if (timeout_ns >= 0) {
    th.deadline_ns = k.s.now_ns + timeout_ns;
    k.armTimer(th, th.deadline_ns);
  } else {
    detectOnBlock(k, th);
  }
}

function wakeWaiter(k: Kernel, w: SimThread): void {
  if (w.deadline_ns >= 0) {
    w.timer_gen++;
    w.deadline_ns = -1;
  }
  w.result = 0;
  k.makeReady(w);
}

export function condSignal(k: Kernel, th: SimThread, c: number, broadcast: boolean): void {
  const cond = k.s.conds[c];
  if (cond === undefined) throw k.error(`no condition with id ${c}`);
  addUnique(cond.signalers, th.id);
  cond.signals++;
  let woken = 0;
  if (cond.waiters.length === 0) {
    cond.missed_signal_ns = k.s.now_ns;
    cond.missed_signal_tid = th.id;
  } else {
    const n = broadcast ? cond.waiters.length : 1;
    for (let i = 0; i < n; i++) wakeWaiter(k, k.s.threads[cond.waiters.shift() as number]);
    woken = n;
  }
  const o = k.obs;
  if (o !== null) o.condSignal(c, th.id, woken);
}

export function semPost(k: Kernel, th: SimThread, id: number): void {
  const sem = k.s.sems[id];
  if (sem === undefined) throw k.error(`no semaphore with id ${id}`);
  addUnique(sem.posters, th.id);
  sem.posts++;
  let woken = 0;
  if (sem.waiters.length > 0) {
    // The count passes straight to the first waiter.
    wakeWaiter(k, k.s.threads[sem.waiters.shift() as number]);
    woken = 1;
  } else {
    sem.count++;
  }
  const o = k.obs;
  if (o !== null) o.semPost(id, th.id, woken);
}

export function semWait(k: Kernel, th: SimThread, id: number, timeout_ns: number, show: ThreadStateCode): void {
  const sem = k.s.sems[id];
  if (sem === undefined) throw k.error(`no semaphore with id ${id}`);
  th.result = 0;
  if (sem.count > 0) {
    sem.count--;
    return;
  }
  sem.waiters.push(th.id);
  k.leaveReady();
  k.setState(th, show, WAIT.sem, id);
  if (timeout_ns >= 0) {
    th.deadline_ns = k.s.now_ns + timeout_ns;
    k.armTimer(th, th.deadline_ns);
  } else {
    detectOnBlock(k, th);
  }
}

/** A timed condition or semaphore wait ran out (the kernel already consumed the timer). */
export function timedOut(k: Kernel, th: SimThread): void {
  // (called for blocked, stopped and sleeping waiters alike)
  const list = th.wait_kind === WAIT.cond ? k.s.conds[th.wait_id].waiters : k.s.sems[th.wait_id].waiters;
  const i = list.indexOf(th.id);
  if (i >= 0) list.splice(i, 1);
  th.result = 1;
  k.setState(th, TS.runnable, WAIT.none, -1);
}

export function afterBlock(k: Kernel, th: SimThread): void {
  detectOnBlock(k, th);
}

export function afterExit(k: Kernel, th: SimThread): void {
  detectAfterExit(k, th);
}
