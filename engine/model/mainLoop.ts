// The source's main loop (iothread): it polls with the BQL dropped, then takes the BQL to run
// timers and bottom halves, and answers the management layer's query-migrate polls (libvirt polls
// every 50 ms during a migration). Each of these holds the BQL briefly, so vCPU exits and the
// migration thread's syncs queue behind it now and then, as on a real host.

import type { Program } from '../sim/program';
import { TS } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';

export function defineMainLoop(p: Program, ctx: ModelCtx): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const host = ctx.cfg.host;
  const period = Math.max(1, Math.round(1e9 / host.main_loop_wakeups_per_s));

  const hostWait = p.fn(n.host_main_loop_wait, (k, f) => {
    switch (f.pc) {
      case 0: {
        // ppoll until the next timer, or until a bottom half is scheduled (aio_notify).
        const next = Math.min(md(k).next_query_ns, k.now - (k.now % period) + period);
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

  const mainLoopWait = p.fn(n.main_loop_wait, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.call(hostWait, null);
      case 1:
        f.pc = 2;
        if (k.now >= d.next_query_ns && d.mig.status !== 'none') {
          d.next_query_ns = k.now + host.query_migrate_interval_ns;
          return k.call(queryMigrate, null);
        }
        if (k.now >= d.next_query_ns) d.next_query_ns = k.now + host.query_migrate_interval_ns;
        return k.compute(host.main_loop_bql_ns); // timers and bottom halves
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
