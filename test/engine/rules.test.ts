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

test('the layer arrows inside engine/: a planted import against them is caught', async () => {
  const cases: [string, string, boolean][] = [
    ['engine/sim/probe.ts', "import { runMigration } from '../model/run';\nexport const x = runMigration;\n", true],
    ['engine/sim/probe.ts', "import { readTrace } from '../trace/reader';\nexport const x = readTrace;\n", true],
    ['engine/sim/probe.ts', "import { loadScenarioValue } from '../scenario/load';\nexport const x = loadScenarioValue;\n", true],
    ['engine/model/probe.ts', "import { parseSize } from '../scenario/units';\nexport const x = parseSize;\n", true],
    ['engine/trace/probe.ts', "import { runMigration } from '../model/run';\nexport const x = runMigration;\n", true],
    ['engine/runtime/probe.ts', "import { main } from '../cli/main';\nexport const x = main;\n", true],
    ['engine/runtime/probe.ts', "import { DebugSession } from '@vscode/debugadapter';\nexport const x = DebugSession;\n", true],
    ['engine/qemu/probe.ts', "import { runMigration } from '../model/run';\nexport const x = runMigration;\n", true],
    ['media/probe.ts', "import { activate } from '../extension/extension';\nexport const x = activate;\n", true],
    ['media/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n", true],
    // allowed: the arrows as DESIGN.md draws them, and type-only imports of the model from qemu
    ['engine/runtime/probe.ts', "import { runMigration } from '../model/run';\nimport { readTrace } from '../trace/reader';\nexport const x = [runMigration, readTrace];\n", false],
    ['engine/qemu/probe.ts', "import type { ModelConfig } from '../model/config';\nexport type X = ModelConfig;\n", false],
    ['engine/trace/probe.ts', "import type { MigrationInfo } from '../qapi/migrationInfo';\nexport type X = MigrationInfo;\n", false],
    ['media/probe.ts', "import { readTrace } from '../engine/trace/reader';\nexport const x = readTrace;\n", false],
  ];
  for (const [path, code, bad] of cases) {
    const msgs = (await lint(path, code)).filter((m) => m.startsWith('migtrace/layers') || m.startsWith('no-restricted-imports'));
    assert.equal(msgs.length > 0, bad, `${path}: ${code}\n${msgs.join('\n')}`);
  }
});

test('an import cycle is caught', async () => {
  // engine/trace/reader.ts imports ./format; a format.ts that imported ./reader would close a cycle.
  const msgs = await lint('engine/trace/format.ts', "import { readTrace } from './reader';\nexport const x = readTrace;\n");
  assert.ok(msgs.some((m) => m.startsWith('migtrace/layers') && m.includes('import cycle') && m.includes('engine/trace/reader.ts')), msgs.join('\n'));
});
