import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';
import { throttlePeriodNs, throttleSleepNs } from '../../engine/model/autoConverge';
import { buildMigration } from '../../engine/model/build';
import { ScenarioError } from '../../engine/scenario/validate';

test('auto-converge formulas: period 10 ms / (1 - pct), sleep pct / (1 - pct) × 10 ms', () => {
  assert.equal(throttlePeriodNs(20), 12_500_000);
  assert.equal(throttleSleepNs(20), 2_500_000);
  assert.equal(throttleSleepNs(50), 10_000_000);
  assert.equal(throttleSleepNs(99), 990_000_000);
});

test('auto-converge throttles from 20% in steps of 10 and the migration converges; without it, it does not', () => {
  const on = runMigration(loadBuiltin('chegu-256g-autoconverge').config).result;
  assert.equal(on.outcome, 'completed');
  assert.ok(on.throttle_max_pct >= 20 && (on.throttle_max_pct - 20) % 10 === 0, `max ${on.throttle_max_pct}`);
  assert.ok(on.vcpu_throttled_ns > 0);
  const off = runMigration(loadBuiltin('chegu-256g').config).result;
  assert.equal(off.outcome, 'not-converged');
  assert.equal(off.throttle_max_pct, 0);
  assert.equal(off.vcpu_throttled_ns, 0);
});

test('every design completes the 2012 busy guest; sender designs answer the 2012 question with more throughput', () => {
  const mean: Record<string, number> = {};
  for (const profile of ['rfc-2012', 'qemu-1.4', 'dedicated-bitmap-thread', 'modern']) {
    const r = runMigration(loadBuiltin('seed-specjbb-128g', [`migration.profile=${profile}`]).config).result;
    assert.equal(r.outcome, 'completed', `${profile}: ${r.reason}`);
    assert.equal(r.pages_lost, 0);
    mean[profile] = r.mean_bytes_per_s;
  }
  assert.ok(mean['dedicated-bitmap-thread'] > 3 * mean['rfc-2012']);
  assert.ok(mean.modern > 2 * mean['qemu-1.4']);
});

test('sender designs have channel threads with QEMU names; the 2012 proposal syncs off the BQL', () => {
  const { kernel: k, ctx } = buildMigration(loadBuiltin('seed-specjbb-128g', ['migration.profile=dedicated-bitmap-thread']).config);
  k.run({ until_ns: 5e9 });
  const names = k.s.threads.map((t) => t.name);
  for (const n of ['mig/src/send_0', 'mig/src/send_3', 'mig/src/bitmap', 'mig/dst/recv_0']) assert.ok(names.includes(n), n);
  assert.ok(k.s.mutexes.some((m) => m.name === 'ram_list.mutex'));
  assert.equal(ctx.cfg.channels, 4);
});

test('XBZRLE encodes pages it has cached, after the first pass, and says so in its stats', () => {
  const r = runMigration(loadBuiltin('second-round-all-dirty', ['migration.bugs=[]', 'migration.capabilities={"xbzrle":true}', 'migration.xbzrle-cache-size="1G"', 'guest.workload.dirty-rate=20000']).config).result;
  const x = r.info['xbzrle-cache']!;
  assert.ok(x.pages > 0, JSON.stringify(x));
  assert.ok(x['cache-miss'] > 0);
  assert.equal(x['cache-size'], 1024 ** 3);
  assert.equal(r.pages_lost, 0);
});

test('design options are checked: XBZRLE with multifd and a sender bug without senders are refused', () => {
  assert.throws(() => loadScenarioValue({ guest: { memory: '1G', vcpus: 1, workload: { kind: 'idle' } }, migration: { profile: 'modern', capabilities: { xbzrle: true } } }, 'x.json'), (e: unknown) => e instanceof ScenarioError && /migration\.capabilities\.xbzrle: XBZRLE works on the main migration stream only/.test(e.message));
  assert.throws(() => loadScenarioValue({ guest: { memory: '1G', vcpus: 1, workload: { kind: 'idle' } }, migration: { bugs: ['multifd-sync-lost-post'] } }, 'x.json'), /migration\.bugs: multifd-sync-lost-post needs a design with sender threads/);
  assert.throws(() => loadScenarioValue({ guest: { memory: '1G', vcpus: 1, workload: { kind: 'idle' } }, migration: { bugs: ['deadbeef'] } }, 'x.json'), /migration\.bugs\[0\]: must be one of aa723c23147e/);
});
