// Chunks of a checkpoint's RAM bitmaps held as runs of equal words. A guest RAM bitmap chunk
// (64 KiB, 2 GiB of guest) that a checkpoint holds apart from the live state is one the run wrote
// since: at 1 TiB, the working set's chunks of the dirty log and of the pages left to send, written
// in runs of a few pages, with long stretches of 0 or of all bits set between. Runs of equal words
// hold them in a tenth (the dirty log) to a fortieth (stale pages) of the bytes, measured on the
// 512-vCPU, 1 TiB run at 10-80 s. Only checkpoints hold packed chunks, and only chunks no live
// state holds: a copy of a checkpoint (a restore) unpacks them (ChunkedArray.share), so every
// reader of a live array indexes plain typed arrays as before.

/** A u32 chunk as runs: [length, count_1, value_1, count_2, value_2, ...]. */
export class PackedChunk extends Uint32Array {}

/** Runs being written (the longest chunk's worth that packs: a quarter of its words, two words a run). */
let scratch = new Uint32Array(0);

/** `ch` as runs of equal words, or null where that would take more than half its bytes. */
export function packChunk(ch: Uint32Array): PackedChunk | null {
  const n = ch.length;
  const limit = n >>> 2;
  if (scratch.length < 2 * limit) scratch = new Uint32Array(2 * limit);
  let o = 0;
  for (let i = 0; i < n; ) {
    const v = ch[i];
    let j = i + 1;
    while (j < n && ch[j] === v) j++;
    if (o === 2 * limit) return null;
    scratch[o++] = j - i;
    scratch[o++] = v;
    i = j;
  }
  const p = new PackedChunk(1 + o);
  p[0] = n;
  p.set(scratch.subarray(0, o), 1);
  return p;
}

/** The chunk a packed one holds. */
export function unpackChunk(p: PackedChunk): Uint32Array {
  const out = new Uint32Array(p[0]);
  let at = 0;
  for (let o = 1; o < p.length; o += 2) {
    const count = p[o];
    const v = p[o + 1];
    if (v !== 0) out.fill(v, at, at + count);
    at += count;
  }
  return out;
}
