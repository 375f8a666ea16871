// Historical bug variants: each misbehaves as the original did, and only with the bug switched on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration, OUTCOME_EXIT } from '../../engine/model/run';
import { formatHangReport, NullObserver, type Kernel } from '../../engine/sim';
import { buildMigration } from '../../engine/model/build';
import { summarise } from '../../engine/model/run';
import { md } from '../../engine/model/ctx';

/** Watches the stage-3 mechanism: run_on_cpu windows, when the main loop served the stop request, the vCPUs at the final sync. */
class Stage3Watcher extends NullObserver {
  windows = 0;
  windowsWhenServed = -1;
  allStoppedAtFinalSync: boolean | null = null;
  constructor(private readonly k: () => Kernel) {
    super();
  }
  override framePush(_tid: number, fn: number): void {
    const k = this.k();
    const name = k.program.name(fn);
    if (name === 'run_on_cpu') this.windows++;
    if (name === 'do_vm_stop' && this.windowsWhenServed < 0) this.windowsWhenServed = this.windows;
    if (name === 'ram_save_complete') this.allStoppedAtFinalSync = md(k).vcpus.every((v) => v.stopped);
  }
}

test('seed-stage3-hang as the sources show the bug: vm_stop only queues the request; the main loop serves it in a run_on_cpu window of cpu_synchronize_all_states, before ram_save_complete', () => {
  for (let seed = 1; seed <= 8; seed++) {
    let kernel: Kernel | null = null;
    const w = new Stage3Watcher(() => kernel!);
    const b = buildMigration(loadBuiltin('seed-stage3-hang', [], seed).config, { observe: (k) => ((kernel = k), w) });
    b.kernel.run();
    const r = summarise(b.kernel, b.ctx);
    // One window per vCPU, each dropping the BQL while the vCPU runs its work.
    assert.equal(w.windows, 10, `seed ${seed}: ${w.windows} run_on_cpu calls`);
    assert.ok(w.windowsWhenServed >= 1 && w.windowsWhenServed <= 10, `seed ${seed}: the main loop served the stop request after ${w.windowsWhenServed} windows`);
    assert.equal(w.allStoppedAtFinalSync, true, `seed ${seed}: vCPUs still running when ram_save_complete began`);
    assert.equal(r.outcome, 'completed', `seed ${seed}: ${r.reason}`);
    assert.equal(r.pages_lost, 0);
  }
});

test('the same guest without the bug never hangs on those seeds', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const r = runMigration(loadBuiltin('seed-stage3-hang', ['migration.bugs=[]'], seed).config).result;
    assert.equal(r.outcome, 'completed', `seed ${seed}: ${r.reason}`);
  }
});

test('page0-offbyone loses exactly page 0 (exit 4), and not without the bug', () => {
  const r = runMigration(loadBuiltin('page0-offbyone').config).result;
  assert.equal(r.outcome, 'data-loss');
  assert.equal(OUTCOME_EXIT[r.outcome], 4);
  assert.equal(r.pages_lost, 1);
  const ok = runMigration(loadBuiltin('page0-offbyone', ['migration.bugs=[]']).config).result;
  assert.equal(ok.pages_lost, 0);
  assert.equal(ok.outcome, 'completed');
});

test('second-round-all-dirty resends all of RAM in round two; the stats show it', () => {
  const sc = loadBuiltin('second-round-all-dirty');
  const r = runMigration(sc.config).result;
  assert.equal(r.outcome, 'completed');
  const round2 = r.syncs[0];
  // (a few pages of round one may still be queued when the sync runs: they are not new)
  assert.ok(round2.dirty_pages > 0.99 * sc.config.pages, 'the first sync of the loop finds every page dirty');
  assert.equal(round2.remaining_bytes, sc.config.ram_bytes, 'round two has all of RAM to send');
  const fixed = runMigration(loadBuiltin('second-round-all-dirty', ['migration.bugs=[]']).config).result;
  assert.ok(fixed.syncs[1].dirty_pages < sc.config.pages / 10, 'fixed: round two sends only what the guest wrote');
  assert.ok(r.info.ram!.normal + r.info.ram!.duplicate >= 2 * sc.config.pages, 'every page sent twice');
  assert.ok(r.info.ram!.transferred > 1.8 * fixed.info.ram!.transferred, `${r.info.ram!.transferred} vs ${fixed.info.ram!.transferred}`);
});

test('the multifd sync hang is intermittent: a wait cycle between the migration thread and a channel on some seeds, a completed migration on the others', () => {
  let hung = 0;
  let completed = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const r = runMigration(loadBuiltin('multifd-sync-hang', [], seed).config).result;
    if (r.outcome === 'completed') completed++;
    if (r.outcome !== 'hang') continue;
    hung++;
    const h = r.hang!;
    assert.equal(h.kind, 'deadlock');
    assert.equal(h.cycle, true);
    const text = formatHangReport(h);
    assert.match(text, /"mig\/src\/main": waiting on semaphore "send_\d\.sem_sync"/);
    assert.match(text, /"mig\/src\/send_\d": waiting on semaphore "send_\d\.sem"/);
    const mig = h.threads.find((t) => t.name === 'mig/src/main')!;
    assert.equal(mig.backtrace[0], 'multifd_send_sync_main');
  }
  assert.ok(hung > 0 && completed > 0, `seeds 1-8: ${hung} hung, ${completed} completed`);
  const fixed = runMigration(loadBuiltin('multifd-sync-hang', ['migration.bugs=[]']).config).result;
  assert.equal(fixed.outcome, 'completed', fixed.reason);
});
