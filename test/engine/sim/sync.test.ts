import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel, Program, lockSummaries, TS, formatHangReport } from '../../../engine/sim';

const US = 1000;

test('lock accounting per lock and call site: acquisitions, contentions, wait, hold, owner changes', () => {
  const p = new Program();
  const critical = p.fn<{ m: number; hold: number }>('critical_section', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(f.l.m);
      case 1: f.pc = 2; return k.computeExact(f.l.hold);
      case 2: f.pc = 3; return k.unlock(f.l.m);
      default: return k.ret();
    }
  });
  const a = p.fn<{ m: number }>('holder_a', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.call(critical, { m: f.l.m, hold: 100 * US });
      default: return k.ret();
    }
  });
  const b = p.fn<{ m: number }>('waiter_b', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.computeExact(10 * US);
      case 1: f.pc = 2; return k.lock(f.l.m);
      case 2: f.pc = 3; return k.computeExact(5 * US);
      case 3: f.pc = 4; return k.unlock(f.l.m);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1 });
  const m = k.mutex('bql');
  k.thread('main', a, { m });
  k.thread('vcpu', b, { m });
  assert.equal(k.run(), 'finished');
  const [bql] = lockSummaries(k);
  assert.equal(bql.name, 'bql');
  assert.equal(bql.acquisitions, 2);
  assert.equal(bql.contentions, 1);
  assert.equal(bql.owner_changes, 1);
  assert.equal(bql.wait_ns_total, 90 * US); // vCPU asked at 10 us, got it at 100 us
  assert.equal(bql.hold_ns_max, 100 * US);
  assert.equal(bql.hold_ns_total, 105 * US);
  const bySite = Object.fromEntries(bql.sites.map((s) => [s.caller, s]));
  assert.equal(bySite.critical_section.hold_ns_total, 100 * US);
  assert.equal(bySite.waiter_b.wait_ns_max, 90 * US);
  assert.deepEqual(bql.waited_on, [{ waiter: 'vcpu', holder: 'main', wait_ns: 90 * US }]);
});

test('fair mutexes hand over to the first waiter; unfair ones let a running thread barge in', () => {
  for (const fair of [true, false]) {
    const p = new Program();
    type D = { order: string[] };
    const greedy = p.fn<{ m: number }>('greedy', (k, f) => {
      const d = k.s.data as D;
      switch (f.pc) {
        case 0: f.pc = 1; return k.lock(f.l.m);
        case 1: f.pc = 2; return k.computeExact(10 * US);
        case 2: f.pc = 3; return k.unlock(f.l.m);
        case 3: f.pc = 4; return k.lock(f.l.m); // straight back in
        case 4: d.order.push('greedy'); f.pc = 5; return k.unlock(f.l.m);
        default: return k.ret();
      }
    });
    const patient = p.fn<{ m: number }>('patient', (k, f) => {
      const d = k.s.data as D;
      switch (f.pc) {
        case 0: f.pc = 1; return k.computeExact(1 * US);
        case 1: f.pc = 2; return k.lock(f.l.m);
        case 2: d.order.push('patient'); f.pc = 3; return k.unlock(f.l.m);
        default: return k.ret();
      }
    });
    const k = new Kernel(p, { seed: 1, strategy: { strategy: 'round-robin' }, data: { order: [] } });
    const m = k.mutex('m', { fair });
    k.thread('greedy', greedy, { m });
    k.thread('patient', patient, { m });
    assert.equal(k.run(), 'finished');
    const order = (k.s.data as D).order;
    if (fair) assert.deepEqual(order, ['patient', 'greedy']);
    else assert.deepEqual(order, ['greedy', 'patient'], 'the greedy thread retakes the lock before the woken waiter runs');
  }
});

test('timed waits time out with result 1, and signalled waits return 0', () => {
  const p = new Program();
  type D = { results: number[] };
  const waiter = p.fn<{ m: number; c: number; s: number }>('waiter', (k, f, th) => {
    const d = k.s.data as D;
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(f.l.m);
      case 1: f.pc = 2; return k.condTimedWait(f.l.c, f.l.m, 50 * US); // nobody signals: times out
      case 2: d.results.push(th.result); f.pc = 3; return k.condTimedWait(f.l.c, f.l.m, 500 * US);
      case 3: d.results.push(th.result); f.pc = 4; return k.unlock(f.l.m);
      case 4: f.pc = 5; return k.semTimedWait(f.l.s, 10 * US);
      case 5: d.results.push(th.result); f.pc = 6; return k.semTimedWait(f.l.s, 1000 * US);
      case 6: d.results.push(th.result); return k.ret();
    }
  });
  const signaller = p.fn<{ m: number; c: number; s: number }>('signaller', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.computeExact(100 * US);
      case 1: f.pc = 2; return k.condSignal(f.l.c);
      case 2: f.pc = 3; return k.computeExact(300 * US);
      case 3: f.pc = 4; return k.semPost(f.l.s);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1, data: { results: [] } });
  const l = { m: k.mutex('m'), c: k.cond('c'), s: k.sem('s') };
  k.thread('waiter', waiter, l);
  k.thread('signaller', signaller, l);
  assert.equal(k.run(), 'finished');
  assert.deepEqual((k.s.data as D).results, [1, 0, 1, 0]);
  assert.equal(k.s.now_ns, 400 * US);
});

test('a cycle of semaphore waits (a miscounted post) is found as soon as it closes', () => {
  // main posts each sender's `go`, then waits for both `done`; sender 1 waits for a second `go`
  // that main never posts. Senders post `done`; main waits forever, sender 1 too.
  const p = new Program();
  const sender = p.fn<{ go: number; done: number; rounds: number }>('multifd_send_thread', (k, f) => {
    switch (f.pc) {
      case 0:
        if (f.l.rounds === 0) { f.pc = 9; return k.ret(); }
        f.pc = 1; return k.semWait(f.l.go);
      case 1: f.pc = 2; return k.compute(20 * US);
      case 2: f.l.rounds--; f.pc = 0; return k.semPost(f.l.done);
      default: return k.ret();
    }
  });
  const main = p.fn<{ go: number[]; done: number; n: number }>('multifd_send_sync_main', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.semPost(f.l.go[0]);
      case 1: f.pc = 2; return k.semPost(f.l.go[1]);
      case 2: f.pc = 3; return k.semWait(f.l.done);
      case 3: f.pc = 4; return k.semWait(f.l.done);
      case 4: f.pc = 5; return k.semPost(f.l.go[0]); // the bug: forgets go[1]
      case 5: f.pc = 6; return k.semWait(f.l.done);
      case 6: f.pc = 7; return k.semWait(f.l.done);
      default: return k.ret();
    }
  });
  const vcpu = p.fn('vcpu_loop', (k, f) => { f.pc = 0; return k.compute(1000 * US); });
  const k = new Kernel(p, { seed: 2 });
  const go = [k.sem('go-0'), k.sem('go-1')];
  const done = k.sem('done');
  k.thread('migration', main, { go, done, n: 2 });
  k.thread('send-0', sender, { go: go[0], done, rounds: 2 });
  k.thread('send-1', sender, { go: go[1], done, rounds: 2 });
  k.thread('vcpu-0', vcpu, {}); // keeps running: this is no global quiescence
  assert.equal(k.run({ until_ns: 1e9 }), 'hung');
  const r = k.s.hang!;
  assert.ok(r.kind === 'deadlock' || r.kind === 'lost-wakeup', r.kind);
  assert.ok(r.time_ns < 1000 * US, `found at ${r.time_ns}, long before any watchdog`);
  const text = formatHangReport(r);
  assert.match(text, /"migration": waiting on semaphore "done" \(count 0\)/);
  assert.match(text, /"send-1": waiting on semaphore "go-1" \(count 0\), which only "migration" posts/);
  const vcpuT = r.threads.find((t) => t.name === 'vcpu-0')!;
  assert.equal(vcpuT.involved, false);
  assert.equal(vcpuT.state, 'running');
});

test('join waits for the thread to exit; spawn returns its id', () => {
  const p = new Program();
  const child = p.fn('child', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.compute(30 * US);
      default: return k.ret();
    }
  });
  const parent = p.fn<{ kid: number }>('parent', (k, f, th) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.spawn('kid', child, {});
      case 1: f.l.kid = th.result; f.pc = 2; return k.join(f.l.kid);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1 });
  k.thread('parent', parent, { kid: -1 });
  assert.equal(k.run(), 'finished');
  assert.equal(k.s.threads.length, 2);
  assert.equal(k.s.threads[1].name, 'kid');
  assert.equal(k.s.threads[1].parent, 0);
  assert.equal(k.s.threads[0].exit_ns, 30 * US);
  assert.ok(k.s.threads.every((t) => t.state === TS.exited));
});

test('program errors name the thread, function and step', () => {
  const p = new Program();
  const bad = p.fn('bad_unlock', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.unlock(0);
      default: return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1 });
  k.mutex('bql');
  k.thread('mig', bad, {});
  assert.throws(() => k.run(), /thread "mig" in bad_unlock at "step 0" at t=0 ns: unlock of mutex "bql", which is held by nobody/);
  const p2 = new Program();
  const lazy = p2.fn('no_effect', () => undefined);
  const k2 = new Kernel(p2, { seed: 1 });
  k2.thread('t', lazy, {});
  assert.throws(() => k2.run(), /no_effect at "step 0" at t=0 ns: the step performed no effect/);
  const p3 = new Program();
  const holds = p3.fn('exit_holding', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.lock(0);
      default: return k.ret();
    }
  });
  const k3 = new Kernel(p3, { seed: 1 });
  k3.mutex('bql');
  k3.thread('t', holds, {});
  assert.throws(() => k3.run(), /exited holding bql/);
});

test('run limits: until_ns stops before later events, steps stops after that many', () => {
  const p = new Program();
  const loop = p.fn('tick', (k) => k.computeExact(10 * US));
  const k = new Kernel(p, { seed: 1 });
  k.thread('a', loop, {});
  k.thread('b', loop, {});
  assert.equal(k.run({ until_ns: 95 * US }), 'until');
  assert.ok(k.s.now_ns <= 95 * US);
  const steps = k.s.steps;
  assert.equal(k.run({ steps: 7 }), 'steps');
  assert.equal(k.s.steps, steps + 7);
});

test('kick cuts an interruptible compute short; a kick before it makes the next one return at once', () => {
  const p = new Program();
  type D = { ran: number[]; kicked: number[] };
  const vcpu = p.fn('kvm_cpu_exec', (k, f, th) => {
    const d = k.s.data as D;
    switch (f.pc) {
      case 0: f.pc = 1; return k.computeInterruptible(1000 * US);
      case 1:
        d.ran.push(k.now - th.busy_start_ns); d.kicked.push(th.result);
        f.pc = 2; return k.computeExact(100 * US);
      case 2: f.pc = 3; return k.computeInterruptible(1000 * US); // kicked while not in KVM_RUN
      case 3: d.ran.push(k.now - th.busy_start_ns); d.kicked.push(th.result); return k.ret();
    }
  });
  const kicker = p.fn<{ target: number }>('qemu_cpu_kick', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.computeExact(250 * US);
      case 1: k.kick(f.l.target); f.pc = 2; return k.computeExact(50 * US);
      case 2: k.kick(f.l.target); return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1, data: { ran: [], kicked: [] } });
  const v = k.thread('vcpu-0', vcpu, {});
  k.thread('main', kicker, { target: v });
  assert.equal(k.run(), 'finished');
  const d = k.s.data as D;
  assert.deepEqual(d.kicked, [1, 1]);
  assert.deepEqual(d.ran, [250 * US, 0]);
  assert.equal(k.s.now_ns, 350 * US);
});

test('endRun stops a simulation whose threads would run forever', () => {
  const p = new Program();
  const forever = p.fn('forever', (k) => k.compute(10 * US));
  const stopper = p.fn('stopper', (k, f) => {
    switch (f.pc) {
      case 0: f.pc = 1; return k.computeExact(95 * US);
      default: k.endRun(); return k.ret();
    }
  });
  const k = new Kernel(p, { seed: 1 });
  k.thread('vcpu', forever, {});
  k.thread('migration', stopper, {});
  assert.equal(k.run(), 'finished');
  assert.equal(k.s.now_ns, 95 * US);
  assert.equal(k.s.status, 'finished');
  assert.equal(k.run(), 'finished', 'a finished run stays finished');
});
