// Snapshot and restore of a simulation holding 100 threads (each three frames deep) and 64 MiB of
// typed arrays, 1% of which changed since the previous snapshot. Baseline: a full structured clone
// of the same state, measured in the same run. Prints BENCH lines; never fails on time.
import { ChunkedArray, Kernel, Program, restoreSnapshot, takeSnapshot, type Snapshot } from '../../engine/sim';
import { bench, heapUsed, settleHeap } from './benchUtil';

const WORDS = 16 * 1024 * 1024; // 64 MiB of u32
const SHIFT = 14; // 16 Ki words = 64 KiB per chunk

function build(): Kernel {
  const p = new Program();
  const leaf = p.fn<{ n: number; buf: number[] }>('leaf', (k, f) => { f.l.n++; return k.compute(1000); });
  const mid = p.fn<{ depth: number }>('mid', (k, f) => { f.pc = 1; return k.call(leaf, { n: 0, buf: [1, 2, 3, 4] }); });
  const top = p.fn<{ id: number }>('top', (k, f) => { f.pc = 1; return k.call(mid, { depth: 2 }); });
  const data = { ram: new ChunkedArray('u32', WORDS, SHIFT), stats: { pages: 0, rounds: 0 } };
  const k = new Kernel(p, { seed: 1, data });
  k.mutex('bql');
  for (let t = 0; t < 100; t++) k.thread(`vcpu-${t}`, top, { id: t });
  k.run({ steps: 1000 });
  return k;
}

/** Dirty 1% of the 64 MiB: clustered (1% of chunks, as guest writes are), or scattered over all. */
function dirty(k: Kernel, clustered: boolean, round: number): void {
  const ram = (k.s.data as { ram: ChunkedArray }).ram;
  const n = Math.floor(WORDS / 100);
  if (clustered) {
    const chunks = Math.ceil(n / (1 << SHIFT));
    for (let c = 0; c < chunks; c++) {
      const chunk = (c * 37 + round * 11) % ram.chunkCount;
      ram.writable(chunk).fill(round + 1);
    }
  } else {
    const stride = Math.floor(WORDS / n);
    for (let i = 0; i < n; i++) ram.set(i * stride, round + i);
  }
}

function timeMs(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function run(): void {
  const ROUNDS = 5;
  for (const clustered of [true, false]) {
    const tag = clustered ? 'clustered' : 'scattered';
    const k = build();
    // Writes with no snapshot outstanding cost no copies: the baseline for copy-on-write overhead.
    let plainWriteMs = Infinity;
    for (let i = 0; i < ROUNDS; i++) plainWriteMs = Math.min(plainWriteMs, timeMs(() => dirty(k, clustered, 100 + i)));
    const snaps: Snapshot[] = [takeSnapshot(k)];
    settleHeap();
    const before = heapUsed();
    let snapMs = Infinity;
    let cowWriteMs = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      // 1% changes since the last snapshot (paying copy-on-write), then the next snapshot.
      cowWriteMs = Math.min(cowWriteMs, timeMs(() => dirty(k, clustered, r)));
      snapMs = Math.min(snapMs, timeMs(() => { snaps.push(takeSnapshot(k)); }));
    }
    settleHeap();
    const retainedPerSnapshot = (heapUsed() - before) / ROUNDS;
    let restoreMs = Infinity;
    for (let i = 0; i < ROUNDS; i++) {
      dirty(k, clustered, 50 + i);
      restoreMs = Math.min(restoreMs, timeMs(() => restoreSnapshot(k, snaps[1 + i])));
    }
    settleHeap();
    const beforeRestore = heapUsed();
    restoreSnapshot(k, snaps[ROUNDS]);
    settleHeap();
    // A restore shares every chunk with the snapshot: it costs the small plain-data copy only (GC noise can make the difference negative).
    const restoreMem = Math.max(0, heapUsed() - beforeRestore);
    // Baseline: a full copy of the same state (every byte of the 64 MiB).
    const ram = (k.s.data as { ram: ChunkedArray }).ram;
    const full = bench(() => structuredClone({ ...k.s, data: { ram: ram.chunks } }), 3);
    console.log(`BENCH snapshot-100t-64mib-${tag}-time ${snapMs.toFixed(3)} ms`);
    console.log(`BENCH snapshot-100t-64mib-${tag}-cow-write-overhead ${(cowWriteMs - plainWriteMs).toFixed(3)} ms`);
    console.log(`BENCH snapshot-100t-64mib-${tag}-mem ${(retainedPerSnapshot / 1048576).toFixed(2)} MiB`);
    console.log(`BENCH restore-100t-64mib-${tag}-time ${restoreMs.toFixed(3)} ms`);
    console.log(`BENCH restore-100t-64mib-${tag}-mem ${(restoreMem / 1048576).toFixed(2)} MiB`);
    console.log(`BENCH snapshot-100t-64mib-full-copy-time ${full.best_ms.toFixed(3)} ms`);
    console.log(`BENCH snapshot-100t-64mib-${tag}-vs-full-copy ${(full.best_ms / (snapMs + Math.max(0, cowWriteMs - plainWriteMs))).toFixed(1)} x`);
  }
}
