// The source's main loop (iothread): it polls with the BQL dropped, then takes the BQL to run
// timers and bottom halves: a queued VM stop request (do_vm_stop), auto-converge's throttle timer
// (cpu_throttle_timer_tick), and the management layer's query-migrate polls (libvirt polls every
// 50 ms during a migration). Each holds the BQL for a while, so vCPU exits and the migration
// thread queue behind it now and then, as on a real host.

import type { Program } from '../sim/program';
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

  const hostWait = p.fn(n.host_main_loop_wait, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0: {
        // ppoll until the next timer, or until a bottom half is scheduled (aio_notify).
        let next = Math.min(d.next_query_ns, k.now - (k.now % period) + period);
        if (d.throttle.next_tick_ns >= 0) next = Math.min(next, d.throttle.next_tick_ns);
        f.pc = 1;
        return k.semTimedWait(ids.main_notify_sem, Math.max(0, next - k.now), TS.sleeping);
      }
      case 1:
        f.pc = 2;
        return k.lock(ids.bql);
      default:
        return k.ret();
    }
  });

  const queryMigrate = p.fn(n.query_migrate, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.compute(host.query_migrate_bql_ns);
      default:
        return k.ret();
    }
  });

  const doVmStop = p.fn('do_vm_stop', (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.call(vm.pauseAllVcpus, null);
      default:
        md(k).vmstop_requested = false;
        return k.ret();
    }
  });

  const throttleTick = p.fn('cpu_throttle_timer_tick', (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        for (let v = 0; v < d.vcpus.length; v++) {
          const vs = d.vcpus[v];
          if (!vs.throttle_scheduled && !vs.stop) {
            vs.throttle_scheduled = true;
            k.kick(ids.vcpu_tids[v]);
          }
        }
        d.throttle.next_tick_ns = d.throttle.pct > 0 ? k.now + throttlePeriodNs(d.throttle.pct) : -1;
        f.pc = 1;
        return k.compute(host.main_loop_bql_ns);
      default:
        return k.ret();
    }
  });

  const mainLoopWait = p.fn(n.main_loop_wait, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.call(hostWait, null);
      case 1:
        f.pc = 2;
        if (d.vmstop_requested) return k.call(doVmStop, null);
        if (d.throttle.next_tick_ns >= 0 && k.now >= d.throttle.next_tick_ns && d.throttle.pct > 0) return k.call(throttleTick, null);
        if (k.now >= d.next_query_ns && d.mig.status !== 'none') {
          d.next_query_ns = k.now + host.query_migrate_interval_ns;
          return k.call(queryMigrate, null);
        }
        if (k.now >= d.next_query_ns) d.next_query_ns = k.now + host.query_migrate_interval_ns;
        return k.compute(host.main_loop_bql_ns); // other timers and bottom halves
      case 2:
        f.pc = 3;
        return k.unlock(ids.bql);
      default:
        return k.ret();
    }
  });

  ctx.fn.main_loop = p.fn(n.main_loop, (k, f) => {
    f.pc = 0;
    return k.call(mainLoopWait, null);
  });
}
