// XBZRLE (capability `xbzrle`, docs/xbzrle.txt): after the first pass over RAM, a normal page that
// is in the page cache is sent as an XOR-RLE delta against its cached copy; a page that is not is
// sent whole and enters the cache (FIFO), unless this is the last stage (the cache is not updated
// then). A delta longer than a page overflows and the page goes whole. The delta's size is the
// workload's `xbzrle-delta` fraction of a page. The cache is a ring of page numbers and a bitmap.

import { ChunkedArray } from '../sim/chunkedArray';
import { QEMU } from './calibration';
import type { ModelConfig } from './config';
import { markWordSent, popcount32, type Batch, type BatchBudget, type GuestRam } from './guestRam';
import type { XbzrleState } from './state';

export function createXbzrle(cfg: ModelConfig): XbzrleState {
  const cap = Math.min(cfg.xbzrle_cache_pages, cfg.pages);
  return { ring: new Int32Array(cap).fill(-1), head: 0, filled: 0, member: new ChunkedArray('u32', Math.ceil(cfg.pages / 32)), bytes: 0, pages: 0, cache_miss: 0, overflow: 0 };
}

function cached(x: XbzrleState, page: number): boolean {
  return ((x.member.get(page >>> 5) >>> (page & 31)) & 1) === 1;
}

function insert(x: XbzrleState, page: number): void {
  const old = x.ring[x.head];
  if (old >= 0) x.member.set(old >>> 5, (x.member.get(old >>> 5) & ~(1 << (old & 31))) >>> 0);
  x.ring[x.head] = page;
  x.member.set(page >>> 5, (x.member.get(page >>> 5) | (1 << (page & 31))) >>> 0);
  x.head = (x.head + 1) % x.ring.length;
  if (x.filled < x.ring.length) x.filled++;
}

/**
 * takeBatch with XBZRLE: from `cursor_word`, sends dirty pages until the budget is spent, encoding
 * normal pages found in the cache. `last_stage`: no cache updates.
 */
export function takeBatchXbzrle(ram: GuestRam, x: XbzrleState, cursor_word: number, b: BatchBudget, encode_ns: number, delta: number, last_stage: boolean, out: Batch): Batch {
  out.zero_pages = 0;
  out.normal_pages = 0;
  out.bytes = 0;
  out.cost_ns = 0;
  out.wrapped = false;
  const deltaBytes = Math.max(1, Math.round(delta * QEMU.PAGE_SIZE));
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
        if (cached(x, page)) {
          if (deltaBytes + QEMU.XBZRLE_HEADER_BYTES >= QEMU.PAGE_SIZE) {
            x.overflow++;
            out.cost_ns += b.normal_page_ns;
            out.bytes += b.normal_wire_bytes;
          } else {
            x.pages++;
            x.bytes += deltaBytes + QEMU.XBZRLE_HEADER_BYTES;
            out.cost_ns += encode_ns;
            out.bytes += deltaBytes + QEMU.XBZRLE_HEADER_BYTES;
          }
        } else {
          x.cache_miss++;
          if (!last_stage) insert(x, page);
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
    'cache-size': x.ring.length * QEMU.PAGE_SIZE,
    bytes: x.bytes,
    pages: x.pages,
    'cache-miss': x.cache_miss,
    'cache-miss-rate': lookups > 0 ? x.cache_miss / lookups : 0,
    overflow: x.overflow,
  };
}
