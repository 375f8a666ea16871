// Seeded pseudo-random numbers for the simulation: xoshiro128** (Blackman & Vigna), 128 bits of
// state held as four uint32 numbers in a plain object, so that a snapshot copies it like any other
// state and a restored run draws exactly the same numbers. Seeds are expanded with splitmix32 so
// that nearby seeds (1, 2, 3...) give unrelated streams.

export interface PrngState {
  s0: number;
  s1: number;
  s2: number;
  s3: number;
}

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A stream for `seed` (any safe integer) and `stream` (a small constant naming its purpose). */
export function prngCreate(seed: number, stream: number): PrngState {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  let x = splitmix32(lo ^ Math.imul(stream + 1, 0x27d4eb2f));
  const s0 = x;
  x = splitmix32(x ^ hi);
  const s1 = x;
  x = splitmix32(x ^ stream);
  const s2 = x;
  x = splitmix32(x ^ 0x5bd1e995);
  const s3 = x;
  // xoshiro must not start from the all-zero state.
  return { s0, s1, s2, s3: s0 | s1 | s2 | s3 ? s3 : 1 };
}

/** Next uint32. */
export function prngNext(p: PrngState): number {
  const s0 = p.s0, s1 = p.s1, s2 = p.s2, s3 = p.s3;
  const m = Math.imul(s1, 5);
  const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  p.s1 = s1 ^ n2;
  p.s0 = s0 ^ n3;
  p.s2 = n2 ^ t;
  p.s3 = (n3 << 11) | (n3 >>> 21);
  return r;
}

/** Uniform float in [0, 1) with 32 bits of precision. */
export function prngFloat(p: PrngState): number {
  return prngNext(p) / 0x100000000;
}

/** Uniform integer in [0, n), n ≤ 2^32, without modulo bias worth measuring (multiply-shift). */
export function prngInt(p: PrngState, n: number): number {
  return Math.floor(prngFloat(p) * n);
}

export function prngCopy(p: PrngState): PrngState {
  return { s0: p.s0, s1: p.s1, s2: p.s2, s3: p.s3 };
}
