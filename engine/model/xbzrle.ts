// XBZRLE (capability `xbzrle`, docs/xbzrle.txt; QEMU 7.2's migration/ram.c save_xbzrle_page and
// migration/page_cache.c): after the first pass over RAM, a normal page found in the page cache is
// sent as an XOR-RLE delta against its cached copy (8-byte page header, 1-byte ENCODING_FLAG_XBZRLE,
// 2-byte length, then the encoding); a page that is not cached is sent whole and inserted, unless
// this is the last stage (the cache is not updated then). A delta that would not fit a page
// overflows and the page goes whole. The cache is direct-mapped, as page_cache.c's is: page p
// lives in slot p mod the cache's pages (a power of two); an insert does not evict a page that was
// inserted or hit within the last CACHED_PAGE_LIFETIME (2) syncs. What a delta encodes comes from
// the workload: QEMU's migration-test guest increments byte 0 of each page, so its delta is
// xbzrle_encode_buffer's 3 bytes (zero-run 0, one changed byte, the byte); other workloads give
// the fraction of a rewritten page that changed (`xbzrle-delta`).

import { QEMU } from './calibration';
import type { ModelConfig, WorkloadParams } from './config';
import { markWordSent, popcount32, type Batch, type BatchBudget, type GuestRam } from './guestRam';
import type { XbzrleState } from './state';

/** page_cache.c: an entry inserted or hit within this many syncs is not replaced */
const CACHED_PAGE_LIFETIME = 2;

/** The cache's pages: page_cache.c wants a power of two; the model takes the largest one that fits. */
export function cachePages(cfg: ModelConfig): number {
  const want = Math.max(1, Math.min(cfg.xbzrle_cache_pages, 2 ** 30));
  return 2 ** Math.floor(Math.log2(want));
}

/** xbzrle_encode_buffer's output for a rewritten page of this workload, in bytes. */
export function encodedBytes(w: WorkloadParams): number {
  // uleb128(zero run 0) + uleb128(non-zero run 1) + the changed byte
  if (w.kind === 'migration-test') return 3;
  // a changed run of delta × 4 KiB bytes, with its two run lengths (1-2 bytes each)
  const changed = Math.round(w.xbzrle_delta * QEMU.PAGE_SIZE);
  return changed + (changed < 128 ? 2 : 4);
}

export function createXbzrle(cfg: ModelConfig): XbzrleState {
  const cap = cachePages(cfg);
  return { slot_page: new Int32Array(cap).fill(-1), slot_age: new Int32Array(cap), bytes: 0, pages: 0, cache_miss: 0, overflow: 0 };
}

/** cache_is_cached: a hit refreshes the entry's age. */
function cached(x: XbzrleState, page: number, age: number): boolean {
  const slot = page & (x.slot_page.length - 1);
  if (x.slot_page[slot] !== page) return false;
  x.slot_age[slot] = age;
  return true;
}

/** cache_insert: refused if the slot holds another page that is still fresh. */
function insert(x: XbzrleState, page: number, age: number): void {
  const slot = page & (x.slot_page.length - 1);
  const held = x.slot_page[slot];
  if (held >= 0 && held !== page && x.slot_age[slot] + CACHED_PAGE_LIFETIME > age) return;
  x.slot_page[slot] = page;
  x.slot_age[slot] = age;
}

/**
 * takeBatch with XBZRLE: from `cursor_word`, sends dirty pages until the budget is spent, encoding
 * normal pages found in the cache. `last_stage`: no cache updates.
 */
export function takeBatchXbzrle(ram: GuestRam, x: XbzrleState, cursor_word: number, b: BatchBudget, encode_ns: number, encoded: number, age: number, last_stage: boolean, out: Batch): Batch {
  out.zero_pages = 0;
  out.normal_pages = 0;
  out.bytes = 0;
  out.cost_ns = 0;
  out.wrapped = false;
  // save_page_header (8) + ENCODING_FLAG_XBZRLE (1) + be16 length (2) + the encoding
  const deltaWire = QEMU.XBZRLE_HEADER_BYTES + encoded;
  const overflows = encoded > QEMU.PAGE_SIZE - 2;
  let w = cursor_word >= ram.words ? 0 : cursor_word;
  let visited = 0;
  while (ram.dirty_pages > 0 && out.cost_ns < b.cost_ns && out.bytes < b.bytes && out.zero_pages + out.normal_pages < b.max_pages) {
    if (visited++ > ram.words) throw new Error('takeBatchXbzrle: bmap count says pages are dirty but none was found');
    const bits = ram.bmap.get(w);
    if (bits === 0) {
      out.cost_ns += b.scan_ns_per_word;
    } else {
      const z = ram.zero.get(w);
      const zeros = (bits & z) >>> 0;
      const nz = popcount32(zeros);
      out.zero_pages += nz;
      out.cost_ns += nz * b.zero_page_ns;
      out.bytes += nz * b.zero_wire_bytes;
      let normals = (bits & ~z) >>> 0;
      let sent = zeros;
      while (normals !== 0) {
        // the rate limit, checked before each page (migration_rate_exceeded)
        if (out.bytes >= b.bytes) break;
        const bit = 31 - Math.clz32(normals);
        normals = (normals & ~(1 << bit)) >>> 0;
        sent = (sent | (1 << bit)) >>> 0;
        const page = w * 32 + bit;
        out.normal_pages++;
        if (cached(x, page, age)) {
          x.pages++;
          out.cost_ns += encode_ns;
          if (overflows) {
            x.overflow++;
            x.bytes += QEMU.PAGE_SIZE;
            out.cost_ns += b.normal_page_ns;
            out.bytes += b.normal_wire_bytes;
          } else {
            // xbzrle-cache.bytes leaves out the 8-byte page header (ram.c)
            x.bytes += deltaWire - 8;
            out.bytes += deltaWire;
          }
        } else {
          x.cache_miss++;
          if (!last_stage) insert(x, page, age);
          out.cost_ns += b.normal_page_ns;
          out.bytes += b.normal_wire_bytes;
        }
      }
      markWordSent(ram, w >>> ram.bmap.shift, w & ram.bmap.mask, sent, popcount32(sent));
      if (sent !== bits) break; // the rest of the word waits for the next window
    }
    w++;
    if (w >= ram.words) {
      w = 0;
      out.wrapped = true;
    }
  }
  out.cost_ns = Math.round(out.cost_ns);
  out.cursor_word = w;
  return out;
}

/** query-migrate's xbzrle-cache (XBZRLECacheStats). */
export function xbzrleStats(x: XbzrleState): Record<string, number> {
  const lookups = x.pages + x.cache_miss + x.overflow;
  return {
    'cache-size': x.slot_page.length * QEMU.PAGE_SIZE,
    bytes: x.bytes,
    pages: x.pages,
    'cache-miss': x.cache_miss,
    'cache-miss-rate': lookups > 0 ? x.cache_miss / lookups : 0,
    overflow: x.overflow,
  };
}
