// Reverse equals straight: a thousand random movements of one debugging session (steps over, in
// and out on random threads, steps back, next stage and iteration, go to time, go to a boundary,
// reverse continue and continue onto breakpoints), each landing compared with a straight run of
// the same scenario stopped at the same boundary: the same state hash, the same threads, stacks
// and migration variables. Checkpoints every 300 steps, so the moves cross dozens of them; and
// again with checkpoints far apart and temporary ones left at stops and on step backs' replays
// every 40 steps, so landings come from temporary checkpoints and from stretches kept for step
// backs (stepBackTrack.ts) as often as from a replay; and with the look-ahead running beside the
// movements (its checkpoints and landmark checkpoints, next stage and continue through it). Each
// go to time is checked against a run from the start to that time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stateHash } from '../../engine/sim/snapshot';
import { prngCreate, prngInt } from '../../engine/sim/prng';
import { loadScenarioText } from '../../engine/scenario/load';
import { SimCore } from '../../engine/runtime/simRun';
import { SimRun } from '../../engine/runtime/simTarget';
import { stepStops, type StepMode } from '../../engine/runtime/stopMatcher';
import { EFFECT } from '../../engine/sim/types';
import { SMALL } from './scenarios';

const clock = { now_ms: () => 0, yield: () => Promise.resolve() };

function picture(r: SimRun): string {
  const k = r.core.k;
  const stacks = r.threads().map((th) => `${th.name}: ${r.stack(th.tid).map((f) => `${f.name}:${f.line}`).join(' <- ')}`);
  const mig = r.views.migrationVars().filter((v) => v.name !== 'query-migrate').map((v) => `${v.name}=${v.value}`);
  return [`steps=${k.s.steps} t=${k.s.now_ns} decision=${k.s.decisions}`, ...stacks, ...mig, `hash=${stateHash(k.s)}`].join('\n');
}

/** A clock whose yield lets the look-ahead run a slice between two movements. */
const macroClock = { now_ms: () => Date.now(), yield: () => new Promise<void>((resolve) => setImmediate(resolve)) };

function newRun(interval_steps: number, temp_gap_min_steps?: number, lookAhead = false): SimRun {
  const sc = loadScenarioText(readFileSync(SMALL, 'utf8'), SMALL);
  const core = new SimCore({ scenario: sc, clock: lookAhead ? macroClock : clock, lookAhead, checkpoints: { interval_steps, budget_bytes: 1024 ** 3, temp_gap_min_steps } });
  return new SimRun(core, null);
}

/**
 * Where a step back from `before` in `tid` must land, found the slow way: a straight run from the
 * start, watching every statement of the thread (the latest boundary whose step over reaches
 * `before` or beyond), with none of the session's checkpoints or kept stretches.
 */
function stepBackOracle(straight: SimRun, tid: number, before: number): number {
  const core = straight.core;
  core.seekSteps(0);
  const k = core.k;
  const openAt: number[] = [];
  const openDepth: number[] = [];
  let best = -1;
  let evaluated = 0;
  k.boundary = () => {
    if (k.s.steps === evaluated) return false;
    evaluated = k.s.steps;
    if (k.cur.id !== tid || k.lastFrame === null || k.lastEffect === EFFECT.yield) return false;
    const depth = k.cur.stack.length;
    const edepth = depth + (k.lastEffect === EFFECT.ret ? 1 : k.lastEffect === EFFECT.call ? -1 : 0);
    for (let j = openAt.length - 1; j >= 0; j--) {
      if (stepStops('over', k.lastEffect, edepth, openDepth[j])) {
        if (k.s.steps === before && openAt[j] > best) best = openAt[j];
        openAt.splice(j, 1);
        openDepth.splice(j, 1);
      }
    }
    if (k.s.steps < before) {
      openAt.push(k.s.steps);
      openDepth.push(depth);
    }
    return false;
  };
  try {
    if (k.run({ steps: before }) === 'steps') k.boundary();
  } finally {
    k.boundary = null;
  }
  if (openAt.length > 0 && openAt[openAt.length - 1] > best) best = openAt[openAt.length - 1];
  return best >= 0 ? best : 0;
}

async function randomMovements(r: SimRun, count: number, seed: number): Promise<void> {
  const rng = prngCreate(seed, 7);
  const threads = r.core.k.s.threads.length;
  const fnNames = ['ram_save_complete', 'migration_bitmap_sync', 'kvm_cpu_exec', 'qemu_savevm_state_iterate'];
  const landed: { steps: number; picture: string; op: string }[] = [];
  const backs: { tid: number; before: number; after: number; op: string }[] = [];
  const gotos: { t: number; after: number; op: string }[] = [];
  await r.start({ stopOnEntry: true });
  // Find the end once, so that random targets cover the whole run.
  await r.continue();
  const end = r.core.endSteps;
  const endTime = r.core.k.now;
  assert.ok(end > 5000, `the scenario is too short to test reverse execution: ${end} steps`);
  for (let i = 0; i < count; i++) {
    const tid = prngInt(rng, threads);
    const kind = prngInt(rng, 10);
    let op: string;
    r.core.setFunctionBreakpoints([]);
    switch (kind) {
      case 0: case 1: {
        const mode = (['over', 'in', 'out'] as StepMode[])[prngInt(rng, 3)];
        op = `step ${mode} ${tid}`;
        await r.step(tid, mode);
        break;
      }
      case 2: case 3: {
        op = `stepBack ${tid}`;
        const before = r.core.steps;
        await r.stepBack(tid);
        backs.push({ tid, before, after: r.core.steps, op: `#${i} ${op} from step ${before}` });
        break;
      }
      case 4:
        op = 'nextStage';
        await r.nextStage();
        break;
      case 5:
        op = 'nextIteration';
        await r.nextIteration();
        break;
      case 6: {
        const t = prngInt(rng, Math.max(1, Math.floor(endTime / 1e6))) * 1e6;
        op = `goToTime ${t}`;
        await r.goToTime(t);
        gotos.push({ t, after: r.core.steps, op: `#${i} ${op}` });
        break;
      }
      case 7: {
        const s = prngInt(rng, end + 1);
        op = `gotoSteps ${s}`;
        await r.gotoSteps(s);
        break;
      }
      case 8: {
        const name = fnNames[prngInt(rng, fnNames.length)];
        r.core.setFunctionBreakpoints([{ name }]);
        op = `reverseContinue to ${name}`;
        await r.reverseContinue();
        break;
      }
      default: {
        const name = fnNames[prngInt(rng, fnNames.length)];
        r.core.setFunctionBreakpoints([{ name }]);
        op = `continue to ${name}`;
        if (r.core.atEnd) await r.gotoSteps(prngInt(rng, end));
        await r.continue();
      }
    }
    landed.push({ steps: r.core.steps, picture: picture(r), op: `#${i} ${op}` });
    // With the look-ahead, breakpoints go again after the move, so that next stage, next iteration
    // and continue go through it (a breakpoint in force keeps them on the session's own kernel).
    if (r.core.look !== null && r.core.bps.any) r.core.setFunctionBreakpoints([]);
  }
  // The straight run: never goes back, never stops on anything but a step count.
  const straight = newRun(1e9);
  const order = landed.map((_, i) => i).sort((a, b) => landed[a].steps - landed[b].steps);
  let checked = 0;
  for (const i of order) {
    const l = landed[i];
    straight.core.seekSteps(l.steps);
    assert.equal(straight.core.steps, l.steps);
    assert.equal(l.picture, picture(straight), `${l.op} landed on a state that differs from the straight run at step ${l.steps}`);
    checked++;
  }
  assert.equal(checked, count);
  // Each step back landed where a search from the start says it must.
  for (const b of backs) assert.equal(b.after, stepBackOracle(straight, b.tid, b.before), b.op);
  // Each go to time landed on the first boundary at or after its time (or the end): a run from the start to that time.
  for (const g of gotos) {
    straight.core.seekSteps(0);
    await straight.core.forward(null, g.t);
    assert.equal(g.after, straight.core.steps, `${g.op} landed on step ${g.after}; the first boundary at or after that time is step ${straight.core.steps}`);
  }
  assert.ok(gotos.length > count / 20, `only ${gotos.length} go to times`);
  assert.ok(backs.length > count / 10, `only ${backs.length} step backs`);
  const distinct = new Set(landed.map((l) => l.steps)).size;
  assert.ok(distinct > count * 0.3, `the movements visited only ${distinct} distinct boundaries`);
}

test('a thousand random forward/back movements land on the states of a straight run', async () => {
  const r = newRun(300);
  await randomMovements(r, 1000, 20261201);
  assert.ok(r.core.cps.list.length > 20, `only ${r.core.cps.list.length} checkpoints`);
});

test('movements landing from temporary checkpoints and kept stretches land on the states of a straight run', async () => {
  const r = newRun(4000, 40);
  await randomMovements(r, 400, 20261202);
  assert.ok(r.core.cps.temps.length > 5, `only ${r.core.cps.temps.length} temporary checkpoints`);
});

test('movements with the look-ahead running beside them (landmarks, its checkpoints, racing it) land on the states of a straight run', async () => {
  const r = newRun(300, undefined, true);
  r.core.startLookAhead();
  try {
    await randomMovements(r, 400, 20261203);
  } finally {
    r.dispose();
  }
  assert.ok(r.core.look !== null && r.core.look.landmarks.length >= 3, 'the look-ahead found no landmarks');
  assert.ok(r.core.cps.marks.length >= 3, `only ${r.core.cps.marks.length} landmark checkpoints`);
});

