// The editor's "Search schedules for a hang" session, outside the editor: the same search with the
// worker bundle the extension ships, its result file, the shrunk trace it opens in the debugger and
// the launch configuration it opens it with (contracts.md), and a cancel that keeps what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { loadBuiltin } from '../../engine/scenario/load';
import { runExploreSession, shrunkTraceLaunch } from '../../extension/explore/exploreSession';
import { readTrace } from '../../engine/trace/reader';
import { tmp } from './cliUtil';

const TINY = ['guest.memory="128M"', 'guest.workload.nonzero-memory="96M"', 'guest.workload.working-set="32M"'];

test('a session finds the hang, writes its result, and names the shrunk trace to open', async () => {
  const dir = tmp('session');
  const phases = new Set<string>();
  const o = await runExploreSession({ scenario: loadBuiltin('multifd-sync-hang', TINY), runs: 12, strategy: 'random', dir, workerScript: 'dist/exploreWorker.js' }, (p) => phases.add(p.phase), { cancelled: false, onCancel: () => undefined }, () => 0);
  assert.ok(['search', 'save', 'shrink', 'done'].every((p) => phases.has(p)), [...phases].join(','));
  assert.ok(o.report.failures > 0);
  assert.ok(o.shrunkTrace !== null && existsSync(o.shrunkTrace));
  const t = readTrace(readFileSync(o.shrunkTrace!));
  assert.equal(t.hang?.kind, 'deadlock');
  assert.match(t.header.explanation, /the decision that made the difference/);
  assert.deepEqual(shrunkTraceLaunch(o.shrunkTrace!, 'x'), { type: 'migtrace', request: 'launch', name: 'x', trace: o.shrunkTrace });
  assert.ok(existsSync(o.resultFile));
  assert.match(o.text, /deadlock \(a wait-for cycle\)/);
});

test('cancel stops a session and keeps what it found', async () => {
  const dir = tmp('session-cancel');
  let fire: () => void = () => undefined;
  let cancelled = false;
  const o = await runExploreSession(
    { scenario: loadBuiltin('multifd-sync-hang', TINY), runs: 100_000, strategy: 'random', dir, workerScript: 'dist/exploreWorker.js' },
    (p) => {
      if (p.phase === 'search' && p.failures > 0 && !cancelled) {
        cancelled = true;
        fire();
      }
    },
    { get cancelled() { return cancelled; }, onCancel: (f) => (fire = f) },
    () => 0,
  );
  assert.equal(o.interrupted, true);
  assert.ok(o.report.ran > 0 && o.report.ran < 100_000);
  assert.ok(o.report.failures > 0);
  assert.ok(o.report.groups[0].traces.length > 0, 'the failing runs found are saved');
});

test('a guided session on the 4 GiB stage-3 variant finds the data loss and names its shrunk trace', async () => {
  const dir = tmp('session-guided');
  const set = ['guest.memory="4G"', 'guest.workload.nonzero-memory="3G"', 'guest.workload.working-set="320M"', 'guest.workload.working-set-offset="256M"', 'guest.workload.stop=8'];
  const o = await runExploreSession({ scenario: loadBuiltin('seed-stage3-hang', set), runs: 6, strategy: 'guided', dir, workerScript: 'dist/exploreWorker.js' }, () => undefined, { cancelled: false, onCancel: () => undefined }, () => 0);
  assert.ok(o.report.failures > 0, o.text);
  assert.match(o.text, /guided search: \d+ runs; [1-9]\d* seeds? failed/);
  assert.ok(o.shrunkTrace !== null && existsSync(o.shrunkTrace));
  const t = readTrace(readFileSync(o.shrunkTrace!));
  assert.match(t.header.explanation, /the decision that made the difference/);
});
