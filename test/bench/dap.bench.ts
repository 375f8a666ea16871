// Debug adapter latency (issue 10), through the real DAP session in memory, as an editor sees it:
// p50/p95 of step (over, on the migration thread), next stage, step back, go to time (forward and
// back, random), and threads+stackTrace, on seed-specjbb-128g and on a 512-vCPU, 1 TiB variant;
// and the memory all checkpoints hold at the end of the whole run. Step back is measured twice: as
// people press it, several in a row after as many steps (`step-back`), and once from a random
// time (`step-back-random`). The whole run under the debugger is set beside a plain run of the
// same scenario in the same process (`debugger-vs-plain-run`). Floors: p95 ≤ 50 ms forward,
// ≤ 200 ms back; checkpoints ≤ 1 GiB. Prints BENCH lines; never fails on time.
//
// Next stage is measured twice: pressed as soon as the session starts (`next-stage`: it simulates
// what the look-ahead has not yet run), and again through the whole run once the look-ahead has
// run it (`next-stage-explored`, and `next-iteration-explored`), with the wall time from the
// launch until the look-ahead had run the whole migration (`look-ahead-whole-run`). Then continue
// from the start to a function breakpoint near the end (`continue-to-breakpoint-explored`), and
// reverse continue from there to one in the setup stage (`reverse-continue-to-breakpoint-explored`).
import { inMemoryClient, startSession, type DapClient } from '../debug/dapClient';
import { launch } from '../../engine/runtime/launch';
import type { SimRun } from '../../engine/runtime/simTarget';
import { nodeClock, nodeFiles } from '../../extension/debug/nodeHost';
import { prngCreate, prngInt } from '../../engine/sim/prng';
import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function timed(c: DapClient, command: string, args: unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await c.ok(command, args);
  await c.waitEvent('stopped');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function report(tag: string, what: string, xs: number[]): void {
  if (xs.length === 0) return;
  console.log(`BENCH dap-${tag}-${what}-p50 ${pct(xs, 50).toFixed(2)} ms`);
  console.log(`BENCH dap-${tag}-${what}-p95 ${pct(xs, 95).toFixed(2)} ms`);
}

async function lookAheadText(c: DapClient): Promise<string> {
  return (await c.ok('evaluate', { expression: 'look-ahead', context: 'repl' })).result as string;
}

/** Sets a function breakpoint on `fn` (only that one) and times `command` until it stops there. */
async function toBreakpoint(c: DapClient, command: string, fn: string, tid: number): Promise<number> {
  await c.ok('setFunctionBreakpoints', { breakpoints: [{ name: fn }] });
  c.drain('migtrace/stopped');
  const t0 = process.hrtime.bigint();
  await c.ok(command, { threadId: tid });
  const st = await c.waitEvent('stopped');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (st.body.reason !== 'function breakpoint') throw new Error(`${command} to ${fn} stopped on ${st.body.reason}: ${st.body.description}`);
  return ms;
}

/** Presses `command` from the start of the run until it ends (at most `max` times). */
async function walk(c: DapClient, command: string, max: number): Promise<number[]> {
  await c.ok('migtrace/goToTime', { time_ns: 0 });
  await c.waitEvent('stopped');
  c.drain('migtrace/stopped');
  const xs: number[] = [];
  for (let i = 0; i < max; i++) {
    xs.push(await timed(c, command, {}));
    const at = (await c.waitEvent('migtrace/stopped')).body;
    if (at.reason !== 'step') break;
  }
  c.drain('migtrace/stopped');
  return xs;
}

async function measure(tag: string, launchArgs: Record<string, unknown>, samples: number): Promise<void> {
  const c = inMemoryClient();
  (c as { timeout_ms: number }).timeout_ms = 600_000;
  const launched = process.hrtime.bigint();
  await startSession(c, { ...launchArgs, stopOnEntry: true });
  const entry = await c.waitEvent('stopped');
  const mig = entry.body.threadId as number;
  c.drain('migtrace/stopped');
  const rng = prngCreate(7, 3);
  const stage: number[] = [];
  const step: number[] = [];
  const back: number[] = [];
  const goto: number[] = [];
  const backRandom: number[] = [];
  const views: number[] = [];
  const times: number[] = [];
  // Next stage through the run (setup, iterative, stop-copy, done), stepping and looking at each.
  for (let s = 0; s < 8; s++) {
    stage.push(await timed(c, 'migtrace/nextStage', {}));
    const at = (await c.waitEvent('migtrace/stopped')).body;
    times.push(at.time_ns);
    if (at.reason !== 'step') break;
    for (let i = 0; i < samples; i++) {
      step.push(await timed(c, 'next', { threadId: mig }));
      c.drain('migtrace/stopped');
      const t0 = process.hrtime.bigint();
      const th = await c.ok('threads');
      await c.ok('stackTrace', { threadId: mig, startFrame: 0, levels: 20 });
      views.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (th.threads.length === 0) throw new Error('no threads');
    }
    for (let i = 0; i < samples; i++) back.push(await timed(c, 'stepBack', { threadId: mig }));
    c.drain('migtrace/stopped');
  }
  // Once the look-ahead has run the whole migration: next stage and next iteration through it.
  let look = await lookAheadText(c);
  while (!look.startsWith('ran the whole run')) {
    if (!look.startsWith('running ahead')) throw new Error(`the look-ahead stopped: ${look}`);
    await new Promise((r) => setTimeout(r, 50));
    look = await lookAheadText(c);
  }
  console.log(`BENCH dap-${tag}-look-ahead-whole-run ${(Number(process.hrtime.bigint() - launched) / 1e6).toFixed(0)} ms`);
  const stageExplored = await walk(c, 'migtrace/nextStage', 20);
  const iterExplored = await walk(c, 'migtrace/nextIteration', 200);
  // A function breakpoint near the end, continued to from the start, and from there back to a
  // function of the setup stage: passed by the look-ahead's block summary.
  await c.ok('migtrace/goToTime', { time_ns: 0 });
  await c.waitEvent('stopped');
  console.log(`BENCH dap-${tag}-continue-to-breakpoint-explored ${(await toBreakpoint(c, 'continue', 'ram_save_complete', mig)).toFixed(2)} ms`);
  console.log(`BENCH dap-${tag}-reverse-continue-to-breakpoint-explored ${(await toBreakpoint(c, 'reverseContinue', 'qemu_savevm_state_begin', mig)).toFixed(2)} ms`);
  await c.ok('setFunctionBreakpoints', { breakpoints: [] });
  c.drain('migtrace/stopped');
  const end = Math.max(...times);
  // From where the last one landed (near the start, after the reverse continue above): forwards or back,
  // each with its floor (50 ms forwards, 200 ms back); three times as many as the other moves, as
  // each direction gets about half.
  const gotoFwd: number[] = [];
  const gotoBack: number[] = [];
  let at = 0;
  for (let i = 0; i < 3 * samples; i++) {
    const time_ns = prngInt(rng, Math.max(1, Math.floor(end / 1e6))) * 1e6;
    const ms = await timed(c, 'migtrace/goToTime', { time_ns });
    goto.push(ms);
    (time_ns >= at ? gotoFwd : gotoBack).push(ms);
    at = time_ns;
    c.drain('migtrace/stopped');
  }
  for (let i = 0; i < samples; i++) {
    await c.ok('migtrace/goToTime', { time_ns: prngInt(rng, Math.max(1, Math.floor(end / 1e6))) * 1e6 });
    await c.waitEvent('stopped');
    backRandom.push(await timed(c, 'stepBack', { threadId: mig }));
    c.drain('migtrace/stopped');
  }
  report(tag, 'step', step);
  report(tag, 'next-stage', stage);
  report(tag, 'next-stage-explored', stageExplored);
  report(tag, 'next-iteration-explored', iterExplored);
  console.log(`BENCH dap-${tag}-iterations ${iterExplored.length} stops`);
  report(tag, 'step-back', back);
  report(tag, 'step-back-random', backRandom);
  report(tag, 'go-to-time', goto);
  report(tag, 'go-to-time-forward', gotoFwd);
  report(tag, 'go-to-time-back', gotoBack);
  report(tag, 'threads-stacktrace', views);
  await c.close();
}

async function checkpointMemory(tag: string, launchArgs: Record<string, unknown>): Promise<void> {
  // The whole run by "continue": the session's own kernel, no look-ahead beside it.
  const l = await launch({ ...launchArgs, lookAhead: false }, { fs: nodeFiles, clock: nodeClock });
  const r = l.target as SimRun;
  const t0 = process.hrtime.bigint();
  await r.start({ stopOnEntry: false });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  r.dispose();
  const cps = r.core.cps;
  console.log(`BENCH dap-${tag}-whole-run ${ms.toFixed(0)} ms`);
  // The same scenario run plainly (no debugger, no recording, as the session above records nothing).
  const sc = loadBuiltin(launchArgs.scenario as string, (launchArgs.set as string[] | undefined) ?? []);
  const p0 = process.hrtime.bigint();
  const plain = runMigration(sc.config);
  const plainMs = Number(process.hrtime.bigint() - p0) / 1e6;
  if (plain.result.steps !== r.core.steps) throw new Error(`the plain run took ${plain.result.steps} steps, the debugger's ${r.core.steps}`);
  console.log(`BENCH dap-${tag}-plain-run ${plainMs.toFixed(0)} ms`);
  console.log(`BENCH dap-${tag}-debugger-vs-plain-run ${(ms / plainMs).toFixed(2)} x`);
  console.log(`BENCH dap-${tag}-steps ${r.core.steps} steps`);
  console.log(`BENCH dap-${tag}-checkpoints ${cps.list.length} checkpoints`);
  console.log(`BENCH dap-${tag}-checkpoint-interval ${cps.interval_steps} steps`);
  console.log(`BENCH dap-${tag}-checkpoint-memory ${(cps.measure() / 1024 ** 2).toFixed(1)} MiB`);
}

export async function run(): Promise<void> {
  // `npm run bench -- dap` passes no arguments through to the benchmark: the environment does.
  const small = process.argv.includes('--quick') || process.env.MIGTRACE_BENCH_QUICK === '1';
  const cases: [string, Record<string, unknown>][] = [
    ['specjbb-128g', { scenario: 'seed-specjbb-128g' }],
    ['specjbb-1t-512vcpu', { scenario: 'seed-specjbb-128g', set: ['guest.memory="1T"', 'guest.vcpus=512'] }],
  ];
  for (const [tag, args] of small ? cases.slice(0, 1) : cases) {
    await measure(tag, args, 10);
    await checkpointMemory(tag, args);
  }
}
