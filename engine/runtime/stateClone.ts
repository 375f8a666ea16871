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

import { ChunkedArray } from '../sim/chunkedArray';
import type { Kernel } from '../sim/kernel';
import type { Snapshot } from '../sim/snapshot';
import type { SimState } from '../sim/types';

/** What a copy takes: heap bytes of its plain part (a count of objects and slots), its ChunkedArrays (the copies), and the bytes of chunks the original owned. */
interface Count {
  plain: number;
  arrays: ChunkedArray[];
  chunks: number;
}
// Measured on Node 20 (heap plus array buffers, after a full collection, before and after taking
// snapshots): a slot of an object or array takes 8 bytes (a double or a pointer), and a typed
// array ~200 bytes besides its data (the object, its ArrayBuffer and backing store). With these,
// the count of a 1 TiB run's 200 checkpoints is within 1% of the heap they take.
const OBJECT_BYTES = 32;
const SLOT_BYTES = 8;
/** heap a typed array takes besides its elements (each RAM chunk is one) */
export const TYPED_ARRAY_BYTES = 200;

function cloneValue(v: object, memo: Map<object, unknown>, n: Count): unknown {
  const done = memo.get(v);
  if (done !== undefined) return done;
  n.plain += OBJECT_BYTES;
  if (Array.isArray(v)) {
    const out = v.slice();
    memo.set(v, out);
    const len = out.length;
    n.plain += len * SLOT_BYTES;
    for (let i = 0; i < len; i++) {
      const x: unknown = out[i];
      if (x !== null && typeof x === 'object') out[i] = cloneValue(x, memo, n);
    }
    return out;
  }
  if (v instanceof ChunkedArray) {
    // What the live array owns is what this copy holds apart from the copies taken before.
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
    n.plain += v.byteLength + TYPED_ARRAY_BYTES;
    const c = (v as unknown as { slice(): unknown }).slice();
    memo.set(v, c);
    return c;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`simulation state must be plain data; found an instance of ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`);
  }
  const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  memo.set(v, out);
  for (const key in out) {
    const x = out[key];
    n.plain += SLOT_BYTES;
    if (x !== null && typeof x === 'object') out[key] = cloneValue(x, memo, n);
  }
  return out;
}

function cloneState(s: SimState, n: Count): SimState {
  return cloneValue(s, new Map(), n) as SimState;
}

export interface CheckpointSnapshot {
  snap: Snapshot;
  /** heap bytes its plain data takes */
  plain_bytes: number;
  /** its ChunkedArrays (guest RAM bitmaps, wait statistics), sharing chunks copy-on-write */
  arrays: ChunkedArray[];
  /** bytes of the chunks it holds that no snapshot taken before holds */
  chunk_bytes: number;
}

export function takeCheckpointSnapshot(k: Kernel): CheckpointSnapshot {
  const n: Count = { plain: 0, arrays: [], chunks: 0 };
  const state = cloneState(k.s, n);
  return { snap: { state, decisions: k.log.tid.length }, plain_bytes: n.plain, arrays: n.arrays, chunk_bytes: n.chunks };
}

export function restoreCheckpointSnapshot(k: Kernel, snap: Snapshot): void {
  k.s = cloneState(snap.state, { plain: 0, arrays: [], chunks: 0 });
}
