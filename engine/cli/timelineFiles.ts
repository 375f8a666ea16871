// One or two trace files as a timeline (engine/trace/timelineData.ts): what the report command and
// the editor's worker both do. Two files share one time axis, each from its first event, with their
// first divergence found (timelineCompare.ts). A file that is not a trace at all throws the
// reader's TraceError; a truncated or damaged one gives what could be read, and says where and why
// reading stopped.

import { basename } from 'node:path';
import { buildTimeline } from '../trace/timelineBuild';
import { firstDivergence } from '../trace/timelineCompare';
import type { Timeline } from '../trace/timelineData';
import type { TraceData } from '../trace/reader';
import { readTraceFile } from './traceFile';

/** "real" for a QEMU run, "model" for a simulation; "seed N" when two simulations are shown. */
export function traceLabels(traces: TraceData[]): string[] {
  const plain = traces.map((t) => (t.header.source === 'qemu' ? 'real' : 'model'));
  if (traces.length < 2 || plain[0] !== plain[1]) return plain;
  const seeds = traces.map((t) => `${plain[0] === 'real' ? 'real' : 'seed'} ${t.header.seed}`);
  return seeds[0] !== seeds[1] ? seeds : traces.map((_, i) => `${plain[0]} ${String.fromCharCode(65 + i)}`);
}

export function timelineOfTraces(traces: { trace: TraceData; path: string }[]): Timeline {
  const labels = traceLabels(traces.map((x) => x.trace));
  const tl: Timeline = {
    traces: traces.map((x, i) => buildTimeline(x.trace, labels[i], basename(x.path))),
    divergence: traces.length === 2 ? firstDivergence(traces[0].trace, traces[1].trace, [labels[0], labels[1]]) : null,
  };
  return tl;
}

/** Reads one or two trace files into a timeline. */
export function loadTimeline(paths: string[]): Timeline {
  return timelineOfTraces(paths.map((path) => ({ trace: readTraceFile(path).trace, path })));
}
