import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { buildMigration } from '../../engine/model/build';
import { runMigration } from '../../engine/model/run';
import { resultJson } from '../../engine/model/resultJson';
import { EventHasher, restoreSnapshot, stateHash, takeSnapshot } from '../../engine/sim';
import { md } from '../../engine/model/ctx';

const small = {
  name: 'small-busy',
  guest: { memory: '512M', vcpus: 2, workload: { kind: 'specjbb', 'working-set': '64M', 'dirty-rate': 20000 } },
  migration: { profile: 'qemu-1.4', 'max-bandwidth': '256M', 'downtime-limit': 300 },
  limits: { 'max-time': 120 },
};

test('stopping at progress points never changes the run', () => {
  const cfg = loadScenarioValue(small, 'small').config;
  const straight = buildMigration(cfg);
  const h1 = new EventHasher(straight.kernel);
  straight.kernel.obs = h1;
  straight.kernel.run();
  const split = buildMigration(cfg);
  const h2 = new EventHasher(split.kernel);
  split.kernel.obs = h2;
  let t = 0;
  while (split.kernel.run({ until_ns: (t += 37_000_000) }) === 'until');
  assert.equal(h2.hex(), h1.hex());
  assert.equal(h2.events, h1.events);
  assert.equal(split.kernel.now, straight.kernel.now);
});

test('a migration snapshotted mid-flight and restored replays to the identical state', () => {
  const cfg = loadScenarioValue(small, 'small').config;
  const { kernel: k } = buildMigration(cfg);
  k.run({ until_ns: 800_000_000 });
  const snap = takeSnapshot(k);
  k.run({ until_ns: 1_500_000_000 });
  const first = stateHash(k.s);
  const mid = md(k).mig.transferred_bytes;
  restoreSnapshot(k, snap);
  assert.ok(md(k).mig.transferred_bytes < mid);
  k.run({ until_ns: 1_500_000_000 });
  assert.equal(stateHash(k.s), first);
});

test('a migration reads like QEMU under gdb: threads and frames carry QEMU names', () => {
  const cfg = loadBuiltin('seed-specjbb-128g').config;
  const { kernel: k, ctx } = buildMigration(cfg);
  k.run({ until_ns: 30_000_000_000 });
  const names = k.s.threads.map((t) => t.name);
  assert.deepEqual(names.slice(0, 3), ['main', 'CPU 0/KVM', 'CPU 1/KVM']);
  assert.ok(names.includes('migration'));
  assert.ok(names.includes('dst main'));
  const mig = k.s.threads[ctx.ids.migration_tid];
  const bt = mig.stack.map((f) => k.program.name(f.fn));
  assert.equal(bt[0], 'buffered_file_thread');
  const vcpu = k.s.threads[ctx.ids.vcpu_tids[0]];
  assert.equal(k.program.name(vcpu.stack[0].fn), 'qemu_kvm_cpu_thread_fn');
  const modern = buildMigration(loadBuiltin('qtest-bootblock').config);
  modern.kernel.run({ until_ns: 50_000_000 });
  assert.equal(modern.kernel.program.name(modern.kernel.s.threads[modern.ctx.ids.migration_tid].stack[0].fn), 'migration_thread');
  assert.equal(modern.kernel.s.threads[modern.ctx.ids.migration_tid].name, 'mig/src/main');
});

test('every built-in scenario completes without losing a page, twice identically', () => {
  for (const name of ['qtest-bootblock', 'seed-idle-128g']) {
    const a = runMigration(loadBuiltin(name).config).result;
    assert.equal(a.outcome, 'completed', `${name}: ${a.reason}`);
    assert.equal(a.pages_lost, 0);
    const b = runMigration(loadBuiltin(name).config).result;
    assert.deepEqual(resultJson(b), resultJson(a));
  }
});

test('a guest that dirties faster than the link does not converge and is cancelled at max-time', () => {
  const sc = loadScenarioValue({ ...small, guest: { ...small.guest, workload: { kind: 'specjbb', 'working-set': '256M', 'dirty-rate': 200000 } }, migration: { 'max-bandwidth': '32M' }, limits: { 'max-time': 60 } }, 'busy');
  const r = runMigration(sc.config).result;
  assert.equal(r.outcome, 'not-converged');
  assert.match(r.reason, /did not converge within max-time \(60 s\)/);
  assert.equal(r.info.status, 'cancelled');
});

test('the rfc-2012 design stalls vCPUs on the BQL far more than qemu-1.4 on the same guest', () => {
  const base = { ...small, host: { profile: 'chegu-2012' } };
  const rfc = runMigration(loadScenarioValue({ ...base, migration: { ...small.migration, profile: 'rfc-2012' } }, 'rfc').config).result;
  const merged = runMigration(loadScenarioValue({ ...base, migration: { ...small.migration, profile: 'qemu-1.4' } }, 'q14').config).result;
  assert.ok(rfc.vcpu_bql_wait_ns > 10 * merged.vcpu_bql_wait_ns, `rfc ${rfc.vcpu_bql_wait_ns} vs qemu-1.4 ${merged.vcpu_bql_wait_ns}`);
  const holdRfc = rfc.locks.find((l) => l.name === 'bql')!.hold_ns_max;
  assert.ok(holdRfc >= 40_000_000, `the RFC holds the BQL for whole iterate steps (max ${holdRfc} ns)`);
});

test('the destination paces the sender: a slow first touch of its RAM stretches the stop-and-copy, and every page is first touched once', () => {
  // 64 MB/s and 2.5 s: converges after one 100 ms period, so ~36,800 never-sent pages go while stopped.
  const sets = ['migration.max-bandwidth="64M"', 'migration.downtime-limit=2500'];
  const run = (firstTouchNs: number) => {
    const cfg = loadBuiltin('qtest-bootblock', sets).config;
    cfg.host = { ...cfg.host, load_first_touch_ns: firstTouchNs };
    const m = buildMigration(cfg);
    m.kernel.run();
    return { info: runMigration(cfg).result.info, link: md(m.kernel).link, dst: md(m.kernel).dst, pages: cfg.pages };
  };
  const none = run(0);
  const slow = run(20_000);
  assert.equal(none.info.status, 'completed');
  assert.equal(slow.info.status, 'completed');
  // The same pages go either way; the stopped phase waits for the destination to place them.
  assert.equal(slow.info.ram?.transferred, none.info.ram?.transferred);
  const stopped = (slow.info.ram!['downtime-bytes'] / 4104) * 0.6; // at least 60% of those are first touches
  assert.ok(slow.info.downtime! >= none.info.downtime! + (stopped * 20_000) / 1e6 * 0.9, `downtime ${slow.info.downtime} ms vs ${none.info.downtime} ms`);
  // Each page of RAM is first touched once, in the first pass; everything sent was loaded or is
  // still queued at the destination when the source completes: at most a socket buffer per channel
  // (TCP flow control from the destination's reads, on tcg-loopback's shared CPUs).
  assert.ok(slow.link.pages_handed >= slow.pages);
  const queued = slow.dst.queues.flat().reduce((n, b) => n + b.zero_pages + b.normal_pages, 0);
  assert.equal(slow.dst.loaded_pages + queued, slow.link.pages_handed);
  const bufferPages = Math.ceil(loadBuiltin('qtest-bootblock', sets).config.host.socket_buffer_bytes / 4096) + 1024;
  assert.ok(queued <= bufferPages * slow.dst.queues.length, `${queued} pages still queued`);
});
