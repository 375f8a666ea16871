import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Column32, EventHasher, NullObserver, ReplayDivergence, type DecisionLog, type Kernel } from '../../../engine/sim';
import { boundedBuffer, busyMix } from '../../../engine/sim/examples';

function cloneLog(l: DecisionLog): DecisionLog {
  return { tid: Column32.from(l.tid.toArray(), true), hash1: Column32.from(l.hash1.toArray(), false), hash2: Column32.from(l.hash2.toArray(), false), end: l.end && { ...l.end } };
}

class ReadyRecorder extends NullObserver {
  readonly ready: number[][] = [];
  override decision(_i: number, _tid: number, ready: readonly number[]): void {
    this.ready.push(ready.slice());
  }
}

function record(make: (seed: number) => Kernel, seed: number) {
  const k = make(seed);
  const rr = new ReadyRecorder();
  k.obs = rr;
  k.run();
  return { log: cloneLog(k.log), ready: rr.ready, status: k.s.status };
}

function replayHash(make: (o: { seed: number; strategy: { strategy: 'replay' }; replay: DecisionLog }) => Kernel, seed: number, log: DecisionLog): string {
  const k = make({ seed, strategy: { strategy: 'replay' }, replay: log });
  const h = new EventHasher(k);
  k.obs = h;
  k.run();
  return h.hex();
}

const programs = {
  busyMix: (o: Parameters<typeof busyMix>[0]) => busyMix(o),
  boundedBuffer: (o: Parameters<typeof boundedBuffer>[0]) => boundedBuffer(o),
};

test('replaying the decision list of any run reproduces it exactly', () => {
  for (const [name, make] of Object.entries(programs)) {
    for (let seed = 1; seed <= 25; seed++) {
      const orig = make({ seed });
      const h = new EventHasher(orig);
      orig.obs = h;
      orig.run();
      const again = replayHash(make, seed, cloneLog(orig.log));
      assert.equal(again, h.hex(), `${name} seed ${seed}`);
    }
  }
});

test('an edited decision list is reported as diverging at the first wrong decision', () => {
  let checked = 0;
  for (let seed = 1; seed <= 30; seed++) {
    const { log, ready } = record((s) => busyMix({ seed: s }), seed);
    assert.ok(log.tid.length > 20);
    // Change one decision to another thread that was ready there: a possible, but different, choice.
    const j = Math.floor(log.tid.length * ((seed % 7) + 1) / 9);
    const other = ready[j].find((t) => t !== log.tid.at(j));
    assert.notEqual(other, undefined);
    const edited = cloneLog(log);
    edited.tid.set(j, other!);
    assert.throws(
      () => replayHash(busyMix, seed, edited),
      (e: unknown) => e instanceof ReplayDivergence && e.first_wrong === j && e.decision >= j,
      `seed ${seed}: edit at decision ${j}`,
    );
    // And to a thread that was not ready: caught at that very decision.
    const notReady = cloneLog(log);
    notReady.tid.set(j, 999);
    assert.throws(
      () => replayHash(busyMix, seed, notReady),
      (e: unknown) => e instanceof ReplayDivergence && e.first_wrong === j && e.decision === j && /not ready/.test(e.message),
    );
    checked++;
  }
  assert.equal(checked, 30);
});

test('changing the last decision is caught at the end of the run', () => {
  const { log, ready } = record((s) => busyMix({ seed: s }), 11);
  const j = log.tid.length - 1;
  const other = ready[j].find((t) => t !== log.tid.at(j))!;
  const edited = cloneLog(log);
  edited.tid.set(j, other);
  assert.throws(() => replayHash(busyMix, 11, edited), (e: unknown) => e instanceof ReplayDivergence && e.first_wrong === j);
});

test('a replay with another seed diverges as soon as the seed makes a difference', () => {
  const { log } = record((s) => busyMix({ seed: s }), 4);
  assert.throws(() => replayHash(busyMix, 5, cloneLog(log)), (e: unknown) => e instanceof ReplayDivergence && /differ from the recording/.test(e.message));
});

test('a truncated decision list is a divergence, not a silent different run', () => {
  const { log } = record((s) => busyMix({ seed: s }), 8);
  const cut = cloneLog(log);
  for (const col of [cut.tid, cut.hash1, cut.hash2]) col.truncate(40);
  assert.throws(() => replayHash(busyMix, 8, cut), (e: unknown) => e instanceof ReplayDivergence && /holds only 40/.test(e.message));
});
