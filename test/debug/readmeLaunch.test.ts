// The README's launch configurations ("## Debugging"), pasted as a user would: each one starts a
// session through the adapter and stops where the README says (the recording the replay one names
// is made first, as the README's commands make it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inMemoryClient, startSession } from './dapClient';
import { CLI } from './scenarios';

function configs(): Record<string, unknown>[] {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf('## Debugging');
  assert.ok(at >= 0);
  const b = /```json\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(b !== null, 'no json block under ## Debugging');
  return b[1].split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('README: every launch configuration under Debugging starts a session and stops where it says', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'migtrace-readme-launch-'));
  const rec = spawnSync(process.execPath, [CLI, 'run', 'seed-specjbb-128g', '--out', join(ws, 'jbb.migtrace'), '-q'], { encoding: 'utf8' });
  assert.equal(rec.status, 0, rec.stderr);
  const want: Record<string, RegExp> = { 'stage 3, from the start': /^entry /, replay: /^goto /, 'stage-3 data loss': /^exception data-loss Paused on data-loss/ };
  const list = configs();
  assert.deepEqual(list.map((c) => c.name), Object.keys(want));
  for (const cfg of list) {
    const launch = JSON.parse(JSON.stringify(cfg).replaceAll('${workspaceFolder}', ws)) as Record<string, unknown>;
    const c = inMemoryClient();
    try {
      const r = await startSession(c, launch);
      assert.equal(r.success, true, `${cfg.name}: ${r.message}`);
      const st = await c.waitEvent('stopped');
      assert.match(`${st.body.reason} ${st.body.text ?? ''} ${st.body.description ?? ''}`, want[cfg.name as string], `${cfg.name}: ${JSON.stringify(st.body)}`);
      await c.ok('disconnect', {});
    } finally {
      await c.close();
    }
  }
});
