// The checkpoints of a debugging session: whole-state snapshots at step boundaries, so that going
// back is "restore the nearest one, replay forward" (rr's and the DESIGN's reverse execution).
// Guest RAM bitmaps are shared copy-on-write between snapshots, so a checkpoint costs what changed
// since the previous one; the store keeps its total under a byte budget by thinning old
// checkpoints (every other one) and spacing new ones further apart, so a whole run of a 1 TiB guest
// fits while recent history stays dense.

import { ChunkedArray } from '../sim/chunkedArray';
import type { Snapshot } from '../sim/snapshot';
import { takeCheckpointSnapshot } from './stateClone';
import type { Kernel } from '../sim/kernel';

export interface Checkpoint {
  steps: number;
  time_ns: number;
  /** observer events emitted before this point (the recorder's frontier) */
  events: number;
  snap: Snapshot;
  /** heap bytes of its plain data */
  plain_bytes: number;
}

export interface CheckpointOptions {
  /** steps between checkpoints to begin with */
  interval_steps: number;
  /** bytes all checkpoints may hold together */
  budget_bytes: number;
}

export const CHECKPOINT_DEFAULTS: CheckpointOptions = { interval_steps: 20_000, budget_bytes: 768 * 1024 ** 2 };

/** The ChunkedArrays of a state (guest RAM bitmaps and the like), found by walking its plain data. */
function chunkedArraysOf(v: unknown, out: ChunkedArray[], depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 8) return;
  if (v instanceof ChunkedArray) {
    out.push(v);
    return;
  }
  if (ArrayBuffer.isView(v)) return;
  if (Array.isArray(v)) {
    // Arrays of numbers (histories, queues) hold no chunked arrays; only look into objects.
    for (const x of v) if (x !== null && typeof x === 'object') chunkedArraysOf(x, out, depth + 1);
    return;
  }
  for (const key in v as Record<string, unknown>) chunkedArraysOf((v as Record<string, unknown>)[key], out, depth + 1);
}


export class CheckpointStore {
  readonly list: Checkpoint[] = [];
  interval_steps: number;
  private bytes = 0;
  /** how many times old checkpoints were thinned to stay in budget */
  thinned = 0;

  constructor(readonly opts: CheckpointOptions = CHECKPOINT_DEFAULTS) {
    if (!(opts.interval_steps >= 1)) throw new RangeError(`checkpoint interval must be at least one step, got ${opts.interval_steps}`);
    this.interval_steps = opts.interval_steps;
  }

  get last(): Checkpoint | undefined {
    return this.list[this.list.length - 1];
  }

  /** Whether the run, standing at `steps` beyond every checkpoint, is due for one. */
  due(steps: number): boolean {
    const last = this.last;
    return last === undefined || steps >= last.steps + this.interval_steps;
  }

  /** Takes a checkpoint at the kernel's position (a step boundary past the last checkpoint). */
  take(k: Kernel, events: number): Checkpoint {
    const last = this.last;
    if (last !== undefined && k.s.steps <= last.steps) throw new Error(`checkpoint at step ${k.s.steps} is not past the last one (step ${last.steps})`);
    const arrays: ChunkedArray[] = [];
    chunkedArraysOf(k.s.data, arrays);
    // What the live state owns now is what this snapshot will hold apart from the previous one.
    let added = 0;
    for (const a of arrays) added += a.ownedBytes();
    const { snap, plain_bytes } = takeCheckpointSnapshot(k);
    const cp: Checkpoint = { steps: k.s.steps, time_ns: k.s.now_ns, events, snap, plain_bytes };
    this.list.push(cp);
    this.bytes += added + plain_bytes;
    if (this.bytes > this.opts.budget_bytes && this.list.length > 3) this.thin();
    return cp;
  }

  /** The last checkpoint at or before `steps` (there is always checkpoint 0). */
  atOrBefore(steps: number): Checkpoint {
    let lo = 0;
    let hi = this.list.length - 1;
    if (hi < 0 || this.list[0].steps > steps) throw new Error(`no checkpoint at or before step ${steps}`);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.list[mid].steps <= steps) lo = mid;
      else hi = mid - 1;
    }
    return this.list[lo];
  }

  /** The last checkpoint whose time is before `time_ns` (or checkpoint 0). */
  beforeTime(time_ns: number): Checkpoint {
    let best = this.list[0];
    for (const c of this.list) {
      if (c.time_ns < time_ns) best = c;
      else break;
    }
    return best;
  }

  indexOf(cp: Checkpoint): number {
    return this.list.indexOf(cp);
  }

  /** Bytes held by all checkpoints: every distinct RAM chunk once, plus their plain data. */
  measure(): number {
    const seen = new Set<ArrayBufferLike>();
    let total = 0;
    for (const c of this.list) {
      total += c.plain_bytes;
      const arrays: ChunkedArray[] = [];
      chunkedArraysOf(c.snap.state.data, arrays);
      for (const a of arrays) {
        for (const ch of a.chunks) {
          if (seen.has(ch.buffer)) continue;
          seen.add(ch.buffer);
          total += ch.byteLength;
        }
      }
    }
    return total;
  }

  get estimatedBytes(): number {
    return this.bytes;
  }

  /** Drops every other checkpoint between the first and the last two, and spaces new ones twice as far. */
  private thin(): void {
    const keep: Checkpoint[] = [];
    const n = this.list.length;
    for (let i = 0; i < n; i++) if (i === 0 || i >= n - 2 || i % 2 === 0) keep.push(this.list[i]);
    this.list.length = 0;
    this.list.push(...keep);
    this.interval_steps *= 2;
    this.thinned++;
    this.bytes = this.measure();
  }
}
