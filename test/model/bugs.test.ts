// Historical bug variants: each misbehaves as the original did, and only with the bug switched on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration, OUTCOME_EXIT } from '../../engine/model/run';
import { formatHangReport } from '../../engine/sim';

test('seed-stage3-hang hangs on some seeds and completes on others; the hang is the migration thread in ram_save_complete', () => {
  const codes: number[] = [];
  let reported = 0;
  for (let seed = 1; seed <= 16; seed++) {
    const r = runMigration(loadBuiltin('seed-stage3-hang', [], seed).config).result;
    codes.push(OUTCOME_EXIT[r.outcome]);
    if (r.outcome === 'hang') {
      const h = r.hang!;
      assert.equal(h.kind, 'no-progress');
      const mig = h.threads.find((t) => t.name === 'migration')!;
      assert.ok(mig.involved, 'the migration thread is part of the hang');
      assert.ok(mig.backtrace.includes('ram_save_complete'), `backtrace: ${mig.backtrace.join(' < ')}`);
      assert.deepEqual(mig.holding, ['bql']);
      const main = h.threads.find((t) => t.name === 'main')!;
      assert.match(main.waits, /waiting to lock mutex "bql"/);
      assert.match(h.summary, /wait for "migration", which is running in .* holding "bql"/);
      assert.match(formatHangReport(h), /"main": waiting to lock mutex "bql", which is held by "migration"/);
      reported++;
    } else {
      assert.equal(r.outcome, 'completed', r.reason);
      assert.equal(r.pages_lost, 0);
    }
  }
  console.log(`seed-stage3-hang exit codes, seeds 1-16: ${codes.join(' ')}`);
  assert.ok(codes.includes(3) && codes.includes(0), `exit codes ${codes.join(' ')}`);
  assert.ok(codes.every((c) => c === 0 || c === 3));
  assert.ok(reported > 0);
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

test('the multifd sync hang exits 3 on some seeds, as a wait cycle between the migration thread and a channel', () => {
  let hung = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const r = runMigration(loadBuiltin('multifd-sync-hang', [], seed).config).result;
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
  assert.ok(hung > 0);
  const fixed = runMigration(loadBuiltin('multifd-sync-hang', ['migration.bugs=[]']).config).result;
  assert.equal(fixed.outcome, 'completed', fixed.reason);
});
