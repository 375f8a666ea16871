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
import { callLocked, lockedSteps, steps, type Program } from '../sim/program';
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
  const bql = ctx.bql;

  const SETUP = steps({
    init_bitmaps: page0Bug ? 'bitmap_set(migration_bitmap, 1, ram_pages); memory_global_dirty_log_start();' : 'ram_init_bitmaps(rs); /* every page to send; memory_global_dirty_log_start() */',
    sync: noSetupSync ? '/* no migration_bitmap_sync() here: 79536f4f1693 adds it */' : `${n.bitmap_sync}(rs);`,
    ret: 'return 0;',
  });
  const ramSaveSetup = p.fn(n.ram_save_setup, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case SETUP.init_bitmaps:
        markAllForSend(d.ram, page0Bug ? 1 : 0);
        f.pc = SETUP.sync;
        return k.compute(Math.round((cfg.ram_bytes / GiB) * host.setup_ns_per_gib));
      case SETUP.sync:
        // The first sync (79536f4f1693 added it): it clears RAM's dirty flags, which start all set.
        if (noSetupSync) return k.jump(SETUP.ret);
        f.pc = SETUP.ret;
        return k.call(save.bitmapSync, { added: 0 });
      default:
        return k.ret();
    }
  }, SETUP);

  const savevmSetup = p.fn(n.setup, (k, f) => callLocked(k, f, ids.bql, ramSaveSetup, null), lockedSteps(bql.lock, bql.unlock, n.ram_save_setup));

  /** ram_state_pending_exact: the sync, under the BQL (or by the bitmap thread, off the BQL). */
  const EXACT_BT = steps({ request: `${n.bitmap_request}();`, ret: 'return;' });
  const pendingExact = bt !== null
    ? p.fn(n.pending_exact, (k, f) => {
      if (f.pc === EXACT_BT.ret) return k.ret();
      f.pc = EXACT_BT.ret;
      return k.call(bt.requestSync, null);
    }, EXACT_BT)
    : p.fn(n.pending_exact, (k, f) => callLocked(k, f, ids.bql, save.bitmapSync, { added: 0 }), lockedSteps(bql.lock, bql.unlock, n.bitmap_sync));

  /** qemu_savevm_state_iterate, then the flush of what it put into the stream's buffer. */
  const ITER = steps({
    lock: rfc ? `${bql.lock}(); /* the RFC: migrate_fd_put_ready runs under the iothread lock */` : '/* no BQL: 9b0950375277 runs iterate out of the big lock */',
    iterate: `${n.ram_save_iterate}(f, opaque);`,
    unlock: rfc ? `${bql.unlock}();` : '/* (no BQL to drop) */',
    flush: `${n.fflush}(f);`,
    ret: 'return;',
  });
  const savevmIterate = p.fn(n.savevm_iterate, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case ITER.lock:
        if (!rfc) return k.jump(ITER.iterate);
        f.pc = ITER.iterate;
        return k.lock(ids.bql);
      case ITER.iterate:
        f.pc = ITER.unlock;
        return k.call(save.ramSaveIterate, { bytes: 0, zero: 0, normal: 0, started_ns: 0, wrapped: false });
      case ITER.unlock:
        if (!rfc) return k.jump(ITER.flush);
        f.pc = ITER.flush;
        return k.unlock(ids.bql);
      case ITER.flush: {
        // The RFC's buffered_file_thread flushes outside the lock what put_ready buffered.
        const out = { bytes: m.file_bytes, zero: m.file_zero_pages, normal: m.file_normal_pages };
        m.file_bytes = m.file_zero_pages = m.file_normal_pages = 0;
        f.pc = ITER.ret;
        return k.call(save.fflush, out);
      }
      default:
        return k.ret();
    }
  }, ITER);

  const STOP = steps({ stop: `${n.pause_all_vcpus}(); /* do_vm_stop: wait until every vCPU has stopped */`, ret: 'return;' });
  const stopVm = p.fn(n.stop_vm, (k, f) => {
    switch (f.pc) {
      case STOP.stop:
        md(k).mig.downtime_start_ns = k.now;
        f.pc = STOP.ret;
        return k.call(vm.pauseAllVcpus, { v: 0 });
      default:
        return k.ret();
    }
  }, STOP);

  /** aa723c23147e: vm_stop from a thread that is not the iothread only queues the request. */
  const REQ = steps({
    notify: 'qemu_system_vmstop_request(state); /* vmstop_requested = state; qemu_notify_event() */',
    stop_current: 'cpu_stop_current(); return; /* cpu_single_env is NULL here: it stops nobody */',
  });
  const vmStopRequest = p.fn(n.vm_stop_request, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case REQ.notify:
        d.mig.downtime_start_ns = k.now;
        d.vmstop_requested = true;
        f.pc = REQ.stop_current;
        return k.semPost(ids.main_notify_sem); // qemu_notify_event
      default:
        // The model relies on it (calibration.ts, STAGE3): a vCPU clears cpu_single_env before it
        // drops the BQL, and this thread holds the BQL.
        if (d.cpu_single_env >= 0) throw k.error(`cpu_stop_current: cpu_single_env is CPU ${d.cpu_single_env} while the migration thread holds the BQL`);
        return k.ret();
    }
  }, REQ);

  const DEV = steps({ save: 'vmstate_save(f, se); /* every non-iterable device */', flush: `${n.fflush}(f);`, ret: 'return;' });
  const deviceState = p.fn(n.device_state, (k, f) => {
    switch (f.pc) {
      case DEV.save:
        f.pc = DEV.flush;
        return k.compute(host.device_state_ns);
      case DEV.flush:
        f.pc = DEV.ret;
        return k.call(save.fflush, { bytes: host.device_state_bytes_fixed + host.device_state_bytes_per_vcpu * cfg.vcpus, zero: 0, normal: 0 });
      default:
        return k.ret();
    }
  }, DEV);

  // The 2012 qemu_savevm_state_complete began with cpu_synchronize_all_states() (calibration.ts,
  // STAGE3): with the vCPUs stopped it costs a few µs each; with the RFC's bug they are running and
  // each run_on_cpu drops the BQL while it waits. Later designs sync the CPUs with the VM stopped:
  // left out of them.
  const COMPLETE = steps({
    sync_cpus: rfc ? 'cpu_synchronize_all_states();' : '/* (the vCPUs are stopped: their state is synchronized with the non-iterable devices) */',
    ram: `${n.ram_save_complete}(f, opaque);`,
    devices: 'vmstate_save(f, se); /* non-iterable devices */',
    ret: 'return qemu_file_get_error(f);',
  });
  const savevmComplete = p.fn(n.savevm_complete, (k, f) => {
    switch (f.pc) {
      case COMPLETE.sync_cpus:
        if (!rfc) return k.jump(COMPLETE.ram);
        f.pc = COMPLETE.ram;
        return k.call(vm.synchronizeAllStates, { v: 0 });
      case COMPLETE.ram:
        f.pc = COMPLETE.devices;
        return k.call(save.ramSaveComplete, { bytes: 0, zero: 0, normal: 0 });
      case COMPLETE.devices:
        if (md(k).mig.error !== '') return k.jump(COMPLETE.ret);
        f.pc = COMPLETE.ret;
        return k.call(deviceState, null);
      default:
        return k.ret();
    }
  }, COMPLETE);

  /** Returns 1: the migration left the loop (completed or failed). */
  const C = steps({
    lock_bql: `${bql.lock}();`,
    stop_vm: stopBug ? `${n.stop_vm}(RUN_STATE_FINISH_MIGRATE); /* not the iothread: only queues the request */` : `${n.stop_vm}(s); /* vm_stop_force_state(RUN_STATE_FINISH_MIGRATE) */`,
    switchover: 'migrate_set_state(&s->state, MIGRATION_STATUS_ACTIVE, MIGRATION_STATUS_DEVICE); migration_rate_set(RATE_LIMIT_DISABLED);',
    savevm_complete: `ret = ${n.savevm_complete}(s->to_dst_file);`,
    check: 'if (ret < 0) goto fail;',
    wait_stopped: '/* the destination may run only from a stopped source: wait on qemu_pause_cond */',
    completion_end: 'migration_completion_end(s); /* downtime = now - downtime_start; state COMPLETED */',
    unlock_bql: `${bql.unlock}();`,
    ret: 'return;',
    fail: 'fail: migration_completion_failed(s, current_active_state); /* vm_start(): the guest runs on */',
    failed_end: 'migrate_set_state(&s->state, current_active_state, MIGRATION_STATUS_FAILED);',
  });
  const completion = p.fn(n.completion, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case C.lock_bql:
        f.pc = C.stop_vm;
        return k.lock(ids.bql);
      case C.stop_vm:
        setStatus(k, m.status, 'stop-copy');
        // The RFC goes on to qemu_savevm_state_complete in the same BQL hold (e76274824def).
        f.pc = C.switchover;
        return k.call(stopBug ? vmStopRequest : stopVm, null);
      case C.switchover:
        setStatus(k, 'device', 'stop-copy');
        m.rate_limit_bytes = 0;
        return k.jump(C.savevm_complete);
      case C.savevm_complete:
        f.pc = C.check;
        return k.call(savevmComplete, null);
      case C.check:
        if (m.error !== '') {
          m.downtime_ns = k.now - m.downtime_start_ns;
          return k.jump(C.fail);
        }
        // The vCPUs may still be running (aa723c23147e): the destination is then stale for
        // whatever they write until the stop request is served. Wait for it, then count.
        return k.jump(C.wait_stopped);
      case C.wait_stopped:
        if (!allStopped(k)) return k.condWait(ids.pause_cond, ids.bql);
        return k.jump(C.completion_end);
      case C.completion_end:
        // The destination holds what it will run from: a page stale now is lost.
        m.pages_lost = countStale(d.ram);
        m.downtime_ns = k.now - m.downtime_start_ns;
        ended(k, 'completed', m.pages_lost === 0 ? 'completed' : `completed with ${m.pages_lost} stale pages at switchover`);
        return k.jump(C.unlock_bql);
      case C.unlock_bql:
        f.pc = C.ret;
        return k.unlock(ids.bql);
      case C.ret:
        return k.ret(1);
      case C.fail:
        f.pc = C.failed_end;
        return k.call(vm.resumeAllVcpus, { v: 0 });
      default: // C.failed_end
        m.resumed = true;
        ended(k, 'failed', m.error);
        return k.jump(C.unlock_bql);
    }
  }, C);

  /** migration_iteration_run: returns 1 when the migration should leave the loop. */
  const IR = steps({
    estimate: `${n.pending_estimate}(s->threshold_size, &must_precopy, &can_postcopy);`,
    exact: `if (must_precopy <= s->threshold_size) ${n.pending_exact}(s->threshold_size, &must_precopy, &can_postcopy);`,
    decide: 'if (must_precopy <= s->threshold_size) {',
    complete: `    ${n.completion}(s);`,
    brk: '    return MIG_ITERATE_BREAK; }',
    iterate: `${n.savevm_iterate}(s->to_dst_file, false);`,
    resume: 'return MIG_ITERATE_RESUME;',
  });
  const iterationRun = p.fn(n.iteration, (k, f) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case IR.estimate: {
        const pending = d.ram.dirty_pages * QEMU.PAGE_SIZE; // ram_state_pending_estimate
        if (pending < m.threshold_bytes) return k.jump(IR.exact);
        // No bandwidth measured yet and nothing queued: QEMU goes straight to completion.
        if (pending === 0) return k.jump(IR.complete);
        return k.jump(IR.iterate);
      }
      case IR.exact:
        f.pc = IR.decide;
        return k.call(pendingExact, null);
      case IR.decide: {
        const pending = d.ram.dirty_pages * QEMU.PAGE_SIZE;
        return k.jump(pending === 0 || pending < m.threshold_bytes ? IR.complete : IR.iterate);
      }
      case IR.complete:
        f.pc = IR.brk;
        return k.call(completion, null);
      case IR.brk:
        return k.ret(1);
      case IR.iterate:
        f.pc = IR.resume;
        return k.call(savevmIterate, null);
      default: // IR.resume
        return k.ret(0);
    }
  }, IR);

  const RL = steps({
    update: 'migration_update_counters(s, now);',
    exceeded: 'if (!migration_rate_exceeded(s->to_dst_file)) return;',
    sleep: `${n.rate_limit_wait}(&s->rate_limit_sem, ms); /* until the 100 ms window ends */`,
    update_after: 'migration_update_counters(s, now);',
  });
  const rateLimit = p.fn(n.rate_limit, (k, f) => {
    const m = md(k).mig;
    switch (f.pc) {
      case RL.update:
        updateCounters(k, ctx);
        return k.jump(RL.exceeded);
      case RL.exceeded:
        if (m.rate_limit_bytes > 0 && m.window_bytes >= m.rate_limit_bytes) return k.jump(RL.sleep);
        return k.ret();
      case RL.sleep:
        f.pc = RL.update_after;
        return k.semTimedWait(ids.rate_limit_sem, Math.max(0, m.window_start_ns + QEMU.BUFFER_DELAY_NS - k.now), TS.sleeping);
      default: // RL.update_after
        updateCounters(k, ctx);
        return k.ret();
    }
  }, RL);

  // (read in QEMU 7.2's migration/migration.c; the other versions the hosts name were not checked)
  const windowBeforeSetup = host.qemu_version.split('.')[0] === '7';
  const T = steps({
    start_delay: '/* the guest runs until the migration is started */',
    setup: `migrate_set_state(&s->state, MIGRATION_STATUS_NONE, MIGRATION_STATUS_SETUP); update_iteration_initial_status(s); ${n.setup}(s->to_dst_file);`,
    active: 'migrate_set_state(&s->state, MIGRATION_STATUS_SETUP, MIGRATION_STATUS_ACTIVE);',
    loop: 'while (migration_is_active()) {',
    detect_error: '    if (migration_detect_error(s) == MIG_THR_ERR_FATAL) break;',
    bounds: '    /* migtrace: a migration still going after limits.max-time / max-iterations did not converge: migrate_cancel */',
    check_rate: '    if (urgent || !migration_rate_exceeded(s->to_dst_file)) {',
    iterate: `        r = ${n.iteration}(s);`,
    after_iterate: '        if (r == MIG_ITERATE_BREAK) break; }',
    rate_limit: `    ${n.rate_limit}(); }`,
    end: 'migration_iteration_finish(s); return NULL;',
  });
  ctx.fn.migration = p.fn(n.migration_thread, (k, f, th) => {
    const d = md(k);
    const m = d.mig;
    switch (f.pc) {
      case T.start_delay:
        if (cfg.start_delay_ns <= 0) return k.jump(T.setup);
        f.pc = T.setup;
        return k.sleep(cfg.start_delay_ns);
      case T.setup:
        m.start_ns = k.now;
        m.rate_limit_bytes = Math.max(1, Math.floor(cfg.max_bandwidth_bytes_per_s / 10)); // XFER_LIMIT_RATIO
        m.expected_downtime_ms = cfg.downtime_limit_ms; // s->expected_downtime = migrate_downtime_limit()
        setStatus(k, 'setup', 'setup');
        // QEMU 7.2's migration_thread calls update_iteration_initial_status before the setup: the
        // first 100 ms window includes the setup time (and threshold_size is 0 until it ends).
        // Read in 7.2 only: for the other hosts' QEMUs the window starts after the setup, as before.
        m.setup_start_ns = k.now;
        if (windowBeforeSetup) m.window_start_ns = k.now;
        f.pc = T.active;
        return k.call(savevmSetup, null);
      case T.active:
        m.setup_end_ns = k.now;
        if (!windowBeforeSetup) m.window_start_ns = k.now;
        m.period_start_ns = k.now;
        d.throttle.xfer_prev = m.transferred_bytes;
        setStatus(k, 'active', 'iterative');
        return k.jump(T.loop);
      case T.loop:
        return k.jump(T.detect_error);
      case T.detect_error:
        if (m.error !== '') {
          // The stream failed; the guest was never stopped and runs on.
          ended(k, 'failed', m.error);
          return k.jump(T.end);
        }
        return k.jump(T.bounds);
      case T.bounds: {
        const overTime = k.now - m.start_ns >= cfg.max_time_ns;
        const overIter = cfg.max_iterations > 0 && m.dirty_sync_count >= cfg.max_iterations;
        if (overTime || overIter) {
          ended(k, 'cancelled', overTime ? `did not converge within max-time (${cfg.max_time_ns / 1e9} s)` : `did not converge within max-iterations (${cfg.max_iterations})`);
          return k.jump(T.end);
        }
        return k.jump(T.check_rate);
      }
      case T.check_rate:
        return k.jump(m.rate_limit_bytes === 0 || m.window_bytes < m.rate_limit_bytes ? T.iterate : T.rate_limit);
      case T.iterate:
        f.pc = T.after_iterate;
        return k.call(iterationRun, null);
      case T.after_iterate:
        return k.jump(th.result === 1 ? T.end : T.rate_limit);
      case T.rate_limit:
        f.pc = T.loop;
        return k.call(rateLimit, null);
      default: // T.end
        k.endRun();
        return k.ret();
    }
  }, T);
}
