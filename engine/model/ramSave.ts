// RAM saving, as QEMU structures it: ram_save_iterate (dirty pages, at most MAX_WAIT of work or the
// rate limit's bytes per call), qemu_fflush (the socket write, CPU-bound per byte, then limited by
// the link), migration_bitmap_sync (its caller holds the BQL, or the RAM-list lock in the 2012
// proposal), and ram_save_complete (a final sync, then every remaining page with no rate limit).
// Page work is done in batches of whole bitmap words; its CPU cost becomes one compute effect in
// the frame QEMU would be in. Designs with sender threads queue 128-page packets to them instead
// of writing the main stream (multifd.ts).

import type { Kernel } from '../sim/kernel';
import type { Program } from '../sim/program';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { updateDirtyRate } from './counters';
import { syncDirtyLog, takeBatch, type Batch, type BatchBudget } from './guestRam';
import { takeBatchXbzrle } from './xbzrle';
import { defineWritev } from './network';
import type { MultifdFns } from './multifd';

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


function budget(ctx: ModelCtx, cost_ns: number, bytes: number, max_pages: number): BatchBudget {
  const h = ctx.cfg.host;
  const senders = ctx.cfg.profile.senders;
  return {
    cost_ns,
    bytes,
    max_pages,
    // With sender threads the migration thread only finds and queues pages; senders do the rest.
    zero_page_ns: senders ? h.multifd_queue_ns_per_page : h.zero_page_ns,
    normal_page_ns: senders ? h.multifd_queue_ns_per_page : h.normal_page_ns,
    scan_ns_per_word: h.bitmap_scan_ns_per_word,
    zero_wire_bytes: QEMU.ZERO_PAGE_WIRE_BYTES,
    normal_wire_bytes: QEMU.NORMAL_PAGE_WIRE_BYTES,
  };
}

function emptyBatch(): Batch {
  return { zero_pages: 0, normal_pages: 0, bytes: 0, cost_ns: 0, wrapped: false, cursor_word: 0 };
}

/** Takes pages for one batch and does QEMU's page accounting; returns the batch. */
function saveBatch(k: Kernel, ctx: ModelCtx, cost_ns: number, bytes: number, max_pages: number): Batch {
  const d = md(k);
  const m = d.mig;
  const cfg = ctx.cfg;
  const b = budget(ctx, cost_ns, bytes, max_pages);
  const out = emptyBatch();
  if (d.xbzrle !== null && m.passes >= 1) {
    takeBatchXbzrle(d.ram, d.xbzrle, m.cursor_word, b, cfg.host.xbzrle_encode_ns, cfg.workload.xbzrle_delta, m.stage === 'stop-copy', out);
  } else {
    takeBatch(d.ram, m.cursor_word, b, out);
  }
  m.cursor_word = out.cursor_word;
  if (out.wrapped) m.passes++;
  m.duplicate_pages += out.zero_pages;
  m.normal_pages += out.normal_pages;
  m.window_pages += out.zero_pages + out.normal_pages;
  return out;
}

export function defineRamSave(p: Program, ctx: ModelCtx, mf: MultifdFns | null): SaveFns {
  const n = ctx.names;
  const cfg = ctx.cfg;
  const host = cfg.host;
  const keepSyncing = cfg.bugs.has('aa723c23147e');

  const writev = defineWritev(p, ctx);

  const fflush = p.fn<FlushLocals>(n.fflush, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case 0:
        if (m.error !== '') return k.ret(); // the stream already failed
        m.transferred_bytes += f.l.bytes;
        m.window_bytes += f.l.bytes;
        // Progress for the watchdog: sending is progress, except in stop-and-copy, which must
        // end by itself; a stop-copy that runs past the watchdog is a hang.
        if (m.stage === 'stop-copy') m.downtime_bytes += f.l.bytes;
        else k.progress();
        f.pc = 1;
        return k.call(writev, { bytes: f.l.bytes, ch: 0, zero: f.l.zero, normal: f.l.normal, start_ns: 0 });
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

  const queuePage = p.fn<{ cost: number }>(n.multifd_queue_page, (k, f) => {
    if (f.pc === 1) return k.ret();
    f.pc = 1;
    return k.compute(f.l.cost);
  });

  /** ram_save_iterate on the main stream: up to MAX_WAIT of page work or the window's remaining bytes. */
  const ramSaveIterateStream = p.fn<FlushLocals>(n.ram_save_iterate, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case 0: {
        const room = m.rate_limit_bytes > 0 ? Math.max(1, m.rate_limit_bytes - m.window_bytes) : Number.MAX_SAFE_INTEGER;
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, room, Number.MAX_SAFE_INTEGER);
        m.iterations++;
        // Into the QEMUFile's buffer; qemu_savevm_state_iterate's caller flushes it.
        m.file_bytes += b.bytes + 8; // + RAM_SAVE_FLAG_EOS
        m.file_zero_pages += b.zero_pages;
        m.file_normal_pages += b.normal_pages;
        f.pc = 1;
        return k.call(findAndSave, { cost: b.cost_ns + ITERATE_OVERHEAD_NS });
      }
      default:
        return k.ret();
    }
  });

  /**
   * ram_save_iterate with sender threads: packets of up to 128 pages to the channels, for at most
   * MAX_WAIT of the migration thread's time or the window's bytes; a sync of the channels each
   * time the walk completes a round over RAM. Nothing is left for the main stream to flush.
   */
  const ramSaveIterateSenders = p.fn<FlushLocals & { started_ns: number; wrapped: boolean }>(n.ram_save_iterate, (k, f) => {
    const d = md(k);
    const m = d.mig;
    const send = mf as MultifdFns;
    switch (f.pc) {
      case 0:
        f.l.started_ns = k.now;
        m.iterations++;
        f.pc = 1;
        return k.yieldNow();
      case 1: {
        const room = m.rate_limit_bytes > 0 ? m.rate_limit_bytes - m.window_bytes : Number.MAX_SAFE_INTEGER;
        if (d.ram.dirty_pages === 0 || room <= 0 || k.now - f.l.started_ns >= QEMU.MAX_WAIT_NS || m.error !== '') {
          m.file_bytes += 8; // RAM_SAVE_FLAG_EOS, for the caller's flush
          m.file_zero_pages += f.l.zero; // PASS1: the old shared-locals flush re-sent the last batch's page counts
          m.file_normal_pages += f.l.normal;
          return k.ret();
        }
        const b = saveBatch(k, ctx, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, QEMU.MULTIFD_PACKET_PAGES);
        f.l.zero = b.zero_pages;
        f.l.normal = b.normal_pages;
        f.l.bytes = send.packetBytes(b.zero_pages, b.normal_pages);
        f.l.wrapped = b.wrapped;
        f.pc = 2;
        return k.call(queuePage, { cost: b.cost_ns });
      }
      case 2:
        f.pc = 3;
        if (f.l.zero + f.l.normal === 0) return k.yieldNow();
        return k.call(send.send, { zero: f.l.zero, normal: f.l.normal, bytes: f.l.bytes });
      default:
        f.pc = 1;
        if (f.l.wrapped) return k.call(send.syncMain, { i: 0, phase: 0 }); // find_dirty_block → multifd sync per round
        return k.yieldNow();
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

  /** migration_bitmap_sync, with the BQL (or the RAM-list lock) already held by the caller. Returns the pages it found. */
  const bitmapSync = p.fn<{ added: number }>(n.bitmap_sync, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0: {
        // KVM_GET_DIRTY_LOG fetches and clears the log at this instant; merging it costs the
        // time of the dirty_log_sync frame. Writes during that time belong to the next sync.
        m.dirty_sync_count++;
        const added = syncDirtyLog(d.ram);
        f.l.added = added;
        updateDirtyRate(k, ctx, added);
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
        return k.ret(f.l.added);
    }
  });

  /**
   * ram_save_complete: a final sync, then every remaining page with no rate limit (through the
   * senders, then a sync of the channels, in designs that have them). With aa723c23147e the vCPUs
   * may still be running: the 2012 last stage then syncs again whenever it has sent everything,
   * until a sync comes back clean — which never happens while the guest keeps writing.
   */
  const ramSaveComplete = p.fn<FlushLocals & { found: number }>(n.ram_save_complete, (k, f, th) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.call(bitmapSync, { added: 0 });
      case 1: {
        if (m.error !== '') return k.ret();
        if (d.ram.dirty_pages === 0) {
          if (mf !== null) {
            f.pc = 4;
            return k.call(mf.syncMain, { i: 0, phase: 0 });
          }
          f.pc = 4;
          return k.call(fflush, { bytes: 8, zero: 0, normal: 0 }); // RAM_SAVE_FLAG_EOS
        }
        if (mf !== null) {
          const b = saveBatch(k, ctx, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, QEMU.MULTIFD_PACKET_PAGES);
          f.l.zero = b.zero_pages;
          f.l.normal = b.normal_pages;
          f.l.bytes = mf.packetBytes(b.zero_pages, b.normal_pages);
          f.pc = 3;
          return k.call(queuePage, { cost: b.cost_ns });
        }
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        f.l.bytes = b.bytes;
        f.l.zero = b.zero_pages;
        f.l.normal = b.normal_pages;
        f.pc = 2;
        return k.call(findAndSave, { cost: b.cost_ns });
      }
      case 2:
        f.pc = 1;
        return k.call(fflush, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal });
      case 3:
        f.pc = 1;
        if (f.l.zero + f.l.normal === 0) return k.yieldNow();
        return k.call((mf as MultifdFns).send, { zero: f.l.zero, normal: f.l.normal, bytes: f.l.bytes });
      case 4:
        if (!keepSyncing || m.error !== '') return k.ret();
        f.pc = 5;
        return k.call(bitmapSync, { added: 0 });
      default:
        f.l.found = th.result;
        if (f.l.found === 0) return k.ret();
        f.pc = 1;
        return k.yieldNow();
    }
  });

  return { ramSaveIterate: cfg.profile.senders ? ramSaveIterateSenders : ramSaveIterateStream, fflush, bitmapSync, ramSaveComplete };
}
