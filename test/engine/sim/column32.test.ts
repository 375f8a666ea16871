import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Column32 } from '../../../engine/sim';

test('Column32 keeps what is pushed across its first page\'s growth and later pages; set, truncate and push again', () => {
  const u = new Column32(false);
  const s = new Column32(true);
  const n = 3 * 65536 + 17;
  for (let i = 0; i < n; i++) {
    u.push((i * 2654435761) >>> 0);
    s.push(i % 2 === 0 ? -i | 0 : i);
  }
  assert.equal(u.length, n);
  for (const i of [0, 1, 1023, 1024, 2047, 65535, 65536, 131071, 131072, n - 1]) {
    assert.equal(u.at(i), (i * 2654435761) >>> 0, `unsigned entry ${i}`);
    assert.equal(s.at(i), i % 2 === 0 ? -i | 0 : i, `signed entry ${i}`);
  }
  u.push(0xffffffff);
  assert.equal(u.at(n), 4294967295, 'an unsigned column reads the full 32 bits');
  u.set(70_000, 5);
  assert.equal(u.at(70_000), 5);
  assert.throws(() => u.set(n + 1, 0), RangeError);
  u.truncate(65_537);
  assert.equal(u.length, 65_537);
  u.push(42);
  assert.equal(u.at(65_537), 42);
  assert.equal(u.at(65_536), (65_536 * 2654435761) >>> 0);
  assert.deepEqual(Column32.from([3, 1, 2], true).toArray(), [3, 1, 2]);
  assert.throws(() => u.truncate(70_000), RangeError);
});
