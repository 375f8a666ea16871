import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../engine/cli/main';
import { captureIO } from './captureIO';

const dir = mkdtempSync(join(tmpdir(), 'migtrace-cli-'));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

const good = { guest: { memory: '256M', vcpus: 1, workload: { kind: 'idle' } }, migration: { 'max-bandwidth': '1G' } };

test('run --json prints query-migrate fields under QEMU names plus migtrace\'s own', async () => {
  const io = captureIO();
  const code = await main(['run', file('good.json', good), '--json', '--seed', '5'], io);
  assert.equal(code, 0, io.stderr.join('\n'));
  const j = JSON.parse(io.stdout.join(''));
  assert.equal(j.status, 'completed');
  for (const k of ['total-time', 'setup-time', 'downtime']) assert.equal(typeof j[k], 'number', k);
  for (const k of ['transferred', 'total', 'duplicate', 'normal', 'normal-bytes', 'mbps', 'dirty-sync-count', 'pages-per-second']) assert.equal(typeof j.ram[k], 'number', `ram.${k}`);
  assert.equal(j.ram.total, 256 * 1024 * 1024);
  assert.equal(j.seed, 5);
  assert.equal(j.profile, 'qemu-1.4');
  assert.equal(j.hang, null);
  assert.deepEqual(j.invariants, { 'pages-lost': 0 });
  assert.equal(typeof j.locks.bql.acquisitions, 'number');
  assert.equal(typeof j.locks.bql['hold-max-ns'], 'number');
  assert.ok(j.events > 50, `${j.events} events`);
  assert.equal(j.scenario, 'good');
  assert.equal(j['cpu-throttle-percentage'], 0);
});

test('run prints info migrate; --set overrides a field', async () => {
  const io = captureIO();
  assert.equal(await main(['run', 'qtest-bootblock', '--set', 'migration.downtime-limit=500', '-q'], io), 0);
  const text = io.stdout.join('\n');
  assert.match(text, /^Migration status: completed$/m);
  assert.match(text, /^transferred ram: \d+ kbytes$/m);
  assert.match(text, /^total ram: 153600 kbytes$/m);
  assert.match(text, /^pages lost at switchover: 0$/m);
});

const bad: [string, unknown, RegExp][] = [
  ['wrong type', { ...good, guest: { ...good.guest, vcpus: 'ten' } }, /guest\.vcpus: must be an integer in 1 to 1024, got "ten"/],
  ['negative size', { ...good, guest: { ...good.guest, memory: -5 } }, /guest\.memory: must be a non-negative number of bytes, got -5/],
  ['unknown field', { ...good, guest: { ...good.guest, memroy: '1G' } }, /guest\.memroy: unknown field \(did you mean "memory"\?\)/],
  ['1 PiB of RAM', { ...good, guest: { ...good.guest, memory: '1P' } }, /guest\.memory: "1P" is 1 PiB, outside the allowed 1 MiB to 16 TiB/],
  ['bad enum', { ...good, guest: { ...good.guest, workload: { kind: 'specjbbb' } } }, /guest\.workload\.kind: must be one of idle, specjbb/],
  ['missing field', { guest: { vcpus: 1, workload: { kind: 'idle' } } }, /guest\.memory: required field missing/],
  ['downtime out of range', { ...good, migration: { 'downtime-limit': 0 } }, /migration\.downtime-limit: 0 is outside the allowed 1 to 2000000/],
];

for (const [what, content, msg] of bad) {
  test(`a bad scenario (${what}) exits 2 naming the field`, async () => {
    const p = file(`${what.replace(/\W+/g, '-')}.json`, content);
    const io = captureIO();
    assert.equal(await main(['run', p], io), 2);
    const err = io.stderr.join('\n');
    assert.match(err, msg);
    assert.ok(err.includes(p), 'the message names the file');
  });
}

test('a scenario that is not JSON names the line and column', async () => {
  const p = file('broken.json', '{\n  "guest": {\n    "memory": "1G",\n    vcpus: 2\n  }\n}\n');
  const io = captureIO();
  assert.equal(await main(['run', p], io), 2);
  assert.match(io.stderr.join('\n'), /not valid JSON at line 4, column 5/);
});

test('a missing scenario file exits 2 and says so', async () => {
  const io = captureIO();
  assert.equal(await main(['run', join(dir, 'nope.json')], io), 2);
  assert.match(io.stderr.join('\n'), /nope\.json: no such file; expected a scenario JSON file or a built-in name/);
  const io2 = captureIO();
  assert.equal(await main(['run', 'seed-specjbb-128'], io2), 2);
  assert.match(io2.stderr.join('\n'), /seed-specjbb-128: no such file, and no built-in scenario of that name \(did you mean "seed-specjbb-128g"\?\)/);
});

test('scenarios lists the built-in scenarios one line each', async () => {
  const io = captureIO();
  assert.equal(await main(['scenarios'], io), 0);
  const lines = io.stdout.join('\n').split('\n');
  for (const name of ['seed-idle-128g', 'seed-specjbb-128g', 'qtest-bootblock']) assert.ok(lines.some((l) => l.startsWith(name)), name);
});

test('the bundled binary exits 5 when the migration does not converge', () => {
  const r = spawnSync(process.execPath, ['bin/migtrace.js', 'run', file('nc.json', { ...good, guest: { memory: '256M', vcpus: 2, workload: { kind: 'specjbb', 'working-set': '200M', 'dirty-rate': 500000 } }, migration: { 'max-bandwidth': '16M' }, limits: { 'max-time': 30 } })], { encoding: 'utf8' });
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stdout, /Migration status: cancelled/);
  assert.match(r.stdout, /did not converge within max-time \(30 s\)/);
});
