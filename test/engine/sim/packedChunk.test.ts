// Checkpoints' RAM bitmap chunks held as runs of equal words (engine/sim/packedChunk.ts): a packed
// chunk unpacks to the same words, one that runs would not halve stays as it is, and a copy of an
// array holding packed chunks (a restore) reads the same elements and owns what it unpacked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packChunk, PackedChunk, unpackChunk } from '../../../engine/sim/packedChunk';
import { ChunkedArray } from '../../../engine/sim/chunkedArray';
import { prngCreate, prngNext } from '../../../engine/sim/prng';

test('a chunk of runs packs into fewer bytes and unpacks to the same words; a dense random one is left alone', () => {
  const rng = prngCreate(5, 1);
  const ch = new Uint32Array(1 << 14);
  // stretches of 0, of all bits set and of scattered words, as a dirty log has them
  for (let i = 0; i < ch.length; i++) {
    const zone = Math.floor(i / 1000) % 3;
    ch[i] = zone === 0 ? 0 : zone === 1 ? 0xffffffff : prngNext(rng) % 97 === 0 ? prngNext(rng) : 0;
  }
  const p = packChunk(ch);
  assert.ok(p instanceof PackedChunk);
  assert.ok(p!.byteLength < ch.byteLength / 2, `${p!.byteLength} bytes`);
  assert.deepEqual(unpackChunk(p!), ch);
  const dense = new Uint32Array(1 << 14).map(() => prngNext(rng));
  assert.equal(packChunk(dense), null);
  assert.deepEqual(unpackChunk(packChunk(new Uint32Array(64))!), new Uint32Array(64));
});

test('a copy of an array with packed chunks reads the same and owns the unpacked chunks', () => {
  const a = new ChunkedArray('u32', 3 << 6, 6);
  for (let i = 0; i < a.length; i += 20) a.set(i, i * 3 + 1);
  const snap = a.share();
  const want = Array.from({ length: a.length }, (_, i) => a.get(i));
  snap.chunks[1] = packChunk(snap.chunks[1] as Uint32Array)!;
  assert.ok(snap.chunks[1] instanceof PackedChunk);
  const restored = snap.share();
  assert.deepEqual(Array.from({ length: restored.length }, (_, i) => restored.get(i)), want);
  assert.equal(restored.owned[1], 1, 'the unpacked chunk is the copy\'s own');
  assert.equal(restored.owned[0], 0, 'the others stay shared');
  restored.set(70, 9);
  assert.equal(snap.chunks[1] instanceof PackedChunk, true, 'the checkpoint keeps its packed chunk');
  assert.equal(restored.get(70), 9);
});
