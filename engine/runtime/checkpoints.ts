// The checkpoints of a debugging session: whole-state snapshots at step boundaries, so that going
// back is "restore the nearest one, replay forward" (rr's and the DESIGN's reverse execution).
// Guest RAM bitmaps are shared copy-on-write between snapshots, and plain data left unchanged since
// the previous checkpoint is that checkpoint's copy (stateClone.ts), so a checkpoint costs what
// changed since the previous one; the store keeps its total under a byte budget by thinning old
// checkpoints (every other one) and spacing new ones further apart, so a whole run of a 1 TiB guest
// fits while recent history stays dense.
//
// Besides the regular ones, taken as the run first passes a point, there are temporary ones where
// the user is: at the stops of a session and on the way of a step back's replay, so that the next
// step back (people press it repeatedly) restores one nearby instead of replaying a whole interval.
// They are few (TEMP_MAX), the first to go when the budget is tight, and the farthest from where
// the user stands go first.
//
// And there are landmark ones, where the look-ahead (lookAhead.ts) passed a stage change or the end
// of a sync round: the stops of "next stage" and "next iteration", so those are a restore. They are
// kept when old regular ones are thinned, counted apart from the regular ones like the temporary
// ones, and no more are taken once they hold their allowance (a twelfth of the budget).

import { firstNotBelow } from '../sim/bisect';
import { isUniformChunk, type ChunkData, type ChunkedArray } from '../sim/chunkedArray';
import { packChunk, PackedChunk } from '../sim/packedChunk';
import type { Snapshot } from '../sim/snapshot';
import { plainBytesApart, takeCheckpointSnapshot, TYPED_ARRAY_BYTES } from './stateClone';
import type { Kernel } from '../sim/kernel';

/** What the step that led to a boundary did, as far as a step back needs it (kernel fields, not state). */
export interface BoundaryInfo {
  /** the thread that took the step */
  tid: number;
  /** it ran a statement of a model function (not a kernel relock, not a bare scheduling point) */
  statement: boolean;
}

export interface Checkpoint {
  steps: number;
  /** a temporary checkpoint near the user, or a landmark (see above): not one of the regular ones */
  temp: boolean;
  /** the step that led here, when known (null at the start and where the kernel had not stepped since a restore) */
  info: BoundaryInfo | null;
  time_ns: number;
  /** observer events emitted before this point (the recorder's frontier) */
  events: number;
  snap: Snapshot;
  /** heap bytes of its plain data not shared with the checkpoint before it (when taken) */
  plain_bytes: number;
  /** heap bytes of all its plain data, shared or not (what taking it copies or compares) */
  copy_bytes: number;
  /** its state had an object reachable twice: it shares nothing with other checkpoints */
  aliased: boolean;
  /** what taking it added to the store's count: its plain data and the chunks the live state owned then */
  cost: number;
  /** the snapshot's ChunkedArrays (RAM bitmaps, wait statistics), for counting shared chunks once */
  arrays: ChunkedArray[];
}

export interface CheckpointOptions {
  /** steps between checkpoints to begin with */
  interval_steps: number;
  /** bytes the regular checkpoints may hold */
  budget_bytes: number;
  /** bytes the temporary ones may hold besides (default a twelfth of budget_bytes) */
  temp_budget_bytes?: number;
  /** bytes the landmark ones may hold besides (default a twelfth of budget_bytes) */
  mark_budget_bytes?: number;
  /** the shortest replay a temporary checkpoint is taken to save (default TEMP_GAP_MIN_STEPS) */
  temp_gap_min_steps?: number;
  /**
   * Steps between checkpoints at least this many times the heap bytes of one checkpoint's plain
   * data (0 or absent: no such floor). A copy costs about what its bytes say, so this keeps the
   * copies a small share of forward work however large the state grows: 512 vCPUs, each with
   * their stacks, make ~0.55 MB of plain data that takes ~11 ms to copy, and 1/8 a byte puts
   * ~69,000 steps (~30 ms of kernel) between two copies. (The whole 1 TiB run ends every ~555,000
   * steps either way, 69,000 * 2^3 or 34,600 * 2^4 with 1/16: the budget decides.)
   */
  steps_per_plain_byte?: number;
}

export const CHECKPOINT_DEFAULTS: CheckpointOptions = { interval_steps: 20_000, budget_bytes: 768 * 1024 ** 2, steps_per_plain_byte: 1 / 8 };

/** Temporary checkpoints kept at most. */
export const TEMP_MAX = 24;
/** Replays shorter than this many steps are cheaper than a temporary checkpoint's copy. */
export const TEMP_GAP_MIN_STEPS = 2_000;

export class CheckpointStore {
  /** the regular checkpoints, in step order; the last is the furthest the run has been */
  readonly list: Checkpoint[] = [];
  /** the temporary ones, in step order, each at a step where no regular one is */
  readonly temps: Checkpoint[] = [];
  /** the landmark ones, in step order */
  readonly marks: Checkpoint[] = [];
  private markBytes = 0;
  interval_steps: number;
  /** the regular and landmark checkpoints' bytes (measured at each thinning, counted in between) */
  private bytes = 0;
  /** the temporary ones' bytes, counted apart: they come and go at every stop */
  private tempBytes = 0;
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

  /** How far (at most `max` steps) a run standing at `steps` may go before a checkpoint falls due (behind the last one: `max`). */
  stepsUntilDue(steps: number, max: number): number {
    const last = this.last!;
    if (steps < last.steps) return max;
    return Math.max(1, Math.min(max, last.steps + this.interval_steps - steps));
  }

  /** After a chunk of forward work: a regular checkpoint where the kernel stands, if it is past every one and due. */
  takeIfDue(k: Kernel, events: number, info: () => BoundaryInfo | null): void {
    if (k.s.steps > this.last!.steps && this.due(k.s.steps)) this.take(k, events, info());
  }

  /**
   * A snapshot sharing what is unchanged with the regular checkpoint before it (which stays as long
   * as this one is counted against it: thinning drops the temporary ones and measures the rest).
   */
  private snapshot(k: Kernel, events: number, temp: boolean, info: BoundaryInfo | null): Checkpoint {
    const prev = CheckpointStore.before(this.list, k.s.steps) ?? null;
    // chunk_bytes: what the live state owned, which this snapshot holds apart from the previous ones
    const { snap, plain_bytes, copy_bytes, arrays, chunk_bytes, aliased } = takeCheckpointSnapshot(k, prev);
    return { steps: k.s.steps, temp, info, time_ns: k.s.now_ns, events, snap, plain_bytes, copy_bytes, aliased, arrays, cost: chunk_bytes + plain_bytes };
  }

  /** Takes a checkpoint at the kernel's position (a step boundary past the last checkpoint). */
  take(k: Kernel, events: number, info: BoundaryInfo | null = null): Checkpoint {
    const last = this.last;
    if (last !== undefined && k.s.steps <= last.steps) throw new Error(`checkpoint at step ${k.s.steps} is not past the last one (step ${last.steps})`);
    const cp = this.snapshot(k, events, false, info);
    this.bytes += cp.cost;
    this.list.push(cp);
    this.packBehind(cp);
    const floor = Math.ceil(cp.copy_bytes * (this.opts.steps_per_plain_byte ?? 0));
    if (floor > this.interval_steps) this.interval_steps = floor;
    // A temporary one at the same step is now redundant.
    const t = this.temps.findIndex((c) => c.steps === cp.steps);
    if (t >= 0) this.tempBytes -= this.temps.splice(t, 1)[0].cost;
    if (this.bytes > this.opts.budget_bytes && this.list.length > 3) this.thin();
    return cp;
  }

  /**
   * Packs the RAM bitmap chunks (packedChunk.ts) that the regular checkpoint before `cp` holds and
   * the live state no longer does (it wrote them since `cp`'s predecessor was taken; `cp` is a copy
   * of the live state), in every checkpoint that holds them: the regular ones before, back to the
   * first that holds none (a chunk is held by the checkpoints taken while the live state held it),
   * and the temporary and landmark ones. What that saves comes off the regular checkpoints' count,
   * but for chunks a temporary or landmark one holds too (it may be the one that counted them).
   */
  private packBehind(cp: Checkpoint): void {
    const i = this.list.length - 1;
    if (i < 1 || cp.aliased) return;
    const live = new Set<ChunkData>();
    for (const a of cp.arrays) if (a.kind === 'u32') for (const ch of a.chunks) live.add(ch);
    const packed = new Map<ChunkData, PackedChunk>();
    for (const a of this.list[i - 1].arrays) {
      if (a.kind !== 'u32') continue;
      for (const ch of a.chunks) {
        if (ch instanceof PackedChunk || live.has(ch) || isUniformChunk(ch) || packed.has(ch)) continue;
        const p = packChunk(ch as Uint32Array);
        if (p !== null) packed.set(ch, p);
      }
    }
    if (packed.size === 0) return;
    // Swaps them in `c`; true if it held any (each it held goes into `held`).
    const swap = (c: Checkpoint, held: Set<ChunkData> | null): boolean => {
      let any = false;
      for (const a of c.arrays) {
        if (a.kind !== 'u32') continue;
        const chunks = a.chunks;
        for (let x = 0; x < chunks.length; x++) {
          const p = packed.get(chunks[x]);
          if (p !== undefined) {
            held?.add(chunks[x]);
            chunks[x] = p;
            any = true;
          }
        }
      }
      return any;
    };
    for (let j = i - 1; j >= 0 && swap(this.list[j], null); j--);
    const elsewhere = new Set<ChunkData>();
    for (const c of this.temps) swap(c, elsewhere);
    for (const c of this.marks) swap(c, elsewhere);
    for (const [ch, p] of packed) if (!elsewhere.has(ch)) this.bytes -= ch.byteLength - p.byteLength;
  }

  /**
   * Takes a landmark checkpoint at the kernel's position (anywhere: the look-ahead may be behind the
   * regular ones), unless one is there already or the landmarks hold their allowance. They are
   * counted apart from the regular ones, as the temporary ones are: a few landmarks on top of a
   * store near its budget thinned the regular ones of a whole 1 TiB run to twice the interval.
   */
  takeMark(k: Kernel, events: number, info: BoundaryInfo | null): void {
    const steps = k.s.steps;
    if (this.markBytes > (this.opts.mark_budget_bytes ?? this.opts.budget_bytes / 12) || this.atOrBefore(steps).steps === steps) return;
    const cp = this.snapshot(k, events, true, info);
    this.markBytes += cp.cost;
    let i = this.marks.length;
    while (i > 0 && this.marks[i - 1].steps > steps) i--;
    this.marks.splice(i, 0, cp);
  }

  /** The replay distance a temporary checkpoint is worth saving: a fraction of the interval. */
  get tempGap(): number {
    return Math.max(this.opts.temp_gap_min_steps ?? TEMP_GAP_MIN_STEPS, Math.floor(this.interval_steps / 16));
  }

  /**
   * Leaves a temporary checkpoint at the kernel's position (behind or beyond the last regular one)
   * unless one lies within `tempGap` steps before it. `near`: where the user is, to judge which
   * temporary checkpoints are least useful when there are too many.
   */
  takeTemp(k: Kernel, events: number, info: BoundaryInfo | null, near: number): void {
    const steps = k.s.steps;
    const before = this.atOrBefore(steps);
    if (steps - before.steps < this.tempGap) return;
    const cp = this.snapshot(k, events, true, info);
    this.tempBytes += cp.cost;
    let i = this.temps.length;
    while (i > 0 && this.temps[i - 1].steps > steps) i--;
    this.temps.splice(i, 0, cp);
    // Too many, or over their own budget: the farthest from the user go (counted, not measured:
    // a measure walks every chunk of every checkpoint, a quarter of a second at 1 TiB).
    const budget = this.opts.temp_budget_bytes ?? this.opts.budget_bytes / 12;
    while (this.temps.length > TEMP_MAX || (this.tempBytes > budget && this.temps.length > 0)) this.dropFarthestTemp(near);
  }

  private dropFarthestTemp(near: number): void {
    let far = 0;
    for (let i = 1; i < this.temps.length; i++) if (Math.abs(this.temps[i].steps - near) > Math.abs(this.temps[far].steps - near)) far = i;
    const [gone] = this.temps.splice(far, 1);
    this.tempBytes -= gone.cost;
  }

  private static before(list: Checkpoint[], steps: number): Checkpoint | undefined {
    const i = firstNotBelow(list.length, (j) => list[j].steps <= steps) - 1;
    return i < 0 ? undefined : list[i];
  }

  /** The last checkpoint, of any kind, at or before `steps` (there is always checkpoint 0). */
  atOrBefore(steps: number): Checkpoint {
    let a = CheckpointStore.before(this.list, steps);
    if (a === undefined) throw new Error(`no checkpoint at or before step ${steps}`);
    const t = CheckpointStore.before(this.temps, steps);
    if (t !== undefined && t.steps > a.steps) a = t;
    const m = CheckpointStore.before(this.marks, steps);
    return m !== undefined && m.steps > a.steps ? m : a;
  }

  /** Every checkpoint, of any kind, in step order (a copy: taking or thinning checkpoints leaves it as it was). */
  all(): Checkpoint[] {
    if (this.temps.length === 0 && this.marks.length === 0) return [...this.list];
    return [...this.list, ...this.temps, ...this.marks].sort((a, b) => a.steps - b.steps);
  }

  /** The last checkpoint whose time is before `time_ns` (or checkpoint 0). */
  beforeTime(time_ns: number): Checkpoint {
    const all = this.all();
    let best = all[0];
    for (const c of all) {
      if (c.time_ns < time_ns) best = c;
      else break;
    }
    return best;
  }

  indexOf(cp: Checkpoint): number {
    return this.list.indexOf(cp);
  }

  /** Bytes held by all checkpoints: every distinct RAM chunk and every distinct object of their plain data once. */
  measure(): number {
    const m = this.measureApart();
    return m.regular + m.others;
  }

  /** Bytes the regular checkpoints hold, and what the temporary and landmark ones hold apart from them. */
  private measureApart(): { regular: number; others: number } {
    const list = this.list;
    const others = [...this.temps, ...this.marks];
    let regular = 0;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      regular += plainBytesApart(c.snap.state, i > 0 && !c.aliased ? list[i - 1].snap.state : undefined, undefined, c.aliased ? new Set() : null);
    }
    let rest = 0;
    const seenPlain = new Set<object>();
    for (const c of others) {
      const i = firstNotBelow(list.length, (j) => list[j].steps <= c.steps);
      rest += plainBytesApart(c.snap.state, list[i - 1]?.snap.state, list[i]?.snap.state, seenPlain);
    }
    // Every distinct chunk once: the regular ones' first, then what the others hold besides.
    const seen = new Set<ArrayBufferLike>();
    const chunks = (cps: Checkpoint[]): number => {
      let total = 0;
      for (const c of cps) {
        for (const a of c.arrays) {
          for (const ch of a.chunks) {
            if (seen.has(ch.buffer)) continue;
            seen.add(ch.buffer);
            total += ch.byteLength + TYPED_ARRAY_BYTES;
          }
        }
      }
      return total;
    };
    regular += chunks(list);
    rest += chunks(others);
    return { regular, others: rest };
  }

  get estimatedBytes(): number {
    return this.bytes + this.tempBytes + this.markBytes;
  }

  /** Drops every other checkpoint between the first and the last two, and spaces new ones twice as far. */
  private thin(): void {
    // The temporary ones go first.
    this.temps.length = 0;
    this.tempBytes = 0;
    const keep: Checkpoint[] = [];
    const n = this.list.length;
    for (let i = 0; i < n; i++) if (i === 0 || i >= n - 2 || i % 2 === 0) keep.push(this.list[i]);
    this.list.length = 0;
    this.list.push(...keep);
    this.interval_steps *= 2;
    this.thinned++;
    const m = this.measureApart();
    this.bytes = m.regular;
    this.markBytes = m.others;
  }
}
