// `migtrace run <scenario>`: simulate one migration and print QEMU's `info migrate` (or, with
// --json, one object with query-migrate's fields and migtrace's own). Exit code by outcome.

import { EventCounter, formatNs } from '../sim';
import { formatRunText } from './runText';
import { runMigration, OUTCOME_EXIT, type MigrationResult } from '../model/run';
import type { Kernel } from '../sim/kernel';
import { recordRun } from '../runtime/record';
import { FileSink } from './fileSink';
import { md } from '../model/ctx';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { loadScenarioArg } from './scenarioSource';
import { resultJson, type ResultJsonExtra } from '../model/resultJson';
import { compareRuns, formatComparison, recordedSummary, writeSideBySide } from './runCompare';
import { runSeeds, seedsOf } from './seedsRun';

export const RUN_SPEC: CommandSpec = {
  name: 'run',
  summary: 'Simulate a migration and print QEMU\'s `info migrate` for it (exit 0 completed, 3 hang, 4 data lost, 5 did not converge).',
  positionals: [{ name: 'scenario', help: 'a built-in scenario name (see `migtrace scenarios`) or a scenario JSON file' }],
  flags: [
    { name: 'seed', kind: 'int', value: 'N', help: 'seed of the run (default: the scenario\'s, else 1)' },
    { name: 'seeds', kind: 'int', value: 'N', help: 'run N seeds (from --seed on) and print the fraction that converged with its 95% Wilson interval and the medians of the converged runs (exit 0 if all converged, else 3 hang, 4 data lost, 5 not converged)' },
    { name: 'set', kind: 'repeat', value: 'KEY=VALUE', help: 'override a scenario field, e.g. --set migration.downtime-limit=300' },
    { name: 'out', kind: 'string', value: 'F.migtrace', help: 'record the run to this trace file (written as F.migtrace.partial until complete)' },
    { name: 'compare', kind: 'string', value: 'R.migtrace', help: 'print the run beside a recorded one (a real migration from qemu-run or import-qemu); writes the model trace (--out, default R.model.migtrace) and R.compare.json with both timelines' },
    { name: 'json', kind: 'bool', help: 'print one JSON object on stdout instead of text' },
    { name: 'quiet', kind: 'bool', short: 'q', help: 'no progress on stderr' },
  ],
};

export function runCommand(a: ParsedArgs, io: CliIO, clock: () => number): number {
  const sets = (a.flags.set as string[] | undefined) ?? [];
  const sc = loadScenarioArg(a.positionals[0], sets, a.flags.seed as number | undefined);
  const quiet = Boolean(a.flags.quiet);
  if (a.flags.seeds !== undefined) {
    if (a.flags.out !== undefined || a.flags.compare !== undefined) throw new UsageError('--seeds runs many seeds: it records no trace (--out) and compares none (--compare)', 'run');
    return runSeeds(sc.config, seedsOf(a.flags.seeds, sc.config.seed, 'run'), Boolean(a.flags.json), quiet, io);
  }
  const comparePath = a.flags.compare as string | undefined;
  // Read the recorded run first: a bad --compare file fails before the simulation.
  const recorded = comparePath === undefined ? null : recordedSummary(comparePath);
  const out = (a.flags.out as string | undefined) ?? (comparePath === undefined ? undefined : `${comparePath.replace(/\.migtrace$/, '')}.model.migtrace`);
  const started = clock();
  let lastPrint = started;
  const onProgress = quiet ? undefined : (k: Kernel) => {
    const now = clock();
    if (now - lastPrint < 500) return;
    lastPrint = now;
    const m = md(k).mig;
    io.progress(`${sc.config.name}: ${formatNs(k.now)} simulated, ${m.status}, transferred ${(m.transferred_bytes / 1e9).toFixed(1)} GB, remaining ${((md(k).ram.dirty_pages * 4096) / 1e9).toFixed(1)} GB, syncs ${m.dirty_sync_count}`);
  };
  let result: MigrationResult;
  let extra: ResultJsonExtra;
  if (out !== undefined) {
    const sink = new FileSink(out);
    try {
      const rec = recordRun(sc, sink, { onProgress, progress_every_ns: 5e9 });
      result = rec.result;
      extra = { events: rec.recording.events, 'trace-sha256': sink.sha256() };
    } catch (e) {
      sink.abandon();
      if (sink.bytes > 0) io.err(`migtrace run: the run stopped on an error; what was recorded is in ${sink.partial}`);
      throw e;
    }
  } else {
    const counter = new EventCounter();
    result = runMigration(sc.config, { observe: () => counter, progress_every_ns: 5e9, onProgress }).result;
    extra = { events: counter.events };
  }
  if (!quiet && lastPrint !== started) io.progress('');
  if (recorded !== null && comparePath !== undefined && out !== undefined) {
    const c = compareRuns(sc, result, recorded, comparePath);
    const both = `${comparePath.replace(/\.migtrace$/, '')}.compare.json`;
    writeSideBySide(both, out, recorded.trace, ['model', recorded.source === 'qemu' ? 'real' : 'recorded']);
    if (a.flags.json) io.out(JSON.stringify({ ...c, traces: { model: out, recorded: comparePath, 'side-by-side': both } }));
    else {
      io.out(`${sc.config.name}: the model against ${comparePath}`);
      io.out(formatComparison(c));
      io.out(`traces: ${out} (model), ${comparePath} (${recorded.source === 'qemu' ? 'real' : 'recorded'}); both timelines: ${both} (Chrome JSON: ui.perfetto.dev or chrome://tracing)`);
    }
    return OUTCOME_EXIT[result.outcome];
  }
  if (a.flags.json) io.out(JSON.stringify(resultJson(result, extra)));
  else {
    io.out(formatRunText(result));
    if (out !== undefined) io.out(`trace: ${out} (${extra.events} events, sha256 ${extra['trace-sha256']})`);
  }
  return OUTCOME_EXIT[result.outcome];
}
