// The 2012 reporter's proposal (dedicated-bitmap-thread): "one thread (with the appropriate
// protection) get[s] involved with getting the list of the dirty pages", off the iothread. It
// syncs the dirty log under a RAM-list lock of its own (Umesh Deshpande's ramlist mutex, in the
// RFC's series) instead of the BQL, when the migration thread asks; vCPU exits and the main loop
// no longer wait for syncs.

import { steps, type Program } from '../sim/program';
import type { ModelCtx } from './ctx';

export interface BitmapThreadFns {
  /** what the migration thread calls instead of the BQL-held sync: ask and wait */
  requestSync: number;
}

export function defineBitmapThread(p: Program, ctx: ModelCtx, bitmapSync: number): BitmapThreadFns {
  const ids = ctx.ids;
  const REQ = steps({ ask: 'qemu_sem_post(&bitmap_sync_request);', wait: 'qemu_sem_wait(&bitmap_sync_done);', ret: 'return;' });
  const requestSync = p.fn(ctx.names.bitmap_request, (k, f) => {
    switch (f.pc) {
      case REQ.ask:
        f.pc = REQ.wait;
        return k.semPost(ids.bitmap_request_sem);
      case REQ.wait:
        f.pc = REQ.ret;
        return k.semWait(ids.bitmap_done_sem);
      default:
        return k.ret();
    }
  }, REQ);
  const T = steps({
    wait: 'while (true) { qemu_sem_wait(&bitmap_sync_request);',
    lock: '    qemu_mutex_lock_ramlist();',
    sync: '    migration_bitmap_sync(rs);',
    unlock: '    qemu_mutex_unlock_ramlist();',
    done: '    qemu_sem_post(&bitmap_sync_done); }',
  });
  ctx.fn.bitmap = p.fn(ctx.names.bitmap_thread, (k, f) => {
    switch (f.pc) {
      case T.wait:
        f.pc = T.lock;
        return k.semWait(ids.bitmap_request_sem);
      case T.lock:
        f.pc = T.sync;
        return k.lock(ids.ramlist_lock);
      case T.sync:
        f.pc = T.unlock;
        return k.call(bitmapSync, { added: 0 });
      case T.unlock:
        f.pc = T.done;
        return k.unlock(ids.ramlist_lock);
      default:
        f.pc = T.wait;
        return k.semPost(ids.bitmap_done_sem);
    }
  }, T);
  return { requestSync };
}
