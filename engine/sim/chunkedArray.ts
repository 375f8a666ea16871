// Big typed arrays of the simulation (dirty logs of 128 GiB guests), cut into fixed-size chunks that
// snapshots share copy-on-write: a snapshot marks every chunk shared, and the first write to a shared
// chunk copies that chunk only. A checkpoint therefore costs what changed since the previous one.
//
// Readers may index chunks directly (`chunks[i >>> shift][i & mask]`) on hot paths; writers must
// obtain the chunk through `writable()`, which is the only place a shared chunk is copied.
//
// An array made by `ChunkedArray.growable` starts empty and grows by `push`, a whole chunk at a
// time: an append-only log whose full chunks every later snapshot shares, so a snapshot of it costs
// the entries appended since the previous one (and a copy of the last, partly filled chunk).

import { PackedChunk, unpackChunk } from './packedChunk';

export type ChunkKind = 'u8' | 'u32' | 'i32' | 'f64';
export type ChunkData = Uint8Array | Uint32Array | Int32Array | Float64Array;

const CTORS = {
  u8: Uint8Array,
  u32: Uint32Array,
  i32: Int32Array,
  f64: Float64Array,
} as const;

const uniform = new Map<string, ChunkData>();
const uniformChunks = new WeakSet<ChunkData>();

/** Whether `ch` is one of the read-only chunks every array shares (see shareUniform). */
export function isUniformChunk(ch: ChunkData): boolean {
  return uniformChunks.has(ch);
}

/** The shared read-only chunk of `length` elements all `v` (see shareUniform). */
function uniformChunk(kind: ChunkKind, length: number, v: number): ChunkData {
  const key = `${kind}:${length}:${v}`;
  let ch = uniform.get(key);
  if (ch === undefined) {
    ch = new CTORS[kind](length).fill(v);
    uniform.set(key, ch);
    uniformChunks.add(ch);
  }
  return ch;
}

/** 16 Ki elements per chunk: 16 KiB of bytes, 64 KiB of words. */
export const CHUNK_SHIFT_DEFAULT = 14;

export class ChunkedArray {
  readonly kind: ChunkKind;
  /** elements; only `push` changes it */
  length: number;
  readonly shift: number;
  readonly mask: number;
  chunks: ChunkData[];
  /** 1 where this instance owns its chunk and may write it in place; 0 where it is shared. */
  owned: Uint8Array;

  constructor(kind: ChunkKind, length: number, shift = CHUNK_SHIFT_DEFAULT) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`ChunkedArray length must be a non-negative integer, got ${length}`);
    if (!Number.isInteger(shift) || shift < 6 || shift > 24) throw new RangeError(`ChunkedArray chunk shift must be 6..24, got ${shift}`);
    this.kind = kind;
    this.length = length;
    this.shift = shift;
    this.mask = (1 << shift) - 1;
    const n = Math.ceil(length / (1 << shift));
    this.chunks = new Array<ChunkData>(n);
    const Ctor = CTORS[kind];
    for (let c = 0; c < n; c++) {
      const size = Math.min(1 << shift, length - c * (1 << shift));
      this.chunks[c] = new Ctor(size);
    }
    this.owned = new Uint8Array(n).fill(1);
  }

  /** An empty array that grows by `push`, in chunks of 2^shift elements. */
  static growable(kind: ChunkKind, shift = CHUNK_SHIFT_DEFAULT): ChunkedArray {
    return new ChunkedArray(kind, 0, shift);
  }

  /** Appends `v`, adding a chunk when the last is full (arrays built with a length only grow by push). */
  push(v: number): void {
    const i = this.length;
    const c = i >>> this.shift;
    if (c === this.chunks.length) {
      this.chunks.push(new CTORS[this.kind](1 << this.shift));
      if (c >= this.owned.length) {
        const owned = new Uint8Array(Math.max(8, this.owned.length * 2));
        owned.set(this.owned);
        this.owned = owned;
      }
      this.owned[c] = 1;
      this.chunks[c][0] = v;
    } else {
      const chunk = this.writable(c);
      if ((i & this.mask) >= chunk.length) throw new RangeError(`push onto a ChunkedArray of fixed length ${i}`);
      chunk[i & this.mask] = v;
    }
    this.length = i + 1;
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  get(i: number): number {
    return this.chunks[i >>> this.shift][i & this.mask];
  }

  set(i: number, v: number): void {
    this.writable(i >>> this.shift)[i & this.mask] = v;
  }

  /** The chunk `c`, copied first if it is shared with a snapshot. */
  writable(c: number): ChunkData {
    if (this.owned[c] === 1) return this.chunks[c];
    const copy = this.chunks[c].slice();
    this.chunks[c] = copy;
    this.owned[c] = 1;
    return copy;
  }

  /**
   * Every element `v`, by swapping every chunk for the read-only chunk of that content which all
   * arrays of its kind and size share (no copy, no write: a later write copies the chunk first).
   */
  fillShared(v: number): void {
    for (let c = 0; c < this.chunks.length; c++) {
      this.chunks[c] = uniformChunk(this.kind, this.chunks[c].length, v);
      this.owned[c] = 0;
    }
  }

  fill(v: number): void {
    for (let c = 0; c < this.chunks.length; c++) this.writable(c).fill(v);
  }

  /**
   * A copy that shares every chunk with this array; afterwards neither may write a chunk in place,
   * so each copies a chunk on its first write to it.
   */
  share(): ChunkedArray {
    const o = Object.create(ChunkedArray.prototype) as ChunkedArray;
    (o as { kind: ChunkKind }).kind = this.kind;
    o.length = this.length;
    (o as { shift: number }).shift = this.shift;
    (o as { mask: number }).mask = this.mask;
    o.chunks = this.chunks.slice();
    this.owned.fill(0);
    o.owned = new Uint8Array(this.chunks.length);
    // A checkpoint's packed chunks (packedChunk.ts) come out plain, the copy's own.
    for (let c = 0; c < o.chunks.length; c++) {
      const ch = o.chunks[c];
      if (ch instanceof PackedChunk) {
        o.chunks[c] = unpackChunk(ch);
        o.owned[c] = 1;
      }
    }
    return o;
  }

  /**
   * Swaps every chunk it owns whose elements are all 0 (or all bits set) for one read-only chunk of
   * that content, which every array of its kind and size shares (never written: `owned` stays 0, so
   * a write copies it first). Guest RAM bitmaps are mostly such chunks (nothing dirty, nothing to
   * send, every page zero), so a snapshot holds what is mixed. Returns how many it swapped.
   */
  shareUniform(): number {
    if (this.kind === 'f64') return 0; // +0 and -0 are both "zero" to ===: left alone
    let swapped = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      if (this.owned[c] !== 1) continue;
      const ch = this.chunks[c];
      const v = ch[0];
      const ones = this.kind === 'u32' ? 0xffffffff : this.kind === 'u8' ? 0xff : -1;
      if (v !== 0 && v !== ones) continue;
      let i = 1;
      while (i < ch.length && ch[i] === v) i++;
      if (i < ch.length) continue;
      this.chunks[c] = uniformChunk(this.kind, ch.length, v);
      this.owned[c] = 0;
      swapped++;
    }
    return swapped;
  }

  /** Bytes held by chunks this instance owns (what a snapshot of it would not share). */
  ownedBytes(): number {
    let b = 0;
    for (let c = 0; c < this.chunks.length; c++) if (this.owned[c] === 1) b += this.chunks[c].byteLength;
    return b;
  }
}
