// The scheduler's decisions of one run: at each point where more than one thread could take the
// next step, which thread did, and the running effect hash just before the choice. Replaying the
// list reproduces the run exactly; the hash lets a replay name the first decision after which the
// runs differ, even when an edited choice was a possible one.
//
// A whole run of a 1 TiB, 512-vCPU guest makes 45 million decisions. Kept in three JS arrays they
// took 1.15 GB of the heap (8 bytes an entry, and the slack of each array's last growth, which
// copied the whole array); in 32-bit typed-array pages they take 12 bytes a decision, which the
// collector never scans, and a page more at a time.

const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const MASK = PAGE - 1;
/** the first page's first size: a short run (schedule search runs thousands) allocates little */
const FIRST = 1024;

/** An append-only column of 32-bit integers, signed or not, in typed-array pages. */
export class Column32 {
  private pages: (Int32Array | Uint32Array)[] = [];
  length = 0;

  constructor(private readonly signed: boolean) {}

  push(v: number): void {
    const n = this.length;
    const p = n >>> PAGE_BITS;
    let page = this.pages[p];
    if (page === undefined || (n & MASK) >= page.length) page = this.grow(p);
    page[n & MASK] = v;
    this.length = n + 1;
  }

  /** Entry `i`, for 0 <= i < length. */
  at(i: number): number {
    return this.pages[i >>> PAGE_BITS][i & MASK];
  }

  /** Sets entry `i`, for 0 <= i < length. */
  set(i: number, v: number): void {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`entry ${i} of a column of ${this.length}`);
    this.pages[i >>> PAGE_BITS][i & MASK] = v;
  }

  /** Keeps the first `n` entries. */
  truncate(n: number): void {
    if (!(n >= 0 && n <= this.length)) throw new RangeError(`cannot truncate a column of ${this.length} to ${n}`);
    this.length = n;
    this.pages.length = Math.ceil(n / PAGE);
  }

  toArray(): number[] {
    const out = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  static from(values: readonly number[], signed: boolean): Column32 {
    const c = new Column32(signed);
    for (const v of values) c.push(v);
    return c;
  }

  private grow(p: number): Int32Array | Uint32Array {
    const old = this.pages[p];
    const size = old !== undefined ? Math.min(PAGE, old.length * 2) : p === 0 ? FIRST : PAGE;
    const page = this.signed ? new Int32Array(size) : new Uint32Array(size);
    if (old !== undefined) page.set(old);
    this.pages[p] = page;
    return page;
  }
}

export interface DecisionLog {
  tid: Column32;
  hash1: Column32;
  /** empty for a log read from a trace, which stores the low half of the hash only */
  hash2: Column32;
  /** the effect hash when the run ended (set by the kernel), so a changed last decision is caught too */
  end: { h1: number; h2: number; steps: number } | null;
}

export function decisionLogCreate(): DecisionLog {
  return { tid: new Column32(true), hash1: new Column32(false), hash2: new Column32(false), end: null };
}

export class ReplayDivergence extends Error {
  constructor(
    /** the decision at which the replay noticed the difference */
    readonly decision: number,
    /** the earliest decision whose outcome differs from the recording (-1: before any decision) */
    readonly first_wrong: number,
    readonly time_ns: number,
    readonly reason: string,
    readonly expected_tid: number,
    readonly ready: readonly number[],
  ) {
    super(`replay diverged at decision ${decision} (t=${time_ns} ns): ${reason}`);
    this.name = 'ReplayDivergence';
  }
}
