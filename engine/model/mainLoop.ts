// The source's main loop (iothread): it polls with the BQL dropped, then takes the BQL to run
// timers and bottom halves: a queued VM stop request (do_vm_stop), auto-converge's throttle timer
// (cpu_throttle_timer_tick), and the management layer's query-migrate polls (libvirt polls every
// 50 ms during a migration). Each holds the BQL for a while, so vCPU exits and the migration
// thread queue behind it now and then, as on a real host.

import { steps, type Program } from '../sim/program';
import { TS } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import { throttlePeriodNs } from './autoConverge';
import type { VmControlFns } from './vmControl';

export function defineMainLoop(p: Program, ctx: ModelCtx, vm: VmControlFns): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const host = ctx.cfg.host;
  const period = Math.max(1, Math.round(1e9 / host.main_loop_wakeups_per_s));

  const HW = steps({
    poll: `${ctx.bql.unlock}(); ret = qemu_poll_ns(gpollfds, timeout); /* until a timer is due or aio_notify */`,
    lock: `${ctx.bql.lock}();`,
    ret: 'return ret;',
  });
  const hostWait = p.fn(n.host_main_loop_wait, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case HW.poll: {
        // ppoll until the next timer, or until a bottom half is scheduled (aio_notify).
        let next = Math.min(d.next_query_ns, k.now - (k.now % period) + period);
        if (d.throttle.next_tick_ns >= 0) next = Math.min(next, d.throttle.next_tick_ns);
        f.pc = HW.lock;
        return k.semTimedWait(ids.main_notify_sem, Math.max(0, next - k.now), TS.sleeping);
      }
      case HW.lock:
        f.pc = HW.ret;
        return k.lock(ids.bql);
      default:
        return k.ret();
    }
  }, HW);

  const QM = steps({ fill: 'fill_source_migration_info(info); populate_ram_info(info, s);', ret: 'return info;' });
  const queryMigrate = p.fn(n.query_migrate, (k, f) => {
    switch (f.pc) {
      case QM.fill:
        f.pc = QM.ret;
        return k.compute(host.query_migrate_bql_ns);
      default:
        return k.ret();
    }
  }, QM);

  const STOP = steps({ pause: `${n.pause_all_vcpus}();`, done: 'runstate_set(state); /* the request is served */' });
  const doVmStop = p.fn('do_vm_stop', (k, f) => {
    switch (f.pc) {
      case STOP.pause:
        f.pc = STOP.done;
        return k.call(vm.pauseAllVcpus, { v: 0 });
      default:
        md(k).vmstop_requested = false;
        return k.ret();
    }
  }, STOP);

  const TICK = steps({
    kick: 'CPU_FOREACH(cpu) { if (!qatomic_xchg(&cpu->throttle_thread_scheduled, 1)) async_run_on_cpu(cpu, cpu_throttle_thread, ...); }',
    rearm: 'timer_mod(throttle_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL_RT) + CPU_THROTTLE_TIMESLICE_NS / (1 - pct));',
  });
  const throttleTick = p.fn('cpu_throttle_timer_tick', (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case TICK.kick:
        for (let v = 0; v < d.vcpus.length; v++) {
          const vs = d.vcpus[v];
          if (!vs.throttle_scheduled && !vs.stop) {
            vs.throttle_scheduled = true;
            k.kick(ids.vcpu_tids[v]);
          }
        }
        d.throttle.next_tick_ns = d.throttle.pct > 0 ? k.now + throttlePeriodNs(d.throttle.pct) : -1;
        f.pc = TICK.rearm;
        return k.compute(host.main_loop_bql_ns);
      default:
        return k.ret();
    }
  }, TICK);

  const MLW = steps({
    wait: `ret = ${n.host_main_loop_wait}(timeout);`,
    dispatch: 'qemu_clock_run_all_timers(); aio_bh_poll(); /* a queued vm stop, the throttle timer, a QMP command */',
    unlock: `${ctx.bql.unlock}(); /* back to the poll */`,
    ret: 'return;',
  });
  const mainLoopWait = p.fn(n.main_loop_wait, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case MLW.wait:
        f.pc = MLW.dispatch;
        return k.call(hostWait, null);
      case MLW.dispatch:
        f.pc = MLW.unlock;
        if (d.vmstop_requested) return k.call(doVmStop, null);
        if (d.throttle.next_tick_ns >= 0 && k.now >= d.throttle.next_tick_ns && d.throttle.pct > 0) return k.call(throttleTick, null);
        if (k.now >= d.next_query_ns && d.mig.status !== 'none') {
          d.next_query_ns = k.now + host.query_migrate_interval_ns;
          return k.call(queryMigrate, null);
        }
        if (k.now >= d.next_query_ns) d.next_query_ns = k.now + host.query_migrate_interval_ns;
        return k.compute(host.main_loop_bql_ns); // other timers and bottom halves
      case MLW.unlock:
        f.pc = MLW.ret;
        return k.unlock(ids.bql);
      default:
        return k.ret();
    }
  }, MLW);

  const ML = steps({ loop: `while (!main_loop_should_exit()) ${n.main_loop_wait}(false);` });
  ctx.fn.main_loop = p.fn(n.main_loop, (k, f) => {
    f.pc = ML.loop;
    return k.call(mainLoopWait, null);
  }, ML);
}
