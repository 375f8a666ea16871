// Kernel throughput and memory. Prints BENCH lines (see DESIGN.md); never fails on time.
//   kernel-effects: effects (steps) per second of wall time, one core, for a mix of compute,
//   uncontended and contended mutexes, condition signals and calls, with 8 threads and 1,000 threads.
//   kernel-mem-1000-threads: heap bytes per thread of a live 1,000-thread simulation.
import { Kernel, Program } from '../../engine/sim';
import { bench, heapUsed, settleHeap } from './benchUtil';

function mixProgram(): { p: Program; loop: number } {
  const p = new Program();
  const inner = p.fn<{ m: number }>('locked_work', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(f.l.m);
      case 1: f.pc = 2; return k.compute(300);
      case 2: f.pc = 3; return k.unlock(f.l.m);
      default: return k.ret();
    }
  });
  const loop = p.fn<{ m: number; i: number; c: number }>('worker_loop', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.compute(2000);
      case 1: f.pc = 2; return k.call(inner, { m: f.l.m });
      case 2: f.pc = 3; f.l.i++; return k.condSignal(f.l.c);
      default: f.pc = 0; return k.compute(700);
    }
  });
  return { p, loop };
}

function build(threads: number, locks: number): Kernel {
  const { p, loop } = mixProgram();
  const k = new Kernel(p, { seed: 42, jitter: 0.1 });
  const ms: number[] = [];
  for (let i = 0; i < locks; i++) ms.push(k.mutex(`m${i}`));
  const c = k.cond('tick');
  for (let t = 0; t < threads; t++) k.thread(`worker-${t}`, loop, { m: ms[t % locks], i: 0, c });
  return k;
}

export function run(): void {
  for (const [threads, locks] of [[8, 4], [1000, 64]] as const) {
    const steps = 4_000_000;
    const r = bench(() => {
      const k = build(threads, locks);
      k.run({ steps });
      return k.s.steps;
    }, 3);
    const perSec = r.value / (r.best_ms / 1000);
    console.log(`BENCH kernel-effects-${threads}-threads ${Math.round(perSec)} effects/s`);
    if (threads === 8) console.log(`BENCH kernel-effects ${Math.round(perSec)} effects/s`);
  }
  // Memory of 1,000 live threads, each a few frames deep, with their locks.
  settleHeap();
  const before = heapUsed();
  const k = build(1000, 64);
  k.run({ steps: 200_000 });
  settleHeap();
  const after = heapUsed();
  console.log(`BENCH kernel-mem-1000-threads ${Math.round((after - before) / 1000)} bytes/thread`);
  console.log(`BENCH kernel-mem-1000-threads-total ${((after - before) / 1048576).toFixed(2)} MiB`);
  if (k.s.threads.length !== 1000) throw new Error('unexpected thread count');
}
