// `migtrace info`, `migtrace replay` and `migtrace export`: reading, verifying and converting traces.

import { formatNs } from '../sim/hangReport';
import { resultJson } from '../model/resultJson';
import { replayTrace } from '../runtime/replay';
import { formatTraceInfo, traceInfo } from '../trace/summary';
import { exportPerfetto } from '../trace/perfettoExport';
import { exportChromeJson } from '../trace/chromeExport';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { readTraceFile, whatIsWrong } from './traceFile';
import { describeEvent } from '../trace/describe';
import { formatRunText } from './runText';
import { OutputFile, withOpenOutput } from './fileSink';
import { checkInputFile, checkOutputPath } from './paths';
import { EXIT } from './errors';
import { isComplete } from '../trace/reader';

export const INFO_SPEC: CommandSpec = {
  name: 'info',
  summary: 'Describe a trace: header, counts, time span, outcome; says if it is truncated or damaged (exit 7 then).',
  positionals: [{ name: 'trace', help: 'a .migtrace file' }],
  flags: [{ name: 'json', kind: 'bool', help: 'print one JSON object' }],
};

export function infoCommand(a: ParsedArgs, io: CliIO): number {
  const f = readTraceFile(a.positionals[0]);
  const info = traceInfo(f.trace);
  if (a.flags.json) io.out(JSON.stringify({ file: f.path, ...info }));
  else io.out(formatTraceInfo(f.path, info));
  if (isComplete(f.trace)) return EXIT.ok;
  io.err(`migtrace info: ${whatIsWrong(f)}`);
  return EXIT.damaged;
}

export const REPLAY_SPEC: CommandSpec = {
  name: 'replay',
  summary: 'Re-run a trace\'s scenario with its recorded decisions and check that it reproduces the trace byte for byte (exit 0 if it does, 6 if it diverges, 7 if the trace is damaged or incomplete).',
  positionals: [{ name: 'trace', help: 'a .migtrace file written by `migtrace run --out`' }],
  flags: [{ name: 'json', kind: 'bool', help: 'print one JSON object: the replayed run\'s query-migrate fields, plus "replay"' }],
};

export function replayCommand(a: ParsedArgs, io: CliIO): number {
  const f = readTraceFile(a.positionals[0]);
  const rep = replayTrace(f.bytes, f.trace);
  const replay = {
    matched: rep.matched,
    'recording-complete': !rep.recording_incomplete,
    'events-compared': rep.events_compared,
    divergence: rep.divergence === null ? null : { event: rep.divergence.event_index, 'time-ns': rep.divergence.time_ns, recorded: rep.divergence.recorded, replayed: rep.divergence.replayed, kernel: rep.divergence.kernel, decision: rep.divergence.decision, 'decision-event': rep.divergence.decision_event },
  };
  if (a.flags.json) {
    io.out(JSON.stringify({ ...(rep.result ? resultJson(rep.result, { events: rep.events_compared }) : {}), replay }));
  } else {
    if (rep.result) io.out(formatRunText(rep.result));
    io.out('');
    if (rep.matched && !rep.recording_incomplete) {
      io.out(`replay: reproduced ${f.path} byte for byte (${rep.events_compared} events, ${f.bytes.length} bytes)`);
    } else if (rep.matched) {
      io.out(`replay: the recording is incomplete (${f.trace.stopped?.reason ?? 'no footer'}); the replay matched all ${rep.events_compared} events it holds`);
    } else {
      const d = rep.divergence!;
      io.out(`replay: DIVERGED from ${f.path} at event #${d.event_index} (t=${formatNs(d.time_ns)})`);
      if (d.decision !== null && d.decision_event !== null) io.out(`  first differing decision: #${d.decision}, recorded as ${describeEvent(f.trace, d.decision_event)}`);
      io.out(`  recorded: ${d.recorded}`);
      if (d.replayed) io.out(`  replayed: ${d.replayed}`);
      if (d.kernel) io.out(`  ${d.kernel}`);
    }
  }
  // The replay's own verdict: it reproduced the recording (0), or not (6), or it could check only
  // the part a damaged or incomplete recording holds (7). The migration's outcome (a hang, data
  // lost) is the recording's, printed above; `run` reports it in its exit code.
  if (!rep.matched) return EXIT.diverged;
  if (rep.recording_incomplete) {
    io.err(`migtrace replay: ${whatIsWrong(f)}; the replay checked only the ${rep.events_compared} events before byte ${f.trace.stopped?.offset ?? f.trace.bytes}`);
    return EXIT.damaged;
  }
  return EXIT.ok;
}

export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  summary: 'Convert a trace to Perfetto\'s format (opens in ui.perfetto.dev) or to Chrome trace JSON (of a damaged or incomplete trace: what it holds, exit 7).',
  positionals: [{ name: 'trace', help: 'a .migtrace file' }],
  flags: [
    { name: 'perfetto', kind: 'string', value: 'OUT', help: 'write a Perfetto TrackEvent protobuf trace' },
    { name: 'chrome', kind: 'string', value: 'OUT', help: 'write Chrome trace event JSON' },
  ],
};

export function exportCommand(a: ParsedArgs, io: CliIO): number {
  const p = a.flags.perfetto as string | undefined;
  const c = a.flags.chrome as string | undefined;
  if ((p === undefined) === (c === undefined)) throw new UsageError(p === undefined ? 'give one of --perfetto OUT or --chrome OUT' : 'give one of --perfetto OUT or --chrome OUT, not both', 'export');
  const input = { path: a.positionals[0], what: '<trace>' };
  const out = p !== undefined ? { path: p, what: '--perfetto' } : { path: c!, what: '--chrome' };
  checkInputFile(input, 'a .migtrace file');
  checkOutputPath(out, [input]);
  const f = readTraceFile(input.path);
  const whole = isComplete(f.trace);
  if (!whole) io.err(`migtrace export: ${whatIsWrong(f)}; exporting the ${f.trace.events.count} events read before byte ${f.trace.stopped?.offset ?? f.trace.bytes}`);
  const file = new OutputFile(out, [input]);
  if (p !== undefined) {
    let packets = 0;
    let flows = 0;
    const bytes = withOpenOutput(file, (put) => ({ packets, flows } = exportPerfetto(f.trace, { write: put })));
    io.out(`wrote ${p}: Perfetto trace, ${packets} packets, ${flows} wait flows, ${bytes} bytes`);
  } else {
    let events = 0;
    const bytes = withOpenOutput(file, (put) => ({ events } = exportChromeJson(f.trace, { write: put })));
    io.out(`wrote ${c}: Chrome trace JSON, ${events} events, ${bytes} bytes`);
  }
  return whole ? EXIT.ok : EXIT.damaged;
}
