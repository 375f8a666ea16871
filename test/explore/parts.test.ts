// The pieces of schedule search that have a truth table: shard resolution from flags and batch
// environments, the seed split, the Wilson interval, failure signatures, lock-order cycles, and
// the scheduler's scripted strategy (the default schedule and its deviations) and PCT over
// decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveShard, shardPositions, ShardError } from '../../engine/explore/shard';
import { wilson95 } from '../../engine/explore/stats';
import { normalise } from '../../engine/explore/signature';
import { lockCycles, type LockEdge } from '../../engine/explore/lockOrder';
import { Kernel } from '../../engine/sim/kernel';
import { Program, steps } from '../../engine/sim/program';
import type { StrategyOptions } from '../../engine/sim/scheduler';

test('shards: --shard, --shards with JOB_COMPLETION_INDEX or a Slurm array, and every wrong combination', () => {
  assert.deepEqual(resolveShard(undefined, undefined, {}), { index: 0, count: 1, from: 'none' });
  assert.deepEqual(resolveShard('2/5', undefined, {}), { index: 2, count: 5, from: 'flag' });
  assert.deepEqual(resolveShard(undefined, 8, { JOB_COMPLETION_INDEX: '7' }), { index: 7, count: 8, from: 'JOB_COMPLETION_INDEX' });
  assert.deepEqual(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }), { index: 4, count: 8, from: 'SLURM_ARRAY_TASK_ID' });
  assert.deepEqual(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '20', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '10', SLURM_ARRAY_TASK_COUNT: '3' }), { index: 2, count: 3, from: 'SLURM_ARRAY_TASK_ID' });
  // --shard wins over the environment
  assert.deepEqual(resolveShard('0/2', undefined, { JOB_COMPLETION_INDEX: '1' }), { index: 0, count: 2, from: 'flag' });
  for (const [flag, shards, env, want] of [
    ['3/2', undefined, {}, /indices run from 0 to 1/],
    ['1/0', undefined, {}, /at least 1/],
    ['-1/2', undefined, {}, /must look like i\/n/],
    ['1/2', 3, {}, /disagree/],
    [undefined, 4, {}, /needs the shard index/],
    [undefined, undefined, { JOB_COMPLETION_INDEX: '0' }, /pass --shards N/],
    [undefined, 2, { JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX must be a non-negative integer/],
    [undefined, undefined, { SLURM_ARRAY_TASK_ID: '3' }, /SLURM_ARRAY_TASK_COUNT is not/],
    [undefined, 4, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '8' }, /--shards 4 but the Slurm array has SLURM_ARRAY_TASK_COUNT=8/],
    [undefined, undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '8' }, /not in the array/],
  ] as [string | undefined, number | undefined, Record<string, string>, RegExp][]) {
    assert.throws(() => resolveShard(flag, shards, env), (e: unknown) => e instanceof ShardError && want.test(e.message), `${flag} ${shards} ${JSON.stringify(env)}`);
  }
});

test('shards split the seed positions without overlap and cover them all', () => {
  for (const n of [1, 2, 3, 7]) {
    const all = Array.from({ length: n }, (_, i) => shardPositions(20, { index: i, count: n, from: 'flag' })).flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 20 }, (_, i) => i));
  }
  assert.deepEqual(shardPositions(10, { index: 1, count: 3, from: 'flag' }), [1, 4, 7]);
});

test('Wilson interval: sensible at 0, at N and in between', () => {
  const [lo0, hi0] = wilson95(0, 100);
  assert.equal(lo0, 0);
  assert.ok(hi0 > 0.03 && hi0 < 0.04, String(hi0));
  const [lo, hi] = wilson95(30, 100);
  assert.ok(lo > 0.21 && lo < 0.22 && hi > 0.39 && hi < 0.40, `${lo} ${hi}`);
  const [loN, hiN] = wilson95(50, 50);
  assert.ok(loN > 0.92 && hiN === 1);
});

test('signatures: channel numbers, counts and times are not part of a bug', () => {
  assert.equal(normalise('waiting on semaphore "send_0.sem_sync" (count 0), which only "mig/src/send_0" posts (12 posts so far)'), 'waiting on semaphore "send_#.sem_sync", which only "mig/src/send_#" posts');
  assert.equal(normalise('"CPU 3/KVM"'), '"CPU #/KVM"');
});

test('lock-order cycles: found once each, from their smallest lock, of any length', () => {
  const e = (from: string, to: string): LockEdge => ({ from, to, seed: 1, thread: 't', from_site: 'f', from_stack: [], stack: [], runs: 1 });
  assert.deepEqual(lockCycles([e('A', 'B'), e('B', 'C')]).length, 0);
  assert.deepEqual(lockCycles([e('B', 'A'), e('A', 'B')]).map((c) => c.locks), [['A', 'B']]);
  assert.deepEqual(lockCycles([e('A', 'B'), e('B', 'C'), e('C', 'A'), e('C', 'D')]).map((c) => c.locks), [['A', 'B', 'C']]);
  assert.deepEqual(lockCycles([e('A', 'B'), e('B', 'A'), e('B', 'C'), e('C', 'B')]).map((c) => c.locks), [['A', 'B'], ['B', 'C']]);
});

/** Three threads that each take a few steps at the same instants: many decisions, all recorded. */
function threeThreads(strategy: StrategyOptions, seed = 1): Kernel {
  const p = new Program();
  const S = steps({ a: 'a();', b: 'b();', y: 'sched_yield();', c: 'c();', ret: 'return;' });
  const fn = p.fn('worker', (k, f) => {
    switch (f.pc) {
      case S.a: f.pc = S.b; return k.computeExact(0);
      case S.b: f.pc = S.y; return k.computeExact(0);
      case S.y: f.pc = S.c; return k.yieldNow();
      case S.c: f.pc = S.ret; return k.computeExact(0);
      default: return k.ret();
    }
  }, S);
  const k = new Kernel(p, { seed, strategy });
  for (let i = 0; i < 3; i++) k.thread(`t${i}`, fn, null);
  k.run();
  return k;
}

test('scripted: the default schedule runs the thread ready longest; listed deviations run instead; a deviation to a thread not ready is ignored', () => {
  const d = threeThreads({ strategy: 'scripted' });
  // t0 runs until it yields (three steps), then t1, ... (first come, first served)
  assert.deepEqual(d.log.tid.toArray().slice(0, 5), [0, 0, 0, 1, 1]);
  const dev = threeThreads({ strategy: 'scripted', script: { at: [0], tid: [2] } });
  assert.equal(dev.log.tid.at(0), 2);
  assert.deepEqual(dev.log.tid.toArray().slice(1, 3), [0, 0]);
  const ignored = threeThreads({ strategy: 'scripted', script: { at: [0], tid: [7] } });
  assert.deepEqual(ignored.log.tid.toArray(), d.log.tid.toArray());
  assert.throws(() => threeThreads({ strategy: 'scripted', script: { at: [3, 1], tid: [0, 1] } }), /ascending/);
});

test('pct over decisions: deterministic per seed, and a yielding thread drops below the others', () => {
  const a = threeThreads({ strategy: 'pct', depth: 2, steps_max: 10, pct_points: 'decisions' }, 5);
  const b = threeThreads({ strategy: 'pct', depth: 2, steps_max: 10, pct_points: 'decisions' }, 5);
  assert.deepEqual(a.log.tid.toArray(), b.log.tid.toArray());
  // Depth 1 (no change point): the highest thread runs until its yield, then another goes first.
  const c = threeThreads({ strategy: 'pct', depth: 1, pct_points: 'decisions' }, 3);
  const first = c.log.tid.at(0);
  const switched = c.log.tid.toArray().findIndex((t) => t !== first);
  assert.ok(switched > 0 && switched <= 3, `switched at ${switched}: ${c.log.tid.toArray().join(',')}`);
  // The paper's PCT (steps) ignores yields: the first thread runs to its end first.
  const s = threeThreads({ strategy: 'pct', depth: 1 }, 3);
  assert.deepEqual(s.log.tid.toArray().slice(0, 4), [s.log.tid.at(0), s.log.tid.at(0), s.log.tid.at(0), s.log.tid.at(0)]);
});
