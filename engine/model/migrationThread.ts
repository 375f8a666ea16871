// The migration thread (QEMU's migration_thread; buffered_file_thread in the 2012 RFC):
//   setup under the BQL (bitmap all set, dirty logging on, first sync);
//   loop: a failed write ends it (migration_detect_error); unless the rate limit is exceeded,
//     migration_iteration_run — pending estimate (no BQL); if below threshold_size, pending exact
//     (a sync, under the BQL or by the bitmap thread); if still below, migration_completion and
//     stop; otherwise iterate (ram_save_iterate, under the BQL in the rfc-2012 design), then flush;
//   migration_rate_limit: counters every 100 ms, sleep to the window's end when over the limit.
// Completion: BQL; vm_stop (pause_all_vcpus waits on qemu_pause_cond with the BQL dropped);
// ram_save_complete; device state; pages still stale at the destination once the source has
// stopped are counted as lost. A failed completion resumes the guest (the source keeps running).
//
// Bug variants: aa723c23147e (vm_stop from this thread only queues a stop request for the main
// loop, and the RFC drops and retakes the BQL before completing: whether the main loop stops the
// vCPUs in that window is a race); 79536f4f1693 (no sync at setup); 7ec81e56edc2 (page 0 unmarked).

import type { Kernel } from '../sim/kernel';
import { callLocked, type Program } from '../sim/program';
import { TS } from '../sim/types';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { updateCounters } from './counters';
import { countStale, markAllForSend } from './guestRam';
import type { SaveFns } from './ramSave';
import type { MigStage, MigStatus } from './state';
import { throttleStop } from './autoConverge';
import { allStopped, type VmControlFns } from './vmControl';
import type { BitmapThreadFns } from './bitmapThread';

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
  throttleStop(k);
  setStatus(k, status, 'done');
}

export function defineMigrationThread(p: Program, ctx: ModelCtx, save: SaveFns, vm: VmControlFns, bt: BitmapThreadFns | null): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const cfg = ctx.cfg;
  const host = cfg.host;
  const rfc = cfg.profile.bql_around_iterate;
  const stopBug = cfg.bugs.has('aa723c23147e');
  const noSetupSync = cfg.bugs.has('79536f4f1693');
  const page0Bug = cfg.bugs.has('7ec81e56edc2');

  const ramSaveSetup = p.fn(n.ram_save_setup, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        // ram_init_bitmaps: every page is to be sent (7ec81e56edc2: from page 1); dirty logging starts.
        markAllForSend(d.ram, page0Bug ? 1 : 0);
        f.pc = 1;
        return k.compute(Math.round((cfg.ram_bytes / GiB) * host.setup_ns_per_gib));
      case 1:
        f.pc = 2;
        // The first sync (79536f4f1693 added it): it clears RAM's dirty flags, which start all set.
        if (noSetupSync) return k.yieldNow();
        return k.call(save.bitmapSync, { added: 0 });
      default:
        return k.ret();
    }
  });

  const savevmSetup = p.fn(n.setup, (k, f) => callLocked(k, f, ids.bql, ramSaveSetup, null));

  /** ram_state_pending_exact: the sync, under the BQL (or by the bitmap thread, off the BQL). */
  const pendingExact = p.fn(n.pending_exact, (k, f) => {
    if (bt !== null) {
      if (f.pc === 1) return k.ret();
      f.pc = 1;
      return k.call(bt.requestSync, null);
    }
    return callLocked(k, f, ids.bql, save.bitmapSync, { added: 0 });
  });

  /** qemu_savevm_state_iterate plus the flush that follows it. */
  const savevmIterate = p.fn<{ bytes: number; zero: number; normal: number; started_ns: number; wrapped: boolean }>(n.savevm_iterate, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        if (rfc) return k.lock(ids.bql);
        return k.yieldNow();
      case 1:
        f.pc = 2;
        return k.call(save.ramSaveIterate, f.l);
      case 2:
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

  const stopVm = p.fn(n.stop_vm, (k, f) => {
    switch (f.pc) {
      case 0:
        md(k).mig.downtime_start_ns = k.now;
        f.pc = 1;
        return k.call(vm.pauseAllVcpus, null);
      default:
        return k.ret();
    }
  });

  /** aa723c23147e: vm_stop from a thread that is not the iothread only queues the request. */
  const vmStopRequest = p.fn(n.vm_stop_request, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        d.mig.downtime_start_ns = k.now;
        d.vmstop_requested = true;
        f.pc = 1;
        return k.semPost(ids.main_notify_sem); // qemu_notify_event
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
        return k.call(save.ramSaveComplete, { bytes: 0, zero: 0, normal: 0, found: 0 });
      case 1:
        f.pc = 2;
        if (md(k).mig.error !== '') return k.yieldNow();
        return k.call(deviceState, null);
      default:
        return k.ret();
    }
  });

  /** Returns 1: the migration left the loop (completed or failed). */
  const completion = p.fn(n.completion, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.lock(ids.bql);
      case 1:
        setStatus(k, m.status, 'stop-copy');
        if (stopBug) {
          f.pc = 10;
          return k.call(vmStopRequest, null);
        }
        f.pc = 2;
        return k.call(stopVm, null);
      case 10:
        // The RFC drops the BQL at the end of this put_ready step and takes it again to complete:
        // the main loop may or may not get it in between to stop the vCPUs.
        f.pc = 11;
        return k.unlock(ids.bql);
      case 11:
        f.pc = 2;
        return k.lock(ids.bql);
      case 2:
        // migration_switchover_start: ACTIVE → DEVICE, rate limit off.
        setStatus(k, 'device', 'stop-copy');
        m.rate_limit_bytes = 0;
        f.pc = 3;
        return k.call(savevmComplete, null);
      case 3:
        if (m.error !== '') {
          // migration_completion_failed: the guest runs again on the source.
          m.downtime_ns = k.now - m.downtime_start_ns;
          f.pc = 20;
          return k.call(vm.resumeAllVcpus, { v: 0 });
        }
        if (!allStopped(k)) {
          // The vCPUs are still running (aa723c23147e): the destination is already stale for
          // whatever they write until the stop request is served. Wait for it, then count.
          f.pc = 4;
          return k.condWait(ids.pause_cond, ids.bql);
        }
        f.pc = 4;
        return k.yieldNow();
      case 4:
        if (!allStopped(k)) return k.condWait(ids.pause_cond, ids.bql);
        // migration_completion_end: the destination holds what it will run from.
        m.pages_lost = countStale(d.ram);
        m.downtime_ns = k.now - m.downtime_start_ns;
        ended(k, 'completed', m.pages_lost === 0 ? 'completed' : `completed with ${m.pages_lost} stale pages at switchover`);
        f.pc = 5;
        return k.unlock(ids.bql);
      case 5:
        return k.ret(1);
      case 20:
        m.resumed = true;
        ended(k, 'failed', m.error);
        f.pc = 5;
        return k.unlock(ids.bql);
      default:
        return k.ret(1);
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
        return k.call(savevmIterate, { bytes: 0, zero: 0, normal: 0, started_ns: 0, wrapped: false });
      }
      case 1: {
        const pending = d.ram.dirty_pages * QEMU.PAGE_SIZE;
        if (pending === 0 || pending < m.threshold_bytes) {
          f.pc = 2;
          return k.call(completion, null);
        }
        f.pc = 3;
        return k.call(savevmIterate, { bytes: 0, zero: 0, normal: 0, started_ns: 0, wrapped: false });
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
        d.throttle.xfer_prev = m.transferred_bytes;
        setStatus(k, 'active', 'iterative');
        f.pc = 3;
        return k.yieldNow();
      case 3: {
        if (m.error !== '') {
          // migration_detect_error: the stream failed; the guest was never stopped and runs on.
          ended(k, 'failed', m.error);
          k.endRun();
          f.pc = 9;
          return k.yieldNow();
        }
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
