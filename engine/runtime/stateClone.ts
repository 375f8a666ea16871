// Copies of the simulation state for the debugger's checkpoints. Like engine/sim's clonePlain
// (plain data copied, ChunkedArrays shared copy-on-write, typed arrays copied), and it counts the
// heap the copy takes, for the checkpoint budget. An object reachable twice (a model that hands
// its locals to a callee, as qemu_savevm_state_iterate once did) comes back as one object
// reachable twice, so a restored run aliases exactly as the original did; the kernel's own
// snapshots refuse such state, and the debugger should not break on a model that slips.
//
// Objects are copied with a spread and arrays with slice, then only their object-valued slots are
// replaced: the copy keeps the original's hidden class. Building a copy key by key (`out[key] = x`)
// gives V8 keyed stores, and past a dozen properties such an object falls into dictionary mode
// (node --allow-natives-syntax: %HasFastProperties is false for a key-by-key copy of a 22-field
// SimThread, true for a spread copy): a restored run would read every field of the migration
// state and of every thread by hash lookup, slower than the run it restores.
//
// A checkpoint's copy also shares with the regular checkpoint before it every subtree that is
// unchanged since (equal numbers and strings, same keys in the same order): checkpoints are never
// written (a restore copies them), so such a subtree need not be held twice. With 512 vCPUs about
// half of each checkpoint's plain data is unchanged (parked threads' stacks, the condition
// variables), and the 1 TiB run's store then fits checkpoints twice as dense in the same budget.
// A state in which an object is reachable twice shares nothing (a shared subtree could alias, or
// stop aliasing, where the live state does not), and nothing shares with its copy.

import { ChunkedArray } from '../sim/chunkedArray';
import type { Kernel } from '../sim/kernel';
import type { Snapshot } from '../sim/snapshot';
import type { SimState } from '../sim/types';

/** What a copy takes: heap bytes of its new plain part (a count of objects and slots), of the plain part it shares with the previous checkpoint, its ChunkedArrays (the copies), and the bytes of chunks the original owned. */
interface Count {
  plain: number;
  shared: number;
  arrays: ChunkedArray[];
  chunks: number;
  /** an object of the live state was reached twice */
  aliased: boolean;
}
// Measured on Node 20 (heap plus array buffers, after a full collection, before and after taking
// snapshots): a slot of an object or array takes 8 bytes (a double or a pointer), and a typed
// array ~200 bytes besides its data (the object, its ArrayBuffer and backing store). With these,
// the count of a 1 TiB run's 200 checkpoints is within 1% of the heap they take.
const OBJECT_BYTES = 32;
const SLOT_BYTES = 8;
/** heap a typed array takes besides its elements (each RAM chunk is one) */
export const TYPED_ARRAY_BYTES = 200;

function sameNumber(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

function sameKeys(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  return true;
}

/**
 * A copy of `v`; where `p` (the same place in the previous checkpoint's copy) holds equal data,
 * `p` itself: checkpoints are never written, so two of them may share a subtree, and a subtree
 * unchanged since the previous checkpoint costs nothing again (with 512 vCPUs, about half of the
 * plain data: parked threads' stacks, the condition variables).
 */
function cloneValue(v: object, p: unknown, memo: Map<object, unknown>, n: Count): unknown {
  const done = memo.get(v);
  if (done !== undefined) {
    n.aliased = true;
    return done;
  }
  const prev = p !== null && typeof p === 'object' ? (p as Record<string, unknown>) : undefined;
  if (Array.isArray(v)) {
    const pa = Array.isArray(prev) && prev.length === v.length ? (prev as unknown[]) : undefined;
    const len = v.length;
    let out: unknown[] | undefined;
    for (let i = 0; i < len; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') {
        const c = cloneValue(x, pa?.[i], memo, n);
        if (out === undefined && (pa === undefined || c !== pa[i])) out = v.slice(0, len);
        if (out !== undefined) out[i] = c;
      } else if (out === undefined && (pa === undefined || !sameNumber(x, pa[i]))) out = v.slice(0, len);
    }
    if (out === undefined && pa === undefined) out = v.slice(0, len);
    if (out === undefined) {
      // Every element equal to the previous copy's: that copy (the objects among them are its own already).
      memo.set(v, pa!);
      n.shared += OBJECT_BYTES + len * SLOT_BYTES;
      return pa;
    }
    // The elements before the first difference that are objects: the previous copy's.
    for (let i = 0; i < len; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object' && out[i] === x) out[i] = memo.get(x);
    }
    memo.set(v, out);
    n.plain += OBJECT_BYTES + len * SLOT_BYTES;
    return out;
  }
  if (v instanceof ChunkedArray) {
    // What the live array owns is what this copy holds apart from the copies taken before (but
    // for chunks all 0 or all bits set, which every array shares).
    v.shareUniform();
    n.chunks += v.ownedBytes();
    for (let i = 0; i < v.chunks.length; i++) if (v.owned[i] === 1) n.chunks += TYPED_ARRAY_BYTES;
    const c = v.share();
    // the copy itself: the object, its list of chunks, its owned flags
    n.plain += 2 * OBJECT_BYTES + c.chunks.length * (SLOT_BYTES + 1) + TYPED_ARRAY_BYTES;
    n.arrays.push(c);
    memo.set(v, c);
    return c;
  }
  if (ArrayBuffer.isView(v)) {
    const t = v as unknown as ArrayLike<number> & { slice(): unknown; constructor: unknown };
    const pt = prev as unknown as (ArrayLike<number> & { constructor: unknown }) | undefined;
    if (pt !== undefined && ArrayBuffer.isView(pt) && pt.constructor === t.constructor && pt.length === t.length) {
      let same = true;
      for (let i = 0; i < t.length && same; i++) same = sameNumber(t[i], pt[i]);
      if (same) {
        memo.set(v, pt);
        n.shared += v.byteLength + TYPED_ARRAY_BYTES;
        return pt;
      }
    }
    n.plain += v.byteLength + TYPED_ARRAY_BYTES;
    const c = t.slice();
    memo.set(v, c);
    return c;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`simulation state must be plain data; found an instance of ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`);
  }
  const src = v as Record<string, unknown>;
  const pobj = prev !== undefined && !Array.isArray(prev) && !ArrayBuffer.isView(prev) && !(prev instanceof ChunkedArray) ? prev : undefined;
  let out: Record<string, unknown> | undefined;
  let slots = 0;
  for (const key in src) {
    const x = src[key];
    slots++;
    if (x !== null && typeof x === 'object') {
      const c = cloneValue(x, pobj?.[key], memo, n);
      if (out === undefined && (pobj === undefined || c !== pobj[key])) out = { ...src };
      if (out !== undefined) out[key] = c;
    } else if (out === undefined && (pobj === undefined || !sameNumber(x, pobj[key]))) out = { ...src };
  }
  if (out === undefined && pobj !== undefined && sameKeys(src, pobj)) {
    memo.set(v, pobj);
    n.shared += OBJECT_BYTES + slots * SLOT_BYTES;
    return pobj;
  }
  if (out === undefined) out = { ...src };
  // Object-valued slots before the first difference still hold the live objects: their copies.
  for (const key in out) {
    const x = out[key];
    if (x !== null && typeof x === 'object' && x === src[key]) out[key] = memo.get(x);
  }
  memo.set(v, out);
  n.plain += OBJECT_BYTES + slots * SLOT_BYTES;
  return out;
}

export interface CheckpointSnapshot {
  snap: Snapshot;
  /** heap bytes of the plain data it holds apart from the checkpoint it was compared with */
  plain_bytes: number;
  /** heap bytes of all its plain data (what a copy walks, shared or not) */
  copy_bytes: number;
  /** its ChunkedArrays (guest RAM bitmaps, wait statistics), sharing chunks copy-on-write */
  arrays: ChunkedArray[];
  /** bytes of the chunks it holds that no snapshot taken before holds */
  chunk_bytes: number;
  /** the live state had an object reachable twice (such a copy shares nothing, and nothing shares it) */
  aliased: boolean;
}

/**
 * A checkpoint of the kernel's state. `prev`: a checkpoint that stays in the store at least as
 * long as this one is counted against it (the previous regular one), whose unchanged parts the
 * copy shares; not one whose state had aliases, nor when this state has them (a shared subtree
 * could then alias, or stop aliasing, where the live state does not).
 */
export function takeCheckpointSnapshot(k: Kernel, prev: { snap: Snapshot; aliased: boolean } | null = null): CheckpointSnapshot {
  const base = prev !== null && !prev.aliased ? prev.snap.state : undefined;
  let n: Count = { plain: 0, shared: 0, arrays: [], chunks: 0, aliased: false };
  let state = cloneValue(k.s, base, new Map(), n) as SimState;
  if (n.aliased && base !== undefined) {
    // The share() calls above marked the live chunks shared: the second copy counts none as owned,
    // so the chunk bytes are the first count's.
    const chunks = n.chunks;
    n = { plain: 0, shared: 0, arrays: [], chunks, aliased: true };
    state = cloneValue(k.s, undefined, new Map(), n) as SimState;
  }
  return { snap: { state, decisions: k.log.tid.length }, plain_bytes: n.plain, copy_bytes: n.plain + n.shared, arrays: n.arrays, chunk_bytes: n.chunks, aliased: n.aliased };
}

/** Heap bytes of one object or array of plain data, its own slots only. */
function ownBytes(v: object): number {
  if (v instanceof ChunkedArray) return 2 * OBJECT_BYTES + v.chunks.length * (SLOT_BYTES + 1) + TYPED_ARRAY_BYTES;
  if (ArrayBuffer.isView(v)) return v.byteLength + TYPED_ARRAY_BYTES;
  if (Array.isArray(v)) return OBJECT_BYTES + v.length * SLOT_BYTES;
  let slots = 0;
  for (const _ in v) slots++;
  return OBJECT_BYTES + slots * SLOT_BYTES;
}

/**
 * Heap bytes of the plain data of checkpoint state `v` that neither `a` nor `b` holds (states of
 * other checkpoints, or undefined), ChunkedArrays' chunks not included. A checkpoint shares only
 * subtrees of the regular checkpoint before it, at the same place, so a subtree two regular
 * checkpoints share is one every regular checkpoint taken between them shares too: comparing each
 * with the one kept before it, place by place, counts every object once, with no set of every
 * object (a quarter of a second less at 1 TiB). `seen` for states that may hold an object twice
 * (an aliased state; the temporary and landmark ones, which others do not chain from).
 */
export function plainBytesApart(v: object, a: unknown, b: unknown, seen: Set<object> | null): number {
  if (v === a || v === b) return 0;
  if (seen !== null) {
    if (seen.has(v)) return 0;
    seen.add(v);
  }
  const pa = a !== null && typeof a === 'object' ? (a as Record<string, unknown>) : undefined;
  const pb = b !== null && typeof b === 'object' ? (b as Record<string, unknown>) : undefined;
  let total = ownBytes(v);
  if (v instanceof ChunkedArray || ArrayBuffer.isView(v)) return total;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') total += plainBytesApart(x, pa?.[i], pb?.[i], seen);
    }
    return total;
  }
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    if (x !== null && typeof x === 'object') total += plainBytesApart(x, pa?.[key], pb?.[key], seen);
  }
  return total;
}

/**
 * Puts the kernel in a checkpoint's state (a copy: checkpoints are never written). `aliased`: the
 * checkpoint's state holds an object twice, which the copy must hold twice too.
 */
export function restoreCheckpointSnapshot(k: Kernel, snap: Snapshot, aliased = true): void {
  k.s = (aliased
    ? cloneValue(snap.state, undefined, new Map(), { plain: 0, shared: 0, arrays: [], chunks: 0, aliased: false })
    : copyTree(snap.state)) as SimState;
}

/**
 * A copy of a state that is a tree (each object reached once): no map of what was copied, which
 * at 512 vCPUs (some 5,000 objects) was most of a restore's time. Copies keep the original's
 * hidden class (spread and slice, then the object slots replaced), as cloneValue's do.
 */
function copyTree(v: object): unknown {
  if (Array.isArray(v)) {
    const out = v.slice();
    for (let i = 0; i < out.length; i++) {
      const x: unknown = out[i];
      if (x !== null && typeof x === 'object') out[i] = copyTree(x);
    }
    return out;
  }
  if (v instanceof ChunkedArray) return v.share();
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  for (const key in out) {
    const x = out[key];
    if (x !== null && typeof x === 'object') out[key] = copyTree(x);
  }
  return out;
}
