import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedArray, EventHasher, Kernel, Program, restoreSnapshot, stateHash, takeSnapshot } from '../../../engine/sim';
import { busyMix } from '../../../engine/sim/examples';

test('snapshot at N, run to M, restore, run to M again: identical state hash, for many N and M', () => {
  let pairs = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const probe = busyMix({ seed });
    probe.run();
    const total = probe.s.steps;
    for (let n = 0; n < total; n += Math.max(1, Math.floor(total / 9))) {
      for (const m of [n + 1, n + 17, Math.floor((n + total) / 2), total]) {
        if (m <= n || m > total) continue;
        const k = busyMix({ seed });
        k.run({ steps: n });
        const snap = takeSnapshot(k);
        const hashAtN = stateHash(k.s);
        const ev1 = new EventHasher(k);
        k.obs = ev1;
        k.run({ steps: m - n });
        const first = stateHash(k.s);
        restoreSnapshot(k, snap);
        assert.equal(stateHash(k.s), hashAtN, 'restore must give back the state at N');
        const ev2 = new EventHasher(k);
        k.obs = ev2;
        k.run({ steps: m - n });
        assert.equal(stateHash(k.s), first, `seed ${seed} N=${n} M=${m}`);
        assert.equal(ev2.hex(), ev1.hex(), 'the events between N and M repeat exactly');
        // A fresh run straight to M agrees too.
        const fresh = busyMix({ seed });
        fresh.run({ steps: m });
        assert.equal(stateHash(fresh.s), first);
        pairs++;
      }
    }
  }
  assert.ok(pairs > 100, `only ${pairs} pairs`);
});

test('big arrays are shared copy-on-write between snapshots', () => {
  const p = new Program();
  const writer = p.fn<{ i: number }>('writer', (k, f) => {
    const arr = (k.s.data as { a: ChunkedArray }).a;
    if (f.l.i >= 50) return k.ret();
    arr.set(f.l.i * 5000, f.l.i + 1);
    f.l.i++;
    return k.compute(1000);
  });
  const a = new ChunkedArray('u32', 1 << 20, 12);
  const k = new Kernel(p, { seed: 1, data: { a } });
  k.thread('writer', writer, { i: 0 });
  k.run({ steps: 10 });
  const snap = takeSnapshot(k);
  const live = (k.s.data as { a: ChunkedArray }).a;
  assert.equal(live.ownedBytes(), 0, 'right after a snapshot nothing is owned alone');
  k.run({ steps: 5 });
  // Five writes, each into its own 16 KiB chunk (4096 words): five chunks copied.
  assert.equal(live.ownedBytes(), 5 * 4096 * 4);
  const snapArr = (snap.state.data as { a: ChunkedArray }).a;
  assert.equal(snapArr.get(10 * 5000), 0, 'the snapshot does not see later writes');
  assert.equal(live.get(10 * 5000), 11);
  restoreSnapshot(k, snap);
  assert.equal((k.s.data as { a: ChunkedArray }).a.get(10 * 5000), 0);
  k.run();
  assert.equal((k.s.data as { a: ChunkedArray }).a.get(49 * 5000), 50);
  assert.equal(snapArr.get(49 * 5000), 0);
});

test('state that is not plain data is refused by snapshots', () => {
  const p = new Program();
  const f = p.fn('noop', (k) => k.ret());
  const k = new Kernel(p, { seed: 1, data: { when: new Map() } });
  k.thread('t', f, {});
  assert.throws(() => takeSnapshot(k), /plain data; found an instance of Map/);
});

test('state in which one object is reachable twice is refused by snapshots', () => {
  const p = new Program();
  const f = p.fn('noop', (k) => k.ret());
  const shared = { x: 1 };
  const k = new Kernel(p, { seed: 1, data: { a: shared, b: shared } });
  k.thread('t', f, {});
  assert.throws(() => takeSnapshot(k), /reachable twice/);
});
