// Guest RAM as four bitmaps of one bit per 4 KiB page, in copy-on-write chunks (a 128 GiB guest is
// 33.5 M pages: 4 MiB per bitmap, never an object per page):
//  - dirty_log: pages written since the last migration_bitmap_sync (KVM's dirty log);
//  - bmap: the migration bitmap, pages still to send (RAMBlock.bmap);
//  - zero: pages whose content is all zero (sent as 9-byte zero-page records);
//  - stale: pages whose destination copy differs from the source (written after their last send,
//    or holding data never sent). At switchover a stale page is data lost.
// The invariant stale ⊆ dirty_log ∪ bmap holds between operations: a write sets dirty_log and
// stale, a sync moves dirty_log into bmap, a send clears bmap and stale.

import { ChunkedArray } from '../sim/chunkedArray';

/** 2^14 words of 32 pages per chunk: 512 Ki pages (2 GiB of guest RAM) per chunk. */
const SHIFT = 14;
const WORDS_PER_CHUNK = 1 << SHIFT;

export interface GuestRam {
  pages: number;
  words: number;
  dirty_log: ChunkedArray;
  bmap: ChunkedArray;
  zero: ChunkedArray;
  stale: ChunkedArray;
  /** set bits of bmap per chunk, so scans skip empty chunks */
  bmap_chunk_pages: Int32Array;
  /** 1 where a chunk of dirty_log may hold set bits */
  log_chunk_touched: Uint8Array;
  /** popcount(bmap): QEMU's migration_dirty_pages */
  dirty_pages: number;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Mask of the valid page bits of word `w` (the last word may be partial). */
function validMask(ram: { pages: number }, w: number): number {
  const rest = ram.pages - w * 32;
  return rest >= 32 ? 0xffffffff : rest <= 0 ? 0 : ((1 << rest) - 1) >>> 0;
}

/**
 * RAM with pages [0, nonzero) holding data and the rest zero, nothing to send. The dirty log is
 * clean, or all set when `dirtyAtStart` (the 2012 RAM dirty flags, set at allocation, which only
 * a sync at setup cleared: 79536f4f1693).
 */
export function createGuestRam(pages: number, nonzero: number, dirtyAtStart = false): GuestRam {
  const words = Math.ceil(pages / 32);
  const chunks = Math.ceil(words / WORDS_PER_CHUNK);
  const ram: GuestRam = {
    pages,
    words,
    dirty_log: new ChunkedArray('u32', words, SHIFT),
    bmap: new ChunkedArray('u32', words, SHIFT),
    zero: new ChunkedArray('u32', words, SHIFT),
    stale: new ChunkedArray('u32', words, SHIFT),
    bmap_chunk_pages: new Int32Array(chunks),
    log_chunk_touched: new Uint8Array(chunks),
    dirty_pages: 0,
  };
  for (let w = 0; w < words; w++) {
    const valid = validMask(ram, w);
    const first = w * 32;
    let nz = 0;
    if (nonzero >= first + 32) nz = valid;
    else if (nonzero > first) nz = ((1 << (nonzero - first)) - 1) >>> 0;
    ram.zero.set(w, (valid & ~nz) >>> 0);
    // The destination starts with zeroed RAM: pages with data are stale until sent.
    ram.stale.set(w, nz);
    if (dirtyAtStart) ram.dirty_log.set(w, valid);
  }
  if (dirtyAtStart) ram.log_chunk_touched.fill(1);
  return ram;
}

/** A guest write to pages [start, start + len): dirty in the log, stale at the destination, no longer zero. */
export function dirtyRange(ram: GuestRam, start: number, len: number): void {
  const end = Math.min(ram.pages, start + len);
  let p = start;
  while (p < end) {
    const w = p >>> 5;
    const bit = p & 31;
    const n = Math.min(32 - bit, end - p);
    const mask = n === 32 ? 0xffffffff : (((1 << n) - 1) << bit) >>> 0;
    const c = w >>> SHIFT;
    const i = w & (WORDS_PER_CHUNK - 1);
    // Pages already dirty (a working set written again between two syncs) leave the chunks as
    // they are: not copied from a checkpoint's for a write that changes no bit.
    if ((~ram.dirty_log.chunks[c][i] & mask) !== 0) {
      const log = ram.dirty_log.writable(c);
      log[i] = (log[i] | mask) >>> 0;
    }
    if ((~ram.stale.chunks[c][i] & mask) !== 0) {
      const stale = ram.stale.writable(c);
      stale[i] = (stale[i] | mask) >>> 0;
    }
    const zc = ram.zero.chunks[c];
    if ((zc[i] & mask) !== 0) {
      const z = ram.zero.writable(c);
      z[i] = (z[i] & ~mask) >>> 0;
    }
    ram.log_chunk_touched[c] = 1;
    p += n;
  }
}

/** migration_bitmap_sync's merge: bmap |= dirty_log, dirty_log = 0. Returns the pages newly added to bmap. */
export function syncDirtyLog(ram: GuestRam): number {
  let added = 0;
  const chunks = ram.log_chunk_touched.length;
  for (let c = 0; c < chunks; c++) {
    if (ram.log_chunk_touched[c] === 0) continue;
    ram.log_chunk_touched[c] = 0;
    const logR = ram.dirty_log.chunks[c];
    let log: ReturnType<ChunkedArray['writable']> | null = null;
    let bm: ReturnType<ChunkedArray['writable']> | null = null;
    let chunkAdded = 0;
    for (let i = 0; i < logR.length; i++) {
      const l = logR[i];
      if (l === 0) continue;
      if (log === null) log = ram.dirty_log.writable(c);
      const fresh = (l & ~ram.bmap.chunks[c][i]) >>> 0;
      if (fresh !== 0) {
        // (bmap's chunk is copied from a checkpoint's only when a bit of it changes)
        if (bm === null) bm = ram.bmap.writable(c);
        chunkAdded += popcount32(fresh);
        bm[i] = (bm[i] | l) >>> 0;
      }
      log[i] = 0;
    }
    ram.bmap_chunk_pages[c] += chunkAdded;
    added += chunkAdded;
  }
  ram.dirty_pages += added;
  return added;
}

/**
 * ram_save_setup's bitmap_set(bmap, first, pages): every page from `first` on is to be sent once
 * (`first` is 1 with the 7ec81e56edc2 off-by-one, which leaves page 0 out).
 */
export function markAllForSend(ram: GuestRam, first = 0): void {
  // Every word all ones, as shared chunks (a 1 TiB guest has 8 Mi words: setting them one by one
  // took 70-240 ms, at every replay through setup); then the last word's pages past the end and
  // the pages before `first` cleared.
  ram.bmap.fillShared(0xffffffff);
  if (ram.words > 0) ram.bmap.set(ram.words - 1, validMask(ram, ram.words - 1));
  if (first > 0 && ram.words > 0) ram.bmap.set(0, (ram.bmap.get(0) & ~((1 << Math.min(first, 31)) - 1)) >>> 0);
  for (let c = 0; c < ram.bmap_chunk_pages.length; c++) {
    const start = c * WORDS_PER_CHUNK * 32;
    ram.bmap_chunk_pages[c] = Math.max(0, Math.min(ram.pages - start, WORDS_PER_CHUNK * 32)) - (c === 0 ? Math.min(first, ram.pages) : 0);
  }
  ram.dirty_pages = ram.pages - Math.min(first, ram.pages);
}

/** Costs and limits of one batch taken from bmap. */
export interface BatchBudget {
  /** stop once this much CPU time was spent (MAX_WAIT) */
  cost_ns: number;
  /** stop once this many bytes were produced (rate limit) */
  bytes: number;
  /** stop once this many pages were taken (a multifd packet); whole words, so up to 31 more */
  max_pages: number;
  zero_page_ns: number;
  normal_page_ns: number;
  scan_ns_per_word: number;
  zero_wire_bytes: number;
  normal_wire_bytes: number;
}

export interface Batch {
  zero_pages: number;
  normal_pages: number;
  bytes: number;
  cost_ns: number;
  /** the scan reached the end of RAM and wrapped to page 0 (a pass over RAM completed) */
  wrapped: boolean;
  cursor_word: number;
}

/**
 * ram_find_and_save_block in a loop: from `cursor_word`, sends dirty pages (clearing bmap and
 * stale) until the budget is spent or nothing is left. Whole words of 32 pages at a time, as
 * QEMU checks its time budget only every 64 pages.
 */
export function takeBatch(ram: GuestRam, cursor_word: number, b: BatchBudget, out: Batch): Batch {
  out.zero_pages = 0;
  out.normal_pages = 0;
  out.bytes = 0;
  out.cost_ns = 0;
  out.wrapped = false;
  let w = cursor_word >= ram.words ? 0 : cursor_word;
  let visitedWords = 0;
  while (ram.dirty_pages > 0 && out.cost_ns < b.cost_ns && out.bytes < b.bytes && out.zero_pages + out.normal_pages < b.max_pages) {
    if (visitedWords > ram.words) throw new Error('takeBatch: bmap count says pages are dirty but none was found');
    const c = w >>> SHIFT;
    if (ram.bmap_chunk_pages[c] === 0) {
      // Skip the chunk; scanning it still costs what the host pays for clean words.
      const next = Math.min((c + 1) << SHIFT, ram.words);
      out.cost_ns += (next - w) * b.scan_ns_per_word;
      visitedWords += next - w;
      w = next;
    } else {
      const i = w & (WORDS_PER_CHUNK - 1);
      const bits = ram.bmap.chunks[c][i];
      if (bits === 0) {
        out.cost_ns += b.scan_ns_per_word;
      } else {
        const z = ram.zero.chunks[c][i];
        // QEMU checks the rate limit before each page: a word that would overshoot the byte
        // budget is sent only up to the page that reaches it (migration_rate_exceeded).
        const take = pagesWithin(bits, z, b.bytes - out.bytes, b.zero_wire_bytes, b.normal_wire_bytes);
        const nz = popcount32(take & z);
        const nn = popcount32(take & ~z);
        out.zero_pages += nz;
        out.normal_pages += nn;
        out.cost_ns += nz * b.zero_page_ns + nn * b.normal_page_ns;
        out.bytes += nz * b.zero_wire_bytes + nn * b.normal_wire_bytes;
        markWordSent(ram, c, i, take, nz + nn);
        if (take !== bits) break; // the rest of the word waits for the next window
      }
      w++;
      visitedWords++;
    }
    if (w >= ram.words) {
      w = 0;
      out.wrapped = true;
    }
  }
  out.cost_ns = Math.round(out.cost_ns);
  out.cursor_word = w;
  return out;
}

/**
 * The dirty pages `bits` (zero pages where `zero` is set) that fit `room` bytes: all of them, or the
 * lowest ones up to and including the page that reaches `room` (at least one page: QEMU sends a
 * page whenever the limit is not yet exceeded).
 */
export function pagesWithin(bits: number, zero: number, room: number, zeroBytes: number, normalBytes: number): number {
  const full = popcount32(bits & zero) * zeroBytes + popcount32(bits & ~zero) * normalBytes;
  if (full <= room) return bits;
  let take = 0;
  let bytes = 0;
  let rest = bits;
  while (rest !== 0 && (take === 0 || bytes < room)) {
    const bit = (rest & -rest) >>> 0;
    take = (take | bit) >>> 0;
    rest = (rest & ~bit) >>> 0;
    bytes += (zero & bit) !== 0 ? zeroBytes : normalBytes;
  }
  return take;
}

/**
 * The pages `bits` of word `i` in chunk `c` (`count` of them) were sent:
 * no longer to send, no longer stale at the destination.
 */
export function markWordSent(ram: GuestRam, c: number, i: number, bits: number, count: number): void {
  const bm = ram.bmap.writable(c);
  bm[i] = (bm[i] & ~bits) >>> 0;
  const st = ram.stale.chunks[c][i];
  if ((st & bits) !== 0) ram.stale.writable(c)[i] = (st & ~bits) >>> 0;
  ram.bmap_chunk_pages[c] -= count;
  ram.dirty_pages -= count;
}

/** Pages whose destination copy is out of date. */
/** The first page stale at the destination and not queued to send (certainly lost once no sync will run), or -1. */
export function firstLostPage(ram: GuestRam): number {
  const chunks = ram.stale.chunks;
  for (let c = 0; c < chunks.length; c++) {
    const st = chunks[c];
    const bm = ram.bmap.chunks[c];
    for (let i = 0; i < st.length; i++) {
      const lost = (st[i] & ~bm[i]) >>> 0;
      if (lost !== 0) return ((c << SHIFT) + i) * 32 + (31 - Math.clz32(lost & -lost));
    }
  }
  return -1;
}

export function countStale(ram: GuestRam): number {
  let n = 0;
  for (const chunk of ram.stale.chunks) for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) n += popcount32(chunk[i]);
  return n;
}

/** Zero pages of guest RAM. */
export function countZero(ram: GuestRam): number {
  let n = 0;
  for (const chunk of ram.zero.chunks) for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) n += popcount32(chunk[i]);
  return n;
}

/** Checks that the bookkeeping matches the bitmaps (tests, and debug builds of the model). */
export function checkRamInvariants(ram: GuestRam): string | null {
  let total = 0;
  for (let c = 0; c < ram.bmap.chunkCount; c++) {
    let n = 0;
    const chunk = ram.bmap.chunks[c];
    for (let i = 0; i < chunk.length; i++) n += popcount32(chunk[i]);
    if (n !== ram.bmap_chunk_pages[c]) return `bmap chunk ${c}: ${n} pages set but the count says ${ram.bmap_chunk_pages[c]}`;
    total += n;
  }
  if (total !== ram.dirty_pages) return `bmap holds ${total} pages but dirty_pages is ${ram.dirty_pages}`;
  for (let w = 0; w < ram.words; w++) {
    const stale = ram.stale.get(w);
    const covered = (ram.dirty_log.get(w) | ram.bmap.get(w)) >>> 0;
    if ((stale & ~covered) !== 0) return `a page in ${w * 32}..${w * 32 + 31} is stale but neither dirty nor queued to send`;
    if ((stale & ram.zero.get(w)) !== 0) {
      // A zero page can be stale only if it was never written and the destination is zero too: not possible.
      return `word ${w}: a page is both zero and stale`;
    }
  }
  return null;
}
