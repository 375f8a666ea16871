// The migration thread (QEMU's migration_thread; buffered_file_thread in the 2012 RFC):
//   setup under the BQL (bitmap all set, dirty logging on, first sync);
//   loop: unless the rate limit is exceeded, migration_iteration_run —
//     pending estimate (no BQL); if below threshold_size, pending exact (sync under the BQL);
//     if still below, migration_completion and stop; otherwise iterate (ram_save_iterate, under
//     the BQL in the rfc-2012 design), then flush to the socket outside the BQL;
//   migration_rate_limit: counters every 100 ms, sleep to the window's end when over the limit.
// Completion: BQL; vm_stop (pause_all_vcpus waits on qemu_pause_cond with the BQL dropped);
// ram_save_complete; device state; pages still stale at the destination are counted as lost.

import type { Kernel } from '../sim/kernel';
import type { Program } from '../sim/program';
import { TS } from '../sim/types';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { updateCounters } from './counters';
import { countStale, markAllForSend } from './guestRam';
import type { SaveFns } from './ramSave';
import type { MigStage, MigStatus } from './state';

const GiB = 1024 ** 3;

function setStatus(k: Kernel, status: MigStatus, stage: MigStage): void {
  const m = md(k).mig;
  const from = m.status;
  m.status = status;
  m.stage = stage;
  k.progress();
  k.emit('status', { from, to: status, stage });
}

function ended(k: Kernel, status: MigStatus, reason: string): void {
  const m = md(k).mig;
  m.end_ns = k.now;
  m.end_reason = reason;
  setStatus(k, status, 'done');
}

export function defineMigrationThread(p: Program, ctx: ModelCtx, save: SaveFns): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const cfg = ctx.cfg;
  const host = cfg.host;
  const rfc = cfg.profile.bql_around_iterate;

  const ramSaveSetup = p.fn(n.ram_save_setup, (k, f) => {
    switch (f.pc) {
      case 0:
        // ram_init_bitmaps: every page is to be sent; dirty logging starts.
        markAllForSend(md(k).ram);
        f.pc = 1;
        return k.compute(Math.round((cfg.ram_bytes / GiB) * host.setup_ns_per_gib));
      case 1:
        f.pc = 2;
        return k.call(save.bitmapSync, null); // the first sync, under the BQL (79536f4f1693)
      default:
        return k.ret();
    }
  });

  const savevmSetup = p.fn(n.setup, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.lock(ids.bql);
      case 1:
        f.pc = 2;
        return k.call(ramSaveSetup, null);
      case 2:
        f.pc = 3;
        return k.unlock(ids.bql);
      default:
        return k.ret();
    }
  });

  /** ram_state_pending_exact: the sync, under the BQL. */
  const pendingExact = p.fn(n.pending_exact, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.lock(ids.bql);
      case 1:
        f.pc = 2;
        return k.call(save.bitmapSync, null);
      case 2:
        f.pc = 3;
        return k.unlock(ids.bql);
      default:
        return k.ret();
    }
  });

  /** qemu_savevm_state_iterate plus the flush that follows it. */
  const savevmIterate = p.fn<{ bytes: number; zero: number; normal: number }>(n.savevm_iterate, (k, f, th) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        if (rfc) return k.lock(ids.bql);
        return k.yieldNow();
      case 1:
        f.pc = 2;
        return k.call(save.ramSaveIterate, f.l);
      case 2:
        void th;
        f.pc = 3;
        if (rfc) return k.unlock(ids.bql);
        return k.yieldNow();
      case 3:
        f.pc = 4;
        return k.call(save.fflush, { bytes: f.l.bytes, zero: f.l.zero, normal: f.l.normal });
      default:
        return k.ret();
    }
  });

  const pauseAllVcpus = p.fn(n.pause_all_vcpus, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        for (let v = 0; v < d.vcpus.length; v++) {
          d.vcpus[v].stop = true;
          k.kick(ids.vcpu_tids[v]);
        }
        f.pc = 1;
        return k.yieldNow();
      default:
        if (d.vcpus.every((vs) => vs.stopped)) return k.ret();
        return k.condWait(ids.pause_cond, ids.bql);
    }
  });

  const stopVm = p.fn(n.stop_vm, (k, f) => {
    switch (f.pc) {
      case 0:
        md(k).mig.downtime_start_ns = k.now;
        f.pc = 1;
        return k.call(pauseAllVcpus, null);
      default:
        return k.ret();
    }
  });

  const deviceState = p.fn(n.device_state, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.compute(host.device_state_ns);
      case 1:
        f.pc = 2;
        return k.call(save.fflush, { bytes: host.device_state_bytes_fixed + host.device_state_bytes_per_vcpu * cfg.vcpus, zero: 0, normal: 0 });
      default:
        return k.ret();
    }
  });

  const savevmComplete = p.fn(n.savevm_complete, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.call(save.ramSaveComplete, { bytes: 0, zero: 0, normal: 0 });
      case 1:
        f.pc = 2;
        return k.call(deviceState, null);
      default:
        return k.ret();
    }
  });

  const completion = p.fn(n.completion, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.lock(ids.bql);
      case 1:
        setStatus(k, m.status, 'stop-copy');
        f.pc = 2;
        return k.call(stopVm, null);
      case 2:
        // migration_switchover_start: ACTIVE → DEVICE, rate limit off.
        setStatus(k, 'device', 'stop-copy');
        m.rate_limit_bytes = 0;
        f.pc = 3;
        return k.call(savevmComplete, null);
      case 3:
        // migration_completion_end: the destination now holds what it will run from.
        m.pages_lost = countStale(d.ram);
        m.downtime_ns = k.now - m.downtime_start_ns;
        ended(k, 'completed', m.pages_lost === 0 ? 'completed' : `completed with ${m.pages_lost} stale pages at switchover`);
        f.pc = 4;
        return k.unlock(ids.bql);
      default:
        return k.ret();
    }
  });

  /** migration_iteration_run: returns 1 when the migration should leave the loop. */
  const iterationRun = p.fn(n.iteration, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0: {
        const pending = d.ram.dirty_pages * QEMU.PAGE_SIZE; // ram_state_pending_estimate
        if (pending < m.threshold_bytes) {
          f.pc = 1;
          return k.call(pendingExact, null);
        }
        if (pending === 0) {
          // No bandwidth measured yet and nothing queued: QEMU goes straight to completion.
          f.pc = 2;
          return k.call(completion, null);
        }
        f.pc = 3;
        return k.call(savevmIterate, { bytes: 0, zero: 0, normal: 0 });
      }
      case 1: {
        const pending = d.ram.dirty_pages * QEMU.PAGE_SIZE;
        if (pending === 0 || pending < m.threshold_bytes) {
          f.pc = 2;
          return k.call(completion, null);
        }
        f.pc = 3;
        return k.call(savevmIterate, { bytes: 0, zero: 0, normal: 0 });
      }
      case 2:
        return k.ret(1);
      default:
        return k.ret(0);
    }
  });

  const rateLimit = p.fn(n.rate_limit, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case 0:
        updateCounters(k, ctx);
        if (m.rate_limit_bytes > 0 && m.window_bytes >= m.rate_limit_bytes) {
          f.pc = 1;
          return k.semTimedWait(ids.rate_limit_sem, Math.max(0, m.window_start_ns + QEMU.BUFFER_DELAY_NS - k.now), TS.sleeping);
        }
        return k.ret();
      default:
        updateCounters(k, ctx);
        return k.ret();
    }
  });

  ctx.fn.migration = p.fn(n.migration_thread, (k, f, th) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        if (cfg.start_delay_ns > 0) return k.sleep(cfg.start_delay_ns);
        return k.yieldNow();
      case 1:
        m.start_ns = k.now;
        m.rate_limit_bytes = Math.max(1, Math.floor(cfg.max_bandwidth_bytes_per_s / 10)); // XFER_LIMIT_RATIO
        setStatus(k, 'setup', 'setup');
        f.pc = 2;
        return k.call(savevmSetup, null);
      case 2:
        m.setup_end_ns = k.now;
        m.window_start_ns = k.now;
        m.period_start_ns = k.now;
        setStatus(k, 'active', 'iterative');
        f.pc = 3;
        return k.yieldNow();
      case 3: {
        // The run's bounds: a migration still going after them did not converge.
        const overTime = k.now - m.start_ns >= cfg.max_time_ns;
        const overIter = cfg.max_iterations > 0 && m.dirty_sync_count >= cfg.max_iterations;
        if (overTime || overIter) {
          ended(k, 'cancelled', overTime ? `did not converge within max-time (${cfg.max_time_ns / 1e9} s)` : `did not converge within max-iterations (${cfg.max_iterations})`);
          k.endRun();
          f.pc = 9;
          return k.yieldNow();
        }
        if (m.rate_limit_bytes === 0 || m.window_bytes < m.rate_limit_bytes) {
          f.pc = 4;
          return k.call(iterationRun, null);
        }
        f.pc = 3;
        return k.call(rateLimit, null);
      }
      case 4:
        if (th.result === 1) {
          k.endRun();
          f.pc = 9;
          return k.yieldNow();
        }
        f.pc = 3;
        return k.call(rateLimit, null);
      default:
        return k.ret();
    }
  });
}
