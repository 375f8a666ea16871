// Ctrl-C stops a search cleanly and keeps what was found: a real SIGINT to the shipped command,
// which lets the runs in progress finish, saves the traces of the failures found, writes the
// result file (marked interrupted) and the report, and leaves no half-written file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migtraceAsync, tmp } from './cliUtil';

const SMALL = ['--set', 'guest.memory=512M', '--set', 'guest.workload.nonzero-memory=384M', '--set', 'guest.workload.working-set=64M'];

test('SIGINT stops explore, keeps its findings and their traces, exit 3 for the hang it found', async () => {
  const dir = tmp('sigint');
  const out = join(dir, 'out');
  const child = migtraceAsync(['explore', 'multifd-sync-hang', ...SMALL, '--runs', '5000', '--jobs', '2', '--out-dir', out]);
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait until it has found a failure and made progress, then interrupt it as a terminal would.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no failure reported within 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (/seed \d+: deadlock/.test(stderr) && /explore \[[#.]+\] \d+\/5000 runs/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 3, stderr);
  assert.match(stderr, /stopping; the runs in progress finish and what was found is kept/);
  const res = JSON.parse(readFileSync(join(out, 'explore-result.json'), 'utf8'));
  assert.equal(res.interrupted, true);
  assert.equal(res.complete, false);
  assert.ok(res.results.length > 0 && res.results.length < 5000, `${res.results.length} runs kept`);
  assert.ok(res.groups.length >= 1);
  for (const t of res.groups[0].traces) assert.ok(existsSync(join(out, t.file)), t.file);
  assert.ok(res.groups[0].traces.length >= 1, 'the failures found are saved as traces');
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.partial')), []);
  assert.match(stdout, /of 5000 runs, interrupted\)/);
});
