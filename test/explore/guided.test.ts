// `migtrace explore --strategy guided`, run as a user runs it: on the 4 GiB variant of
// seed-stage3-hang it finds aa723c23147e's data loss within a few deviations of the default
// schedule, saves and shrinks it, and the trace replays byte for byte; where it gives up it says
// why; on a target whose bug has no closest-call measure it is refused before any run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STAGE3_SMALL_SET } from '../debug/scenarios';
import { migtrace, tmp, TINY } from './cliUtil';

interface Result {
  strategy: { name: string; rounds?: number };
  results: { seed: number; outcome: string; group: string | null; close: number | null; guided?: { deviations: { decision: number; tid: number }[]; runs: number; gave_up: string | null } }[];
  groups: { group: string; traces: { seed: number; file: string }[]; witness: { trace: string | null; replay_matched: boolean | null; deviations: unknown[] } | null }[];
}

function seed0(res: Result, group: string): unknown[] {
  return res.results.find((x) => x.group === group)!.guided!.deviations;
}

test('explore --strategy guided finds the stage-3 data loss on the 4 GiB variant; its traces replay byte for byte; the seeds it gives up on say why', () => {
  const dir = tmp('guided');
  const out = join(dir, 'guided');
  const r = migtrace(['explore', 'seed-stage3-hang', '--strategy', 'guided', '--runs', '6', '--out-dir', out, ...STAGE3_SMALL_SET.flatMap((s) => ['--set', s])], { cwd: dir });
  assert.equal(r.status, 4, `exit ${r.status} (4: data loss found):\n${r.stdout}\n${r.stderr.slice(-800)}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(r.stdout, /guided by the closest call/);
  assert.match(r.stdout, /data loss \(a page stale at the destination after switchover\)/);
  const line = /guided search: (\d+) runs; (\d+) seeds? failed \(([^)]*)\)/.exec(r.stdout);
  assert.ok(line !== null, r.stdout);
  const res = JSON.parse(readFileSync(join(out, 'explore-result.json'), 'utf8')) as Result;
  assert.equal(res.strategy.name, 'guided');
  assert.equal(res.results.length, 6);
  let runs = 0;
  for (const x of res.results) {
    const g = x.guided;
    assert.ok(g !== undefined, `seed ${x.seed} has no guided record`);
    runs += g.runs;
    if (x.group !== null) {
      // A failure: a schedule of a few deviations, each a thread that was ready there.
      assert.equal(g.gave_up, null);
      assert.ok(g.deviations.length >= 1 && g.deviations.length <= 24, JSON.stringify(g));
      for (let i = 1; i < g.deviations.length; i++) assert.ok(g.deviations[i].decision > g.deviations[i - 1].decision);
      assert.equal(x.outcome, 'data-loss');
    } else {
      assert.match(g.gave_up ?? '', /race lost to virtual time|deviations added|brought the run closer|never reached the danger|as near as the measure goes/, `seed ${x.seed} gave up without saying why: ${g.gave_up}`);
    }
  }
  assert.equal(runs, Number(line[1]), 'the report counts other runs than the result file');
  const failed = res.results.filter((x) => x.group !== null);
  // The closest call is a seed only when one came near (missed a window); else the report says none did.
  const nearest = Math.max(...res.results.filter((x) => x.group === null).map((x) => x.close ?? -1));
  assert.match(r.stdout, nearest > 0 ? /closest call: seed \d+, \d+ run_on_cpu windows/ : /closest call: none came near: every run that did not fail had 0 run_on_cpu windows/);
  assert.equal(failed.length, Number(line[2]));
  assert.ok(failed.length >= 1);
  // Every trace it saved, and the shrunk one, replays byte for byte.
  const g = res.groups[0];
  assert.ok(g.witness !== null && g.witness.trace !== null, 'the failure was not shrunk');
  assert.equal(g.witness.replay_matched, true);
  assert.ok(g.witness.deviations.length <= seed0(res, g.group).length, 'shrinking made the schedule longer');
  const files = [...g.traces.map((t) => t.file), g.witness.trace];
  assert.ok(g.traces.length >= 1 && g.traces.every((t) => failed.some((x) => x.seed === t.seed)), JSON.stringify(g.traces));
  for (const f of files) {
    const rep = migtrace(['replay', join(out, f)], { cwd: dir });
    assert.equal(rep.status, 0, `replay ${f}: ${rep.stderr}`);
    assert.match(rep.stdout, /reproduced .* byte for byte/);
  }
});

test('explore --strategy guided on a target with no closest-call measure exits 2 with one line, before any run', () => {
  const dir = tmp('guided-bad');
  for (const target of [['kernel:lock-order-inversion'], ['multifd-sync-hang', ...TINY]]) {
    const r = migtrace(['explore', ...target, '--strategy', 'guided', '--runs', '3', '--out-dir', join(dir, 'x')], { cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--strategy guided needs a bug whose mechanism measures how near a run came to failing \(aa723c23147e\); .* has none: use random or pct/);
    assert.equal(r.stdout, '');
  }
});
