// The dependency rule and the determinism rule of DESIGN.md, checked by running the project's own
// eslint configuration on probe sources placed (virtually) inside engine/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

async function lint(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [r] = await eslint.lintText(code, { filePath: path });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('engine/ may not import vscode or DAP code', async () => {
  const msgs = await lint('engine/sim/probe.ts', "import * as vscode from 'vscode';\nimport { DebugSession } from '@vscode/debugadapter';\nexport const x = [vscode, DebugSession];\n");
  assert.equal(msgs.filter((m) => m.startsWith('no-restricted-imports')).length, 2, msgs.join('\n'));
});

test('engine/ may not read the wall clock or unseeded randomness (outside engine/cli)', async () => {
  const code = 'export const a = Math.random();\nexport const b = Date.now();\nexport const c = performance.now();\nexport const d = new Date();\n';
  const msgs = await lint('engine/model/probe.ts', code);
  for (const what of ['Math.random', 'Date', 'performance']) assert.ok(msgs.some((m) => m.includes(what)), `${what} not flagged:\n${msgs.join('\n')}`);
  const cli = await lint('engine/cli/probe.ts', 'export const b = Date.now();\n');
  assert.deepEqual(cli, []);
  const cliRandom = await lint('engine/cli/probe.ts', 'export const a = Math.random();\n');
  assert.equal(cliRandom.length, 1);
});

test('Node-only modules only in engine/cli, engine/explore and engine/qemu', async () => {
  const code = "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n";
  assert.equal((await lint('engine/trace/probe.ts', code)).length, 1);
  assert.deepEqual(await lint('engine/qemu/probe.ts', code), []);
  assert.deepEqual(await lint('engine/cli/probe.ts', code), []);
  assert.deepEqual(await lint('extension/probe.ts', code), []);
});
