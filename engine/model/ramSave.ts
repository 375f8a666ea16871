// RAM saving, as QEMU structures it: ram_save_iterate (dirty pages, at most MAX_WAIT of work or the
// rate limit's bytes per call), qemu_fflush (the socket write, CPU-bound per byte, then limited by
// the link), migration_bitmap_sync (its caller holds the BQL, or the RAM-list lock in the 2012
// proposal), and ram_save_complete (a final sync, then every remaining page with no rate limit).
// Page work is done in batches of whole bitmap words; its CPU cost becomes one compute effect in
// the frame QEMU would be in. Designs with sender threads queue 128-page packets to them instead
// of writing the main stream (multifd.ts).

import type { Kernel } from '../sim/kernel';
import { steps, type Program, type StepIds } from '../sim/program';
import type { Frame } from '../sim/types';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { updateDirtyRate } from './counters';
import { syncDirtyLog, takeBatch, type Batch, type BatchBudget } from './guestRam';
import { encodedBytes, takeBatchXbzrle } from './xbzrle';
import { defineWritev, destinationPaceByThread, SOCKET_CHUNK_BYTES } from './network';
import type { MultifdFns } from './multifd';
import type { VmControlFns } from './vmControl';

/** Overhead of a ram_save_iterate call besides its pages (section header, EOS, locking). */
const ITERATE_OVERHEAD_NS = 2_000;
/**
 * ram_save_iterate makes pages in batches of at most this many bytes and writes each: QEMU writes
 * its 32 KiB buffer whenever it fills; a model batch of a socket piece (1 MiB) keeps a 10 Gb/s
 * stream near a thousand batches a second while MAX_WAIT and the rate limit still see the stream
 * about a millisecond at a time (a modelling granularity, not a QEMU constant).
 */
const STREAM_BATCH_BYTES = SOCKET_CHUNK_BYTES;
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
  const pr = ctx.cfg.profile;
  const senders = pr.senders;
  const mainZero = pr.zero_pages_on_main_stream;
  return {
    cost_ns,
    bytes,
    max_pages,
    // With sender threads the migration thread only finds and queues pages; senders do the rest
    // (QEMU before 9.0: the migration thread checks every page for zero and sends zero pages itself).
    zero_page_ns: senders && !mainZero ? h.multifd_queue_ns_per_page : h.zero_page_ns,
    normal_page_ns: senders ? h.multifd_queue_ns_per_page + (mainZero ? h.zero_check_normal_ns : 0) : h.normal_page_ns,
    scan_ns_per_word: h.bitmap_scan_ns_per_word,
    zero_wire_bytes: QEMU.ZERO_PAGE_WIRE_BYTES,
    normal_wire_bytes: QEMU.NORMAL_PAGE_WIRE_BYTES,
  };
}

/** Zero pages written on the main stream (the migration thread's QEMUFile; flushed by the iterate's caller). */
function queueZeroPages(m: ReturnType<typeof md>['mig'], zero: number): void {
  m.file_bytes += zero * QEMU.ZERO_PAGE_WIRE_BYTES;
  m.file_zero_pages += zero;
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
    takeBatchXbzrle(d.ram, d.xbzrle, m.cursor_word, b, cfg.host.xbzrle_encode_ns, encodedBytes(cfg.workload), m.dirty_sync_count, m.stage === 'stop-copy', out);
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

export function defineRamSave(p: Program, ctx: ModelCtx, mf: MultifdFns | null, vm: VmControlFns): SaveFns {
  const n = ctx.names;
  const cfg = ctx.cfg;
  const host = cfg.host;
  const rfc = cfg.profile.bql_around_iterate;
  const byThread = destinationPaceByThread(host);
  const mainZero = cfg.profile.zero_pages_on_main_stream;
  const syncPerIterate = cfg.profile.multifd_sync_per_iterate;

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

  /** A batch taken: its counts kept in the frame for the flush at `next`, its page work done as
   *  ram_find_and_save_block. */
  const saveThen = (k: Kernel, f: Frame<FlushLocals>, b: Batch, next: number): void => {
    f.l.bytes = b.bytes;
    f.l.zero = b.zero_pages;
    f.l.normal = b.normal_pages;
    f.pc = next;
    return k.call(findAndSave, { cost: b.cost_ns });
  };

  const QUEUE = steps({ queue: 'multifd_queue_page(block, offset); /* the packet\'s pages */', ret: 'return true;' });
  const queuePage = p.fn<{ cost: number }>(n.multifd_queue_page, (k, f) => {
    if (f.pc === QUEUE.ret) return k.ret();
    f.pc = QUEUE.ret;
    return k.compute(f.l.cost);
  }, QUEUE);

  /**
   * ram_save_iterate on the main stream: batches of pages, each written as it is made (the buffer
   * flushes when full), until the rate limit's window is full, nothing is dirty, or MAX_WAIT of
   * wall time has passed since the call began (time spent blocked on the socket counts, as in QEMU).
   */
  const ITS = steps({
    start: 't0 = qemu_clock_get_ns(QEMU_CLOCK_REALTIME); i = 0;',
    loop: 'while ((ret = migration_rate_exceeded(f)) == 0) { if (t1 > MAX_WAIT) break;',
    find: `    pages = ${n.find_and_save}(rs); if (pages == 0) { done = 1; break; }`,
    flush: `    /* the QEMUFile buffer is full: */ ${n.fflush}(f); }`,
    ret: 'qemu_put_be64(f, RAM_SAVE_FLAG_EOS); return done;',
  });
  const iterateWritingAsItGoes = () => p.fn<FlushLocals & { started_ns: number }>(n.ram_save_iterate, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case ITS.start:
        f.l.started_ns = k.now;
        m.iterations++;
        f.pc = ITS.loop;
        return k.compute(ITERATE_OVERHEAD_NS);
      case ITS.loop: {
        // bytes put into the QEMUFile count at once (rate_limit_used), written or still buffered
        const room = m.rate_limit_bytes > 0 ? m.rate_limit_bytes - m.window_bytes - m.file_bytes : Number.MAX_SAFE_INTEGER;
        if (d.ram.dirty_pages === 0 || room <= 0 || k.now - f.l.started_ns > QEMU.MAX_WAIT_NS || m.error !== '') {
          m.file_bytes += 8; // RAM_SAVE_FLAG_EOS, for the caller's flush
          return k.jump(ITS.ret);
        }
        return k.jump(ITS.find);
      }
      case ITS.find: {
        // bytes put into the QEMUFile count at once (rate_limit_used), written or still buffered
        const room = m.rate_limit_bytes > 0 ? m.rate_limit_bytes - m.window_bytes - m.file_bytes : Number.MAX_SAFE_INTEGER;
        // the page work may use what is left of MAX_WAIT (QEMU looks at the clock every 64 pages)
        const b = saveBatch(k, ctx, Math.max(1, QEMU.MAX_WAIT_NS - (k.now - f.l.started_ns)), Math.min(room, STREAM_BATCH_BYTES), Number.MAX_SAFE_INTEGER);
        return saveThen(k, f, b, ITS.flush);
      }
      case ITS.flush:
        if (f.l.bytes === 0) return k.jump(ITS.loop);
        if (rfc) {
          // The RFC's put_ready only fills buffered_file's buffer, under the iothread lock; its
          // thread writes it out once the lock is dropped (the caller's flush).
          m.file_bytes += f.l.bytes;
          m.file_zero_pages += f.l.zero;
          m.file_normal_pages += f.l.normal;
          return k.jump(ITS.loop);
        }
        f.pc = ITS.loop;
        return k.call(fflush, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal });
      default:
        return k.ret();
    }
  }, ITS);

  /**
   * ram_save_iterate on the main stream, where the destination's pace is computed in closed form
   * (network.ts destinationPaceByThread false: hosts whose threads have CPUs of their own): up to
   * MAX_WAIT of page work or the window's remaining bytes, into the QEMUFile's buffer, which
   * qemu_savevm_state_iterate's caller flushes in one write.
   */
  const ITB = steps({
    find: `while ((ret = migration_rate_exceeded(f)) == 0) { pages = ${n.find_and_save}(rs); ... if (t1 > MAX_WAIT) break; }`,
    ret: 'qemu_put_be64(f, RAM_SAVE_FLAG_EOS); return done;',
  });
  const iterateBuffered = () => p.fn<FlushLocals>(n.ram_save_iterate, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case ITB.find: {
        const room = m.rate_limit_bytes > 0 ? Math.max(1, m.rate_limit_bytes - m.window_bytes) : Number.MAX_SAFE_INTEGER;
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, room, Number.MAX_SAFE_INTEGER);
        m.iterations++;
        m.file_bytes += b.bytes + 8; // + RAM_SAVE_FLAG_EOS
        m.file_zero_pages += b.zero_pages;
        m.file_normal_pages += b.normal_pages;
        f.pc = ITB.ret;
        return k.call(findAndSave, { cost: b.cost_ns + ITERATE_OVERHEAD_NS });
      }
      default:
        return k.ret();
    }
  }, ITB);
  const ramSaveIterateStream = byThread ? iterateWritingAsItGoes() : iterateBuffered();

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
    out: 'out: multifd_send_sync_main(f); /* QEMU before 8.0: at the end of every call */',
    ret: 'qemu_put_be64(f, RAM_SAVE_FLAG_EOS); return done;',
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
          return k.jump(syncPerIterate && m.error === '' ? ITM.out : ITM.ret);
        }
        const b = saveBatch(k, ctx, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, QEMU.MULTIFD_PACKET_PAGES);
        f.l.zero = mainZero ? 0 : b.zero_pages;
        f.l.normal = b.normal_pages;
        if (mainZero) queueZeroPages(m, b.zero_pages);
        f.l.bytes = send.packetBytes(f.l.zero, b.normal_pages);
        f.l.wrapped = b.wrapped;
        f.pc = ITM.send;
        return k.call(queuePage, { cost: b.cost_ns });
      }
      case ITM.send:
        if (f.l.zero + f.l.normal === 0) return k.jump(ITM.round);
        f.pc = ITM.round;
        return k.call(send.send, { zero: f.l.zero, normal: f.l.normal, bytes: f.l.bytes });
      case ITM.round:
        if (!f.l.wrapped || syncPerIterate) return k.jump(ITM.loop);
        f.pc = ITM.loop;
        return k.call(send.syncMain, { i: 0, phase: 0 }); // find_dirty_block → multifd sync per round
      case ITM.out: // QEMU before 8.0 syncs the channels at the end of every call
        f.pc = ITM.ret;
        return k.call(send.syncMain, { i: 0, phase: 0 });
      default: // ITM.ret
        m.file_bytes += 8; // RAM_SAVE_FLAG_EOS, for the caller's flush
        return k.ret();
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
  // Under TCG the sync ends waiting for every vCPU (vmControl.ts, tcg_log_global_after_sync); the
  // BQL is held there (7.2's callers take it), and only then is the wait modelled.
  const tcgAfterSync = host.accel === 'tcg';
  const SYNC_COMMON = {
    count: 'rs->migration_dirty_pages += new; rs->dirty_sync_count++; /* the log fetched and cleared at this instant */',
    log_sync: `memory_global_dirty_log_sync(last_stage); /* ${n.dirty_log_sync} */`,
  };
  const SYNC: StepIds<'count' | 'log_sync' | 'ret'> & { after_sync?: number } = tcgAfterSync
    ? steps({ ...SYNC_COMMON, after_sync: 'memory_global_after_dirty_log_sync(); /* TCG: run_on_cpu(cpu, do_nothing) on every vCPU */', ret: 'return;' })
    : steps({ ...SYNC_COMMON, ret: 'return;' });
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
        f.pc = SYNC.after_sync ?? SYNC.ret;
        return k.call(dirtyLogSync, null);
      case SYNC.after_sync:
        f.pc = SYNC.ret;
        // run_on_cpu waits on qemu_work_cond with the BQL: a design whose sync runs under another lock has no such wait
        if (k.s.mutexes[ctx.ids.bql].owner !== k.cur.id) return k.jump(SYNC.ret);
        return k.call(vm.afterDirtyLogSync, { v: 0 });
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
    eos: '} while (pages > 0); multifd_ram_flush_and_sync(f);',
    flush_main: 'qemu_put_be64(f, RAM_SAVE_FLAG_EOS); qemu_fflush(f);',
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
          f.l.zero = mainZero ? 0 : b.zero_pages;
          f.l.normal = b.normal_pages;
          if (mainZero) queueZeroPages(m, b.zero_pages);
          f.l.bytes = mf.packetBytes(f.l.zero, b.normal_pages);
          f.pc = RC.send;
          return k.call(queuePage, { cost: b.cost_ns });
        }
        const b = saveBatch(k, ctx, QEMU.MAX_WAIT_NS, byThread ? STREAM_BATCH_BYTES : Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        return saveThen(k, f, b, RC.flush);
      }
      case RC.flush:
        f.pc = RC.loop;
        return k.call(fflush, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal });
      case RC.send:
        if (f.l.zero + f.l.normal === 0) return k.jump(RC.loop);
        f.pc = RC.loop;
        return k.call((mf as MultifdFns).send, { zero: f.l.zero, normal: f.l.normal, bytes: f.l.bytes });
      case RC.eos:
        if (mf === null) {
          f.pc = RC.ret;
          return k.call(fflush, { bytes: 8, zero: 0, normal: 0 }); // RAM_SAVE_FLAG_EOS
        }
        f.pc = RC.flush_main;
        return k.call(mf.syncMain, { i: 0, phase: 0 });
      case RC.flush_main: {
        // the main stream's buffer: zero pages sent on it (QEMU before 9.0) and the EOS; with the
        // zero pages in the channels (QEMU 9-10) only the 8-byte EOS, left to the caller's flush
        if (!mainZero) return k.jump(RC.ret);
        const out = { bytes: m.file_bytes + 8, zero: m.file_zero_pages, normal: m.file_normal_pages };
        m.file_bytes = m.file_zero_pages = m.file_normal_pages = 0;
        f.pc = RC.ret;
        return k.call(fflush, out);
      }
      default: // RC.ret
        return k.ret();
    }
  }, RC);

  return { ramSaveIterate: cfg.profile.senders ? ramSaveIterateSenders : ramSaveIterateStream, fflush, bitmapSync, ramSaveComplete };
}
