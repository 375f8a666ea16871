// What a user sees at a stop, through a real DAP client: a scope's variables, and the whole
// picture (every thread's stack, the migration's variables, the scheduler's, the state hash) that
// tests compare between a stop reached one way and the same stop reached another. The rows that
// depend on the session's history rather than on the stop (checkpoints, the look-ahead) are left out.

import assert from 'node:assert/strict';
import type { DapClient } from './dapClient';

export async function variablesOf(c: DapClient, threadId: number, scope: string): Promise<Record<string, string>> {
  const stack = await c.ok('stackTrace', { threadId });
  const scopes = await c.ok('scopes', { frameId: stack.stackFrames[0].id });
  const s = scopes.scopes.find((x: { name: string }) => x.name.startsWith(scope));
  assert.ok(s, `no ${scope} scope in ${JSON.stringify(scopes.scopes.map((x: { name: string }) => x.name))}`);
  const vars = await c.ok('variables', { variablesReference: s.variablesReference });
  return Object.fromEntries(vars.variables.map((v: { name: string; value: string }) => [v.name, v.value]));
}

/** Everything a user sees at a stop, with the state hash (the Scheduler scope's lazy entry). */
export async function picture(c: DapClient, threadId: number): Promise<string> {
  const threads = await c.ok('threads');
  const stacks: string[] = [];
  for (const th of threads.threads) {
    const st = await c.ok('stackTrace', { threadId: th.id });
    stacks.push(`${th.name}: ${st.stackFrames.map((f: { name: string; line: number }) => `${f.name}:${f.line}`).join(' <- ')}`);
  }
  const mig = await variablesOf(c, threadId, 'Migration');
  delete mig['query-migrate'];
  const stack = await c.ok('stackTrace', { threadId });
  const scopes = await c.ok('scopes', { frameId: stack.stackFrames[0].id });
  const sched = scopes.scopes.find((x: { name: string }) => x.name === 'Scheduler');
  const sv = await c.ok('variables', { variablesReference: sched.variablesReference });
  const hashVar = sv.variables.find((v: { name: string }) => v.name === 'state hash');
  const hash = (await c.ok('variables', { variablesReference: hashVar.variablesReference })).variables[0].value;
  const rest = sv.variables.filter((v: { name: string }) => v.name !== 'state hash' && v.name !== 'checkpoints' && v.name !== 'look-ahead').map((v: { name: string; value: string }) => `${v.name}=${v.value}`);
  return [...stacks, JSON.stringify(mig), ...rest, `hash=${hash}`].join('\n');
}
