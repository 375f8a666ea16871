// What the 2012 stage-3 bug (aa723c23147e) does, over many schedules: seed-stage3-hang over seeds
// 1..200 with the default (random) scheduler, and under PCT, counted by outcome (completed, hung
// by kind, data lost), with the step of the mechanism that decides it: in which of the run_on_cpu
// windows of cpu_synchronize_all_states (where the migration thread drops the BQL) the main loop
// got the BQL and served the queued stop request, or that it never did before ram_save_complete.
// Also multifd-sync-hang's hang rate. `npm run bench -- stage3`; figures as BENCH lines.
import { loadBuiltin } from '../../engine/scenario/load';
import { buildMigration } from '../../engine/model/build';
import { summarise } from '../../engine/model/run';
import { NullObserver } from '../../engine/sim/observer';
import type { Kernel } from '../../engine/sim/kernel';
import type { StrategyOptions } from '../../engine/sim/scheduler';

/** Counts run_on_cpu calls and notes how many had begun when the main loop entered do_vm_stop. */
class WindowWatcher extends NullObserver {
  windows = 0;
  servedInWindow = -1;
  finalSyncSeen = false;
  constructor(private readonly k: () => Kernel) {
    super();
  }
  override framePush(_tid: number, fn: number): void {
    const name = this.k().program.name(fn);
    if (name === 'run_on_cpu') this.windows++;
    else if (name === 'do_vm_stop' && this.servedInWindow < 0) this.servedInWindow = this.finalSyncSeen ? 99 : this.windows;
    else if (name === 'ram_save_complete') this.finalSyncSeen = true;
  }
}

function runOne(name: string, seed: number, strategy: StrategyOptions): { outcome: string; kind: string; window: number } {
  let k: Kernel | null = null;
  const w = new WindowWatcher(() => k!);
  const b = buildMigration(loadBuiltin(name, [], seed).config, { strategy, observe: (kk) => ((k = kk), w) });
  b.kernel.run();
  const r = summarise(b.kernel, b.ctx);
  return { outcome: r.outcome, kind: r.hang?.kind ?? '', window: w.servedInWindow };
}

function tally(label: string, name: string, seeds: number, strategy: StrategyOptions): void {
  const outcomes = new Map<string, number>();
  const windows = new Map<number, number>();
  const t0 = process.hrtime.bigint();
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runOne(name, seed, strategy);
    const key = r.outcome === 'hang' ? `hang-${r.kind}` : r.outcome;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    windows.set(r.window, (windows.get(r.window) ?? 0) + 1);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const o of ['completed', 'data-loss', 'hang-deadlock', 'hang-all-blocked', 'hang-lost-wakeup', 'hang-no-progress', 'not-converged', 'failed']) {
    console.log(`BENCH ${label}-${o} ${outcomes.get(o) ?? 0} runs`);
  }
  if (name === 'seed-stage3-hang') {
    for (const [win, n] of [...windows.entries()].sort((a, b) => a[0] - b[0])) {
      const where = win < 0 ? 'never' : win === 99 ? 'after-ram_save_complete-began' : `in-window-${win}`;
      console.log(`BENCH ${label}-main-loop-served-stop-${where} ${n} runs`);
    }
  }
  console.log(`BENCH ${label}-runs-per-second ${(seeds / s).toFixed(2)} runs/s`);
}

export function run(): void {
  tally('stage3-random', 'seed-stage3-hang', 200, { strategy: 'random' });
  for (const depth of [1, 2, 3]) tally(`stage3-pct-d${depth}`, 'seed-stage3-hang', 40, { strategy: 'pct', depth, steps_max: 2_600_000 });
  tally('multifd-sync-hang-random', 'multifd-sync-hang', 100, { strategy: 'random' });
}
