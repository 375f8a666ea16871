// Copies of the simulation state for the debugger's checkpoints. Like engine/sim's clonePlain
// (plain data copied, ChunkedArrays shared copy-on-write, typed arrays copied), and it counts the
// heap the copy takes, for the checkpoint budget. An object reachable twice (a model that hands
// its locals to a callee, as qemu_savevm_state_iterate once did) comes back as one object
// reachable twice, so a restored run aliases exactly as the original did; the kernel's own
// snapshots refuse such state, and the debugger should not break on a model that slips.

import { ChunkedArray } from '../sim/chunkedArray';
import type { Kernel } from '../sim/kernel';
import type { Snapshot } from '../sim/snapshot';
import type { SimState } from '../sim/types';

/** Heap bytes of the plain part of the last state cloned: a rough count of objects and slots. */
let plainBytes = 0;
const OBJECT_BYTES = 32;
const SLOT_BYTES = 16;

function cloneValue(v: unknown, memo: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const done = memo.get(v);
  if (done !== undefined) return done;
  plainBytes += OBJECT_BYTES;
  if (Array.isArray(v)) {
    const n = v.length;
    plainBytes += n * SLOT_BYTES;
    const out = new Array<unknown>(n);
    memo.set(v, out);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      out[i] = x === null || typeof x !== 'object' ? x : cloneValue(x, memo);
    }
    return out;
  }
  if (v instanceof ChunkedArray) {
    const c = v.share();
    memo.set(v, c);
    return c;
  }
  if (ArrayBuffer.isView(v)) {
    const c = (v as unknown as { slice(): unknown }).slice();
    memo.set(v, c);
    return c;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`simulation state must be plain data; found an instance of ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`);
  }
  const out: Record<string, unknown> = {};
  memo.set(v, out);
  for (const key in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[key];
    plainBytes += SLOT_BYTES;
    out[key] = x === null || typeof x !== 'object' ? x : cloneValue(x, memo);
  }
  return out;
}

export function cloneState(s: SimState): SimState {
  return cloneValue(s, new Map()) as SimState;
}

/** A snapshot, and the heap bytes its plain data takes (RAM chunks not counted). */
export function takeCheckpointSnapshot(k: Kernel): { snap: Snapshot; plain_bytes: number } {
  plainBytes = 0;
  const state = cloneState(k.s);
  return { snap: { state, decisions: k.log.tid.length }, plain_bytes: plainBytes };
}

export function restoreCheckpointSnapshot(k: Kernel, snap: Snapshot): void {
  k.s = cloneState(snap.state);
}
