// What the debugger tests run: a hanging seed of seed-stage3-hang named by the lead's golden
// traces (test/fixtures/golden/traces.json), and a small scenario that completes in a few
// thousand steps (test/fixtures/debug/small-2g.migscenario.json).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SMALL = join(process.cwd(), 'test', 'fixtures', 'debug', 'small-2g.migscenario.json');

export function hangingStage3Seed(): number {
  const g = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'golden', 'traces.json'), 'utf8')) as { traces: { scenario: string; seed: number; outcome: string }[] };
  const t = g.traces.find((x) => x.scenario === 'seed-stage3-hang' && x.outcome === 'hang');
  if (t === undefined) throw new Error('test/fixtures/golden/traces.json names no hanging seed of seed-stage3-hang');
  return t.seed;
}

export const ADAPTER = join(process.cwd(), 'dist', 'debugAdapter.js');
export const CLI = join(process.cwd(), 'bin', 'migtrace.js');
