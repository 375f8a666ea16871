// Protocol tests in js-debug's manner: a session's DAP traffic as a user sees it, compared with a
// golden transcript, over an in-memory transport and over the real adapter process (stdio, both
// dist/debugAdapter.js and `migtrace dap`): the three must read the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoldenLog } from './golden';
import { inMemoryClient, processClient, startSession, type DapClient } from './dapClient';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADAPTER, CLI, misbehavingSeed, SMALL, stage3Schedule } from './scenarios';

/** The stage-3 hang, as a user meets it: run, stop on the hang, look around. */
async function hangSession(c: DapClient, g: GoldenLog, launch: Record<string, unknown>): Promise<void> {
  const r = await startSession(c, launch);
  assert.equal(r.success, true, r.message);
  const stopped = await c.waitEvent('stopped');
  g.log('stopped', stopped.body);
  g.log('migtrace/stopped', (await c.waitEvent('migtrace/stopped')).body);
  g.log('threads', await c.ok('threads'));
  const tid = stopped.body.threadId;
  const stack = await c.ok('stackTrace', { threadId: tid });
  g.log('stackTrace', stack);
  const scopes = await c.ok('scopes', { frameId: stack.stackFrames[0].id });
  g.log('scopes', scopes);
  for (const s of scopes.scopes) {
    if (s.name === 'Scheduler') continue; // its checkpoints line depends on the adapter's spacing
    g.log(`variables ${s.name}`, await c.ok('variables', { variablesReference: s.variablesReference }));
  }
  const src = stack.stackFrames[0].source;
  g.log('source', await c.ok('source', { source: src, sourceReference: src.sourceReference }));
  g.log('exceptionInfo', await c.ok('exceptionInfo', { threadId: tid }));
  g.assertLog();
  await c.ok('disconnect', {});
}

const stage3 = stage3Schedule(mkdtempSync(join(tmpdir(), 'migtrace-transcript-')));
const multifdSeed = misbehavingSeed('multifd-sync-hang', 30);

for (const [name, make] of [
  ['in memory', () => inMemoryClient()],
  ['dist/debugAdapter.js over stdio', () => processClient([ADAPTER])],
  ['migtrace dap over stdio', () => processClient([CLI, 'dap'])],
] as [string, () => DapClient][]) {
  test(`transcript: the stage-3 bug of seed ${stage3?.seed} of the 4 GiB variant, on the schedule explore found, ${name}`, async () => {
    assert.notEqual(stage3, null, 'migtrace explore seed-stage3-hang --strategy guided found no failing schedule in seeds 1-6 of the 4 GiB variant');
    const s = stage3!;
    const c = make();
    const g = new GoldenLog(`stage3-data-loss-4g-seed-${s.seed}`);
    try {
      await hangSession(c, g, { scenario: 'seed-stage3-hang', seed: s.seed, set: s.set, deviations: s.deviations });
    } finally {
      await c.close();
    }
    g.done();
  });
  test(`transcript: the multifd sync hang of seed ${multifdSeed}, ${name}`, async () => {
    assert.notEqual(multifdSeed, null, 'multifd-sync-hang hangs on none of seeds 1-30');
    const c = make();
    const g = new GoldenLog(`multifd-sync-hang-seed-${multifdSeed}`);
    try {
      await hangSession(c, g, { scenario: 'multifd-sync-hang', seed: multifdSeed });
    } finally {
      await c.close();
    }
    g.done();
  });
}

/** Stepping by stage and by iteration through a small migration, with its variables at each stop. */
async function stageSession(c: DapClient, g: GoldenLog): Promise<void> {
  const r = await startSession(c, { scenario: SMALL, stopOnEntry: true });
  assert.equal(r.success, true, r.message);
  g.log('stopped', (await c.waitEvent('stopped')).body);
  const want = new Set(['status', 'stage', 'iteration', 'remaining', 'threshold', 'expected-downtime']);
  // setup, iterative by stage; then each iterate round by iteration until the stage changes; then on.
  let stage = 'before';
  for (let i = 0; i < 16; i++) {
    await c.ok(stage === 'iterative' ? 'migtrace/nextIteration' : 'migtrace/nextStage');
    const st = await c.waitEvent('stopped');
    g.log('stopped', st.body);
    if (st.body.reason !== 'step') break;
    const stack = await c.ok('stackTrace', { threadId: st.body.threadId });
    const scopes = await c.ok('scopes', { frameId: stack.stackFrames[0].id });
    const mig = scopes.scopes.find((s: { name: string }) => s.name === 'Migration');
    const vars = await c.ok('variables', { variablesReference: mig.variablesReference });
    g.log('migration', vars.variables.filter((v: { name: string }) => want.has(v.name)));
    stage = vars.variables.find((v: { name: string }) => v.name === 'stage').value;
  }
  g.assertLog();
  await c.ok('disconnect', {});
}

test('transcript: next stage through a small migration, in memory and over stdio', async () => {
  for (const make of [() => inMemoryClient(), () => processClient([CLI, 'dap'])]) {
    const c = make();
    const g = new GoldenLog('small-stages');
    try {
      await stageSession(c, g);
    } finally {
      await c.close();
    }
    g.done();
  }
});
