// RAM saving, as QEMU structures it: ram_save_iterate (dirty pages, at most MAX_WAIT of work or the
// rate limit's bytes per call), qemu_fflush (the socket write, CPU-bound per byte, then limited by
// the link), migration_bitmap_sync (under the BQL), and ram_save_complete (a final sync, then
// every remaining page without a rate limit). Page work is done in batches of whole bitmap words;
// its CPU cost becomes one compute effect in the frame QEMU would be in.

import type { Kernel } from '../sim/kernel';
import type { Program } from '../sim/program';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { updateDirtyRate } from './counters';
import { syncDirtyLog, takeBatch, type Batch, type BatchBudget } from './guestRam';

/** Overhead of a ram_save_iterate call besides its pages (section header, EOS, locking). */
const ITERATE_OVERHEAD_NS = 2_000;
const GiB = 1024 ** 3;

export interface SaveFns {
  ramSaveIterate: number;
  fflush: number;
  bitmapSync: number;
  ramSaveComplete: number;
}

interface FlushLocals {
  bytes: number;
  zero: number;
  normal: number;
}

interface WritevLocals extends FlushLocals {
  /** when the write began: the wire carries data while the kernel is still copying the rest */
  start_ns: number;
}

function budget(ctx: ModelCtx, cost_ns: number, bytes: number): BatchBudget {
  const h = ctx.cfg.host;
  return {
    cost_ns,
    bytes,
    zero_page_ns: h.zero_page_ns,
    normal_page_ns: h.normal_page_ns,
    scan_ns_per_word: h.bitmap_scan_ns_per_word,
    zero_wire_bytes: QEMU.ZERO_PAGE_WIRE_BYTES,
    normal_wire_bytes: QEMU.NORMAL_PAGE_WIRE_BYTES,
  };
}

function emptyBatch(): Batch {
  return { zero_pages: 0, normal_pages: 0, bytes: 0, cost_ns: 0, wrapped: false, cursor_word: 0 };
}

/** Takes pages for one batch and does QEMU's page accounting; returns the batch. */
function saveBatch(k: Kernel, ctx: ModelCtx, cost_ns: number, bytes: number): Batch {
  const d = md(k);
  const m = d.mig;
  const b = takeBatch(d.ram, m.cursor_word, budget(ctx, cost_ns, bytes), emptyBatch());
  m.cursor_word = b.cursor_word;
  if (b.wrapped) m.passes++;
  m.duplicate_pages += b.zero_pages;
  m.normal_pages += b.normal_pages;
  m.window_pages += b.zero_pages + b.normal_pages;
  return b;
}

export function defineRamSave(p: Program, ctx: ModelCtx): SaveFns {
  const n = ctx.names;
  const ids = ctx.ids;
  const cfg = ctx.cfg;
  const host = cfg.host;

  const writev = p.fn<WritevLocals>(n.writev, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        f.l.start_ns = k.now;
        f.pc = 1;
        return k.compute(Math.round((f.l.bytes / 1024) * host.send_ns_per_kib));
      case 1: {
        // The wire takes the bytes at the link's rate from the moment the write began (the
        // kernel transmits while it copies); the sender may run ahead of the wire by one socket
        // buffer, and waits (io) beyond that.
        const link = d.link;
        const start = Math.max(f.l.start_ns, link.free_at_ns);
        link.free_at_ns = start + Math.round((f.l.bytes * 1e9) / cfg.link_bytes_per_s);
        link.bytes_total += f.l.bytes;
        d.dst.queue.push({ arrive_ns: link.free_at_ns + cfg.link_latency_ns, zero_pages: f.l.zero, normal_pages: f.l.normal });
        f.pc = 2;
        return k.semPost(ids.incoming_sem);
      }
      case 2: {
        const bufferNs = (host.socket_buffer_bytes * 1e9) / cfg.link_bytes_per_s;
        const wait = Math.round(d.link.free_at_ns - k.now - bufferNs);
        f.pc = 3;
        if (wait > 0) return k.io(wait);
        return k.ret();
      }
      default:
        return k.ret();
    }
  });

  const fflush = p.fn<FlushLocals>(n.fflush, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case 0:
        m.transferred_bytes += f.l.bytes;
        m.window_bytes += f.l.bytes;
        if (m.stage === 'stop-copy') m.downtime_bytes += f.l.bytes;
        k.progress();
        f.pc = 1;
        return k.call(writev, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal, start_ns: 0 });
      default:
        return k.ret();
    }
  });

  const findAndSave = p.fn<{ cost: number }>(n.find_and_save, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.compute(f.l.cost);
      default:
        return k.ret();
    }
  });

  /** ram_save_iterate: up to MAX_WAIT of page work or the window's remaining bytes; returns bytes via locals. */
  const ramSaveIterate = p.fn<FlushLocals>(n.ram_save_iterate, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case 0: {
        const room = m.rate_limit_bytes > 0 ? Math.max(1, m.rate_limit_bytes - m.window_bytes) : Number.MAX_SAFE_INTEGER;
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, room);
        m.iterations++;
        f.l.bytes = b.bytes + 8; // + RAM_SAVE_FLAG_EOS
        f.l.zero = b.zero_pages;
        f.l.normal = b.normal_pages;
        f.pc = 1;
        return k.call(findAndSave, { cost: b.cost_ns + ITERATE_OVERHEAD_NS });
      }
      default:
        return k.ret();
    }
  });

  const dirtyLogSync = p.fn(n.dirty_log_sync, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.compute(Math.round(host.sync_ns_fixed + (cfg.ram_bytes / GiB) * host.sync_ns_per_gib));
      default:
        return k.ret();
    }
  });

  /** migration_bitmap_sync, with the BQL already held by the caller. */
  const bitmapSync = p.fn(n.bitmap_sync, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0: {
        // KVM_GET_DIRTY_LOG fetches and clears the log at this instant; merging it costs the
        // time of the dirty_log_sync frame. Writes during that time belong to the next sync.
        m.dirty_sync_count++;
        const added = syncDirtyLog(d.ram);
        updateDirtyRate(k, added);
        m.dirty_bytes_last_sync = d.ram.dirty_pages * QEMU.PAGE_SIZE;
        m.history.push({
          sync: m.dirty_sync_count,
          time_ns: k.now,
          dirty_pages: added,
          remaining_bytes: m.dirty_bytes_last_sync,
          transferred_bytes: m.transferred_bytes,
          threshold_bytes: Math.round(m.threshold_bytes),
          bandwidth_bytes_per_ms: Math.round(m.bandwidth_bytes_per_ms),
        });
        k.emit('sync', { 'dirty-sync-count': m.dirty_sync_count, 'dirty-pages': added, remaining: m.dirty_bytes_last_sync, threshold: Math.round(m.threshold_bytes) });
        f.pc = 1;
        return k.call(dirtyLogSync, null);
      }
      default:
        return k.ret();
    }
  });

  /** ram_save_complete: final sync, then every remaining page with no rate limit. */
  const ramSaveComplete = p.fn<FlushLocals>(n.ram_save_complete, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.call(bitmapSync, null);
      case 1: {
        if (d.ram.dirty_pages === 0) {
          f.pc = 3;
          return k.call(fflush, { bytes: 8, zero: 0, normal: 0 }); // RAM_SAVE_FLAG_EOS
        }
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, Number.MAX_SAFE_INTEGER);
        f.l.bytes = b.bytes;
        f.l.zero = b.zero_pages;
        f.l.normal = b.normal_pages;
        f.pc = 2;
        return k.call(findAndSave, { cost: b.cost_ns });
      }
      case 2:
        f.pc = 1;
        return k.call(fflush, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal });
      default:
        return k.ret();
    }
  });

  return { ramSaveIterate, fflush, bitmapSync, ramSaveComplete };
}
