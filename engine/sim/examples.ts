// Small simulated programs that exercise the kernel; the kernel tests and `migtrace demo` use
// them: a correct producer/consumer, an ABBA deadlock, a lost wakeup, a livelock, a planted
// depth-2 ordering bug, and a busy multi-threaded mix.

import { Kernel, type KernelOptions } from './kernel';
import { Program } from './program';
import type { SimThread } from './types';

const US = 1000;

/** Two threads take A then B, and B then A, with work in between: the classic ABBA deadlock. */
export function abba(o: KernelOptions): Kernel {
  const p = new Program();
  const take = p.fn<{ m: number }>('take_lock', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(f.l.m);
      default: return k.ret();
    }
  });
  const worker = p.fn<{ first: number; second: number }>('worker', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.call(take, { m: f.l.first });
      case 1: f.pc = 2; return k.compute(50 * US);
      case 2: f.pc = 3; return k.call(take, { m: f.l.second });
      case 3: f.pc = 4; return k.unlock(f.l.second);
      case 4: f.pc = 5; return k.unlock(f.l.first);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, o);
  const a = k.mutex('A');
  const b = k.mutex('B');
  k.thread('thread-ab', worker, { first: a, second: b });
  k.thread('thread-ba', worker, { first: b, second: a });
  return k;
}

/** The producer signals before the consumer waits, without a predicate: the wake-up is lost. */
export function lostWakeup(o: KernelOptions): Kernel {
  const p = new Program();
  type Shared = { m: number; c: number };
  const consumer = p.fn<Shared>('consumer', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.compute(100 * US); // arrives late
      case 1: f.pc = 2; return k.lock(f.l.m);
      case 2: f.pc = 3; return k.condWait(f.l.c, f.l.m); // no predicate check: the bug
      case 3: f.pc = 4; return k.unlock(f.l.m);
      default: return k.ret();
    }
  });
  const producer = p.fn<Shared>('producer', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.compute(10 * US);
      case 1: f.pc = 2; return k.lock(f.l.m);
      case 2: f.pc = 3; return k.condSignal(f.l.c);
      case 3: f.pc = 4; return k.unlock(f.l.m);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, o);
  const m = k.mutex('data_lock');
  const c = k.cond('data_ready');
  k.thread('consumer', consumer, { m, c });
  k.thread('producer', producer, { m, c });
  return k;
}

/** Both threads hold one lock and trylock the other, back off and retry in lockstep: a livelock. */
export function livelock(o: KernelOptions): Kernel {
  const p = new Program();
  const polite = p.fn<{ mine: number; other: number }>('polite_worker', (k, f, th) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(f.l.mine);
      case 1: f.pc = 2; return k.computeExact(10 * US);
      case 2: f.pc = 3; return k.trylock(f.l.other);
      case 3:
        if (th.result === 1) { f.pc = 10; return k.unlock(f.l.other); }
        f.pc = 4; return k.computeExact(1 * US); // note the failure, still holding ours
      case 4: f.pc = 5; return k.unlock(f.l.mine);
      case 5: f.pc = 0; return k.sleep(5 * US); // back off, then try again, forever in lockstep
      case 10: f.pc = 11; return k.unlock(f.l.mine);
      default: k.progress(); return k.ret();
    }
  });
  const k = new Kernel(p, { watchdog_ns: 10_000_000, ...o });
  const a = k.mutex('left');
  const b = k.mutex('right');
  k.thread('walker-left', polite, { mine: a, other: b });
  k.thread('walker-right', polite, { mine: b, other: a });
  return k;
}

/** A correct bounded producer/consumer with a predicate loop: it must finish with no hang. */
export function boundedBuffer(o: KernelOptions, items = 20, consumers = 2): Kernel {
  const p = new Program();
  type Data = { queued: number; produced: number; consumed: number; done: boolean };
  type L = { m: number; notEmpty: number; notFull: number; cap: number; total: number };
  const produce = p.fn<L>('produce', (k, f) => {
    const d = k.s.data as Data;
    switch (f.pc) {
      case 0:
        if (d.produced === f.l.total) { f.pc = 20; return k.lock(f.l.m); }
        f.pc = 1; return k.compute(20 * US);
      case 1: f.pc = 2; return k.lock(f.l.m);
      case 2:
        if (d.queued === f.l.cap) { f.pc = 2; return k.condWait(f.l.notFull, f.l.m); }
        d.queued++; d.produced++; k.progress();
        f.pc = 3; return k.compute(3 * US); // enqueue under the lock
      case 3: f.pc = 4; return k.condSignal(f.l.notEmpty);
      case 4: f.pc = 0; return k.unlock(f.l.m);
      case 20: d.done = true; f.pc = 21; return k.condBroadcast(f.l.notEmpty);
      case 21: f.pc = 22; return k.unlock(f.l.m);
      default: return k.ret();
    }
  });
  const consume = p.fn<L>('consume', (k, f) => {
    const d = k.s.data as Data;
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(f.l.m);
      case 1:
        if (d.queued === 0 && !d.done) { f.pc = 1; return k.condWait(f.l.notEmpty, f.l.m); }
        if (d.queued === 0) { f.pc = 9; return k.unlock(f.l.m); }
        d.queued--; d.consumed++; k.progress();
        f.pc = 2; return k.compute(2 * US); // dequeue under the lock
      case 2: f.pc = 3; return k.condSignal(f.l.notFull);
      case 3: f.pc = 4; return k.unlock(f.l.m);
      case 4: f.pc = 0; return k.compute(30 * US);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { jitter: 0.2, ...o, data: { queued: 0, produced: 0, consumed: 0, done: false } });
  const m = k.mutex('queue_lock');
  const notEmpty = k.cond('not_empty');
  const notFull = k.cond('not_full');
  const l: L = { m, notEmpty, notFull, cap: 3, total: items };
  k.thread('producer', produce, { ...l });
  for (let i = 0; i < consumers; i++) k.thread(`consumer-${i}`, consume, { ...l });
  return k;
}

/**
 * A planted ordering bug of depth 2: the checker must run after the initialiser's first step
 * (taking the flag lock) but before its second (setting the flag). Each thread runs `k_pad` extra
 * no-op steps first, so the bug hides among k steps. Data: bug = true when the checker saw it.
 */
export function orderingBug(o: KernelOptions, pad = 4): Kernel {
  const p = new Program();
  type Data = { init_started: boolean; initialised: boolean; bug: boolean };
  const initialiser = p.fn<{ n: number }>('initialiser', (k, f) => {
    const d = k.s.data as Data;
    if (f.pc === 0 && f.l.n < pad) { f.l.n++; return k.yieldNow(); }
    switch (f.pc) {
      case 0: d.init_started = true; f.pc = 1; return k.yieldNow();
      case 1: d.initialised = true; f.pc = 2; return k.yieldNow();
      default: return k.ret();
    }
  });
  const checker = p.fn<{ n: number }>('checker', (k, f) => {
    const d = k.s.data as Data;
    if (f.pc === 0 && f.l.n < pad) { f.l.n++; return k.yieldNow(); }
    switch (f.pc) {
      case 0:
        if (d.init_started && !d.initialised) d.bug = true;
        f.pc = 1; return k.yieldNow();
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { ...o, data: { init_started: false, initialised: false, bug: false } });
  k.thread('initialiser', initialiser, { n: 0 });
  k.thread('checker', checker, { n: 0 });
  return k;
}

/** A busy mix for determinism and snapshots: threads share locks, conditions and a semaphore. */
export function busyMix(o: KernelOptions, threads = 6, rounds = 30): Kernel {
  const p = new Program();
  type Data = { counter: number; tokens: number };
  type L = { i: number; round: number; locks: number[]; cond: number; sem: number };
  const work = p.fn<{ i: number }>('do_work', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.compute(5 * US + 1000 * (f.l.i % 3));
      default: return k.ret();
    }
  });
  const worker = p.fn<L>('worker_loop', (k, f, th: SimThread) => {
    const d = k.s.data as Data;
    const m = f.l.locks[(f.l.i + f.l.round) % f.l.locks.length];
    switch (f.pc) {
      case 0:
        if (f.l.round === rounds) { f.pc = 99; return k.ret(); }
        f.pc = 1; return k.call(work, { i: f.l.i });
      case 1: f.pc = 2; return k.lock(m);
      case 2: d.counter++; f.pc = 3; return k.compute(2 * US);
      case 3: f.pc = 4; return k.unlock(m);
      case 4: f.pc = 5; return k.semPost(f.l.sem);
      case 5: f.pc = 6; return k.semTimedWait(f.l.sem, 3 * US);
      case 6:
        if (th.result === 0) d.tokens++;
        f.l.round++; k.progress();
        f.pc = 0; return k.yieldNow();
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { jitter: 0.3, ...o, data: { counter: 0, tokens: 0 } });
  const locks = [k.mutex('lock-0'), k.mutex('lock-1'), k.mutex('lock-2')];
  const cond = k.cond('unused');
  const sem = k.sem('tokens', 0);
  for (let i = 0; i < threads; i++) k.thread(`worker-${i}`, worker, { i, round: 0, locks: locks.slice(), cond, sem });
  return k;
}
