// The kernel with host CPUs shared (engine/sim/hostCpus.ts), beside the same program without a
// CPU count, and a migration on the tcg-loopback host (2 CPUs) beside the same with every thread
// on a CPU of its own. Prints BENCH lines; never fails on time.
//   kernel-cpus-effects-N-threads-C-cpus: effects per second of wall time
//   kernel-cpus-tcg-loopback-{2cpus,own-cpus}-wall: a 150 MiB migration-test guest, 1 GiB/s, 300 ms
import { Kernel, Program } from '../../engine/sim';
import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';
import { bench } from './benchUtil';

function program(): { p: Program; loop: number } {
  const p = new Program();
  const loop = p.fn<{ m: number; c: number }>('worker_loop', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.compute(2000);
      case 1: f.pc = 2; return k.lock(f.l.m);
      case 2: f.pc = 3; return k.compute(300);
      case 3: f.pc = 4; return k.unlock(f.l.m);
      case 4: f.pc = 5; return k.condSignal(f.l.c);
      default: f.pc = 0; return k.compute(700);
    }
  });
  return { p, loop };
}

function build(threads: number, cpus: number): Kernel {
  const { p, loop } = program();
  const k = new Kernel(p, { seed: 42, jitter: 0.1, cpus });
  const ms = [k.mutex('m0'), k.mutex('m1'), k.mutex('m2'), k.mutex('m3')];
  const c = k.cond('tick');
  for (let t = 0; t < threads; t++) k.thread(`worker-${t}`, loop, { m: ms[t % ms.length], c });
  return k;
}

export function run(): void {
  for (const [threads, cpus] of [[8, 0], [8, 2], [8, 8]] as const) {
    const steps = 2_000_000;
    const r = bench(() => {
      const k = build(threads, cpus);
      k.run({ steps });
      return k.s.steps;
    }, 3);
    console.log(`BENCH kernel-cpus-effects-${threads}-threads-${cpus === 0 ? 'own' : cpus}-cpus ${Math.round(r.value / (r.best_ms / 1000))} effects/s`);
  }
  const sets = ['migration.max-bandwidth="1G"', 'migration.downtime-limit=300', 'limits.max-time=6'];
  for (const [label, cpus] of [['2cpus', 2], ['own-cpus', 0]] as const) {
    const cfg = loadBuiltin('qtest-bootblock', [...sets, `host.cpus=${cpus}`]).config;
    const r = bench(() => runMigration(cfg).result, 3);
    console.log(`BENCH kernel-cpus-tcg-loopback-${label}-wall ${r.best_ms.toFixed(1)} ms`);
    console.log(`BENCH kernel-cpus-tcg-loopback-${label}-steps ${r.value.steps} steps`);
  }
}
