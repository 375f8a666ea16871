import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { main } from '../../engine/cli/main';
import { captureIO } from './captureIO';

test('the bundled CLI runs the seed demo: both 2012 cases, their info migrate and the quoted figures', () => {
  const r = spawnSync(process.execPath, ['bin/migtrace.js', 'demo'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /== seed-idle-128g \(seed 1, profile rfc-2012\)/);
  assert.match(r.stdout, /== seed-specjbb-128g \(seed 1, profile rfc-2012\)/);
  assert.equal((r.stdout.match(/^Migration status: completed$/gm) ?? []).length, 2);
  assert.match(r.stdout, /transferred ram: model \d+ kbytes, reported 3811345 kbytes \(model\/report [\d.]+\): fitted \(seed-idle-128g: guest.workload.nonzero-memory/);
  // every figure beside the report says fitted, borrowed or predicted
  const beside = r.stdout.split('\n').filter((l) => /reported /.test(l) && /^ {2}/.test(l));
  assert.ok(beside.length >= 7, beside.join('\n'));
  for (const l of beside) assert.match(l, /: (fitted|borrowed|predicted) \(/, l);
});

test('the bundled CLI runs the kernel demo with exit 0 and prints computed results', () => {
  const r = spawnSync(process.execPath, ['bin/migtrace.js', 'demo', '--kernel'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /== abba/);
  assert.match(r.stdout, /deadlock at t=50\.000 us/);
  assert.match(r.stdout, /lost-wakeup at t=100\.000 us/);
  assert.match(r.stdout, /no-progress at t=10\.000 ms/);
  assert.match(r.stdout, /queue_lock \(\d+ owner changes\)/);
});

test('--help explains every command; unknown commands and flags exit 2 naming them', async () => {
  const io = captureIO();
  assert.equal(await main(['--help'], io), 0);
  assert.match(io.stdout.join('\n'), /demo/);
  const io2 = captureIO();
  assert.equal(await main(['demo', '--help'], io2), 0);
  assert.match(io2.stdout.join('\n'), /--seed N/);
  const io3 = captureIO();
  assert.equal(await main(['frobnicate'], io3), 2);
  assert.match(io3.stderr.join('\n'), /unknown command "frobnicate"/);
  const io4 = captureIO();
  assert.equal(await main(['demo', '--sed', '3'], io4), 2);
  assert.match(io4.stderr.join('\n'), /unknown flag --sed for "demo" \(did you mean --seed\?\)/);
  const io5 = captureIO();
  assert.equal(await main(['demo', '--seed', 'x'], io5), 2);
  assert.match(io5.stderr.join('\n'), /--seed must be an integer \(0 or more\), got "x"/);
});
