// One real QEMU migration of the migration-test guest on this machine (engine/qemu), with what the
// real set records of it (realCollect.ts), and QEMU trace events read back from its trace.

import { performance } from 'node:perf_hooks';
import { loadBuiltin } from '../../engine/scenario/load';
import { qemuRun } from '../../engine/qemu/qemuRun';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, type TraceData } from '../../engine/trace/reader';
import { EK } from '../../engine/trace/format';
import type { MigrationInfo } from '../../engine/model/stats';

export interface RealRun {
  final: MigrationInfo;
  last_stats: MigrationInfo | null;
  completed: boolean;
  passes_per_s: number;
  destination_running: boolean;
  trace: TraceData;
  qemu_version: string;
  wall_ms: number;
  thread_cpu: { side: string; name: string; cpu_ms: number }[];
  host_busy_ms: number;
}

const clock_us = () => (performance.timeOrigin + performance.now()) * 1000;

/** A real migration of qtest-bootblock with `sets` applied. */
export async function realRun(sets: string[], nice = 0): Promise<RealRun> {
  const sc = loadBuiltin('qtest-bootblock', sets);
  const sink = new MemorySink();
  const r = await qemuRun(sc.config, JSON.stringify(sc.raw), sink, { clock_us, nice });
  if (r.final === null) throw new Error(`no query-migrate sample for ${sets.join(' ')}`);
  return {
    final: r.final,
    last_stats: r.last_stats,
    completed: r.final.status === 'completed',
    passes_per_s: r.passes_per_s,
    destination_running: r.destination_running,
    trace: readTrace(sink.bytes()),
    qemu_version: r.qemu_version,
    wall_ms: r.wall_ms,
    thread_cpu: r.thread_cpu,
    host_busy_ms: r.host_busy_ms,
  };
}

/** QEMU trace events of one name in a real trace, with their times (ns), argument text and side. */
export function traceEvents(t: TraceData, name: string): { time_ns: number; args: string; side: string }[] {
  const fn = t.functions.indexOf(name);
  const out: { time_ns: number; args: string; side: string }[] = [];
  if (fn < 0) return out;
  const e = t.events;
  for (let i = 0; i < e.count; i++) {
    if (e.kind[i] !== EK.QEMU_TRACE || e.b[i] !== fn) continue;
    const p = e.c[i] > 0 ? (t.model[e.c[i] - 1]?.payload as { args?: string; side?: string } | undefined) : undefined;
    out.push({ time_ns: e.time[i], args: p?.args ?? '', side: p?.side ?? '' });
  }
  return out;
}
