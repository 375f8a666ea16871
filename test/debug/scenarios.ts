// What the debugger tests run: a schedule of seed-stage3-hang on which aa723c23147e bites, found
// as a user finds it (the shipped `migtrace explore --strategy guided` on the 4 GiB variant), a
// hanging seed of multifd-sync-hang (the one the golden traces name, test/fixtures/golden/traces.json,
// if it still hangs; else the first of a few seeds that does, found by running the scenario), and
// a small scenario that completes in a few thousand steps.

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';

export const SMALL = join(process.cwd(), 'test', 'fixtures', 'debug', 'small-2g.migscenario.json');
export const ADAPTER = join(process.cwd(), 'dist', 'debugAdapter.js');
export const CLI = join(process.cwd(), 'bin', 'migtrace.js');

const found = new Map<string, number | null>();

/** A seed of `scenario` whose run hangs (or, with `dataLossToo`, loses data), or null within `tries` seeds. */
export function misbehavingSeed(scenario: string, tries: number, dataLossToo = false): number | null {
  const key = `${scenario}/${tries}/${dataLossToo}`;
  if (found.has(key)) return found.get(key)!;
  const bad = (seed: number): boolean => {
    const o = runMigration(loadBuiltin(scenario, [], seed).config).result.outcome;
    return o === 'hang' || (dataLossToo && o === 'data-loss');
  };
  const g = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'golden', 'traces.json'), 'utf8')) as { traces: { scenario: string; seed: number; outcome: string }[] };
  const named = g.traces.filter((x) => x.scenario === scenario && x.outcome !== 'completed').map((x) => x.seed);
  let seed: number | null = null;
  for (const s of [...named, ...Array.from({ length: tries }, (_, i) => i + 1)]) {
    if (bad(s)) {
      seed = s;
      break;
    }
  }
  found.set(key, seed);
  return seed;
}

/** The 4 GiB variant of seed-stage3-hang the README's explore examples run. */
export const STAGE3_SMALL_SET = ['guest.memory=4G', 'guest.workload.nonzero-memory=3G', 'guest.workload.working-set=320M', 'guest.workload.working-set-offset=256M', 'guest.workload.stop=8'];

export interface Stage3Schedule {
  seed: number;
  set: string[];
  deviations: { decision: number; tid: number }[];
  /** the failing run's trace, as explore saved it */
  trace: string;
  outcome: string;
}

let stage3: Stage3Schedule | null | undefined;

/**
 * A schedule of seed-stage3-hang on which aa723c23147e bites, found as a user would find it: the
 * shipped `migtrace explore --strategy guided` on the 4 GiB variant (the default and random
 * schedules almost never lose the race: README), read from its result file.
 */
export function stage3Schedule(dir: string): Stage3Schedule | null {
  if (stage3 !== undefined) return stage3;
  const out = join(dir, 'explore-stage3');
  const r = spawnSync(process.execPath, [CLI, 'explore', 'seed-stage3-hang', '--strategy', 'guided', '--runs', '6', '--no-shrink', '--traces', '1', '-j', '1', '-q', '--out-dir', out, ...STAGE3_SMALL_SET.flatMap((x) => ['--set', x])], { encoding: 'utf8' });
  if (r.status !== 3 && r.status !== 4 && r.status !== 0) throw new Error(`migtrace explore exited ${r.status}: ${r.stderr}`);
  const res = JSON.parse(readFileSync(join(out, 'explore-result.json'), 'utf8')) as {
    results: { seed: number; outcome: string; group: string | null; guided?: { deviations: { decision: number; tid: number }[] } }[];
    groups: { group: string; traces: { seed: number; file: string }[] }[];
  };
  const hit = res.results.find((x) => x.group !== null);
  const g = hit === undefined ? undefined : res.groups.find((x) => x.group === hit.group);
  const file = g?.traces.find((t) => t.seed === hit!.seed)?.file;
  stage3 = hit === undefined || file === undefined ? null : { seed: hit.seed, set: STAGE3_SMALL_SET, deviations: hit.guided!.deviations, trace: join(out, file), outcome: hit.outcome };
  return stage3;
}
