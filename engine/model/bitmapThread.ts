// The 2012 reporter's proposal (dedicated-bitmap-thread): "one thread (with the appropriate
// protection) get[s] involved with getting the list of the dirty pages", off the iothread. It
// syncs the dirty log under a RAM-list lock of its own (Umesh Deshpande's ramlist mutex, in the
// RFC's series) instead of the BQL, when the migration thread asks; vCPU exits and the main loop
// no longer wait for syncs.

import type { Program } from '../sim/program';
import type { ModelCtx } from './ctx';

export interface BitmapThreadFns {
  /** what the migration thread calls instead of the BQL-held sync: ask and wait */
  requestSync: number;
}

export function defineBitmapThread(p: Program, ctx: ModelCtx, bitmapSync: number): BitmapThreadFns {
  const ids = ctx.ids;
  const requestSync = p.fn(ctx.names.bitmap_request, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.semPost(ids.bitmap_request_sem);
      case 1:
        f.pc = 2;
        return k.semWait(ids.bitmap_done_sem);
      default:
        return k.ret();
    }
  });
  ctx.fn.bitmap = p.fn(ctx.names.bitmap_thread, (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return k.semWait(ids.bitmap_request_sem);
      case 1:
        f.pc = 2;
        return k.lock(ids.ramlist_lock);
      case 2:
        f.pc = 3;
        return k.call(bitmapSync, { added: 0 });
      case 3:
        f.pc = 4;
        return k.unlock(ids.ramlist_lock);
      default:
        f.pc = 0;
        return k.semPost(ids.bitmap_done_sem);
    }
  });
  return { requestSync };
}
