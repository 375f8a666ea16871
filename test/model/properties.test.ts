// Property tests of the migration model over random small scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadScenarioValue } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';
import { resultJson } from '../../engine/model/resultJson';
import { buildMigration } from '../../engine/model/build';
import { checkRamInvariants } from '../../engine/model/guestRam';
import { md } from '../../engine/model/ctx';

const MiB = 1024 * 1024;

const scenarioArb = fc.record({
  memMiB: fc.integer({ min: 16, max: 2048 }),
  vcpus: fc.integer({ min: 1, max: 4 }),
  kind: fc.constantFrom('idle', 'specjbb', 'memcached', 'stream', 'migration-test', 'custom'),
  // writes per second per GiB of RAM: from almost idle to more than a slow link can follow
  ratePerGiB: fc.integer({ min: 0, max: 200_000 }),
  wsFraction: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
  bandwidthMiB: fc.integer({ min: 16, max: 4096 }),
  downtimeMs: fc.integer({ min: 30, max: 3000 }),
  profile: fc.constantFrom('rfc-2012', 'qemu-1.4'),
  host: fc.constantFrom('chegu-2012', 'modern-x86'),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

type Sc = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function scenario(s: Sc): unknown {
  const memBytes = s.memMiB * MiB;
  return {
    name: 'property',
    seed: s.seed,
    guest: {
      memory: memBytes,
      vcpus: s.vcpus,
      workload: {
        kind: s.kind,
        'dirty-rate': Math.round((s.ratePerGiB * s.memMiB) / 1024),
        'working-set': Math.max(4096, Math.floor(memBytes * s.wsFraction)),
        ...(s.kind === 'custom' ? { 'nonzero-memory': Math.floor(memBytes / 2) } : {}),
      },
    },
    migration: { profile: s.profile, 'max-bandwidth': s.bandwidthMiB * MiB, 'downtime-limit': s.downtimeMs },
    host: { profile: s.host },
    limits: { 'max-time': 300, watchdog: 60 },
  };
}

test('random small scenarios: a converging run loses no page, sends at least its normal pages, and its downtime covers the last round', () => {
  let converged = 0;
  let notConverged = 0;
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const sc = loadScenarioValue(scenario(s), 'property');
      const r = runMigration(sc.config).result;
      assert.notEqual(r.outcome, 'hang', `hang: ${r.reason}`);
      assert.notEqual(r.outcome, 'failed', r.reason);
      if (r.outcome === 'not-converged') {
        notConverged++;
        return;
      }
      converged++;
      const ram = r.info.ram!;
      assert.equal(r.pages_lost, 0, 'pages lost at switchover');
      assert.equal(r.outcome, 'completed');
      assert.ok(ram.transferred >= ram.normal * 4096, `transferred ${ram.transferred} < normal pages × 4096 (${ram.normal * 4096})`);
      assert.ok(ram.duplicate + ram.normal >= sc.config.pages, 'every page is sent at least once');
      // The last round and the device state cross the link while the VM is stopped.
      const minDowntimeNs = (r.downtime_bytes * 1e9) / sc.config.link_bytes_per_s;
      assert.ok(r.info.downtime! * 1e6 >= minDowntimeNs - 1e6, `downtime ${r.info.downtime} ms < ${(minDowntimeNs / 1e6).toFixed(1)} ms to send ${r.downtime_bytes} bytes`);
    }),
    { numRuns: 60, seed: 20261126 },
  );
  console.log(`model properties: ${converged} converged, ${notConverged} did not converge within 300 s`);
  assert.ok(converged >= 30, `only ${converged} of 60 random scenarios converged`);
});

test('equal inputs give equal outputs', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const a = runMigration(loadScenarioValue(scenario(s), 'p').config).result;
      const b = runMigration(loadScenarioValue(scenario(s), 'p').config).result;
      assert.deepEqual(resultJson(b), resultJson(a));
    }),
    { numRuns: 15, seed: 7 },
  );
});

test('guest RAM bookkeeping stays consistent all through a busy migration', () => {
  const sc = loadScenarioValue(scenario({ memMiB: 256, vcpus: 2, kind: 'specjbb', ratePerGiB: 80_000, wsFraction: 0.2, bandwidthMiB: 64, downtimeMs: 300, profile: 'qemu-1.4', host: 'modern-x86', seed: 3 }), 'p');
  const { kernel: k } = buildMigration(sc.config);
  let checks = 0;
  for (let t = 1; t < 400; t++) {
    const r = k.run({ until_ns: t * 250_000_000 });
    const bad = checkRamInvariants(md(k).ram);
    assert.equal(bad, null, `at ${k.now} ns: ${bad}`);
    checks++;
    if (r !== 'until') break;
  }
  assert.ok(checks > 10);
});
