// What a range selection adds up to, as lock_stat and perf lock tabulate it: per mutex and
// migration stage, the acquisitions (a hold that begins in the range), contentions (an acquire that
// had to wait, counted when the wait ends), wait and hold totals and maxima, and who held it
// longest; per thread, the time spent in each state inside the range.

import { LOCK_USE, stateOf, TK } from '../engine/trace/timelineData';
import { firstAbove } from './lod';
import type { TraceModel } from './model';

export interface LockRow {
  mutex: string;
  stage: string;
  acquisitions: number;
  contentions: number;
  wait_total: number;
  wait_max: number;
  hold_total: number;
  hold_max: number;
  longest_holder: string;
}

export interface ThreadRow {
  thread: string;
  /** ns per state code 0..5 */
  states: number[];
  total: number;
}

export interface Aggregate {
  locks: LockRow[];
  threads: ThreadRow[];
}

/** Aggregates trace `m` over relative [r0, r1). */
export function aggregate(m: TraceModel, r0: number, r1: number): Aggregate {
  const a = r0 + m.t0;
  const b = r1 + m.t0;
  const meta = m.tl.meta;
  const rows = new Map<string, LockRow>();
  const row = (mutex: number, t: number): LockRow => {
    const st = m.stageAt(t);
    const stage = st >= 0 ? meta.stages[st].label : '(no stage)';
    const key = `${mutex}/${st}`;
    let r = rows.get(key);
    if (r === undefined) {
      r = { mutex: m.mutexName(mutex), stage, acquisitions: 0, contentions: 0, wait_total: 0, wait_max: 0, hold_total: 0, hold_max: 0, longest_holder: '' };
      rows.set(key, r);
    }
    return r;
  };
  const order: string[] = [];
  m.holds.forEach((track, mutex) => {
    if (track < 0) return;
    const s = m.spans(track);
    for (let i = firstAbove(s.start, s.start.length, a - 1e-9); i < s.start.length && s.start[i] < b; i++) {
      if (s.start[i] < a) continue;
      const r = row(mutex, s.start[i]);
      const d = s.end[i] - s.start[i];
      r.acquisitions++;
      r.hold_total += d;
      if (d >= r.hold_max) {
        r.hold_max = d;
        r.longest_holder = m.threadName(s.val[i]);
      }
    }
  });
  const c = m.tl.cols;
  for (let tr = 0; tr < c.track_kind.length; tr++) {
    if (c.track_kind[tr] !== TK.lock) continue;
    const mutex = c.track_sub[tr];
    const s = m.spans(tr);
    for (let i = firstAbove(s.end, s.end.length, a - 1e-9); i < s.end.length && s.end[i] < b + 1e-9; i++) {
      if (s.val[i] !== LOCK_USE.waiting || s.end[i] < a) continue;
      const r = row(mutex, s.end[i]);
      const d = s.end[i] - s.start[i];
      r.contentions++;
      r.wait_total += d;
      if (d > r.wait_max) r.wait_max = d;
    }
  }
  for (const k of rows.keys()) order.push(k);
  order.sort((x, y) => {
    const [mx, sx] = x.split('/').map(Number);
    const [my, sy] = y.split('/').map(Number);
    return mx - my || sx - sy;
  });
  const threads: ThreadRow[] = [];
  meta.threads.forEach((th, tid) => {
    const tr = m.threads[tid]?.state ?? -1;
    if (tr < 0) return;
    const s = m.spans(tr);
    const states = [0, 0, 0, 0, 0, 0];
    let total = 0;
    for (let i = firstAbove(s.end, s.end.length, a); i < s.end.length && s.start[i] < b; i++) {
      const st = stateOf(s.val[i]);
      if (st > 5) continue;
      const d = Math.min(b, s.end[i]) - Math.max(a, s.start[i]);
      if (d <= 0) continue;
      states[st] += d;
      total += d;
    }
    if (total > 0) threads.push({ thread: th.name, states, total });
  });
  return { locks: order.map((k) => rows.get(k)!), threads };
}
