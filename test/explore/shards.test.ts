// Shards as a batch system runs them: separate processes, each with the environment a Kubernetes
// Indexed Job (JOB_COMPLETION_INDEX) or a Slurm array (SLURM_ARRAY_TASK_ID and friends) gives
// it, started from the shipped manifest's command and the shipped sbatch script; merged with
// `migtrace explore-merge`, they give the report of one unsharded search of the same seeds, and a
// seed given twice is counted once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BIN, cleanEnv, migtrace, tmp, TINY } from './cliUtil';

const RUNS = '30';

/** The container's args from deploy/k8s/explore-job.yaml (one JSON-style flow sequence). */
function manifestArgs(): string[] {
  const text = readFileSync('deploy/k8s/explore-job.yaml', 'utf8');
  const m = /^\s*args:\s*(\[.*\])\s*$/m.exec(text);
  assert.ok(m, 'the manifest has an args line');
  assert.match(text, /completionMode: Indexed/);
  const completions = Number(/^\s*completions:\s*(\d+)/m.exec(text)?.[1]);
  const args = JSON.parse(m[1]) as string[];
  assert.equal(Number(args[args.indexOf('--shards') + 1]), completions, '--shards equals the Job\'s completions');
  return args;
}

function withFlag(args: string[], flag: string, value: string): string[] {
  const out = args.slice();
  out[out.indexOf(flag) + 1] = value;
  return out;
}

type Report = Record<string, unknown>;

/** The report without what differs by where files are and how long it took. */
function comparable(stdout: string): Report {
  const j = JSON.parse(stdout) as Report;
  return JSON.parse(JSON.stringify({ ...j, 'result-file': undefined, wall: undefined, shard: undefined, parts: undefined, missing: undefined, duplicates: undefined }, (k, v) => (k === 'traces' || k === 'trace' ? undefined : v)));
}

test('Kubernetes Indexed Job and Slurm array shards, merged, equal the unsharded search', () => {
  const dir = tmp('shards');
  const one = migtrace(['explore', 'multifd-sync-hang', ...TINY, '--runs', RUNS, '--out-dir', join(dir, 'one'), '--json', '-q']);
  assert.equal(one.status, 3, one.stderr);
  const want = comparable(one.stdout);
  assert.ok((want.failures as number) > 0);

  // Kubernetes: the manifest's command, three completions instead of eight, a small guest.
  let args = manifestArgs();
  args = withFlag(withFlag(withFlag(withFlag(args, '--runs', RUNS), '--shards', '3'), '--out-dir', join(dir, 'k8s')), '--jobs', '1');
  for (let i = 0; i < 3; i++) {
    const r = migtrace([...args, ...TINY], { env: { JOB_COMPLETION_INDEX: String(i) } });
    assert.equal(r.status, 0, `pod ${i} (--batch exits 0 whatever it found): ${r.stderr}`);
  }
  const k8sFiles = readdirSync(join(dir, 'k8s')).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(k8sFiles, ['explore-shard-0-of-3.json', 'explore-shard-1-of-3.json', 'explore-shard-2-of-3.json']);
  const seedsOf = (f: string): number[] => (JSON.parse(readFileSync(join(dir, 'k8s', f), 'utf8')) as { results: { seed: number }[] }).results.map((s) => s.seed);
  const all = k8sFiles.flatMap(seedsOf).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: Number(RUNS) }, (_, i) => i + 1), 'shards never overlap and cover the seeds');
  assert.equal(JSON.parse(readFileSync(join(dir, 'k8s', k8sFiles[1]), 'utf8')).shard.from, 'JOB_COMPLETION_INDEX');
  const mk = migtrace(['explore-merge', join(dir, 'k8s'), '--json']);
  assert.equal(mk.status, 3, mk.stderr);
  assert.deepEqual(comparable(mk.stdout), want);

  // Slurm: the shipped sbatch script under bash, with the variables sbatch --array=1-3 sets.
  for (let id = 1; id <= 3; id++) {
    const r = spawnSync('bash', ['deploy/slurm/explore.sbatch', ...TINY], {
      encoding: 'utf8',
      env: cleanEnv({
        SLURM_ARRAY_JOB_ID: '4242', SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_STEP: '1', SLURM_ARRAY_TASK_COUNT: '3', SLURM_CPUS_PER_TASK: '1',
        SCENARIO: 'multifd-sync-hang', RUNS, OUT: join(dir, 'slurm'), MIGTRACE: `${process.execPath} ${resolve(BIN)}`,
      }),
    });
    assert.equal(r.status, 0, `array task ${id}: ${r.stderr}`);
  }
  const ms = migtrace(['explore-merge', join(dir, 'slurm'), '--json']);
  assert.equal(ms.status, 3, ms.stderr);
  assert.deepEqual(comparable(ms.stdout), want);
  assert.equal(JSON.parse(readFileSync(join(dir, 'slurm', 'explore-shard-2-of-3.json'), 'utf8')).shard.from, 'SLURM_ARRAY_TASK_ID');

  // The same shards given twice (and a shard from the other batch system): each seed once.
  const twice = migtrace(['explore-merge', join(dir, 'k8s'), join(dir, 'slurm'), join(dir, 'k8s', 'explore-shard-1-of-3.json'), '--json']);
  assert.equal(twice.status, 3, twice.stderr);
  assert.deepEqual(comparable(twice.stdout), want);
  assert.equal((JSON.parse(twice.stdout) as { duplicates: number }).duplicates, Number(RUNS) + 10);
  const text = migtrace(['explore-merge', join(dir, 'k8s'), join(dir, 'k8s')]);
  assert.match(text.stdout, new RegExp(`${RUNS} seeds held by more than one file, counted once`));
  assert.match(text.stdout, new RegExp(`\\(${RUNS} of ${RUNS} runs\\)`));

  // A missing shard is said, not hidden.
  const part = migtrace(['explore-merge', join(dir, 'k8s', 'explore-shard-0-of-3.json')]);
  assert.match(part.stdout, /20 seeds of the search did not run \(a shard missing or interrupted\)/);
  assert.match(part.stdout, /\(10 of 30 runs, incomplete\)/);
});
