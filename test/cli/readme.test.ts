// The README, tried as a new user would: the shipped command (bin/migtrace.js, the bundle `npm
// install` builds), run as a child process with progress on.
//  - record-then-replay: `run <built-in> --out F` then `replay F` for every built-in and three seeds;
//    the replay must reproduce the recording (exit 0), and the recording must not depend on whether
//    progress was shown (stopping the run to print progress must not change it);
//  - every line of the README's "The command" block runs as printed (in a scratch directory holding
//    the README's example scenario), exits with a documented code and prints no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtinNames } from '../../engine/scenario/load';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin', 'migtrace.js');
const dir = mkdtempSync(join(tmpdir(), 'migtrace-readme-'));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function migtrace(args: string[], cwd = dir): Promise<Ran> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', fail);
    p.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs `jobs` with at most `width` at a time (the machine has two cores). */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await jobs[i]();
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('README: run --out then replay reproduces the recording, for every built-in and three seeds, with progress on', { timeout: 60 * 60_000 }, async () => {
  const cases = builtinNames().flatMap((name) => [1, 2, 3].map((seed) => ({ name, seed })));
  const failures = await pool(cases.map(({ name, seed }) => async () => {
    const out = join(dir, `${name}-${seed}.migtrace`);
    const quiet = join(dir, `${name}-${seed}-q.migtrace`);
    const rec = await migtrace(['run', name, '--seed', String(seed), '--out', out]);
    if (![0, 3, 4, 5].includes(rec.code)) return `${name} seed ${seed}: run exited ${rec.code}: ${rec.stderr.slice(-400)}`;
    const rep = await migtrace(['replay', out]);
    if (rep.code !== 0 || !/reproduced .* byte for byte/.test(rep.stdout)) return `${name} seed ${seed}: replay exited ${rep.code}: ${rep.stdout.slice(-600)}${rep.stderr.slice(-300)}`;
    const q = await migtrace(['run', name, '--seed', String(seed), '--out', quiet, '-q']);
    if (q.code !== rec.code) return `${name} seed ${seed}: -q run exited ${q.code}, with progress ${rec.code}`;
    if (sha(out) !== sha(quiet)) return `${name} seed ${seed}: the trace differs with and without progress`;
    return null;
  }), 2);
  const bad = failures.filter((f) => f !== null);
  assert.deepEqual(bad, [], bad.join('\n'));
});

/** The lines of the README's first sh block under "## The command". */
function commandBlock(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('## The command');
  assert.ok(at >= 0, 'README.md has no "## The command" section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block !== null, 'no sh block under "## The command"');
  return block[1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.length > 0);
}

/** The README's example scenario (its "## Scenarios" JSON block), as my.migscenario.json. */
function writeExampleScenario(cwd: string): void {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /## Scenarios[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(m !== null, 'README.md has no example scenario');
  writeFileSync(join(cwd, 'my.migscenario.json'), m[1]);
}

/** Splits a shell line into words (the README's lines use plain words and single quotes). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2]);
  return out;
}

test('README: every line of the command block runs as printed', { timeout: 30 * 60_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'migtrace-readme-block-'));
  writeExampleScenario(cwd);
  const lines = commandBlock();
  assert.ok(lines.length >= 8, `only ${lines.length} commands in the block`);
  for (const line of lines) {
    const w = words(line);
    assert.deepEqual(w.slice(0, 2), ['npx', 'migtrace'], `a README command that is not \`npx migtrace ...\`: ${line}`);
    const r = await migtrace(w.slice(2), cwd);
    assert.ok([0, 3, 4, 5].includes(r.code), `\`${line}\` exited ${r.code}:\n${r.stdout.slice(-500)}\n${r.stderr.slice(-500)}`);
    assert.doesNotMatch(r.stderr, /\n\s+at .+\(.+:\d+:\d+\)|internal error/, `\`${line}\` printed a stack trace`);
    assert.ok(r.stdout.length > 0, `\`${line}\` printed nothing`);
  }
});
