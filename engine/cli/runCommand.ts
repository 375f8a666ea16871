// `migtrace run <scenario>`: simulate one migration and print QEMU's `info migrate` (or, with
// --json, one object with query-migrate's fields and migtrace's own). Exit code by outcome.

import { EventCounter, formatNs } from '../sim';
import { formatRunText } from './runText';
import { runMigration, OUTCOME_EXIT, type MigrationResult } from '../model/run';
import type { Kernel } from '../sim/kernel';
import { recordRun } from '../runtime/record';
import { FileSink, OutputFile } from './fileSink';
import { md } from '../model/ctx';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { loadScenarioArg, scenarioInputs } from './scenarioSource';
import { checkInputFile, checkOutputPath, type PathArg } from './paths';
import { CliError } from './errors';
import { resolve } from 'node:path';
import { resultJson, type ResultJsonExtra } from '../model/resultJson';
import { compareRuns, formatComparison, recordedSummary, sideBySidePath, writeSideBySide } from './runCompare';
import { runSeeds, seedsOf } from './seedsRun';

export const RUN_SPEC: CommandSpec = {
  name: 'run',
  summary: 'Simulate a migration and print QEMU\'s `info migrate` for it (exit 0 completed, 3 hang, 4 data lost, 5 did not converge).',
  positionals: [{ name: 'scenario', help: 'a built-in scenario name (see `migtrace scenarios`) or a scenario JSON file' }],
  flags: [
    { name: 'seed', kind: 'int', value: 'N', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'seed of the run (default: the scenario\'s, else 1)' },
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
  const out = (a.flags.out as string | undefined) ?? (comparePath === undefined ? undefined : `${comparePath.replace(/\.migtrace$/, '')}.model.migtrace`);
  // Every input, output and the recorded run are checked before the simulation, so a bad path or
  // a bad --compare file never wastes a run, and no output overwrites an input.
  const inputs: PathArg[] = [...scenarioInputs(a.positionals[0]), ...(comparePath === undefined ? [] : [{ path: comparePath, what: '--compare' }])];
  const outArg: PathArg | undefined = out === undefined ? undefined : { path: out, what: a.flags.out === undefined ? '--out (default for --compare)' : '--out' };
  const bothArg: PathArg | undefined = comparePath === undefined ? undefined : { path: sideBySidePath(comparePath), what: 'the side-by-side file of --compare' };
  if (comparePath !== undefined) checkInputFile({ path: comparePath, what: '--compare' }, 'a .migtrace file');
  if (outArg !== undefined) checkOutputPath(outArg, inputs);
  if (bothArg !== undefined) {
    checkOutputPath(bothArg, inputs);
    if (outArg !== undefined && resolve(outArg.path) === resolve(bothArg.path)) throw new CliError(`--out ${outArg.path}: is also ${bothArg.what}; choose another name`);
  }
  const recorded = comparePath === undefined ? null : recordedSummary(comparePath);
  const both = bothArg === undefined ? undefined : new OutputFile(bothArg, inputs);
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
    let sink: FileSink;
    try {
      sink = new FileSink(out, outArg?.what, inputs);
    } catch (e) {
      both?.discard();
      throw e;
    }
    try {
      const rec = recordRun(sc, sink, { onProgress, progress_every_ns: 5e9 });
      result = rec.result;
      extra = { events: rec.recording.events, 'trace-sha256': sink.sha256() };
    } catch (e) {
      sink.abandon();
      both?.discard();
      if (!quiet) io.progress('');
      const whole = e instanceof Error && /the whole output is in/.test(e.message);
      const kept = sink.bytes > 0 && !whole ? `; the ${sink.bytes} bytes recorded before it are in ${sink.partial} (a readable prefix of the run)` : '';
      if (e instanceof CliError) throw new CliError(`${e.message}${kept}`, e.exit);
      if (kept !== '') io.err(`migtrace run: the run stopped on an error${kept}`);
      throw e;
    }
  } else {
    const counter = new EventCounter();
    result = runMigration(sc.config, { observe: () => counter, progress_every_ns: 5e9, onProgress }).result;
    extra = { events: counter.events };
  }
  if (!quiet && lastPrint !== started) io.progress('');
  if (recorded !== null && comparePath !== undefined && out !== undefined && both !== undefined) {
    const c = compareRuns(sc, result, recorded, comparePath);
    writeSideBySide(both, out, recorded.trace, ['model', recorded.source === 'qemu' ? 'real' : 'recorded']);
    const bothPath = both.out.path;
    if (a.flags.json) io.out(JSON.stringify({ ...c, traces: { model: out, recorded: comparePath, 'side-by-side': bothPath } }));
    else {
      io.out(`${sc.config.name}: the model against ${comparePath}`);
      io.out(formatComparison(c));
      io.out(`traces: ${out} (model), ${comparePath} (${recorded.source === 'qemu' ? 'real' : 'recorded'}); both timelines: ${bothPath} (Chrome JSON: ui.perfetto.dev or chrome://tracing)`);
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
