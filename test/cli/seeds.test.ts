// `run --seeds N` and `compare --seeds N` through the shipped command: the fraction of seeds that
// converged with its 95% Wilson interval, every seed's figures, and exit codes; bad values are
// usage errors (exit 2) that say what was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { wilsonInterval } from '../../engine/model/seedSweep';

const cli = (args: string[]) => spawnSync(process.execPath, ['bin/migtrace.js', ...args], { encoding: 'utf8', timeout: 120_000 });
const small = ['--set', 'guest.memory="256M"', '--set', 'guest.workload.nonzero-memory="64M"'];

test('run --seeds N --json: one object with the fraction, its Wilson interval, the outcomes and every seed', () => {
  const r = cli(['run', 'second-round-all-dirty', '--seeds', '4', '--seed', '7', '--json', '-q', ...small]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const j = JSON.parse(r.stdout);
  assert.equal(j.seeds, 4);
  assert.equal(j['first-seed'], 7);
  assert.deepEqual(j.runs.map((x: { seed: number }) => x.seed), [7, 8, 9, 10]);
  assert.equal(j.converged, 4);
  assert.equal(j.fraction, 1);
  const [lo, hi] = wilsonInterval(4, 4);
  assert.ok(Math.abs(j.interval[0] - lo) < 1e-12 && j.interval[1] === hi, JSON.stringify(j.interval));
  assert.deepEqual(j.outcomes, { completed: 4 });
  for (const x of j.runs) assert.equal(typeof x['total-time-ms'], 'number');
  assert.equal(j.median['dirty-sync-count'] > 0, true);
});

test('run --seeds N prints one line with the fraction and its interval; exit 5 when some seeds do not converge', () => {
  // 1 s of 8 MiB/s cannot move 256 MiB: no seed converges
  const r = cli(['run', 'second-round-all-dirty', '--seeds', '3', '-q', ...small, '--set', 'migration.max-bandwidth="8M"', '--set', 'limits.max-time=1']);
  assert.equal(r.status, 5, r.stderr + r.stdout);
  assert.match(r.stdout, /over 3 seeds 1\.\.3: converged 0 of 3 \(0%, 95% interval 0%-56%\)/);
  assert.match(r.stdout, /outcomes: not-converged 3/);
});

test('compare --seeds N: each design over the same seeds, side by side', () => {
  const r = cli(['compare', 'second-round-all-dirty', '--profiles', 'qemu-1.4,modern', '--seeds', '3', '--json', ...small, '--set', 'migration.bugs=[]']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.runs.map((x: { label: string }) => x.label), ['qemu-1.4', 'modern']);
  for (const x of j.runs) {
    assert.equal(x.seeds, 3);
    assert.equal(x.fraction, 1);
    assert.ok(x.median['total-time-ms'] > 0);
  }
  const t = cli(['compare', 'second-round-all-dirty', '--profiles', 'qemu-1.4,modern', '--seeds', '2', ...small, '--set', 'migration.bugs=[]']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /converged +2\/2 \(100%\) +2\/2 \(100%\)/);
  assert.match(t.stdout, /95% interval/);
});

test('--seeds with a bad value, or with --out, is a usage error naming the flag', () => {
  for (const [args, what] of [
    [['run', 'qtest-bootblock', '--seeds', '0'], /--seeds must be an integer from 1 to/],
    [['run', 'qtest-bootblock', '--seeds', 'many'], /--seeds/],
    [['run', 'qtest-bootblock', '--seeds', '3', '--out', '/tmp/x.migtrace'], /--seeds runs many seeds: it records no trace/],
  ] as const) {
    const r = cli([...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, what);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('Wilson intervals against worked values', () => {
  const near = (a: [number, number], b: [number, number]) => assert.ok(Math.abs(a[0] - b[0]) < 5e-4 && Math.abs(a[1] - b[1]) < 5e-4, `${a} vs ${b}`);
  near(wilsonInterval(0, 10), [0, 0.2775]);
  near(wilsonInterval(10, 10), [0.7225, 1]);
  near(wilsonInterval(5, 10), [0.2366, 0.7634]);
  near(wilsonInterval(1, 3), [0.0615, 0.7923]);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
});
