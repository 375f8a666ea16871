// Level of detail for a track of spans (sorted, non-overlapping): a summary per run of 2^L
// consecutive spans (L ≥ 3), as in Perfetto's slice mipmap (the longest span of the run stands for
// it), plus its covered time, which classes of value occur in it and, for tracks whose classes
// matter more than their longest span (a thread's states: 40% blocked in short waits is not
// "running"), the time in each class. Scanning a view walks pixel
// columns: a span at least a pixel wide is one rectangle; the spans inside one pixel column are
// summed up from the largest aligned runs that fit, so a column costs O(log n) and no view emits
// more than about one primitive per pixel column.

const MIN_LEVEL = 3;

interface Level {
  /** value of the longest span of the run, and its duration */
  dom: Uint32Array;
  domDur: Float32Array;
  /** time covered by the run's spans */
  cover: Float32Array;
  /** classes present (bit k: class k) */
  mask: Uint8Array;
  /** time per class (node × classes), when the track counts classes */
  byClass: Float32Array | null;
}

/**
 * What a scan emits, left to right: [x0, x1) in pixels, the value (a span's, or the longest of a
 * column's spans), the fraction of the column covered, the classes present, the span's index when
 * it is one span (else -1), and for a column of several spans of a track that counts classes, the
 * ns per class in it (a scratch array: read it in the callback), else null.
 */
export type RunSink = (x0: number, x1: number, val: number, cover: number, mask: number, span: number, byClass: Float32Array | null) => void;

/** Lowest i in [0, n) with a[i] > t (n if none). */
export function firstAbove(a: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class TrackLod {
  readonly n: number;
  private readonly levels: Level[] = [];

  private readonly acc: Float32Array;
  /** the classes that occur in the track (most threads know 2 to 4 of the 7 states) */
  private readonly used: Int32Array;

  /**
   * `classOf` maps a value to a class 0..7 (a thread state, a lock use); its bits make `mask`.
   * With `classes` > 0 the summaries also keep the time in each of that many classes.
   */
  constructor(readonly start: Float64Array, readonly end: Float64Array, readonly val: Uint32Array, readonly classOf: (v: number) => number, readonly classes = 0) {
    this.n = start.length;
    const K = classes;
    this.acc = new Float32Array(Math.max(1, K));
    let prev: Level | null = null;
    for (let L = MIN_LEVEL; this.n >> L >= 1; L++) {
      const size = 1 << L;
      const m = Math.ceil(this.n / size);
      const lv: Level = { dom: new Uint32Array(m), domDur: new Float32Array(m), cover: new Float32Array(m), mask: new Uint8Array(m), byClass: K > 0 ? new Float32Array(m * K) : null };
      for (let k = 0; k < m; k++) {
        if (prev === null) {
          let dd = -1;
          let dv = 0;
          let cov = 0;
          let mask = 0;
          for (let i = k * size, e = Math.min(this.n, i + size); i < e; i++) {
            const d = end[i] - start[i];
            const cl = classOf(val[i]);
            cov += d;
            mask |= 1 << cl;
            if (lv.byClass !== null && cl < K) lv.byClass[k * K + cl] += d;
            if (d > dd) {
              dd = d;
              dv = val[i];
            }
          }
          lv.dom[k] = dv;
          lv.domDur[k] = dd;
          lv.cover[k] = cov;
          lv.mask[k] = mask;
        } else {
          const a = 2 * k;
          const b = a + 1 < prev.dom.length ? a + 1 : a;
          const pick = b !== a && prev.domDur[b] > prev.domDur[a] ? b : a;
          lv.dom[k] = prev.dom[pick];
          lv.domDur[k] = prev.domDur[pick];
          lv.cover[k] = prev.cover[a] + (b !== a ? prev.cover[b] : 0);
          lv.mask[k] = prev.mask[a] | prev.mask[b];
          if (lv.byClass !== null && prev.byClass !== null) {
            for (let c = 0; c < K; c++) lv.byClass[k * K + c] = prev.byClass[a * K + c] + (b !== a ? prev.byClass[b * K + c] : 0);
          }
        }
      }
      this.levels.push(lv);
      prev = lv;
    }
    let all = 0;
    for (let i = 0; i < this.n; i++) all |= 1 << classOf(val[i]);
    const used: number[] = [];
    for (let c = 0; c < K; c++) if (all & (1 << c)) used.push(c);
    this.used = Int32Array.from(used);
  }

  /** Bytes held by the summaries. */
  get bytes(): number {
    return this.levels.reduce((s, l) => s + l.dom.byteLength + l.domDur.byteLength + l.cover.byteLength + l.mask.byteLength + (l.byClass?.byteLength ?? 0), 0);
  }

  /** Index of the span covering time t, or -1. */
  at(t: number): number {
    const i = firstAbove(this.end, this.n, t);
    return i < this.n && this.start[i] <= t ? i : -1;
  }

  /** Emits the view [v0, v1) at `width` pixels to `sink`. */
  scan(v0: number, v1: number, width: number, sink: RunSink): void {
    const n = this.n;
    if (n === 0 || v1 <= v0) return;
    const S = this.start;
    const E = this.end;
    const V = this.val;
    const classOf = this.classOf;
    const nsPx = (v1 - v0) / width;
    const k = width / (v1 - v0);
    const top = MIN_LEVEL + this.levels.length - 1;
    const K = this.classes;
    const acc = this.acc;
    const used = this.used;
    let i = firstAbove(E, n, v0);
    while (i < n) {
      const s = S[i];
      if (s >= v1) break;
      const e = E[i];
      if (e - s >= nsPx) {
        sink(Math.max(0, (s - v0) * k), Math.min(width, (e - v0) * k), V[i], 1, 1 << classOf(V[i]), i, null);
        i++;
        continue;
      }
      const px = Math.max(0, Math.floor((s - v0) * k));
      const pxEnd = v0 + (px + 1) * nsPx;
      let domV = V[i];
      let domD = e - s;
      let cov = domD;
      const c0 = classOf(V[i]);
      let mask = 1 << c0;
      if (K > 0) {
        acc.fill(0);
        if (c0 < K) acc[c0] += e - s;
      }
      const first = i;
      // j: the first span starting at or after the column's end (galloping from i: the column's
      // spans are few compared with the track's)
      let lo = i + 1;
      let hi = n;
      for (let g = 1; ; g *= 2) {
        const p = i + g;
        if (p >= n) break;
        if (S[p] >= pxEnd) {
          hi = p;
          break;
        }
        lo = p + 1;
      }
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (S[mid] < pxEnd) lo = mid + 1;
        else hi = mid;
      }
      let stop = lo;
      // only the last of them can reach past the column; a pixel wide or more, it is drawn on its own
      if (stop - 1 > i && E[stop - 1] > pxEnd && E[stop - 1] - S[stop - 1] >= nsPx) stop--;
      i++;
      // [i, stop) as aligned runs of 2^L spans (largest first), the rest span by span
      while (i < stop) {
        const room = 31 - Math.clz32(stop - i);
        const align = i === 0 ? top : 31 - Math.clz32(i & -i);
        const L = Math.min(top, room, align);
        if (L >= MIN_LEVEL) {
          const lv = this.levels[L - MIN_LEVEL];
          const node = i >>> L;
          if (lv.domDur[node] > domD) {
            domD = lv.domDur[node];
            domV = lv.dom[node];
          }
          cov += lv.cover[node];
          mask |= lv.mask[node];
          if (lv.byClass !== null) {
            const base = node * K;
            for (let u = 0; u < used.length; u++) acc[used[u]] += lv.byClass[base + used[u]];
          }
          i += 1 << L;
          continue;
        }
        const d = E[i] - S[i];
        if (d > domD) {
          domD = d;
          domV = V[i];
        }
        const cl = classOf(V[i]);
        cov += d;
        mask |= 1 << cl;
        if (K > 0 && cl < K) acc[cl] += d;
        i++;
      }
      const one = i === first + 1;
      sink(px, px + 1, domV, Math.min(1, cov / nsPx), mask, one ? first : -1, K > 0 && !one ? acc : null);
    }
  }
}
