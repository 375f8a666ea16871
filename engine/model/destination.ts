// The destination QEMU's incoming side: process_incoming_migration_co reading the stream and
// ram_load placing pages, one batch per flush of the source. It waits on the socket (io), and
// loads at its own per-page cost. The source's downtime is measured at the source, as QEMU does.

import type { Program } from '../sim/program';
import { TS } from '../sim/types';
import type { ModelCtx } from './ctx';
import { md } from './ctx';

export function defineDestination(p: Program, ctx: ModelCtx): void {
  const n = ctx.names;
  const ids = ctx.ids;
  const host = ctx.cfg.host;

  const ramLoad = p.fn(n.ram_load, (k, f) => {
    const d = md(k);
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.semWait(ids.incoming_sem, TS.io);
      case 1: {
        const b = d.dst.queue[0];
        f.pc = 2;
        if (b.arrive_ns > k.now) return k.io(b.arrive_ns - k.now);
        return k.yieldNow();
      }
      default: {
        const b = d.dst.queue.shift();
        if (b === undefined) throw k.error('ram_load: no batch queued after a post on the incoming socket');
        d.dst.loaded_pages += b.zero_pages + b.normal_pages;
        f.pc = 0;
        return k.compute(b.zero_pages * host.load_zero_page_ns + b.normal_pages * host.load_normal_page_ns);
      }
    }
  });

  const loadvm = p.fn(n.loadvm, (k, f) => {
    f.pc = 0;
    return k.call(ramLoad, null);
  });

  ctx.fn.destination = p.fn(n.incoming, (k, f) => {
    f.pc = 0;
    return k.call(loadvm, null);
  });
}
