// Bad arguments to `migtrace explore` and `explore-merge` exit 2 with one line naming what is
// wrong, before any run starts (nothing is written to the output directory), through the shipped
// command.
import { ENGINE_VERSION } from '../../engine/version';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migtrace, tmp, TINY } from './cliUtil';

function oneLineExit2(args: string[], want: RegExp, env?: Record<string, string>): void {
  const dir = tmp('bad');
  const out = join(dir, 'out');
  const r = migtrace([...args, ...(args.includes('--out-dir') ? [] : ['--out-dir', out])], { cwd: dir, env });
  assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line for ${args.join(' ')}, got:\n${r.stderr}`);
  assert.match(lines[0], want);
  assert.equal(r.stdout, '');
  // No run started: nothing in the output directory.
  if (existsSync(out)) assert.deepEqual(readdirSync(out), []);
}

test('explore: bad arguments exit 2 with one line, before any run', () => {
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '10', '--shard', '3/2'], /--shard 3\/2: shard indices run from 0 to 1/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '0'], /--runs must be at least 1, got 0/);
  oneLineExit2(['explore', 'multifd-sync-hang'], /--runs N is required/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--strategy', 'dfs'], /unknown strategy "dfs": use random or pct/);
  oneLineExit2(['explore', 'no-such-scenario', '--runs', '5'], /<scenario> no-such-scenario: no such file, and no built-in scenario of that name/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--depth', '2'], /--depth and --pct-k apply to --strategy pct/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--strategy', 'pct', '--depth', '0'], /--depth must be 1\.\.64, got 0/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--shard', 'x'], /--shard must look like i\/n/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--jobs', '0'], /--jobs must be at least 1/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--set', 'guest.memory=lots'], /multifd-sync-hang: invalid scenario: guest\.memory/);
  oneLineExit2(['explore', 'kernel:nope', '--runs', '5'], /no kernel program "nope"/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--shards', '4'], /--shards 4 needs the shard index/);
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--shards', '4'], /JOB_COMPLETION_INDEX=4 is not below --shards 4/, { JOB_COMPLETION_INDEX: '4' });
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5'], /JOB_COMPLETION_INDEX=1 is set .* pass --shards N/, { JOB_COMPLETION_INDEX: '1' });
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5'], /SLURM_ARRAY_TASK_ID=9 is task 9 of an array of 4/, { SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_COUNT: '4' });
});

test('explore: an output directory that cannot be written exits 2 with one line', () => {
  const dir = tmp('bad-out');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--out-dir', join(file, 'sub')], /--out-dir .*a-file\/sub cannot be written \(ENOTDIR\)/);
  if (process.getuid?.() !== 0) {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--out-dir', ro], /cannot be written \(EACCES\)/);
  }
  oneLineExit2(['explore', 'multifd-sync-hang', '--runs', '5', '--out-dir', '/proc/migtrace-explore'], /--out-dir \/proc\/migtrace-explore cannot be written/);
});

test('explore-merge: what is not a result, shards of other scenarios or engines, exit 2 with one line', () => {
  const dir = tmp('merge-bad');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  assert.equal(migtrace(['explore', 'multifd-sync-hang', ...TINY, '--runs', '4', '--shard', '0/2', '--no-shrink', '--traces', '0', '--out-dir', a, '-q', '--batch']).status, 0);
  assert.equal(migtrace(['explore', 'multifd-sync-hang', ...TINY, '--set', 'migration.multifd-channels=2', '--runs', '4', '--shard', '1/2', '--no-shrink', '--traces', '0', '--out-dir', b, '-q', '--batch']).status, 0);
  const check = (args: string[], want: RegExp): void => {
    const r = migtrace(['explore-merge', ...args]);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], want);
  };
  check([a, b], /come from different scenarios: "multifd-sync-hang" \(multifd-sync-hang, identity [0-9a-f]+\) vs "multifd-sync-hang"/);
  const other = join(dir, 'other');
  mkdirSync(other);
  const res = JSON.parse(readFileSync(join(a, 'explore-shard-0-of-2.json'), 'utf8'));
  writeFileSync(join(other, 'explore-shard-1-of-2.json'), JSON.stringify({ ...res, engine_version: '0.1.0', shard: { index: 1, count: 2, from: 'flag' }, results: [] }));
  check([a, other], new RegExp(`was made by migtrace engine 0\\.1\\.0, .* by ${ENGINE_VERSION.replace(/\./g, '\\.')}: runs of different engines do not merge`));
  const conflicting = join(dir, 'conflict');
  mkdirSync(conflicting);
  writeFileSync(join(conflicting, 'explore-shard-0-of-2.json'), JSON.stringify({ ...res, results: res.results.map((r: { outcome: string }, i: number) => (i === 0 ? { ...r, outcome: r.outcome === 'hang' ? 'completed' : 'hang' } : r)) }));
  check([a, conflicting], /seed 1 ran differently in .* not the same inputs/);
  writeFileSync(join(dir, 'junk.json'), '{"x": 1}');
  check([join(dir, 'junk.json')], /junk\.json: not a migtrace explore result/);
  writeFileSync(join(dir, 'broken.json'), '{"x": ');
  check([join(dir, 'broken.json')], /broken\.json: not a migtrace explore result \(not JSON\)/);
  check([join(dir, 'missing')], /missing: no such file or directory/);
  check([dir], /no explore result files \(explore-\*\.json\) in this directory/);
});
