// Helpers for benchmarks: wall time of the best of several runs, heap measurements.

/** Runs `f` `reps` times; returns the best wall time and the value of the last run. */
export function bench<T>(f: () => T, reps: number): { best_ms: number; value: T } {
  let best = Infinity;
  let value: T = undefined as T;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    value = f();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return { best_ms: best, value };
}

export function settleHeap(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

export function heapUsed(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
