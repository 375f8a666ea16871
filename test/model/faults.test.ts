// Faults at random times: every run ends cleanly (completed, failed or cancelled, never hung),
// with the source guest running unless the migration completed, and no page lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { builtinNames, loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';

const base = {
  name: 'fault-property',
  guest: { memory: '2G', vcpus: 2, workload: { kind: 'specjbb', 'nonzero-memory': '1G', 'working-set': '128M', 'dirty-rate': 8000 } },
  migration: { profile: 'qemu-1.4', 'max-bandwidth': '512M', 'downtime-limit': 300 },
  host: { profile: 'modern-x86' },
  network: { 'bandwidth-gbps': 10, 'tcp-timeout': 5 },
  limits: { 'max-time': 120, watchdog: 60 },
};

test('faults at random times end cleanly with the source running and no page lost', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(
      fc.constantFrom('link-cut', 'destination-crash', 'bandwidth-collapse'),
      fc.double({ min: 0, max: 6, noNaN: true }),
      fc.constantFrom('qemu-1.4', 'rfc-2012', 'modern', 'dedicated-bitmap-thread'),
      fc.integer({ min: 1, max: 1000 }),
      (kind, at, profile, seed) => {
        const sc = loadScenarioValue({ ...base, seed, migration: { ...base.migration, profile }, faults: [{ kind, at, factor: 0.01 }] }, 'fault-property');
        const r = runMigration(sc.config).result;
        seen.add(`${kind}:${r.outcome}`);
        assert.notEqual(r.outcome, 'hang', `${kind} at ${at} s (${profile}): ${r.reason}`);
        assert.equal(r.pages_lost, 0);
        if (r.outcome === 'completed') return; // the fault came after the switchover
        assert.ok(r.outcome === 'failed' || r.outcome === 'not-converged', r.outcome);
        assert.ok(r.source_running, `${kind} at ${at} s (${profile}): the source guest must keep running`);
        assert.ok(r.info.status === 'failed' || r.info.status === 'cancelled');
      },
    ),
    { numRuns: 80, seed: 42 },
  );
  assert.ok(seen.has('link-cut:failed') && seen.has('destination-crash:failed'), [...seen].join(' '));
});

test('the built-in fault scenarios fail or are cancelled cleanly', () => {
  for (const name of builtinNames().filter((n) => n.startsWith('fault-'))) {
    const r = runMigration(loadBuiltin(name).config).result;
    assert.ok(r.outcome === 'failed' || r.outcome === 'not-converged', `${name}: ${r.outcome}`);
    assert.equal(r.pages_lost, 0);
    assert.equal(r.source_running, true);
  }
});

test('a destination crash during stop-and-copy resumes the guest on the source', () => {
  // Find when this scenario stops the VM, then crash the destination halfway through its downtime
  // (the fault injector's own thread shifts the run's interleaving by a millisecond or two).
  const plain = runMigration(loadScenarioValue(base, 'p').config).result;
  assert.equal(plain.outcome, 'completed');
  const at = plain.stop_copy_s + (plain.info.downtime ?? 0) / 2000;
  const r = runMigration(loadScenarioValue({ ...base, faults: [{ kind: 'destination-crash', at }] }, 'p').config).result;
  assert.equal(r.outcome, 'failed');
  assert.equal(r.info.status, 'failed');
  assert.ok(r.source_running);
  assert.ok(r.stop_copy_ns > 0, 'the VM had been stopped');
  assert.match(r.reason, /Connection reset by peer/);
});
