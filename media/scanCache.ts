// A track's scan at a fixed resolution, kept between frames, as Perfetto keeps its mipmap buckets:
// columns are aligned to a global grid of 2^k ns (the power of two nearest a pixel), so the
// summary of a column does not depend on where the view starts. Panning at one resolution scans a
// view's width to each side once and then draws from what was scanned; zooming within the same
// power of two does too.

import type { RunSink, TrackLod } from './lod';

class Runs {
  n = 0;
  t0 = new Float64Array(1024);
  t1 = new Float64Array(1024);
  val = new Uint32Array(1024);
  cover = new Float32Array(1024);
  mask = new Uint8Array(1024);
  span = new Int32Array(1024);
  byClass: Float32Array;
  /** byClass present for run i */
  agg = new Uint8Array(1024);

  constructor(readonly K: number) {
    this.byClass = new Float32Array(1024 * Math.max(1, K));
  }

  clear(): void {
    this.n = 0;
  }

  push(t0: number, t1: number, val: number, cover: number, mask: number, span: number, byClass: Float32Array | null): void {
    if (this.n === this.t0.length) this.grow();
    const i = this.n++;
    this.t0[i] = t0;
    this.t1[i] = t1;
    this.val[i] = val;
    this.cover[i] = cover;
    this.mask[i] = mask;
    this.span[i] = span;
    this.agg[i] = byClass !== null ? 1 : 0;
    if (byClass !== null) this.byClass.set(byClass.subarray(0, this.K), i * this.K);
  }

  private grow(): void {
    const c = this.t0.length * 2;
    const g = <T extends Float64Array | Float32Array | Uint32Array | Uint8Array | Int32Array>(a: T, m = 1): T => {
      const b = new (a.constructor as { new (n: number): T })(c * m);
      b.set(a as never);
      return b;
    };
    this.t0 = g(this.t0);
    this.t1 = g(this.t1);
    this.val = g(this.val);
    this.cover = g(this.cover);
    this.mask = g(this.mask);
    this.span = g(this.span);
    this.agg = g(this.agg);
    this.byClass = g(this.byClass, Math.max(1, this.K));
  }
}

export class ScanCache {
  private bucket = 0;
  private from = 0;
  private to = 0;
  private readonly runs: Runs;
  private readonly scratch: Float32Array;

  constructor(private readonly lod: TrackLod) {
    this.runs = new Runs(lod.classes);
    this.scratch = new Float32Array(Math.max(1, lod.classes));
  }

  /**
   * As TrackLod.scan, from the cache when it holds the view at this resolution. With `stale`
   * (the user is zooming), a cache of a nearby resolution that holds the view is drawn as it is,
   * rescaled; returns false then, so the caller draws again once the zooming stops.
   */
  scan(v0: number, v1: number, width: number, sink: RunSink, stale = false): boolean {
    const nsPx = (v1 - v0) / width;
    if (!(nsPx > 0)) return true;
    let bucket = 2 ** Math.round(Math.log2(nsPx));
    let exact = true;
    const covered = v0 >= this.from && v1 <= this.to;
    if (bucket !== this.bucket && stale && covered && this.bucket > 0 && bucket / this.bucket <= 4 && this.bucket / bucket <= 2) {
      bucket = this.bucket;
      exact = false;
    } else if (bucket !== this.bucket || !covered) {
      this.fill(v0, v1, bucket);
    }
    const r = this.runs;
    const k = width / (v1 - v0);
    const K = this.lod.classes;
    // the first run ending after v0
    let lo = 0;
    let hi = r.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r.t1[mid] <= v0) lo = mid + 1;
      else hi = mid;
    }
    const scale = bucket / nsPx;
    // runs of a finer resolution than the pixels: the first of those starting in a pixel column
    // stands for it (about one primitive per pixel column, whatever the resolution drawn)
    let lastPx = -1;
    for (let i = lo; i < r.n && r.t0[i] < v1; i++) {
      const x0 = (r.t0[i] - v0) * k;
      const x1 = (r.t1[i] - v0) * k;
      if (x1 - x0 < 1) {
        const px = Math.floor(x0);
        if (px === lastPx) continue;
        lastPx = px;
      }
      let byClass: Float32Array | null = null;
      if (r.agg[i]) {
        // per-class time, rescaled from the bucket to the pixel so shares stay shares
        byClass = this.scratch;
        for (let c = 0; c < K; c++) byClass[c] = r.byClass[i * K + c] / scale;
      }
      sink(Math.max(0, x0), Math.min(width, x1), r.val[i], r.cover[i], r.mask[i], r.span[i], byClass);
    }
    return exact;
  }

  private fill(v0: number, v1: number, bucket: number): void {
    // a new resolution scans a quarter view more on each side (zooming out stays inside it for a
    // frame or two); the same one again (panning past the scanned range) a whole view more
    const span = bucket === this.bucket ? v1 - v0 : (v1 - v0) / 4;
    const from = Math.floor((v0 - span) / bucket) * bucket;
    const to = Math.ceil((v1 + span) / bucket) * bucket;
    const cols = Math.max(1, Math.round((to - from) / bucket));
    const r = this.runs;
    r.clear();
    this.lod.scan(from, to, cols, (x0, x1, val, cover, mask, sp, byClass) => {
      r.push(from + x0 * bucket, from + x1 * bucket, val, cover, mask, sp, byClass);
    });
    this.bucket = bucket;
    this.from = from;
    this.to = to;
  }
}
