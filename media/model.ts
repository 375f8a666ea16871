// A trace's timeline as the view uses it: its tracks found by thread and mutex, and each track's
// level-of-detail pyramid (lod.ts) built the first time it is drawn (so the first paint only pays
// for what is on screen). Views into the columns the host sent; nothing is copied per span.

import { LOCK_USE, stateOf, TK, type TimelineTrace } from '../engine/trace/timelineData';
import { firstAbove, TrackLod, type RunSink } from './lod';
import { CounterLod } from './counterLod';

export interface Spans {
  start: Float64Array;
  end: Float64Array;
  val: Uint32Array;
}

export interface ThreadTracks {
  state: number;
  /** by depth */
  frames: number[];
  /** mutex → lock lane track */
  locks: { mutex: number; track: number }[];
}

export interface Counter {
  name: string;
  unit: string;
  time: Float64Array;
  value: Float64Array;
  max: number;
  /** its level-of-detail summaries, built when first drawn */
  lod?: CounterLod;
}

const lockClass = (v: number): number => (v === LOCK_USE.waiting ? 2 : v === LOCK_USE.heldContended ? 1 : 0);
const one = (): number => 0;

export class TraceModel {
  readonly threads: ThreadTracks[];
  readonly holds: number[];
  readonly contended: number[];
  readonly counters: Counter[];
  private readonly lods: (TrackLod | undefined)[];
  /** the track scans of the frame being drawn: from raw spans, from summaries, and the most runs one emitted */
  readonly scanStats = { raw: 0, lod: 0, most: 0, buildMs: 0 };
  /** the time shown as 0 on the shared axis */
  readonly t0: number;
  readonly duration: number;

  constructor(readonly tl: TimelineTrace, readonly index: number) {
    const c = tl.cols;
    const m = tl.meta;
    this.t0 = m.start_ns;
    this.duration = Math.max(1, m.end_ns - m.start_ns);
    this.threads = m.threads.map(() => ({ state: -1, frames: [], locks: [] }));
    this.holds = m.mutexes.map(() => -1);
    this.contended = m.mutexes.map(() => -1);
    for (let i = 0; i < c.track_kind.length; i++) {
      const owner = c.track_owner[i];
      const sub = c.track_sub[i];
      switch (c.track_kind[i]) {
        case TK.state:
          if (this.threads[owner]) this.threads[owner].state = i;
          break;
        case TK.frame:
          if (this.threads[owner]) this.threads[owner].frames[sub] = i;
          break;
        case TK.lock:
          if (this.threads[owner]) this.threads[owner].locks.push({ mutex: sub, track: i });
          break;
        case TK.hold:
          if (owner < this.holds.length) this.holds[owner] = i;
          break;
        case TK.contended:
          if (owner < this.contended.length) this.contended[owner] = i;
          break;
        default:
          break;
      }
    }
    // a frame depth with no spans (never reached) leaves a hole: fill it
    for (const th of this.threads) for (let d = 0; d < th.frames.length; d++) if (th.frames[d] === undefined) th.frames[d] = -1;
    this.lods = new Array(c.track_kind.length);
    this.counters = m.counters.map((ct, k) => {
      const time = c.ctr_time.subarray(c.ctr_offset[k], c.ctr_offset[k + 1]);
      const value = c.ctr_value.subarray(c.ctr_offset[k], c.ctr_offset[k + 1]);
      let max = 0;
      for (let i = 0; i < value.length; i++) if (value[i] > max) max = value[i];
      return { name: ct.name, unit: ct.unit, time, value, max };
    });
  }

  spans(track: number): Spans {
    const c = this.tl.cols;
    const a = c.track_offset[track];
    const b = c.track_offset[track + 1];
    return { start: c.span_start.subarray(a, b), end: c.span_end.subarray(a, b), val: c.span_val.subarray(a, b) };
  }

  lod(track: number): TrackLod {
    let l = this.lods[track];
    if (l === undefined) {
      const t0 = performance.now();
      const s = this.spans(track);
      const kind = this.tl.cols.track_kind[track];
      // states and lock uses count their classes (time blocked matters, not the longest span)
      l = kind === TK.state ? new TrackLod(s.start, s.end, s.val, stateOf, 7) : kind === TK.lock ? new TrackLod(s.start, s.end, s.val, lockClass, 3) : new TrackLod(s.start, s.end, s.val, one);
      this.lods[track] = l;
      this.scanStats.buildMs += performance.now() - t0;
    }
    return l;
  }

  /** Scans track `track` over absolute [a0, a1) at `width` pixels. */
  scan(track: number, a0: number, a1: number, width: number, sink: RunSink): void {
    const l = this.lod(track);
    l.scan(a0, a1, width, sink);
    const st = this.scanStats;
    if (l.lastMode === 'raw') st.raw++;
    else if (l.lastMode !== 'empty') st.lod++;
    if (l.lastEmitted > st.most) st.most = l.lastEmitted;
  }

  private instByTid: Float64Array[] | null = null;

  /** The times of thread `tid`'s instants, in order (all threads' split in one pass, the first time). */
  instants(tid: number): Float64Array {
    if (this.instByTid === null) {
      const c = this.tl.cols;
      const nt = this.threads.length;
      const count = new Uint32Array(nt + 1);
      for (let i = 0; i < c.inst_tid.length; i++) if (c.inst_tid[i] < nt) count[c.inst_tid[i]]++;
      const by = Array.from({ length: nt }, (_x, t) => new Float64Array(count[t]));
      count.fill(0);
      for (let i = 0; i < c.inst_tid.length; i++) {
        const t = c.inst_tid[i];
        if (t < nt) by[t][count[t]++] = c.inst_time[i];
      }
      for (const a of by) a.sort();
      this.instByTid = by;
    }
    return this.instByTid[tid] ?? new Float64Array(0);
  }

  /** Counter k's summaries (built the first time). */
  counterLod(k: number): CounterLod {
    const c = this.counters[k];
    if (c.lod === undefined) {
      const t0 = performance.now();
      c.lod = new CounterLod(c.time, c.value);
      this.scanStats.buildMs += performance.now() - t0;
    }
    return c.lod;
  }

  /** Builds every track's summaries now (the benchmark's figure for a whole trace). */
  buildAll(): void {
    for (let t = 0; t < this.lods.length; t++) this.lod(t);
    this.counters.forEach((_c, k) => this.counterLod(k));
  }

  /** Bytes of summaries built so far. */
  get lodBytes(): number {
    return this.lods.reduce((s, l) => s + (l?.bytes ?? 0), 0) + this.counters.reduce((s, c) => s + (c.lod?.bytes ?? 0), 0);
  }

  /** The stage at absolute time `t` (index into meta.stages), or -1. */
  stageAt(t: number): number {
    const st = this.tl.meta.stages;
    for (let i = st.length - 1; i >= 0; i--) if (st[i].start_ns <= t && (t < st[i].end_ns || (st[i].end_ns === st[i].start_ns && t === st[i].start_ns))) return i;
    return -1;
  }

  /** The value of counter k at absolute time t (the last sample at or before it). */
  counterAt(k: number, t: number): number | undefined {
    const c = this.counters[k];
    const i = firstAbove(c.time, c.time.length, t) - 1;
    return i >= 0 ? c.value[i] : undefined;
  }

  threadName(tid: number): string {
    return this.tl.meta.threads[tid]?.name ?? `thread ${tid}`;
  }

  fnName(fn: number): string {
    return this.tl.meta.functions[fn] ?? `function ${fn}`;
  }

  mutexName(m: number): string {
    return this.tl.meta.mutexes[m] ?? `mutex ${m}`;
  }
}
