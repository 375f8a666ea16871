// Checkpoints share what is unchanged: plain data left as it was since the previous regular
// checkpoint is that checkpoint's copy, and chunks all 0 or all bits set are one read-only chunk.
// These check that a restore of any checkpoint, thinned or not, is the state a straight run reaches,
// that the store's running count is its measure, and that sharing leaves no alias behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadBuiltin, loadScenarioText } from '../../engine/scenario/load';
import { PackedChunk } from '../../engine/sim/packedChunk';
import { SimCore } from '../../engine/runtime/simRun';
import { buildMigration } from '../../engine/model/build';
import { restoreCheckpointSnapshot, takeCheckpointSnapshot } from '../../engine/runtime/stateClone';
import { ChunkedArray, stateHash } from '../../engine/sim';
import { busyMix } from '../../engine/sim/examples';
import { SMALL } from './scenarios';

const clock = { now_ms: () => 0, yield: () => Promise.resolve() };

test('a whole run thinned: every checkpoint restores to the state of a straight run, and the count is the measure', async () => {
  const sc = loadScenarioText(readFileSync(SMALL, 'utf8'), SMALL);
  // A budget that the run's checkpoints every 40 steps outgrow.
  const probe = new SimCore({ scenario: sc, clock, checkpoints: { interval_steps: 40, budget_bytes: 1024 ** 3 } });
  await probe.forward({ kind: 'continue' });
  const core = new SimCore({ scenario: sc, clock, checkpoints: { interval_steps: 40, budget_bytes: Math.floor(probe.cps.measure() * 0.6) } });
  await core.forward({ kind: 'continue' });
  const cps = core.cps;
  assert.ok(cps.thinned >= 1, `thinned ${cps.thinned} times`);
  const all = cps.all();
  assert.ok(all.length > 10, `${all.length} checkpoints`);
  // Sharing happened: the checkpoints' plain data, each counted whole, is more than they hold.
  const whole = all.reduce((s, c) => s + c.copy_bytes, 0);
  const apart = all.reduce((s, c) => s + c.plain_bytes, 0);
  assert.ok(apart < whole * 0.8, `plain data held apart ${apart} of ${whole}`);
  // The running count is the measure (the shared read-only chunks are counted once by the measure only).
  const measured = cps.measure();
  assert.ok(Math.abs(measured - cps.estimatedBytes) <= 256 * 1024, `count ${cps.estimatedBytes}, measure ${measured}`);
  // Each restores to what a straight run reaches at its step.
  for (const c of all) {
    core.restore(c);
    const got = stateHash(core.k.s);
    const straight = buildMigration(sc.config).kernel;
    straight.run({ steps: c.steps });
    assert.equal(got, stateHash(straight.s), `checkpoint at step ${c.steps}`);
  }
});

test('RAM bitmap chunks a checkpoint holds apart from the live state are packed; the checkpoints restore to a straight run, and the count is the measure', async () => {
  const sc = loadBuiltin('seed-specjbb-128g', ['limits.max-time=40']);
  const core = new SimCore({ scenario: sc, clock });
  await core.forward({ kind: 'continue' });
  const cps = core.cps;
  const packed = new Set<object>();
  for (const c of cps.list) for (const a of c.arrays) for (const ch of a.chunks) if (ch instanceof PackedChunk) packed.add(ch);
  assert.ok(packed.size > 20, `${packed.size} packed chunks in ${cps.list.length} checkpoints`);
  const measured = cps.measure();
  assert.ok(Math.abs(measured - cps.estimatedBytes) <= 1024 ** 2, `count ${cps.estimatedBytes}, measure ${measured}`);
  const list = cps.list;
  for (const c of [list[1], list[Math.floor(list.length / 3)], list[Math.floor((2 * list.length) / 3)], list[list.length - 2]]) {
    core.restore(c);
    const got = stateHash(core.k.s);
    const straight = buildMigration(sc.config).kernel;
    straight.run({ steps: c.steps });
    assert.equal(got, stateHash(straight.s), `checkpoint at step ${c.steps}`);
  }
});

test('a chunk made the shared all-zero one is copied on the first write, and the others keep reading zeros', () => {
  const a = new ChunkedArray('u32', 3 << 6, 6);
  const b = new ChunkedArray('u32', 3 << 6, 6);
  a.set(70, 5);
  assert.equal(a.shareUniform(), 2);
  assert.equal(b.shareUniform(), 3);
  assert.equal(a.chunks[0], b.chunks[0], 'one chunk for both');
  const snap = a.share();
  a.set(1, 9);
  b.set(2, 4);
  assert.equal(a.get(1), 9);
  assert.equal(snap.get(1), 0);
  assert.equal(b.get(1), 0);
  assert.equal(b.get(2), 4);
  assert.equal(new ChunkedArray('u32', 3 << 6, 6).get(2), 0);
  assert.equal(snap.get(70), 5);
});

test('a checkpoint of a state with an object reachable twice shares nothing, and its restore aliases as the state did', () => {
  const k = busyMix({ seed: 3 });
  k.run({ steps: 40 });
  const first = takeCheckpointSnapshot(k);
  assert.equal(first.aliased, false);
  k.run({ steps: 5 });
  const same = takeCheckpointSnapshot(k, first);
  assert.ok(same.plain_bytes < same.copy_bytes, 'an unaliased state shares with the checkpoint before');
  const shared = { n: 1 };
  (k.s as unknown as { extra: unknown }).extra = { x: shared, y: shared };
  const second = takeCheckpointSnapshot(k, same);
  assert.equal(second.aliased, true);
  assert.equal(second.plain_bytes, second.copy_bytes, 'nothing shared');
  restoreCheckpointSnapshot(k, second.snap);
  const extra = (k.s as unknown as { extra: { x: object; y: object } }).extra;
  assert.equal(extra.x, extra.y);
  assert.notEqual(extra.x, shared);
});
