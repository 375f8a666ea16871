// A 64-bit running hash kept as two independent 32-bit lanes, so that it stays plain numbers (no
// BigInt on the hot path) and a snapshot copies it for free. Not cryptographic: it detects
// divergence between two runs of the same engine, which is all replay verification needs.

export interface Hash64 {
  h1: number;
  h2: number;
}

export const HASH_SEED_1 = 0x811c9dc5;
export const HASH_SEED_2 = 0x1b873593;

export function hashCreate(): Hash64 {
  return { h1: HASH_SEED_1, h2: HASH_SEED_2 };
}

/** Mix one 32-bit word into lane 1. */
export function mix1(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Mix one 32-bit word into lane 2 (different constants, so the lanes are independent). */
export function mix2(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Mix a non-negative safe integer (for example a time in ns) into both lanes. */
export function hashNumber(h: Hash64, v: number): void {
  const lo = v >>> 0;
  const hi = Math.floor(v / 0x100000000) >>> 0;
  h.h1 = mix1(mix1(h.h1, lo), hi);
  h.h2 = mix2(mix2(h.h2, lo), hi);
}

export function hashString(h: Hash64, s: string): void {
  hashNumber(h, s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h.h1 = mix1(h.h1, c);
    h.h2 = mix2(h.h2, c);
  }
}

export function hashHex(h: Hash64): string {
  return h.h1.toString(16).padStart(8, '0') + h.h2.toString(16).padStart(8, '0');
}
