// Level of detail for a track of spans (sorted, non-overlapping): a pyramid of summaries over
// buckets of virtual time, power-of-two widths apart, as Perfetto's mipmaps. Level 0's buckets are
// two to four spans wide on average (a quarter to half as many buckets as spans, so the summaries
// take at most about a bucket per span); each level above halves their count. A bucket keeps the span that covers most of it, the share
// it has covered, which classes of value occur in it and, for tracks whose classes matter more
// than their longest span (a thread's states: 40% blocked in short waits is not "running"), the
// share of each class. Shares are 16-bit fractions of the bucket's width.
//
// A view is drawn from the raw spans when it holds few of them (a few per pixel column: exactly
// what they are, as when zoomed in), else from the level whose buckets are the widest not wider
// than a pixel column: one or two buckets per column, so a frame costs O(pixel columns) per track
// whatever the number of events, and emits at most one primitive per pixel column (raw, a span a
// pixel wide or more is one on its own). Nothing is cached per resolution: every frame is exact.
// Built the first time a track is drawn, in O(spans + buckets).

/** Raw spans drawn as they are while the view holds at most this many per pixel column. */
export const RAW_PER_PX = 3;
/** When no level is fine enough, raw spans still drawn up to this many per pixel column. */
const RAW_MAX_PER_PX = 48;
/** Tracks of fewer spans keep no pyramid. */
const MIN_SPANS = 512;
const ONE = 65535;

interface Level {
  /** bucket width, ns */
  w: number;
  m: number;
  /** the span covering most of the bucket (-1: none), and its share */
  dom: Int32Array;
  domF: Uint16Array;
  /** share covered by spans */
  cover: Uint16Array;
  /** classes present (bit k: class k) */
  mask: Uint8Array;
  /** share per class that occurs in the track (bucket × used classes), when the track counts classes */
  cls: Uint16Array | null;
}

/**
 * What a scan emits, left to right: [x0, x1) in pixels, the value (a span's, or the one covering
 * most of a column), the fraction of the column covered, the classes present, the span's index when
 * it is one span (else -1), and for a column of several classes of a track that counts them, the
 * ns per class in it (a scratch array: read it in the callback), else null.
 */
export type RunSink = (x0: number, x1: number, val: number, cover: number, mask: number, span: number, byClass: Float32Array | null) => void;

/** How the last scan drew: from the raw spans, from a level of the pyramid, or from level 0 though it is coarser than the pixels. */
export type ScanMode = 'raw' | 'lod' | 'coarse' | 'empty';

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

/** Lowest i in [from, n) with a[i] >= t (n if none). */
export function firstAtOrAbove(a: Float64Array, from: number, n: number, t: number): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TrackLod {
  readonly n: number;
  readonly levels: Level[] = [];
  /** the grid's origin: bucket k of a level of width w covers [origin + k·w, origin + (k+1)·w) */
  readonly origin: number;
  /** the classes that occur in the track (most threads know 2 to 4 of the 7 states) */
  private readonly used: Int32Array;
  private readonly acc: Float32Array;
  private readonly sh: Float64Array;
  /** how the last scan drew and how many runs it emitted (the renderer's counts) */
  lastMode: ScanMode = 'empty';
  lastEmitted = 0;
  /** each span's class, when the track counts classes (else every span is class 0) */
  private readonly cl: Uint8Array | null;

  /**
   * `classOf` maps a value to a class 0..7 (a thread state, a lock use); its bits make `mask`.
   * With `classes` > 0 the summaries also keep the share of each of that many classes (and each
   * span's class is kept, a byte per span); with 0 every span is class 0.
   */
  constructor(readonly start: Float64Array, readonly end: Float64Array, readonly val: Uint32Array, readonly classOf: (v: number) => number, readonly classes = 0) {
    const n = (this.n = start.length);
    this.origin = n > 0 ? Math.floor(start[0]) : 0;
    this.acc = new Float32Array(Math.max(1, classes));
    let all = 0;
    this.cl = classes > 0 ? new Uint8Array(n) : null;
    for (let i = 0; i < n; i++) {
      const c = classes > 0 ? classOf(val[i]) : 0;
      if (this.cl !== null) this.cl[i] = c;
      all |= 1 << c;
    }
    const used: number[] = [];
    for (let c = 0; c < classes; c++) if (all & (1 << c)) used.push(c);
    this.used = Int32Array.from(used);
    this.sh = new Float64Array(Math.max(1, used.length));
    if (n >= MIN_SPANS) this.build();
  }

  private build(): void {
    const S = this.start;
    const E = this.end;
    const n = this.n;
    const o = this.origin;
    const dur = Math.max(1, E[n - 1] - o);
    // level 0: the narrowest power of two giving at most half as many buckets as spans
    const w = 2 ** Math.ceil(Math.log2(Math.max(1, (2 * dur) / n)));
    const m = Math.max(1, Math.ceil(dur / w));
    const K = this.used.length;
    const slot = new Int8Array(8).fill(-1);
    this.used.forEach((c, k) => (slot[c] = k));
    const lv = this.level(w, m, this.classes > 0 ? K : -1);
    const domD = new Float32Array(m);
    for (let i = 0; i < n; i++) {
      const s = S[i];
      const e = E[i];
      const cl = this.cl !== null ? this.cl[i] : 0;
      const bit = 1 << cl;
      const sl = slot[cl];
      const b0 = Math.min(m - 1, Math.floor((s - o) / w));
      const b1 = e > s ? Math.min(m - 1, Math.ceil((e - o) / w) - 1) : b0;
      for (let b = b0; b <= b1; b++) {
        lv.mask[b] |= bit;
        const part = Math.min(e, o + (b + 1) * w) - Math.max(s, o + b * w);
        if (!(part > 0)) continue;
        const f = Math.round((part / w) * ONE);
        lv.cover[b] = Math.min(ONE, lv.cover[b] + f);
        if (lv.cls !== null && sl >= 0) lv.cls[b * K + sl] = Math.min(ONE, lv.cls[b * K + sl] + f);
        if (part > domD[b]) {
          domD[b] = part;
          lv.dom[b] = i;
          lv.domF[b] = f;
        }
      }
    }
    this.levels.push(lv);
    // each level above: two buckets of the one below
    for (let prev = lv; prev.m > 1; ) {
      const pm = prev.m;
      const up = this.level(prev.w * 2, Math.ceil(pm / 2), prev.cls !== null ? K : -1);
      for (let k = 0; k < up.m; k++) {
        const a = 2 * k;
        const b = a + 1;
        const hasB = b < pm;
        const da = prev.dom[a];
        const db = hasB ? prev.dom[b] : -1;
        const fa = prev.domF[a];
        const fb = hasB ? prev.domF[b] : 0;
        if (da === db) {
          up.dom[k] = da;
          up.domF[k] = (fa + fb + 1) >>> 1;
        } else if (db >= 0 && (da < 0 || fb > fa)) {
          up.dom[k] = db;
          up.domF[k] = (fb + 1) >>> 1;
        } else {
          up.dom[k] = da;
          up.domF[k] = (fa + 1) >>> 1;
        }
        up.cover[k] = (prev.cover[a] + (hasB ? prev.cover[b] : 0) + 1) >>> 1;
        up.mask[k] = prev.mask[a] | (hasB ? prev.mask[b] : 0);
        if (up.cls !== null && prev.cls !== null) {
          for (let c = 0; c < K; c++) up.cls[k * K + c] = (prev.cls[a * K + c] + (hasB ? prev.cls[b * K + c] : 0) + 1) >>> 1;
        }
      }
      this.levels.push(up);
      prev = up;
    }
  }

  private level(w: number, m: number, K: number): Level {
    return { w, m, dom: new Int32Array(m).fill(-1), domF: new Uint16Array(m), cover: new Uint16Array(m), mask: new Uint8Array(m), cls: K >= 0 ? new Uint16Array(m * Math.max(1, K)) : null };
  }

  /** Bytes held by the summaries. */
  get bytes(): number {
    return this.levels.reduce((s, l) => s + l.dom.byteLength + l.domF.byteLength + l.cover.byteLength + l.mask.byteLength + (l.cls?.byteLength ?? 0), this.cl?.byteLength ?? 0);
  }

  /** Index of the span covering time t, or -1. */
  at(t: number): number {
    const i = firstAbove(this.end, this.n, t);
    return i < this.n && this.start[i] <= t ? i : -1;
  }

  /** Emits the view [v0, v1) at `width` pixels to `sink`. */
  scan(v0: number, v1: number, width: number, sink: RunSink): void {
    this.lastEmitted = 0;
    this.lastMode = 'empty';
    const n = this.n;
    if (n === 0 || v1 <= v0 || !(width > 0)) return;
    const i0 = firstAbove(this.end, n, v0);
    const i1 = firstAtOrAbove(this.start, i0, n, v1);
    if (i1 <= i0) return;
    const nsPx = (v1 - v0) / width;
    const inView = i1 - i0;
    if (inView <= RAW_PER_PX * width || this.levels.length === 0) return this.raw(i0, i1, v0, v1, width, sink);
    let j = -1;
    while (j + 1 < this.levels.length && this.levels[j + 1].w <= nsPx) j++;
    if (j < 0 && inView <= RAW_MAX_PER_PX * width) return this.raw(i0, i1, v0, v1, width, sink);
    this.summary(Math.max(0, j), j < 0, v0, v1, width, sink);
    this.lastMode = j < 0 ? 'coarse' : 'lod';
  }

  /** Spans [i0, i1) as they are: one a pixel wide or more on its own, the ones in a pixel column summed up. */
  private raw(i0: number, i1: number, v0: number, v1: number, width: number, sink: RunSink): void {
    this.lastMode = 'raw';
    const S = this.start;
    const E = this.end;
    const V = this.val;
    const C = this.cl;
    const K = this.classes;
    const acc = this.acc;
    const nsPx = (v1 - v0) / width;
    const k = width / (v1 - v0);
    let emitted = 0;
    let i = i0;
    while (i < i1) {
      const s = S[i];
      const e = E[i];
      if (e - s >= nsPx) {
        sink(Math.max(0, (s - v0) * k), Math.min(width, (e - v0) * k), V[i], 1, C !== null ? 1 << C[i] : 1, i, null);
        emitted++;
        i++;
        continue;
      }
      const px = Math.max(0, Math.floor((s - v0) * k));
      const pxEnd = v0 + (px + 1) * nsPx;
      let domV = V[i];
      let domD = e - s;
      let cov = domD;
      const c0 = C !== null ? C[i] : 0;
      let mask = 1 << c0;
      if (K > 0) {
        for (let c = 0; c < K; c++) acc[c] = 0;
        if (c0 < K) acc[c0] += domD;
      }
      const first = i;
      i++;
      // the spans starting in the column (one a pixel wide or more reaching past it is drawn on its own)
      while (i < i1 && S[i] < pxEnd && !(E[i] > pxEnd && E[i] - S[i] >= nsPx)) {
        const d = E[i] - S[i];
        if (d > domD) {
          domD = d;
          domV = V[i];
        }
        const cl = C !== null ? C[i] : 0;
        cov += d;
        mask |= 1 << cl;
        if (K > 0 && cl < K) acc[cl] += d;
        i++;
      }
      const one = i === first + 1;
      sink(px, px + 1, domV, Math.min(1, cov / nsPx), mask, one ? first : -1, K > 0 && !one ? acc : null);
      emitted++;
    }
    this.lastEmitted = emitted;
  }

  /**
   * Level j's buckets over the view, each in the pixel column where it starts: a column of one
   * span (runs of them merged into one, its real ends kept), of one class, or a mix of classes.
   * `coarse`: the buckets are wider than a column (no level is fine enough): each is drawn across
   * the columns it covers.
   */
  private summary(j: number, coarse: boolean, v0: number, v1: number, width: number, sink: RunSink): void {
    const lv = this.levels[j];
    const w = lv.w;
    const o = this.origin;
    const V = this.val;
    const K = this.used.length;
    const counts = lv.cls !== null;
    const acc = this.acc;
    const sh = this.sh;
    const k = width / (v1 - v0);
    const nsPx = (v1 - v0) / width;
    const kEnd = Math.min(lv.m, Math.ceil((v1 - o) / w));
    let b = Math.max(0, Math.floor((v0 - o) / w));
    let emitted = 0;
    // a single span's run across columns, not yet emitted
    let pSpan = -1;
    let pX0 = 0;
    let pX1 = 0;
    let pCover = 0;
    const flush = () => {
      if (pSpan < 0) return;
      const x0 = Math.max(pX0, (this.start[pSpan] - v0) * k, 0);
      const x1 = Math.min(pX1, (this.end[pSpan] - v0) * k, width);
      sink(x0, Math.max(x1, x0 + 1), V[pSpan], pCover, this.cl !== null ? 1 << this.cl[pSpan] : 1, pSpan, null);
      emitted++;
      pSpan = -1;
    };
    while (b < kEnd) {
      const px = Math.max(0, Math.floor((o + b * w - v0) * k));
      if (px >= width) break;
      const colEnd = v0 + (px + 1) * nsPx;
      // the column's buckets: [b, e)
      let e = b + 1;
      while (e < kEnd && o + e * w < colEnd) e++;
      let cover = 0;
      let mask = 0;
      let dom = -1;
      let domF = -1;
      let single = true;
      let domSum = 0;
      if (counts) for (let c = 0; c < K; c++) sh[c] = 0;
      for (let q = b; q < e; q++) {
        cover += lv.cover[q];
        mask |= lv.mask[q];
        const d = lv.dom[q];
        if (d !== lv.dom[b]) single = false;
        domSum += lv.domF[q];
        if (d >= 0 && lv.domF[q] > domF) {
          domF = lv.domF[q];
          dom = d;
        }
        if (counts) for (let c = 0; c < K; c++) sh[c] += lv.cls![q * K + c];
      }
      const nb = e - b;
      const x1 = coarse ? Math.max(px + 1, Math.min(width, Math.floor((o + e * w - v0) * k))) : px + 1;
      b = e;
      if (dom < 0) {
        if (mask !== 0) flush();
        continue;
      }
      const cov = Math.min(1, cover / (nb * ONE));
      // one span covers all that is covered (to rounding): part of a run of it
      if (single && domSum + nb >= cover && (mask & (mask - 1)) === 0) {
        if (pSpan === dom && px <= pX1) {
          pX1 = x1;
          pCover = Math.max(pCover, cov);
          continue;
        }
        flush();
        pSpan = dom;
        pX0 = px;
        pX1 = x1;
        pCover = cov;
        continue;
      }
      flush();
      if (counts && (mask & (mask - 1)) !== 0) {
        // several classes: ns per class, as if the column were the buckets' time (acc is zero
        // outside the classes the track has)
        const scale = nsPx / (nb * ONE);
        for (let c = 0; c < K; c++) acc[this.used[c]] = sh[c] * scale;
        sink(px, x1, V[dom], cov, mask, -1, acc);
      } else {
        sink(px, x1, V[dom], cov, mask, -1, null);
      }
      emitted++;
    }
    flush();
    this.lastEmitted = emitted;
  }
}
