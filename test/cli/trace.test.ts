import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { main } from '../../engine/cli/main';
import { captureIO } from './captureIO';

const dir = mkdtempSync(join(tmpdir(), 'migtrace-trace-'));
const out = join(dir, 'q.migtrace');

test('run --out writes a trace, and --json reports its sha256 and event count', async () => {
  const io = captureIO();
  assert.equal(await main(['run', 'qtest-bootblock', '--out', out, '--json', '-q'], io), 0, io.stderr.join('\n'));
  const j = JSON.parse(io.stdout.join(''));
  assert.ok(existsSync(out));
  assert.ok(!existsSync(`${out}.partial`), 'no partial file is left once the trace is whole');
  assert.equal(j['trace-sha256'], createHash('sha256').update(readFileSync(out)).digest('hex'));
  assert.ok(j.events > 100);
  const again = join(dir, 'q2.migtrace');
  assert.equal(await main(['run', 'qtest-bootblock', '--out', again, '-q'], captureIO()), 0);
  assert.deepEqual(readFileSync(again), readFileSync(out), 'the same scenario and seed give a byte-identical trace');
});

test('info describes the trace; --json too', async () => {
  const io = captureIO();
  assert.equal(await main(['info', out], io), 0);
  const text = io.stdout.join('\n');
  assert.match(text, /complete: read to its footer/);
  assert.match(text, /scenario: +qtest-bootblock \(seed 1, strategy random, profile qemu-1\.4\)/);
  assert.match(text, /outcome: +completed/);
  const io2 = captureIO();
  await main(['info', out, '--json'], io2);
  const j = JSON.parse(io2.stdout.join(''));
  assert.equal(j.complete, true);
  assert.equal(j.threads.length, 4);
});

test('replay reproduces the trace byte for byte and exits with the run\'s outcome', async () => {
  const io = captureIO();
  assert.equal(await main(['replay', out], io), 0, io.stderr.join('\n'));
  assert.match(io.stdout.join('\n'), /replay: reproduced .* byte for byte/);
  const io2 = captureIO();
  assert.equal(await main(['replay', out, '--json'], io2), 0);
  const j = JSON.parse(io2.stdout.join(''));
  assert.equal(j.replay.matched, true);
  assert.equal(j.status, 'completed');
});

test('a truncated trace: info says so (exit 7), export still works on what it holds (exit 7)', async () => {
  const bytes = readFileSync(out);
  const cut = join(dir, 'cut.migtrace');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 40));
  const io = captureIO();
  assert.equal(await main(['info', cut], io), 7);
  assert.match(io.stdout.join('\n'), /INCOMPLETE: the file \(\d+ bytes\) ends inside the packet at byte \d+/);
  const io2 = captureIO();
  assert.equal(await main(['export', cut, '--chrome', join(dir, 'cut.json')], io2), 7);
  assert.match(io2.stderr.join('\n'), /is incomplete/);
  JSON.parse(readFileSync(join(dir, 'cut.json'), 'utf8'));
});

test('export writes Perfetto and Chrome files, and refuses a wrong invocation', async () => {
  const io = captureIO();
  assert.equal(await main(['export', out, '--perfetto', join(dir, 'q.pftrace')], io), 0);
  assert.match(io.stdout.join('\n'), /wrote .*q\.pftrace: Perfetto trace, \d+ packets/);
  assert.equal(readFileSync(join(dir, 'q.pftrace'))[0], 0x0a);
  assert.equal(await main(['export', out, '--chrome', join(dir, 'q.json')], captureIO()), 0);
  const io3 = captureIO();
  assert.equal(await main(['export', out], io3), 2);
  assert.match(io3.stderr.join('\n'), /give one of --perfetto OUT or --chrome OUT/);
});

test('files that are not traces exit 2 with a message naming the file', async () => {
  const notTrace = join(dir, 'not.migtrace');
  writeFileSync(notTrace, 'hello, world\n');
  const io = captureIO();
  assert.equal(await main(['info', notTrace], io), 2);
  assert.match(io.stderr.join('\n'), new RegExp(`${notTrace.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a migtrace trace: it starts with 68 65 6c 6c`));
  const io2 = captureIO();
  assert.equal(await main(['replay', join(dir, 'missing.migtrace')], io2), 2);
  assert.match(io2.stderr.join('\n'), /missing\.migtrace: no such file/);
  // A future format version in the header.
  const { encodePacket } = await import('../../engine/trace/packets');
  const { MAGIC } = await import('../../engine/trace/format');
  const head = encodePacket({ header: { format_version: 7, engine_version: '9.0.0', scenario_name: 'x' } }).bytes;
  const future = join(dir, 'future.migtrace');
  writeFileSync(future, new Uint8Array([...MAGIC, ...head]));
  const io3 = captureIO();
  assert.equal(await main(['info', future], io3), 2);
  assert.match(io3.stderr.join('\n'), /format version 7, newer than this migtrace reads \(1\)/);
});
