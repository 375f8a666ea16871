// Host CPUs shared by computing threads (engine/sim/hostCpus.ts): processor sharing, as the
// kernel's `cpus` option gives it, against figures worked out by hand; a kick cuts a shared compute
// short and reports the CPU time it really got; stopping and restoring never change the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel, Program, restoreSnapshot, stateHash, takeSnapshot } from '../../../engine/sim';

/** Threads that each compute `work_ns[i]` once (starting at `start_ns[i]`) and record when they finished. */
function computeOnce(work_ns: number[], cpus: number, start_ns: number[] = []): { k: Kernel; done: number[] } {
  const p = new Program();
  const done: number[] = work_ns.map(() => -1);
  const fn = p.fn<{ i: number }>('work', (k, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        if ((start_ns[f.l.i] ?? 0) > 0) return k.sleep(start_ns[f.l.i]);
        return k.computeExact(work_ns[f.l.i]);
      case 1:
        f.pc = 2;
        if ((start_ns[f.l.i] ?? 0) > 0) return k.computeExact(work_ns[f.l.i]);
        done[f.l.i] = k.now;
        return k.ret();
      default:
        done[f.l.i] = k.now;
        return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1, cpus });
  work_ns.forEach((_, i) => k.thread(`t${i}`, fn, { i }));
  return { k, done };
}

test('three threads of 30 ms on two CPUs each get 2/3 of a CPU and finish together at 45 ms', () => {
  const { k, done } = computeOnce([30e6, 30e6, 30e6], 2);
  assert.equal(k.run(), 'finished');
  assert.deepEqual(done, [45e6, 45e6, 45e6]);
});

test('on one CPU, 10 ms and 20 ms share it: the short one ends at 20 ms, the long one at 30 ms', () => {
  const { k, done } = computeOnce([10e6, 20e6], 1);
  assert.equal(k.run(), 'finished');
  assert.deepEqual(done, [20e6, 30e6]);
});

test('without a CPU count every thread has a CPU of its own (the kernel as before)', () => {
  const { k, done } = computeOnce([10e6, 20e6, 30e6], 0);
  assert.equal(k.run(), 'finished');
  assert.deepEqual(done, [10e6, 20e6, 30e6]);
  assert.equal(k.s.cpu, null);
});

test('a thread that joins later slows the others from then on', () => {
  // One CPU: A computes 20 ms from 0; B 10 ms from 5 ms. A alone 0-5 (5 ms done), then both at 1/2:
  // B needs 20 ms of wall → ends at 25 ms; A has 15-10 = 5 ms left alone → ends at 30 ms.
  const { k, done } = computeOnce([20e6, 10e6], 1, [0, 5e6]);
  assert.equal(k.run(), 'finished');
  assert.deepEqual(done, [30e6, 25e6]);
});

test('a kicked interruptible compute leaves the CPUs and reports the CPU time it got', () => {
  const p = new Program();
  const seen: { cpu: number; passed: number } = { cpu: -1, passed: -1 };
  let vcpu = -1;
  const guest = p.fn('guest', (k, f, th) => {
    if (f.pc === 0) {
      f.pc = 1;
      return k.computeInterruptible(100e6);
    }
    seen.cpu = k.busyCpuNs(th);
    seen.passed = k.now - th.busy_start_ns;
    return k.ret();
  });
  const other = p.fn('other', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.computeExact(40e6);
      case 1: f.pc = 2; k.kick(vcpu); return k.computeExact(10e6);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 3, cpus: 1 });
  vcpu = k.thread('vcpu', guest, null);
  k.thread('other', other, null);
  assert.equal(k.run(), 'finished');
  // both at 1/2 for 80 ms: other's 40 ms done at 80 ms, when it kicks the vCPU, which had 40 ms of CPU
  assert.equal(seen.passed, 80e6);
  assert.equal(seen.cpu, 40e6);
  // other's last 10 ms ran alone
  assert.equal(k.now, 90e6);
});

test('stopping at every step and restoring a snapshot midway give the same state as one run', () => {
  const make = () => computeOnce([7_000_001, 13e6, 29e6, 3e6], 2, [0, 1_234_567, 0, 9e6]).k;
  const whole = make();
  whole.run();
  const stepped = make();
  let snap = null;
  for (let i = 0; stepped.run({ steps: 1 }) === 'steps'; i++) if (i === 4) snap = takeSnapshot(stepped);
  assert.equal(stateHash(stepped.s), stateHash(whole.s));
  assert.ok(snap !== null);
  restoreSnapshot(stepped, snap);
  stepped.run();
  assert.equal(stateHash(stepped.s), stateHash(whole.s));
  assert.equal(stepped.now, whole.now);
});
