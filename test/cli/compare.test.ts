import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../engine/cli/main';
import { captureIO } from './captureIO';

test('compare prints the designs side by side', async () => {
  const io = captureIO();
  assert.equal(await main(['compare', 'second-round-all-dirty', '--profiles', 'rfc-2012,qemu-1.4,dedicated-bitmap-thread,modern', '--set', 'migration.bugs=[]'], io), 0, io.stderr.join('\n'));
  const text = io.stdout.join('\n');
  const lines = text.split('\n');
  assert.match(lines[1], /rfc-2012 +qemu-1\.4 +dedicated-bitmap-thread +modern/);
  for (const row of ['total time', 'downtime', 'transferred', 'mean', 'peak', 'syncs', 'converged', 'BQL hold total', 'BQL hold max', 'BQL wait total', 'BQL wait max', 'vCPU stalled on BQL', 'vCPU throttled']) {
    assert.ok(lines.some((l) => l.startsWith(row)), `row ${row}`);
  }
});

test('compare --json gives one row per design or variant', async () => {
  const io = captureIO();
  assert.equal(await main(['compare', 'page0-offbyone', '--profiles', 'qemu-1.4', '--variant', 'fixed:migration.bugs=[]', '--json'], io), 0);
  const j = JSON.parse(io.stdout.join(''));
  assert.equal(j.runs.length, 2);
  assert.equal(j.runs[0].label, 'qemu-1.4');
  assert.equal(j.runs[0]['pages-lost'], 1);
  assert.equal(j.runs[1].label, 'fixed');
  assert.equal(j.runs[1]['pages-lost'], 0);
  const bad = captureIO();
  assert.equal(await main(['compare', 'page0-offbyone', '--profiles', 'fast'], bad), 2);
  assert.match(bad.stderr.join('\n'), /unknown profile "fast"/);
});
