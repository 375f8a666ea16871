// `migtrace run <scenario> --compare F.migtrace`: simulate the scenario and hold the run against
// a recorded one (a real QEMU migration from qemu-run or import-qemu, or another simulation):
// total time, setup time, downtime, transferred, iterations, mean throughput and whether it
// converged, side by side. Both traces are kept, and a Chrome JSON holding both timelines (one
// above the other, each from its start) is written so they can be viewed side by side.

import type { MigrationResult } from '../model/run';
import type { MigrationInfo } from '../model/stats';
import { exportChromeJsonMany } from '../trace/chromeExport';
import { TraceError } from '../trace/format';
import { TraceDamagedError, type TraceData } from '../trace/reader';
import type { LoadedScenario } from '../scenario/load';
import { readTraceFile, whatIsWrong } from './traceFile';
import { withOpenOutput, type OutputFile } from './fileSink';

export interface CompareSide {
  label: string;
  converged: boolean;
  status: string;
  'total-time-ms': number | null;
  'setup-time-ms': number | null;
  'downtime-ms': number | null;
  'transferred-bytes': number | null;
  iterations: number | null;
  /** transferred × 8 / (total time − setup time), as QEMU computes mbps at completion */
  'mean-gbps': number | null;
}

type Summary = Partial<MigrationInfo> & { outcome?: string; 'qemu-version'?: string };

function side(label: string, s: Summary): CompareSide {
  const total = s['total-time'] ?? null;
  const setup = s['setup-time'] ?? null;
  const transferred = s.ram?.transferred ?? null;
  const span = total === null ? 0 : total - (setup ?? 0);
  return {
    label,
    converged: s.status === 'completed',
    status: s.status ?? 'unknown',
    'total-time-ms': total,
    'setup-time-ms': setup,
    'downtime-ms': s.downtime ?? null,
    'transferred-bytes': transferred,
    iterations: s.ram?.['dirty-sync-count'] ?? null,
    'mean-gbps': transferred !== null && span > 0 ? (transferred * 8) / (span / 1000) / 1e9 : null,
  };
}

/** The recorded run's final figures: its footer's summary, which must be there. */
export function recordedSummary(path: string): { summary: Summary; source: string; scenario: string; qemu_version: string; trace: TraceData } {
  const f = readTraceFile(path, '--compare');
  const s = f.trace.footer?.summary as Summary | undefined;
  if (f.trace.stopped !== null) {
    throw new TraceDamagedError(`--compare ${whatIsWrong(f)}; --compare needs a whole trace with the run's final figures`, f.trace.stopped.offset);
  }
  if (s === undefined || s === null || typeof s !== 'object' || typeof s.status !== 'string') {
    throw new TraceError(`--compare ${path}: has no final summary in its footer; --compare needs a trace with the run's final figures (from run --out, qemu-run or import-qemu)`);
  }
  return { summary: s, source: f.trace.header.source, scenario: f.trace.header.scenario_name, qemu_version: f.trace.header.qemu_version, trace: f.trace };
}

export interface RunComparison {
  model: CompareSide;
  recorded: CompareSide;
  /** model / recorded for each figure both have */
  ratio: Record<string, number>;
  notes: string[];
}

export function compareRuns(sc: LoadedScenario, model: MigrationResult, rec: ReturnType<typeof recordedSummary>, recPath: string): RunComparison {
  const recLabel = rec.source === 'qemu' ? `real (${rec.qemu_version.replace(/^QEMU emulator version /, 'QEMU ') || 'QEMU'})` : `recorded (${rec.source})`;
  const m = side(`model (${sc.config.profile.name}, ${sc.config.host_profile}, seed ${sc.config.seed})`, model.info);
  const r = side(recLabel, rec.summary);
  const ratio: Record<string, number> = {};
  for (const k of ['total-time-ms', 'setup-time-ms', 'downtime-ms', 'transferred-bytes', 'iterations', 'mean-gbps'] as const) {
    const a = m[k];
    const b = r[k];
    if (a !== null && b !== null && b !== 0) ratio[k] = a / b;
  }
  const notes: string[] = [];
  if (rec.scenario !== sc.config.name) notes.push(`the recorded run is of scenario "${rec.scenario}", the model ran "${sc.config.name}"`);
  if (rec.source === 'qemu' && sc.config.host_profile !== 'tcg-loopback') notes.push(`the model's host profile is ${sc.config.host_profile}; tcg-loopback is the one calibrated on real runs here`);
  if (!r.converged && r['total-time-ms'] !== null) notes.push(`${recPath} did not complete (${r.status}): its figures are from its last sample`);
  return { model: m, recorded: r, ratio, notes };
}

export function formatComparison(c: RunComparison): string {
  const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
  const mb = (v: number | null) => (v === null ? '-' : `${(v / 1e6).toFixed(1)} MB`);
  const gbps = (v: number | null) => (v === null ? '-' : `${v.toFixed(2)} Gb/s`);
  const rows: [string, string, string, string][] = [
    ['', c.model.label, c.recorded.label, 'model/real'],
    ['converged', c.model.converged ? 'yes' : `no (${c.model.status})`, c.recorded.converged ? 'yes' : `no (${c.recorded.status})`, c.model.converged === c.recorded.converged ? 'agree' : 'DISAGREE'],
  ];
  const add = (name: string, k: keyof RunComparison['ratio'] & keyof CompareSide, f: (v: number | null) => string) => {
    const r = c.ratio[k];
    rows.push([name, f(c.model[k] as number | null), f(c.recorded[k] as number | null), r === undefined ? '-' : r.toFixed(2)]);
  };
  add('total time', 'total-time-ms', ms);
  add('setup time', 'setup-time-ms', ms);
  add('downtime', 'downtime-ms', ms);
  add('transferred', 'transferred-bytes', mb);
  add('iterations (syncs)', 'iterations', (v) => (v === null ? '-' : String(v)));
  add('mean throughput', 'mean-gbps', gbps);
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(w[i])).join('  ').trimEnd());
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/** Where `run --compare R.migtrace` writes both timelines. */
export function sideBySidePath(comparePath: string): string {
  return `${comparePath.replace(/\.migtrace$/, '')}.compare.json`;
}

/** Writes the side-by-side Chrome JSON of the model trace (a file) and the recorded one (read already). */
export function writeSideBySide(out: OutputFile, modelTrace: string, b: TraceData, labels: [string, string]): number {
  let a: TraceData;
  try {
    a = readTraceFile(modelTrace).trace;
  } catch (e) {
    out.discard();
    throw e;
  }
  return withOpenOutput(out, (put) => exportChromeJsonMany([{ trace: a, label: labels[0] }, { trace: b, label: labels[1] }], { write: put }));
}
