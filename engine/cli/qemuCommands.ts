// `migtrace qemu-run` (a real QEMU migration on loopback, recorded) and `migtrace import-qemu`
// (QEMU trace-event logs and query-migrate samples captured elsewhere, into a .migtrace).

import { readFileSync } from 'node:fs';
import { formatInfoMigrate } from '../model/stats';
import { checkRunnable, MEMORY_BACKENDS, qemuRun, type MemoryBackend } from '../qemu/qemuRun';
import { importQemu, type LogSource } from '../qemu/importQemu';
import { parseTraceLog } from '../qemu/traceLog';
import { parseQmpSamples } from '../qemu/qmpSamples';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { FileSink } from './fileSink';
import { loadScenarioArg, scenarioInputs } from './scenarioSource';
import { checkDirectory, checkInputFile, checkOutputPath, type PathArg } from './paths';

export const QEMU_RUN_SPEC: CommandSpec = {
  name: 'qemu-run',
  summary: 'Run the scenario as a real migration between two QEMUs (TCG, loopback) and record it: stats, status changes, QEMU trace events, thread states.',
  positionals: [{ name: 'scenario', help: 'a scenario whose guest is the migration-test workload (e.g. qtest-bootblock)' }],
  flags: [
    { name: 'out', short: 'o', kind: 'string', value: 'F.migtrace', help: 'the trace to write (required)' },
    { name: 'set', kind: 'repeat', value: 'KEY=VALUE', help: 'override a scenario field' },
    { name: 'memory-backend', kind: 'string', value: 'memfd|anonymous', help: 'guest RAM: memfd (default; 4 KiB shared pages, steady timings) or anonymous (QEMU\'s default, transparent huge pages)' },
    { name: 'keep-logs', kind: 'string', value: 'DIR', help: 'keep QEMU\'s logs, serial output and the QMP samples in DIR' },
    { name: 'json', kind: 'bool', help: 'print one JSON object' },
    { name: 'quiet', kind: 'bool', short: 'q', help: 'no progress on stderr' },
  ],
};

const wallUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

export async function qemuRunCommand(a: ParsedArgs, io: CliIO): Promise<number> {
  const out = a.flags.out as string | undefined;
  if (out === undefined) throw new UsageError('-o F.migtrace is required', 'qemu-run');
  const backend = (a.flags['memory-backend'] as string | undefined) ?? 'memfd';
  if (!(MEMORY_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--memory-backend is memfd or anonymous, not "${backend}"`, 'qemu-run');
  const keep = a.flags['keep-logs'] as string | undefined;
  if (keep !== undefined) checkDirectory({ path: keep, what: '--keep-logs' }, 'an existing directory to keep QEMU\'s logs in');
  const inputs = scenarioInputs(a.positionals[0]);
  checkOutputPath({ path: out, what: '-o' }, inputs);
  const sc = loadScenarioArg(a.positionals[0], (a.flags.set as string[] | undefined) ?? []);
  checkRunnable(sc.config);
  const sink = new FileSink(out, '-o', inputs);
  let r;
  try {
    r = await qemuRun(sc.config, JSON.stringify(sc.raw), sink, {
      clock_us: wallUs,
      keep_dir: keep,
      memory_backend: backend as MemoryBackend,
      progress: a.flags.quiet ? undefined : (t) => io.progress(t),
    });
  } catch (e) {
    sink.abandon();
    throw e;
  }
  const status = r.final?.status ?? 'unknown';
  const outcome = status === 'completed' ? 'completed' : status === 'failed' ? 'failed' : 'not-converged';
  if (a.flags.json) {
    io.out(JSON.stringify({ ...(r.final ?? {}), scenario: sc.config.name, outcome, 'destination-running': r.destination_running, 'guest-passes-per-s': Math.round(r.passes_per_s * 10) / 10, 'qemu-version': r.qemu_version, events: r.events, 'trace-sha256': sink.sha256(), 'wall-ms': Math.round(r.wall_ms), import: r.report }));
  } else {
    io.out(`${sc.config.name}: a real migration, ${r.qemu_version}`);
    if (r.final) io.out(formatInfoMigrate(r.final, { xbzrle: sc.config.xbzrle, 'auto-converge': sc.config.auto_converge.enabled, multifd: sc.config.profile.senders }));
    io.out(`guest running on the destination afterwards: ${r.destination_running ? 'yes' : 'no'}`);
    io.out(`trace: ${out} (${r.events} events; ${r.report.log_lines} QEMU trace lines, ${r.report.samples} query-migrate samples, ${r.report.threads} threads)`);
  }
  return outcome === 'completed' ? (r.destination_running ? 0 : 5) : 5;
}

export const IMPORT_QEMU_SPEC: CommandSpec = {
  name: 'import-qemu',
  summary: 'Turn a QEMU trace-event log (log backend, -msg timestamp=on) and query-migrate samples (JSON lines) into a .migtrace.',
  positionals: [{ name: 'trace.log', help: 'the source QEMU\'s trace log' }],
  flags: [
    { name: 'qmp', kind: 'string', value: 'progress.jsonl', help: 'query-migrate samples: {"wall-us", "return"} lines, guestperf Progress records, or a guestperf report (its progress_history)' },
    { name: 'dst-log', kind: 'string', value: 'dst.log', help: 'the destination QEMU\'s trace log' },
    { name: 'out', short: 'o', kind: 'string', value: 'F.migtrace', help: 'the trace to write (required)' },
    { name: 'name', kind: 'string', value: 'NAME', help: 'a name for the run (default: the log file\'s)' },
    { name: 'json', kind: 'bool', help: 'print one JSON object' },
  ],
};

function readText(inp: PathArg, expected: string): string {
  checkInputFile(inp, expected);
  return readFileSync(inp.path, 'utf8');
}

export function importQemuCommand(a: ParsedArgs, io: CliIO): number {
  const out = a.flags.out as string | undefined;
  if (out === undefined) throw new UsageError('-o F.migtrace is required', 'import-qemu');
  const dstPath = a.flags['dst-log'] as string | undefined;
  const qmpPath = a.flags.qmp as string | undefined;
  const inputs: PathArg[] = [{ path: a.positionals[0], what: 'trace log' }];
  if (dstPath) inputs.push({ path: dstPath, what: '--dst-log' });
  if (qmpPath) inputs.push({ path: qmpPath, what: '--qmp' });
  checkOutputPath({ path: out, what: '-o' }, inputs);
  const srcLog = parseTraceLog(readText(inputs[0], 'a QEMU trace log'));
  const logs: LogSource[] = [{ side: 'source', pid: -1, log: srcLog }];
  if (dstPath) logs.push({ side: 'destination', pid: -1, log: parseTraceLog(readText({ path: dstPath, what: '--dst-log' }, 'the destination QEMU\'s trace log')) });
  const samples = qmpPath ? parseQmpSamples(readText({ path: qmpPath, what: '--qmp' }, 'query-migrate samples (JSON lines)')) : null;
  if (srcLog.lines.length === 0 && (samples === null || samples.samples.length === 0)) {
    throw new UsageError(`${a.positionals[0]}: no trace event line could be read (${srcLog.malformed} malformed lines${srcLog.malformed_examples[0] ? `, first: line ${srcLog.malformed_examples[0].line}: "${srcLog.malformed_examples[0].text}"` : ''}); QEMU's log backend writes "tid@sec.usec:event args" with -msg timestamp=on`, 'import-qemu');
  }
  const name = (a.flags.name as string | undefined) ?? a.positionals[0].replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const sink = new FileSink(out, '-o', inputs);
  let imported;
  try {
    imported = importQemu({ logs, samples, scenario_name: name, scenario_json: '' }, sink);
  } catch (e) {
    sink.abandon();
    throw e;
  }
  const { stats, report, final } = imported;
  if (a.flags.json) io.out(JSON.stringify({ out, events: stats.events, 'trace-sha256': sink.sha256(), final, import: report }));
  else {
    io.out(`wrote ${out}: ${stats.events} events from ${report.log_lines} log lines (${report.log_malformed} malformed) and ${report.samples} query-migrate samples (${report.samples_malformed} malformed); ${report.threads} threads`);
    for (const m of report.log_malformed_examples) io.out(`  malformed ${m.side} log line ${m.line}: ${m.text}`);
    for (const m of report.samples_malformed_examples) io.out(`  malformed sample line ${m.line}: ${m.text}`);
    const unknown = Object.entries(report.instants_by_event);
    if (unknown.length > 0) io.out(`  kept as instants: ${unknown.map(([e, n]) => `${e} ×${n}`).join(', ')}`);
    if (final) io.out(`  last sample: ${final.status}${final['total-time'] !== undefined ? `, total time ${final['total-time']} ms` : ''}`);
  }
  return 0;
}
