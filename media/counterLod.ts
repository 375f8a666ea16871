// Level of detail for a counter track (samples sorted by time): per bucket of virtual time, at
// power-of-two widths as for spans (lod.ts), the largest sample in it and the last one (what is
// in force after it). A pixel column shows the largest sample in it, or the one in force since
// before it; with many samples in view that comes from the level whose buckets are the widest not
// wider than a column, so the cost is O(pixel columns) whatever the number of samples.

import { firstAtOrAbove, RAW_PER_PX } from './lod';

const MIN_SAMPLES = 512;

interface Level {
  w: number;
  m: number;
  max: Float64Array;
  last: Float64Array;
  /** 0: no sample in the bucket */
  has: Uint8Array;
}

/** Called per pixel column with a value to show. */
export type ColumnSink = (px: number, v: number) => void;

export class CounterLod {
  private readonly levels: Level[] = [];
  private readonly origin: number;

  constructor(readonly time: Float64Array, readonly value: Float64Array) {
    const n = time.length;
    this.origin = n > 0 ? Math.floor(time[0]) : 0;
    if (n < MIN_SAMPLES) return;
    const o = this.origin;
    const dur = Math.max(1, time[n - 1] - o + 1);
    const w = 2 ** Math.ceil(Math.log2(Math.max(1, (4 * dur) / n)));
    let lv = this.level(w, Math.ceil(dur / w));
    for (let i = 0; i < n; i++) {
      const b = Math.min(lv.m - 1, Math.floor((time[i] - o) / w));
      const v = value[i];
      lv.max[b] = lv.has[b] ? Math.max(lv.max[b], v) : v;
      lv.last[b] = v;
      lv.has[b] = 1;
    }
    this.levels.push(lv);
    while (lv.m > 1) {
      const up = this.level(lv.w * 2, Math.ceil(lv.m / 2));
      for (let k = 0; k < up.m; k++) {
        for (const q of [2 * k, 2 * k + 1]) {
          if (q >= lv.m || !lv.has[q]) continue;
          up.max[k] = up.has[k] ? Math.max(up.max[k], lv.max[q]) : lv.max[q];
          up.last[k] = lv.last[q];
          up.has[k] = 1;
        }
      }
      this.levels.push(up);
      lv = up;
    }
  }

  private level(w: number, m: number): Level {
    return { w, m, max: new Float64Array(m), last: new Float64Array(m), has: new Uint8Array(m) };
  }

  get bytes(): number {
    return this.levels.reduce((s, l) => s + l.max.byteLength + l.last.byteLength + l.has.byteLength, 0);
  }

  /** Emits a value per pixel column of [a0, a1) at `width` pixels, up to absolute time `end`. */
  scan(a0: number, a1: number, width: number, end: number, sink: ColumnSink): void {
    const T = this.time;
    const V = this.value;
    const n = T.length;
    if (n === 0) return;
    const nsPx = (a1 - a0) / width;
    let i = firstAtOrAbove(T, 0, T.length, a0);
    let last: number | undefined = i > 0 ? V[i - 1] : undefined;
    const inView = firstAtOrAbove(T, 0, T.length, a1) - i;
    let j = -1;
    while (j + 1 < this.levels.length && this.levels[j + 1].w <= nsPx) j++;
    if (inView <= RAW_PER_PX * width || j < 0) {
      for (let px = 0; px < width; px++) {
        const ta = a0 + px * nsPx;
        if (ta > end) break;
        const tb = ta + nsPx;
        let v = last;
        while (i < n && T[i] < tb) {
          v = v === undefined ? V[i] : Math.max(v, V[i]);
          last = V[i];
          i++;
        }
        if (v !== undefined) sink(px, v);
      }
      return;
    }
    const lv = this.levels[j];
    const o = this.origin;
    let b = Math.max(0, Math.floor((a0 - o) / lv.w));
    const kEnd = Math.min(lv.m, Math.ceil((a1 - o) / lv.w));
    // the value in force before the first bucket drawn
    const before = firstAtOrAbove(T, 0, T.length, o + b * lv.w);
    last = before > 0 ? V[before - 1] : undefined;
    let px = 0;
    for (; px < width; px++) {
      const ta = a0 + px * nsPx;
      if (ta > end) break;
      const tb = ta + nsPx;
      let v = last;
      while (b < kEnd && o + b * lv.w < tb) {
        if (lv.has[b]) {
          v = v === undefined ? lv.max[b] : Math.max(v, lv.max[b]);
          last = lv.last[b];
        }
        b++;
      }
      if (v !== undefined) sink(px, v);
    }
  }
}
