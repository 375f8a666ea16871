// Host CPUs shared by computing threads: processor sharing. With N CPUs and M threads computing,
// each progresses at min(1, N/M) of real speed, as Linux's CFS gives equal-weight runnable threads
// equal shares over any interval longer than its scheduling period (a few ms); a FIFO of CPUs would
// instead let whoever came first run to the end of its compute, which no Linux host does. Only
// computes (`compute`, `computeExact`, `computeInterruptible`) take a CPU; io, sleeps and waits do not.
//
// Bookkeeping is a service clock: `s` is the CPU time (ns) each member has received since the pool
// was created, advancing at the shared rate; a member that joined at s0 with w ns of work is done
// when s reaches s0 + w. Only the member that finishes first has a timer in the kernel's heap (at
// the time its share, at today's rate, completes it); any join or leave re-arms it. Everything is
// plain numbers in the simulation state (snapshots and hashes cover it); the arithmetic is IEEE
// doubles, which give the same results on every host, and times are rounded up to whole ns, so a
// run is a pure function of its steps, whoever stops it where.
//
// A kernel without a CPU count has no pool at all: its threads each have a CPU of their own and
// none of this code runs.

import type { Kernel } from './kernel';
import type { CpuPool, SimThread } from './types';

export type { CpuPool };

export function cpuPoolCreate(cpus: number): CpuPool {
  // a fraction is a share of the host's CPUs (others take the rest): a lone thread then runs slower too
  if (!(Number.isFinite(cpus) && cpus > 0)) throw new RangeError(`host CPUs must be a positive number, got ${cpus}`);
  return { cpus, members: [], finish_s: [], start_s: [], s: 0, s_at_ns: 0, armed_tid: -1, used_ns: [] };
}

/** CPU time each member receives per ns of virtual time. */
function rate(p: CpuPool): number {
  const m = p.members.length;
  return m <= p.cpus ? 1 : p.cpus / m;
}

function catchUp(p: CpuPool, now_ns: number): void {
  if (p.members.length > 0) p.s += (now_ns - p.s_at_ns) * rate(p);
  p.s_at_ns = now_ns;
}

/** Arms the timer of the member that finishes first at the current rate (and disarms the previous one). */
function rearm(k: Kernel, p: CpuPool): void {
  const threads = k.s.threads;
  if (p.armed_tid >= 0) {
    threads[p.armed_tid].timer_gen++;
    p.armed_tid = -1;
  }
  const n = p.members.length;
  if (n === 0) return;
  let best = 0;
  for (let i = 1; i < n; i++) if (p.finish_s[i] < p.finish_s[best]) best = i;
  const left = Math.max(0, p.finish_s[best] - p.s);
  const at = p.s_at_ns + Math.ceil(left / rate(p));
  const th = threads[p.members[best]];
  p.armed_tid = th.id;
  k.armTimer(th, at);
}

/** Thread `th` starts computing `work_ns` of CPU time now. */
export function cpuJoin(k: Kernel, p: CpuPool, th: SimThread, work_ns: number): void {
  catchUp(p, k.s.now_ns);
  p.members.push(th.id);
  p.finish_s.push(p.s + work_ns);
  p.start_s.push(p.s);
  rearm(k, p);
}

export function cpuIsMember(p: CpuPool, tid: number): boolean {
  return p.members.indexOf(tid) >= 0;
}

/**
 * Thread `th` stops computing now: its work is done (its timer fired) or it was kicked. Records the
 * CPU time it received; returns false if it was not computing.
 */
export function cpuLeave(k: Kernel, p: CpuPool, th: SimThread, done: boolean): boolean {
  const i = p.members.indexOf(th.id);
  if (i < 0) return false;
  catchUp(p, k.s.now_ns);
  const work = p.finish_s[i] - p.start_s[i];
  const got = done ? work : Math.min(work, p.s - p.start_s[i]);
  while (p.used_ns.length <= th.id) p.used_ns.push(0);
  p.used_ns[th.id] = Math.round(got);
  p.members.splice(i, 1);
  p.finish_s.splice(i, 1);
  p.start_s.splice(i, 1);
  // the leaving thread's own timer, if armed, is the caller's to consume or cancel
  if (p.armed_tid === th.id) p.armed_tid = -1;
  rearm(k, p);
  return true;
}

/** CPU time the thread received in its last compute (ended). */
export function cpuUsed(p: CpuPool, tid: number): number {
  return tid < p.used_ns.length ? p.used_ns[tid] : 0;
}

/** Records a compute that ran alone at full speed (the kernel's fast path). */
export function cpuRanAlone(p: CpuPool, tid: number, ns: number): void {
  while (p.used_ns.length <= tid) p.used_ns.push(0);
  p.used_ns[tid] = ns;
}
