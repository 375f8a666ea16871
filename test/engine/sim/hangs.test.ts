import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHangReport } from '../../../engine/sim';
import { abba, boundedBuffer, busyMix, livelock, lostWakeup } from '../../../engine/sim/examples';

test('ABBA deadlock is detected with the held-by cycle', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const k = abba({ seed });
    assert.equal(k.run(), 'hung');
    const r = k.s.hang!;
    assert.equal(r.kind, 'deadlock');
    assert.equal(r.cycle, true);
    assert.equal(r.chain.length, 2);
    const names = (tid: number) => k.s.threads[tid].name;
    // Each thread waits for the lock the other holds.
    for (const l of r.chain) {
      const th = k.s.threads[l.tid];
      const wanted = k.s.mutexes[th.wait_id];
      assert.equal(l.held_by.length, 1);
      assert.equal(wanted.owner, l.held_by[0]);
      assert.notEqual(l.held_by[0], l.tid);
      assert.match(l.because, new RegExp(`held by "${names(wanted.owner)}"`));
    }
    const text = formatHangReport(r);
    assert.match(text, /"thread-ab": waiting to lock mutex "B", which is held by "thread-ba"/);
    assert.match(text, /"thread-ba": waiting to lock mutex "A", which is held by "thread-ab"/);
    assert.match(text, /#0 {2}take_lock\n#1 {2}worker/);
    assert.match(text, /holding "A"/);
  }
});

test('a lost wakeup is detected and names the signal that found no waiter', () => {
  const k = lostWakeup({ seed: 3 });
  assert.equal(k.run(), 'hung');
  const r = k.s.hang!;
  assert.equal(r.kind, 'lost-wakeup');
  assert.equal(r.chain.length, 1);
  assert.equal(k.s.threads[r.chain[0].tid].name, 'consumer');
  assert.match(r.chain[0].because, /only "producer" \(exited at 10\.000 us\) signals; the last signal, by "producer" at 10\.000 us, found no waiter/);
  const consumer = r.threads.find((t) => t.name === 'consumer')!;
  assert.deepEqual(consumer.backtrace, ['consumer']);
  assert.equal(consumer.state, 'blocked');
});

test('a livelock is caught by the no-progress watchdog, naming who keeps failing on whom', () => {
  const k = livelock({ seed: 5 });
  assert.equal(k.run(), 'hung');
  const r = k.s.hang!;
  assert.equal(r.kind, 'no-progress');
  assert.equal(r.time_ns, 10_000_000);
  assert.equal(r.chain.length, 2);
  const [left, right] = r.chain;
  assert.equal(k.s.threads[left.tid].name, 'walker-left');
  assert.deepEqual(left.held_by, [right.tid]);
  assert.deepEqual(right.held_by, [left.tid]);
  assert.match(left.waits, /repeatedly failing to take mutex "right" with trylock \(\d+ times in a row\)/);
});

test('correct programs run to completion with no hang, on many seeds', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const k = boundedBuffer({ seed, watchdog_ns: 50_000_000 });
    assert.equal(k.run(), 'finished', `seed ${seed}: ${k.s.hang ? formatHangReport(k.s.hang) : ''}`);
    assert.equal(k.s.hang, null);
    const d = k.s.data as { produced: number; consumed: number };
    assert.equal(d.produced, 20);
    assert.equal(d.consumed, 20);
    const m = busyMix({ seed, watchdog_ns: 50_000_000 });
    assert.equal(m.run(), 'finished');
  }
});

test('a self-deadlock (relocking a held mutex) is a one-thread cycle', async () => {
  const { Kernel, Program } = await import('../../../engine/sim');
  const p = new Program();
  const f = p.fn('relock_twice', (k, fr) => {
    switch (fr.pc) {
      case 0: fr.pc = 1; return k.lock(0);
      case 1: fr.pc = 2; return k.lock(0);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1 });
  k.mutex('m');
  k.thread('t', f, {});
  assert.equal(k.run(), 'hung');
  assert.equal(k.s.hang!.kind, 'deadlock');
  assert.match(k.s.hang!.summary, /waits for a lock it holds/);
});
