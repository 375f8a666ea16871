// Hang detection over the live wait-for graph. An edge goes from a waiting thread to every thread
// that could wake it: the owner of the mutex it wants, the thread it joins, and the threads known to
// signal the condition or post the semaphore it waits on (those seen doing so, plus those the
// program declared). A thread is stuck when no thread that could wake it, directly or through a
// chain of waits, is free (running, runnable, sleeping, in I/O, or in a wait with a timeout).
//
// Checked where a thread blocks without a timeout and where a thread exits (it may have been the
// last one able to wake someone), so a deadlock is reported at the step that closes it. A wait
// whose wakers are unknown is never judged stuck; quiescence (nobody ready, no timer) and the
// no-progress watchdog catch what this cannot prove.

import type { Kernel } from './kernel';
import { formatNs, type HangKind, type HangLink, type HangReport, type HangThread } from './hangReport';
import { THREAD_STATE_NAMES, TS, WAIT, type SimThread } from './types';

function isFree(th: SimThread): boolean {
  const st = th.state;
  if (st === TS.blocked || st === TS.stopped) return th.deadline_ns >= 0;
  return st !== TS.exited;
}

/** Threads that could wake `th`, or null if that is not known (or nothing blocks it). */
function wakersOf(k: Kernel, th: SimThread): number[] | null {
  if (th.state !== TS.blocked && th.state !== TS.stopped) return null;
  switch (th.wait_kind) {
    case WAIT.mutex: {
      const owner = k.s.mutexes[th.wait_id].owner;
      return owner < 0 ? null : [owner];
    }
    case WAIT.join:
      return [th.wait_id];
    case WAIT.cond: {
      const s = k.s.conds[th.wait_id].signalers;
      return s.length === 0 ? null : s;
    }
    case WAIT.sem: {
      const p = k.s.sems[th.wait_id].posters;
      return p.length === 0 ? null : p;
    }
    default:
      return null;
  }
}

/** The set of threads that can never wake, starting from `start`, or null if `start` may still wake. */
function findStuck(k: Kernel, start: number): number[] | null {
  const threads = k.s.threads;
  const seen = new Set<number>([start]);
  const order = [start];
  for (let i = 0; i < order.length; i++) {
    const th = threads[order[i]];
    if (th.state === TS.exited) continue;
    if (isFree(th)) return null;
    const w = wakersOf(k, th);
    if (w === null) return null;
    for (const x of w) {
      if (!seen.has(x)) {
        seen.add(x);
        order.push(x);
      }
    }
  }
  return order;
}

export function detectOnBlock(k: Kernel, th: SimThread): void {
  if (th.deadline_ns >= 0) return;
  // Fast path: something that can wake it is free right now.
  const w = wakersOf(k, th);
  if (w === null) return;
  const threads = k.s.threads;
  for (let i = 0; i < w.length; i++) if (w[i] !== th.id && isFree(threads[w[i]])) return;
  const stuck = findStuck(k, th.id);
  if (stuck !== null) k.hang(buildReport(k, stuck, th.id, false));
}

export function detectAfterExit(k: Kernel, gone: SimThread): void {
  for (const t of k.s.threads) {
    if ((t.state !== TS.blocked && t.state !== TS.stopped) || t.deadline_ns >= 0) continue;
    const w = wakersOf(k, t);
    if (w === null || w.indexOf(gone.id) < 0) continue;
    const stuck = findStuck(k, t.id);
    if (stuck !== null) {
      k.hang(buildReport(k, stuck, t.id, false));
      return;
    }
  }
}

/** Nobody is ready and no timer is pending, yet threads are alive: all of them are blocked. */
export function detectQuiescentHang(k: Kernel): HangReport {
  const live = k.s.threads.filter((t) => t.state !== TS.exited).map((t) => t.id);
  const start = pickStart(k, live);
  return buildReport(k, live, start, true);
}

function pickStart(k: Kernel, tids: number[]): number {
  for (const t of tids) if (mutexCycleFrom(k, t) !== null) return t;
  for (const t of tids) {
    const th = k.s.threads[t];
    if (th.wait_kind === WAIT.cond && k.s.conds[th.wait_id].missed_signal_ns >= 0) return t;
  }
  return tids[0];
}

/** A cycle of mutex/join waits through `start`, as the list of threads in it, or null. */
function mutexCycleFrom(k: Kernel, start: number): number[] | null {
  const path: number[] = [];
  let t = start;
  for (let guard = 0; guard <= k.s.threads.length; guard++) {
    const i = path.indexOf(t);
    if (i >= 0) return path.slice(i);
    path.push(t);
    const th = k.s.threads[t];
    if (th.state !== TS.blocked) return null;
    if (th.wait_kind === WAIT.mutex) t = k.s.mutexes[th.wait_id].owner;
    else if (th.wait_kind === WAIT.join) t = th.wait_id;
    else return null;
    if (t < 0) return null;
  }
  return null;
}

function tname(k: Kernel, tid: number): string {
  return `"${k.s.threads[tid].name}"`;
}

export function waitDescription(k: Kernel, th: SimThread): string {
  switch (th.wait_kind) {
    case WAIT.mutex:
      return `waiting to lock mutex "${k.s.mutexes[th.wait_id].name}"`;
    case WAIT.cond: {
      const verb = th.state === TS.stopped ? 'parked on' : 'waiting on';
      return `${verb} condition "${k.s.conds[th.wait_id].name}"`;
    }
    case WAIT.sem: {
      const sem = k.s.sems[th.wait_id];
      return `waiting on semaphore "${sem.name}" (count ${sem.count})`;
    }
    case WAIT.join:
      return `waiting for thread ${tname(k, th.wait_id)} to exit`;
    case WAIT.timer:
      return th.deadline_ns >= 0 ? `until ${formatNs(th.deadline_ns)}` : '';
    default:
      return '';
  }
}

function whoList(k: Kernel, tids: number[]): string {
  return tids.map((t) => {
    const th = k.s.threads[t];
    return th.state === TS.exited ? `${tname(k, t)} (exited at ${formatNs(th.exit_ns)})` : tname(k, t);
  }).join(', ');
}

function link(k: Kernel, th: SimThread): HangLink {
  const waits = waitDescription(k, th);
  switch (th.wait_kind) {
    case WAIT.mutex: {
      const owner = k.s.mutexes[th.wait_id].owner;
      return { tid: th.id, waits, held_by: owner < 0 ? [] : [owner], because: owner < 0 ? 'which is free' : `which is held by ${tname(k, owner)}` };
    }
    case WAIT.join:
      return { tid: th.id, waits, held_by: [th.wait_id], because: `which is ${THREAD_STATE_NAMES[k.s.threads[th.wait_id].state]}` };
    case WAIT.cond: {
      const c = k.s.conds[th.wait_id];
      let because = c.signalers.length === 0 ? 'which no thread has ever signalled' : `which only ${whoList(k, c.signalers)} signal${c.signalers.length === 1 ? 's' : ''}`;
      if (c.missed_signal_ns >= 0) because += `; the last signal, by ${tname(k, c.missed_signal_tid)} at ${formatNs(c.missed_signal_ns)}, found no waiter`;
      return { tid: th.id, waits, held_by: c.signalers.slice(), because };
    }
    case WAIT.sem: {
      const sem = k.s.sems[th.wait_id];
      const because = sem.posters.length === 0 ? 'which no thread has ever posted' : `which only ${whoList(k, sem.posters)} post${sem.posters.length === 1 ? 's' : ''} (${sem.posts} posts so far)`;
      return { tid: th.id, waits, held_by: sem.posters.slice(), because };
    }
    default:
      return { tid: th.id, waits: THREAD_STATE_NAMES[th.state], held_by: [], because: 'which is not waiting' };
  }
}

/** Follows "held by" from `start` inside `stuck` until it ends or closes a cycle. */
function chainFrom(k: Kernel, start: number, stuck: Set<number>): { chain: HangLink[]; cycle: boolean } {
  const chain: HangLink[] = [];
  const inChain = new Set<number>();
  let t = start;
  for (;;) {
    inChain.add(t);
    const th = k.s.threads[t];
    if (th.state === TS.exited) break;
    const l = link(k, th);
    chain.push(l);
    const next = l.held_by.find((x) => stuck.has(x) && x !== t && k.s.threads[x].state !== TS.exited);
    if (next === undefined) return { chain, cycle: false };
    if (inChain.has(next)) return { chain, cycle: true };
    t = next;
  }
  return { chain, cycle: false };
}

function hasLostSignal(k: Kernel, chain: HangLink[]): boolean {
  for (const l of chain) {
    const th = k.s.threads[l.tid];
    if (th.wait_kind === WAIT.cond) {
      const c = k.s.conds[th.wait_id];
      if (c.missed_signal_ns >= 0) return true;
      if (c.signalers.length > 0 && c.signalers.every((s) => k.s.threads[s].state === TS.exited)) return true;
    } else if (th.wait_kind === WAIT.sem) {
      const sem = k.s.sems[th.wait_id];
      if (sem.posters.length > 0 && sem.posters.every((s) => k.s.threads[s].state === TS.exited)) return true;
    }
  }
  return false;
}

function describeThreads(k: Kernel, involved: Set<number>): HangThread[] {
  return k.s.threads.map((th) => ({
    tid: th.id,
    name: th.name,
    state: THREAD_STATE_NAMES[th.state],
    waits: waitDescription(k, th),
    since_ns: th.since_ns,
    holding: th.held.map((m) => k.s.mutexes[m].name),
    backtrace: th.stack.map((f) => k.program.name(f.fn)).reverse(),
    involved: involved.has(th.id),
  }));
}

function buildReport(k: Kernel, stuck: number[], start: number, quiescent: boolean): HangReport {
  const stuckSet = new Set(stuck);
  const cyc = mutexCycleFrom(k, start);
  let kind: HangKind;
  let chain: HangLink[];
  let cycle: boolean;
  let summary: string;
  if (cyc !== null) {
    chain = cyc.map((t) => link(k, k.s.threads[t]));
    cycle = true;
    kind = 'deadlock';
    summary = cyc.length === 1 ? `thread ${tname(k, cyc[0])} waits for a lock it holds` : `a cycle of ${cyc.length} threads, each waiting for a lock held by the next`;
  } else {
    ({ chain, cycle } = chainFrom(k, start, stuckSet));
    if (hasLostSignal(k, chain)) {
      kind = 'lost-wakeup';
      summary = `${tname(k, start)} waits for a wake-up that no live thread will send`;
    } else if (cycle) {
      kind = 'deadlock';
      summary = `a cycle of ${chain.length} threads, each waiting for a wake-up only the next can send`;
    } else {
      kind = quiescent ? 'all-blocked' : 'deadlock';
      summary = quiescent ? 'every live thread is blocked and no timer is pending' : `${tname(k, start)} waits for threads that can never run`;
    }
  }
  if (quiescent && kind !== 'all-blocked') summary += '; every live thread is blocked';
  const involved = new Set<number>(chain.map((l) => l.tid));
  for (const t of stuck) involved.add(t);
  return { kind, time_ns: k.s.now_ns, summary, cycle, chain, threads: describeThreads(k, involved) };
}

/**
 * What every thread waits for in a run that has not hung (an exception at a moment, such as a
 * lost write): a link for each thread blocked or parked, saying who holds or could end its wait,
 * and every thread's state and stack; `involved` and the waiting threads are listed first.
 */
export function threadDump(k: Kernel, involved: readonly number[]): Pick<HangReport, 'time_ns' | 'chain' | 'threads'> {
  const waiting = k.s.threads.filter((t) => (t.state === TS.blocked || t.state === TS.stopped) && t.wait_kind !== WAIT.timer && t.wait_kind !== WAIT.none);
  const chain = waiting.map((t) => link(k, t));
  return { time_ns: k.s.now_ns, chain, threads: describeThreads(k, new Set([...involved, ...waiting.map((t) => t.id)])) };
}

/** The watchdog fired: no progress for `watchdog_ns` of virtual time. */
export function detectWatchdogHang(k: Kernel): HangReport {
  const s = k.s;
  const chain: HangLink[] = [];
  const involved = new Set<number>();
  for (const th of s.threads) {
    if (th.state === TS.exited) continue;
    if (th.trylock_failures > 0) {
      const m = s.mutexes[th.trylock_last_mutex];
      const owner = th.trylock_last_owner;
      chain.push({
        tid: th.id,
        waits: `repeatedly failing to take mutex "${m.name}" with trylock (${th.trylock_failures} times in a row)`,
        held_by: owner < 0 ? [] : [owner],
        because: owner < 0 ? 'which was free' : `which was held by ${tname(k, owner)} at the last attempt`,
      });
      involved.add(th.id);
    } else if ((th.state === TS.blocked || th.state === TS.stopped) && th.deadline_ns < 0) {
      chain.push(link(k, th));
      involved.add(th.id);
    }
  }
  // Whoever holds what the stuck threads wait for is part of the story (the RFC's migration thread
  // spinning in ram_save_complete with the BQL held, say): name the most-waited-for holder.
  const waitedFor = new Map<number, number>();
  for (const l of chain) for (const h of l.held_by) if (h !== l.tid) waitedFor.set(h, (waitedFor.get(h) ?? 0) + 1);
  for (const h of waitedFor.keys()) involved.add(h);
  if (involved.size === 0) for (const th of s.threads) if (th.state !== TS.exited) involved.add(th.id);
  let summary = `no progress for ${formatNs(s.watchdog_ns)} of virtual time (watchdog); ${s.live_threads} threads alive, ${chain.length} of them stuck or retrying`;
  const top = [...waitedFor.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  if (top !== undefined) {
    const holder = s.threads[top[0]];
    const where = holder.stack.length > 0 ? k.program.name(holder.stack[holder.stack.length - 1].fn) : '?';
    const holds = holder.held.map((m) => `"${s.mutexes[m].name}"`).join(', ');
    summary += `; ${top[1]} wait for ${tname(k, holder.id)}, which is ${THREAD_STATE_NAMES[holder.state]} in ${where}${holds ? ` holding ${holds}` : ''}`;
  }
  return { kind: 'no-progress', time_ns: s.now_ns, summary, cycle: false, chain, threads: describeThreads(k, involved) };
}
