// Where the timeline's spans collect while a trace is walked, sized before the walk from one count
// of the events (how many states, pushes, acquires and contentions each thread and mutex has), so
// that no column grows by doubling: growing means allocating (and the garbage collector chasing)
// several times the memory the columns end up with. A thread's frames go to one region with their
// depth and are split into a track per depth when the columns are made.

import { EK } from './format';
import type { TraceData } from './reader';
import { TK, type TimelineColumns } from './timelineData';

class Track {
  start: Float64Array;
  end: Float64Array;
  val: Uint32Array;
  n = 0;

  constructor(readonly kind: number, readonly owner: number, readonly sub: number, capacity: number) {
    const c = Math.max(4, capacity);
    this.start = new Float64Array(c);
    this.end = new Float64Array(c);
    this.val = new Uint32Array(c);
  }

  push(start: number, end: number, val: number): void {
    if (this.n === this.start.length) this.grow();
    this.start[this.n] = start;
    this.end[this.n] = end;
    this.val[this.n++] = val;
  }

  /** Only if the count was short (it never is for the events it counts). */
  private grow(): void {
    const c = this.start.length * 2;
    const s = new Float64Array(c);
    s.set(this.start);
    this.start = s;
    const e = new Float64Array(c);
    e.set(this.end);
    this.end = e;
    const v = new Uint32Array(c);
    v.set(this.val);
    this.val = v;
  }
}

/** A thread's frames, every depth together, in the order they end. */
class Frames extends Track {
  depth: Uint16Array;
  maxDepth = -1;

  constructor(tid: number, capacity: number) {
    super(TK.frame, tid, 0, capacity);
    this.depth = new Uint16Array(this.start.length);
  }

  pushAt(start: number, end: number, fn: number, depth: number): void {
    if (this.n === this.depth.length) {
      const d = new Uint16Array(this.depth.length * 2);
      d.set(this.depth);
      this.depth = d;
    }
    this.depth[this.n] = Math.min(depth, 0xffff);
    if (depth > this.maxDepth) this.maxDepth = Math.min(depth, 0xffff);
    this.push(start, end, fn);
  }
}

export class SpanSink {
  private readonly nT: number;
  private readonly nM: number;
  private readonly states: (Track | undefined)[];
  private readonly frames: (Frames | undefined)[];
  private readonly holds: (Track | undefined)[];
  private readonly contended: (Track | undefined)[];
  /** [tid × nM + mutex] */
  private readonly locks: (Track | undefined)[];
  private readonly count: { states: Uint32Array; pushes: Uint32Array; acquires: Uint32Array; contends: Uint32Array; lockUses: Uint32Array };

  constructor(t: TraceData) {
    this.nT = t.threads.length;
    this.nM = t.mutexes.length;
    const states = new Uint32Array(this.nT);
    const pushes = new Uint32Array(this.nT);
    const acquires = new Uint32Array(this.nM);
    const contends = new Uint32Array(this.nM);
    const lockUses = new Uint32Array(this.nT * this.nM);
    const e = t.events;
    for (let i = 0; i < e.count; i++) {
      const a = e.a[i];
      const b = e.b[i];
      switch (e.kind[i]) {
        case EK.THREAD_CREATE:
        case EK.THREAD_STATE:
          if (a < this.nT) states[a]++;
          break;
        case EK.FRAME_PUSH:
          pushes[a]++;
          break;
        case EK.LOCK_ACQUIRE:
          acquires[a]++;
          lockUses[b * this.nM + a] += 2; // a hold may be split where others start waiting
          break;
        case EK.LOCK_CONTEND:
          contends[a]++;
          lockUses[b * this.nM + a]++;
          break;
        default:
          break;
      }
    }
    this.count = { states, pushes, acquires, contends, lockUses };
    this.states = new Array(this.nT);
    this.frames = new Array(this.nT);
    this.holds = new Array(this.nM);
    this.contended = new Array(this.nM);
    this.locks = new Array(this.nT * this.nM);
  }

  state(tid: number, start: number, end: number, val: number): void {
    (this.states[tid] ??= new Track(TK.state, tid, 0, this.count.states[tid] + 1)).push(start, end, val);
  }

  frame(tid: number, depth: number, start: number, end: number, fn: number): void {
    (this.frames[tid] ??= new Frames(tid, this.count.pushes[tid])).pushAt(start, end, fn, depth);
  }

  hold(mutex: number, start: number, end: number, tid: number): void {
    (this.holds[mutex] ??= new Track(TK.hold, mutex, 0, this.count.acquires[mutex] + 1)).push(start, end, tid);
  }

  contention(mutex: number, start: number, end: number, waiters: number): void {
    (this.contended[mutex] ??= new Track(TK.contended, mutex, 0, 2 * this.count.contends[mutex] + 2)).push(start, end, waiters);
  }

  lock(tid: number, mutex: number, start: number, end: number, use: number): void {
    const k = tid * this.nM + mutex;
    (this.locks[k] ??= new Track(TK.lock, tid, mutex, this.count.lockUses[k] + 2)).push(start, end, use);
  }

  /** The columns: tracks ordered by (kind, owner, sub), each a contiguous run of spans. */
  columns(): Pick<TimelineColumns, 'span_start' | 'span_end' | 'span_val' | 'track_offset' | 'track_kind' | 'track_owner' | 'track_sub'> {
    type Part = { kind: number; owner: number; sub: number; n: number; copy: (s: Float64Array, e: Float64Array, v: Uint32Array, at: number) => void };
    const parts: Part[] = [];
    const plain = (tr: Track | undefined) => {
      if (tr === undefined || tr.n === 0) return;
      parts.push({ kind: tr.kind, owner: tr.owner, sub: tr.sub, n: tr.n, copy: (s, e, v, at) => {
        s.set(tr.start.subarray(0, tr.n), at);
        e.set(tr.end.subarray(0, tr.n), at);
        v.set(tr.val.subarray(0, tr.n), at);
      } });
    };
    this.states.forEach(plain);
    this.frames.forEach((f) => {
      if (f === undefined || f.n === 0) return;
      // a track per depth: the thread's frames of that depth, in their order (stable)
      const perDepth = new Uint32Array(f.maxDepth + 1);
      for (let i = 0; i < f.n; i++) perDepth[f.depth[i]]++;
      const base: { at: number }[] = [];
      perDepth.forEach((n, d) => {
        if (n === 0) return;
        const slot = { at: 0 };
        base[d] = slot;
        parts.push({ kind: TK.frame, owner: f.owner, sub: d, n, copy: (_s, _e, _v, at) => {
          slot.at = at;
        } });
      });
      // the scatter runs once per thread, after every depth's place is known (below)
      parts.push({ kind: TK.frame, owner: f.owner, sub: 0x7fffffff, n: 0, copy: (s, e, v) => {
        const cur = Array.from(base, (b) => b?.at ?? 0);
        for (let i = 0; i < f.n; i++) {
          const j = cur[f.depth[i]]++;
          s[j] = f.start[i];
          e[j] = f.end[i];
          v[j] = f.val[i];
        }
      } });
    });
    this.holds.forEach(plain);
    this.locks.forEach(plain);
    this.contended.forEach(plain);
    parts.sort((x, y) => x.kind - y.kind || x.owner - y.owner || x.sub - y.sub);
    const real = parts.filter((p) => p.n > 0);
    const offset = new Uint32Array(real.length + 1);
    real.forEach((p, i) => (offset[i + 1] = offset[i] + p.n));
    const n = offset[real.length];
    const s = new Float64Array(n);
    const e = new Float64Array(n);
    const v = new Uint32Array(n);
    let at = 0;
    for (const p of parts) {
      p.copy(s, e, v, at);
      at += p.n;
    }
    return {
      span_start: s, span_end: e, span_val: v, track_offset: offset,
      track_kind: Uint8Array.from(real, (p) => p.kind),
      track_owner: Uint32Array.from(real, (p) => p.owner),
      track_sub: Uint32Array.from(real, (p) => p.sub),
    };
  }
}
