// Snapshots of the whole simulation state, the basis of reverse execution: restore the nearest
// snapshot, replay forward. The state is plain data, so a snapshot is a structural copy; big
// ChunkedArrays are shared copy-on-write instead of copied, so a snapshot costs what changed since
// the previous one. `stateHash` hashes every number, string and array element of a state, so two
// states hash equal exactly when a restored run is indistinguishable from the original.

import { ChunkedArray } from './chunkedArray';
import { hashCreate, hashHex, hashNumber, hashString, mix1, mix2, type Hash64 } from './hash';
import type { Kernel } from './kernel';
import type { SimState } from './types';

export interface Snapshot {
  state: SimState;
  /** length of the kernel's decision log when it was taken */
  decisions: number;
}

/**
 * Deep copy of plain data; ChunkedArrays are shared copy-on-write, typed arrays copied. The state
 * must be a tree: an object reachable twice (two frames sharing one locals object) would come back
 * as two objects and a restored run would differ, so that is refused.
 */
export function clonePlain<T>(v: T): T {
  return cloneValue(v, new Set()) as T;
}

function cloneValue(v: unknown, seen: Set<object>): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) throw new TypeError('simulation state must be a tree of plain data: one object is reachable twice (shared locals or data)');
  seen.add(v);
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      out[i] = x === null || typeof x !== 'object' ? x : cloneValue(x, seen);
    }
    return out;
  }
  if (v instanceof ChunkedArray) return v.share();
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`simulation state must be plain data; found an instance of ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`);
  }
  const out: Record<string, unknown> = {};
  for (const key in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[key];
    out[key] = x === null || typeof x !== 'object' ? x : cloneValue(x, seen);
  }
  return out;
}

export function takeSnapshot(k: Kernel): Snapshot {
  return { state: clonePlain(k.s), decisions: k.log.tid.length };
}

/** Puts the kernel back in the snapshot's state; the snapshot stays usable for later restores. */
export function restoreSnapshot(k: Kernel, snap: Snapshot): void {
  k.s = clonePlain(snap.state);
}

const TAG = { undef: 1, null: 2, false: 3, true: 4, num: 5, str: 6, arr: 7, obj: 8, chunked: 9, typed: 10, nonint: 11 };

function hashValue(h: Hash64, v: unknown): void {
  if (v === undefined) { hashNumber(h, TAG.undef); return; }
  if (v === null) { hashNumber(h, TAG.null); return; }
  switch (typeof v) {
    case 'boolean':
      hashNumber(h, v ? TAG.true : TAG.false);
      return;
    case 'number':
      if (Number.isSafeInteger(v) && v >= 0) {
        hashNumber(h, TAG.num);
        hashNumber(h, v);
      } else {
        hashNumber(h, TAG.nonint);
        hashString(h, String(v));
      }
      return;
    case 'string':
      hashNumber(h, TAG.str);
      hashString(h, v);
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`cannot hash a ${typeof v} in simulation state`);
  }
  if (Array.isArray(v)) {
    hashNumber(h, TAG.arr);
    hashNumber(h, v.length);
    for (const x of v) hashValue(h, x);
    return;
  }
  if (v instanceof ChunkedArray) {
    hashNumber(h, TAG.chunked);
    hashString(h, v.kind);
    hashNumber(h, v.length);
    for (const c of v.chunks) hashBytes(h, c);
    return;
  }
  if (ArrayBuffer.isView(v)) {
    hashNumber(h, TAG.typed);
    hashBytes(h, v);
    return;
  }
  hashNumber(h, TAG.obj);
  const keys = Object.keys(v as object).sort();
  hashNumber(h, keys.length);
  for (const key of keys) {
    hashString(h, key);
    hashValue(h, (v as Record<string, unknown>)[key]);
  }
}

function hashBytes(h: Hash64, view: ArrayBufferView): void {
  hashNumber(h, view.byteLength);
  let h1 = h.h1, h2 = h.h2;
  let i = 0;
  if ((view.byteOffset & 3) === 0) {
    const whole = view.byteLength >>> 2;
    const w = new Uint32Array(view.buffer, view.byteOffset, whole);
    for (let j = 0; j < whole; j++) {
      const x = w[j];
      h1 = mix1(h1, x);
      h2 = mix2(h2, x);
    }
    i = whole * 4;
  }
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (; i < bytes.length; i++) {
    h1 = mix1(h1, bytes[i]);
    h2 = mix2(h2, bytes[i]);
  }
  h.h1 = h1;
  h.h2 = h2;
}

/** A 64-bit hash (16 hex digits) of the complete state. */
export function stateHash(s: SimState): string {
  const h = hashCreate();
  hashValue(h, s);
  return hashHex(h);
}
