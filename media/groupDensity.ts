// The summary lane of a collapsed group of threads (512 vCPUs): for each moment, how many of its
// threads are in each state, as time-weighted counts in buckets. Built once per group at load of
// the lane: a difference array makes a span cost O(1) however many buckets it covers; coarser
// levels sum four buckets each. A pixel column sums the one to four buckets of the level that fits.

import { stateOf } from '../engine/trace/timelineData';
import type { TraceModel } from './model';

export const STATES = 7;
const MIN_BUCKETS = 1024;
const MAX_BUCKETS = 1 << 18;

export class GroupDensity {
  /** levels[0] finest; each Float32Array(buckets × STATES) of ns·threads per state */
  private readonly levels: Float32Array[] = [];
  private readonly widths: number[] = [];
  private readonly t0: number;
  readonly threads: number;

  constructor(m: TraceModel, tids: number[]) {
    this.threads = tids.length;
    this.t0 = m.t0;
    let spans = 0;
    for (const tid of tids) {
      const tr = m.threads[tid]?.state ?? -1;
      if (tr >= 0) spans += m.tl.cols.track_offset[tr + 1] - m.tl.cols.track_offset[tr];
    }
    let buckets = MIN_BUCKETS;
    while (buckets < spans && buckets < MAX_BUCKETS) buckets *= 4;
    const bw = m.duration / buckets;
    const acc = new Float64Array(buckets * STATES);
    const diff = new Float64Array((buckets + 1) * STATES);
    for (const tid of tids) {
      const tr = m.threads[tid]?.state ?? -1;
      if (tr < 0) continue;
      const s = m.spans(tr);
      for (let i = 0; i < s.start.length; i++) {
        const st = stateOf(s.val[i]);
        const a = (s.start[i] - this.t0) / bw;
        const b = (s.end[i] - this.t0) / bw;
        const b0 = Math.min(buckets - 1, Math.floor(a));
        const b1 = Math.min(buckets - 1, Math.floor(b));
        if (b0 === b1) {
          acc[b0 * STATES + st] += (b - a) * bw;
          continue;
        }
        acc[b0 * STATES + st] += (b0 + 1 - a) * bw;
        acc[b1 * STATES + st] += (b - b1) * bw;
        if (b1 > b0 + 1) {
          diff[(b0 + 1) * STATES + st] += bw;
          diff[b1 * STATES + st] -= bw;
        }
      }
    }
    const run = new Float64Array(STATES);
    const fine = new Float32Array(buckets * STATES);
    for (let k = 0; k < buckets; k++) {
      for (let st = 0; st < STATES; st++) {
        run[st] += diff[k * STATES + st];
        fine[k * STATES + st] = acc[k * STATES + st] + run[st];
      }
    }
    this.levels.push(fine);
    this.widths.push(bw);
    for (let n = buckets / 4, prev = fine; n >= MIN_BUCKETS / 4 && n >= 1; n /= 4) {
      const lv = new Float32Array(n * STATES);
      for (let k = 0; k < n; k++) for (let st = 0; st < STATES; st++) lv[k * STATES + st] = prev[4 * k * STATES + st] + prev[(4 * k + 1) * STATES + st] + prev[(4 * k + 2) * STATES + st] + prev[(4 * k + 3) * STATES + st];
      this.levels.push(lv);
      this.widths.push(this.widths[this.widths.length - 1] * 4);
      prev = lv;
    }
  }

  get bytes(): number {
    return this.levels.reduce((s, l) => s + l.byteLength, 0);
  }

  /**
   * For pixel column px covering absolute [a, b): the fraction of the group's threads in each
   * state, written to `out` (length STATES); returns false where the trace has no data.
   */
  at(a: number, b: number, out: Float32Array): boolean {
    const nsPx = b - a;
    let j = 0;
    while (j + 1 < this.levels.length && this.widths[j + 1] <= nsPx) j++;
    const lv = this.levels[j];
    const bw = this.widths[j];
    const n = lv.length / STATES;
    const k0 = Math.floor((a - this.t0) / bw);
    const k1 = Math.max(k0, Math.ceil((b - this.t0) / bw) - 1);
    if (k1 < 0 || k0 >= n) return false;
    out.fill(0);
    let total = 0;
    for (let k = Math.max(0, k0); k <= Math.min(n - 1, k1); k++) {
      for (let st = 0; st < STATES; st++) {
        out[st] += lv[k * STATES + st];
        total += lv[k * STATES + st];
      }
    }
    if (total <= 0) return false;
    const whole = Math.max(total, (Math.min(n - 1, k1) - Math.max(0, k0) + 1) * bw * this.threads);
    for (let st = 0; st < STATES; st++) out[st] /= whole;
    return true;
  }
}
