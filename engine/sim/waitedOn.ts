// "Who waited on whom" for one mutex: wait time charged to the thread that held it when the waiter
// arrived, per (waiter, holder) pair, in the order each pair first waited (types.ts WaitedOn).
//
// Kept for the debugger's checkpoints. At 512 vCPUs the BQL has ~266,000 pairs, and between two
// checkpoints 100,000 steps apart ~8,000 waits land on pairs spread over every waiter: a matrix of
// totals updated in place, even in copy-on-write chunks, has every chunk written between two
// checkpoints, and each checkpoint copies all of it (2 MiB). Instead a wait is appended to a log,
// and the totals are what the last fold left (`base`) plus the log: a checkpoint shares every full
// chunk of the log and of `order`, and copies only what was appended since the previous one. The
// one structure written at random, the bitmap of pairs seen, is one bit per pair (35 KiB at 512
// vCPUs) and stops changing once every pair has waited. A logged wait is eight bytes, its cell and
// its ns (a wait of 4.3 s or more, or of a fraction of a ns, goes straight into a fresh `base`);
// the checkpoints of a whole 1 TiB run hold every wait of it, 17 M of them. The log is folded into
// a new `base` once it is eight times as long as there are pairs, so a fold (a copy of the totals)
// costs one byte per logged wait.
//
// A pair's total is a sum in the order its waits happened, here as before (base, then the log in
// order), so the numbers are the same bit for bit.

import { ChunkedArray } from './chunkedArray';
import { WAITED_ON_PAIR, type WaitedOn } from './types';

const ORDER_SHIFT = 10;
/** 256 words of the bitmap (8 Ki cells) per chunk */
const SEEN_SHIFT = 8;
const BASE_SHIFT = 12;
const LOG_SHIFT = 11;
/** the shortest log that is folded (a mutex with few pairs folds every so many waits) */
const FOLD_MIN = 2048;
/** a log this many times as long as there are pairs is folded */
const FOLD_PER_PAIR = 8;

/** A side for the cells that holds `need` and leaves room for threads yet to come. */
function sideFor(need: number, threads: number): number {
  return Math.ceil(Math.max(need, threads + 1, 16) / 16) * 16;
}

function bitmap(side: number): ChunkedArray {
  return new ChunkedArray('u32', Math.ceil((side * side) / 32), SEEN_SHIFT);
}

export function createWaitedOn(threads: number): WaitedOn {
  const side = sideFor(0, threads);
  return {
    order: ChunkedArray.growable('f64', ORDER_SHIFT),
    side,
    seen: bitmap(side),
    base: new ChunkedArray('f64', 0, BASE_SHIFT),
    log_pair: ChunkedArray.growable('i32', LOG_SHIFT),
    log_ns: ChunkedArray.growable('u32', LOG_SHIFT),
  };
}

/** A bigger side for a waiter or holder id beyond it: the log (of cells) folded, the bitmap rebuilt from `order`. */
function grow(wo: WaitedOn, need: number, threads: number): void {
  fold(wo);
  const side = sideFor(Math.max(need, Math.ceil(wo.side * 1.5)), threads);
  const seen = bitmap(side);
  const order = wo.order;
  for (let i = 0; i < order.length; i++) {
    const code = order.get(i);
    const w = Math.floor(code / WAITED_ON_PAIR);
    const cell = w * side + (code - w * WAITED_ON_PAIR);
    seen.set(cell >>> 5, seen.get(cell >>> 5) | (1 << (cell & 31)));
  }
  wo.side = side;
  wo.seen = seen;
}

/** Each pair code's place in `order`. */
export function waitedOnPlaces(wo: WaitedOn): Map<number, number> {
  const place = new Map<number, number>();
  const order = wo.order;
  for (let i = 0; i < order.length; i++) place.set(order.get(i), i);
  return place;
}

/**
 * Each cell's place in `order` (a dense index, side x side: a fold looks up millions of logged
 * waits, and a Map of a quarter of a million pairs made a fold of the 1 TiB run's BQL take
 * hundreds of ms, a pause in whatever step crossed it).
 */
function cellPlaces(wo: WaitedOn): Int32Array {
  const side = wo.side;
  const idx = new Int32Array(side * side);
  const order = wo.order;
  for (let i = 0; i < order.length; i++) {
    const code = order.get(i);
    const w = Math.floor(code / WAITED_ON_PAIR);
    idx[w * side + (code - w * WAITED_ON_PAIR)] = i;
  }
  return idx;
}

/**
 * The totals so far, per pair in `order` (base plus the log, summed in the order of the waits).
 * (`_place`: waitedOnPlaces, which callers may have; the sums use a dense index of their own.)
 */
export function waitedOnTotals(wo: WaitedOn, _place?: Map<number, number>): Float64Array {
  const out = new Float64Array(wo.order.length);
  const base = wo.base;
  for (let i = 0; i < base.length; i++) out[i] = base.get(i);
  const lp = wo.log_pair;
  const ln = wo.log_ns;
  if (lp.length === 0) return out;
  const at = cellPlaces(wo);
  for (let j = 0; j < lp.length; j++) out[at[lp.get(j)]] += ln.get(j);
  return out;
}

function fold(wo: WaitedOn): void {
  const totals = waitedOnTotals(wo);
  const base = new ChunkedArray('f64', totals.length, BASE_SHIFT);
  for (let c = 0; c < base.chunkCount; c++) base.chunks[c].set(totals.subarray(c << BASE_SHIFT, (c << BASE_SHIFT) + base.chunks[c].length));
  wo.base = base;
  wo.log_pair = ChunkedArray.growable('i32', LOG_SHIFT);
  wo.log_ns = ChunkedArray.growable('u32', LOG_SHIFT);
}

/** Charges `ns` of waiting by `waiter` to `holder` (-1: unknown); `threads`: threads created so far. */
export function addWait(wo: WaitedOn, waiter: number, holder: number, ns: number, threads: number): void {
  const h1 = holder + 1;
  if (waiter >= wo.side || h1 >= wo.side) grow(wo, Math.max(waiter, h1) + 1, threads);
  const cell = waiter * wo.side + h1;
  const code = waiter * WAITED_ON_PAIR + h1;
  const seen = wo.seen;
  const word = cell >>> 5;
  const bit = 1 << (cell & 31);
  const bits = seen.chunks[word >>> SEEN_SHIFT][word & seen.mask];
  if ((bits & bit) === 0) {
    seen.set(word, bits | bit);
    wo.order.push(code);
  }
  if (ns >>> 0 !== ns) {
    // Too long (or not whole) for the log: into the totals, freshly folded and so owned here.
    fold(wo);
    const at = cellPlaces(wo)[cell];
    wo.base.set(at, wo.base.get(at) + ns);
    return;
  }
  wo.log_pair.push(cell);
  wo.log_ns.push(ns);
  if (wo.log_pair.length >= Math.max(FOLD_MIN, FOLD_PER_PAIR * wo.order.length)) fold(wo);
}
