// RAM saving, as QEMU structures it: ram_save_iterate (dirty pages, at most MAX_WAIT of work or the
// rate limit's bytes per call), qemu_fflush (the socket write, CPU-bound per byte, then limited by
// the link), migration_bitmap_sync (its caller holds the BQL, or the RAM-list lock in the 2012
// proposal), and ram_save_complete (a final sync, then every remaining page with no rate limit).
// Page work is done in batches of whole bitmap words; its CPU cost becomes one compute effect in
// the frame QEMU would be in. Designs with sender threads queue 128-page packets to them instead
// of writing the main stream (multifd.ts).

import type { Kernel } from '../sim/kernel';
import { steps, type Program } from '../sim/program';
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

  const writev = defineWritev(p, ctx);

  const FLUSH = steps({
    account: 'if (qemu_file_get_error(f)) return; qemu_file_transferred += buf_index;',
    write: `${n.writev}(f->ioc, f->iov, f->iovcnt);`,
    ret: 'return;',
  });
  const fflush = p.fn<FlushLocals>(n.fflush, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case FLUSH.account:
        if (m.error !== '') return k.ret(); // the stream already failed
        m.transferred_bytes += f.l.bytes;
        m.window_bytes += f.l.bytes;
        // Progress for the watchdog: sending is progress, except in stop-and-copy, which must
        // end by itself; a stop-copy that runs past the watchdog is a hang.
        if (m.stage === 'stop-copy') m.downtime_bytes += f.l.bytes;
        else k.progress();
        return k.jump(FLUSH.write);
      case FLUSH.write:
        f.pc = FLUSH.ret;
        return k.call(writev, { bytes: f.l.bytes, ch: 0, zero: f.l.zero, normal: f.l.normal, start_ns: 0 });
      default:
        return k.ret();
    }
  }, FLUSH);

  const FIND = steps({ find: 'pss.page = find_dirty_block(rs, &pss); ram_save_host_page(rs, &pss); /* the batch of pages */', ret: 'return pages;' });
  const findAndSave = p.fn<{ cost: number }>(n.find_and_save, (k, f) => {
    switch (f.pc) {
      case FIND.find:
        f.pc = FIND.ret;
        return k.compute(f.l.cost);
      default:
        return k.ret();
    }
  }, FIND);

  const QUEUE = steps({ queue: 'multifd_queue_page(block, offset); /* the packet\'s pages */', ret: 'return true;' });
  const queuePage = p.fn<{ cost: number }>(n.multifd_queue_page, (k, f) => {
    if (f.pc === QUEUE.ret) return k.ret();
    f.pc = QUEUE.ret;
    return k.compute(f.l.cost);
  }, QUEUE);

  /** ram_save_iterate on the main stream: up to MAX_WAIT of page work or the window's remaining bytes. */
  const ITS = steps({
    find: `while ((ret = migration_rate_exceeded(f)) == 0) { pages = ${n.find_and_save}(rs); ... if (t1 > MAX_WAIT) break; }`,
    ret: 'qemu_put_be64(f, RAM_SAVE_FLAG_EOS); return done;',
  });
  const ramSaveIterateStream = p.fn<FlushLocals>(n.ram_save_iterate, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case ITS.find: {
        const room = m.rate_limit_bytes > 0 ? Math.max(1, m.rate_limit_bytes - m.window_bytes) : Number.MAX_SAFE_INTEGER;
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, room, Number.MAX_SAFE_INTEGER);
        m.iterations++;
        // Into the QEMUFile's buffer; qemu_savevm_state_iterate's caller flushes it.
        m.file_bytes += b.bytes + 8; // + RAM_SAVE_FLAG_EOS
        m.file_zero_pages += b.zero_pages;
        m.file_normal_pages += b.normal_pages;
        f.pc = ITS.ret;
        return k.call(findAndSave, { cost: b.cost_ns + ITERATE_OVERHEAD_NS });
      }
      default:
        return k.ret();
    }
  }, ITS);

  /**
   * ram_save_iterate with sender threads: packets of up to 128 pages to the channels, for at most
   * MAX_WAIT of the migration thread's time or the window's bytes; a sync of the channels each
   * time the walk completes a round over RAM. Nothing is left for the main stream to flush.
   */
  const ITM = steps({
    start: 't0 = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);',
    loop: 'while ((ret = migration_rate_exceeded(f)) == 0 && t1 - t0 < MAX_WAIT) { pss.page = find_dirty_block(rs, &pss); /* 128 pages */',
    send: '    ram_save_multifd_page(block, offset); /* multifd_send(): hand the packet to a channel */',
    round: '    if (pss.complete_round) multifd_ram_flush_and_sync(f); }',
  });
  const ramSaveIterateSenders = p.fn<FlushLocals & { started_ns: number; wrapped: boolean }>(n.ram_save_iterate, (k, f) => {
    const d = md(k);
    const m = d.mig;
    const send = mf as MultifdFns;
    switch (f.pc) {
      case ITM.start:
        f.l.started_ns = k.now;
        m.iterations++;
        return k.jump(ITM.loop);
      case ITM.loop: {
        const room = m.rate_limit_bytes > 0 ? m.rate_limit_bytes - m.window_bytes : Number.MAX_SAFE_INTEGER;
        if (d.ram.dirty_pages === 0 || room <= 0 || k.now - f.l.started_ns >= QEMU.MAX_WAIT_NS || m.error !== '') {
          m.file_bytes += 8; // RAM_SAVE_FLAG_EOS, for the caller's flush
          return k.ret();
        }
        const b = saveBatch(k, ctx, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, QEMU.MULTIFD_PACKET_PAGES);
        f.l.zero = b.zero_pages;
        f.l.normal = b.normal_pages;
        f.l.bytes = send.packetBytes(b.zero_pages, b.normal_pages);
        f.l.wrapped = b.wrapped;
        f.pc = ITM.send;
        return k.call(queuePage, { cost: b.cost_ns });
      }
      case ITM.send:
        if (f.l.zero + f.l.normal === 0) return k.jump(ITM.round);
        f.pc = ITM.round;
        return k.call(send.send, { zero: f.l.zero, normal: f.l.normal, bytes: f.l.bytes });
      default: // ITM.round
        if (!f.l.wrapped) return k.jump(ITM.loop);
        f.pc = ITM.loop;
        return k.call(send.syncMain, { i: 0, phase: 0 }); // find_dirty_block → multifd sync per round
    }
  }, ITM);

  const LOG = steps({ sync: 'kvm_physical_sync_dirty_bitmap(kml, section); /* ioctl(KVM_GET_DIRTY_LOG) per slot, merged into the bitmap */', ret: 'return;' });
  const dirtyLogSync = p.fn(n.dirty_log_sync, (k, f) => {
    switch (f.pc) {
      case LOG.sync:
        f.pc = LOG.ret;
        return k.compute(Math.round(host.sync_ns_fixed + (cfg.ram_bytes / GiB) * host.sync_ns_per_gib));
      default:
        return k.ret();
    }
  }, LOG);

  /** migration_bitmap_sync, with the BQL (or the RAM-list lock) already held by the caller. Returns the pages it found. */
  const SYNC = steps({
    count: 'rs->migration_dirty_pages += new; rs->dirty_sync_count++; /* the log fetched and cleared at this instant */',
    log_sync: `memory_global_dirty_log_sync(last_stage); /* ${n.dirty_log_sync} */`,
    ret: 'return;',
  });
  const bitmapSync = p.fn<{ added: number; final?: boolean }>(n.bitmap_sync, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case SYNC.count: {
        // KVM_GET_DIRTY_LOG fetches and clears the log at this instant; merging it costs the
        // time of the dirty_log_sync frame. Writes during that time belong to the next sync.
        m.dirty_sync_count++;
        const added = syncDirtyLog(d.ram);
        if (f.l.final === true) m.final_sync_ns = k.now;
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
        return k.jump(SYNC.log_sync);
      }
      case SYNC.log_sync:
        f.pc = SYNC.ret;
        return k.call(dirtyLogSync, null);
      default:
        return k.ret(f.l.added);
    }
  }, SYNC);

  /**
   * ram_save_complete: a final sync, then every remaining page with no rate limit (through the
   * senders, then a sync of the channels, in designs that have them). Nothing syncs after it: a
   * vCPU still running (aa723c23147e) writes pages that the destination never gets.
   */
  const RC = steps({
    sync: `${n.bitmap_sync_precopy}(rs, true); /* the final sync */`,
    loop: 'do { pages = ram_find_and_save_block(rs); /* no rate limit */',
    flush: `    ${n.fflush}(f);`,
    send: '    ram_save_multifd_page(block, offset);',
    eos: '} while (pages > 0); multifd_ram_flush_and_sync(f); qemu_put_be64(f, RAM_SAVE_FLAG_EOS);',
    ret: 'return 0;',
  });
  const ramSaveComplete = p.fn<FlushLocals>(n.ram_save_complete, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case RC.sync:
        f.pc = RC.loop;
        return k.call(bitmapSync, { added: 0, final: true });
      case RC.loop: {
        if (m.error !== '') return k.ret();
        if (d.ram.dirty_pages === 0) return k.jump(RC.eos);
        if (mf !== null) {
          const b = saveBatch(k, ctx, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, QEMU.MULTIFD_PACKET_PAGES);
          f.l.zero = b.zero_pages;
          f.l.normal = b.normal_pages;
          f.l.bytes = mf.packetBytes(b.zero_pages, b.normal_pages);
          f.pc = RC.send;
          return k.call(queuePage, { cost: b.cost_ns });
        }
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        f.l.bytes = b.bytes;
        f.l.zero = b.zero_pages;
        f.l.normal = b.normal_pages;
        f.pc = RC.flush;
        return k.call(findAndSave, { cost: b.cost_ns });
      }
      case RC.flush:
        f.pc = RC.loop;
        return k.call(fflush, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal });
      case RC.send:
        if (f.l.zero + f.l.normal === 0) return k.jump(RC.loop);
        f.pc = RC.loop;
        return k.call((mf as MultifdFns).send, { zero: f.l.zero, normal: f.l.normal, bytes: f.l.bytes });
      case RC.eos:
        f.pc = RC.ret;
        if (mf !== null) return k.call(mf.syncMain, { i: 0, phase: 0 });
        return k.call(fflush, { bytes: 8, zero: 0, normal: 0 }); // RAM_SAVE_FLAG_EOS
      default: // RC.ret
        return k.ret();
    }
  }, RC);

  return { ramSaveIterate: cfg.profile.senders ? ramSaveIterateSenders : ramSaveIterateStream, fflush, bitmapSync, ramSaveComplete };
}
