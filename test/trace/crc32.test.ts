// The packet checksum against zlib's CRC-32 (node:zlib), at every alignment and length a packet
// may have, whole and continued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../engine/trace/crc32';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

test('crc32 is zlib CRC-32 at every start offset and length up to 80 bytes', () => {
  const b = bytes(200, 7);
  for (let start = 0; start < 8; start++) {
    for (let len = 0; len <= 80; len++) {
      const want = zlibCrc32(b.subarray(start, start + len));
      assert.equal(crc32(b, start, start + len), want, `start ${start}, length ${len}`);
      // The same bytes seen through a view that starts elsewhere in the buffer.
      assert.equal(crc32(b.subarray(start), 0, len), want, `view at ${start}, length ${len}`);
    }
  }
});

test('crc32 of a large buffer, and continued over two parts, is zlib CRC-32', () => {
  const b = bytes(1 << 20, 11);
  assert.equal(crc32(b), zlibCrc32(b));
  for (const cut of [1, 3, 4, 17, 65537]) {
    assert.equal(crc32(b, cut, b.length, crc32(b, 0, cut)), zlibCrc32(b), `cut at ${cut}`);
  }
  assert.equal(crc32(new Uint8Array(0)), 0);
});
