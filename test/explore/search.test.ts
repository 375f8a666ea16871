// Schedule search through the shipped command: random search and PCT find the multifd sync hang,
// group its hits, save traces, shrink the first to a schedule a few decisions from the default
// one that `migtrace replay` reproduces, and explain it in the model's QEMU statements; the
// stage-3 scenario reports no failure and its closest call; a planted lock-order inversion is
// reported with no run deadlocking. The result does not depend on the number of workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migtrace, tmp, TINY } from './cliUtil';
import { readTrace } from '../../engine/trace/reader';
import { decisionsOf } from '../../engine/runtime/replay';
import { loadScenarioValue } from '../../engine/scenario/load';
import { buildMigration } from '../../engine/model/build';
import { NullObserver } from '../../engine/sim/observer';

interface Json {
  failures: number;
  ran: number;
  runs_to_first_hit: number | null;
  groups: { group: string; kind: string; hits: number; first_seed: number; traces: string[]; witness: null | { depth: number; method: string; minimal: boolean; replay_matched: boolean; trace: string; seed: number; deviations: { decision: number; thread: string }[]; explanation: { text: string; decision: { index: number; ran: { thread: string; fn: string; statement: string } } } } }[];
  lock_order: { edges: number; cycles: { locks: string[]; edges: { from: string; to: string; stack: string[]; from_stack: string[]; thread: string }[] }[]; deadlocked_runs: number };
  closest_call: null | { best: { seed: number; value: number } | null; fails_at: number; counts: { value: number; runs: number }[] };
  'result-file': string;
}

/** Deviations of a recorded schedule from the default one: decisions where the thread that ran was not the head of the ready list. */
function deviationsInTrace(file: string): number {
  const t = readTrace(readFileSync(file));
  const sc = loadScenarioValue(JSON.parse(t.header.scenario_json), t.header.scenario_name, [], t.header.seed);
  let dev = 0;
  class Count extends NullObserver {
    override decision(_i: number, tid: number, ready: readonly number[]): void {
      if (tid !== ready[0]) dev++;
    }
  }
  const b = buildMigration(sc.config, { strategy: { strategy: 'replay' }, replay: decisionsOf(t), observe: () => new Count() });
  b.kernel.run();
  assert.equal(b.kernel.s.status, 'hung');
  return dev;
}

test('random search finds the multifd sync hang, shrinks it to one decision, and the shrunk trace replays it', () => {
  const dir = tmp('search-random');
  const out = join(dir, 'out');
  const r = migtrace(['explore', 'multifd-sync-hang', ...TINY, '--runs', '24', '--out-dir', out, '--json', '-q']);
  assert.equal(r.status, 3, r.stderr);
  const j = JSON.parse(r.stdout) as Json;
  assert.equal(j.ran, 24);
  assert.ok(j.failures >= 2 && j.failures <= 20, `hits: ${j.failures}`);
  assert.equal(j.groups.length, 1, 'every hit of the one bug in one group');
  const g = j.groups[0];
  assert.equal(g.kind, 'deadlock');
  assert.equal(g.hits, j.failures);
  assert.equal(g.traces.length, Math.min(3, g.hits));
  for (const t of g.traces) assert.ok(existsSync(t), t);
  const w = g.witness!;
  assert.ok(w.depth >= 1 && w.depth <= 3, `depth ${w.depth}`);
  assert.equal(w.replay_matched, true);
  assert.equal(w.minimal, true);
  // The shrunk trace, as a user checks it: it replays, hangs, and differs from the default schedule in `depth` decisions.
  const rp = migtrace(['replay', w.trace]);
  assert.equal(rp.status, 0, rp.stderr);
  assert.match(rp.stdout, /reproduced .* byte for byte/);
  assert.match(rp.stdout, /outcome: hang/);
  assert.equal(deviationsInTrace(w.trace), w.depth);
  // The explanation, stored in the trace and printed by info, in the model's QEMU statements.
  const info = migtrace(['info', w.trace]);
  assert.equal(info.status, 0);
  assert.match(info.stdout, /strategy scripted/);
  assert.match(info.stdout, /explained by migtrace explore:/);
  const ex = w.explanation.text;
  assert.match(ex, /verdict: deadlock \(a wait-for cycle\)/);
  assert.match(ex, /"mig\/src\/main" blocked, waiting on semaphore "send_\d\.sem_sync"/);
  assert.match(ex, /#0 {2}multifd_send_sync_main/);
  assert.match(ex, /the decision that made the difference \(the one deviation from the default schedule\):/);
  assert.match(ex, /sync_seen = p->pending_sync; \/\* the bug: read once, before the job is taken \*\//);
  assert.match(ex, /In short: between "mig\/src\/send_\d"'s `[^`]*sync_seen = p->pending_sync[^`]*` and its `p->sending = true;[^`]*` \(multifd_send_thread\), "mig\/src\/main" ran [^`]*multifd_send_sync_main, up to `[^`]*p->pending_sync = true; if \(p->pending_job && !p->sending\) continue;/);
  assert.match(ex, /as the default schedule has it, the run ends completed\./);
  assert.ok(info.stdout.includes(ex.split('\n')[0]));
  // The result file holds the same.
  const res = JSON.parse(readFileSync(j['result-file'], 'utf8'));
  assert.equal(res.groups[0].witness.explanation.text, ex);
  assert.ok(!readdirSync(out).some((f) => f.endsWith('.partial')));
});

test('PCT finds the multifd sync hang too; the same search on one worker gives the same result', () => {
  const dir = tmp('search-pct');
  const run = (jobs: string, out: string): Json => {
    const r = migtrace(['explore', 'multifd-sync-hang', ...TINY, '--strategy', 'pct', '--depth', '3', '--runs', '24', '--jobs', jobs, '--out-dir', join(dir, out), '--json', '-q']);
    assert.equal(r.status, 3, r.stderr);
    return JSON.parse(r.stdout) as Json;
  };
  const two = run('2', 'two');
  const one = run('1', 'one');
  assert.ok(two.failures >= 1);
  assert.equal(two.groups[0].kind, 'deadlock');
  assert.ok(two.groups[0].witness!.depth <= 3);
  const strip = (j: Json): unknown => JSON.parse(JSON.stringify({ ...j, 'result-file': '', wall: 0 }, (k, v) => (k === 'traces' || k === 'trace' ? undefined : v)));
  assert.deepEqual(strip(one), strip(two));
});

test('seed-stage3-hang: no failure, and the closest call in run_on_cpu windows', () => {
  const dir = tmp('search-stage3');
  const small = ['--set', 'guest.memory=4G', '--set', 'guest.workload.nonzero-memory=3G', '--set', 'guest.workload.working-set=320M', '--set', 'guest.workload.working-set-offset=256M', '--set', 'guest.workload.stop=8'];
  const r = migtrace(['explore', 'seed-stage3-hang', ...small, '--runs', '6', '--out-dir', join(dir, 'out'), '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /outcomes: 6 completed/);
  assert.match(r.stdout, /failures: none in 6 runs \(the failure rate per run is below [\d.]+%, 95% confidence\)/);
  assert.match(r.stdout, /closest call: seed \d+, \d+ run_on_cpu windows of cpu_synchronize_all_states the main loop missed before it got the BQL and served the stop request \(of 10\); the run fails at 10/);
});

test('a planted lock-order inversion is reported with both acquisition stacks, and no run deadlocked', () => {
  const dir = tmp('search-lockdep');
  const r = migtrace(['explore', 'kernel:lock-order-inversion', '--runs', '20', '--out-dir', join(dir, 'out'), '--json', '-q']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Json;
  assert.equal(j.failures, 0);
  assert.equal(j.lock_order.deadlocked_runs, 0);
  assert.equal(j.lock_order.cycles.length, 1);
  const c = j.lock_order.cycles[0];
  assert.deepEqual(c.locks, ['A', 'B']);
  assert.deepEqual(c.edges.map((e) => `${e.from}>${e.to} by ${e.thread}`), ['A>B by worker-ab', 'B>A by worker-ba']);
  for (const e of c.edges) {
    assert.deepEqual(e.stack, ['take_lock', 'worker']);
    assert.deepEqual(e.from_stack, ['take_lock', 'worker']);
  }
  const text = migtrace(['explore', 'kernel:lock-order-inversion', '--runs', '20', '--out-dir', join(dir, 'out2'), '-q']);
  assert.match(text.stdout, /WARNING: possible circular locking dependency detected \(no explored run deadlocked on it\)/);
  assert.match(text.stdout, /Chain exists of: A --> B --> A/);
  assert.match(text.stdout, /\*\*\* DEADLOCK \*\*\*/);
  // The migration model's own locks form no cycle.
  const m = migtrace(['explore', 'multifd-sync-hang', ...TINY, '--runs', '4', '--no-shrink', '--traces', '0', '--out-dir', join(dir, 'out3'), '--json', '-q']);
  assert.equal((JSON.parse(m.stdout) as Json).lock_order.cycles.length, 0);
});
