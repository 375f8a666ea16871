import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedArray, clonePlain } from '../../../engine/sim';
import { prngCreate, prngInt } from '../../../engine/sim/prng';
import { WAITED_ON_PAIR, type WaitedOn } from '../../../engine/sim/types';
import { addWait, createWaitedOn, waitedOnTotals } from '../../../engine/sim/waitedOn';

/** The statistics as plain pairs, in first-wait order. */
function pairs(wo: WaitedOn): [number, number, number][] {
  const totals = waitedOnTotals(wo);
  const out: [number, number, number][] = [];
  for (let i = 0; i < wo.order.length; i++) {
    const code = wo.order.get(i);
    const w = Math.floor(code / WAITED_ON_PAIR);
    out.push([w, code - w * WAITED_ON_PAIR - 1, totals[i]]);
  }
  return out;
}

test('a growable ChunkedArray appends across chunks, and a shared copy keeps what it had while both go on', () => {
  const a = ChunkedArray.growable('f64', 6);
  for (let i = 0; i < 150; i++) a.push(i * 1.5);
  assert.equal(a.length, 150);
  assert.equal(a.chunkCount, 3);
  const b = a.share();
  for (let i = 150; i < 300; i++) a.push(-i);
  b.push(7);
  a.set(3, 99);
  assert.equal(b.length, 151);
  assert.equal(b.get(150), 7);
  assert.equal(b.get(3), 4.5);
  assert.equal(a.get(150), -150);
  assert.equal(a.get(3), 99);
  assert.equal(a.get(299), -299);
  // The full chunks a did not write are still shared; the written ones are copies.
  assert.equal(a.chunks[1], b.chunks[1]);
  assert.notEqual(a.chunks[0], b.chunks[0]);
  assert.notEqual(a.chunks[2], b.chunks[2]);
  assert.throws(() => new ChunkedArray('u8', 100, 6).push(1), /fixed length/);
});

test('wait-for statistics match a plain map of pair totals, through folds, new threads, long waits and snapshots', () => {
  const rng = prngCreate(11, 5);
  const wo = createWaitedOn(4);
  const ref = new Map<string, [number, number, number]>();
  let threads = 4;
  const snaps: { wo: WaitedOn; want: [number, number, number][] }[] = [];
  let folds = 0;
  let lastBase = wo.base;
  for (let i = 0; i < 60_000; i++) {
    if (i % 2000 === 0 && threads < 40) threads += 3;
    const w = prngInt(rng, threads);
    const h = prngInt(rng, threads + 1) - 1;
    // now and then a wait too long for the log's 32 bits, or a fraction of a ns
    const ns = i % 997 === 0 ? 2 ** 32 + prngInt(rng, 1000) : i % 1009 === 0 ? 0.25 : 1 + prngInt(rng, 100_000);
    addWait(wo, w, h, ns, threads);
    const key = `${w}>${h}`;
    const r = ref.get(key);
    if (r === undefined) ref.set(key, [w, h, ns]);
    else r[2] += ns;
    if (wo.base !== lastBase) {
      folds++;
      lastBase = wo.base;
    }
    if (i % 7919 === 0) snaps.push({ wo: clonePlain(wo), want: [...ref.values()].map((x) => [...x] as [number, number, number]) });
  }
  assert.ok(folds >= 3, `only ${folds} folds`);
  assert.ok(wo.side > 40, `side ${wo.side}: the index grew with the threads`);
  assert.deepEqual(pairs(wo), [...ref.values()]);
  // Every snapshot still reads as it was when taken, though the live statistics went on.
  for (const s of snaps) assert.deepEqual(pairs(s.wo), s.want);
  // And one restored from a snapshot goes on as the original did.
  const again = clonePlain(snaps[3].wo);
  const fresh = clonePlain(snaps[3].wo);
  for (let i = 0; i < 5000; i++) {
    addWait(again, i % 50, (i * 7) % 51 - 1, i, 200);
    addWait(fresh, i % 50, (i * 7) % 51 - 1, i, 200);
  }
  assert.deepEqual(pairs(again), pairs(fresh));
  assert.deepEqual(pairs(snaps[3].wo), snaps[3].want);
});
