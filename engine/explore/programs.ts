// Explore's own kernel programs: small simulated programs with a known concurrency property, to
// check schedule search against ground truth without a migration around it.
//  - lock-order-inversion: "worker-ab" takes A then B; "worker-ba", a millisecond later, takes B
//    then A. The two never overlap, so no schedule deadlocks, yet the lock order is inverted: the
//    deadlock lockdep predicts (two threads, each holding the lock the other wants) is one timing
//    change away. Lock-order analysis must report A → B → A with both acquisition stacks.

import { Kernel, type KernelOptions } from '../sim/kernel';
import { Program, steps } from '../sim/program';

export type ProgramName = 'lock-order-inversion';
export const PROGRAMS: readonly ProgramName[] = ['lock-order-inversion'];

const US = 1000;

function lockOrderInversion(o: KernelOptions): Kernel {
  const p = new Program();
  const TAKE = steps({ lock: 'qemu_mutex_lock(m);', ret: 'return;' });
  const take = p.fn<{ m: number }>('take_lock', (k, f) => {
    if (f.pc === TAKE.lock) {
      f.pc = TAKE.ret;
      return k.lock(f.l.m);
    }
    return k.ret();
  }, TAKE);
  const W = steps({
    delay: 'g_usleep(start_delay);',
    first: 'take_lock(first);',
    work: 'do_work();',
    second: 'take_lock(second);',
    unlock_second: 'qemu_mutex_unlock(second);',
    unlock_first: 'qemu_mutex_unlock(first);',
    ret: 'return;',
  });
  const worker = p.fn<{ first: number; second: number; delay_ns: number }>('worker', (k, f) => {
    switch (f.pc) {
      case W.delay:
        f.pc = W.first;
        return k.sleep(f.l.delay_ns);
      case W.first:
        f.pc = W.work;
        return k.call(take, { m: f.l.first });
      case W.work:
        f.pc = W.second;
        return k.compute(50 * US);
      case W.second:
        f.pc = W.unlock_second;
        return k.call(take, { m: f.l.second });
      case W.unlock_second:
        f.pc = W.unlock_first;
        return k.unlock(f.l.second);
      case W.unlock_first:
        f.pc = W.ret;
        return k.unlock(f.l.first);
      default:
        return k.ret();
    }
  }, W);
  const k = new Kernel(p, { jitter: 0.05, ...o });
  const a = k.mutex('A');
  const b = k.mutex('B');
  k.thread('worker-ab', worker, { first: a, second: b, delay_ns: 0 });
  k.thread('worker-ba', worker, { first: b, second: a, delay_ns: 1000 * US });
  return k;
}

export function buildProgram(name: ProgramName, o: KernelOptions): Kernel {
  switch (name) {
    case 'lock-order-inversion':
      return lockOrderInversion(o);
  }
}

export function programThreads(name: ProgramName): number {
  switch (name) {
    case 'lock-order-inversion':
      return 2;
  }
}
