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

/** `ch` as runs of equal words, or null where that would take more than half its bytes. */
export function packChunk(ch: Uint32Array): PackedChunk | null {
  const n = ch.length;
  const limit = n >>> 2; // runs that fit in half the bytes (two words a run)
  let runs = 0;
  for (let i = 0; i < n; ) {
    const v = ch[i];
    let j = i + 1;
    while (j < n && ch[j] === v) j++;
    if (++runs > limit) return null;
    i = j;
  }
  const p = new PackedChunk(1 + 2 * runs);
  p[0] = n;
  let o = 1;
  for (let i = 0; i < n; ) {
    const v = ch[i];
    let j = i + 1;
    while (j < n && ch[j] === v) j++;
    p[o++] = j - i;
    p[o++] = v;
    i = j;
  }
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
