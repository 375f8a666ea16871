// Real QEMU migrations on this machine (engine/qemu), and what the model predicts for the same
// scenario on the tcg-loopback host profile: the second table of `npm run validate`, and the
// measurements behind that profile's constants (`npm run validate -- --calibrate`).
// Real runs are noisy (two cores shared by the source vCPU, the migration thread and the
// destination), so each case runs several times and the model is held against the median.

import { performance } from 'node:perf_hooks';
import { loadBuiltin } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';
import { qemuRun } from '../../engine/qemu/qemuRun';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, type TraceData } from '../../engine/trace/reader';
import { EK } from '../../engine/trace/format';
import type { MigrationInfo } from '../../engine/model/stats';
import type { ValidationRow } from './cases';

export interface RealCase {
  label: string;
  sets: string[];
  /** metrics where the model is known to miss on this host, and why */
  known_miss?: Record<string, string>;
}

const bw = (b: string) => `migration.max-bandwidth="${b}"`;
const dt = (ms: number) => `migration.downtime-limit=${ms}`;
const maxTime = (s: number) => `limits.max-time=${s}`;
const mfd = (ch: number) => ['migration.profile=modern', `migration.multifd-channels=${ch}`];

const TWO_CORES = 'the model runs every sender and receiver on a CPU of its own; this host has two, so the real stop-and-copy through 2-4 channels is no faster than one stream (≈1 GB/s) while the model\'s channels place pages side by side';

/** Chosen across max-bandwidth, downtime limit, auto-converge and multifd, away from the knife edge
 *  where bandwidth × downtime-limit ≈ the 99 MiB the guest keeps dirty (see the note in the table). */
export const REAL_CASES: RealCase[] = [
  { label: 'qtest-defaults-1G-30s', sets: [maxTime(6)] },
  { label: 'bw512M-dt500', sets: [bw('512M'), dt(500), maxTime(6)] },
  { label: 'bw256M-dt1000', sets: [bw('256M'), dt(1000), maxTime(6)] },
  { label: 'bw128M-dt1500', sets: [bw('128M'), dt(1500), maxTime(6)] },
  { label: 'bw128M-dt300', sets: [bw('128M'), dt(300), maxTime(4)] },
  { label: 'bw64M-dt2500', sets: [bw('64M'), dt(2500), maxTime(8)] },
  { label: 'bw64M-dt1000', sets: [bw('64M'), dt(1000), maxTime(5)] },
  { label: 'bw32M-dt300', sets: [bw('32M'), dt(300), maxTime(4)] },
  { label: 'bw32M-dt300-autoconverge', sets: [bw('32M'), dt(300), 'migration.capabilities={"auto-converge":true}', maxTime(20)] },
  { label: 'multifd2-bw512M-dt1000', sets: [...mfd(2), bw('512M'), dt(1000), maxTime(6)], known_miss: { 'total-time-ms': TWO_CORES } },
  { label: 'multifd4-bw256M-dt1000', sets: [...mfd(4), bw('256M'), dt(1000), maxTime(6)], known_miss: { 'total-time-ms': TWO_CORES } },
  { label: 'multifd2-bw64M-dt300', sets: [...mfd(2), bw('64M'), dt(300), maxTime(4)] },
];

export interface RealRun {
  final: MigrationInfo;
  completed: boolean;
  passes_per_s: number;
  destination_running: boolean;
  trace: TraceData;
}

const clock_us = () => (performance.timeOrigin + performance.now()) * 1000;

export async function realRun(sets: string[]): Promise<RealRun> {
  const sc = loadBuiltin('qtest-bootblock', sets);
  const sink = new MemorySink();
  const r = await qemuRun(sc.config, JSON.stringify(sc.raw), sink, { clock_us });
  if (r.final === null) throw new Error(`no query-migrate sample for ${sets.join(' ')}`);
  return { final: r.final, completed: r.final.status === 'completed', passes_per_s: r.passes_per_s, destination_running: r.destination_running, trace: readTrace(sink.bytes()) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Figures {
  total_ms: number;
  downtime_ms: number;
  transferred: number;
  syncs: number;
}

function figures(i: MigrationInfo): Figures {
  return { total_ms: i['total-time'] ?? NaN, downtime_ms: i.downtime ?? NaN, transferred: i.ram?.transferred ?? NaN, syncs: i.ram?.['dirty-sync-count'] ?? NaN };
}

export interface RealCaseResult {
  c: RealCase;
  runs: RealRun[];
  model: MigrationInfo;
  rows: ValidationRow[];
}

export async function realCase(c: RealCase, repeats: number): Promise<RealCaseResult> {
  const runs: RealRun[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await realRun(c.sets));
  const model = runMigration(loadBuiltin('qtest-bootblock', c.sets).config).result.info;
  const rows: ValidationRow[] = [];
  const name = `real/${c.label}`;
  const realDone = runs.map((r) => r.completed);
  const modelDone = model.status === 'completed';
  const spread = (xs: number[]) => `runs ${xs.map((x) => +x.toPrecision(4)).join(', ')}`;
  rows.push({
    case: name,
    metric: 'converged',
    model: modelDone ? 1 : 0,
    ref: median(realDone.map((d) => (d ? 1 : 0))),
    tolerance: 0,
    note: `real ${realDone.map((d) => (d ? 'completed' : 'not converged')).join(', ')}`,
  });
  if (modelDone && realDone.every((d) => d)) {
    const m = figures(model);
    const rs = runs.map((r) => figures(r.final));
    for (const [metric, k] of [['total-time-ms', 'total_ms'], ['transferred-mb', 'transferred'], ['iterations', 'syncs']] as const) {
      const scale = k === 'transferred' ? 1e-6 : 1;
      const xs = rs.map((f) => f[k] * scale);
      rows.push({ case: name, metric, model: m[k] * scale, ref: median(xs), tolerance: 0.25, note: spread(xs), known_miss: c.known_miss?.[metric] });
    }
    const dts = rs.map((f) => f.downtime_ms);
    rows.push({ case: name, metric: 'downtime-ms', model: m.downtime_ms, ref: median(dts), tolerance: 1, note: `informative; ${spread(dts)}` });
  }
  return { c, runs, model, rows };
}

/** QEMU trace events of one name in a real trace, with their times (ns) and argument text. */
export function traceEvents(t: TraceData, name: string): { time_ns: number; args: string }[] {
  const fn = t.functions.indexOf(name);
  const out: { time_ns: number; args: string }[] = [];
  if (fn < 0) return out;
  const e = t.events;
  for (let i = 0; i < e.count; i++) {
    if (e.kind[i] !== EK.QEMU_TRACE || e.b[i] !== fn) continue;
    const p = e.c[i] > 0 ? (t.model[e.c[i] - 1]?.payload as { args?: string } | undefined) : undefined;
    out.push({ time_ns: e.time[i], args: p?.args ?? '' });
  }
  return out;
}

export interface CalibrationFigures {
  /** migrate_transferred periods while the guest ran: bytes per second */
  live_bytes_per_s: number[];
  /** the stop-and-copy phase: downtime-bytes / downtime */
  stop_copy_bytes_per_s: number[];
  /** migration_bitmap_sync slices */
  sync_ms: number[];
  /** the guest's passes over its 99 MiB per second during the migration */
  passes_per_s: number[];
}

/** What a real run says about the host: the raw material of the tcg-loopback profile. */
export function calibrationFigures(r: RealRun, into: CalibrationFigures): void {
  for (const ev of traceEvents(r.trace, 'migrate_transferred')) {
    const m = /transferred (\d+) time_spent (\d+)/.exec(ev.args);
    if (m && Number(m[2]) > 0) into.live_bytes_per_s.push((Number(m[1]) / Number(m[2])) * 1000);
  }
  const starts = traceEvents(r.trace, 'migration_bitmap_sync_start');
  const ends = traceEvents(r.trace, 'migration_bitmap_sync_end');
  for (let i = 0; i < Math.min(starts.length, ends.length); i++) into.sync_ms.push((ends[i].time_ns - starts[i].time_ns) / 1e6);
  const dtb = r.final.ram?.['downtime-bytes'] ?? 0;
  if (r.completed && (r.final.downtime ?? 0) > 0 && dtb > 0) into.stop_copy_bytes_per_s.push(dtb / (r.final.downtime! / 1000));
  into.passes_per_s.push(r.passes_per_s);
}
