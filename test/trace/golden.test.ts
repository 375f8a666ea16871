// Golden traces: the sha256 of the trace of several built-in scenarios and seeds (one of them a
// hang), committed in test/fixtures/golden/traces.json. A change of engine behaviour changes them;
// it must be a deliberate, versioned step: bump ENGINE_VERSION (engine/version.ts), say what
// changed in CHANGELOG.md, then rewrite the file with
//   MIGTRACE_UPDATE_GOLDEN=1 node scripts/run-tests.mjs golden
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadBuiltin } from '../../engine/scenario/load';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { ENGINE_VERSION } from '../../engine/version';

const FILE = 'test/fixtures/golden/traces.json';

interface Golden {
  scenario: string;
  seed: number;
  outcome: string;
  events: number;
  sha256: string;
}
interface GoldenFile {
  engine_version: string;
  traces: Golden[];
}

const CASES: [string, number][] = [
  ['seed-idle-128g', 1],
  ['seed-specjbb-128g', 1],
  ['seed-specjbb-128g', 7],
  ['seed-stage3-hang', 1],
  ['seed-stage3-hang', 2],
  ['page0-offbyone', 1],
  ['multifd-8ch-10g', 1],
  ['qtest-bootblock', 3],
  ['fault-link-cut', 1],
  ['multifd-sync-hang', 5],
];

function golden(name: string, seed: number): Golden {
  const sink = new MemorySink();
  const r = recordRun(loadBuiltin(name, [], seed), sink);
  return { scenario: name, seed, outcome: r.result.outcome, events: r.recording.events, sha256: createHash('sha256').update(sink.bytes()).digest('hex') };
}

test('the traces of built-in scenarios are the committed golden ones (engine behaviour changes only with a version bump)', () => {
  const now = CASES.map(([n, s]) => golden(n, s));
  if (process.env.MIGTRACE_UPDATE_GOLDEN === '1') {
    writeFileSync(FILE, `${JSON.stringify({ engine_version: ENGINE_VERSION, traces: now }, null, 1)}\n`);
    return;
  }
  const want = JSON.parse(readFileSync(FILE, 'utf8')) as GoldenFile;
  const changed = now.filter((g, i) => g.sha256 !== want.traces[i]?.sha256);
  if (changed.length > 0 && want.engine_version === ENGINE_VERSION) {
    assert.fail(
      `engine behaviour changed under the same engine version ${ENGINE_VERSION}: ${changed.map((g) => `${g.scenario} seed ${g.seed} (${g.outcome}, ${g.events} events)`).join(', ')}. ` +
        'If that is intended: bump ENGINE_VERSION in engine/version.ts, say why in CHANGELOG.md, and run MIGTRACE_UPDATE_GOLDEN=1 node scripts/run-tests.mjs golden.',
    );
  }
  assert.equal(want.engine_version, ENGINE_VERSION, `the golden traces are of engine ${want.engine_version}, this is ${ENGINE_VERSION}: rewrite them (MIGTRACE_UPDATE_GOLDEN=1 node scripts/run-tests.mjs golden)`);
  assert.deepEqual(now.map((g) => [g.scenario, g.seed]), want.traces.map((g) => [g.scenario, g.seed]), 'the cases of this test and of the golden file differ');
});
