import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderingBug } from '../../../engine/sim/examples';

const PAD = 8;

function stepsOfOneRun(): number {
  const k = orderingBug({ seed: 1, strategy: { strategy: 'round-robin' } }, PAD);
  k.run();
  return k.s.steps;
}

function bugFound(seed: number, strategy: 'pct' | 'random', k_steps: number): boolean {
  const k = orderingBug({ seed, strategy: { strategy, depth: 2, steps_max: k_steps } }, PAD);
  assert.equal(k.run(), 'finished');
  return (k.s.data as { bug: boolean }).bug;
}

test('PCT depth 2 finds a planted depth-2 ordering bug within its 1/(n·k) bound', () => {
  const n = 2;
  const k = stepsOfOneRun();
  const bound = 1 / (n * k);
  // Many independent searches, each counting runs until the first hit.
  const searches = 200;
  let totalRuns = 0;
  let firstSearchRuns = 0;
  let seed = 1;
  for (let s = 0; s < searches; s++) {
    let runs = 0;
    for (;;) {
      runs++;
      if (bugFound(seed++, 'pct', k)) break;
      assert.ok(runs < 50 / bound, 'PCT did not find the bug in 50x its bound');
    }
    if (s === 0) firstSearchRuns = runs;
    totalRuns += runs;
  }
  const mean = totalRuns / searches;
  let randomHits = 0;
  for (let s = 1; s <= 2000; s++) if (bugFound(100000 + s, 'random', k)) randomHits++;
  console.log(`PCT depth 2: n=${n} threads, k=${k} steps, bound 1/(n·k) = 1/${n * k}; runs needed: first search ${firstSearchRuns}, mean over ${searches} searches ${mean.toFixed(1)}; random strategy hit rate ${(randomHits / 2000).toFixed(4)}`);
  // The bound says the expected number of runs is at most n·k; allow sampling noise of 30%.
  assert.ok(mean <= 1.3 * n * k, `mean runs to find the bug ${mean} exceeds the bound's ${n * k} by more than 30%`);
});
