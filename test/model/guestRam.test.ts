import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGuestRam, markAllForSend } from '../../engine/model/guestRam';

test('markAllForSend marks every page but the first `first`, none past the end, and a later write to its shared chunks is the writer\'s own', () => {
  for (const [pages, first] of [[1, 0], [31, 1], [32, 0], [70_001, 1], [16_384 * 32 * 3 + 5, 0], [16_384 * 32 * 2, 1]] as const) {
    const ram = createGuestRam(pages, pages);
    markAllForSend(ram, first);
    let set = 0;
    for (let w = 0; w < ram.words; w++) {
      const bits = ram.bmap.get(w);
      for (let b = 0; b < 32; b++) {
        const p = w * 32 + b;
        const on = ((bits >>> b) & 1) === 1;
        assert.equal(on, p >= first && p < pages, `${pages} pages, first ${first}: page ${p}`);
        if (on) set++;
      }
    }
    assert.equal(set, pages - first);
    assert.equal(ram.dirty_pages, pages - first);
    assert.equal([...ram.bmap_chunk_pages].reduce((a, b) => a + b, 0), pages - first);
  }
  // two guests share the all-ones chunk: clearing a word in one leaves the other's set
  const a = createGuestRam(16_384 * 32 * 2, 0);
  const b = createGuestRam(16_384 * 32 * 2, 0);
  markAllForSend(a);
  markAllForSend(b);
  a.bmap.set(5, 0);
  assert.equal(a.bmap.get(5), 0);
  assert.equal(b.bmap.get(5), 0xffffffff);
});
